# shenliao - top-level build. `make` builds build/shenliao; see README.md for run/check/bench.
#
# Plain GNU make (see docs/ARCHITECTURE.md for why not meson). Sanitizer builds go to their
# own directory: `make SAN=1` builds into build-asan/; `make FUZZ=1` builds with clang and
# libFuzzer's coverage instrumentation into build-fuzz/ (`make fuzz` uses it).

SAN ?= 0
FUZZ ?= 0
ifeq ($(FUZZ),1)
BUILD ?= build-fuzz
CC = clang
SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
OPT = -O1 -g
# gcc's -Werror build is the gate; warnings only clang gives must not stop the fuzzing
WERROR_OFF = -Wno-error
else ifeq ($(SAN),1)
BUILD ?= build-asan
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT = -O1 -g
else
BUILD ?= build
SANFLAGS =
OPT = -O2 -g
endif

CC ?= cc
PKGS = libmicrohttpd sqlite3 libpq jansson libsodium md4c-html xlsxwriter pangocairo cairo-pdf libqrencode \
	libcurl libzip libxml-2.0 zlib libbrotlienc libbrotlidec
# -isystem: warnings in library headers (glib, pango) are not ours to fix
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null | sed "s/-I/-isystem /g")
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL = -std=c17 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wmissing-declarations $(WERROR_OFF) \
	-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) $(SANFLAGS) -Isrc -I$(BUILD)/gen \
	$(PKG_CFLAGS) -MMD -MP $(CFLAGS)
LDLIBS_ALL = $(SANFLAGS) $(PKG_LIBS) -lpthread -lm $(LDLIBS)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

LIB_SRCS := $(sort $(wildcard src/base/*.c src/db/*.c src/http/*.c src/view/*.c \
	src/model/*.c src/opinion/*.c src/web/*.c src/cli/*.c))
LIB_SRCS := $(filter-out src/cli/main.c,$(LIB_SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/embedded.o
EMBED_FILES := $(sort $(wildcard templates/*.mustache templates/*/*.mustache static/* \
	migrations/*.sql migrations/pg/*.sql i18n/*.json))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# Fuzz targets (tests/fuzz/README.md): linked with libFuzzer under FUZZ=1, otherwise with a
# small driver that runs each file given once (what `make check` does with the corpus).
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60
ifeq ($(FUZZ),1)
FUZZ_MAIN = -fsanitize=fuzzer
else
FUZZ_MAIN = $(BUILD)/obj/tests/fuzz/driver.o
endif

.PHONY: all run check bench clean format format-check unit test-bins fuzz fuzz-bins

all: $(BUILD)/shenliao

$(BUILD)/shenliao: $(BUILD)/obj/src/cli/main.o $(BUILD)/libshenliao.a
	$(CC) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/libshenliao.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(CC) $(CFLAGS_ALL) -DSHENLIAO_VERSION='"$(VERSION)"' -c -o $@ $<

$(BUILD)/obj/gen/embedded.o: $(BUILD)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/embedgen: tools/embedgen.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -O1 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/gen/embedded.c: $(BUILD)/embedgen $(EMBED_FILES) Makefile
	@mkdir -p $(dir $@)
	$(BUILD)/embedgen $@ $(EMBED_FILES)

# Generated header must exist before any object that includes it is compiled.
$(LIB_OBJS) $(BUILD)/obj/src/cli/main.o: | $(BUILD)/gen/embedded.c

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libshenliao.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"; $(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(BUILD)/libshenliao.a $(LDLIBS_ALL) -lcmocka

test-bins: $(UNIT_BINS) $(BUILD)/shenliao $(BUILD)/pgschema

# pgschema prints the PostgreSQL text of the migrations (src/db/dialect.c); scripts/sqlscan.py
# applies it to a scratch PostgreSQL database.
$(BUILD)/pgschema: tools/pgschema.c $(BUILD)/libshenliao.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"; $(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libshenliao.a $(LDLIBS_ALL)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(filter %.o,$(FUZZ_MAIN)) $(BUILD)/libshenliao.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"; $(CC) $(CFLAGS_ALL) -Itests/fuzz -o $@ $< $(FUZZ_MAIN) \
		$(BUILD)/libshenliao.a $(LDLIBS_ALL)

fuzz-bins: $(FUZZ_BINS)
.PRECIOUS: $(BUILD)/obj/tests/fuzz/driver.o

# make fuzz [FUZZ_SECONDS=60]: each target for FUZZ_SECONDS from its seed corpus; new inputs
# go to build-fuzz/corpus/, the table of executions to bench/results/fuzz.md.
fuzz:
	@sh scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory -j2 FUZZ=1 fuzz-bins
	@sh tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

run: 
	@sh scripts/deps.sh run
	@$(MAKE) --no-print-directory all
	@sh scripts/run.sh

check:
	@sh scripts/deps.sh check
	@sh scripts/check.sh

bench:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh
	@sh bench/sessions.sh
	@sh bench/search.sh
	@sh bench/stats.sh
	@sh bench/votes.sh
	@sh bench/votes_crash.sh
	@sh bench/opinion.sh
	@sh bench/backends.sh
	@sh bench/locksim.sh
	@sh bench/streams.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD)/obj $(BUILD)/fuzz -name '*.d' 2>/dev/null)
