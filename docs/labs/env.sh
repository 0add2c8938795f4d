# env.sh - source it in the lab's host namespace (after setup.sh), from the
# top of the minirun checkout: the names every lab uses.
export UP=lab-up LAN=lab-lan HOSTNS=lab-host # the namespaces of setup.sh
export ROOTFS=${ROOTFS:-$PWD/rootfs/busybox} # `make demo` or rootfs-tools/mkrootfs makes it
export MINIRUN_ROOT=/run/minirun-lab         # the labs' containers, apart from any others
export PATH=$PWD:$PATH                       # this checkout's ./minirun
LAB=$(mktemp -d /tmp/minirun-lab.XXXXXX)     # scratch files
export LAB
cd "$LAB" || return
