#!/usr/bin/env bash
# A private PostgreSQL cluster for the test suite.
#   cluster.sh start DIR   initdb into DIR/data, start on a unix socket in DIR
#                          and a free loopback port; writes DIR/env (sourceable:
#                          PGHOST PGPORT PGUSER PGDATABASE STRATA_TEST_PG) and
#                          prints it.  Members of role strata_pw need a password over TCP.
#   cluster.sh stop DIR    fast shutdown; removes nothing.
# The server refuses to run as root, so as root it runs as an unprivileged
# system user (postgres, from the Debian package).  Trust auth on the socket
# and loopback only; nothing else can reach it.
set -euo pipefail
cmd=${1:?usage: cluster.sh start|stop DIR} dir=${2:?usage: cluster.sh start|stop DIR}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/initdb" ] || { echo "cluster.sh: no PostgreSQL server (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir" && chmod 755 "$dir"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	as_owner "$bindir/initdb" -D "$dir/data" -U strata -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	# Members of role strata_pw must give a password over TCP, so that a wrong
	# password can be tested for real; everything else is trusted.
	as_owner sh -c "{ echo 'host all +strata_pw 127.0.0.1/32 scram-sha-256'; cat '$dir/data/pg_hba.conf'; } >'$dir/data/pg_hba.new' && mv '$dir/data/pg_hba.new' '$dir/data/pg_hba.conf'"
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=100 -c fsync=on" \
		start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
	as_owner "$bindir/psql" -X -q -h "$dir" -p "$port" -U strata -d postgres \
		-c "CREATE ROLE strata_pw NOLOGIN" >/dev/null
	cat >"$dir/env" <<ENV
export PGHOST=$dir PGPORT=$port PGUSER=strata PGDATABASE=postgres
export STRATA_TEST_PG='postgresql://strata@/postgres?host=$dir&port=$port'
ENV
	cat "$dir/env"
	;;
stop)
	[ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	;;
*) echo "usage: cluster.sh start|stop DIR" >&2; exit 2 ;;
esac
