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
DATADIR    ?= $(PREFIX)/share/ec2-instance-connect
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
# The path sshd_config names (a package may install HELPERDIR elsewhere and link it).
SSHD_HELPER ?= $(HELPERDIR)/eic_run_authorized_keys
CA_DIR     ?= /etc/ssl/certs
CA_FILE    ?= /etc/ssl/certs/ca-certificates.crt
DESTDIR    ?=
BUILD      ?= build
CHECK_FUZZ_SECONDS ?= 60

CC         ?= cc
PKG_CONFIG ?= pkg-config
# MINCURL=auto links a static, plain-HTTP-only libcurl built from the
# distribution's curl source (packaging/mincurl.sh; see README "Performance")
# when it can be built, else the system libcurl; MINCURL=no: always the system's.
MINCURL    ?= auto
MINCURL_DIR = $(BUILD)/mincurl
CURL_A      = $(if $(filter no,$(MINCURL)),,$(wildcard $(MINCURL_DIR)/lib/libcurl.a))
# STATIC_LIBS=auto links the distribution's libcrypto.a and libyaml.a when
# installed: binding libcrypto.so's ~4,200 symbols at every start is most of
# what a user without keys costs (see README "Performance"). The price: an
# OpenSSL security update needs a rebuild, which --check reports. no: shared.
STATIC_LIBS ?= auto
static_a    = $(if $(filter no,$(STATIC_LIBS)),,$(wildcard $(shell $(PKG_CONFIG) --variable=libdir $(1))/$(2)))
# Only with the plain-HTTP libcurl: the system's libcurl brings the shared
# libcrypto (its TLS), and one process must not hold two copies of OpenSSL.
CRYPTO_A    = $(if $(CURL_A),$(call static_a,libcrypto,libcrypto.a))
YAML_A     := $(call static_a,yaml-0.1,libyaml.a)
PKGS        = libcrypto yaml-0.1 $(if $(CURL_A),,libcurl)
LINK_PKGS   = $(if $(CRYPTO_A),,libcrypto) $(if $(YAML_A),,yaml-0.1) $(if $(CURL_A),,libcurl)

CFLAGS     ?= -O2 -g
WARNFLAGS  := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
              -Wmissing-prototypes -Wpointer-arith -Wvla
HARDEN_CFLAGS  ?= -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
HARDEN_LDFLAGS ?= -pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack
DEFS       := -DEIC_VERSION='"$(VERSION)"' \
              -DEIC_CONFIG_PATH='"$(CONFIGDIR)/config.yaml"' \
              -DEIC_CA_DIR='"$(CA_DIR)"' -DEIC_CA_FILE='"$(CA_FILE)"'
ALL_CFLAGS  = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARNFLAGS) $(HARDEN_CFLAGS) $(CPPFLAGS) \
              $(DEFS) $(if $(CURL_A),-I$(MINCURL_DIR)/include -DCURL_STATICLIB) \
              $(shell $(PKG_CONFIG) --cflags $(PKGS)) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS = $(HARDEN_LDFLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS)
LIBS        = $(CURL_A) $(CRYPTO_A) $(YAML_A) $(if $(CRYPTO_A),-pthread) -ldl \
              $(if $(strip $(LINK_PKGS)),$(shell $(PKG_CONFIG) --libs $(LINK_PKGS)))
# Unit tests link the shared libraries: quicker to link (make mutate relinks them often).
TEST_LIBS   = $(CURL_A) -ldl $(shell $(PKG_CONFIG) --libs libcrypto yaml-0.1 $(if $(CURL_A),,libcurl))

LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
PROG     := $(BUILD)/eic_run_authorized_keys

TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check)

.PHONY: selinux check-selinux all fixtures check unit unit-run e2e sanitize fuzz fuzz-replay install uninstall clean demo bench deps mutate

all:
ifneq ($(MINCURL),no)
	@[ -f $(MINCURL_DIR)/lib/libcurl.a ] || sh packaging/mincurl.sh $(MINCURL_DIR) || \
	    echo "  (building with the system libcurl)"
endif
	@$(MAKE) --no-print-directory $(PROG)

# make V=1 shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(PROG): $(BUILD)/obj/main.o $(LIB_OBJS) $(CURL_A) $(CRYPTO_A) $(YAML_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(BUILD)/obj/main.o $(LIB_OBJS) $(LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/testutil.h $(LIB_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC LD   $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Isrc -Itests/unit -o $@ $< $(LIB_OBJS) \
	    $(ALL_LDFLAGS) $(TEST_LIBS) $(CHECK_LIBS)

# Test fixtures (PKI, OCSP staples, keys) are generated afresh for every test
# run, never committed: staples carry real dates and must be current.
fixtures:
	sh tests/pki/mkfixtures.sh $(BUILD)/fixtures

unit: $(TEST_BINS) fixtures
	@$(MAKE) --no-print-directory unit-run

# The unit tests against the fixtures already made (make mutate runs this).
unit-run: $(TEST_BINS)
	@set -e; for t in $(TEST_BINS); do \
	    EIC_FIXTURES=$(BUILD)/fixtures CK_FORK=yes $$t; done

e2e: $(PROG) fixtures
	$(if $(SANITIZED),,sh tests/hardening/check_elf.sh $(PROG))
	$(if $(SANITIZED),EIC_SANITIZED=1) sh tests/e2e/run.sh $(PROG) $(BUILD)/fixtures

# The whole suite: unit and end-to-end tests, corpus replay, the same tests
# under ASan+UBSan, and a short fuzzing run of every target.
check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) mutate
	$(MAKE) e2e
	$(MAKE) fuzz-replay
	$(MAKE) sanitize
	$(MAKE) check-packaging
	$(MAKE) check-selinux
	$(MAKE) fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)

deps:
	sh .ci/deps.sh

# ASan + UBSan build of everything, running the unit and end-to-end tests.
sanitize:
	$(MAKE) BUILD=build/sanitize CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	    HARDEN_CFLAGS="-fPIE" \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined" SANITIZED=1 unit e2e

-include tests/fuzz/fuzz.mk
include packaging/packaging.mk

# Installs the helper, its config, man page, and what ec2-instance-connect-setup
# needs to turn it on in sshd. No chown: packages set owners.
install:
ifneq ($(MINCURL),no)
	@[ -f $(MINCURL_DIR)/lib/libcurl.a ] || sh packaging/mincurl.sh $(MINCURL_DIR) || \
	    echo "  (building with the system libcurl)"
endif
	@$(MAKE) --no-print-directory $(PROG)
	install -d $(DESTDIR)$(HELPERDIR) $(DESTDIR)$(CONFIGDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(DATADIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 0755 $(PROG) $(DESTDIR)$(HELPERDIR)/eic_run_authorized_keys
	install -m 0644 conf/config.yaml $(DESTDIR)$(CONFIGDIR)/config.yaml
	install -m 0644 src/eic_run_authorized_keys.8 $(DESTDIR)$(MANDIR)/man8/
	sed 's|@SSHD_HELPER@|$(SSHD_HELPER)|' packaging/ec2-instance-connect-setup.in \
	    > $(DESTDIR)$(DATADIR)/ec2-instance-connect-setup
	chmod 0755 $(DESTDIR)$(DATADIR)/ec2-instance-connect-setup
	sed 's|/opt/aws/bin/eic_run_authorized_keys|$(SSHD_HELPER)|' \
	    conf/sshd_config.d/60-ec2-instance-connect.conf \
	    > $(DESTDIR)$(DATADIR)/60-ec2-instance-connect.conf
	install -m 0644 conf/systemd/ec2-instance-connect.conf \
	    $(DESTDIR)$(DATADIR)/ec2-instance-connect.service.conf
	install -m 0644 conf/sysusers.d/ec2-instance-connect.conf $(DESTDIR)$(SYSUSERSDIR)/

uninstall:
	rm -f $(DESTDIR)$(HELPERDIR)/eic_run_authorized_keys \
	    $(DESTDIR)$(MANDIR)/man8/eic_run_authorized_keys.8 \
	    $(DESTDIR)$(DATADIR)/ec2-instance-connect-setup \
	    $(DESTDIR)$(DATADIR)/60-ec2-instance-connect.conf \
	    $(DESTDIR)$(DATADIR)/ec2-instance-connect.service.conf \
	    $(DESTDIR)$(SYSUSERSDIR)/ec2-instance-connect.conf

demo: deps
	$(MAKE) all
	$(MAKE) fixtures
	python3 tests/e2e/demo.py $(PROG) $(BUILD)/fixtures

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*.d)

# Each mutation removes one security rule; the unit tests must catch all.
mutate: fixtures
	python3 tests/mutate.py

# Wall time, CPU, peak RSS, requests and round-trip depth per invocation.
BENCH_RUNS ?= 50
bench: all fixtures
	python3 tests/bench/bench.py $(PROG) $(BUILD)/fixtures $(BENCH_RUNS)

# SELinux module, built with the reference policy's development Makefile.
SELINUX_DEVEL ?= /usr/share/selinux/devel/Makefile
selinux:
	@mkdir -p $(BUILD)/selinux
	cp selinux/ec2_instance_connect.te selinux/ec2_instance_connect.fc \
	    selinux/ec2_instance_connect.if $(BUILD)/selinux/
	$(MAKE) -s -C $(BUILD)/selinux -f $(SELINUX_DEVEL) ec2_instance_connect.pp

check-selinux: deps-packaging selinux
	sh tests/selinux/run.sh $(BUILD)
