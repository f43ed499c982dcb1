#!/usr/bin/env bash
# Run the real node-pg-migrate (8.0.4) on one migrations folder and database.
#   run-node-pg-migrate.sh URL DIR ARGS…
#     URL   strata's PostgreSQL URL: postgresql://user@/db?host=/dir&port=N
#           (or any postgres:// URL node-postgres takes)
#     DIR   the migrations folder ({timestamp}_{name}.sql files)
#     ARGS  up | down [N] | up --dry-run …  (node-pg-migrate's own)
# The tool's exit code and output are passed through unchanged.
# Environment: STRATA_NODE_TOOLS_HOME = the install of setup.sh (default
# ${XDG_CACHE_HOME:-~/.cache}/strata/node-tools).
set -euo pipefail
if [ $# -lt 3 ]; then
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
. "$(dirname "$0")/urls.sh"
home=$(tools_home)
case $1 in
postgres://* | postgresql://*) ;;
*) echo "run-node-pg-migrate.sh: node-pg-migrate is PostgreSQL only, not '$1'" >&2; exit 2 ;;
esac
DATABASE_URL=$(node_url "$1")
export DATABASE_URL NO_COLOR=1
dir=$2
shift 2
exec node "$home/node_modules/node-pg-migrate/bin/node-pg-migrate.js" "$@" -m "$dir"
