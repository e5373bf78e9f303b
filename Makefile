# shenliao - top-level build. `make` builds build/shenliao; see README.md for run/check/bench.
#
# Plain GNU make (see docs/ARCHITECTURE.md for why not meson). Sanitizer builds go to their
# own directory: `make SAN=1` builds into build-asan/.

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build-asan
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT = -O1 -g
else
BUILD ?= build
SANFLAGS =
OPT = -O2 -g
endif

CC ?= cc
PKGS = libmicrohttpd sqlite3 jansson libsodium md4c-html xlsxwriter pangocairo cairo-pdf libqrencode
# -isystem: warnings in library headers (glib, pango) are not ours to fix
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null | sed "s/-I/-isystem /g")
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL = -std=c17 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wmissing-declarations \
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
	migrations/*.sql i18n/*.json))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all run check bench clean format format-check unit test-bins

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

test-bins: $(UNIT_BINS) $(BUILD)/shenliao

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
	@sh bench/stats.sh
	@sh bench/votes.sh
	@sh bench/opinion.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
