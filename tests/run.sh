#!/bin/sh
# Run every test suite and end with one line: "N passed, N failed".
# Arguments: the names of the unit test programs (tests/unit/test_*.c).
# Each unit suite runs twice: the optimised build, then the ASan+UBSan build.
set -u
SHARED=${SHARED:-../shared}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Add the counts a suite printed: cmocka's "[  PASSED  ] N test(s)." and
# "[  FAILED  ] N test(s)", or a plain "N passed, N failed" line.
count() {
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p; s/^\([0-9]*\) passed, [0-9]* failed.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p; s/^[0-9]* passed, \([0-9]*\) failed.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    if [ "$1" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # crashed or failed without saying how many
        echo "FAIL: $2 exited with status $1" >&2
    fi
    passed=$((passed + p))
    failed=$((failed + f))
}

run() {
    name=$1
    shift
    echo "== $name"
    "$@" >"$log" 2>&1
    rc=$?
    cat "$log"
    count "$rc" "$name"
}

for t in "$@"; do
    run "$t" "build/rel/tests/unit/$t"
done
for t in "$@"; do
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        run "$t (asan+ubsan)" "build/san/tests/unit/$t"
done
if [ -f "$SHARED/conformance/run_toml_test.py" ]; then
    for decoder in tests/toml_decoder build/san/tests/toml_decoder; do
        echo "== toml-test conformance: $decoder"
        python3 "$SHARED/conformance/run_toml_test.py" "$decoder" >"$log" 2>&1
        rc=$?
        tail -n 40 "$log"
        count "$rc" "toml-test conformance ($decoder)"
    done
else
    echo "FAIL: $SHARED/conformance/run_toml_test.py not found (set SHARED=...)" >&2
    failed=$((failed + 1))
fi
for t in tests/e2e/*.sh tests/e2e/*.py; do
    [ -f "$t" ] || continue
    case "$t" in
    *.py) run "$t" python3 "$t" ;;
    *) run "$t" sh "$t" ;;
    esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
