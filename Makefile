# ec2-instance-connect: GNU make, pkg-config, out-of-tree builds.
# make [all] | check | sanitize | fuzz | install | dist | demo | bench | clean
.SUFFIXES:

VERSION    := $(shell cat VERSION)
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
MANDIR     ?= $(PREFIX)/share/man
# Where sshd finds the helper: distros differ (Debian: /usr/share/ec2-instance-connect,
# Amazon Linux/RHEL/macOS: /opt/aws/bin).
HELPERDIR  ?= $(PREFIX)/lib/ec2-instance-connect
CONFIGDIR  ?= $(SYSCONFDIR)/ec2-instance-connect
CA_DIR     ?= /etc/ssl/certs
CA_FILE    ?= /etc/ssl/certs/ca-certificates.crt
DESTDIR    ?=
BUILD      ?= build
CHECK_FUZZ_SECONDS ?= 60

CC         ?= cc
PKG_CONFIG ?= pkg-config
PKGS       := libcurl openssl yaml-0.1

CFLAGS     ?= -O2 -g
WARNFLAGS  := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
              -Wmissing-prototypes -Wpointer-arith -Wvla
HARDEN_CFLAGS  ?= -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
HARDEN_LDFLAGS ?= -pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack
DEFS       := -DEIC_VERSION='"$(VERSION)"' \
              -DEIC_CONFIG_PATH='"$(CONFIGDIR)/config.yaml"' \
              -DEIC_CA_DIR='"$(CA_DIR)"' -DEIC_CA_FILE='"$(CA_FILE)"'
ALL_CFLAGS  = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARNFLAGS) $(HARDEN_CFLAGS) \
              $(DEFS) $(shell $(PKG_CONFIG) --cflags $(PKGS)) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS = $(HARDEN_LDFLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS)
LIBS        = $(shell $(PKG_CONFIG) --libs $(PKGS))

LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
PROG     := $(BUILD)/eic_run_authorized_keys

TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check)

.PHONY: all fixtures check unit e2e sanitize fuzz fuzz-replay install uninstall dist clean demo bench deps mutate

all: $(PROG)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(PROG): $(BUILD)/obj/main.o $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/testutil.h $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Isrc -Itests/unit -o $@ $< $(LIB_OBJS) \
	    $(ALL_LDFLAGS) $(LIBS) $(CHECK_LIBS)

# Test fixtures (PKI, OCSP staples, keys) are generated afresh for every test
# run, never committed: staples carry real dates and must be current.
fixtures:
	sh tests/pki/mkfixtures.sh $(BUILD)/fixtures

unit: $(TEST_BINS) fixtures
	@set -e; for t in $(TEST_BINS); do \
	    EIC_FIXTURES=$(BUILD)/fixtures CK_FORK=yes $$t; done

e2e: $(PROG) fixtures
	sh tests/e2e/run.sh $(PROG) $(BUILD)/fixtures

# The whole suite: unit and end-to-end tests, corpus replay, the same tests
# under ASan+UBSan, and a short fuzzing run of every target.
check: deps
	$(MAKE) unit
	$(MAKE) e2e
	$(MAKE) fuzz-replay
	$(MAKE) sanitize
	$(MAKE) fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)

deps:
	sh .ci/deps.sh

# ASan + UBSan build of everything, running the unit and end-to-end tests.
sanitize:
	$(MAKE) BUILD=build/sanitize CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	    HARDEN_CFLAGS="-fPIE" \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined" unit e2e

-include tests/fuzz/fuzz.mk

install: $(PROG)
	install -d $(DESTDIR)$(HELPERDIR) $(DESTDIR)$(CONFIGDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(PROG) $(DESTDIR)$(HELPERDIR)/eic_run_authorized_keys
	install -m 0644 conf/config.yaml $(DESTDIR)$(CONFIGDIR)/config.yaml
	install -m 0644 man/eic_run_authorized_keys.8 $(DESTDIR)$(MANDIR)/man8/

uninstall:
	rm -f $(DESTDIR)$(HELPERDIR)/eic_run_authorized_keys \
	    $(DESTDIR)$(MANDIR)/man8/eic_run_authorized_keys.8

dist:
	@mkdir -p $(BUILD)
	git archive --format=tar.gz --prefix=ec2-instance-connect-$(VERSION)/ \
	    -o $(BUILD)/ec2-instance-connect-$(VERSION).tar.gz HEAD
	@echo $(BUILD)/ec2-instance-connect-$(VERSION).tar.gz

demo: deps
	$(MAKE) $(PROG) fixtures
	python3 tests/e2e/demo.py $(PROG) $(BUILD)/fixtures

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*.d)

# Each mutation removes one security rule; the unit tests must catch all.
mutate: fixtures
	python3 tests/mutate.py
