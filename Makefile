# gongkai — build, example site, tests.
#   make          the gongkai program (and gongkai-extra, which runs its sheets, archive,
#                 package and serve commands)
#   make site     build the example site into public/, its notice-board sheets into sheets/,
#                 each board's latest closed period archive and the offline package into archive/
#   make check    every test: unit (also under ASan+UBSan), TOML conformance, end to end
#   make bench    time gongkai (and Hugo) on the synthetic corpora
#   make install  PREFIX=/usr/local
#   make format   clang-format the sources
#   make fuzz     libFuzzer targets (tests/fuzz/), FUZZ_SECONDS each; not part of check

.DEFAULT_GOAL := all
PREFIX ?= /usr/local
CC ?= cc
SHARED ?= ../shared

WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
VERSION := 0.1.0
DEFS := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DGK_VERSION='"$(VERSION)"'
OPT := -O2 -g
SAN := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

# Written by mk/deps.sh, which installs missing Debian packages when it can.
# Make rebuilds it first, then restarts with the flags in place.
-include build/config.mk
build/config.mk: mk/deps.sh
	@mkdir -p build
	sh mk/deps.sh > $@.tmp && mv $@.tmp $@

LIB_SRC := $(sort $(wildcard generator/*/*.c))
MAIN_SRC := generator/main.c
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_NAMES := $(UNIT_SRC:tests/unit/%.c=%)
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

REL_OBJ := $(LIB_SRC:%.c=build/rel/%.o)
SAN_OBJ := $(LIB_SRC:%.c=build/san/%.o)
# The commands gongkai runs through gongkai-extra (generator/main.c says why)
# and what only they use.
EXTRA_SRC := $(wildcard generator/sheets/*.c generator/archive/*.c generator/serve/*.c) \
	$(addprefix generator/cli/,sheets.c serve.c archive.c package.c)
CORE_SRC := $(filter-out $(EXTRA_SRC),$(LIB_SRC))

.PHONY: all site check install format clean bench fuzz
all: gongkai gongkai-extra tests/toml_decoder

build/rel/%.o: %.c build/config.mk
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(DEFS) $(OPT) $(PKG_CFLAGS) $(TEST_CFLAGS) -MMD -MP -c $< -o $@

build/san/%.o: %.c build/config.mk
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(DEFS) $(SAN) $(PKG_CFLAGS) $(TEST_CFLAGS) -MMD -MP -c $< -o $@

# The build's identity for the caches (util/build.c): GK_VERSION and a hash
# of all its objects, the same in every program linked from them.
stamp = printf 'const char build_version_text[] = "%s+%s";\n' $(VERSION) \
	"$$(cat $(1) | sha256sum | cut -c1-32)" > $@
build/rel/stamp.c: $(REL_OBJ)
	$(call stamp,$^)
build/san/stamp.c: $(SAN_OBJ)
	$(call stamp,$^)
build/rel/stamp.o: build/rel/stamp.c
	$(CC) $(OPT) -c $< -o $@
build/san/stamp.o: build/san/stamp.c
	$(CC) $(SAN) -c $< -o $@

gongkai: build/rel/generator/main.o $(CORE_SRC:%.c=build/rel/%.o) build/rel/stamp.o
	$(CC) $(OPT) -o $@ $^ $(CORE_LIBS) -lm -lpthread

gongkai-extra: build/rel/generator/main_extra.o $(REL_OBJ) build/rel/stamp.o
	$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) -lm -lpthread

# The command line under ASan+UBSan, for the end-to-end tests of hostile input.
build/san/gongkai: build/san/generator/main.o $(CORE_SRC:%.c=build/san/%.o) build/san/stamp.o \
		build/san/gongkai-extra
	$(CC) $(SAN) -o $@ $(filter %.o,$^) $(CORE_LIBS) -lm -lpthread

build/san/gongkai-extra: build/san/generator/main_extra.o $(SAN_OBJ) build/san/stamp.o
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS) -lm -lpthread

tests/toml_decoder: build/rel/tests/toml_decoder.o $(REL_OBJ) build/rel/stamp.o
	$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) -lm

build/san/tests/toml_decoder: build/san/tests/toml_decoder.o $(SAN_OBJ) build/san/stamp.o
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS) -lm

build/rel/tests/unit/%: build/rel/tests/unit/%.o $(REL_OBJ) build/rel/stamp.o
	$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS) -lm -lpthread

build/san/tests/unit/%: build/san/tests/unit/%.o $(SAN_OBJ) build/san/stamp.o
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS) -lm -lpthread

.SECONDARY:

site: gongkai gongkai-extra
	./gongkai build -s .
	./gongkai sheets -s . --period latest
	./gongkai archive -s . --period latest
	./gongkai package -s .

check: all build/san/tests/toml_decoder build/san/gongkai $(UNIT_NAMES:%=build/rel/tests/unit/%) \
		$(UNIT_NAMES:%=build/san/tests/unit/%) $(FUZZ_NAMES:%=build/san/tests/fuzz/replay_%)
	SHARED=$(SHARED) sh tests/run.sh $(UNIT_NAMES)

bench: gongkai gongkai-extra
	python3 bench/run.py --shared $(SHARED)
# ---- fuzzing ----------------------------------------------------------------
# Each tests/fuzz/fuzz_<name>.c is a libFuzzer target. make check replays the
# saved inputs of tests/fuzz/regressions/<name>/ (once crashes) through it,
# built with gcc under ASan+UBSan; make fuzz builds it with clang's libFuzzer
# and runs it FUZZ_SECONDS, from seeds in the repository. New corpus entries
# and crash artifacts go under build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_SAN := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJ := $(LIB_SRC:%.c=build/fuzz/%.o)
build/fuzz/stamp.c: $(FUZZ_OBJ)
	$(call stamp,$^)
build/fuzz/stamp.o: build/fuzz/stamp.c
	$(FUZZ_CC) $(FUZZ_SAN) -c $< -o $@
# Seeds per target: real inputs of the kind the target reads.
FUZZ_SEEDS_toml := tests/fixtures $(wildcard $(SHARED)/conformance/toml-test)
FUZZ_SEEDS_frontmatter := content tests/fixtures/content tests/fixtures/check/content
FUZZ_SEEDS_template := templates tests/fixtures/templates
FUZZ_SEEDS_pii := tests/fixtures/check/content content

build/san/tests/fuzz/replay_%: build/san/tests/fuzz/fuzz_%.o build/san/tests/fuzz/replay.o $(SAN_OBJ) \
		build/san/stamp.o
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS) -lm -lpthread

build/fuzz/.deps: mk/deps.sh
	@mkdir -p build/fuzz
	sh mk/deps.sh fuzz && touch $@

build/fuzz/%.o: %.c build/config.mk | build/fuzz/.deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) $(DEFS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -MMD -MP -c $< -o $@

build/fuzz/bin/%: build/fuzz/tests/fuzz/%.o $(FUZZ_OBJ) build/fuzz/stamp.o
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm -lpthread

# One target: run it, show libFuzzer's summary, note it when it crashed.
fuzz_one = mkdir -p build/fuzz/corpus/$(1); echo "== fuzz_$(1): $(FUZZ_SECONDS) s"; \
	build/fuzz/bin/fuzz_$(1) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-artifact_prefix=build/fuzz/artifacts/$(1)- -print_final_stats=1 \
		build/fuzz/corpus/$(1) $(FUZZ_SEEDS_$(1)) 2>build/fuzz/$(1).log || echo $(1) >>build/fuzz/failed; \
	grep -E "^(stat::number_of_executed_units|stat::peak_rss|Done|==[0-9]+==ERROR|SUMMARY)" build/fuzz/$(1).log

fuzz: $(FUZZ_NAMES:%=build/fuzz/bin/fuzz_%)
	@rm -f build/fuzz/failed; mkdir -p build/fuzz/artifacts
	@$(foreach t,$(FUZZ_NAMES),$(call fuzz_one,$(t));)
	@if [ -s build/fuzz/failed ]; then \
		echo "fuzz: crashes in $$(cat build/fuzz/failed | tr '\n' ' ')(build/fuzz/artifacts/)"; exit 1; fi

install: gongkai gongkai-extra
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/gongkai
	install -m 755 gongkai gongkai-extra $(DESTDIR)$(PREFIX)/bin/
	cp -R templates themes $(DESTDIR)$(PREFIX)/share/gongkai/

format:
	clang-format -i generator/*.c generator/*/*.[ch] tests/*.c tests/unit/*.[ch] tests/fuzz/*.[ch]

clean:
	rm -rf build gongkai gongkai-extra tests/toml_decoder public sheets archive

-include $(shell find build -name '*.d' 2>/dev/null)
