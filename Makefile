# graylane — build, test, demo. Quiet unless V=1.
ARCH      ?= x86
OUT       := build
CLANG     ?= clang
CC        ?= gcc
BPFTOOL   ?= bpftool

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# LAYOUT_FLAGS: -DGL_LAYOUT_TEST_NEXT or _STATE build another map layout (test_upgrade.sh)
LAYOUT_FLAGS ?=
CFLAGS_COMMON := -O2 -g -Wall -Wextra -Werror -Iinclude -Iuser -I$(OUT) $(LAYOUT_FLAGS)
CFLAGS    ?= $(CFLAGS_COMMON) -D_GNU_SOURCE -std=gnu11
LDLIBS    := -lbpf -lelf -lz -lyaml -lcurl -ljson-c -lpthread
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -D__BPF__ \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-Iinclude -Ibpf -Ivmlinux/$(ARCH) $(LAYOUT_FLAGS)

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))
# user/<stage>/*.c (README, Layout); the two programs' mains are not in the library.
MAINS     := user/daemon/graylaned.c user/cli/graylane.c
LIB_SRCS  := $(filter-out $(MAINS),$(wildcard user/*/*.c))
LIB_OBJS  := $(patsubst user/%.c,$(OUT)/user/%.o,$(LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))
HDRS      := $(wildcard include/graylane/*.h user/*/*.h bpf/lib/*.h tests/*.h tests/unit/*.h)

.SECONDARY:
.PHONY: all deps test test-unit test-e2e fuzz demo demo-up demo-down bench clean vmlinux \
	verifier-report test-kernels layout-builds
all: $(OUT)/graylaned $(OUT)/graylane

deps:
	$(Q)./tests/deps.sh

$(OUT)/%.bpf.o: bpf/%.bpf.c $(HDRS) vmlinux/$(ARCH)/vmlinux.h | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .bpf.o,,$(notdir $<))_bpf > $@.tmp && mv $@.tmp $@

$(OUT)/user/%.o: user/%.c $(HDRS) $(SKELS) | $(OUT)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -c $< -o $@

$(OUT)/libgraylane.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/graylaned: $(OUT)/user/daemon/graylaned.o $(OUT)/libgraylane.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/graylane: $(OUT)/user/cli/graylane.o $(OUT)/libgraylane.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(OUT)/tests/%: tests/unit/%.c $(OUT)/libgraylane.a $(HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $< $(OUT)/libgraylane.a $(LDLIBS) -o $@

# libFuzzer targets: tests/fuzz/fuzz_<name>.c, built with clang against the lib sources.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUT)/fuzz/%,$(FUZZ_SRCS))
FUZZ_TIME ?= 30
$(OUT)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(HDRS) $(SKELS)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
		-D_GNU_SOURCE -Iinclude -Iuser -I$(OUT) $< $(LIB_SRCS) $(LDLIBS) -o $@

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h

$(OUT):
	$(Q)mkdir -p $(OUT)

test: deps
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BINS) $(FUZZ_BINS) layout-builds
	$(Q)./tests/run.sh

# Builds of the next map layout and of a refused one, that
# tests/e2e/test_upgrade.sh upgrades to and back from (abi.h, GL_LAYOUT_TEST_*).
layout-builds:
	$(Q)$(MAKE) --no-print-directory OUT=$(OUT)/layout-next LAYOUT_FLAGS=-DGL_LAYOUT_TEST_NEXT all
	$(Q)$(MAKE) --no-print-directory OUT=$(OUT)/layout-state LAYOUT_FLAGS=-DGL_LAYOUT_TEST_STATE all

-include tests/http/Makefile.inc
-include tests/sql/Makefile.inc

# Each program of the daemon and of the load tests through this kernel's
# verifier on its own: the record tests/verifier/<release>.json (root).
VERIFIER_OBJS := $(OUT)/http/http_load.bpf.o $(OUT)/http/rules_load.bpf.o $(OUT)/sql/sql_load.bpf.o
verifier-report: deps
	$(Q)$(MAKE) --no-print-directory all $(VERIFIER_OBJS)
	$(Q)$(OUT)/graylane verifier-report --out tests/verifier/$$(uname -r).json $(VERIFIER_OBJS)

# The kernel matrix: Debian's 6.1 and 6.12 kernels under qemu plus the running one
# (loads, feature probe, connect/send/scenario e2e in each). tests/kernels/matrix.sh.
test-kernels: deps
	$(Q)$(MAKE) --no-print-directory all $(VERIFIER_OBJS)
	$(Q)./tests/kernels/matrix.sh

test-unit: all $(UNIT_BINS)
	$(Q)for t in $(UNIT_BINS); do $$t || exit 1; done

test-e2e: all layout-builds
	$(Q)./tests/e2e/run.sh

fuzz: $(FUZZ_BINS)
	$(Q)for f in $(FUZZ_BINS); do ./tests/fuzz/run.sh $$f $(FUZZ_TIME) || exit 1; done

# The reference scenario on this machine (demo/README.md): run it and tear it
# down, or keep it up for exploring with curl, bpftool and graylane.
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./demo/demo.sh run

demo-up: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./demo/demo.sh up

demo-down:
	$(Q)./demo/demo.sh down

# Data-path cost against no agent and a userspace proxy, rule scale, time to
# effect (BENCHMARKS.md); results under bench/results/.
bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./bench/run.sh

clean:
	$(Q)rm -rf $(OUT)
