#!/usr/bin/env bash
# Install the real dbmate CLI for strata's interop tests into DIR.
#   bash tests/interop/dbmate/setup.sh [DIR]
# DIR defaults to $STRATA_DBMATE_HOME, else ${XDG_CACHE_HOME:-~/.cache}/strata/dbmate;
# keep it outside the repository.  Idempotent: when DIR already holds this
# exact install (same package.json, package-lock.json and script) it returns
# at once.
#
# What: npm dbmate@2.36.0, pinned by package-lock.json beside this script
# (npm ci).  Its optional dependency @dbmate/linux-x64 holds the static Go
# binary (SQLite driver included); the tests call
#   DIR/node_modules/@dbmate/linux-x64/bin/dbmate
# directly, not the node wrapper (which adds ~0.1 s of node start-up).
# Needs: npm (Debian: npm) and the npm registry.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${1:-${STRATA_DBMATE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/dbmate}}
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac
VER=2.36.0
BIN=$DIR/node_modules/@dbmate/linux-x64/bin/dbmate
log() { printf 'dbmate setup: %s\n' "$*" >&2; }

command -v npm >/dev/null || { log "npm is missing (apt-get install npm)"; exit 1; }
mkdir -p "$DIR"

# Identity of a complete install: our inputs.
want=$(cat "$HERE/package.json" "$HERE/package-lock.json" "$0" | sha256sum | cut -c1-64)
ready() { [ -f "$DIR/.installed" ] && [ "$(cat "$DIR/.installed")" = "$want" ] && [ -x "$BIN" ]; }
ready && exit 0

# One installer at a time per DIR (tests may call this in parallel).
exec 9>"$DIR/.lock"
flock 9
ready && exit 0
rm -f "$DIR/.installed"

cp "$HERE/package.json" "$HERE/package-lock.json" "$DIR/"
cd "$DIR"
log "installing into $DIR (npm ci)"
npm ci --no-audit --no-fund --loglevel=error >"$DIR/npm.log" 2>&1 ||
	{ tail -40 "$DIR/npm.log" >&2; log "npm ci failed (log: $DIR/npm.log)"; exit 1; }
[ -x "$BIN" ] || { log "$BIN is missing after npm ci (not linux x86-64?)"; exit 1; }
v=$("$BIN" --version)
[ "$v" = "dbmate version $VER" ] || { log "installed: '$v', not dbmate version $VER"; exit 1; }
echo "$want" >.installed
log "dbmate $VER ready in $DIR"
