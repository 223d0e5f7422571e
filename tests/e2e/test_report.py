#!/usr/bin/env python3
"""gongkai report end to end, on a copy of tests/fixtures/report/site whose
counts are known item by item: the CSV read back with Python's csv module
holds exactly the expected figures; the site build has the statistics page
for every year with items, the same CSV beside it, and links from the
政府信息公开 column; the options. Prints "N passed, N failed"."""
import csv
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from harness import ENV, ROOT, Gongkai, check, finish, read_bytes, same_tree  # noqa: E402

FIXTURE = os.path.join(ROOT, "tests", "fixtures", "report", "site")
gongkai = Gongkai(env=ENV)


def rows_of(data):
    """(section, key) -> value, and the rows in order."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return {(r[0], r[1]): r[3] for r in rows[1:]}, rows


# Every figure of 2025, worked out by hand from the fixture's items.
EXPECTED_2025 = {
    ("year", "year"): "2025",
    ("published", "total"): "13",
    ("category", "gfxwj"): "4",
    ("category", "czyjs-ys"): "1",
    ("category", "gzdt"): "4",
    ("category", "xzzw"): "3",
    ("category", "hnbt"): "1",
    ("publisher", "czj"): "5",
    ("publisher", "mzj"): "4",
    ("publisher", "baima"): "3",
    ("publisher", "qingshi"): "1",
    ("normative", "new"): "2",
    ("normative", "amended"): "1",
    ("normative", "repealed"): "1",
    ("normative", "expired"): "1",
    ("normative", "in_force"): "4",
    ("withdrawn", "total"): "1",
    ("timeliness", "on_time"): "10",
    ("timeliness", "late"): "2",
    ("timeliness", "unmeasured"): "1",
    ("timeliness", "on_time_share"): "83.3%",
    ("coverage", "baima/2025-Q1"): "1",
    ("coverage", "baima/2025-Q2"): "1",
    ("coverage", "baima/2025-Q3"): "0",
    ("coverage", "baima/2025-Q4"): "1",
    ("coverage", "qingshi/2025-Q1"): "0",
    ("coverage", "qingshi/2025-Q2"): "0",
    ("coverage", "qingshi/2025-Q3"): "1",
    ("coverage", "qingshi/2025-Q4"): "0",
    ("coverage", "hetang/2025-Q1"): "0",
    ("coverage", "hetang/2025-Q2"): "0",
    ("coverage", "hetang/2025-Q3"): "0",
    ("coverage", "hetang/2025-Q4"): "0",
}


def test_csv(tmp):
    site = os.path.join(tmp, "site")
    shutil.copytree(FIXTURE, site)
    lock_before = read_bytes(os.path.join(site, "catalogue.lock"))
    r = gongkai("report", "-s", site, "--year", "2025")
    check(r.returncode == 0, "report exits 0: %s" % r.stderr)
    path = os.path.join(site, "report-2025.csv")
    if not check(os.path.exists(path), "report-2025.csv written in the site"):
        return
    data = read_bytes(path)
    check(data.startswith(b"\xef\xbb\xbf"), "the CSV starts with a byte order mark")
    check(b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b""), "CRLF line ends")
    got, rows = rows_of(data)
    check(rows[0] == ["section", "key", "name", "value"], "header row: %s" % rows[0])
    for key, want in EXPECTED_2025.items():
        check(got.get(key) == want, "%s = %s, got %s" % (key, want, got.get(key)))
    late = [r for r in rows if r[0] == "late"]
    check([(r[2], r[3]) for r in late] ==
          [('关于"加快"支出进度, 的通知', "28"), ("国庆前形成、第21个工作日公开", "21")],
          "the late items, oldest first, with their working days: %s" % late)
    sections = [r[0] for r in rows[1:]]
    extra = {(r[0], r[1]) for r in rows[1:] if r[0] not in ("late",)} - set(EXPECTED_2025)
    check(not extra, "no figure beyond the expected ones: %s" % extra)
    check(sections == sorted(sections, key=["year", "published", "category", "publisher",
                                             "normative", "withdrawn", "timeliness", "late",
                                             "coverage"].index), "sections in order")
    check("83.3%" in r.stderr and "13 条" in r.stderr, "summary on stderr: %s" % r.stderr)
    check(read_bytes(os.path.join(site, "catalogue.lock")) == lock_before,
          "report does not write catalogue.lock")
    leftovers = [n for n in os.listdir(site) if n.endswith(".tmp")]
    check(not leftovers, "no temporary files left: %s" % leftovers)

    out = os.path.join(tmp, "elsewhere.csv")
    r = gongkai("report", "-s", site, "--year", "2024", "-o", out)
    got, _ = rows_of(read_bytes(out))
    check(r.returncode == 0 and got[("published", "total")] == "3" and
          got[("normative", "new")] == "2" and got[("withdrawn", "total")] == "1",
          "-o writes 2024's figures where asked")
    r = gongkai("report", "-s", site, "--year", "2019", "-o", out)
    got, _ = rows_of(read_bytes(out))
    check(r.returncode == 0 and "GK808" in r.stderr and got[("published", "total")] == "0" and
          got[("timeliness", "on_time_share")] == "", "an empty year warns, share left empty")


def test_site(tmp):
    site = os.path.join(tmp, "site")
    out = os.path.join(tmp, "public")
    r = gongkai("build", "-s", site, "-o", out)
    if not check(r.returncode == 0, "build exits 0: %s" % r.stderr):
        return
    for year in (2023, 2024, 2025, 2026):
        check(os.path.exists(os.path.join(out, "xxgk", "nb", str(year), "index.html")),
              "the statistics page of %d exists" % year)
    check(not os.path.exists(os.path.join(out, "xxgk", "nb", "2022")), "no page for 2022")
    page = read_bytes(os.path.join(out, "xxgk", "nb", "2025", "index.html")).decode()
    text = re.sub(r"<[^>]+>", " ", page)
    text = re.sub(r"\s+", " ", text)
    check("本年度主动公开政府信息 13 条" in text and "撤下已公开的信息 1 条" in text,
          "the page gives the totals")
    check("按时公开率 83.3%" in text, "the page gives the on-time share")
    check(re.search(r"本年修订 1 ", text) and re.search(r"年末现行有效 4 ", text),
          "the page gives the 规范性文件 figures")
    check(re.search(r"白马镇 1 条 1 条 未公开 1 条 3 / 4", text),
          "the page gives baima's quarters")
    check(re.search(r"荷塘镇 未公开 未公开 未公开 未公开 0 / 4", text),
          "a township without items shows every quarter missing")
    check('href="report-2025.csv"' in page, "the page links its CSV relatively")
    built = read_bytes(os.path.join(out, "xxgk", "nb", "2025", "report-2025.csv"))
    check(built == read_bytes(os.path.join(site, "report-2025.csv")),
          "the site's CSV is the one gongkai report writes")
    column = read_bytes(os.path.join(out, "xxgk", "index.html")).decode()
    check('href="nb/2025/"' in column and 'href="nb/2023/"' in column,
          "the 政府信息公开 column links the statistics of each year")
    t = subprocess.run(["tidy", "-e", "-q", os.path.join(out, "xxgk", "nb", "2025", "index.html")],
                       capture_output=True, text=True)
    check("Error" not in t.stderr, "the page is valid HTML: %s" % t.stderr[:300])


def rendered(r):
    m = re.search(r"(\d+) 个页面", r.stderr)
    return int(m.group(1)) if m else -1


def test_rebuild(tmp):
    """A rebuild keeps a statistics page and its CSV while the year's figures
    and the page's templates are as the build cache recorded them and the
    files as written; it writes them again otherwise."""
    site = os.path.join(tmp, "site")
    out = os.path.join(tmp, "public")
    page = os.path.join(out, "xxgk", "nb", "2025", "index.html")
    data = os.path.join(out, "xxgk", "nb", "2025", "report-2025.csv")
    gongkai("build", "-s", site, "-o", out)
    was = (read_bytes(page), read_bytes(data))
    kept = rendered(gongkai("build", "-s", site, "-o", out))
    os.unlink(page)
    with open(data, "r+b") as f:
        f.truncate(10)
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0 and rendered(r) == kept + 1,
          "only the page gone is rendered again (%d, no change: %d)" % (rendered(r), kept))
    check((read_bytes(page), read_bytes(data)) == was, "the page gone and the CSV cut short are "
          "written again as they were")

    def fresh(what):
        ref = os.path.join(tmp, "public-fresh")
        shutil.rmtree(ref, ignore_errors=True)
        cache = os.path.join(site, ".gongkai")
        os.rename(cache, cache + ".saved")
        gongkai("build", "-s", site, "-o", ref)
        shutil.rmtree(cache)
        os.rename(cache + ".saved", cache)
        same_tree(out, ref, "the site after %s, built with the cache" % what)

    # A late item's title is shown by its year's page and CSV only.
    late = os.path.join(site, "content", "czj", "2025", "boundary-late.md")
    with open(late, encoding="utf-8") as f:
        text = f.read()
    with open(late, "w", encoding="utf-8") as f:
        f.write(text.replace("国庆前形成", "国庆前拟定"))
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0 and "国庆前拟定" in read_bytes(page).decode() and
          "国庆前拟定" in read_bytes(data).decode("utf-8-sig"),
          "a late item renamed: its year's page and CSV show the new title")
    fresh("a late item renamed")
    # The page's template: every year's page anew (the site's own copy
    # first, as it was, which changes where templates are found).
    os.makedirs(os.path.join(site, "templates"), exist_ok=True)
    with open(os.path.join(ROOT, "templates", "report.html"), encoding="utf-8") as f:
        text = f.read()
    own = os.path.join(site, "templates", "report.html")
    with open(own, "w", encoding="utf-8") as f:
        f.write(text)
    gongkai("build", "-s", site, "-o", out)
    kept = rendered(gongkai("build", "-s", site, "-o", out))
    with open(own, "w", encoding="utf-8") as f:
        f.write(text + "<!-- 报告模板修改 -->\n")
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0 and rendered(r) == kept + 4,
          "report.html edited: the four years' pages rendered again (%d, no change: %d)" %
          (rendered(r), kept))
    check("报告模板修改" in read_bytes(page).decode(), "the page shows the template's edit")
    fresh("report.html edited")


def test_usage(tmp):
    site = os.path.join(tmp, "site")
    for args in (["report", "-s", site], ["report", "-s", site, "--year", "25"],
                 ["report", "-s", site, "--year", "20x5"], ["report", "-s", site, "2025"]):
        r = gongkai(*args)
        check(r.returncode == 2, "%s is a usage error (2), got %d" % (args, r.returncode))
    r = gongkai("report", "-s", os.path.join(tmp, "nowhere"), "--year", "2025")
    check(r.returncode == 1, "a missing site is an error (1), got %d" % r.returncode)


def main():
    with tempfile.TemporaryDirectory(prefix="gk-report-") as tmp:
        test_csv(tmp)
        test_site(tmp)
        test_rebuild(tmp)
        test_usage(tmp)
    return finish()


if __name__ == "__main__":
    raise SystemExit(main())
