# Sourced by run-*.sh.  node_url URL prints a URL node-postgres takes for
# strata's URL.  strata's socket form postgresql://user@/db?host=/dir&port=N
# has no host, which node's URL parser needs; node-postgres then takes
# host= from the query.
node_url() {
	local url=$1
	case $url in
	*://@/* | *://*@/*) url=${url/@\//@localhost/} ;;
	*:///*) url=${url/:\/\/\//://localhost/} ;;
	esac
	printf '%s\n' "$url"
}
# tool_url URL: what knex and TypeORM take for strata's URL: node_url's for
# PostgreSQL, the file's absolute path for sqlite:PATH.
tool_url() {
	case $1 in
	postgres://* | postgresql://*) node_url "$1" ;;
	sqlite:/*) printf '%s\n' "${1#sqlite:}" ;;
	sqlite:*) printf '%s\n' "$PWD/${1#sqlite:}" ;;
	*) echo "$(basename "$0"): unsupported URL '$1' (postgresql://… or sqlite:/abs/path.db)" >&2; return 2 ;;
	esac
}
tools_home() {
	local d=${STRATA_NODE_TOOLS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/node-tools}
	if [ ! -f "$d/.installed" ]; then
		echo "$(basename "$0"): no node-pg-migrate/knex/typeorm/sequelize-cli install in $d (run: bash $(dirname "$0")/setup.sh $d)" >&2
		exit 2
	fi
	printf '%s\n' "$d"
}
