# Shared by the scripts that drive the REAL dbmate (2.36.0) beside strata
# (rules.sh, interop.sh): the install, dbmate on a database URL, strata in a
# project folder.  Sourced; TAP helpers from tests/integration/lib.sh.
. "$SRC/tests/integration/lib.sh"
export STRATA_DBMATE_HOME=${STRATA_DBMATE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/dbmate}
if ! bash "$SRC/tests/interop/dbmate/setup.sh" "$STRATA_DBMATE_HOME" >"$T/setup.log" 2>&1; then
	echo "Bail out! dbmate not installed: bash tests/interop/dbmate/setup.sh $STRATA_DBMATE_HOME failed"
	sed 's/^/# /' "$T/setup.log"
	exit 1
fi
DBMATE=$STRATA_DBMATE_HOME/node_modules/@dbmate/linux-x64/bin/dbmate
if ! [ -x "$DBMATE" ]; then
	echo "Bail out! no dbmate binary at $DBMATE (STRATA_DBMATE_HOME=$STRATA_DBMATE_HOME)"
	exit 1
fi
unset DATABASE_URL

# dm DIR URL ARGS…: the real dbmate in folder DIR (migrations in DIR/db/migrations,
# no schema dump), output in $T/out and $T/err, exit code in $rc.
dm() {
	local d=$1 u=$2; shift 2
	set +e
	(cd "$d" && "$DBMATE" --no-dump-schema --url "$u" "$@") >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}
# sr DIR ARGS…: strata in project folder DIR.
sr() { local p=$1; shift; run -C "$p" "$@"; }
out_line() { grep -qxF -- "$1" "$T/out"; }
err_line() { grep -qxF -- "$1" "$T/err"; }
out_is() { eq "$(cat "$T/out")" "$1"; }
