#!/usr/bin/env bash
# strata's alembic plugin and the REAL Alembic (Debian: alembic 1.8.1,
# python3-sqlalchemy 1.4, python3-psycopg2) on the same databases.  TAP;
# BACKEND=sqlite|pg as in tests/integration/lib.sh.  The projects are made by
# fixtures.py with the real `alembic init`, `revision` (--head, --splice,
# --branch-label, --depends-on) and `merge`, plus one hand-written revision in
# the typed template:
#   graph  A -> B -> C -> D1 -> M -> E(typed);  C -> D2 -> M;  R1 (label
#          reporting) -> R2 (depends_on B); source `path: migrations/versions`
#   ops    one revision per op.* kind (the dialect's own set); source `path: .`
#          (alembic.ini)
#   bad_*  a revision strata cannot translate (a for loop, a while loop)
# Sections:
#   (1) strata apply = alembic upgrade heads (schema, rows, alembic_version);
#       then alembic current shows the heads and alembic upgrade heads does nothing
#   (2) alembic upgrade heads, then strata status/ledger/apply: all applied
#   (3) strata baseline [--to] = alembic stamp heads|REV
#   (4) strata rollback --to = alembic downgrade (schema, rows, alembic_version)
#   (5) strata apply --dry-run = alembic upgrade heads --sql, revision by revision
#   (6) an untranslatable revision: strata apply stops before it, exit 1,
#       FILE:LINE; then with Alembic's own SQL for it (offline_sql) it runs
#   (7) two trees, a version table each (an env.py literal, a strata.yaml
#       option): strata and alembic -c TREE.ini take turns; current, status agree
#   (8) one revision id in two files: strata keeps the file Alembic keeps
#   (9) strata apply --single-transaction on graph: alembic current shows the
#       heads, alembic upgrade heads does nothing
. "$SRC/tests/interop/alembic/lib.sh"

# ---------------------------------------------------------------- (1)
# sec1 PROJECT HEADS…: strata apply on P_s, alembic upgrade heads on P_a.
sec1() {
	local p=$1; shift
	local heads=() h before acur
	for h in "$@"; do heads+=("$(rev "$p" "$h")"); done
	fresh "${p}_s" "${p}_a"
	sr "$p" "${p}_s" apply
	check "(1) $p: strata apply exits 0" rc_is 0
	al "$p" "${p}_a" upgrade heads
	check "(1) $p: alembic upgrade heads exits 0" rc_is 0
	check "(1) $p: alembic's alembic_version holds the heads ($*)" eq "$(versions "${p}_a")" "$(sorted "${heads[@]}")"
	same "(1) $p: schema after strata apply = after alembic upgrade heads" "$(schema "${p}_s")" "$(schema "${p}_a")"
	same "(1) $p: rows after strata apply = after alembic upgrade heads" "$(data "${p}_s")" "$(data "${p}_a")"
	same "(1) $p: alembic_version rows = alembic's" "$(versions "${p}_s")" "$(versions "${p}_a")"
	if sqlite; then
		# Not normalized: the exact DDL Alembic sends online (tabs, ", " line ends).
		same "(1) $p: alembic_version DDL byte for byte" \
			"$(q "${p}_s" "SELECT sql FROM sqlite_master WHERE name = 'alembic_version'")" \
			"$(q "${p}_a" "SELECT sql FROM sqlite_master WHERE name = 'alembic_version'")"
	fi
	al "$p" "${p}_a" current
	acur=$(LC_ALL=C sort "$T/out")
	check "(1) $p: alembic current lists the heads on alembic's database" eq "$(cut -d' ' -f1 <<<"$acur" | LC_ALL=C sort | paste -sd, -)" "$(sorted "${heads[@]}")"
	al "$p" "${p}_s" current
	check "(1) $p: alembic current on strata's database exits 0" rc_is 0
	same "(1) $p: alembic current on strata's database = on alembic's" "$(LC_ALL=C sort "$T/out")" "$acur"
	before=$(state "${p}_s")
	al "$p" "${p}_s" upgrade heads
	check "(1) $p: alembic upgrade heads after strata apply exits 0" rc_is 0
	check "(1) $p: alembic upgrade heads after strata apply runs no revision" err_lacks "Running upgrade"
	same "(1) $p: ... and changes nothing (schema, rows, alembic_version)" "$(state "${p}_s")" "$before"
}

# ---------------------------------------------------------------- (2)
# sec2 PROJECT: P_a was migrated by alembic in sec1.
sec2() {
	local p=$1 cnt before
	cnt=$(names "$p" | wc -l)
	sr "$p" "${p}_a" --json status
	check "(2) $p: strata status after alembic upgrade heads exits 0" rc_is 0
	same "(2) $p: strata status: every revision applied" "$(json_states)" "$(all_states "$p" applied)"
	check "(2) $p: strata status --json summary" eq "$(json_summary)" \
		"applied=$cnt,baselined=0,failed=0,ignored=0,missing=0,modified=0,out_of_order=0,outdated=0,pending=0,retired=0,rolled_back=0"
	sr "$p" "${p}_a" status
	check "(2) $p: strata status (text) exits 0" rc_is 0
	check "(2) $p: strata status summary line" out_line "$cnt migrations: $cnt applied"
	before=$(state "${p}_a")
	sr "$p" "${p}_a" apply
	check "(2) $p: strata apply after alembic: nothing to do, exit 0" rc_is 0
	same "(2) $p: strata apply after alembic changes nothing" "$(state "${p}_a")" "$before"
	al "$p" "${p}_a" current
	check "(2) $p: alembic current still exits 0" rc_is 0
}

# ---------------------------------------------------------------- (4)
# sec4 PROJECT REV DB_S DB_A: strata rollback --to app:REV on DB_S, alembic
# downgrade REV on DB_A (both fully applied); compare.
sec4() {
	local p=$1 r=$2 ds=$3 da=$4 id
	id=$(rev "$p" "$r")
	sr "$p" "$ds" rollback --to "app:$id"
	check "(4) $p: strata rollback --to $r exits 0" rc_is 0
	al "$p" "$da" downgrade "$id"
	check "(4) $p: alembic downgrade $r exits 0" rc_is 0
	same "(4) $p: rollback --to $r: schema = alembic downgrade's" "$(schema "$ds")" "$(schema "$da")"
	same "(4) $p: rollback --to $r: rows = alembic downgrade's" "$(data "$ds")" "$(data "$da")"
	same "(4) $p: rollback --to $r: alembic_version = alembic downgrade's" "$(versions "$ds")" "$(versions "$da")"
	al "$p" "$ds" current
	check "(4) $p: alembic current after strata rollback --to $r exits 0" rc_is 0
}

# ---------------------------------------------------------------- (5)
# sec5 PROJECT: apply --dry-run on an empty database = upgrade heads --sql.
sec5() {
	local p=$1 nm id ids=() bad=()
	fresh "${p}_d"
	sr "$p" "${p}_d" apply --dry-run
	check "(5) $p: strata apply --dry-run exits 0" rc_is 0
	cp "$T/out" "$T/$p.strata.sql"
	check "(5) $p: --dry-run wrote nothing" eq "$(tables "${p}_d")" ""
	alsql "$p" upgrade heads
	check "(5) $p: alembic upgrade heads --sql exits 0" rc_is 0
	cp "$T/out" "$T/$p.alembic.sql"
	rm -rf "$T/$p.blk"
	"$PY" "$HERE/blocks.py" strata "$T/$p.strata.sql" "$T/$p.blk/s"
	"$PY" "$HERE/blocks.py" alembic "$T/$p.alembic.sql" "$T/$p.blk/a"
	for nm in $(names "$p"); do ids+=("$(rev "$p" "$nm")"); done
	same "(5) $p: --dry-run prints a block for every revision" "$(LC_ALL=C sort "$T/$p.blk/s/order" | paste -sd, -)" "$(sorted "${ids[@]}")"
	for nm in $(names "$p"); do
		id=$(rev "$p" "$nm")
		if [ ! -f "$T/$p.blk/s/$id.norm" ]; then
			not_ok "(5) $p: $nm ($id): SQL = alembic --sql's"
			echo "# no block for app:$id in strata's --dry-run output"
			bad+=("$nm")
			continue
		fi
		if [ ! -s "$T/$p.blk/a/$id.norm" ] && [ "$nm" != M ]; then
			not_ok "(5) $p: $nm ($id): SQL = alembic --sql's"
			echo "# alembic printed no SQL for it: the fixture or the splitter is wrong"
			continue
		fi
		same "(5) $p: $nm ($id): SQL = alembic --sql's" "$(cat "$T/$p.blk/s/$id.norm")" "$(cat "$T/$p.blk/a/$id.norm")"
		check "(5) $p: $nm: header line" grep -qE "^-- apply app:$id [^ ].* \(.*/[^/]*${id}_[^/]*\.py\)$" "$T/$p.blk/s/$id.hdr"
		cmp -s "$T/$p.blk/s/$id.raw" "$T/$p.blk/a/$id.raw" || bad+=("$nm")
	done
	check "(5) $p: byte for byte Alembic's offline format (differing: ${bad[*]:-none})" eq "${#bad[@]}" 0
}

# ================================================================ graph
project graph graph "$dialect"
sec1 graph E R2
sr graph graph_s --json ledger
check "(1) graph: strata --json ledger exits 0" rc_is 0
ledger_ids=$(json_ids)
check "(1) graph: the ledger lists every revision" eq "$(tr , '\n' <<<"$ledger_ids" | LC_ALL=C sort | paste -sd, -)" "$(all_states graph x | sed 's/=x//g')"
# Parents before children, depends_on before dependents.
order_ok() {
	local a b e
	pos() { tr , '\n' <<<"$ledger_ids" | grep -nxF "app:$(rev graph "$1")" | cut -d: -f1; }
	for e in A:B B:C C:D1 C:D2 D1:M D2:M M:E R1:R2 B:R2; do
		a=${e%:*} b=${e#*:}
		[ "$(pos "$a")" -lt "$(pos "$b")" ] || { echo "# ledger order: $a after $b"; return 1; }
	done
}
check "(1) graph: ledger order respects down_revision and depends_on" order_ok
sec2 graph

# (3) baseline = stamp
fresh base_s base_a
sr graph base_s baseline
check "(3) strata baseline exits 0" rc_is 0
al graph base_a stamp heads
check "(3) alembic stamp heads exits 0" rc_is 0
same "(3) strata baseline = alembic stamp heads: alembic_version rows" "$(versions base_s)" "$(versions base_a)"
check "(3) ... which are the heads E, R2" eq "$(versions base_s)" "$(sorted "$(rev graph E)" "$(rev graph R2)")"
same "(3) schema (alembic_version alone) = alembic stamp's" "$(schema base_s)" "$(schema base_a)"
al graph base_s current
check "(3) alembic current after strata baseline exits 0" rc_is 0
al graph base_s upgrade heads
check "(3) alembic upgrade heads after strata baseline runs nothing" err_lacks "Running upgrade"
sr graph base_a --json status
check "(3) strata status after alembic stamp heads exits 0" rc_is 0
for r in C D2 M R2 R1; do
	fresh base_s base_a
	sr graph base_s baseline --to "app:$(rev graph $r)"
	check "(3) strata baseline --to $r exits 0" rc_is 0
	al graph base_a stamp "$(rev graph $r)"
	check "(3) alembic stamp $r exits 0" rc_is 0
	same "(3) strata baseline --to $r = alembic stamp $r: alembic_version rows" "$(versions base_s)" "$(versions base_a)"
done

# (4) rollback = downgrade, from the fully applied state.
for r in C D1 B R1 M; do
	fresh rb_s rb_a
	sr graph rb_s apply
	check "(4) graph: strata apply before rollback --to $r exits 0" rc_is 0
	al graph rb_a upgrade heads
	sec4 graph "$r" rb_s rb_a
done
# strata rolls back what alembic applied (only alembic_version records it).
fresh rb_x rb_a
al graph rb_x upgrade heads
al graph rb_a upgrade heads
sec4 graph D2 rb_x rb_a

sec5 graph

# ================================================================ ops
project ops ops "$dialect" .
sec1 ops "$(names ops | tail -1)"
sec2 ops
sec5 ops
# Every downgrade: back to the first revision, from the fully applied state.
sec4 ops "$(names ops | head -1)" ops_s ops_a
sr ops ops_s apply
check "(4) ops: strata apply after the rollback exits 0" rc_is 0
al ops ops_a upgrade heads
same "(4) ops: re-applied: schema = alembic's" "$(schema ops_s)" "$(schema ops_a)"

# ================================================================ (6)
# A revision strata cannot translate: apply runs the ones before it and stops.
for kind in loop while; do
	p=bad_$kind
	project "$p" bad "$kind"
	f=$(rev "$p" F3)
	case $kind in
	loop) line=$(grep -nF 'for i in range(2):' "$f" | cut -d: -f1) ;;
	while) line=$(grep -nF 'while i < 1:' "$f" | cut -d: -f1) ;;
	esac
	fresh "$p"
	sr "$p" "$p" apply
	check "(6) $kind: strata apply exits 1" rc_is 1
	check "(6) $kind: error names FILE:LINE (${f##*/}:$line)" grep -qE "^strata: error: ([^ ]*/)?${f##*/}:$line: " "$T/err"
	check "(6) $kind: the two revisions before it applied" eq "$(has_table "$p" t1 t2)" 2
	check "(6) $kind: alembic_version holds the revision before it" eq "$(versions "$p")" "$(rev "$p" R2)"
	check "(6) $kind: nothing of it or after it ran" eq "$(has_table "$p" loop_0 loop_1 bound t4)" 0
	sr "$p" "$p" ledger
	check "(6) $kind: strata ledger marks it (untranslatable)" grep -qE "^app:$(rev "$p" R3) .*\(untranslatable\)" "$T/out"
	fresh "${p}_a"
	al "$p" "${p}_a" upgrade heads
	check "(6) $kind: the real alembic runs the same project (exit 0)" rc_is 0
	# The way forward the error names: Alembic's own offline SQL for it.
	alsql "$p" upgrade "$(rev "$p" R2):$(rev "$p" R3)"
	check "(6) $kind: alembic upgrade R2:R3 --sql exits 0" rc_is 0
	cp "$T/out" "$T/$p/upgrade.sql"
	echo "    offline_sql: ../../upgrade.sql" >>"$T/$p/strata.yaml"
	sr "$p" "$p" apply
	check "(6) $kind: with offline_sql, strata apply runs the rest (exit 0)" rc_is 0
	same "(6) $kind: then schema, rows and alembic_version = alembic upgrade heads's" "$(state "$p")" "$(state "${p}_a")"
	al "$p" "$p" current
	check "(6) $kind: alembic current after it exits 0" rc_is 0
done

# ================================================================ (7)
# Two trees in one database, each with its own version table: main
# (main_version; its env.py computes the name, so strata.yaml gives it) and
# tenants (tenant_version, a string literal in its env.py, which strata reads).
vtab() {
	if [ "$(has_table "$1" "$2")" = 1 ]; then qlist "$1" "SELECT version_num FROM $2 ORDER BY version_num"; else echo "<none>"; fi
}
if ! "$PY" "$HERE/fixtures.py" twotrees "$T/two" >"$T/gen.log" 2>&1; then
	echo "Bail out! fixtures.py twotrees failed"
	sed 's/^/# /' "$T/gen.log"
	exit 1
fi
cat >"$T/two/strata.yaml" <<YAML
database: $(surl two)
sources:
  - name: main
    format: alembic
    path: main/versions
    version_table: main_version
  - name: tenants
    format: alembic
    path: tenants/versions
YAML
M1=$(rev two M1) M2=$(rev two M2) T1=$(rev two T1) T2=$(rev two T2)
fresh two two_a
sr two two apply --to "main:$M1"
check "(7) strata apply --to main:M1 exits 0" rc_is 0
sr two two apply --to "tenants:$T1"
check "(7) strata apply --to tenants:T1 exits 0" rc_is 0
check "(7) main_version holds M1 (the strata.yaml option)" eq "$(vtab two main_version)" "$M1"
check "(7) tenant_version holds T1 (the env.py literal)" eq "$(vtab two tenant_version)" "$T1"
check "(7) no shared alembic_version" eq "$(has_table two alembic_version)" 0
al two two -c main.ini current
check "(7) alembic -c main.ini current exits 0" rc_is 0
check "(7) alembic current on main reports main's head: M1" eq "$(cut -d' ' -f1 "$T/out" | paste -sd, -)" "$M1"
al two two -c tenants.ini current
check "(7) alembic -c tenants.ini current exits 0" rc_is 0
check "(7) alembic current on tenants reports tenants' head: T1" eq "$(cut -d' ' -f1 "$T/out" | paste -sd, -)" "$T1"
al two two -c main.ini upgrade head
check "(7) alembic upgrade head on main exits 0" rc_is 0
check "(7) ... runs only M2" eq "$(grep -c 'Running upgrade' "$T/err"):$(grep -c "Running upgrade $M1 -> $M2" "$T/err")" "1:1"
al two two -c tenants.ini upgrade head
check "(7) alembic upgrade head on tenants exits 0" rc_is 0
check "(7) ... runs only T2" eq "$(grep -c 'Running upgrade' "$T/err"):$(grep -c "Running upgrade $T1 -> $T2" "$T/err")" "1:1"
sr two two --json status
check "(7) strata status after Alembic upgraded both trees exits 0" rc_is 0
same "(7) strata status: every revision of both trees applied" "$(json_states)" \
	"$(sorted "main:$M1=applied" "main:$M2=applied" "tenants:$T1=applied" "tenants:$T2=applied")"
before=$(state two)
sr two two apply
check "(7) strata apply after Alembic: nothing to do, exit 0" rc_is 0
same "(7) ... and nothing changed" "$(state two)" "$before"
al two two_a -c main.ini upgrade head
al two two_a -c tenants.ini upgrade head
same "(7) schema (both version tables' DDL included) = Alembic's alone" "$(schema two)" "$(schema two_a)"
if sqlite; then
	same "(7) tenant_version DDL byte for byte" \
		"$(q two "SELECT sql FROM sqlite_master WHERE name = 'tenant_version'")" \
		"$(q two_a "SELECT sql FROM sqlite_master WHERE name = 'tenant_version'")"
fi
# strata creates the tables too: everything by strata on a fresh database.
fresh two_s
sr two two_s apply
check "(7) strata apply of both trees exits 0" rc_is 0
same "(7) strata alone: schema = Alembic's alone (tables created by strata)" "$(schema two_s)" "$(schema two_a)"
check "(7) strata alone: each table holds its tree's head" eq "$(vtab two_s main_version):$(vtab two_s tenant_version)" "$M2:$T2"
for tree in main tenants; do
	al two two_s -c "$tree.ini" current
	check "(7) alembic current on $tree after strata alone: its head" eq "$(cut -d' ' -f1 "$T/out")" "$([ $tree = main ] && echo "$M2" || echo "$T2")"
done

# ================================================================ (8)
# One revision id in two files: Alembic 1.8.1 warns and keeps the file it
# loads last (os.listdir order); strata keeps the same one.  The copy is
# named so that the listing order and the name order disagree: names that
# sort before and after the original are tried in turn, since a small ext4
# directory lists in slot order and a removed copy's slot is reused.
project dupl dup x
fa=$(rev dupl FA) A=$(rev dupl A)
vdir=$(dirname "$fa")
for k in $(seq 1 40); do
	copy=${A}_$([ $((k % 2)) = 1 ] && echo a || echo z)copy$k.py
	sed 's/t_first/t_second/g' "$fa" >"$vdir/$copy"
	listed=$(ls -U "$vdir" | grep -xE "${fa##*/}|$copy")
	[ "$(tail -1 <<<"$listed")" != "$(LC_ALL=C sort <<<"$listed" | tail -1)" ] && break
	rm "$vdir/$copy"
done
check "(8) a copy listed against the name order ($(paste -sd, <<<"$listed"))" test -e "$vdir/$copy"
fresh dupl_s dupl_a
sr dupl dupl_s apply
check "(8) strata apply exits 0" rc_is 0
check "(8) strata warns as Alembic does, naming both files" grep -qE "^strata: warning: .*: Revision $A is present more than once \(also in [^ ]*, which Alembic loads later and uses\); this file is ignored" "$T/err"
check "(8) ... and that Alembic's upgrade heads will fail (B is below the id)" grep -qF "(Alembic still counts it as a head: its \`upgrade heads\` fails until one of the two is renamed)" "$T/err"
al dupl dupl_a upgrade heads
check "(8) as strata says: alembic upgrade heads fails (exit 255)" rc_is 255
check "(8) ... with 'overlaps' (the ignored file is still a head for Alembic)" out_has "Requested revision $(rev dupl B) overlaps with other requested revisions $A"
check "(8) alembic warns: Revision A is present more than once" err_has "Revision $A is present more than once"
al dupl dupl_a upgrade "$(rev dupl B)"
check "(8) alembic upgrade B (= strata apply here) exits 0" rc_is 0
same "(8) strata ran the file Alembic ran: schema" "$(schema dupl_s)" "$(schema dupl_a)"
same "(8) alembic_version = Alembic's" "$(versions dupl_s)" "$(versions dupl_a)"
al dupl dupl_s current
check "(8) alembic current on strata's database exits 0" rc_is 0

# ---------------------------------------------------------------- (9)
fresh graph_t
sr graph graph_t apply --single-transaction
check "(9) strata apply --single-transaction exits 0, in one transaction" eq "$rc|$(tail -1 "$T/out" | grep -o 'in one transaction$')" "0|in one transaction"
check "(9) alembic_version holds the heads" eq "$(versions graph_t)" "$(sorted "$(rev graph E)" "$(rev graph R2)")"
al graph graph_t current
check "(9) alembic current lists the heads" eq "$rc|$(cut -d' ' -f1 "$T/out" | LC_ALL=C sort | paste -sd, -)" "0|$(sorted "$(rev graph E)" "$(rev graph R2)")"
al graph graph_t upgrade heads
check "(9) alembic upgrade heads after it exits 0 and runs no revision" eq "$rc|$(grep -c 'Running upgrade' "$T/err" || true)" "0|0"

done_testing
