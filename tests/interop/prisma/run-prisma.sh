#!/usr/bin/env bash
# Run the real Prisma CLI (6.19.3, wasm schema engine, driver adapters).
#   run-prisma.sh DATABASE_URL PRISMA_DIR ARGS…
#     DATABASE_URL  postgresql://user@host:port/db[?schema=NAME]  or  file:/abs/path.db
#                   (also postgres://; a relative file: path is made absolute
#                   against the working directory)
#     PRISMA_DIR    the folder holding migrations/ (migration_lock.toml and
#                   one folder per migration with migration.sql)
#     ARGS          e.g. migrate status | migrate deploy |
#                   migrate resolve --applied NAME | migrate resolve --rolled-back NAME
# The CLI's exit code and output are passed through unchanged.
# Environment: STRATA_PRISMA_HOME = the install of setup.sh (default
# ${XDG_CACHE_HOME:-~/.cache}/strata/prisma); PRISMA_PROVIDER forces the
# datasource provider (postgresql | sqlite); STRATA_PRISMA_SQLITE_TIMESTAMPS,
# STRATA_PRISMA_PG_SCRIPT: see prisma.config.ts.
set -euo pipefail
if [ $# -lt 3 ]; then
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
HOME_DIR=${STRATA_PRISMA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/prisma}
if [ ! -f "$HOME_DIR/.installed" ]; then
	echo "run-prisma.sh: no Prisma install in $HOME_DIR (run: bash $(dirname "$0")/setup.sh $HOME_DIR)" >&2
	exit 2
fi
url=$1 dir=$2
shift 2
[ -d "$dir" ] || { echo "run-prisma.sh: $dir: no such folder" >&2; exit 2; }
dir=$(cd "$dir" && pwd)
case $url in
postgres://* | postgresql://*)
	provider=postgresql
	# strata's socket form postgresql://user@/db?host=/dir&port=N: a URL
	# without a host does not parse in node; pg takes host= from the query.
	case $url in
	*://@/* | *://*@/*) url=${url/@\//@localhost/} ;;
	*:///*) url=${url/:\/\/\//://localhost/} ;;
	esac
	;;
file:/*) provider=sqlite ;;
file:*) provider=sqlite url=file:$PWD/${url#file:} ;;
*) echo "run-prisma.sh: unsupported DATABASE_URL '$url' (postgresql://… or file:/abs/path.db)" >&2; exit 2 ;;
esac
provider=${PRISMA_PROVIDER:-$provider}
export DATABASE_URL=$url
# STRATA_PRISMA_SCHEMA: a schema.prisma of the test's own (models: db push, migrate diff)
export PRISMA_SCHEMA_FILE=${STRATA_PRISMA_SCHEMA:-$HOME_DIR/schemas/$provider.prisma}
export PRISMA_MIGRATIONS_DIR=$dir/migrations
export PRISMA_SCHEMA_ENGINE_BINARY=$HOME_DIR/schema-engine-stub
export CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1 NO_COLOR=1
unset PRISMA_MIGRATE_SKIP_GENERATE PRISMA_QUERY_ENGINE_LIBRARY PRISMA_CLI_QUERY_ENGINE_TYPE
exec node "$HOME_DIR/node_modules/prisma/build/index.js" "$@" --config "$HOME_DIR/prisma.config.ts"
