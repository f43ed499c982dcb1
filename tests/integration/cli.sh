#!/usr/bin/env bash
# Command line: usage errors exit 2, help, version.
. "$(dirname "$0")/lib.sh"
run
check "no command: exit 2" rc_is 2
run frobnicate
check "unknown command: exit 2" rc_is 2
check "unknown command message" err_is "strata: unknown command 'frobnicate' (hint: see \`strata --help\`)"
run status --bogus
check "unknown option: exit 2" rc_is 2
run status --to x
check "option not taken by the command: exit 2" rc_is 2
check "option message" err_is "strata: status does not take that option (hint: see \`strata --help\`)"
run rollback --to a --steps 2
check "--to and --steps exclude each other" rc_is 2
run rollback --steps zero
check "--steps must be a number" rc_is 2
run -q -v status
check "-q and -v exclude each other" rc_is 2
run --help
check "--help exits 0" rc_is 0
check "--help lists commands" out_has "rollback [--to ID | --steps N] [--dry-run]"
run --version
check "--version" out_has "strata 0.1.0"
run -c missing.yaml status
check "explicit missing config: exit 1" rc_is 1
check "explicit missing config named" err_has "missing.yaml: cannot read config"
run -C /nonexistent status
check "-C to a missing dir: exit 1" rc_is 1
# With no strata.yaml and no sources: an empty ledger is up to date.
run status
check "no config: empty ledger, exit 0" rc_is 0
done_testing
