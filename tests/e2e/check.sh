#!/bin/sh
# gongkai check and the refusals of build, end to end on the compliance
# fixture site (tests/fixtures/check): every fixture file gives its
# documented diagnostic at its line and column, the output is grouped by
# file with errors first, the JSON is the documented schema, build refuses
# each error fixture and leaves the previous output intact, and fix-encoding
# converts GBK files. Runs with the optimised binary and, when it is built,
# the ASan+UBSan one. Prints "N passed, N failed".
set -u
FIX=$PWD/tests/fixtures/check
export GONGKAI_DATADIR="$PWD"
. "$PWD/tests/e2e/lib/harness.sh"

# expect LINE: that exact start of a diagnostic line (file:line:col: level [CODE]).
expect() {
    if grep -qF "$1" "$tmp/err"; then ok; else bad "no \"$1\""; fi
}

suite() {
# ---- check on the fixture site, as of 2026-03-10 -----------------------------
run check -s "$FIX" --today 2026-03-10
expect_rc 1 "check of the fixture site"
while read -r want; do
    expect "$want"
done <<'EOF_WANT'
content/czj/gk201-secrecy.md:5:11: 错误 [GK201]
content/czj/gk201-miji.md:5:5: 错误 [GK201]
content/czj/gk201-draft.md:6:11: 错误 [GK201]
content/mzj/gk202-id18.md:10:8: 错误 [GK202]: 疑似身份证号（4301**********1234）
content/mzj/gk202-id18.md:14:8: 错误 [GK202]
content/mzj/gk202-id15.md:7:14: 错误 [GK202]
content/mzj/gk202-mobile.md:7:11: 错误 [GK202]: 疑似手机号码（138****5678）
content/mzj/gk202-mobile.md:8:4: 错误 [GK202]
content/mzj/gk202-mobile.md:9:10: 错误 [GK202]
content/mzj/gk202-mobile.md:10:4: 错误 [GK202]
content/mzj/gk202-card.md:7:6: 错误 [GK202]: 疑似银行卡号（6222***********0128）
content/mzj/gk202-card.md:8:4: 错误 [GK202]
content/mzj/gk202-title.md:2:12: 错误 [GK202]
content/czj/2025/gk203-docnum.md:5:14: 错误 [GK203]
content/czj/att/gk204-missing.md:5:16: 错误 [GK204]
content/czj/att/gk204-dir.md:5:16: 错误 [GK204]
content/czj/att/gk205-dotdot.md:5:16: 错误 [GK205]
content/czj/att/gk205-absolute.md:5:16: 错误 [GK205]
content/czj/att/gk205-link.md:5:16: 错误 [GK205]
content/czj/links/gk206-links.md:8:2: 错误 [GK206]
content/czj/links/gk206-links.md:9:2: 错误 [GK206]
content/czj/links/gk206-links.md:10:23: 错误 [GK206]
content/czj/links/gk206-links.md:13:1: 错误 [GK206]
content/czj/links/gk207-html.md:7:4: 错误 [GK207]
content/czj/links/gk207-html.md:11:1: 错误 [GK207]
content/czj/links/gk207-html.md:15:1: 错误 [GK207]
content/czj/gk208-outside.md: 错误 [GK208]
content/czj/time/gk211-late.md:3:8: 警告 [GK211]
content/czj/time/gk211-gk212-2027.md:3:8: 警告 [GK211]
site.toml: 警告 [GK212]
content/baima/gk213-gk214-zw-2025q3.md:5:10: 警告 [GK213]
content/qingshi/gk213-cw-2026-01.md:5:10: 警告 [GK213]
content/baima/gk213-gk214-zw-2025q3.md:3:8: 警告 [GK214]
content/mzj/fixed/gk215-lxfs.md:3:8: 警告 [GK215]
content/czj/gfxwj/gk216-expired.md:6:10: 警告 [GK216]
content/czj/gfxwj/gk217-uncleaned.md:6:10: 警告 [GK217]
content/baima/gk218-no-review.md:1:1: 警告 [GK218]
content/baima/gk218-review-late.md:7:15: 警告 [GK218]
检查了 45 条信息：27 个错误，11 个警告
EOF_WANT
# Negative fixtures (ok-*) say nothing; no message carries a full number.
if grep -q "^content/[^:]*/ok-" "$tmp/err"; then
    bad "a negative fixture was reported"
    grep "^content/[^:]*/ok-" "$tmp/err"
else ok; fi
if grep -q "430102199003071234\|13812345678\|6222021234567890128" "$tmp/err"; then
    bad "a message shows a full number"
else ok; fi
# Grouped by file, errors first: files with errors before warning-only
# files, and within a file its errors before its warnings.
python3 - "$tmp/err" <<'PY' && ok || bad "output is not grouped by file with errors first"
import re, sys
files = []
for l in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"(.*?)(?::\d+:\d+)?: (错误|警告) \[", l)
    if not m:
        continue
    if not files or files[-1][0] != m.group(1):
        assert m.group(1) not in [f[0] for f in files], "file appears twice: " + m.group(1)
        files.append((m.group(1), []))
    files[-1][1].append(m.group(2) == "错误")
for path, errs in files:
    assert errs == sorted(errs, reverse=True), "a warning before an error in " + path
has = [errs[0] for _, errs in files]
assert has == sorted(has, reverse=True), "a file with errors after a warning-only file"
assert len(files) > 20 and any(has) and not all(has)
PY

run check -s "$FIX" --today 2026-03-10 --format json
expect_rc 1 "check --format json of the fixture site"
python3 - "$tmp/out" <<'PY' && ok || bad "json output of the fixture site"
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
assert set(doc) == {"diagnostics", "errors", "warnings"}
assert doc["errors"] == 27 and doc["warnings"] == 11, (doc["errors"], doc["warnings"])
for d in doc["diagnostics"]:
    assert list(d) == ["file", "line", "column", "severity", "code", "message"], list(d)
    assert d["severity"] in ("error", "warning")
    assert isinstance(d["line"], int) and isinstance(d["column"], int)
codes = {d["code"] for d in doc["diagnostics"]}
want = {"GK%d" % n for n in list(range(201, 209)) + list(range(211, 219))}
assert want <= codes, want - codes
one = [d for d in doc["diagnostics"] if d["file"] == "content/mzj/gk202-id18.md"][0]
assert (one["line"], one["column"], one["severity"]) == (10, 8, "error"), one
sev = [d["severity"] for d in doc["diagnostics"]]
assert sev == sorted(sev), "errors do not come first"
PY

run check -s "$FIX" --today 2026-02-30
expect_rc 2 "--today with a date that does not exist"

# ---- build: refuses every error fixture, keeps the previous output ----------
site="$tmp/site"
cp -R "$FIX" "$site"
mkdir "$tmp/held"
for f in $(cd "$site" && find content -name 'gk20*'); do
    mkdir -p "$tmp/held/$(dirname "$f")"
    mv "$site/$f" "$tmp/held/$f"
done
run build -s "$site" -o "$tmp/public"
expect_rc 0 "build of the fixture site without its error fixtures"
if [ -f "$tmp/public/index.html" ]; then ok; else bad "no site was written"; fi
# Items named with spaces, Chinese and decomposed Unicode were built.
if grep -rqF "2025年预算说明" "$tmp/public" && grep -rqF "文件名为分解形式的信息" "$tmp/public"; then
    ok
else
    bad "items with Chinese, spaces or NFD in their file names are missing from the site"
fi
before=$(cd "$tmp/public" && find . -type f -exec md5sum {} + | sort | md5sum)
for f in $(cd "$tmp/held" && find content -name 'gk20*'); do
    code=$(basename "$f" | sed 's/^gk\(20[0-9]\).*/GK\1/')
    mkdir -p "$site/$(dirname "$f")"
    mv "$tmp/held/$f" "$site/$f"
    run build -s "$site" -o "$tmp/public"
    expect_rc 1 "build with $f"
    if grep -q "\[$code\]" "$tmp/err"; then ok; else bad "build with $f does not report $code"; fi
    if grep -q "未生成网站，原有输出保持不变" "$tmp/err"; then ok; else bad "build with $f: no refusal line"; fi
    after=$(cd "$tmp/public" && find . -type f -exec md5sum {} + | sort | md5sum)
    if [ "$before" = "$after" ]; then ok; else bad "a refused build with $f changed the output"; fi
    mv "$site/$f" "$tmp/held/$f"
done
if ls "$tmp" | grep -q "public.tmp"; then bad "staging directory left behind"; else ok; fi
# Warnings never stop a build.
run build -s "$site" -o "$tmp/public"
expect_rc 0 "build with warnings only"

# ---- fix-encoding ------------------------------------------------------------
enc="$tmp/enc"
mkdir -p "$enc/content/czj"
cp tests/fixtures/content/bad/site.toml "$enc/"
cp -R tests/fixtures/content/bad/templates "$enc/"
cp tests/fixtures/content/bad/content/czj/gk102-gbk.md "$enc/content/czj/gbk.md"
run check -s "$enc"
expect "content/czj/gbk.md:2:10: 错误 [GK102]"
expect "gongkai fix-encoding content/czj/gbk.md"
run fix-encoding "$enc/content/czj/gbk.md"
expect_rc 0 "fix-encoding of a GBK file"
if cmp -s "$enc/content/czj/gbk.md.gbk.bak" tests/fixtures/content/bad/content/czj/gk102-gbk.md; then
    ok
else bad "the backup is not the original"; fi
if iconv -f GB18030 -t UTF-8 tests/fixtures/content/bad/content/czj/gk102-gbk.md |
    cmp -s - "$enc/content/czj/gbk.md"; then ok; else bad "the converted file is not the UTF-8 text"; fi
mv "$enc/content/czj/gbk.md.gbk.bak" "$tmp/gbk.bak"
run check -s "$enc"
if grep -q "GK10[12]" "$tmp/err"; then bad "the converted file still fails"; else ok; fi
run fix-encoding "$enc/content/czj/gbk.md"
expect_rc 1 "fix-encoding of a UTF-8 file"
expect "已经是 UTF-8"
printf '\xff\xfe\x00\x01abc' >"$enc/binary.md"
cp "$enc/binary.md" "$tmp/binary.orig"
run fix-encoding "$enc/binary.md"
expect_rc 1 "fix-encoding of a file that is not GB18030"
if cmp -s "$enc/binary.md" "$tmp/binary.orig" && [ ! -e "$enc/binary.md.gbk.bak" ]; then ok; else
    bad "a refused fix-encoding changed something"
fi
cp "$tmp/gbk.bak" "$enc/again.md"
cp "$tmp/gbk.bak" "$enc/again.md.gbk.bak"
run fix-encoding "$enc/again.md"
expect_rc 1 "fix-encoding with a backup already there"
if cmp -s "$enc/again.md" "$tmp/gbk.bak"; then ok; else bad "fix-encoding overwrote with a backup present"; fi
ln -s again.md "$enc/link.md"
run fix-encoding "$enc/link.md"
expect_rc 3 "fix-encoding of a symlink"
run fix-encoding
expect_rc 2 "fix-encoding without a file"
run fix-encoding "$enc/nosuch.md"
expect_rc 2 "fix-encoding of a missing file"

}

for GK in ${GK:-$PWD/gongkai $PWD/build/san/gongkai}; do
    [ -x "$GK" ] || continue
    rm -rf "${tmp:?}"/*
    suite
done
finish
