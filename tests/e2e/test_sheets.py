#!/usr/bin/env python3
"""Notice-board sheets end to end: gongkai writes the PDFs of a copy of the
example site and of generated fixtures (a 40-item quarter, a table three pages
long, an empty quarter, rare characters), and they are read back with
poppler-utils like a person would read the paper: page size (pdfinfo), fonts
embedded (pdffonts), text present and in reading order (pdftotext -raw, the
order it is drawn in; -bbox for where it sits), the same order from plain
pdftotext (poppler's own layout analysis), and every QR code decoded from a
rendering (pdftoppm + zbarimg) to its item's web address. Also: which items
go on which board and period, determinism, atomic output, the options.
Prints "N passed, N failed"."""
import datetime
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from harness import Gongkai, check, copy_site, finish, read, sha  # noqa: E402

BASE_URL = "https://www.shili.gov.cn/"
A3 = (1190.55, 841.89)  # landscape, points
A4 = (595.28, 841.89)


gongkai = Gongkai()


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def lock_entries(site):
    """source path -> (index number, url) from catalogue.lock."""
    out = {}
    for line in read(os.path.join(site, "catalogue.lock")).splitlines():
        if line and not line.startswith("#"):
            f = line.split("\t")
            out[f[5]] = (f[0], f[6])
    return out


def info(pdf):
    out = run("pdfinfo", "-isodates", pdf)
    pages = int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))
    w, h = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", out, re.M).groups())
    created = re.search(r"^CreationDate:\s+(\S+)", out, re.M).group(1)
    return pages, (w, h), created


def size_is(size, want):
    return abs(size[0] - want[0]) < 0.02 and abs(size[1] - want[1]) < 0.02


def fonts(pdf):
    """(name, embedded, subset) of every font."""
    rows = run("pdffonts", pdf).splitlines()[2:]
    out = []
    for row in rows:
        f = row.split()
        # name type... encoding emb sub uni object ID: emb/sub/uni are the
        # fifth to third fields from the end.
        out.append((f[0], f[-5], f[-4]))
    return out


def text(pdf, page=None):
    """The text in the order it is drawn: the reading order."""
    args = ["pdftotext", "-raw"]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    return run(*args, pdf, "-")


def plain(pdf, page=None):
    """The text as plain pdftotext gives it, in the order poppler's layout
    analysis reads it rather than the drawing order. The invisible fences
    between the page's regions print as ZERO WIDTH SPACE; they are dropped
    here with all white space, which poppler spreads by its own measure."""
    args = ["pdftotext"]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    return re.sub(r"[\s\u200b]+", "", run(*args, pdf, "-"))


def words(pdf):
    """(page, xMin, yMin, xMax, yMax, word) in drawing order."""
    out, page = [], 0
    html = run("pdftotext", "-raw", "-bbox", pdf, "-")
    for m in re.finditer(r'<page |<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                         r'yMax="([\d.]+)">([^<]*)</word>', html):
        if m.group(0) == "<page ":
            page += 1
        else:
            out.append((page, *map(float, m.groups()[:4]), m.group(5)))
    return out


def in_order(haystack, needles):
    """None when every needle occurs, in this order; lines are joined, as a
    long title wraps."""
    haystack = haystack.replace("\n", "")
    at = 0
    for n in needles:
        i = haystack.find(n, at)
        if i < 0:
            return "%s missing or out of order" % n
        at = i + len(n)
    return None


def qr_codes(pdf, tmp):
    """Every QR code on every page, decoded from a 150 dpi rendering."""
    prefix = os.path.join(tmp, "qr")
    for old in glob.glob(prefix + "*.png"):
        os.remove(old)
    subprocess.run(["pdftoppm", "-r", "150", "-png", pdf, prefix], check=True)
    codes = []
    for png in sorted(glob.glob(prefix + "*.png")):
        z = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True)
        codes += [c for c in z.stdout.splitlines() if c]
    return codes


def item(title, date, body, **front):
    lines = ['title = "%s"' % title, "date = %s" % date]
    for k, v in front.items():
        lines.append("%s = %s" % (k, v))
    if "category" not in front:
        lines.append('category = "乡镇政务"')
    return "+++\n%s\n+++\n\n%s\n" % ("\n".join(lines), body)


# ---- the example site ---------------------------------------------------

def test_example(tmp):
    site = copy_site(tmp, "example")
    r = gongkai("sheets", "-s", site, "--period", "latest")
    if not check(r.returncode == 0, "sheets of the example site: %s" % r.stderr[-2000:]):
        return None
    out = os.path.join(site, "sheets")
    want = {"baima-zw-2025-Q3.pdf": A3, "qingshi-zw-2025-Q3.pdf": A3,
            "dongfeng-cw-2025-10.pdf": A4}
    check(sorted(os.listdir(out)) == sorted(want), "sheets written: %s" % os.listdir(out))
    lock = lock_entries(site)
    for name, paper in want.items():
        pdf = os.path.join(out, name)
        if not check(os.path.isfile(pdf), "%s missing" % name):
            continue
        pages, size, _ = info(pdf)
        check(size_is(size, paper), "%s page size %s, want %s" % (name, size, paper))
        fs = fonts(pdf)
        check(fs and all(e == "yes" and s == "yes" for _, e, s in fs),
              "%s: a font is not embedded and subset: %s" % (name, fs))
        check(all("NotoSerifCJK" in n or "NotoSansCJK" in n for n, _, _ in fs),
              "%s uses a font other than Noto CJK: %s" % (name, fs))

    pdf = os.path.join(out, "baima-zw-2025-Q3.pdf")
    t = text(pdf)
    index_no, url = lock["content/baima/2025/zw-2025q3.md"]
    problem = in_order(t, ["示例县白马镇政务公开栏", "2025年第三季度",
                           "公开时间：自2025年9月30日至2025年12月31日",
                           "白马镇2025年第三季度政务公开", "发布机构：示例县白马镇人民政府",
                           "索引号：" + index_no, "一、“7·18”暴雨灾害应对和灾后重建",
                           "扫码查看网页版", BASE_URL + url[1:],
                           "审核人：罗永红 监督小组：", "监督电话：0000-6301234",
                           "第 1 页 共 1 页"])
    check(problem is None, "baima Q3 reading order: %s" % problem)
    check("第二季度政务公开" not in t and "耕地地力保护补贴" not in t,
          "items of another quarter on the Q3 sheet")
    check(info(pdf)[2].startswith("2025-09-30T00:00:00"), "PDF date is not the posting date")
    check(qr_codes(pdf, tmp) == [BASE_URL + url[1:]], "baima Q3 QR code")

    # Q2's report (dated July) and the May subsidy list (no period) are Q2's.
    r = gongkai("sheets", "-s", site, "--board", "baima-zw", "--period", "2025-Q2")
    t = text(os.path.join(out, "baima-zw-2025-Q2.pdf"))
    problem = in_order(t, ["白马镇2025年耕地地力保护补贴发放名单公示（东风村）",
                           "白马镇2025年第二季度政务公开"])
    check(r.returncode == 0 and problem is None, "baima Q2 selection: %s" % problem)

    # The monthly village board: October's accounts, posted in November.
    pdf = os.path.join(out, "dongfeng-cw-2025-10.pdf")
    t = text(pdf)
    check("示例县白马镇东风村村务公开栏" in t and "2025年10月" in t, "dongfeng head")
    urls = {BASE_URL + lock[p][1][1:] for p in lock if p.startswith("content/dongfeng/")
            and "2025-10" in p}
    check(len(urls) == 2 and sorted(qr_codes(pdf, tmp)) == sorted(urls),
          "dongfeng October QR codes")

    # qingshi's only Q4 item is a draft: its Q4 sheet is empty.
    r = gongkai("sheets", "-s", site, "--board", "qingshi-zw", "--period", "2025-Q4")
    t = text(os.path.join(out, "qingshi-zw-2025-Q4.pdf"))
    check(r.returncode == 0 and "本期无公开事项" in t and "第四季度政务公开" not in t,
          "a draft printed, or the empty sheet does not say so")
    return site


def test_deterministic(tmp, site):
    out = os.path.join(site, "sheets")
    before = {f: sha(os.path.join(out, f)) for f in os.listdir(out)}
    env = dict(os.environ, TZ="America/New_York")
    time.sleep(1.1)
    r = gongkai("sheets", "-s", site, "--period", "latest", env=env)
    check(r.returncode == 0, "second run")
    after = {f: sha(os.path.join(out, f)) for f in os.listdir(out)}
    check(all(before[f] == after[f] for f in after if f in before),
          "same content, different bytes (another time and time zone)")
    check(not [f for f in os.listdir(out) if f.startswith(".")], "temporary files left behind")


def test_atomic(tmp, site):
    out = os.path.join(site, "sheets")
    pdf = os.path.join(out, "baima-zw-2025-Q3.pdf")
    old = sha(pdf)
    # A content error: nothing is written, the sheet on disk stays as it was.
    bad = os.path.join(site, "content", "baima", "2025", "bad.md")
    write(bad, item("坏日期", "2025-02-30", "正文"))
    r = gongkai("sheets", "-s", site, "--period", "latest")
    check(r.returncode == 1 and "bad.md" in r.stderr, "a content error does not stop sheets")
    check(sha(pdf) == old, "a failed run changed the sheet on disk")
    os.remove(bad)
    # An output directory that cannot be made: GK501, exit 3.
    blocker = os.path.join(tmp, "blocker")
    write(blocker, "a file, not a folder")
    r = gongkai("sheets", "-s", site, "--period", "latest", "-o", os.path.join(blocker, "x"))
    check(r.returncode == 3 and "GK501" in r.stderr, "unwritable output: %s" % r.stderr[-500:])


def test_withdrawn(tmp, site):
    os.remove(os.path.join(site, "content", "baima", "2025", "zw-2025q3.md"))
    r = gongkai("sheets", "-s", site, "--board", "baima-zw", "--period", "2025-Q3")
    t = text(os.path.join(site, "sheets", "baima-zw-2025-Q3.pdf"))
    check(r.returncode == 0 and "第三季度政务公开" not in t and "本期无公开事项" in t,
          "a withdrawn item still prints")


def test_options(tmp, site):
    out = os.path.join(tmp, "options")
    r = gongkai("sheets", "-s", site, "--board", "baima-zw", "--period", "2025-Q1",
                "--paper", "A4", "-o", out)
    pdf = os.path.join(out, "baima-zw-2025-Q1.pdf")
    check(r.returncode == 0 and os.path.isfile(pdf), "--paper A4 -o: %s" % r.stderr[-500:])
    if os.path.isfile(pdf):
        check(size_is(info(pdf)[1], A4), "--paper A4 is not A4 portrait")
    for args, what in ((["--paper", "A5"], "paper"), (["--period", "2026-13"], "period"),
                       (["--period", "Q3"], "period"), (["--board", "nowhere"], "board"),
                       (["extra"], "operand")):
        r = gongkai("sheets", "-s", site, "-o", out, *args)
        check(r.returncode == 2, "bad %s %s: exit %d" % (what, args, r.returncode))
    # Without --period: the current period of each board.
    today = datetime.date.today()
    r = gongkai("sheets", "-s", site, "-o", out)
    q = "%d-Q%d" % (today.year, (today.month - 1) // 3 + 1)
    m = "%d-%02d" % (today.year, today.month)
    check(r.returncode == 0 and os.path.isfile(os.path.join(out, "baima-zw-%s.pdf" % q))
          and os.path.isfile(os.path.join(out, "dongfeng-cw-%s.pdf" % m)),
          "default period is not the current one: %s" % os.listdir(out))


def test_empty(tmp, site):
    r = gongkai("sheets", "-s", site, "--board", "baima-zw", "--period", "2024-Q1")
    pdf = os.path.join(site, "sheets", "baima-zw-2024-Q1.pdf")
    if not check(r.returncode == 0 and os.path.isfile(pdf), "empty quarter: %s" % r.stderr):
        return
    pages, size, created = info(pdf)
    t = text(pdf)
    problem = in_order(t, ["示例县白马镇政务公开栏", "2024年第一季度", "本期无公开事项",
                           "审核人：＿＿＿＿＿＿", "监督电话：0000-6301234", "第 1 页 共 1 页"])
    check(pages == 1 and size_is(size, A3) and problem is None, "empty sheet: %s" % problem)
    check(created.startswith("2024-04-01"), "empty sheet's date: %s" % created)


# ---- a 40-item quarter --------------------------------------------------

def big_body(n):
    body = ["经镇政务公开监督小组审核，现将第%d号事项公布如下。" % n,
            "## 一、基本情况",
            "本事项涉及**重点工作**和*惠民政策*，资金%d.%02d万元。" % (n * 3, n),
            "1. 第一项：完成情况良好；\n2. 第二项：正在推进；\n3. 第三项：下季度完成。",
            "## 二、资金明细",
            "| 项目 | 金额（元） |\n| --- | --- |\n| 低保金 | %d,%03d |\n| 救助金 | %d.50 |"
            % (n, n * 7, n * 11),
            "> 群众对公示内容有异议的，请在公示期内反映。",
            "- 监督电话见页脚\n- 扫码查看网页版"]
    if n % 5 == 0:
        body.append("## 三、补充说明\n\n" + "补充说明的内容较长，需要折行排版。" * 12)
    return "\n\n".join(body)


def test_big_quarter(tmp):
    site = copy_site(tmp, "big")
    content = os.path.join(site, "content", "baima", "2026")
    day0 = datetime.date(2026, 4, 1)
    titles = []
    for n in range(1, 41):
        day = day0 + datetime.timedelta(days=(n - 1) * 2)
        title = "白马镇2026年第二季度第%02d号公开事项" % n
        if n == 7:
            title = "关于䶮字〔2026〕、，；：“引号”测试的通知"
        titles.append(title)
        extra = {"doc_number": '"白政发[2026]%d号"' % n} if n % 4 == 0 else {}
        write(os.path.join(content, "item-%02d.md" % n),
              item(title, day, big_body(n), reviewed_by='"罗永红"', reviewed_on=day, **extra))
    # Never printed: a draft, 依申请公开, 不予公开, another board's item.
    write(os.path.join(content, "draft.md"), item("草稿不应出现", "2026-05-01", "x", draft="true"))
    write(os.path.join(content, "request.md"),
          item("依申请公开不应出现", "2026-05-01", "x", disclosure='"依申请公开"'))
    write(os.path.join(content, "withheld.md"),
          item("不予公开不应出现", "2026-05-01", "x", disclosure='"不予公开"'))
    write(os.path.join(content, "elsewhere.md"),
          item("青石乡公开栏的事项不应出现", "2026-05-01", "x", boards='["qingshi-zw"]'))
    # A period item dated after the quarter still belongs to it.
    write(os.path.join(content, "late.md"),
          item("白马镇2026年第二季度政务公开（季末汇总）", "2026-07-03", "汇总。",
               period='"2026-Q2"', reviewed_by='"罗永红"', reviewed_on="2026-07-02"))
    titles.append("白马镇2026年第二季度政务公开（季末汇总）")

    started = time.time()
    r = gongkai("sheets", "-s", site, "--board", "baima-zw", "--period", "2026-Q2")
    took = time.time() - started
    pdf = os.path.join(site, "sheets", "baima-zw-2026-Q2.pdf")
    if not check(r.returncode == 0 and os.path.isfile(pdf), "40-item quarter: %s" % r.stderr):
        return
    check("GK504" not in r.stderr, "rare characters reported as missing: %s" % r.stderr)
    pages, size, created = info(pdf)
    print("40-item quarter: %d pages, %.2f s" % (pages, took))
    check(pages >= 2 and size_is(size, A3), "40 items on %d pages of %s" % (pages, size))
    check(created.startswith("2026-07-03"), "PDF date %s is not the newest item's" % created)
    t = text(pdf)
    check(in_order(t, titles) is None, "titles out of order: %s" % in_order(t, titles))
    items = [(title, ["现将第%d号事项公布如下" % n, "资金%d.%02d万元" % (n * 3, n)])
             for n, title in enumerate(titles[:40], 1)] + [(titles[40], ["汇总。"])]
    problem = items_in_order(plain(pdf), items) or head_and_foot(pdf, pages)
    check(problem is None, "40 items, plain pdftotext: %s" % problem)
    check("䶮" in t and "〔2026〕、，；：“引号”" in t, "rare characters lost")
    check("白政发〔2026〕8号" in t and "[2026]" not in t, "document numbers not normalised")
    for never in ("草稿不应出现", "依申请公开不应出现", "不予公开不应出现", "青石乡公开栏的事项不应出现"):
        check(never not in t, "%s printed" % never)
    for p in range(1, pages + 1):
        tp = text(pdf, p)
        check(in_order(tp, ["示例县白马镇政务公开栏", "2026年第二季度",
                            "审核人：罗永红 监督小组：＿＿＿＿＿＿ 日期：2026年7月2日",
                            "监督电话：0000-6301234", "第 %d 页 共 %d 页" % (p, pages)]) is None,
              "page %d head or foot" % p)
    fs = fonts(pdf)
    check(fs and all(e == "yes" and s == "yes" for _, e, s in fs), "fonts not embedded: %s" % fs)

    # No heading, title or meta line stranded at a column foot: what follows
    # it is in the same column, below it.
    ws = words(pdf)
    col_w = (A3[0] - 2 * 42.52 - 2 * 22.68) / 3
    stranded = []
    for i, (page, x0, y0, _, _, w) in enumerate(ws[:-1]):
        if re.match(r"^(一|二|三)、", w) or w in titles or w.startswith("索引号"):
            nxt = ws[i + 1]
            if nxt[0] != page or abs(nxt[1] - x0) > col_w or nxt[2] <= y0:
                stranded.append(w)
    check(not stranded, "stranded at a column foot: %s" % stranded[:5])

    lock = lock_entries(site)
    urls = sorted(BASE_URL + u[1:] for p, (_, u) in lock.items()
                  if p.startswith("content/baima/2026/item-") or p.endswith("/late.md"))
    codes = qr_codes(pdf, tmp)
    check(len(urls) == 41 and sorted(codes) == urls,
          "QR codes: %d decoded, %d items" % (len(codes), len(urls)))

    # A character no installed font has is reported, naming the file.
    write(os.path.join(content, "tofu.md"),
          item("生僻字测试", "2026-08-03", "这个字没有字体：\U00030000。"))
    r = gongkai("sheets", "-s", site, "--board", "baima-zw", "--period", "2026-Q3")
    check(r.returncode == 0 and "GK504" in r.stderr and "tofu.md" in r.stderr,
          "missing glyph not reported: %s" % r.stderr[-500:])


# ---- reading order without -raw -------------------------------------------

def items_in_order(t, items):
    """None when each item's title is followed by its own text, in order,
    and by no other item's, before the next item's title; items are (title,
    [text, ...]), the first text of each found in no other item."""
    at = []
    for title, _ in items:
        i = t.find(title, at[-1] + 1 if at else 0)
        if i < 0:
            return "title %s missing or out of order" % title
        at.append(i)
    at.append(len(t))
    for k, (title, body) in enumerate(items):
        own = t[at[k]:at[k + 1]]
        problem = in_order(own, body)
        if problem:
            return "%s: %s before the next title" % (title, problem)
        for other, texts in items:
            if other != title and texts[0] in own:
                return "%s: text of %s before the next title" % (title, other)
    return None


def head_and_foot(pdf, pages):
    """None when plain pdftotext reads each page's head first and its foot
    last."""
    for p in range(1, pages + 1):
        t = plain(pdf, p)
        if not (t.startswith("示例县白马镇政务公开栏") and t.endswith("第%d页共%d页" % (p, pages))):
            return "page %d: %s … %s" % (p, t[:30], t[-30:])
    return None


def test_plain_order(tmp):
    """Ten items in three columns (A3) and in two (A4), as plain pdftotext
    reads them: each title, then that item's own text down to its QR code's
    address, then the next title; each page's head first, its foot last."""
    site = copy_site(tmp, "plain")
    content = os.path.join(site, "content", "baima", "2026")
    lock_paths = []
    for n in range(1, 11):
        day = datetime.date(2026, 4, 1) + datetime.timedelta(days=n * 3)
        write(os.path.join(content, "order-%02d.md" % n),
              item("白马镇2026年第二季度第%02d号公开事项" % n, day, big_body(n),
                   reviewed_by='"罗永红"', reviewed_on=day))
        lock_paths.append("content/baima/2026/order-%02d.md" % n)
    for paper, columns in (("A3", 3), ("A4", 2)):
        out = os.path.join(tmp, "plain-" + paper)
        r = gongkai("sheets", "-s", site, "--board", "baima-zw", "--period", "2026-Q2",
                    "--paper", paper, "-o", out)
        pdf = os.path.join(out, "baima-zw-2026-Q2.pdf")
        if not check(r.returncode == 0, "%s sheet: %s" % (paper, r.stderr[-500:])):
            continue
        pages = info(pdf)[0]
        col_w = (info(pdf)[1][0] - 2 * 42.52) / columns
        xs = {int((w[1] - 42.52) // col_w) for w in words(pdf) if w[5].startswith("白马镇2026年")}
        check(pages >= 2 and len(xs) == columns,
              "%s: %d pages, titles in %d columns: not a multi-column test" % (paper, pages, len(xs)))
        lock = lock_entries(site)
        items = []
        for n, path in enumerate(lock_paths, 1):
            items.append(("白马镇2026年第二季度第%02d号公开事项" % n,
                          ["现将第%d号事项公布如下" % n, "资金%d.%02d万元" % (n * 3, n),
                           "%d,%03d" % (n, n * 7), "%d.50" % (n * 11),
                           "群众对公示内容有异议的",
                           BASE_URL + lock[path][1][1:]]))
        problem = items_in_order(plain(pdf), items)
        check(problem is None, "%s, plain pdftotext: %s" % (paper, problem))
        problem = head_and_foot(pdf, pages)
        check(problem is None, "%s, plain pdftotext, head not first or foot not last: %s"
              % (paper, problem))


# ---- a table three pages long -------------------------------------------

def test_long_table(tmp):
    site = copy_site(tmp, "table")
    rows = 200
    table = ["| 序号 | 户主姓名 | 村民小组 | 补贴面积（亩） | 补贴金额（元） |",
             "| ---: | --- | --- | ---: | --- |"]
    for n in range(1, rows + 1):
        table.append("| %d | 张*%d | 第%d组 | %d.%02d | %d,%03d.50 |"
                     % (n, n, n % 9 + 1, n % 13 + 1, n % 100, n % 7 + 1, n * 3 % 1000))
    body = "## 补贴名单\n\n" + "\n".join(table) + "\n\n以上名单公示七天。"
    write(os.path.join(site, "content", "baima", "2026", "mingdan.md"),
          item("白马镇2026年第一季度耕地地力保护补贴名单", "2026-02-10", body,
               reviewed_by='"罗永红"', reviewed_on="2026-02-09"))
    r = gongkai("sheets", "-s", site, "--board", "baima-zw", "--period", "2026-Q1")
    pdf = os.path.join(site, "sheets", "baima-zw-2026-Q1.pdf")
    if not check(r.returncode == 0 and os.path.isfile(pdf), "long table: %s" % r.stderr):
        return
    pages = info(pdf)[0]
    check(pages == 3, "the long table takes %d pages, not 3" % pages)
    ws = words(pdf)
    # The header row opens the table in every column it runs through.
    for p in range(1, pages + 1):
        heads = [w for w in ws if w[0] == p and w[5] == "户主姓名"]
        columns = {int((w[1] - 42.52) // ((A3[0] - 2 * 42.52 + 22.68) / 3)) for w in ws
                   if w[0] == p and w[5].startswith("张*")}
        check(len(heads) == len(columns) and len(heads) >= 1,
              "page %d: %d header rows for %d columns of the table" % (p, len(heads), len(columns)))
        for h in heads:
            below = [w for w in ws if w[0] == p and w[5].startswith("张*")
                     and abs(w[1] - h[1]) < 5 and w[2] > h[2]]
            above = [w for w in ws if w[0] == p and w[5].startswith("张*")
                     and abs(w[1] - h[1]) < 5 and w[2] < h[2]]
            check(below and not above, "page %d: a header row not at the top of its column" % p)
    names = [int(w[5][2:]) for w in ws if w[5].startswith("张*")]
    check(names == list(range(1, rows + 1)), "table rows lost or out of order")
    names = [int(n) for n in re.findall(r"张\*(\d+)", plain(pdf))]
    check(names == list(range(1, rows + 1)), "table rows out of order in plain pdftotext")
    # Figures line up on the right: the amounts column (no alignment given,
    # all numbers) and the area column (---:).
    for shape in (r"^\d,\d{3}\.50$", r"^\d+\.\d\d$"):
        edges = {}
        for w in ws:
            if re.match(shape, w[5]):
                col = int((w[1] - 42.52) // ((A3[0] - 2 * 42.52 + 22.68) / 3))
                edges.setdefault((w[0], col), set()).add(round(w[3], 1))
        check(edges and all(max(e) - min(e) < 0.6 for e in edges.values()),
              "numbers not right-aligned (%s): %s" % (shape, list(edges.values())[:2]))
    check(qr_codes(pdf, tmp) == [BASE_URL + lock_entries(site)
                                 ["content/baima/2026/mingdan.md"][1][1:]],
          "long table item's QR code")


# ---- what cannot be printed ---------------------------------------------

def test_problems(tmp, site):
    # A row taller than a whole column: printed cut, with a warning.
    cell = "很长的说明文字，" * 400
    write(os.path.join(site, "content", "baima", "2026", "tall.md"),
          item("一格很长的表格", "2026-11-02", "| 项目 | 说明 |\n| --- | --- |\n| 甲 | %s |" % cell))
    r = gongkai("sheets", "-s", site, "--board", "baima-zw", "--period", "2026-Q4")
    check(r.returncode == 0 and "GK505" in r.stderr and "tall.md" in r.stderr,
          "a row taller than a column is not reported: %s" % r.stderr[-500:])
    # Without the Noto CJK fonts: refused, naming the package.
    conf = os.path.join(tmp, "fonts.conf")
    write(conf, '<?xml version="1.0"?>\n<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>'
          "<cachedir>%s</cachedir></fontconfig>\n" % os.path.join(tmp, "fccache"))
    r = gongkai("sheets", "-s", site, "--period", "latest", "-o", os.path.join(tmp, "nofonts"),
                env=dict(os.environ, FONTCONFIG_FILE=conf))
    check(r.returncode == 1 and "GK503" in r.stderr and "fonts-noto-cjk" in r.stderr
          and not os.path.exists(os.path.join(tmp, "nofonts")),
          "missing fonts not refused: %s" % r.stderr[-500:])
    # An address too long for a QR code.
    toml = os.path.join(site, "site.toml")
    original = read(toml)
    write(toml, original.replace('base_url = "https://www.shili.gov.cn/"',
                                 'base_url = "https://www.shili.gov.cn/%s/"' % ("a" * 3000)))
    r = gongkai("sheets", "-s", site, "--period", "latest", "-o", os.path.join(tmp, "longurl"))
    check(r.returncode == 1 and "GK502" in r.stderr, "URL too long for a QR code: %s"
          % r.stderr[-500:])
    write(toml, original)


def main():
    for tool in ("pdfinfo", "pdffonts", "pdftotext", "pdftoppm", "zbarimg"):
        if not shutil.which(tool):
            check(False, "%s is not installed (poppler-utils, zbar-tools)" % tool)
    with tempfile.TemporaryDirectory() as tmp:
        site = test_example(tmp)
        if site:
            test_deterministic(tmp, site)
            test_atomic(tmp, site)
            test_empty(tmp, site)
            test_options(tmp, site)
            test_withdrawn(tmp, site)
            test_problems(tmp, site)
        test_big_quarter(tmp)
        test_plain_order(tmp)
        test_long_table(tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
