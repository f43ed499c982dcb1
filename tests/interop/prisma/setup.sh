#!/usr/bin/env bash
# Install the real Prisma Migrate CLI for strata's interop tests into DIR.
#   bash tests/interop/prisma/setup.sh [DIR]
# DIR defaults to $STRATA_PRISMA_HOME, else ${XDG_CACHE_HOME:-~/.cache}/strata/prisma;
# keep it outside the repository.  Idempotent: when DIR already holds this
# exact install (same package-lock.json, config, node) it returns at once.
#
# What: prisma@6.19.3, @prisma/adapter-pg, @prisma/adapter-better-sqlite3
# (6.19.3), pg, better-sqlite3, pinned by package-lock.json beside this script
# (npm ci).  6.19.x is the newest Prisma that can run Migrate through its
# bundled WebAssembly schema engine; 5.x and 7.x download a native engine
# binary at run time, which this machine cannot do.
# Needs: node >= 18 and npm (Debian: nodejs, npm), the npm registry, and, to
# compile better-sqlite3 when no prebuilt binary can be downloaded (the usual
# case here), python3, make, g++ and the node headers (Debian: libnode-dev or
# nodejs from NodeSource, /usr/include/node/node.h).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${1:-${STRATA_PRISMA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/prisma}}
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac
log() { printf 'prisma setup: %s\n' "$*" >&2; }

command -v node >/dev/null || { log "node is missing (apt-get install nodejs npm)"; exit 1; }
command -v npm >/dev/null || { log "npm is missing (apt-get install npm)"; exit 1; }
mkdir -p "$DIR"

# Identity of a complete install: our inputs plus the node that built the
# native module.
want=$(cat "$HERE/package.json" "$HERE/package-lock.json" "$HERE/prisma.config.ts" "$0" 2>/dev/null |
	sha256sum | cut -c1-64)-$(node -p 'process.version + "-" + process.versions.modules')
[ -f "$DIR/.installed" ] && [ "$(cat "$DIR/.installed")" = "$want" ] && exit 0

# One installer at a time per DIR (tests may call this in parallel).
exec 9>"$DIR/.lock"
flock 9
[ -f "$DIR/.installed" ] && [ "$(cat "$DIR/.installed")" = "$want" ] && exit 0
rm -f "$DIR/.installed"

cp "$HERE/package.json" "$DIR/package.json"
cd "$DIR"
# node-gyp must not try to download node headers: point it at the system's.
if [ -z "${npm_config_nodedir:-}" ]; then
	for d in /usr /usr/local "$(dirname "$(dirname "$(command -v node)")")"; do
		if [ -f "$d/include/node/node.h" ]; then export npm_config_nodedir=$d; break; fi
	done
fi
# prisma's preinstall and @prisma/engines' postinstall try to download native
# engines and fail quietly offline; better-sqlite3's install script tries a
# prebuilt binary, then compiles (node-gyp).
export CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
log "installing into $DIR (npm ci; compiling better-sqlite3 can take a minute or two)"
if [ -f "$HERE/package-lock.json" ]; then
	cp "$HERE/package-lock.json" "$DIR/package-lock.json"
	npm ci --no-audit --no-fund --loglevel=error >"$DIR/npm.log" 2>&1 ||
		{ tail -40 "$DIR/npm.log" >&2; log "npm ci failed (log: $DIR/npm.log)"; exit 1; }
else
	npm install --no-audit --no-fund --loglevel=error >"$DIR/npm.log" 2>&1 ||
		{ tail -40 "$DIR/npm.log" >&2; log "npm install failed (log: $DIR/npm.log)"; exit 1; }
fi
if ! node -e 'new (require("better-sqlite3"))(":memory:").close()' 2>/dev/null; then
	log "better-sqlite3 has no usable binary: building it from source"
	npm rebuild better-sqlite3 --foreground-scripts >>"$DIR/npm.log" 2>&1 ||
		{ tail -40 "$DIR/npm.log" >&2; log "building better-sqlite3 failed: python3, make, g++ and node headers are needed"; exit 1; }
	node -e 'new (require("better-sqlite3"))(":memory:").close()'
fi

cp "$HERE/prisma.config.ts" "$DIR/prisma.config.ts"

# The datasource schemas, one per provider.  The generator with
# engineType = "client" keeps the CLI from downloading a query engine, and
# 6.19 refuses a datasource without url (it is not used: the driver adapter
# of prisma.config.ts is).  Because of that url, every command prints a
# WARNING block on stdout.
mkdir -p schemas
for provider in postgresql sqlite; do
	cat >"schemas/$provider.prisma" <<SCHEMA
generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["queryCompiler", "driverAdapters"]
  engineType      = "client"
}

datasource db {
  provider = "$provider"
  url      = env("DATABASE_URL")
}
SCHEMA
done

# Stand-in for the native schema-engine binary: 6.19.3's
# `migrate resolve --rolled-back` asks it `can-connect-to-database` first, even
# with engine "js".  Only that question is answered; the work itself is done by
# the wasm engine, which connects for real and reports connection errors.
cat >schema-engine-stub <<'STUB'
#!/bin/sh
[ "$1" = cli ] && [ "$4" = can-connect-to-database ] && exit 0
echo "schema-engine stub (strata tests): unsupported call: $*" >&2
exit 1
STUB
chmod +x schema-engine-stub

v=$(node -p 'require("./node_modules/prisma/package.json").version')
[ "$v" = 6.19.3 ] || { log "installed prisma is $v, not 6.19.3"; exit 1; }
echo "$want" >.installed
log "prisma $v ready in $DIR"
