#!/usr/bin/env bash
# Install the real dbmate CLI for strata's interop tests into DIR.
#   bash tests/interop/dbmate/setup.sh [DIR]
# DIR defaults to $STRATA_DBMATE_HOME, else ${XDG_CACHE_HOME:-~/.cache}/strata/dbmate;
# keep it outside the repository.  Idempotent (tests/interop/npm.sh).
#
# What: npm dbmate@2.36.0, pinned by package-lock.json beside this script
# (npm ci).  Its optional dependency @dbmate/linux-x64 holds the static Go
# binary (SQLite driver included); the tests call
#   DIR/node_modules/@dbmate/linux-x64/bin/dbmate
# directly, not the node wrapper (which adds ~0.1 s of node start-up).
# Needs: node and npm (Debian: nodejs, npm) and the npm registry.
set -euo pipefail
. "$(dirname "$0")/../npm.sh"
DIR=${1:-${STRATA_DBMATE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/dbmate}}
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac
BIN=node_modules/@dbmate/linux-x64/bin/dbmate

npm_setup dbmate "$DIR"
npm_install
[ -x "$BIN" ] || { npm_log "$DIR/$BIN is missing after npm ci (not linux x86-64?)"; exit 1; }
v=$("$BIN" --version)
[ "$v" = "dbmate version 2.36.0" ] || { npm_log "installed: '$v', not dbmate version 2.36.0"; exit 1; }
npm_done
