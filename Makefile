# gongkai — build, example site, tests.
#   make          the gongkai binary
#   make site     build the example site into public/, its notice-board sheets into sheets/,
#                 each board's latest closed period archive and the offline package into archive/
#   make check    every test: unit (also under ASan+UBSan), TOML conformance, end to end
#   make bench    time gongkai (and Hugo) on the synthetic corpora
#   make install  PREFIX=/usr/local
#   make format   clang-format the sources

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

REL_OBJ := $(LIB_SRC:%.c=build/rel/%.o)
SAN_OBJ := $(LIB_SRC:%.c=build/san/%.o)

.PHONY: all site check install format clean bench
all: gongkai tests/toml_decoder

build/rel/%.o: %.c build/config.mk
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(DEFS) $(OPT) $(PKG_CFLAGS) $(TEST_CFLAGS) -MMD -MP -c $< -o $@

build/san/%.o: %.c build/config.mk
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(DEFS) $(SAN) $(PKG_CFLAGS) $(TEST_CFLAGS) -MMD -MP -c $< -o $@

gongkai: build/rel/generator/main.o $(REL_OBJ)
	$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) -lm -lpthread

tests/toml_decoder: build/rel/tests/toml_decoder.o $(REL_OBJ)
	$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) -lm

build/san/tests/toml_decoder: build/san/tests/toml_decoder.o $(SAN_OBJ)
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS) -lm

build/rel/tests/unit/%: build/rel/tests/unit/%.o $(REL_OBJ)
	$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS) -lm -lpthread

build/san/tests/unit/%: build/san/tests/unit/%.o $(SAN_OBJ)
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS) -lm -lpthread

.SECONDARY:

site: gongkai
	./gongkai build -s .
	./gongkai sheets -s . --period latest
	./gongkai archive -s . --period latest
	./gongkai package -s .

check: all build/san/tests/toml_decoder $(UNIT_NAMES:%=build/rel/tests/unit/%) \
		$(UNIT_NAMES:%=build/san/tests/unit/%)
	SHARED=$(SHARED) sh tests/run.sh $(UNIT_NAMES)

bench: gongkai
	python3 bench/run.py --shared $(SHARED)

install: gongkai
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/gongkai
	install -m 755 gongkai $(DESTDIR)$(PREFIX)/bin/gongkai
	cp -R templates themes $(DESTDIR)$(PREFIX)/share/gongkai/

format:
	clang-format -i generator/*.c generator/*/*.[ch] tests/*.c tests/unit/*.[ch]

clean:
	rm -rf build gongkai tests/toml_decoder public sheets archive

-include $(shell find build -name '*.d' 2>/dev/null)
