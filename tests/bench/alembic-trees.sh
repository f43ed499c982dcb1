#!/usr/bin/env bash
# alembic-trees.sh STRATA DIR [alembic-coverage.py options]: the coverage
# figure of docs/alembic.md on the 13 public trees of alembic-trees/trees.txt.
# DIR holds one git checkout per repository, named as the repository's last
# part (DIR/CTFd, DIR/dispatch, ...); a checkout at another commit than the
# one listed is named on stderr (the figure is then of another history).
# The per-tree options (assume:, arguments:, types:) are alembic-trees/*.yaml.
set -euo pipefail
STRATA=${1:?usage: alembic-trees.sh STRATA DIR [options]} DIR=${2:?usage: alembic-trees.sh STRATA DIR [options]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
opts=$(mktemp -d /tmp/strata-trees.XXXXXX)
trap 'rm -rf "$opts"' EXIT
trees=() args=()
while read -r name repo commit versions; do
	case $name in '#'* | '') continue ;; esac
	co=$DIR/${repo#*/}
	[ -d "$co/$versions" ] || { echo "alembic-trees.sh: $co/$versions: no such folder (clone $repo at $commit)" >&2; exit 2; }
	at=$(git -C "$co" rev-parse HEAD 2>/dev/null || echo unknown)
	[ "$at" = "$commit" ] || echo "alembic-trees.sh: $co is at $at, the figure was taken at $commit" >&2
	trees+=("$name=$co/$versions")
	if [ -f "$here/alembic-trees/$name.yaml" ]; then
		sed "s|@DIR@|$here/alembic-trees|g" "$here/alembic-trees/$name.yaml" >"$opts/$name.yaml"
		args+=(--opts "$name=$opts/$name.yaml")
	fi
done <"$here/alembic-trees/trees.txt"
exec python3 "$here/alembic-coverage.py" "$STRATA" "${trees[@]}" "${args[@]}" "$@"
