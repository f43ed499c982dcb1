# Sourced by run-*.sh: node_url URL prints a URL node-postgres takes for
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
tools_home() {
	local d=${STRATA_NODE_TOOLS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/node-tools}
	if [ ! -f "$d/.installed" ]; then
		echo "$(basename "$0"): no node-pg-migrate/knex/typeorm/sequelize-cli install in $d (run: bash $(dirname "$0")/setup.sh $d)" >&2
		exit 2
	fi
	printf '%s\n' "$d"
}
