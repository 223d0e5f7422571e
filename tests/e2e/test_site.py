#!/usr/bin/env python3
"""The built site end to end: gongkai builds a copy of the example site and
fixture sites; the pages are read back and checked like a visitor would:
present, linked, carrying the right metadata, valid HTML (tidy), QR codes that
decode to the page's URL, escaping, determinism, atomic output, withdrawn
items, stable index numbers. Prints "N passed, N failed"."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from harness import ROOT, Gongkai, Links, check, copy_site, finish, pages, read, same_tree  # noqa: E402

gongkai = Gongkai()


def lock_numbers(site):
    """index number -> the rest of its catalogue.lock line."""
    nums = {}
    for line in read(os.path.join(site, "catalogue.lock")).splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            nums[fields[0]] = fields[1:]
    return nums


def item_page(out, source):
    """The built page of the item whose source file is `source`."""
    for p in pages(out):
        if p.endswith("/print/index.html"):
            continue
        if source in read(p) and 'class="meta' in read(p):
            return p
    return None


def test_example_site(tmp):
    site = copy_site(tmp)
    out = os.path.join(tmp, "public")
    r = gongkai("build", "-s", site, "-o", out)
    if not check(r.returncode == 0, "build of the example site: %s" % r.stderr[-2000:]):
        return None
    for rel in ("index.html", "xxgk/index.html", "xxgk/ml/gfxwj/index.html", "czj/index.html",
                "baima/index.html", "404.html", "feed.xml", "czj/feed.xml", "sitemap.xml",
                "css/site.css"):
        check(os.path.isfile(os.path.join(out, rel)), "page %s missing" % rel)
    check(os.path.isfile(os.path.join(site, "catalogue.lock")), "no catalogue.lock written")

    # Every internal link and asset of every page exists: the site can be
    # browsed page by page, from any directory.
    broken = []
    for p in pages(out):
        parser = Links()
        parser.feed(read(p))
        for link in parser.links:
            if re.match(r"^[a-z]+:", link) or link.startswith("#") or p.endswith("404.html"):
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(p), link.split("#")[0]))
            if os.path.isdir(target):
                target = os.path.join(target, "index.html")
            if not os.path.exists(target):
                broken.append("%s -> %s" % (os.path.relpath(p, out), link))
    check(not broken, "broken links: %s" % broken[:10])

    # Valid HTML5: tidy reports no errors on any page.
    bad = []
    for p in pages(out):
        t = subprocess.run(["tidy", "-e", "-q", p], capture_output=True, text=True)
        if t.returncode >= 2:
            bad.append("%s: %s" % (os.path.relpath(p, out), t.stderr.strip()[:300]))
    check(not bad, "tidy errors: %s" % bad[:5])

    # Footer identifiers on every page.
    home = read(os.path.join(out, "index.html"))
    for p in pages(out):
        text = read(p)
        if "3399000001" not in text and "网站标识码" not in text:
            check(False, "no footer identifiers on %s" % p)
            break
    else:
        check(True, "")
    check('lang="zh-CN"' in home, "home page without lang")
    # No external requests: nothing is loaded from another host.
    external = [p for p in pages(out) if re.search(r'(src|href)="(https?:)?//(?!www\.shili\.gov\.cn)[^"]*\.(css|js|png|jpg|svg|woff2?)"', read(p))]
    check(not external, "external resources in %s" % external[:3])

    # An item page: the metadata above the body, 文号 normalised, 索引号.
    p = item_page(out, "content/zfb/2024/gfxwj-zhengwu-gongkai-banfa.md") or item_page(
        out, "content/zfb")
    if check(p is not None, "no item page found"):
        text = read(p)
        check("索引号" in text and "发布机构" in text, "item page lacks the metadata table")
        meta = text.find('class="meta')
        body = text.find('class="body')
        check(0 <= meta < body, "metadata table is not above the body")
    sloppy = [q for q in pages(out) if "示政办发[2024]9号" in read(q)]
    check(not sloppy, "document number [2024] not normalised in %s" % sloppy[:3])
    check(any("示政办发〔2024〕9号" in read(q) for q in pages(out)),
          "normalised document number 示政办发〔2024〕9号 shown nowhere")

    # Drafts and 不予公开 never appear; 依申请公开 shows no body.
    for page in pages(out):
        if "qingshi/2025/zw-2025q4" in read(page):
            check(False, "the draft is published: %s" % page)
            break
    else:
        check(True, "")

    # An item given on request (依申请公开) shows its metadata, never its body:
    # not on its page, not as a summary in listings or feeds, not in search.
    secret = "调查成果已通过省级核查和国家级抽查"
    leaks = [os.path.relpath(os.path.join(d, f), out) for d, _, files in os.walk(out)
             for f in files if secret in open(os.path.join(d, f), encoding="utf-8",
                                              errors="replace").read()]
    check(not leaks, "the body of a 依申请公开 item leaks into %s" % leaks[:5])
    check(any("示例县2024年度国土变更调查成果" in read(q) for q in pages(out)),
          "the 依申请公开 item is not listed at all")

    # The QR code of an item page decodes to the page's absolute URL.
    if p and shutil.which("rsvg-convert") and shutil.which("zbarimg"):
        text = read(p)
        m = re.search(r"(<svg[^>]*role=\"img\".*?</svg>)", text, re.S)
        if check(m is not None, "no QR code on the item page"):
            svg = os.path.join(tmp, "qr.svg")
            png = os.path.join(tmp, "qr.png")
            with open(svg, "w") as f:
                f.write(m.group(1).replace("<svg ", '<svg width="400" height="400" ', 1))
            subprocess.run(["rsvg-convert", "-o", png, svg], check=True)
            z = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True)
            rel = os.path.relpath(os.path.dirname(p), out)
            check(z.stdout.strip() == "https://www.shili.gov.cn/%s/" % rel,
                  "QR decodes to %r, want the page URL /%s/" % (z.stdout.strip(), rel))
    return site, out


def test_deterministic(tmp, site, out):
    out2 = os.path.join(tmp, "public2")
    r = gongkai("build", "-s", site, "-o", out2)
    check(r.returncode == 0, "second build failed")
    same_tree(out, out2, "two builds")


def test_unchanged_files_kept(tmp, site, out):
    """A rebuild rewrites only what changed: the rest keep inode and mtime."""
    def stamps():
        return {os.path.join(d, f): (os.stat(os.path.join(d, f)).st_ino,
                                     os.stat(os.path.join(d, f)).st_mtime_ns)
                for d, _, files in os.walk(out) for f in files}
    before = stamps()
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0, "no-change rebuild failed")
    after = stamps()
    check(before == after, "a no-change rebuild touched %d files" %
          sum(before[p] != after.get(p) for p in before))
    victim = os.path.join(site, "content", "czj", "2025")
    name = sorted(f for f in os.listdir(victim) if f.endswith(".md"))[0]
    with open(os.path.join(victim, name), "a", encoding="utf-8") as f:
        f.write("\n补充说明：本条信息于重新生成时追加一句。\n")
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0, "rebuild after an edit failed")
    edited = stamps()
    changed = [p for p in before if before[p] != edited.get(p)]
    check(changed and len(changed) < len(before) / 4,
          "an edit of one item rewrote %d of %d files" % (len(changed), len(before)))
    check(any(p.endswith(".html") and "补充说明" in read(p) for p in changed),
          "the edited item's page was not rewritten")


def test_attachments(tmp):
    """An item's attachments are published beside its page, and its link finds them."""
    site = copy_site(tmp, "attach")
    folder = os.path.join(site, "content", "czj", "2025")
    with open(os.path.join(folder, "预算表 2025.csv"), "w", encoding="utf-8") as f:
        f.write("项目,金额\n基本支出,1234.5\n")
    with open(os.path.join(folder, "fujian.md"), "w", encoding="utf-8") as f:
        f.write('+++\ntitle = "示例县财政局2025年部门预算表（附件）"\ndate = 2025-02-10\n'
                'category = "财政预决算"\nattachments = ["预算表 2025.csv"]\n+++\n\n'
                "部门预算表见附件。本表按功能分类列示基本支出和项目支出。\n")
    out = os.path.join(tmp, "attach-out")
    r = gongkai("build", "-s", site, "-o", out)
    if not check(r.returncode == 0, "build with an attachment: %s" % r.stderr[-1000:]):
        return
    page = item_page(out, "content/czj/2025/fujian.md")
    if check(page is not None, "no page for the item with an attachment"):
        copied = os.path.join(os.path.dirname(page), "预算表 2025.csv")
        check(os.path.isfile(copied) and "1234.5" in read(copied),
              "the attachment is not published beside its page")
        check("附件" in read(page), "the item page does not list its attachment")


def test_escaping(tmp):
    site = copy_site(tmp, "escape")
    path = os.path.join(site, "content", "czj", "xss.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write('+++\ntitle = "<script>alert(1)</script>"\ndate = 2025-06-01\n'
                'category = "工作动态"\nkeywords = ["\\"><img src=x onerror=alert(1)>"]\n+++\n\n'
                "正文 `<script>alert(2)</script>`\n")
    out = os.path.join(tmp, "escape-out")
    r = gongkai("build", "-s", site, "-o", out)
    if not check(r.returncode == 0, "build with a hostile title: %s" % r.stderr[-1000:]):
        return
    for p in pages(out):
        text = read(p)
        if "<script>alert" in text or "<img src=x" in text:
            check(False, "unescaped markup in %s" % p)
            return
    check(any("&lt;script&gt;alert(1)&lt;/script&gt;" in read(p) for p in pages(out)),
          "the hostile title is not shown as text")


def test_atomic(tmp, site, out):
    before = {p: read(p) for p in pages(out)}
    broken = copy_site(tmp, "broken-theme")
    os.makedirs(os.path.join(broken, "themes", "default", "templates"), exist_ok=True)
    with open(os.path.join(broken, "templates", "item.html"), "w") as f:
        f.write("<% layout('layouts/base.html') %>\n<p><%= item.nope.deeper %></p>\n")
    r = gongkai("build", "-s", broken, "-o", out)
    check(r.returncode == 1, "build with a broken template exit %d" % r.returncode)
    check("templates/item.html:2" in r.stderr, "template error does not name file and line: %s"
          % r.stderr[-500:])
    after = {p: read(p) for p in pages(out)}
    check(before == after, "a failed build changed the previous output")
    check(not [d for d in os.listdir(tmp) if ".tmp-" in d], "staging directory left behind")


def test_withdrawn_and_numbers(tmp):
    site = copy_site(tmp, "history")
    out = os.path.join(tmp, "history-out")
    check(gongkai("build", "-s", site, "-o", out).returncode == 0, "first build")
    first = lock_numbers(site)
    # Delete one item, rename another, add a back-dated one.
    victim = os.path.join(site, "content", "czj", "2025")
    files = sorted(f for f in os.listdir(victim) if f.endswith(".md"))
    gone = os.path.join(victim, files[0])
    gone_text = read(gone)
    os.remove(gone)
    os.rename(os.path.join(victim, files[1]), os.path.join(victim, "renamed-" + files[1]))
    with open(os.path.join(victim, "backdated.md"), "w", encoding="utf-8") as f:
        f.write('+++\ntitle = "补录：2025年1月财政资金拨付情况"\ndate = 2025-01-02\n'
                'category = "财政预决算"\n+++\n\n补录的信息。\n')
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0, "rebuild after delete/rename/add: %s" % r.stderr[-1000:])
    second = lock_numbers(site)
    check(set(first) <= set(second), "an index number disappeared from catalogue.lock")
    check(len(second) == len(first) + 1, "the back-dated item did not get exactly one new number")
    title = re.search(r'^title = "(.*)"', gone_text, re.M).group(1)
    withdrawn = [p for p in pages(out) if title in read(p) and "撤" in read(p)]
    check(withdrawn, "the deleted item's URL has no withdrawn page")


def test_item_tables(tmp):
    """An item's table makes its fields when first read: a template sees
    every field by name and by pairs() (not the hidden item number), the
    same value twice, and rawget only the fields already read (by this page
    or another the state rendered); at the top of the item page and of a
    listing alike."""
    site = copy_site(tmp, "item-tables")
    probe = (
        '<% local t = EXPR -%>'
        '<p class="probe">before=<%= tostring(rawget(t, "index_no")) %>'
        ';index_no=<%= t.index_no %>'
        ';after=<%= tostring(rawget(t, "index_no") == t.index_no) %>'
        ';same=<%= tostring(t.attachments == t.attachments) %>'
        ';dept=<%= t.dept.id %>'
        ';keys=<% local ks = {} for k in pairs(t) do ks[#ks + 1] = type(k) == "string" and k '
        'or "?" .. type(k) end table.sort(ks) %><%= table.concat(ks, ",") %></p>\n')
    for name, expr in (("item.html", "page.item"), ("category.html", "page.items[1]")):
        path = os.path.join(site, "templates", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        text = read(os.path.join(ROOT, "templates", name))
        head, rest = text.split("\n", 1)  # the layout() line, then the page
        guard = "<% if page.items and #page.items > 0 then -%>\n" if name != "item.html" else ""
        with open(path, "w", encoding="utf-8") as f:
            f.write(head + "\n" + guard + probe.replace("EXPR", expr)
                    + ("<% end -%>\n" if guard else "") + rest)
    out = os.path.join(tmp, "item-tables-out")
    r = gongkai("build", "-s", site, "-o", out)
    if not check(r.returncode == 0, "build with probing templates: %s" % r.stderr[-1000:]):
        return
    probes = [m for p in pages(out) for m in re.findall(r'<p class="probe">(.*?)</p>', read(p))]
    check(len(probes) > 10, "the probes are on item and listing pages (%d)" % len(probes))
    unread, wrong = 0, []
    for text in probes:
        fields = dict(kv.split("=", 1) for kv in text.split(";"))
        keys = fields["keys"].split(",")
        # A table is shared by the pages a state renders: another page may
        # have read the field first.
        if fields["before"] not in ("nil", fields["index_no"]):
            wrong.append("rawget: " + text)
        if fields["after"] != "true" or fields["same"] != "true":
            wrong.append("a field read twice differs, or is not kept: " + text)
        if not re.match(r"^[0-9A-Z]{18}/\d{4}-\d{5}$", fields["index_no"]):
            wrong.append("index_no: " + text)
        if any(k.startswith("?") for k in keys):
            wrong.append("pairs() shows a hidden key: " + text)
        for k in ("title", "url", "print_url", "source", "index_no", "dept", "category", "date",
                  "disclosure", "keywords", "reviewed_by", "attachments"):
            if k not in keys:
                wrong.append("pairs() lacks %s: %s" % (k, text))
        unread += fields["before"] == "nil"
    check(not wrong, "item tables: %d problems, first: %s" % (len(wrong), wrong[:1]))
    check(unread > 0, "rawget saw every field before it was read")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        built = test_example_site(tmp)
        if built:
            site, out = built
            test_deterministic(tmp, site, out)
            test_atomic(tmp, site, out)
            test_unchanged_files_kept(tmp, site, out)
        test_escaping(tmp)
        test_attachments(tmp)
        test_withdrawn_and_numbers(tmp)
        test_item_tables(tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
