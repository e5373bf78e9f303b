#!/bin/sh
# layers.sh - checks the layering rules of docs/ARCHITECTURE.md on the source tree and
# prints one line per broken rule; exits 1 when any is broken.
#   1. includes point down the list cli > web > view/http > model > opinion > db > base
#      (view and http are side by side: neither includes the other, nor model);
#   2. src/web and src/cli hold no SQL text and include no db/db.h;
#   3. src/model builds no HTML for the layers above (no tags in its string literals).
set -u
cd "$(dirname "$0")/.."

bad=0
fail() {
	echo "layers: $*"
	bad=1
}

# allowed LAYER: the layers LAYER may include (besides itself).
allowed() {
	case $1 in
	cli) echo "web view http model opinion base" ;;
	web) echo "view http model opinion base" ;;
	view) echo "base" ;;
	http) echo "base" ;;
	model) echo "opinion db base" ;;
	opinion) echo "base" ;;
	db) echo "base" ;;
	base) echo "" ;;
	esac
}

for dir in src/*/; do
	layer=$(basename "$dir")
	ok=" $layer $(allowed "$layer") "
	for f in "$dir"*.[ch]; do
		[ -f "$f" ] || continue
		grep -o '^#include "[a-z_]*/' "$f" | sed 's/#include "//; s#/##' | sort -u |
			while read -r inc; do
				case $ok in
				*" $inc "*) ;;
				*) echo "layers: $f includes $inc/ (a $layer file may use:$ok)" ;;
				esac
			done
	done
done >"${TMPDIR:-/tmp}/layers.$$"
if [ -s "${TMPDIR:-/tmp}/layers.$$" ]; then
	cat "${TMPDIR:-/tmp}/layers.$$"
	bad=1
fi
rm -f "${TMPDIR:-/tmp}/layers.$$"

for f in src/web/*.[ch] src/cli/*.[ch]; do
	if grep -q '#include "db/' "$f"; then
		fail "$f includes db/ (go through a model function)"
	fi
	# SQL text: a string literal that starts with a statement keyword
	if grep -nE '"[[:space:]]*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|BEGIN|WITH)[[:space:]]' "$f" |
		grep -v '^\s*//' >/dev/null; then
		fail "$f holds SQL text: $(grep -nE '"[[:space:]]*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|BEGIN|WITH)[[:space:]]' "$f" | head -1)"
	fi
	if grep -qE '\bdb_(prepare|step|bind_[a-z]+|col_[a-z]+|exec|get_row|get_int|each|run|begin_write|begin_read|commit|rollback)\(' "$f"; then
		fail "$f calls the db layer directly"
	fi
done

for f in src/model/*.c; do
	# a string literal holding a tag (comments may name tags)
	if grep -qE '"[^"]*<(mark|b|em|strong|span|a|p|div|br|li|ul|table)[ >/]' "$f"; then
		fail "$f builds HTML (move it to src/view)"
	fi
done

exit $bad
