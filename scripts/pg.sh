#!/bin/sh
# A private PostgreSQL server for tests, in a directory of its own:
#   scripts/pg.sh start DIR [PORT]  initdb in DIR/data, start on 127.0.0.1 (a free port from
#                                   PORT on, default 55440) with its socket in DIR and
#                                   fsync off; prints the base URI
#                                   postgresql://postgres@127.0.0.1:PORT/
#   scripts/pg.sh stop DIR          stop it and remove DIR (nothing to do when gone)
# PostgreSQL refuses to run as root: as root the server runs as the `postgres` user (runuser),
# otherwise as the current user. Uses Debian's postgresql-15 (or $PG_BIN).
set -eu

bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || {
	echo "usage: scripts/pg.sh start|stop DIR [PORT]" >&2
	exit 2
}

# as_pg runs a command as the user that owns the cluster.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# port_free PORT: nothing listens on 127.0.0.1:PORT.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

case $cmd in
start)
	[ -x "$bin/initdb" ] || {
		echo "pg.sh: no $bin/initdb (install postgresql-15)" >&2
		exit 1
	}
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 \
			--locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2
			exit 1
		}
	fi
	if [ -f "$dir/port" ] && as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		echo "postgresql://postgres@127.0.0.1:$(cat "$dir/port")/"
		exit 0
	fi
	port=${3:-55440}
	tries=0
	while :; do
		# bash's /dev/tcp is not in every sh: fall back on ss when the probe cannot run
		if command -v ss >/dev/null 2>&1; then
			ss -ltn "sport = :$port" 2>/dev/null | grep -q ":$port" || break
		elif port_free "$port"; then
			break
		fi
		port=$((port + 1))
		tries=$((tries + 1))
		[ $tries -lt 200 ] || {
			echo "pg.sh: no free port" >&2
			exit 1
		}
	done
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 -o \
		"-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
		start >/dev/null || {
		tail -20 "$dir/log" >&2
		exit 1
	}
	echo "$port" >"$dir/port"
	echo "postgresql://postgres@127.0.0.1:$port/"
	;;
stop)
	[ -d "$dir" ] || exit 0
	if [ -f "$dir/data/PG_VERSION" ]; then
		as_pg "$bin/pg_ctl" -D "$dir/data" -w -m fast stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: scripts/pg.sh start|stop DIR [PORT]" >&2
	exit 2
	;;
esac
