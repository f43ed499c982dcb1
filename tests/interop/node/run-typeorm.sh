#!/usr/bin/env bash
# Run the real TypeORM CLI (0.3.31) on one migrations folder and database.
#   run-typeorm.sh URL DIR ARGS…
#     URL   strata's database URL: postgresql://user@/db?host=/dir&port=N
#           (or any postgres:// URL node-postgres takes) | sqlite:/abs/path.db
#     DIR   TypeORM's migrations folder ({timestamp}-{Name}.js files)
#     ARGS  migration:run | migration:revert | migration:show …
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
ORM_URL=$(tool_url "$1")
ORM_DIR=$(cd "$2" && pwd)
export ORM_URL ORM_DIR NO_COLOR=1
shift 2
cmd=$1; shift
exec node "$home/node_modules/typeorm/cli.js" "$cmd" -d "$home/datasource.js" "$@"
