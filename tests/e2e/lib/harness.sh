# Shared by the shell end-to-end tests (sourced): a temporary folder $tmp
# removed on exit, the pass/fail counters and the gongkai runner.
# `finish` prints "N passed, N failed" and gives the suite's status.
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*"
}

# run ARGS...: $GK's stdout in $tmp/out, stderr in $tmp/err, status in $rc;
# a sanitizer report is a failure whatever the status.
run() {
    "$GK" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if grep -q "AddressSanitizer\|runtime error" "$tmp/err"; then
        bad "sanitizer report from gongkai $*"
    fi
}

# expect_rc STATUS WHAT: the last run exited with STATUS (else its stderr is shown).
expect_rc() {
    if [ "$rc" -eq "$1" ]; then ok; else
        bad "$2: exit $rc, want $1"
        head -20 "$tmp/err"
    fi
}

finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
