# hpsim - discrete-event simulator of KVM halt-polling policies.
#   make            build ./hpsim
#   make run        install missing Debian packages, build, run configs/tcp_rr.json
#   make test       install missing packages, build, run every test
#   make install    PREFIX=/usr/local DESTDIR= (the usual)
#   make clean

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/hpsim
CC      ?= cc
OPT     ?= -O2 -g
CFLAGS  ?= $(OPT)
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Isim -MMD -MP \
           $(shell pkg-config --cflags libtracecmd 2>/dev/null)
PKGS     = gsl jansson libtracecmd zlib
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lgsl -lgslcblas -ljansson -ltracecmd -ltraceevent -lz) -lm

BUILD   ?= build

# Every module under sim/ is built: adding a policy or workload is one new
# file plus one registry line, no Makefile edit. main.c is the program.
SIM_SRCS = $(sort $(filter-out sim/main.c,$(wildcard sim/*.c sim/policies/*.c sim/workloads/*.c)))
SIM_OBJS = $(SIM_SRCS:%.c=$(BUILD)/%.o)
LIB      = $(BUILD)/libhpsim.a

TESTS     = engine hist dist policies config model analytic trace_read capture replay
TEST_BINS = $(TESTS:%=$(BUILD)/tests/test_%)

.PHONY: all run test check deps install uninstall clean

all: hpsim

deps:
	@sh scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(SIM_OBJS)
	@rm -f $@
	ar rcs $@ $^

hpsim: $(BUILD)/sim/main.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/test_%: tests/test_%.c tests/testutil.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LIBS) -lcmocka

run: deps
	@$(MAKE) --no-print-directory hpsim
	./hpsim configs/tcp_rr.json

test: deps
	@$(MAKE) --no-print-directory hpsim $(TEST_BINS)
	@sh tests/run.sh $(TEST_BINS)

check: test

install: hpsim
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/configs
	install -m 755 hpsim $(DESTDIR)$(BINDIR)/hpsim
	install -m 644 configs/*.json $(DESTDIR)$(DATADIR)/configs/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hpsim
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(BUILD) hpsim

-include $(SIM_OBJS:.o=.d) $(BUILD)/sim/main.d
