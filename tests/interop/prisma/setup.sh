#!/usr/bin/env bash
# Install the real Prisma Migrate CLI for strata's interop tests into DIR.
#   bash tests/interop/prisma/setup.sh [DIR]
# DIR defaults to $STRATA_PRISMA_HOME, else ${XDG_CACHE_HOME:-~/.cache}/strata/prisma;
# keep it outside the repository.  Idempotent (tests/interop/npm.sh): when DIR
# already holds this exact install it returns at once.
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
. "$HERE/../npm.sh"
DIR=${1:-${STRATA_PRISMA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/prisma}}
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac

npm_setup prisma "$DIR" "$HERE/prisma.config.ts"
# prisma's preinstall and @prisma/engines' postinstall try to download native
# engines and fail quietly offline; better-sqlite3's install script tries a
# prebuilt binary, then compiles (node-gyp).
export CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
npm_install better-sqlite3 'new (require("better-sqlite3"))(":memory:").close()'

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

npm_pin prisma 6.19.3
npm_done
