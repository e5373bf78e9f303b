#!/bin/sh
# Installs the Debian packages shenliao needs, and nothing else.
#   scripts/deps.sh run    packages to build and serve
#   scripts/deps.sh check  packages to build and run every test
#   scripts/deps.sh bench  packages for `make bench`
#   scripts/deps.sh fuzz   packages for `make fuzz` (clang, and libFuzzer's runtime, which
#                          Debian ships in libclang-rt-dev: libclang_rt.fuzzer-x86_64.a)
# Idempotent and quiet when nothing is missing. Uses sudo when not root.
# (PostgreSQL's contrib modules, pg_trgm among them, ship in postgresql-15 itself on Debian 12:
# postgresql-contrib-15 is only a virtual package it provides, which dpkg-query cannot see.)
set -eu

build_pkgs="build-essential pkg-config libmicrohttpd-dev libsqlite3-dev libjansson-dev libsodium-dev libmd4c-dev libmd4c-html0-dev libxlsxwriter-dev libpango1.0-dev libcairo2-dev fonts-noto-cjk libqrencode-dev libcurl4-openssl-dev libzip-dev libxml2-dev libpq-dev zlib1g-dev libbrotli-dev"
check_pkgs="$build_pkgs libcmocka-dev clang-format nodejs npm chromium poppler-utils sqlite3 python3-aiosmtpd postgresql-15"
bench_pkgs="$build_pkgs wrk nginx-light python3-numpy python3-sklearn postgresql-15"
fuzz_pkgs="$build_pkgs clang libclang-rt-dev"

case "${1:-run}" in
run) pkgs=$build_pkgs ;;
check) pkgs=$check_pkgs ;;
bench) pkgs=$bench_pkgs ;;
fuzz) pkgs=$fuzz_pkgs ;;
*)
	echo "usage: scripts/deps.sh run|check|bench|fuzz" >&2
	exit 2
	;;
esac

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
# A node/npm from another source (e.g. nodesource) satisfies the test needs too.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	missing=$(printf '%s\n' $missing | grep -vx -e nodejs -e npm | tr '\n' ' ')
fi
missing=$(echo $missing)
[ -z "$missing" ] && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then
	sudo="sudo"
fi
echo "installing Debian packages: $missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
