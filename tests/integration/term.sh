#!/usr/bin/env bash
# What a terminal gets and a pipe does not, and what scripts get: names
# escaped in human output (one migration, one line), colour and the progress
# line only on a terminal (util-linux `script` gives strata a pty) and never
# with NO_COLOR or TERM=dumb, --json on every command (each line checked with
# python3's json), -q printing nothing but errors, shell completion from the
# command table, and the man page's command list kept to that table.
. "$(dirname "$0")/lib.sh"
unset NO_COLOR
export TERM=xterm
E=$'\e'

# tty ARGS…: strata on a pseudo-terminal, stdout and stderr both to it; the
# bytes (the pty turns \n into \r\n) in $T/tty, the exit code in $rc.
tty() {
	local cmd
	cmd=$(printf '%q ' "$STRATA" "$@")
	set +e
	script -qec "$cmd" /dev/null </dev/null >"$T/tty"
	rc=$?
	set -e
}
tty_has() { grep -qaF -- "$(printf '%b' "$1")" "$T/tty"; }
tty_lacks() { ! grep -qaF -- "$(printf '%b' "$1")" "$T/tty"; }
no_esc() { ! grep -qa "$E" "$1"; }
no_sgr() { ! grep -qaE "$E\\[[0-9;]*m" "$1"; } # no colour (the progress line's \e[K may be there)
ms_free() { sed -E 's/\([0-9]+ ms\)/(N ms)/g' "$1"; }
# Every line of FILE is a JSON object (JSON Lines); prints the "event"s, joined by ','.
events() { python3 -c '
import json, sys
print(",".join(str(json.loads(l).get("event")) for l in open(sys.argv[1], encoding="utf-8")))' "$1"; }
json_one() { python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$1"; }

mkdir p && cd p
db_reset app
make_project 2
printf -- '-- migrate:up\nCREATE TABLE f (id INTEGER);\n-- migrate:down\nDROP TABLE f;\n' \
	>db/migrations/$'0003_x\nstrata: error: forged\e[2J.sql'
DISPLAY_URL=$("$STRATA" status | sed -n 's/^database: //p' || true)

# ---- names in human output ----
run status
check "status: a name with a newline stays on its line" eq "$(sed -n 4p "$T/out")" \
	'app:0003  pending      x\nstrata: error: forged\x1b[2J'
check "status: one line per migration, no ESC" eq "$(wc -l <"$T/out")/$(no_esc "$T/out" && echo clean)" "5/clean"
run ledger
check "ledger: the name escaped" out_has 'app:0003  '
check "ledger: one line per migration" eq "$(wc -l <"$T/out")" 4
run --json status
check "--json status: the name per JSON" python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))["migrations"][2]
sys.exit(0 if m["name"] == "x\nstrata: error: forged\x1b[2J" else 1)' "$T/out"
check "--json status: no raw ESC" no_esc "$T/out"
rm db/migrations/0003_*

# ---- colour and progress ----
tty apply
check "tty apply: exit 0" rc_is 0
ms_free "$T/tty" >"$T/tty.n"
printf '\r\e[K[1/2] applying app:0001\r\e[Kapplied app:0001 t1 (N ms)\r\n\r\e[K[2/2] applying app:0002\r\e[Kapplied app:0002 t2 (N ms)\r\n2 migrations applied to %s\r\n' \
	"$DISPLAY_URL" >"$T/tty.want"
check "tty apply: [k/n] progress rewritten in place, cleared before each line" cmp -s "$T/tty.n" "$T/tty.want"
tty status
check "tty status: applied in green" tty_has '\e[32mapplied\e[0m      t1'
NO_COLOR=1 tty status
check "NO_COLOR=1: no colour" no_esc "$T/tty"
NO_COLOR= tty status
check "NO_COLOR empty: colour (no-color.org: non-empty only)" tty_has '\e[32mapplied'
TERM=dumb tty rollback
check "TERM=dumb: no colour, no progress" eq "$(no_esc "$T/tty" && echo clean)/$(grep -ca $'\r\e' "$T/tty" || true)" "clean/0"
check "TERM=dumb: the lines still" tty_has 'rolled back app:0002 t2'
tty rollback
check "tty rollback: progress" tty_has '\r\e[K[1/1] rolling back app:0001\r\e[Krolled back app:0001'
tty -q apply
check "tty -q apply: nothing at all" eq "$rc/$(wc -c <"$T/tty")" "0/0"
tty rollback --steps 2
run apply
check "piped apply: no ESC and no CR" eq "$(cat "$T/out" "$T/err" | tr -d -c '\r\033' | wc -c)" 0
check "piped apply: the lines" out_has "applied app:0002 t2"
printf -- '-- migrate:up\nSELECT * FROM nowhere;\n-- migrate:down\nSELECT 1;\n' >db/migrations/0003_bad.sql
tty apply
check "tty error: exit 1" rc_is 1
check "tty error: error: in red" tty_has 'strata: \e[31m\e[1merror:\e[0m db/migrations/0003_bad.sql'
NO_COLOR=1 tty apply
check "NO_COLOR error: plain" eq "$(no_sgr "$T/tty" && echo clean)/$rc" "clean/1"
tty status
check "tty status: failed in red" tty_has '\e[31mfailed\e[0m'
"$STRATA" -q mark app:0003 --rolled-back
rm db/migrations/0003_bad.sql
"$STRATA" -q baseline
rm db/migrations/0002_t2.sql
tty apply
check "tty warning: warning: in yellow" tty_has 'strata: \e[33mwarning:\e[0m app:0002 is recorded'
tty status
check "tty status: missing in magenta" tty_has '\e[35mmissing'
"$STRATA" -q mark app:0002 --rolled-back
cd "$T"

# ---- --json on every command ----
mkdir j && cd j
db_reset app
make_project 3
run --json init --force -c other.yaml
check "--json init: exit 0, a summary line" eq "$rc/$(events "$T/out")" "0/summary"
check "--json init: its info lines on stderr are JSON" eq "$(events "$T/err")" "info"
run --json ledger
check "--json ledger: one object" json_one "$T/out"
run --json apply --to 0002
check "--json apply: exit 0; per migration, then the summary" eq "$rc/$(events "$T/out")" "0/applied,applied,summary"
check "--json apply: fields of an event" python3 -c '
import json, sys
e = json.loads(open(sys.argv[1]).readline())
ok = e["id"] == "app:0001" and e["source"] == "app" and e["command"] == "apply" and e["index"] == 1 \
	and e["total"] == 2 and isinstance(e["ms"], int) and e["file"] == "db/migrations/0001_t1.sql"
sys.exit(0 if ok else 1)' "$T/out"
check "--json apply: the summary counts" python3 -c '
import json, sys
s = json.loads(open(sys.argv[1]).readlines()[-1])
sys.exit(0 if s["applied"] == 2 and s["database"] == sys.argv[2] else 1)' "$T/out" "$DISPLAY_URL"
check "--json apply: nothing on stderr" eq "$(wc -c <"$T/err")" 0
run --json status
check "--json status: one object, exit 3" eq "$(json_one "$T/out" && echo ok)/$rc" "ok/3"
run --json apply --dry-run
check "--json apply --dry-run: would_apply with its SQL" eq "$rc/$(events "$T/out")" "0/would_apply,summary"
check "--json apply --dry-run: sql" python3 -c '
import json, sys
e = json.loads(open(sys.argv[1]).readline())
sys.exit(0 if "CREATE TABLE t3" in e["sql"] else 1)' "$T/out"
run --json rollback --dry-run
check "--json rollback --dry-run" eq "$rc/$(events "$T/out")" "0/would_roll_back,summary"
run --json rollback --steps 2
check "--json rollback: per migration" eq "$rc/$(events "$T/out")" "0/rolled_back,rolled_back,summary"
run --json baseline --to 0001
check "--json baseline" eq "$rc/$(events "$T/out")" "0/baselined,summary"
run --json mark app:0002 --applied
check "--json mark" eq "$rc/$(events "$T/out")" "0/marked,summary"
check "--json mark: the state" python3 -c '
import json, sys
e = json.loads(open(sys.argv[1]).readline())
sys.exit(0 if e["state"] == "applied" and e["id"] == "app:0002" else 1)' "$T/out"
run --json verify
check "--json verify: per migration" eq "$rc/$(events "$T/out")" "0/verified,verified,verified,summary"
run --json plugins
check "--json plugins: one object" json_one "$T/out"
printf -- '-- migrate:up\nSELECT * FROM nowhere;\n-- migrate:down\nSELECT 1;\n' >db/migrations/0004_bad.sql
run --json apply
check "--json apply failing: exit 1 unchanged; events up to the failure" eq "$rc/$(events "$T/out")" "1/applied,failed"
check "--json apply failing: the error object on stderr" eq "$(events "$T/err")" "error"
check "--json error: its fields" python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))
sys.exit(0 if e["file"] == "db/migrations/0004_bad.sql" and e["line"] == 2 and e["exit"] == 1 else 1)' "$T/err"
run --json status --to x
check "--json usage error: exit 2, a JSON object" eq "$rc/$(events "$T/err")" "2/error"
rm db/migrations/0004_bad.sql
"$STRATA" -q mark app:0004 --rolled-back
rm db/migrations/0003_t3.sql
run --json status
check "--json warning-free status with a missing row" json_one "$T/out"
run --json apply
check "--json apply: the warning is a JSON object on stderr" eq "$rc/$(events "$T/err")" "0/warning"
run -q --json status
check "-q and --json exclude each other" rc_is 2
cd "$T"

# ---- -q: nothing but errors, on every command ----
mkdir q && cd q
db_reset app
make_project 3
quiet_ok() { # DESC RC ARGS…: exit RC, nothing on stdout or stderr
	local d=$1 want=$2
	shift 2
	run -q "$@"
	check "-q $d: exit $want, silent" eq "$rc/$(cat "$T/out" "$T/err" | wc -c)" "$want/0"
}
quiet_ok init 0 init --force -c other.yaml
quiet_ok ledger 0 ledger
quiet_ok "status (pending)" 3 status
quiet_ok "apply --dry-run" 0 apply --dry-run
quiet_ok apply 0 apply --to 0002
quiet_ok "rollback --dry-run" 0 rollback --dry-run
quiet_ok rollback 0 rollback
quiet_ok baseline 0 baseline --to 0002
quiet_ok mark 0 mark app:0003 --applied
quiet_ok verify 0 verify
quiet_ok plugins 0 plugins
quiet_ok completion 0 completion bash
rm db/migrations/0003_t3.sql
quiet_ok "apply with a warning (a missing file)" 0 apply
quiet_ok "status with problems" 4 status
run -q mark nope --applied
check "-q: errors still" eq "$rc/$(cat "$T/err")" "2/strata: error: no migration 'nope' in the ledger (hint: \`strata ledger\` lists the ids)"
cd "$T"

# ---- completion and the man page (no database: once) ----
if sqlite; then
	"$STRATA" completion bash >"$T/c.bash"
	comp() { # WORDS…: what bash completes for the last word
		bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _strata; printf "%s\n" "${COMPREPLY[@]}"' \
			_ "$T/c.bash" "$@" | paste -sd' ' -
	}
	check "bash: strata ap<TAB>" eq "$(comp strata ap)" "apply"
	check "bash: strata rollback --<TAB> lists rollback's options" bash -c '[[ " $1 " == *" --steps "* && " $1 " == *" --to "* && " $1 " == *" --dry-run "* && " $1 " != *" --force "* ]]' _ "$(comp strata rollback --)"
	check "bash: status takes no --to" eq "$(comp strata status --t)" ""
	check "bash: after -C DIR, the command" eq "$(comp strata -C . ver)" "verify"
	check "bash: completion <TAB>" eq "$(comp strata completion '')" "bash zsh fish"
	mkdir -p "$T/cdir/sub"
	check "bash: -C completes folders" eq "$(cd "$T/cdir" && comp strata -C s)" "sub"
	cmds=$("$STRATA" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\).*/\1/p' | paste -sd' ' -)
	check "bash: every command of --help, in order" eq "$(comp strata '' | tr ' ' '\n' | grep -v '^-' | paste -sd' ' -)" "$cmds"
	if command -v zsh >/dev/null; then
		"$STRATA" completion zsh >"$T/_strata"
		check "zsh: the script parses (zsh -n)" zsh -n "$T/_strata"
		check "zsh: every command described" bash -c 'for c in $2; do grep -q "^		'"'"'$c:" "$1" || exit 1; done' _ "$T/_strata" "$cmds"
		check "zsh: loads and registers with compinit" zsh -fc "autoload -Uz compinit && compinit -u -d $T/zcd && . $T/_strata && [[ \${_comps[strata]} == _strata ]]"
	else
		ok "zsh not installed # SKIP"
	fi
	if command -v fish >/dev/null; then
		fcomp() { "$STRATA" completion fish | HOME=$T fish -c 'source; complete -C $argv[1]' "$1" | cut -f1 | paste -sd' ' -; }
		check "fish: strata ap<TAB>" eq "$(fcomp 'strata ap')" "apply"
		check "fish: strata rollback --st<TAB>" eq "$(fcomp 'strata rollback --st')" "--steps"
		check "fish: strata status --t<TAB>: nothing" eq "$(fcomp 'strata status --t')" ""
		check "fish: strata completion <TAB>" eq "$(fcomp 'strata completion ')" "bash fish zsh"
	else
		ok "fish not installed # SKIP"
	fi
	# docs/strata.1's command list is `strata --help-man`, and every command has its entry.
	sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$SRC/docs/strata.1" | sed -n '/^\.PP/,/^\.SH/p' | sed '1d;$d' >"$T/man.list"
	"$STRATA" --help-man >"$T/man.want"
	check "man page SYNOPSIS: the command table's list (regenerate with strata --help-man)" cmp -s "$T/man.list" "$T/man.want"
	missing=
	for c in $cmds; do
		sed -n '/^\.SH COMMANDS/,/^\.SH TRANSACTIONS/p' "$SRC/docs/strata.1" | grep -A1 '^\.TP' | grep -q "^\.B\?R\? *\\\\\?f\?B\?$c\b\|^\\\\fB$c\\\\fR\|^\.BR $c \|^\.BI \"$c \|^\.B $c\$" || missing="$missing $c"
	done
	check "man page COMMANDS: an entry per command" eq "$missing" ""
fi
done_testing
