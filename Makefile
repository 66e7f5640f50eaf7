# hpsim - discrete-event simulator of KVM halt-polling policies.
#   make            build ./hpsim
#   make run        install missing Debian packages, build, run configs/tcp_rr.json
#   make test       install missing packages, build, run every test
#   make test-asan  the tests again under AddressSanitizer + UBSan (build/asan)
#   make fuzz       libFuzzer harnesses for the config loader and capture readers
#   make bench      performance table and bench/results.json (docs/performance.md)
#   make validate   hpsim against the kernel on traces/probe (docs/validation.md)
#   make install    PREFIX=/usr/local DESTDIR= (the usual)
#   make clean

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/hpsim
CC      ?= cc
OPT     ?= -O2 -g
CFLAGS  ?= $(OPT)
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Isim -MMD -MP \
           $(shell pkg-config --cflags libtracecmd 2>/dev/null)
PKGS     = gsl jansson libtracecmd zlib
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lgsl -lgslcblas -ljansson -ltracecmd -ltraceevent -lz) -lm

BUILD   ?= build
BIN     ?= hpsim

# Every module under sim/ is built: adding a policy or workload is one new
# file plus one registry line, no Makefile edit. main.c is the program.
SIM_SRCS = $(sort $(filter-out sim/main.c,$(wildcard sim/*.c sim/policies/*.c sim/workloads/*.c)))
SIM_OBJS = $(SIM_SRCS:%.c=$(BUILD)/%.o)
LIB      = $(BUILD)/libhpsim.a

TESTS     = engine hist dist atomic_file policies config model analytic trace_read capture workloads policy_runs sweep memory replay fit
TEST_BINS = $(TESTS:%=$(BUILD)/tests/test_%)

.PHONY: all run test test-run test-asan check bench deps install uninstall clean fuzz fuzz-build probe validate

all: $(BIN)

deps:
	@sh scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(SIM_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/sim/main.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

# test_memory counts hpsim's allocations through the linker's --wrap.
$(BUILD)/tests/test_memory: private CFLAGS += -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free \
                               -Wl,--wrap=gsl_rng_alloc,--wrap=gsl_rng_free

$(BUILD)/tests/test_%: tests/test_%.c tests/testutil.h tests/capture_paths.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LIBS) -lcmocka

run: deps
	@$(MAKE) --no-print-directory hpsim
	./hpsim configs/tcp_rr.json

test: deps
	@$(MAKE) --no-print-directory test-run

test-run: $(BIN) $(TEST_BINS)
	@HPSIM=./$(BIN) sh tests/run.sh $(TEST_BINS)

# The same suites built with sanitizers; any report fails the run. The leaks
# listed in tests/lsan.supp are inside libtraceevent/libtracecmd, not ours.
SAN = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
test-asan: deps
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 $(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/hpsim OPT="$(SAN)" test-run

check: test

$(BUILD)/bench/bench: bench/bench.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LIBS)

bench: deps
	@$(MAKE) --no-print-directory hpsim $(BUILD)/bench/bench
	$(BUILD)/bench/bench

# hpsim against the kernel: the shipped probe captures, replayed on the
# profile fitted from their _poll0 halves (docs/validation.md).
validate: $(BIN)
	./$(BIN) validate traces/probe/* --include configs/hosts/probe.json

# The KVM probe (issue: record a real host); only libc and linux/kvm.h.
probe:
	@$(MAKE) --no-print-directory -C probe

install: hpsim
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/configs/data $(DESTDIR)$(DATADIR)/configs/hosts
	install -m 755 hpsim $(DESTDIR)$(BINDIR)/hpsim
	install -m 644 configs/*.json $(DESTDIR)$(DATADIR)/configs/
	install -m 644 configs/data/* $(DESTDIR)$(DATADIR)/configs/data/
	install -m 644 configs/hosts/* $(DESTDIR)$(DATADIR)/configs/hosts/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hpsim
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(BUILD) hpsim
	@$(MAKE) --no-print-directory -C probe clean

-include $(SIM_OBJS:.o=.d) $(BUILD)/sim/main.d

# ---- fuzzing (clang libFuzzer) ----
# make fuzz [FUZZ_SECONDS=60]: each harness runs that long from its seed corpus
# in tests/fuzz/corpus/ (new inputs kept in build/fuzz/corpus-*); a crash
# leaves crash-* files in build/fuzz/ and fails the target.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS    = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_BUILD    = build/fuzz

fuzz-build: deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT="$(FUZZ_FLAGS)" $(FUZZ_BUILD)/libhpsim.a
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $(CFLAGS) -o $(FUZZ_BUILD)/fuzz_config tests/fuzz/fuzz_config.c $(FUZZ_BUILD)/libhpsim.a $(LIBS)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $(CFLAGS) -o $(FUZZ_BUILD)/fuzz_text tests/fuzz/fuzz_trace.c $(FUZZ_BUILD)/libhpsim.a $(LIBS)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -DFUZZ_DAT $(CFLAGS) -o $(FUZZ_BUILD)/fuzz_dat tests/fuzz/fuzz_trace.c $(FUZZ_BUILD)/libhpsim.a $(LIBS)

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh $(FUZZ_BUILD)
