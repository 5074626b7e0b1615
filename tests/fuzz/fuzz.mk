# Fuzzing: one libFuzzer target per parser, each with its own corpus.
#   make fuzz          run every target for FUZZ_SECONDS (default 30) under clang
#   make fuzz-replay   replay every corpus (seeds and past crashes) under ASan
FUZZ_TARGETS := keyblob sshkey signer config
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_BUILD   := $(BUILD)/fuzz
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
REPLAY_FLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SRCS    := $(LIB_SRCS)

$(FUZZ_BUILD)/fuzz-%: tests/fuzz/fuzz_%.c $(FUZZ_SRCS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) -std=c11 -D_GNU_SOURCE $(FUZZ_FLAGS) $(DEFS) -Isrc \
	    $(shell $(PKG_CONFIG) --cflags $(PKGS)) -o $@ $< $(FUZZ_SRCS) $(LIBS)

$(FUZZ_BUILD)/replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_SRCS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  REPLAY  $@")
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(REPLAY_FLAGS) $(DEFS) -Isrc \
	    $(shell $(PKG_CONFIG) --cflags $(PKGS)) -o $@ $< tests/fuzz/replay.c \
	    $(FUZZ_SRCS) $(LIBS)

fuzz-replay: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/replay-%)
	@set -e; for t in $(FUZZ_TARGETS); do \
	    echo "replay $$t:"; \
	    $(FUZZ_BUILD)/replay-$$t tests/fuzz/corpus-$$t/*; done

# Runs each target for FUZZ_SECONDS on a scratch copy of its corpus, seeded
# also from the generated fixtures; new crashes land in $(FUZZ_BUILD)/crashes.
fuzz: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz-%) fixtures
	@set -e; mkdir -p $(FUZZ_BUILD)/crashes; \
	for t in $(FUZZ_TARGETS); do \
	    work=$(FUZZ_BUILD)/corpus-$$t; rm -rf $$work; mkdir -p $$work; \
	    cp tests/fuzz/corpus-$$t/* $$work/; \
	    sh tests/fuzz/seed.sh $$t $(BUILD)/fixtures $$work; \
	    echo "fuzz $$t for $(FUZZ_SECONDS)s"; \
	    $(FUZZ_BUILD)/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	        -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t- -print_final_stats=1 \
	        $$work 2>$(FUZZ_BUILD)/fuzz-$$t.log || \
	        { tail -40 $(FUZZ_BUILD)/fuzz-$$t.log; exit 1; }; \
	    grep -E "stat::number_of_executed_units|stat::peak_rss" $(FUZZ_BUILD)/fuzz-$$t.log; \
	done
