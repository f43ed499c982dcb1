#!/usr/bin/env bash
# Run the real sequelize-cli (6.6.5, sequelize 6.37.8) on one migrations
# folder and PostgreSQL database.
#   run-sequelize.sh URL DIR ARGS…
#     URL   strata's database URL: postgresql://user@/db?host=/dir&port=N
#           (or any postgres:// URL node-postgres takes)
#     DIR   sequelize-cli's migrations folder ({timestamp}-{name}.js files)
#     ARGS  db:migrate | db:migrate:undo | db:migrate:status …
# The tool's exit code and output are passed through unchanged.
# Environment: STRATA_NODE_TOOLS_HOME = the install of setup.sh (default
# ${XDG_CACHE_HOME:-~/.cache}/strata/node-tools).
set -euo pipefail
if [ $# -lt 3 ]; then
	sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/urls.sh"
home=$(tools_home)
case $1 in
postgres://* | postgresql://*) SEQUELIZE_URL=$(node_url "$1") ;;
*) echo "run-sequelize.sh: unsupported URL '$1' (postgresql://…; sequelize's SQLite dialect needs the sqlite3 module)" >&2; exit 2 ;;
esac
dir=$(cd "$2" && pwd)
shift 2
cmd=$1; shift
export SEQUELIZE_URL
cd "$dir"
exec node "$home/node_modules/sequelize-cli/lib/sequelize" "$cmd" --config "$home/sequelize-config.js" --env development \
	--migrations-path "$dir" "$@"
