# reftriage: build, test, demo, install.
#
#   make            build build/reftriage
#   make demo       install missing dependencies, build, import sample_packages/, show the result
#   make check      every test suite, on the normal and the ASan/UBSan build
#   make asan-check every test suite on the ASan/UBSan build only
#   make install    PREFIX=/usr/local DESTDIR=
#   make format     apply .clang-format
#   make deps       install missing Debian packages (apt-get, as root)

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
BUILD    ?= build
SAN      ?=
VERSION  := 0.1.0

PKGS     := jansson sqlite3 libsodium
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wpointer-arith -Wvla -Wundef
CSTD     := -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64
OPT      ?= -O2 -g
ifeq ($(SAN),1)
OPT      := -O1 -g -fno-omit-frame-pointer
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
endif
ALL_CFLAGS  = $(CSTD) $(WARN) $(OPT) $(SANFLAGS) -Iinclude -Isrc/store \
              -DREFTRIAGE_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS        = $(PKG_LIBS) -lcsv

# Quiet by default; V=1 shows every command.
ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC  := $(sort $(wildcard src/util/*.c src/model/*.c src/ingest/*.c src/store/*.c \
              src/rules/*.c src/score/*.c src/report/*.c))
CLI_SRC  := $(sort $(filter-out src/cli/main.c,$(wildcard src/cli/*.c)))
GEN_SRC  := $(BUILD)/gen/migrations.c
MIGRATIONS := $(sort $(wildcard schemas/[0-9]*.sql))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/migrations.o $(BUILD)/gen/default_rules.o
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps demo check asan-check unit-bins install uninstall clean format bench
.DEFAULT_GOAL := all

all: $(BUILD)/reftriage

$(BUILD)/reftriage: $(LIB_OBJ) $(CLI_OBJ) $(BUILD)/src/cli/main.o
	@echo "  LD    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c $(wildcard include/reftriage/*.h) src/store/store-internal.h
	@mkdir -p $(dir $@)
	@echo "  CC    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen/migrations.c: $(MIGRATIONS) src/tools/embed-sql.sh
	@mkdir -p $(dir $@)
	$(Q)sh src/tools/embed-sql.sh $@ $(MIGRATIONS)

$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c src/store/store-internal.h
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen/default_rules.c: rules/default.json src/tools/embed-file.sh
	@mkdir -p $(dir $@)
	$(Q)sh src/tools/embed-file.sh default_rules rules/default.json $@

$(BUILD)/gen/default_rules.o: $(BUILD)/gen/default_rules.c
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-variable-declarations -c -o $@ $<

unit-bins: $(UNIT_BIN)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIB_OBJ) $(CLI_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST  $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJ) $(CLI_OBJ) $(ALL_LDFLAGS) \
		$(LIBS) -lcmocka

deps:
	@sh src/tools/deps.sh

# Every suite runs even when one fails; the last line is "N passed, N failed".
check: deps
	@$(MAKE) --no-print-directory all unit-bins
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all unit-bins
	@sh tests/run-suites.sh build build/asan

asan-check: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all unit-bins
	@sh tests/run-suites.sh build/asan

demo: deps
	@$(MAKE) --no-print-directory all
	@sh src/tools/demo.sh $(BUILD)/reftriage

bench: all $(BUILD)/bench-eval
	@sh src/tools/bench.sh $(BUILD)/reftriage $(BUILD)/bench-eval

$(BUILD)/bench-eval: src/tools/bench-eval.c $(LIB_OBJ)
	@echo "  LD    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(ALL_LDFLAGS) $(LIBS)

install: $(BUILD)/reftriage
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/reftriage $(DESTDIR)$(PREFIX)/bin/reftriage
	install -d $(DESTDIR)$(PREFIX)/share/reftriage/schemas
	install -m 0644 schemas/*.json $(DESTDIR)$(PREFIX)/share/reftriage/schemas/
	install -d $(DESTDIR)$(PREFIX)/share/reftriage/rules
	install -m 0644 rules/default.json $(DESTDIR)$(PREFIX)/share/reftriage/rules/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 docs/reftriage.1 $(DESTDIR)$(PREFIX)/share/man/man1/reftriage.1
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 src/cli/completion.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/reftriage

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/reftriage $(DESTDIR)$(PREFIX)/share/man/man1/reftriage.1
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/reftriage
	rm -rf $(DESTDIR)$(PREFIX)/share/reftriage

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
