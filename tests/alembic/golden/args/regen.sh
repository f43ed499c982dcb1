#!/usr/bin/env bash
# regen.sh [CASE.py…]: the expected SQL of each case from the REAL Alembic
# (Debian's /usr/bin/alembic 1.8.1, SQLAlchemy 1.4), never written by hand.
# A case CASE.py is the body of one revision's upgrade(); per dialect D
# (postgresql, sqlite) it writes CASE.D.sql, the statements `alembic upgrade
# head --sql` prints for that revision (between "-- Running upgrade" and the
# alembic_version INSERT), or CASE.D.error, the last line of Alembic's
# traceback when Alembic itself refuses the revision.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- "$here"/*.py
for body in "$@"; do
	for d in postgresql sqlite; do
		w=$(mktemp -d)
		(cd "$w" && /usr/bin/alembic init proj >/dev/null 2>&1)
		case $d in postgresql) url=postgresql://u@localhost/x ;; sqlite) url=sqlite:///x.db ;; esac
		sed -i "s#^sqlalchemy.url = .*#sqlalchemy.url = $url#; s#^script_location = .*#script_location = $w/proj#" "$w/alembic.ini"
		{ printf '"""g\n\nRevision ID: g1\nRevises:\nCreate Date: 2026-01-01\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "g1"\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n'
		  sed 's/^/    /' "$body"; printf '\n\ndef downgrade():\n    pass\n'; } >"$w/proj/versions/g1.py"
		base=${body%.py}.$d
		rm -f "$base.sql" "$base.error"
		if (cd "$w" && /usr/bin/alembic -c alembic.ini upgrade head --sql 2>"$w/err") >"$w/out"; then
			awk '/^-- Running upgrade/{on=1; skip=1; next} /alembic_version/{on=0} on && skip && $0=="" {next} on {skip=0; print}' "$w/out" |
				sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$base.sql"
		else
			tail -n 1 "$w/err" >"$base.error"
		fi
		rm -rf "$w"
	done
done
