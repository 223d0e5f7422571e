#!/bin/sh
# Replay saved fuzz inputs through the fuzz targets, built with gcc under
# ASan+UBSan (no libFuzzer needed): the regressions in
# tests/fuzz/regressions/<target>/ (inputs that once failed) and the seeds
# make fuzz starts from, so every target's invariants hold on real inputs
# too. Prints "N passed, N failed".
set -u
SHARED=${SHARED:-../shared}
pass=0
fail=0
for t in toml frontmatter template pii; do
    bin=build/san/tests/fuzz/replay_$t
    if [ ! -x "$bin" ]; then
        echo "FAIL: $bin not built"
        fail=$((fail + 1))
        continue
    fi
    case $t in
    toml) seeds="tests/fixtures $SHARED/conformance/toml-test" ;;
    frontmatter) seeds="content tests/fixtures/content tests/fixtures/check/content" ;;
    template) seeds="templates tests/fixtures/templates" ;;
    pii) seeds="tests/fixtures/check/content content" ;;
    esac
    dirs=""
    for d in tests/fuzz/regressions/$t $seeds; do
        [ -e "$d" ] && dirs="$dirs $d"
    done
    # shellcheck disable=SC2086
    out=$(ASAN_OPTIONS=detect_leaks=1 "$bin" $dirs 2>&1)
    rc=$?
    n=$(echo "$out" | sed -n 's/^\([0-9]*\) passed.*/\1/p' | tail -n 1)
    if [ "$rc" -eq 0 ] && [ -n "$n" ] && [ "$n" -gt 0 ]; then
        pass=$((pass + 1))
        echo "fuzz_$t: $n inputs replayed"
    else
        fail=$((fail + 1))
        echo "FAIL: fuzz_$t replay (exit $rc)"
        echo "$out" | tail -n 30
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
