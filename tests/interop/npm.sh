# The one way a real tool from the npm registry is installed for the interop
# tests (sourced by tests/interop/TOOL/setup.sh):
#   npm_setup TOOL DIR INPUT…    DIR absolute; returns from the caller's shell
#                                (exit 0) when DIR already holds this exact
#                                install, else takes DIR's lock and copies
#                                package.json and package-lock.json there
#   npm_install [NATIVE CHECK]   npm ci in DIR; NATIVE: a module with a native
#                                part, rebuilt from source when the JavaScript
#                                CHECK fails (no usable prebuilt binary)
#   npm_pin PKG VERSION…         each installed PKG is that VERSION, or exit 1
#   npm_done                     stamp DIR as complete
# An install's identity is its inputs (package.json, package-lock.json, the
# INPUT files, the setup script itself) and the node that built its native
# modules; one installer at a time per DIR, since tests may call setup.sh in
# parallel.  Keep DIR outside the repository.
set -euo pipefail

npm_log() { printf '%s setup: %s\n' "$NPM_TOOL" "$*" >&2; }

npm_setup() {
	NPM_TOOL=$1 NPM_DIR=$2
	shift 2
	local here
	here=$(cd "$(dirname "$0")" && pwd)
	command -v node >/dev/null || { npm_log "node is missing (apt-get install nodejs npm)"; exit 1; }
	command -v npm >/dev/null || { npm_log "npm is missing (apt-get install npm)"; exit 1; }
	mkdir -p "$NPM_DIR"
	NPM_WANT=$(cat "$here/package.json" "$here/package-lock.json" "$0" "$@" | sha256sum | cut -c1-64)
	NPM_WANT=$NPM_WANT-$(node -p 'process.version + "-" + process.versions.modules')
	npm_ready && exit 0
	exec 9>"$NPM_DIR/.lock"
	flock 9
	npm_ready && exit 0
	rm -f "$NPM_DIR/.installed"
	cp "$here/package.json" "$here/package-lock.json" "$NPM_DIR/"
	cd "$NPM_DIR"
}

npm_ready() { [ -f "$NPM_DIR/.installed" ] && [ "$(cat "$NPM_DIR/.installed")" = "$NPM_WANT" ]; }

npm_install() {
	local native=${1:-} check=${2:-}
	# node-gyp must not try to download node headers: point it at the system's.
	if [ -z "${npm_config_nodedir:-}" ]; then
		local d
		for d in /usr /usr/local "$(dirname "$(dirname "$(command -v node)")")"; do
			if [ -f "$d/include/node/node.h" ]; then export npm_config_nodedir=$d; break; fi
		done
	fi
	npm_log "installing into $NPM_DIR (npm ci${native:+; compiling $native can take a few minutes})"
	npm ci --no-audit --no-fund --loglevel=error >"$NPM_DIR/npm.log" 2>&1 ||
		{ tail -40 "$NPM_DIR/npm.log" >&2; npm_log "npm ci failed (log: $NPM_DIR/npm.log)"; exit 1; }
	[ -n "$native" ] || return 0
	node -e "$check" 2>/dev/null && return 0
	npm_log "$native has no usable binary: building it from source"
	npm rebuild "$native" --foreground-scripts >>"$NPM_DIR/npm.log" 2>&1 ||
		{ tail -40 "$NPM_DIR/npm.log" >&2; npm_log "building $native failed: python3, make, g++ and node headers are needed"; exit 1; }
	node -e "$check"
}

npm_pin() {
	while [ $# -ge 2 ]; do
		local v
		v=$(node -p "require('./node_modules/$1/package.json').version")
		[ "$v" = "$2" ] || { npm_log "installed $1 is $v, not $2"; exit 1; }
		shift 2
	done
}

npm_done() {
	echo "$NPM_WANT" >"$NPM_DIR/.installed"
	npm_log "ready in $NPM_DIR"
}
