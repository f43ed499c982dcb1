#!/usr/bin/env bash
# Install the real drizzle-kit for strata's interop tests into DIR.
#   bash tests/interop/drizzle/setup.sh [DIR]
# DIR defaults to $STRATA_DRIZZLE_HOME, else ${XDG_CACHE_HOME:-~/.cache}/strata/drizzle;
# keep it outside the repository.  Idempotent (tests/interop/npm.sh).
#
# What: drizzle-kit 0.31.11, drizzle-orm 0.45.4 (whose migrator drizzle-kit
# migrate runs), pg 8.23.1 and better-sqlite3 12.9.0 (the drivers it
# migrates through), pinned by package-lock.json beside this script (npm ci).
# Needs: node >= 18 and npm (Debian: nodejs, npm), the npm registry, and, to
# compile better-sqlite3 when no prebuilt binary can be downloaded (the usual
# case here), python3, make, g++ and the node headers (Debian: libnode-dev,
# /usr/include/node/node.h).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../npm.sh"
DIR=${1:-${STRATA_DRIZZLE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/drizzle}}
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac

npm_setup drizzle "$DIR" "$HERE/drizzle.config.ts"
npm_install better-sqlite3 'new (require("better-sqlite3"))(":memory:").close()'
cp "$HERE/drizzle.config.ts" "$DIR/drizzle.config.ts"
npm_pin drizzle-kit 0.31.11 drizzle-orm 0.45.4 pg 8.23.1 better-sqlite3 12.9.0
npm_done
