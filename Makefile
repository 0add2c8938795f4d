# minirun - build, test, demo. Run as root on Debian 12: `sudo make demo`, `sudo make check`.
CC      ?= cc
PKGS    := libmnl libnftnl libcap libseccomp jansson
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -fno-strict-aliasing
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

LIB_SRC := $(wildcard common/*.c) $(wildcard net/*.c) $(wildcard runtime/*.c) \
           $(filter-out cli/main.c,$(wildcard cli/*.c))
LIB_OBJ := $(patsubst %.c,build/%.o,$(LIB_SRC))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))

# Debian packages: build deps, then what the tests and demo use to observe.
DEB_BUILD := make gcc clang clang-format pkg-config libmnl-dev libnftnl-dev libcap-dev \
             libseccomp-dev libjansson-dev
DEB_TEST  := busybox-static nftables iptables iproute2 curl jq conntrack tmux procps util-linux \
             xz-utils

.PHONY: all deps check unit integration demo clean format check-style bench

all: minirun

minirun: build/cli/main.o build/libminirun.a
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

build/libminirun.a: $(LIB_OBJ)
	@ar rcs $@ $^

build/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/tests/%: tests/unit/%.c build/libminirun.a tests/unit/tap.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< build/libminirun.a $(PKG_LIBS)

# Install only what is missing; `apt-get update` only when something is.
deps:
	@missing=$$(for p in $(DEB_BUILD) $(DEB_TEST); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

unit-bins: $(UNIT_BIN)

check: deps
	$(MAKE) --no-print-directory all unit-bins
	$(MAKE) --no-print-directory check-style
	$(MAKE) --no-print-directory build-clang
	tests/run.sh

# The same sources must build warning-free under clang too (a full compile,
# objects thrown away).
build-clang:
	@mkdir -p build/clang
	@for f in $(LIB_SRC) cli/main.c $(UNIT_SRC); do \
		clang -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE $(PKG_CFLAGS) -c $$f \
			-o build/clang/$$(echo $$f | tr / _).o || exit 1; \
	done; echo "  CLANG   all sources: no warnings"

check-style:
	@bad=$$(for f in $$(git ls-files '*.c' '*.h' 2>/dev/null); do \
		clang-format --dry-run -Werror $$f >/dev/null 2>&1 || echo $$f; done); \
	if [ -n "$$bad" ]; then echo "clang-format: not formatted:" $$bad; exit 1; fi

format:
	clang-format -i $$(git ls-files '*.c' '*.h') $$(git ls-files -o --exclude-standard '*.c' '*.h')

rootfs/busybox:
	rootfs-tools/mkrootfs busybox $@

demo: deps
	$(MAKE) --no-print-directory all rootfs/busybox
	tests/demo.sh

bench: deps all rootfs/busybox
	bench/run.sh

clean:
	rm -rf build minirun
