#!/usr/bin/env bash
# Run the real knex CLI (3.3.0) on one migrations folder and database.
#   run-knex.sh URL DIR ARGS…
#     URL   strata's database URL: postgresql://user@/db?host=/dir&port=N
#           (or any postgres:// URL node-postgres takes) | sqlite:/abs/path.db
#     DIR   knex's migrations folder ({version}_{name}.js files)
#     ARGS  migrate:latest | migrate:rollback | migrate:list | migrate:up …
# The tool's exit code and output are passed through unchanged.
# Environment: STRATA_NODE_TOOLS_HOME = the install of setup.sh (default
# ${XDG_CACHE_HOME:-~/.cache}/strata/node-tools).
set -euo pipefail
if [ $# -lt 3 ]; then
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/urls.sh"
home=$(tools_home)
KNEX_URL=$(tool_url "$1")
KNEX_DIR=$(cd "$2" && pwd)
export KNEX_URL KNEX_DIR NO_COLOR=1
shift 2
exec node "$home/node_modules/knex/bin/cli.js" --knexfile "$home/knexfile.js" --cwd "$KNEX_DIR" "$@"
