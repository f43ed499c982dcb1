#!/usr/bin/env bash
# Install the real node-pg-migrate and knex for strata's interop tests into DIR.
#   bash tests/interop/node/setup.sh [DIR]
# DIR defaults to $STRATA_NODE_TOOLS_HOME, else
# ${XDG_CACHE_HOME:-~/.cache}/strata/node-tools; keep it outside the
# repository.  Idempotent: when DIR already holds this exact install (same
# package-lock.json and knexfile.js, same node) it returns at once.
#
# What: node-pg-migrate 8.0.4 and knex 3.3.0, with pg 8.23.1 and
# better-sqlite3 12.9.0 (the drivers they migrate through), pinned by
# package-lock.json beside this script (npm ci).
# Needs: node >= 20.11 and npm (Debian: nodejs, npm), the npm registry, and,
# to compile better-sqlite3 when no prebuilt binary can be downloaded (the
# usual case here), python3, make, g++ and the node headers (Debian:
# libnode-dev, /usr/include/node/node.h).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${1:-${STRATA_NODE_TOOLS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/node-tools}}
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac
log() { printf 'node-tools setup: %s\n' "$*" >&2; }

command -v node >/dev/null || { log "node is missing (apt-get install nodejs npm)"; exit 1; }
command -v npm >/dev/null || { log "npm is missing (apt-get install npm)"; exit 1; }
mkdir -p "$DIR"

# Identity of a complete install: our inputs plus the node that built the
# native module.
want=$(cat "$HERE/package.json" "$HERE/package-lock.json" "$HERE/knexfile.js" | sha256sum | cut -c1-64)-$(node -p 'process.version + "-" + process.versions.modules')
ready() {
	[ -f "$DIR/.installed" ] && [ "$(cat "$DIR/.installed")" = "$want" ] &&
		[ -f "$DIR/node_modules/node-pg-migrate/bin/node-pg-migrate.js" ] &&
		[ -f "$DIR/node_modules/knex/bin/cli.js" ] && [ -f "$DIR/knexfile.js" ]
}
ready && exit 0

# One installer at a time per DIR (tests may call this in parallel).
exec 9>"$DIR/.lock"
flock 9
ready && exit 0
rm -f "$DIR/.installed"

cp "$HERE/package.json" "$HERE/package-lock.json" "$DIR/"
cd "$DIR"
# node-gyp must not try to download node headers: point it at the system's.
if [ -z "${npm_config_nodedir:-}" ]; then
	for d in /usr /usr/local "$(dirname "$(dirname "$(command -v node)")")"; do
		if [ -f "$d/include/node/node.h" ]; then export npm_config_nodedir=$d; break; fi
	done
fi
log "installing into $DIR (npm ci; compiling better-sqlite3 can take a few minutes)"
npm ci --no-audit --no-fund --loglevel=error >"$DIR/npm.log" 2>&1 ||
	{ tail -40 "$DIR/npm.log" >&2; log "npm ci failed (log: $DIR/npm.log)"; exit 1; }
if ! node -e 'new (require("better-sqlite3"))(":memory:").close()' 2>/dev/null; then
	log "better-sqlite3 has no usable binary: building it from source"
	npm rebuild better-sqlite3 --foreground-scripts >>"$DIR/npm.log" 2>&1 ||
		{ tail -40 "$DIR/npm.log" >&2; log "building better-sqlite3 failed: python3, make, g++ and node headers are needed"; exit 1; }
	node -e 'new (require("better-sqlite3"))(":memory:").close()'
fi
# knex's CLI finds knex beside the knexfile: it lives in DIR.
cp "$HERE/knexfile.js" "$DIR/knexfile.js"

for p in node-pg-migrate:8.0.4 knex:3.3.0 pg:8.23.1 better-sqlite3:12.9.0; do
	v=$(node -p "require('./node_modules/${p%%:*}/package.json').version")
	[ "$v" = "${p#*:}" ] || { log "installed ${p%%:*} is $v, not ${p#*:}"; exit 1; }
done
echo "$want" >.installed
log "node-pg-migrate 8.0.4 and knex 3.3.0 ready in $DIR"
