# reftriage: build, test, demo, install.
#
#   make            build build/reftriage
#   make demo       install missing dependencies, build, import sample_packages/, show the result
#   make check      every test suite, on the normal and the ASan/UBSan build
#   make check-fast every test suite on the normal build only (for developers)
#   make asan-check every test suite on the ASan/UBSan build only
#                   (JOBS=N: N compiles and N suites at a time; default nproc)
#   make install    PREFIX=/usr/local DESTDIR= (UNITDIR=$PREFIX/lib/systemd/system)
#   make deb        a Debian package, build/reftriage_VERSION_ARCH.deb (dpkg-deb)
#   make format     apply .clang-format
#   make man        refresh the man page's SYNOPSIS from the table of commands
#   make deps       install missing Debian packages (apt-get, as root)

PREFIX   ?= /usr/local
DESTDIR  ?=
UNITDIR  ?= $(PREFIX)/lib/systemd/system
CC       ?= cc
BUILD    ?= build
SAN      ?=
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
VERSION  := 0.1.0

PKGS     := jansson sqlite3 libsodium expat libseccomp
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
ALL_CFLAGS  = $(CSTD) $(WARN) $(OPT) $(SANFLAGS) -pthread -Iinclude -Isrc/store \
              -DREFTRIAGE_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS        = $(PKG_LIBS) -lcsv -pthread

# Quiet by default; V=1 shows every command.
ifeq ($(V),1)
Q :=
else
Q := @
endif

# The check targets build with -j$(JOBS), unless make was given a -j already.
SUBMAKE = $(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))

LIB_SRC  := $(sort $(wildcard src/util/*.c src/model/*.c src/crypto/*.c src/audit/*.c \
              src/ingest/*.c src/store/*.c src/sandbox/*.c \
              src/rules/*.c src/score/*.c src/report/*.c))
CLI_SRC  := $(sort $(filter-out src/cli/main.c,$(wildcard src/cli/*.c)))
GEN_SRC  := $(BUILD)/gen/migrations.c
MIGRATIONS := $(sort $(wildcard schemas/[0-9]*.sql))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/migrations.o $(BUILD)/gen/default_rules.o
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%) \
            $(BUILD)/tests/test_fuzz_csv $(BUILD)/tests/test_fuzz_json $(BUILD)/tests/test_fuzz_rules \
            $(BUILD)/tests/test_fuzz_xml $(BUILD)/tests/test_fuzz_spool \
            $(BUILD)/tests/libiofail.so $(BUILD)/tests/libnetprobe.so

.PHONY: all man deps demo deb check check-fast asan-check unit-bins install uninstall clean format bench \
	fuzz torture
.DEFAULT_GOAL := all

# The test-only binary too (below), so that the tests never run a stale one.
all: $(BUILD)/reftriage $(BUILD)/reftriage.bash $(BUILD)/tests/reftriage-testclock

# The bash completion is generated from the table of commands.
$(BUILD)/reftriage.bash: $(BUILD)/reftriage
	$(Q)$< help --completion > $@

# The man page's SYNOPSIS comes from the same table: make man refreshes it
# (tests/cli/t0900-install.bats fails when it is out of date).
man: $(BUILD)/reftriage
	$(Q)sh src/tools/man-synopsis.sh $(BUILD)/reftriage docs/reftriage.1

$(BUILD)/reftriage: $(LIB_OBJ) $(CLI_OBJ) $(BUILD)/src/cli/main.o
	@echo "  LD    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c $(wildcard include/reftriage/*.h src/*/*-internal.h)
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

# bench-eval too, so that make check keeps the bench's own tool compiling.
unit-bins: $(UNIT_BIN) $(BUILD)/bench-eval $(BUILD)/tests/reftriage-testclock

# The test-only binary: the same program, except that REFTRIAGE_NOW sets its
# clock (src/util/timeutil.c, REFTRIAGE_TEST_CLOCK). The CLI tests that must
# record a time in the past run it (RT_CLOCK in tests/cli/helper.bash). It
# lives under tests/ and install never copies it: the installed binary has
# one clock (docs/security.md).
TESTCLOCK_OBJ := $(filter-out $(BUILD)/src/util/timeutil.o,$(LIB_OBJ)) \
                 $(BUILD)/tests/timeutil-testclock.o
$(BUILD)/tests/timeutil-testclock.o: src/util/timeutil.c $(wildcard include/reftriage/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -DREFTRIAGE_TEST_CLOCK -c -o $@ $<

# Linked after build/reftriage, so that the tests can tell a stale one (helper.bash).
$(BUILD)/tests/reftriage-testclock: $(TESTCLOCK_OBJ) $(CLI_OBJ) $(BUILD)/src/cli/main.o \
		$(BUILD)/reftriage
	@echo "  LD    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIB_OBJ) $(CLI_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST  $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJ) $(CLI_OBJ) $(ALL_LDFLAGS) \
		$(LIBS) -lcmocka

# Fuzz harnesses replayed over their seed corpora and every saved crash, as tests.
$(BUILD)/tests/test_fuzz_csv: tests/fuzz/fuzz_ingest.c tests/fuzz/replay.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -DFUZZ_CSV -DFUZZ_DIRS='"tests/fuzz/corpus/csv:tests/fuzz/regressions/csv"' \
		-o $@ tests/fuzz/fuzz_ingest.c tests/fuzz/replay.c $(LIB_OBJ) $(ALL_LDFLAGS) $(LIBS)
$(BUILD)/tests/test_fuzz_json: tests/fuzz/fuzz_ingest.c tests/fuzz/replay.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -DFUZZ_DIRS='"tests/fuzz/corpus/json:tests/fuzz/regressions/json"' \
		-o $@ tests/fuzz/fuzz_ingest.c tests/fuzz/replay.c $(LIB_OBJ) $(ALL_LDFLAGS) $(LIBS)
$(BUILD)/tests/test_fuzz_xml: tests/fuzz/fuzz_ingest.c tests/fuzz/replay.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -DFUZZ_XML -DFUZZ_DIRS='"tests/fuzz/corpus/xml:tests/fuzz/regressions/xml"' \
		-o $@ tests/fuzz/fuzz_ingest.c tests/fuzz/replay.c $(LIB_OBJ) $(ALL_LDFLAGS) $(LIBS)
$(BUILD)/tests/test_fuzz_rules: tests/fuzz/fuzz_rules.c tests/fuzz/replay.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -DFUZZ_DIRS='"tests/fuzz/corpus/rules:tests/fuzz/regressions/rules"' \
		-o $@ tests/fuzz/fuzz_rules.c tests/fuzz/replay.c $(LIB_OBJ) $(ALL_LDFLAGS) $(LIBS)
$(BUILD)/tests/test_fuzz_spool: tests/fuzz/fuzz_spool.c tests/fuzz/replay.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -DFUZZ_DIRS='"tests/fuzz/corpus/spool:tests/fuzz/regressions/spool"' \
		-o $@ tests/fuzz/fuzz_spool.c tests/fuzz/replay.c $(LIB_OBJ) $(ALL_LDFLAGS) $(LIBS)

# The I/O fault shim (LD_PRELOAD) for tests/cli/t0130-faults.bats; no sanitizers in it.
$(BUILD)/tests/libiofail.so: tests/fault/iofail.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -shared -fPIC -O1 -g -Wall -Wextra -Werror -o $@ $< -ldl

# The sandbox probe (LD_PRELOAD) for tests/cli/t1300-sandbox.bats; no sanitizers in it.
$(BUILD)/tests/libnetprobe.so: tests/fault/netprobe.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -shared -fPIC -O1 -g -Wall -Wextra -Werror -o $@ $< -ldl

# libFuzzer (clang): make fuzz FUZZ_SECONDS=N runs each harness for N seconds.
# New corpus entries stay in build/fuzz/; crashes land in build/fuzz/crashes/,
# to be added to tests/fuzz/regressions/ once fixed.
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?= csv json xml rules spool
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -O1 -g
fuzz: $(BUILD)/gen/migrations.c $(BUILD)/gen/default_rules.c
	@mkdir -p build/fuzz/crashes
	@for h in $(FUZZ_HARNESSES); do \
		src=tests/fuzz/fuzz_ingest.c; def=; \
		[ $$h = rules ] && src=tests/fuzz/fuzz_rules.c; [ $$h = csv ] && def=-DFUZZ_CSV; \
		[ $$h = spool ] && src=tests/fuzz/fuzz_spool.c; \
		[ $$h = xml ] && def=-DFUZZ_XML; \
		clang $(CSTD) $(WARN) $(FUZZ_FLAGS) -Iinclude -Isrc/store $(PKG_CFLAGS) $$def \
			-o build/fuzz/fuzz_$$h $$src $(LIB_SRC) build/gen/migrations.c \
			build/gen/default_rules.c $(LIBS) || exit 1; \
		mkdir -p build/fuzz/corpus-$$h; \
		echo "fuzz_$$h: $(FUZZ_SECONDS) s"; \
		build/fuzz/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
			-artifact_prefix=build/fuzz/crashes/$$h- build/fuzz/corpus-$$h tests/fuzz/corpus/$$h \
			2>&1 | tail -12 || exit 1; \
	done

deps:
	@sh src/tools/deps.sh

# Every suite runs even when one fails; the last line is "N passed, N failed".
# Each flavour is built once, in parallel; then the suites of both run JOBS at
# a time (tests/run-suites.sh).
check: deps
	@$(SUBMAKE) all unit-bins
	@$(SUBMAKE) BUILD=build/asan SAN=1 all unit-bins
	@JOBS=$(JOBS) sh tests/run-suites.sh $(BUILD) build/asan

check-fast: deps
	@$(SUBMAKE) all unit-bins
	@JOBS=$(JOBS) sh tests/run-suites.sh $(BUILD)

# Slow fault tests: fifty random SIGKILLs of an import (make check does five),
# and two importers with three readers for SOAK_SECONDS (default 30).
torture: all
	@KILLS=50 RT=$(CURDIR)/$(BUILD)/reftriage bats -f "SIGKILL" tests/cli/t0120-import-concurrency.bats
	@RT=$(CURDIR)/$(BUILD)/reftriage bats tests/torture

asan-check: deps
	@$(SUBMAKE) BUILD=build/asan SAN=1 all unit-bins
	@JOBS=$(JOBS) sh tests/run-suites.sh build/asan

demo: deps
	@$(MAKE) --no-print-directory all
	@sh src/tools/demo.sh $(BUILD)/reftriage

bench: all $(BUILD)/bench-eval
	@sh src/tools/bench.sh $(BUILD)/reftriage $(BUILD)/bench-eval

$(BUILD)/bench-eval: tests/tools/bench-eval.c $(LIB_OBJ)
	@echo "  LD    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(ALL_LDFLAGS) $(LIBS)

install: $(BUILD)/reftriage $(BUILD)/reftriage.bash
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/reftriage $(DESTDIR)$(PREFIX)/bin/reftriage
	install -d $(DESTDIR)$(PREFIX)/share/reftriage/schemas
	install -m 0644 schemas/*.json $(DESTDIR)$(PREFIX)/share/reftriage/schemas/
	install -d $(DESTDIR)$(PREFIX)/share/reftriage/rules
	install -m 0644 rules/default.json $(DESTDIR)$(PREFIX)/share/reftriage/rules/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 docs/reftriage.1 $(DESTDIR)$(PREFIX)/share/man/man1/reftriage.1
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 $(BUILD)/reftriage.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/reftriage
	install -d $(DESTDIR)$(UNITDIR)
	for u in docs/systemd/*.service docs/systemd/*.timer; do \
		sed 's|@BINDIR@|$(PREFIX)/bin|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/} && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; \
	done

deb: $(BUILD)/reftriage $(BUILD)/reftriage.bash
	@sh src/tools/deb.sh $(BUILD) $(VERSION)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/reftriage $(DESTDIR)$(PREFIX)/share/man/man1/reftriage.1
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/reftriage
	rm -rf $(DESTDIR)$(PREFIX)/share/reftriage
	rm -f $(DESTDIR)$(UNITDIR)/reftriage-*.service $(DESTDIR)$(UNITDIR)/reftriage-*.timer

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
