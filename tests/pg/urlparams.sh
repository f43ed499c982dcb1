#!/usr/bin/env bash
# Prisma's PostgreSQL URL parameters (quaint's list) are read, not refused
# by libpq: those libpq has with the same meaning reach it (their effect is
# read back from the server), Prisma's pool and cache settings are checked
# and dropped with a -v line, sslaccept and sslcert become libpq's sslmode
# and sslrootcert, socket_timeout libpq's TCP timeouts, sslidentity is
# refused with a way out; a bad value is one line naming the redacted URL;
# no password is ever printed; a parameter neither knows is still libpq's
# error.  A whole Prisma URL from prisma/.env applies.
. "$(dirname "$0")/lib.sh"

project p golang-migrate
printf "CREATE TABLE seen AS SELECT current_setting('application_name') AS app, current_setting('work_mem') AS work_mem, current_schema() AS schema;\n" >p/m/1_seen.up.sql
printf 'DROP TABLE seen;\n' >p/m/1_seen.down.sql
TCP="postgresql://$PGUSER:s3cretpw@127.0.0.1:$PGPORT"
SHOWN="postgresql://$PGUSER:***@127.0.0.1:$PGPORT"

# one_line PREFIX: exit 1, one line on stderr starting with PREFIX.
one_line() { rc_is 1 && eq "$(wc -l <"$T/err")" 1 && [ "$(head -c ${#1} "$T/err")" = "$1" ]; }
no_secret() { ! grep -q s3cretpw "$T/out" "$T/err"; }
err_is() { [ "$(cat "$T/err")" = "$1" ] || { echo "# expected [$1]"; false; }; }
debug_has() { grep -qxF -- "strata: postgres: $1" "$T/err"; }

# (1) libpq's own, same meaning: application_name, options, connect_timeout,
# sslmode, channel_binding, host (the socket folder of STRATA_TEST_PG)
new_db_var db
run -C p --db "$TCP/$db?application_name=webapp&options=-c%20work_mem%3D7MB&connect_timeout=3&sslmode=disable&channel_binding=disable" -v apply
check "libpq parameters: apply exits 0" rc_is 0
check "application_name reached the server" eq "$(q "$db" "SELECT app FROM seen")" webapp
check "options reached the server" eq "$(q "$db" "SELECT work_mem FROM seen")" 7MB
check "no parameter dropped" no grep -q "dropped" "$T/err"
check "-v apply prints no password" no_secret
run -C p --db "$TCP/$db?sslmode=require" status
check "sslmode=require reaches libpq: one line, redacted URL" \
	one_line "strata: error: $SHOWN/$db?sslmode=require: connection to server at \"127.0.0.1\", port $PGPORT failed: server does not support SSL, but SSL was required"
check "… no password" no_secret

# (2) Prisma's pool and cache settings: checked, dropped, said with -v
run -C p --db "$TCP/$db?connection_limit=5&pool_timeout=0&max_connection_lifetime=60&max_idle_connection_lifetime=0&statement_cache_size=100" -v status
check "pool parameters: status exits 0" rc_is 0
check "-v: connection_limit dropped" debug_has "URL parameter connection_limit=5 dropped: strata opens one connection"
check "-v: pool_timeout dropped" debug_has "URL parameter pool_timeout=0 dropped: strata has no connection pool"
check "-v: max_connection_lifetime dropped" debug_has "URL parameter max_connection_lifetime=60 dropped: strata has no connection pool"
check "-v: max_idle_connection_lifetime dropped" debug_has "URL parameter max_idle_connection_lifetime=0 dropped: strata has no connection pool"
check "-v: statement_cache_size dropped" debug_has "URL parameter statement_cache_size=100 dropped: strata prepares no named statements"
run -C p --db "$TCP/$db?connection_limit=5" status
check "without -v nothing is said" eq "$(cat "$T/err")" ""
run -C p --db "$TCP/$db?connection_limit=five" status
check "connection_limit=five: one line, redacted URL, hint" \
	err_is "strata: error: $SHOWN/$db?connection_limit=five: invalid database URL: ?connection_limit= takes a whole number (hint: write a number of seconds or connections, e.g. 10)"
run -C p --db "$TCP/$db?pool_timeout=-1" status
check "pool_timeout=-1 refused" one_line "strata: error: $SHOWN/$db?pool_timeout=-1: invalid database URL: ?pool_timeout= takes a whole number"

# (3) TLS: sslaccept, sslcert (Prisma: the server's CA), sslidentity
run -C p --db "$TCP/$db?sslaccept=strict" -v status
check "sslaccept=strict: verify-full, so this server without TLS is refused" \
	grep -qF "strata: error: $SHOWN/$db?sslaccept=strict: connection to server at \"127.0.0.1\", port $PGPORT failed: server does not support SSL, but SSL was required" "$T/err"
check "-v: sslaccept=strict read as sslmode=verify-full" debug_has "sslaccept=strict read as sslmode=verify-full"
run -C p --db "$TCP/$db?sslaccept=strict&sslcert=/etc/ssl/ca.pem" -v status
check "-v: sslcert read as sslrootcert under sslaccept=strict" \
	debug_has "sslcert read as sslrootcert (Prisma's sslcert is the server's CA certificate)"
run -C p --db "$TCP/$db?sslaccept=strict&sslmode=disable" -v status
check "sslaccept=strict with sslmode=disable: exit 0" rc_is 0
check "-v: … has no effect" debug_has "sslaccept=strict has no effect with sslmode=disable"
run -C p --db "$TCP/$db?sslaccept=accept_invalid_certs&sslcert=/etc/ssl/ca.pem&sslmode=prefer" -v status
check "sslcert without verification: exit 0" rc_is 0
check "-v: sslcert dropped, and why" \
	debug_has "URL parameter sslcert dropped: the server's certificate is not verified (sslaccept=accept_invalid_certs, Prisma's default; sslaccept=strict verifies it)"
run -C p --db "$TCP/$db?sslcert=client.crt&sslkey=client.key&sslmode=disable" -v status
check "with sslkey, sslcert is libpq's client certificate: exit 0" rc_is 0
check "-v: … and not read as Prisma's" no grep -q sslcert "$T/err"
run -C p --db "$TCP/$db?sslidentity=id.p12&sslpassword=s3cretpw" status
check "sslidentity refused: one line with the conversion" \
	err_is "strata: error: $SHOWN/$db?sslidentity=id.p12&sslpassword=***: invalid database URL: ?sslidentity= (a PKCS#12 file) is not supported: libpq reads PEM files (hint: convert it to PEM (openssl pkcs12 -in FILE -clcerts -nokeys -out client.crt; openssl pkcs12 -in FILE -nocerts -nodes -out client.key) and write sslcert=client.crt&sslkey=client.key)"
run -C p --db "$TCP/$db?sslpassword=s3cretpw&sslmode=disable" -v status
check "sslpassword reaches libpq: exit 0" rc_is 0
check "… and is never printed" no_secret

# (4) socket_timeout: libpq's TCP timeouts
run -C p --db "$TCP/$db?socket_timeout=7" -v status
check "socket_timeout: exit 0" rc_is 0
check "-v: socket_timeout read as TCP timeouts" \
	debug_has "socket_timeout=7 read as tcp_user_timeout=7000, keepalives_idle=7, keepalives_interval=7 (unless given)"
run -C p --db "$TCP/$db?socket_timeout=7&keepalives_idle=1&tcp_user_timeout=500" status
check "socket_timeout with libpq's own keepalives_idle and tcp_user_timeout: exit 0" rc_is 0
run -C p --db "$TCP/$db?socket_timeout=0" -v status
check "socket_timeout=0: no limit" debug_has "socket_timeout=0 dropped: no limit"
run -C p --db "$TCP/$db?socket_timeout=ten" status
check "socket_timeout=ten refused" \
	err_is "strata: error: $SHOWN/$db?socket_timeout=ten: invalid database URL: ?socket_timeout= takes a whole number of seconds (hint: write a whole number of seconds, e.g. 30)"

# (5) pgbouncer: true, false, nothing else
run -C p --db "$TCP/$db?pgbouncer=false" -v status
check "pgbouncer=false: exit 0" rc_is 0
check "-v: pgbouncer=false" debug_has "pgbouncer=false"
run -C p --db "$TCP/$db?pgbouncer=true" -v status
check "pgbouncer=true straight to the server works too" rc_is 0
check "-v: pgbouncer=true" debug_has "pgbouncer=true: through a transaction pooler (docs/postgres.md#pgbouncer)"
run -C p --db "$TCP/$db?pgbouncer=1" status
check "pgbouncer=1 refused" \
	err_is "strata: error: $SHOWN/$db?pgbouncer=1: invalid database URL: ?pgbouncer= takes true or false (hint: write ?pgbouncer=true or ?pgbouncer=false)"

# (6) a parameter neither Prisma nor libpq has: libpq's error, as before
run -C p --db "$TCP/$db?connection_limt=5" status
check "a typo is still an error" err_is "strata: error: $SHOWN/$db?connection_limt=5: invalid URI query parameter: \"connection_limt\""

# (7) a whole Prisma URL from prisma/.env, for a Prisma source
new_db_var pdb
mkdir -p pr/prisma/migrations/20240101000000_seen
printf 'provider = "postgresql"\n' >pr/prisma/migrations/migration_lock.toml
cp p/m/1_seen.up.sql pr/prisma/migrations/20240101000000_seen/migration.sql
printf 'sources:\n  - name: app\n    format: prisma\n    path: prisma/migrations\n' >pr/strata.yaml
printf '# Prisma\nDATABASE_URL="%s/%s?schema=app&connection_limit=1&pool_timeout=20&connect_timeout=10&sslmode=disable&application_name=web&pgbouncer=false"\n' "$TCP" "$pdb" >pr/prisma/.env
run -C pr -v apply
check "Prisma URL from prisma/.env: apply exits 0" rc_is 0
check "… into ?schema=app, application_name=web" eq "$(q "$pdb" "SELECT schema || ' ' || app FROM app.seen")" "app web"
check "… recorded for Prisma in app" eq "$(q "$pdb" "SELECT count(*) FROM app._prisma_migrations WHERE finished_at IS NOT NULL")" 1
check "… status shows the URL redacted" out_has "to $SHOWN/$pdb?schema=app&connection_limit=1"
check "… no password anywhere" no_secret
done_testing
