#!/usr/bin/env bash
# Connecting: a server that is down and a database that does not exist give
# exit 1 and one line naming the (redacted) URL; a password in a URL or a
# conninfo string never appears in any output, on success or failure; libpq
# parameters in the URL reach libpq.
. "$(dirname "$0")/lib.sh"
PW=S3cretPw
PW2='S3cret@Pw/x:y' PW2_ENC='S3cret%40Pw%2Fx%3Ay'
ROLE="strata_pw_$$" ROLE2="strata_pw2_$$"

project p golang-migrate
printf 'CREATE TABLE a (id INTEGER);\n' >p/m/1_a.up.sql
printf 'DROP TABLE a;\n' >p/m/1_a.down.sql

# one_line PREFIX: exit 1, nothing on stdout, exactly one line on stderr,
# starting with PREFIX.
one_line() {
	rc_is 1 && out_empty && eq "$(wc -l <"$T/err")" 1 && [ "$(head -c ${#1} "$T/err")" = "$1" ]
}

# (a) Nothing listens on 127.0.0.1:1.
down='postgresql://strata:pa55word@127.0.0.1:1/x'
for cmd in status apply; do
	run -C p --db "$down" "$cmd"
	check "server down: $cmd exits 1 with one line 'strata: error: postgresql://strata:***@127.0.0.1:1/x: …' and no stdout" \
		one_line 'strata: error: postgresql://strata:***@127.0.0.1:1/x: '
	check "server down: $cmd does not print the password" no grep -q pa55word "$T/out" "$T/err"
done

# (b) A database that does not exist on the real cluster.
missing="strata_nosuch_$$"
for cmd in status apply; do
	run -C p --db "$(db_url "$missing")" "$cmd"
	check "missing database: $cmd exits 1 with one line" one_line 'strata: error: '
	check "missing database: $cmd names the database" err_has "$missing"
done
check "missing database: strata did not create it" \
	eq "$(q postgres "SELECT count(*) FROM pg_database WHERE datname = '$missing'")" 0

# (c) Passwords.  The cluster trusts loopback, so the password is not
# checked; what is tested is that strata never prints it.
CLEANUP_SQL+=("DROP ROLE IF EXISTS $ROLE" "DROP ROLE IF EXISTS $ROLE2")
q postgres "CREATE ROLE $ROLE LOGIN PASSWORD '$PW' IN ROLE strata_pw; CREATE ROLE $ROLE2 LOGIN PASSWORD '$PW2' IN ROLE $ROLE" >/dev/null
new_db_var db
q postgres "ALTER DATABASE \"$db\" OWNER TO $ROLE" >/dev/null
purl="postgresql://$ROLE:$PW@127.0.0.1:$PGPORT/$db"
shown="postgresql://$ROLE:***@127.0.0.1:$PGPORT/$db"
leaks=0 runs=0
# secret_run LABEL EXPECTED_RC ARGS…: run strata, check the exit code and
# that no output holds a password (raw or URL-encoded).
secret_run() {
	local label=$1 want=$2; shift 2
	run "$@"
	runs=$((runs + 1))
	check "password: $label exits $want" rc_is "$want"
	if grep -qF 'S3cret' "$T/out" "$T/err"; then
		leaks=$((leaks + 1))
		not_ok "password: $label prints no password"
		grep -F 'S3cret' "$T/out" "$T/err" | head -5 | diag
	else
		ok "password: $label prints no password"
	fi
}
secret_run "status (pending)" 3 -C p --db "$purl" status
check "password: status shows the redacted URL" out_has "database: $shown"
secret_run "-v status" 3 -C p --db "$purl" -v status
secret_run "--json status" 3 -C p --db "$purl" --json status
check "password: --json carries the redacted URL" out_has "\"database\": \"$shown\""
secret_run "-v apply" 0 -C p --db "$purl" -v apply
check "password: apply ran as $ROLE" eq "$(q "$db" "SELECT tableowner FROM pg_tables WHERE tablename = 'a'")" "$ROLE"
secret_run "status (applied)" 0 -C p --db "$purl" status
secret_run "-v --json status" 0 -C p --db "$purl" -v --json status
secret_run "-v rollback" 0 -C p --db "$purl" -v rollback
secret_run "-v apply --dry-run" 0 -C p --db "$purl" -v apply --dry-run
secret_run "-v apply again" 0 -C p --db "$purl" -v apply
export DATABASE_URL=$purl
secret_run "status with DATABASE_URL" 0 -C p -v status
unset DATABASE_URL
cp -r p py
printf 'database: %s\n' "$purl" >>py/strata.yaml
secret_run "status with database: in strata.yaml" 0 -C py -v status
secret_run "URL-encoded password with @ / :" 0 -C p --db "postgresql://$ROLE2:$PW2_ENC@127.0.0.1:$PGPORT/$db" -v status
secret_run "password as a URL parameter" 0 -C p --db "postgresql://$ROLE@127.0.0.1:$PGPORT/$db?password=$PW" -v status
secret_run "conninfo string" 0 -C p --db "host=127.0.0.1 port=$PGPORT user=$ROLE password=$PW dbname=$db" -v status

# Failing runs.
mkdir -p p2 && cp -r p/. p2/
printf 'CREATE TABLE b (id INTEGER);\nCREATE TABLEX oops;\n' >p2/m/2_bad.up.sql
secret_run "apply of bad SQL" 1 -C p2 --db "$purl" -v apply
check "password: the bad SQL error names the file and line" err_has "2_bad.up.sql:2"
check "password: the failed migration left nothing behind" eq "$(q "$db" "SELECT to_regclass('public.b') IS NULL")" t
secret_run "status after a failure" 4 -C p2 --db "$purl" -v status
secret_run "wrong database name" 1 -C p --db "postgresql://$ROLE:$PW@127.0.0.1:$PGPORT/${missing}" status
check "password: wrong database: one line, redacted URL" \
	one_line "strata: error: postgresql://$ROLE:***@127.0.0.1:$PGPORT/$missing: "
secret_run "wrong database, -v apply" 1 -C p --db "postgresql://$ROLE:$PW@127.0.0.1:$PGPORT/${missing}" -v apply
secret_run "server down" 1 -C p --db "postgresql://$ROLE:$PW@127.0.0.1:1/$db" -v status
secret_run "encoded password, server down" 1 -C p --db "postgresql://$ROLE2:$PW2_ENC@127.0.0.1:1/$db" status
secret_run "conninfo string, missing database" 1 -C p --db "host=127.0.0.1 port=$PGPORT user=$ROLE password=$PW dbname=nosuch" status
check "password: conninfo failure is one line" eq "$(wc -l <"$T/err")" 1
secret_run "conninfo string, server down" 1 -C p --db "host=127.0.0.1 port=1 user=$ROLE password=$PW dbname=nosuch" apply
secret_run "conninfo with a quoted password" 1 -C p --db "host=127.0.0.1 port=1 user=$ROLE password='$PW x' dbname=nosuch" apply
secret_run "bad URL parameter" 1 -C p --db "$purl?nosuchparam=1" status
secret_run "bad URL parameter, password as a parameter" 1 -C p --db "postgresql://$ROLE@127.0.0.1:$PGPORT/$db?nosuchparam=1&password=$PW" status
echo "# $runs runs with a password, $leaks printed it"

# (d) libpq parameters pass through.
new_db_var db
project lp golang-migrate
printf "CREATE TABLE seen AS SELECT current_setting('application_name') AS app,\n  (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl;\n" >lp/m/1_seen.up.sql
lurl="postgresql://$PGUSER@127.0.0.1:$PGPORT/$db?sslmode=disable&application_name=x&connect_timeout=5"
run -C lp --db "$lurl" apply
check "libpq parameters: apply with ?sslmode=disable&application_name=x&connect_timeout=5 exits 0" rc_is 0
check "libpq parameters: the session ran without SSL" eq "$(q "$db" "SELECT ssl FROM seen" 2>/dev/null)" f
check "libpq parameters: application_name reached the server" eq "$(q "$db" "SELECT app FROM seen" 2>/dev/null)" x
run -C lp --db "$lurl" status
check "libpq parameters: status exits 0" rc_is 0
run -C lp --db "postgresql://$PGUSER@127.0.0.1:$PGPORT/$db?sslmode=require" status
check "libpq parameters: sslmode=require fails on a server without SSL (one line)" one_line 'strata: error: '
check "libpq parameters: ... saying so" grep -qi 'ssl' "$T/err"
run -C lp --db "$(db_url "$db" "schema=public&application_name=y")" status
check "libpq parameters: schema= mixes with other parameters" rc_is 0
# A wrong password, for real: the cluster asks members of strata_pw for one over TCP.
before=$(q "$db" "SELECT count(*) FROM pg_class")
run -C p --db "postgresql://$ROLE:Wr0ngPw@127.0.0.1:$PGPORT/$db" status
check "wrong password: exit 1, one line naming the redacted URL" one_line "strata: error: postgresql://$ROLE:***@127.0.0.1:$PGPORT/$db: "
check "wrong password: libpq's reason" err_has "password authentication failed for user \"$ROLE\""
check "wrong password: never printed" no grep -q Wr0ngPw "$T/out" "$T/err"
check "wrong password: nothing written" eq "$(q "$db" "SELECT count(*) FROM pg_class")" "$before"
done_testing
