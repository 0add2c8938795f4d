# minirun - build, test, demo. Run as root on Debian 12: `sudo make demo`, `sudo make check`.
CC      ?= cc
PKGS    := libmnl libnftnl libcap libseccomp jansson
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -fno-strict-aliasing
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# minirun itself links the libraries whose -dev packages ship an archive
# statically (libmnl's ships none): each shared library costs every run its
# loading and relocation, ~0.3 ms of a `run` that takes a few (the unit tests
# keep PKG_LIBS).
STATIC_LIBS = $(filter-out -lmnl,$(PKG_LIBS))
MINIRUN_LIBS = -Wl,-O1,--as-needed -Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic -lmnl

LIB_SRC := $(wildcard common/*.c) $(wildcard net/*.c) $(wildcard runtime/*.c) \
           $(filter-out cli/main.c,$(wildcard cli/*.c))
LIB_OBJ := $(patsubst %.c,build/%.o,$(LIB_SRC))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))

# Debian packages: build deps, then what the tests and demo use to observe.
DEB_BUILD := make gcc clang clang-format pkg-config libmnl-dev libnftnl-dev libcap-dev \
             libseccomp-dev libjansson-dev
DEB_TEST  := busybox-static nftables iptables iproute2 iputils-ping curl jq conntrack tmux procps util-linux strace \
             graphviz \
             xz-utils

.PHONY: all deps check unit integration demo clean format check-style bench bench-deps bench-scale \
        unit-asan unit-asan-bins fuzz fuzz-bins fuzz-deps mermaid-parser

all: minirun

minirun: build/cli/main.o build/libminirun.a
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(MINIRUN_LIBS)

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
# $(call apt_missing,PACKAGES,TARGET): install those of PACKAGES not installed.
define apt_missing
	@missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make $(2): installing" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_missing,$(DEB_BUILD) $(DEB_TEST),deps)

unit-bins: $(UNIT_BIN)

check: deps
	$(MAKE) --no-print-directory all unit-bins
	$(MAKE) --no-print-directory unit-asan-bins
	$(MAKE) --no-print-directory check-style
	$(MAKE) --no-print-directory build-clang
	-$(MAKE) --no-print-directory mermaid-parser   # the tests that need it skip without it
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

# The unit tests again, under AddressSanitizer and UBSan (gcc's own libasan and
# libubsan): separate objects in build/asan/, so build/ is left alone.
# tests/run.sh runs build/asan/test_* too when they exist.
# (no -Werror: -fsanitize=undefined makes gcc 12 warn falsely, e.g. a "null"
# %s argument in state_lookup; the normal build has the warnings.)
ASAN_FLAGS := -std=gnu11 -Wall -Wextra -Wno-format-overflow -D_GNU_SOURCE -fno-strict-aliasing \
              -fsanitize=address,undefined -fno-omit-frame-pointer -g -O1
ASAN_OBJ   := $(patsubst %.c,build/asan/%.o,$(LIB_SRC))
ASAN_BIN   := $(patsubst tests/unit/%.c,build/asan/%,$(UNIT_SRC))
ASAN_ENV   := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

build/asan/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	@echo "  CC-ASAN $<"
	@$(CC) $(ASAN_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/asan/test_%: tests/unit/test_%.c $(ASAN_OBJ) tests/unit/tap.h
	@mkdir -p $(dir $@)
	@echo "  CC-ASAN $<"
	@$(CC) $(ASAN_FLAGS) $(PKG_CFLAGS) -o $@ $< $(ASAN_OBJ) $(PKG_LIBS)

unit-asan-bins: $(ASAN_BIN)
.SECONDARY: $(ASAN_OBJ)

unit-asan: unit-asan-bins
	@rc=0; for t in $(ASAN_BIN); do echo "== $$t"; $(ASAN_ENV) $$t || rc=1; done; exit $$rc

# libFuzzer targets (clang), built with ASan and UBSan into build/fuzz/, each
# run for FUZZ_SECONDS from its seed corpus tests/fuzz/corpus/TARGET/ (new
# inputs go to build/fuzz/corpus/TARGET/, the seeds are not changed).
DEB_FUZZ     := clang libclang-rt-14-dev
FUZZ_SECONDS ?= 20
FUZZ_FLAGS   := -std=gnu11 -D_GNU_SOURCE -fno-strict-aliasing -g -O1 -fno-omit-frame-pointer \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN     := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

fuzz-deps:
	$(call apt_missing,$(DEB_FUZZ),fuzz-deps)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) $(wildcard */*.h)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $<"
	@clang $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $< $(LIB_SRC) $(PKG_LIBS)

fuzz-bins: $(FUZZ_BIN)

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-bins
	@for f in $(FUZZ_BIN); do \
		t=$$(basename $$f); mkdir -p build/fuzz/corpus/$$t build/fuzz/crashes/$$t; \
		echo "== $$t ($(FUZZ_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=build/fuzz/crashes/$$t/ \
			build/fuzz/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

# mermaid's own parser under node, in build/mermaid (never globally), for the
# tests of `network show --format mermaid`. Node and npm come from Debian
# when missing; a machine that cannot install them makes the tests skip.
# A registry out of reach fails at once (npm's own waits reach 5 minutes a
# request), and the failure is kept in .failed, which the tests read
# (lib.sh mermaid_ready) rather than trying again within one `make check`.
MERMAID_DIR := build/mermaid
MERMAID_FAIL = { echo "make mermaid-parser: $(1)" | tee $(MERMAID_DIR)/.failed >&2; exit 1; }
mermaid-parser: $(MERMAID_DIR)/.installed
$(MERMAID_DIR)/.installed: tests/mermaid/package.json tests/mermaid/parse.mjs
	@mkdir -p $(MERMAID_DIR)
	@command -v node >/dev/null && command -v npm >/dev/null || { \
		echo "make mermaid-parser: installing nodejs npm"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends nodejs npm >/dev/null; } || \
		$(call MERMAID_FAIL,cannot install node and npm)
	@cp tests/mermaid/package.json tests/mermaid/parse.mjs $(MERMAID_DIR)/
	@echo "  NPM     mermaid, jsdom -> $(MERMAID_DIR)"
	@(cd $(MERMAID_DIR) && npm install --no-audit --no-fund --ignore-scripts --no-save \
		--loglevel=error --fetch-retries=1 --fetch-retry-mintimeout=1000 \
		--fetch-retry-maxtimeout=2000 --fetch-timeout=60000 >npm.log 2>&1) || \
		$(call MERMAID_FAIL,npm install failed: $$(grep -m1 -i err $(MERMAID_DIR)/npm.log))
	@printf 'graph LR\n  a["ok"] --> b\n' >$(MERMAID_DIR)/selftest.mmd
	@node $(MERMAID_DIR)/parse.mjs $(MERMAID_DIR)/selftest.mmd >/dev/null || \
		$(call MERMAID_FAIL,the parser does not run under node $$(node --version))
	@rm -f $(MERMAID_DIR)/.failed
	@touch $@

rootfs/busybox:
	rootfs-tools/mkrootfs busybox $@

demo: deps
	$(MAKE) --no-print-directory all rootfs/busybox
	tests/demo.sh

# The throughput bench's bulk sender and sink, static to run inside the busybox rootfs.
build/bench/bulk: bench/bulk.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -static -o $@ $<

# bpftrace times the split of one run from the scheduler's tracepoints;
# Docker's figures come from a private dockerd (docker-deps).
bench-deps: deps docker-deps
	$(call apt_missing,bpftrace,bench-deps)

bench: bench-deps all rootfs/busybox build/bench/bulk
	bench/run.sh

# N detached containers on one bridge (SCALE_N, default 500); appends to docs/performance.md
bench-scale: deps all rootfs/busybox build/bench/bulk
	bench/scale.sh

# docker.io, when missing, for the side-by-side runs (compat, bench), with a
# policy-rc.d that keeps the package from starting the machine's own dockerd:
# the suite and the bench run a private one inside a throwaway network
# namespace and stop it again.
.PHONY: docker-deps
docker-deps:
	@if ! command -v dockerd >/dev/null; then \
		echo "make docker-deps: installing docker.io (its service is not started)"; \
		p=/usr/sbin/policy-rc.d; made=""; \
		[ -e $$p ] || { printf '#!/bin/sh\nexit 101\n' >$$p; chmod +x $$p; made=1; }; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends docker.io >/dev/null; rc=$$?; \
		[ -z "$$made" ] || rm -f $$p; [ $$rc = 0 ] || exit $$rc; \
	fi

# Side by side with Docker (tests/compat/compat.sh, docs/docker-differences.md).
.PHONY: compat
compat: deps docker-deps all rootfs/busybox
	MINIRUN_TEST_ROOTFS=$(CURDIR)/rootfs/busybox tests/compat/compat.sh

clean:
	rm -rf build minirun
