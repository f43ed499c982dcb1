#!/usr/bin/env bash
# Run the real drizzle-kit (0.31.11) on one migrations folder and database.
#   run-drizzle.sh URL OUT_DIR ARGS…
#     URL      strata's database URL: postgresql://user@/db?host=/dir&port=N
#              (or any postgres:// URL node-postgres takes) | sqlite:/abs/path.db
#     OUT_DIR  drizzle-kit's out folder (meta/_journal.json, NNNN_name.sql)
#     ARGS     migrate | generate --name NAME (DRIZZLE_SCHEMA: the schema .ts)
# The tool's exit code and output are passed through unchanged.
# Environment: STRATA_DRIZZLE_HOME = the install of setup.sh (default
# ${XDG_CACHE_HOME:-~/.cache}/strata/drizzle).
set -euo pipefail
if [ $# -lt 3 ]; then
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
HOME_DIR=${STRATA_DRIZZLE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/drizzle}
if [ ! -f "$HOME_DIR/.installed" ]; then
	echo "run-drizzle.sh: no drizzle-kit install in $HOME_DIR (run: bash $(dirname "$0")/setup.sh $HOME_DIR)" >&2
	exit 2
fi
url=$1 out=$2
shift 2
mkdir -p "$out"
out=$(cd "$out" && pwd)
case $url in
postgres://* | postgresql://*)
	export DRIZZLE_DIALECT=postgresql
	# strata's socket form postgresql://user@/db?host=/dir: node's URL parser
	# needs a host; node-postgres then takes host= from the query.
	case $url in
	*://@/* | *://*@/*) url=${url/@\//@localhost/} ;;
	*:///*) url=${url/:\/\/\//://localhost/} ;;
	esac
	;;
sqlite:/*) export DRIZZLE_DIALECT=sqlite url=${url#sqlite:} ;;
sqlite:*) export DRIZZLE_DIALECT=sqlite url=$PWD/${url#sqlite:} ;;
*) echo "run-drizzle.sh: unsupported URL '$url' (postgresql://… or sqlite:/abs/path.db)" >&2; exit 2 ;;
esac
# drizzle-kit generate writes its snapshots under "./" + out: out is given
# relative to its parent, the working directory.
export DRIZZLE_URL=$url DRIZZLE_OUT=./${out##*/}
# The schema file imports drizzle-orm: resolved from the install.
export NODE_PATH=$HOME_DIR/node_modules NO_COLOR=1
cd "${out%/*}/"
exec node "$HOME_DIR/node_modules/drizzle-kit/bin.cjs" "$@" --config "$HOME_DIR/drizzle.config.ts"
