#!/usr/bin/env bash
# Install the real node-pg-migrate, knex, TypeORM and sequelize-cli for strata's interop tests into DIR.
#   bash tests/interop/node/setup.sh [DIR]
# DIR defaults to $STRATA_NODE_TOOLS_HOME, else
# ${XDG_CACHE_HOME:-~/.cache}/strata/node-tools; keep it outside the
# repository.  Idempotent (tests/interop/npm.sh).
#
# What: node-pg-migrate 8.0.4, knex 3.3.0, typeorm 0.3.31, sequelize 6.37.8
# and sequelize-cli 6.6.5, with pg 8.23.1 and
# better-sqlite3 12.9.0 (the drivers they migrate through), pinned by
# package-lock.json beside this script (npm ci).
# Needs: node >= 20.11 and npm (Debian: nodejs, npm), the npm registry, and,
# to compile better-sqlite3 when no prebuilt binary can be downloaded (the
# usual case here), python3, make, g++ and the node headers (Debian:
# libnode-dev, /usr/include/node/node.h).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../npm.sh"
DIR=${1:-${STRATA_NODE_TOOLS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/node-tools}}
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac

npm_setup node-tools "$DIR" "$HERE/knexfile.js" "$HERE/datasource.js" "$HERE/sequelize-config.js"
npm_install better-sqlite3 'new (require("better-sqlite3"))(":memory:").close()'
# knex's CLI finds knex beside the knexfile: it lives in DIR.
cp "$HERE/knexfile.js" "$DIR/knexfile.js"
# TypeORM's CLI requires typeorm from the DataSource file: it lives in DIR too.
cp "$HERE/datasource.js" "$HERE/sequelize-config.js" "$DIR/"
npm_pin node-pg-migrate 8.0.4 knex 3.3.0 pg 8.23.1 better-sqlite3 12.9.0 typeorm 0.3.31 sequelize 6.37.8 sequelize-cli 6.6.5
npm_done
