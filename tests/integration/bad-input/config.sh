# strata.yaml and the URL: refused before any database is opened.

# A file strata cannot read (also used by inputs.sh).  chmod 000 stops everyone but root, and tests
# may run as root: then strata runs as nobody (setpriv), with the test folder
# opened to it.  Where neither works the file is a link to /proc/self/mem,
# which reads fail with EIO (even for root), so the case is never skipped.
# Sets UNREADABLE_WHY to the reason strata gives; run it with run_unreadable.
make_unreadable() {
	if [ "$(id -u)" != 0 ]; then
		chmod 000 "$1"
		UNREADABLE_WHY="Permission denied"
		UNREADABLE_WRAP=
	elif command -v setpriv >/dev/null &&
		setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null &&
		setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$STRATA"; then
		chmod 000 "$1"
		chmod o+x "$T"
		UNREADABLE_WHY="Permission denied"
		UNREADABLE_WRAP="setpriv --reuid=65534 --regid=65534 --clear-groups"
	else
		rm -f "$1"
		ln -s /proc/self/mem "$1"
		UNREADABLE_WHY="Input/output error"
		UNREADABLE_WRAP=
	fi
}
# refused_unreadable DESC RC ERR ARGS…: refused, as make_unreadable arranged.
refused_unreadable() {
	local keep=${STRATA_WRAP:-}
	STRATA_WRAP="$UNREADABLE_WRAP${keep:+ $keep}"
	refused "$@"
	STRATA_WRAP=$keep
}

# ---- strata.yaml ------------------------------------------------------------
case_dir config-unknown-key
make_project 1
echo 'colour: blue' >>strata.yaml
refused "unknown top-level key" 1 "strata: error: strata.yaml:7:1: unknown key 'colour' (hint: known keys: database, sources, order, merge, plugin_path, lock_timeout, session, single_transaction)" apply

case_dir config-two-documents
make_project 1
printf -- '---\ndatabase: sqlite:other.db\n' >>strata.yaml
refused "a second YAML document" 1 "strata: error: strata.yaml:7:1: strata.yaml holds more than one YAML document (hint: keep one document: remove this \`---\` and what follows, or merge it into the first)" apply
check "a second YAML document: its database never made" eq "$(ls other.db 2>/dev/null)" ""

case_dir config-is-directory
mkdir strata.yaml
refused "strata.yaml is a directory" 1 "strata: error: strata.yaml: cannot read config: it is a directory (hint: the config is a file; name one with -c FILE)" status

case_dir config-unreadable
make_project 1
make_unreadable strata.yaml
refused_unreadable "strata.yaml unreadable" 1 "strata: error: strata.yaml: cannot read config: $UNREADABLE_WHY$([ "$UNREADABLE_WHY" = "Permission denied" ] && echo " (hint: check the file's permissions)")" status

case_dir config-database-null
make_project 1
sed -i 's|^database: .*|database: ~|' strata.yaml
refused "database: ~" 1 "strata: error: strata.yaml:1:11: database is null (hint: write a URL such as sqlite:app.db or postgresql://host/db, or remove the key for the default, sqlite:strata.db)" apply
check "database: ~: no strata.db made" eq "$(ls strata.db 2>/dev/null)" ""

case_dir config-database-nothing
make_project 1
sed -i 's|^database: .*|database:|' strata.yaml
refused "database: (nothing)" 1 "strata: error: strata.yaml:1:10: database is null (hint: write a URL such as sqlite:app.db or postgresql://host/db, or remove the key for the default, sqlite:strata.db)" apply

case_dir config-database-empty
make_project 1
sed -i "s|^database: .*|database: ''|" strata.yaml
refused "database: ''" 1 "strata: error: strata.yaml:1:11: database is empty (hint: write a URL such as sqlite:app.db or postgresql://host/db, or remove the key for the default, sqlite:strata.db)" apply

case_dir config-merge-key
make_project 1
cat >>strata.yaml <<'YAML'
  - &base
    name: other
    format: sqlpair
    path: db/other
  - <<: *base
    name: third
YAML
refused "YAML merge key, at its own line" 1 "strata: error: strata.yaml:11:5: YAML merge keys (<<) are not supported (hint: write the keys out; an anchor (&name) can still be used as a whole value)" apply

case_dir config-alias-line
make_project 1
cat >>strata.yaml <<'YAML'
session: &s
  lock_timeout: 1s
lock_timeout: *s
YAML
refused "a mapping through an alias: reported where the alias is used" 1 "strata: error: strata.yaml:9:1: lock_timeout must be a string" apply

case_dir config-alias-source-line
make_project 1
cat >>strata.yaml <<'YAML'
  - &other
    name: other
    format: sqlpair
    path: db/other
  - name: third
    format: sqlpair
    path: *other
YAML
refused "a source's path through an alias: at the path line" 1 "strata: error: strata.yaml:13:5: path must be a string" apply

case_dir config-nonstring-key
make_project 1
printf 'database: %s\nsources:\n  - {path: db/migrations, ? [a]: b}\n' "$(db_url app)" >strata.yaml
refused "a source key that is a list (and nothing leaks)" 1 "strata: error: strata.yaml:3:29: keys must be strings" apply

# ---- the URL: no password in any message -------------------------------------
case_dir config-url-slash
make_project 1
sed -i 's|^database: .*|database: postgresql://u:pa/ss@nohost.invalid/db|' strata.yaml
refused "a '/' in the password: libpq's port error is scrubbed" 1 'strata: error: postgresql://u:***@nohost.invalid/db: invalid integer value "***" for connection option "port"' apply

case_dir config-url-percent
make_project 1
sed -i 's|^database: .*|database: postgresql://u:s%zzret@ss@nohost.invalid/db|' strata.yaml
refused "a bad %-escape in a password with '@'" 1 'strata: error: postgresql://u:***@nohost.invalid/db: invalid percent-encoded token: "***"' apply

case_dir config-url-at-host
make_project 1
sed -i 's|^database: .*|database: postgresql://u:Xy7@Qz9secret@nohost.invalid/db|' strata.yaml
run apply
check "an '@' in the password: exit 1" rc_is 1
check "an '@' in the password: libpq's host quoted redacted" err_has 'strata: error: postgresql://u:***@nohost.invalid/db: could not translate host name "***@nohost.invalid"'
check "an '@' in the password: no part of it shown" eval '! grep -qE "Xy7|Qz9|secret" "$T/err"'

if pg; then
	case_dir config-url-at-socket
	make_project 1
	sed -i "s|^database: .*|database: postgresql://nobody_here:Xy7@Qz9secret@/db?host=$PGHOST\&port=$PGPORT|" strata.yaml
	refused "an '@' in the password, on the server" 1 "strata: error: postgresql://nobody_here:***@/db?host=$PGHOST&port=$PGPORT: connection to server on socket \"$PGHOST/.s.PGSQL.$PGPORT\" failed: FATAL:  role \"nobody_here\" does not exist" apply

	case_dir config-url-query-at
	make_project 1
	sed -i "s|^database: .*|database: postgresql://nobody_here@/db?host=$PGHOST\&port=$PGPORT\&password=p@ss/w0rd|" strata.yaml
	refused "password= with '@' in the query" 1 "strata: error: postgresql://nobody_here@/db?host=$PGHOST&port=$PGPORT&password=***: connection to server on socket \"$PGHOST/.s.PGSQL.$PGPORT\" failed: FATAL:  role \"nobody_here\" does not exist" apply

	case_dir config-url-conninfo
	make_project 1
	sed -i "s|^database: .*|database: host=$PGHOST port=$PGPORT user=nobody_here password=Xy7@Qz9 dbname=db|" strata.yaml
	refused "a conninfo string with an '@' password" 1 "strata: error: host=$PGHOST port=$PGPORT user=nobody_here password=*** dbname=db: connection to server on socket \"$PGHOST/.s.PGSQL.$PGPORT\" failed: FATAL:  role \"nobody_here\" does not exist" apply
fi
