#!/bin/sh
# The gongkai command line end to end: the example site checks clean, every
# broken fixture gives its documented diagnostic at its file and line with
# exit status 1, and the usage paths exit 2. Prints "N passed, N failed".
set -u
GK=${GK:-$PWD/gongkai}
. "$PWD/tests/e2e/lib/harness.sh"

# expect_diag FILE:LINE CODE: a diagnostic with that position and code
expect_diag() {
    if grep -q "^$1:[0-9]*: 错误 \[$2\]\|^$1:[0-9]*: 警告 \[$2\]" "$tmp/err"; then
        ok
    else
        bad "no $2 at $1"
    fi
}

# The example site: no errors.
run check -s .
expect_rc 0 "check of the example site"
if grep -q "错误 \[" "$tmp/err"; then bad "example site has errors"; cat "$tmp/err"; else ok; fi
run check -s . --format json
expect_rc 0 "check --format json"
python3 - "$tmp/out" <<'PY' && ok || bad "check --format json is not the documented schema"
import json, sys
doc = json.load(open(sys.argv[1]))
assert set(doc) == {"diagnostics", "errors", "warnings"}
assert doc["errors"] == 0
for d in doc["diagnostics"]:
    assert set(d) == {"file", "line", "column", "severity", "code", "message"}
PY

# make install: the installed binary finds the installed default templates
# for a site that has none of its own.
make -s install PREFIX="$tmp/prefix" >/dev/null 2>&1
mkdir -p "$tmp/bare"
cp -R site.toml content "$tmp/bare/"
GK="$tmp/prefix/bin/gongkai" run check -s "$tmp/bare"
expect_rc 0 "installed gongkai on a site without templates/"
if [ -f "$tmp/prefix/share/gongkai/templates/catalogue.lua" ]; then ok; else bad "templates not installed"; fi
# The sheets, archive, package and serve commands run through the installed
# gongkai-extra; a gongkai without it says so and exits 3.
GK="$tmp/prefix/bin/gongkai" run sheets -s "$tmp/bare" -o "$tmp/bare-sheets" --period 2025-Q3
expect_rc 0 "installed gongkai sheets (through gongkai-extra)"
if ls "$tmp/bare-sheets"/*.pdf >/dev/null 2>&1; then ok; else bad "installed sheets wrote no PDF"; fi
mkdir -p "$tmp/lonely"
cp "$tmp/prefix/bin/gongkai" "$tmp/lonely/gongkai"
GK="$tmp/lonely/gongkai" run package -s "$tmp/bare"
expect_rc 3 "gongkai without gongkai-extra beside it"
if grep -q "gongkai-extra（package 命令在其中）" "$tmp/err"; then ok; else bad "no word of gongkai-extra"; fi

# Every broken fixture, with the repository's catalogue as installed default.
export GONGKAI_DATADIR="$PWD"
B=content/czj
run check -s tests/fixtures/content/bad
expect_rc 1 "check of the broken fixtures"
expect_diag "$B/gk101-invalid-utf8.md:6" GK101
expect_diag "$B/gk102-gbk.md:2" GK102
expect_diag "$B/gk103-empty.md:1" GK103
expect_diag "$B/gk103-blank.md:1" GK103
expect_diag "$B/gk104-no-front-matter.md:1" GK104
expect_diag "$B/gk105-unclosed.md:1" GK105
expect_diag "$B/gk106-toml-syntax.md:4" GK106
expect_diag "$B/gk106-toml-date.md:3" GK106
expect_diag "$B/gk106-yaml-syntax.md:5" GK106
expect_diag "$B/gk107-missing.md:1" GK107
expect_diag "$B/gk108-wrong-type.md:2" GK108
expect_diag "$B/gk109-bad-date.md:3" GK109
expect_diag "$B/gk109-yaml-date.md:3" GK109
expect_diag "$B/gk110-unknown-department.md:5" GK110
expect_diag "$B/gk111-unknown-category.md:4" GK111
expect_diag "$B/gk112-unknown-key.md:5" GK112
expect_diag "$B/gk113-invalid-value.md:2" GK113
if grep -q "错误 \[GK111\].*财政预算.*财政预决算" "$tmp/err"; then ok; else bad "GK111 suggests no close category"; fi
if grep -q "个错误" "$tmp/err"; then ok; else bad "no summary line"; fi
run check -s tests/fixtures/content/bad --format json
expect_rc 1 "check --format json with errors"
python3 - "$tmp/out" <<'PY' && ok || bad "json diagnostics of the broken fixtures"
import json, sys
doc = json.load(open(sys.argv[1]))
codes = {d["code"] for d in doc["diagnostics"]}
assert {"GK101", "GK106", "GK111", "GK113"} <= codes, codes
assert doc["errors"] == sum(d["severity"] == "error" for d in doc["diagnostics"])
PY

# A broken site.toml: the position of the TOML error, nothing else.
mkdir -p "$tmp/site/content"
printf '[site]\nname = "示例县\n' >"$tmp/site/site.toml"
run check -s "$tmp/site"
expect_rc 1 "check with a broken site.toml"
expect_diag "site.toml:2" GK002
run check -s "$tmp/nowhere"
expect_rc 1 "check without site.toml"
if grep -q "GK001" "$tmp/err"; then ok; else bad "no GK001 without site.toml"; fi

# gongkai new: a skeleton that checks clean once title and body are typed.
site="$tmp/newsite"
mkdir -p "$site"
cp -R site.toml templates "$site/"
run new content/czj/2026/sgjf.md -s "$site" --category 三公经费
expect_rc 0 "new"
f="$site/content/czj/2026/sgjf.md"
if grep -q '^category = "三公经费"' "$f" && grep -q "^date = $(date +%Y-%m-%d)" "$f"; then ok; else
    bad "new wrote no skeleton with category and today's date"
fi
run check -s "$site"
expect_rc 1 "check of the untitled skeleton"
expect_diag "content/czj/2026/sgjf.md:2" GK113
sed -i 's/^title = ""/title = "示例县财政局2026年度“三公”经费预算说明"/' "$f"
printf '2026年度“三公”经费预算合计 56.8 万元。\n' >>"$f"
run check -s "$site"
expect_rc 0 "check after typing a title and body"
run new content/czj/2026/sgjf.md -s "$site"
expect_rc 2 "new over an existing item"
run new content/nosuch/x.md -s "$site"
expect_rc 1 "new in an undeclared department"
run new notes/x.txt -s "$site"
expect_rc 2 "new outside content/"
run new content/czj/x.md -s "$site" --category 不存在的分类
expect_rc 1 "new with an unknown category"

# Usage and version.
run --help
expect_rc 0 "--help"
if grep -q "gongkai check" "$tmp/out" || grep -q "check" "$tmp/out"; then ok; else bad "--help lists no commands"; fi
run --version
expect_rc 0 "--version"
if grep -q "^gongkai [0-9]" "$tmp/out"; then ok; else bad "--version"; fi
run frobnicate
expect_rc 2 "unknown command"
run check --bogus
expect_rc 2 "unknown option"
run check --format xml
expect_rc 2 "bad --format"
run
expect_rc 2 "no command"

# build: a progress line on a terminal only, and not with -q.
site2="$tmp/progress"
mkdir -p "$site2"
cp -R site.toml content templates themes catalogue.lock "$site2/"
run build -s "$site2" -o "$tmp/progress-out"
if grep -q "渲染信息页面" "$tmp/err"; then bad "progress line written to a pipe"; else ok; fi
if command -v script >/dev/null 2>&1; then
    script -qec "$GK build -s $site2 -o $tmp/progress-out" /dev/null >"$tmp/tty" 2>&1
    if grep -q "渲染信息页面 0/" "$tmp/tty"; then ok; else bad "no progress line on a terminal"; fi
    script -qec "$GK build -q -s $site2 -o $tmp/progress-out" /dev/null >"$tmp/tty" 2>&1
    if grep -q "渲染信息页面" "$tmp/tty"; then bad "progress line despite -q"; else ok; fi
fi

# build: refuses a site with errors and writes nothing.
run build -s tests/fixtures/content/bad -o "$tmp/bad-out"
expect_rc 1 "build of a site with errors"
if [ -e "$tmp/bad-out" ] || ls "$tmp" | grep -q "bad-out.tmp"; then bad "a failed build wrote output"; else ok; fi

finish
