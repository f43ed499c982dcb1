#!/usr/bin/env bash
# Runs one libFuzzer target from its seed corpus and prints one line:
#   fuzz_NAME: executions N, crashes C[, artifact PATH]
# usage: run.sh EXE CORPUS runs N     (the 'fuzz' test suite: a fixed count, seed 1)
#        run.sh EXE CORPUS seconds S [OUT]   (./dev fuzz: S seconds, any seed)
# New inputs go to a scratch folder (OUT, else a temporary one), never into
# the checked-in corpus.  Exit 0 only when the target ran and nothing crashed,
# leaked or hit undefined behaviour; a report is printed in full otherwise.
set -u
exe=$1 corpus=$2 mode=$3 n=$4 out=${5:-}
name=$(basename "$exe")
tmp=
if [ -z "$out" ]; then
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-fuzz-run.XXXXXX")
	out=$tmp
fi
mkdir -p "$out/new" "$out/crash"
case $mode in
	runs) limit=(-runs="$n" -seed=1) ;;
	seconds) limit=(-max_total_time="$n") ;;
	*) echo "run.sh: mode must be runs or seconds" >&2; exit 2 ;;
esac
# tests/fuzz/dict/TARGET.dict: the tokens of the format, when there is one
dict=()
d=$(dirname "$0")/dict/${name#fuzz_}.dict
[ -f "$d" ] && dict=(-dict="$d")
log=$out/$name.log
rc=0
"$exe" "${limit[@]}" "${dict[@]}" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$out/crash/" "$out/new" "$corpus" >"$log" 2>&1 || rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
artifacts=$(find "$out/crash" -type f | wc -l)
line="$name: executions ${execs:-0}, crashes $artifacts"
[ "$artifacts" -gt 0 ] && line="$line, artifact $(find "$out/crash" -type f | head -1)"
echo "$line"
if [ "$rc" -ne 0 ] || [ "$artifacts" -gt 0 ] || [ -z "$execs" ]; then
	grep -v '^#[0-9]' "$log" | tail -80
	exit 1
fi
[ -n "$tmp" ] && rm -rf "$tmp"
exit 0
