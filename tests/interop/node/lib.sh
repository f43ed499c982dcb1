# Shared by the scripts that drive the REAL node-pg-migrate, knex, TypeORM and sequelize-cli beside
# strata (node-pg-migrate.sh, knex.sh, typeorm.sh, sequelize.sh): the tools' install, strata and a tool
# on one project folder.  Sourced; TAP helpers from tests/integration/lib.sh.
. "$SRC/tests/integration/lib.sh"
HERE=$SRC/tests/interop/node
export STRATA_NODE_TOOLS_HOME=${STRATA_NODE_TOOLS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/node-tools}
if ! bash "$HERE/setup.sh" "$STRATA_NODE_TOOLS_HOME" >"$T/setup.log" 2>&1; then
	echo "Bail out! node-pg-migrate/knex/typeorm/sequelize-cli not installed: bash tests/interop/node/setup.sh $STRATA_NODE_TOOLS_HOME failed"
	sed 's/^/# /' "$T/setup.log"
	exit 1
fi
unset DEBUG NODE_OPTIONS DATABASE_URL

# The URL of database NAME (absolute SQLite path: strata runs with -C PROJECT).
surl() { if sqlite; then echo "sqlite:$T/${1%.db}.db"; else db_url "$1"; fi; }
# sr PROJECT ARGS…: strata in project folder PROJECT ($T/out, $T/err, $rc).
sr() { local p=$1; shift; run -C "$T/$p" "$@"; }
# tool SCRIPT PROJECT DIR ARGS…: run-SCRIPT.sh on database PROJECT, folder
# PROJECT/DIR ($T/out, $T/err, $rc).
tool() {
	local s=$1 p=$2 d=$3; shift 3
	set +e
	bash "$HERE/run-$s.sh" "$(surl "$p")" "$T/$p/$d" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	[ "$rc" -eq 0 ] || sed 's/^/# tool: /' "$T/out" "$T/err" | tail -20
}
out_line() { grep -qxF -- "$1" "$T/out"; }
out_has_() { grep -qF -- "$1" "$T/out"; }
# `strata status --json` in $T/out: "version=state" per migration, joined by ','.
json_states() { python3 -c 'import json,sys; print(",".join(m["version"]+"="+m["state"] for m in json.load(open(sys.argv[1]))["migrations"]))' "$T/out"; }
# strata.yaml of PROJECT: one sqlpair source on folder DIR with LAYOUT (and TRACKER).
strata_yaml() {
	local p=$1 dir=$2 layout=$3 tracker=${4:-}
	printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: %s\n    layout: %s\n%s' \
		"$(surl "$p")" "$dir" "$layout" "${tracker:+    tracker: $tracker
}" >"$T/$p/strata.yaml"
}
# A table's columns as PostgreSQL shows them: name type nullable default, by position.
pgcols() { q "$1" "SELECT column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '$2' ORDER BY ordinal_position" | paste -sd, -; }
pgindexes() { q "$1" "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = '$2' ORDER BY indexname" | paste -sd, -; }
# The user's tables, to see that a run changed nothing or made them.
tables() {
	if sqlite; then
		q "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 't_' ORDER BY name" | paste -sd, -
	else
		q "$1" "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 't_' ORDER BY 1" | paste -sd, -
	fi
}
