#!/usr/bin/env python3
"""Builds on several threads (build -j N) give the site of a one-thread
build, byte for byte: a generated corpus of some hundred items, and the
example site in a git repository (so that earlier versions and their diffs
are rendered too). A template error on a worker fails the build cleanly (on
the listing pages with the diagnostic of a one-thread build), and
-j refuses what is not a thread count. The build cache (.gongkai/) renders
only what changed, and its site is the one a build without cache makes; a
damaged cache or one of another version is set aside with a warning. So
are the search entries it keeps: after an edit of an item's summary and
search text, and over an entries file cut short, damaged or deleted (a
build that keeps the search index reads no entry of an item it does not
render, and sees no damage there). Files
no page writes any more leave the site by the list of the files the
previous build wrote, or by a walk of the site without a list it can use.
Prints "N passed, N failed"."""
import re
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from harness import (BINARIES, ENV, ROOT, SHARED, Gongkai, cache_records, check,  # noqa: E402
                     copy_site, read, run_per_binary, same_tree)

# Every test runs with each of BINARIES that exists: the optimised build,
# and the ASan+UBSan one when it is there (make check).
gongkai = Gongkai(BINARIES[0], env=ENV)


def build_each(site, tmp, jobs, name):
    """Build `site` once per thread count; compare every tree with -j1's."""
    outs = []
    for j in jobs:
        out = os.path.join(tmp, "%s-j%d" % (name, j))
        r = gongkai("build", "-q", "-s", site, "-o", out, "-j", str(j))
        if not check(r.returncode == 0, "%s: build -j%d failed: %s" % (name, j, r.stderr[-2000:])):
            return None
        outs.append(out)
    for j, out in zip(jobs[1:], outs[1:]):
        same_tree(outs[0], out, "%s: -j%d against -j%d" % (name, j, jobs[0]))
    return outs[0]


def test_corpus(tmp):
    gen = os.path.join(SHARED, "bench", "gen_corpus.py")
    if not check(os.path.exists(gen), "%s not found (set SHARED=...)" % gen):
        return
    site = os.path.join(tmp, "corpus")
    subprocess.run([sys.executable, gen, site, "--items", "600"], check=True,
                   capture_output=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "site.py"), site], check=True)
    out = build_each(site, tmp, [1, 2, 3], "corpus")
    if out:
        items = sum(1 for d, _, files in os.walk(out) for f in files
                    if f == "index.html" and "item-" in d and not d.endswith("print"))
        check(items == 600, "the corpus site has %d item pages, not 600" % items)
        with open(os.path.join(out, "feed.xml"), encoding="utf-8") as f:
            feed = f.read()
        # Summaries come from the item pages' workers; the feed is rendered after.
        check(feed.count("<entry>") == 50 and feed.count("<summary>") == 50,
              "the feed has %d entries, %d summaries" % (feed.count("<entry>"),
                                                         feed.count("<summary>")))


def git(site, *args):
    subprocess.run(["git", "-C", site, *args], check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_DATE="2026-01-05T10:00:00+08:00",
                            GIT_COMMITTER_DATE="2026-01-05T10:00:00+08:00"))


def test_versions(tmp):
    """Earlier versions are read from git (one thread at a time) and rendered
    on any worker: still the same site."""
    site = copy_site(tmp, "versions")
    git(site, "init", "-q", "-b", "main")
    git(site, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", ".")
    git(site, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "一")
    edited = []
    for base, _, files in sorted(os.walk(os.path.join(site, "content"))):
        for f in sorted(files):
            if f.endswith(".md") and not f.startswith("_") and len(edited) < 12:
                p = os.path.join(base, f)
                with open(p, "a", encoding="utf-8") as fh:
                    fh.write("\n本段为修订时补充的说明。\n")
                edited.append(p)
    git(site, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-am", "二")
    out = build_each(site, tmp, [1, 2, 4], "versions")
    if out:
        diffs = [d for d, _, files in os.walk(out) if d.endswith("/v1/diff")]
        check(len(diffs) >= 10, "only %d diff pages of earlier versions were built" % len(diffs))


def test_template_error(tmp):
    site = os.path.join(tmp, "broken")
    shutil.copytree(os.path.join(tmp, "versions"), site, ignore=shutil.ignore_patterns(".git"))
    out = os.path.join(tmp, "broken-out")
    r = gongkai("build", "-q", "-s", site, "-o", out, "-j", "2")
    check(r.returncode == 0, "first build failed: %s" % r.stderr[-1000:])
    before = sorted(os.path.join(d, f) for d, _, files in os.walk(out) for f in files)
    tpl = os.path.join(site, "templates", "item.html")
    with open(tpl, encoding="utf-8") as f:
        text = f.read()
    with open(tpl, "w", encoding="utf-8") as f:
        f.write(text.replace("<%= page.title %>", "<%= page.title .. nil %>", 1)
                if "<%= page.title %>" in text else "<% error('坏模板') %>" + text)
    r = gongkai("build", "-s", site, "-o", out, "-j", "2")
    check(r.returncode == 1, "a template error did not fail the build (exit %d)" % r.returncode)
    check("GK401" in r.stderr and "item.html" in r.stderr,
          "the error does not name the template: %s" % r.stderr[-1000:])
    after = sorted(os.path.join(d, f) for d, _, files in os.walk(out) for f in files)
    check(before == after, "a failed build changed the previous output")
    check(not [n for n in os.listdir(tmp) if n.startswith("broken-out.")],
          "a failed build left its staging folder behind")


def test_listing_error(tmp):
    """A template error on listing pages, which the workers render at the same
    time, reports what one thread reports: the first failing page's error
    alone, whatever the thread count."""
    corpus = os.path.join(tmp, "corpus")
    if not os.path.isdir(corpus):
        return
    site = os.path.join(tmp, "listing-error")
    shutil.copytree(corpus, site, ignore=shutil.ignore_patterns(".gongkai"))
    os.makedirs(os.path.join(site, "templates"), exist_ok=True)
    with open(os.path.join(ROOT, "templates", "category.html"), encoding="utf-8") as f:
        text = f.read()
    # Every catalogue page after the first of its listing fails, naming itself.
    with open(os.path.join(site, "templates", "category.html"), "w", encoding="utf-8") as f:
        f.write("<% if page.pager.number > 1 then error('坏列表页 ' .. page.url) end %>" + text)
    errors = []
    for j in [1, 2, 3]:
        out = os.path.join(tmp, "listing-error-j%d" % j)
        r = gongkai("build", "-s", site, "-o", out, "-j", str(j))
        check(r.returncode == 1, "-j%d: a listing template error did not fail the build (exit %d)"
              % (j, r.returncode))
        check(not os.path.exists(out), "-j%d: a failed build left a site" % j)
        errors.append(r.stderr)
    check(errors[0].count("GK401") == 1 and "坏列表页" in errors[0] and "category.html" in errors[0],
          "-j1 does not report the one failing page: %s" % errors[0][-1000:])
    for j, err in zip([2, 3], errors[1:]):
        check(err == errors[0], "-j%d reports %r, -j1 %r" % (j, err[-500:], errors[0][-500:]))


def test_bad_counts(tmp):
    for bad in ("0", "x", "-3", "2x", "100000"):
        r = gongkai("build", "-s", os.path.join(tmp, "versions"), "-o", os.path.join(tmp, "bad"),
                    "-j", bad)
        check(r.returncode == 2 and "-j" in r.stderr,
              "-j %s: exit %d, %s" % (bad, r.returncode, r.stderr.strip()[:200]))
    check(not os.path.exists(os.path.join(tmp, "bad")), "a refused -j wrote a site")


def pages_rendered(r):
    m = re.search(r"(\d+) 个页面", r.stderr)
    return int(m.group(1)) if m else -1


def files_changed(r):
    m = re.search(r"（(\d+) 个有变化）", r.stderr)
    return int(m.group(1)) if m else -1


def fresh_build(site, out):
    """The site as a build without any cache makes it."""
    cache = os.path.join(site, ".gongkai")
    saved = cache + ".saved"
    if os.path.exists(cache):
        os.rename(cache, saved)
    r = gongkai("build", "-s", site, "-o", out)
    shutil.rmtree(cache, ignore_errors=True)
    if os.path.exists(saved):
        os.rename(saved, cache)
    return r


def rebuild(site, out, ref, what):
    """Build `site` into `out` with its cache; the tree must be the one a
    build without cache makes (at `ref`). Returns both builds' results."""
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0, "%s: build failed: %s" % (what, r.stderr[-1000:]))
    shutil.rmtree(ref, ignore_errors=True)
    full = fresh_build(site, ref)
    same_tree(out, ref, "%s, built with the cache" % what)
    return r, full


def test_cache(tmp):
    site = os.path.join(tmp, "cache")
    shutil.copytree(os.path.join(tmp, "versions"), site)
    out = os.path.join(tmp, "cache-out")
    shutil.rmtree(os.path.join(site, ".gongkai"), ignore_errors=True)
    full = gongkai("build", "-s", site, "-o", out)
    check(full.returncode == 0, "build failed: %s" % full.stderr[-1000:])
    check(os.path.exists(os.path.join(site, ".gongkai", "items.cache")), "no build cache written")
    total = pages_rendered(full)
    again = gongkai("build", "-s", site, "-o", out)
    listings = pages_rendered(again)
    check(0 < listings < total - 100,
          "a no-change build rendered %d of %d pages" % (listings, total))

    items = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(site, "content"))
                   for f in fs if f.endswith(".md") and not f.startswith("_"))
    with open(items[3], "a", encoding="utf-8") as f:
        f.write("\n缓存之后补充的一段话。\n")
    edit = gongkai("build", "-s", site, "-o", out)
    # The item's pages (and its earlier version's), and the listings that
    # show the item, whose version is now a working copy's: the pages with
    # its title.
    with open(items[3], encoding="utf-8") as f:
        title = re.search(r'^title = "(.*)"$', f.read(), re.M).group(1)
    showing = [p for p in pages(out) if title in open(p, encoding="utf-8").read()]
    check(edit.returncode == 0 and listings < pages_rendered(edit) <= listings + len(showing),
          "after editing one item %d pages were rendered (no change: %d), %d show it" %
          (pages_rendered(edit), listings, len(showing)))
    ref = os.path.join(tmp, "cache-ref")
    fresh_build(site, ref)
    same_tree(out, ref, "the site after an edit, built with the cache")

    # A keyword added: a facet page more, and the listings that show the
    # item anew, whether the facets and the items' listing keys were made
    # when first needed (-j1) or on a side thread beside the item pages.
    tagged = [p for p in items if "keywords = [" in open(p, encoding="utf-8").read()][0]
    for j, word in (("1", "缓存新词甲"), ("2", "缓存新词乙")):
        rewrite(tagged, "keywords = [", 'keywords = ["%s", ' % word)
        r = gongkai("build", "-s", site, "-o", out, "-j", j)
        shutil.rmtree(ref)
        fresh_build(site, ref)
        same_tree(out, ref, "the site after a keyword was added on -j%s, built with the cache" % j)
        check(r.returncode == 0 and
              os.path.exists(os.path.join(out, "xxgk", "ztc", word, "index.html")),
              "-j%s: no facet page for a keyword added: %s" % (j, r.stderr[-300:]))

    # A template: the pages that use it anew, and only those. item.html is
    # every item page's (an item's pages are kept or rendered together: its
    # print view and versions too); category.html the catalogue's listings.
    for name in ("item.html", "category.html"):
        with open(os.path.join(site, "templates", name), "a", encoding="utf-8") as f:
            f.write("<!-- %s 修改 -->\n" % name)
        before = pages(out)
        changed = gongkai("build", "-s", site, "-o", out)
        shutil.rmtree(ref)
        total = pages_rendered(fresh_build(site, ref))
        same_tree(out, ref, "the site after a %s edit, built with the cache" % name)
        using = {p for p in pages(ref) if "<!-- %s 修改 -->" % name in open(p, encoding="utf-8").read()}
        written = {os.path.relpath(p, out) for p in touched(before, pages(out))}
        check(using and written == {os.path.relpath(p, ref) for p in using},
              "after a %s edit %d pages were written, %d use it" % (name, len(written), len(using)))
        check(changed.returncode == 0 and len(using) <= pages_rendered(changed) < total * 3 // 4,
              "after a %s edit %d of %d pages were rendered, %d use it" %
              (name, pages_rendered(changed), total, len(using)))

    # A page removed from the output behind the cache's back is rendered again.
    victim = [os.path.join(d, "index.html") for d, _, fs in os.walk(out)
              if d.endswith("print") and "index.html" in fs][0]
    os.unlink(victim)
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0 and os.path.exists(victim), "a missing page was not rendered again")
    # So too a listing page (which the prefetch thread of a build on two
    # threads looks at before the model loads), gone or cut short.
    facet = [os.path.join(d, "index.html") for d, _, fs in os.walk(os.path.join(out, "xxgk", "ztc"))
             if "index.html" in fs][0]
    feed = os.path.join(out, "feed.xml")
    with open(facet, "rb") as f:
        facet_was = f.read()
    with open(feed, "rb") as f:
        feed_was = f.read()
    os.unlink(facet)
    with open(feed, "r+b") as f:
        f.truncate(len(feed_was) // 2)
    r = gongkai("build", "-s", site, "-o", out, "-j", "2")
    check(r.returncode == 0 and pages_rendered(r) >= 2, "build after a listing page went: %s" %
          r.stderr[-500:])
    for path, was in ((facet, facet_was), (feed, feed_was)):
        now = open(path, "rb").read() if os.path.exists(path) else None
        check(now == was, "listing page %s was not written again whole" % path)

    # An item removed: its pages leave the site (a withdrawn page stays at
    # its URL), and nothing else of the old site is left behind.
    os.unlink(items[5])
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0, "build after removing an item failed: %s" % r.stderr[-500:])
    shutil.rmtree(ref)
    total = pages_rendered(fresh_build(site, ref))
    same_tree(out, ref, "the site after removing an item, built over the previous one")

    cache = os.path.join(site, ".gongkai", "items.cache")
    with open(cache, "rb") as f:
        data = f.read()
    for what, damaged in (("damaged", data[:len(data) // 2] + b"\xff\x00garbage"),
                          ("another version", data.replace(b"GKCACHE8\x00", b"GKCACHE8\x009.9.9-", 1)),
                          ("an earlier format", data.replace(b"GKCACHE8\x00", b"GKCACHE7\x00", 1)),
                          ("empty", b"")):
        with open(cache, "wb") as f:
            f.write(damaged)
        r = gongkai("build", "-s", site, "-o", out)
        warned = "GK403" in r.stderr
        check(r.returncode == 0 and (warned or what == "empty"),
              "a %s cache: exit %d, %s" % (what, r.returncode, r.stderr[-500:]))
        check(what not in ("another version", "an earlier format") or "另一版本" in r.stderr,
              "a cache of %s was not called another version's: %s" % (what, r.stderr[-300:]))
        check(pages_rendered(r) == total, "a %s cache was trusted (%d of %d pages rendered)" %
              (what, pages_rendered(r), total))
        same_tree(out, ref, "the site built over a %s cache" % what)


def rewrite(path, old, new):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    check(old in text, "%s does not hold %r" % (path, old))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, 1))


def pages(out):
    """Every page of the site (not the search index or static files): its
    inode and mtime, which a build changes only when it writes the page anew."""
    seen = {}
    for d, _, fs in os.walk(out):
        for f in fs:
            if f.endswith((".html", ".xml")):
                st = os.stat(os.path.join(d, f))
                seen[os.path.join(d, f)] = (st.st_ino, st.st_mtime_ns)
    return seen


def touched(before, after):
    return {p for p in set(before) | set(after) if before.get(p) != after.get(p)}


def test_listings(tmp):
    """Listing pages are keyed by what they show of their items: a body edit
    past the summary renders none, a title edit exactly those that show the
    item, and the site is always the one a build without cache makes."""
    site = os.path.join(tmp, "listings")
    if not os.path.isdir(os.path.join(tmp, "corpus")):
        return
    shutil.copytree(os.path.join(tmp, "corpus"), site)
    shutil.rmtree(os.path.join(site, ".gongkai"), ignore_errors=True)
    out, ref = os.path.join(tmp, "listings-out"), os.path.join(tmp, "listings-ref")

    def build(what):
        """Rebuild; the site must be the one a full build makes. Returns the
        pages rendered, the pages written anew and a full build's count."""
        before = pages(out) if os.path.isdir(out) else {}
        r, full = rebuild(site, out, ref, what)
        return pages_rendered(r), touched(before, pages(out)), pages_rendered(full)

    # The output folder is the same however it is named, also before it exists.
    r = gongkai("build", "-s", site, "-o", "listings-out/", cwd=tmp)
    check(r.returncode == 0, "the first build failed: %s" % r.stderr[-1000:])
    fixed, written, _ = build("a build with no change")
    # What is rendered anyway: the 404, search and release pages, reports...
    check(0 < fixed < 20 and not written,
          "a no-change build rendered %d pages and wrote %s" % (fixed, sorted(written)[:5]))
    items = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(site, "content"))
                   for f in fs if f.endswith(".md"))
    item = items[3]

    # The last paragraph of a body is past the summary: only the item's page
    # and print view are rendered, whatever lists the item.
    with open(item, "a", encoding="utf-8") as f:
        f.write("\n缓存之后补充的最后一段话。\n")
    rendered, written, _ = build("the site after a body edit")
    check(rendered == fixed + 2 and len(written) == 2,
          "a body edit rendered %d pages (no change: %d), wrote %d: %s" %
          (rendered, fixed, len(written), sorted(written)[:5]))

    # A title is on every listing of the item: those pages and no others are
    # rendered, and the site is complete (the tree is a full build's).
    with open(item, encoding="utf-8") as f:
        text = f.read()
    title = re.search(r'^title = "(.*)"$', text, re.M).group(1)
    rewrite(item, 'title = "%s"' % title, 'title = "%s（修订）"' % title)
    rendered, written, _ = build("the site after a title edit")
    showing = {p.replace(ref, out, 1) for p in pages(ref)
               if "（修订）" in open(p, encoding="utf-8").read()}
    check(rendered == fixed + len(written) and written == showing and len(showing) > 4,
          "a title edit rendered %d pages (no change: %d), wrote %d; %d show the title" %
          (rendered, fixed, len(written), len(showing)))

    # Another date (not the newest: that is the site's "last updated", on
    # every page) moves the item in every listing: the pages it leaves and
    # the pages it reaches, those between them, and no others.
    date = re.search(r"^date = (\S+)$", text, re.M).group(1)
    with open(items[-40], encoding="utf-8") as f:
        other = re.search(r"^date = (\S+)$", f.read(), re.M).group(1)
    check(other != date, "items %s and %s have the same date" % (item, items[-40]))
    rewrite(item, "date = %s" % date, "date = %s" % other)
    rendered, written, full = build("the site after a date edit")
    # The annual reports count items by date: the pages of the years whose
    # figures changed are among those written.
    check(rendered == fixed + len(written) and len(written) > len(showing) and
          rendered < full // 2,
          "a date edit rendered %d pages (no change: %d, full: %d), wrote %d" %
          (rendered, fixed, full, len(written)))

    # An item added, then removed: the counts change, and the pages that
    # show counts with them, but not the other items' pages.
    added = os.path.join(os.path.dirname(items[7]), "item-added.md")
    shutil.copy(items[7], added)
    rewrite(added, 'title = "', 'title = "新增：')
    for what in ("adding an item", "removing an item"):
        if what == "removing an item":
            os.unlink(items[7])
        rendered, written, full = build("the site after " + what)
        check(rendered < full // 3 and len(written) < full // 3,
              "%s rendered %d pages and wrote %d (full: %d)" % (what, rendered, len(written), full))

    # An item page that shows its department's count, read through pairs():
    # a new item renders again the pages whose department's count it
    # changed, and not the other departments' (each page depends on the
    # figures it reads, not on all of them).
    os.makedirs(os.path.join(site, "templates"))
    with open(os.path.join(ROOT, "templates", "item.html"), encoding="utf-8") as f:
        tpl = f.read()
    with open(os.path.join(site, "templates", "item.html"), "w", encoding="utf-8") as f:
        f.write(tpl + '<% for k, v in pairs(page.item.dept) do if k == "item_count" then %>'
                '<p class="dept-count"><%= v %></p><% end end %>\n')
    build("the site with counts on item pages")

    def counts_shown():
        shown = {}
        for p in pages(out):
            m = re.search(r'<p class="dept-count">(\d+)</p>', open(p, encoding="utf-8").read())
            if m:
                shown[p] = m.group(1)
        return shown
    before_counts = counts_shown()
    another = os.path.join(os.path.dirname(items[8]), "item-added-again.md")
    shutil.copy(items[8], another)
    rewrite(another, 'title = "', 'title = "再次新增：')
    rendered, written, full = build("the site after adding an item, counts on item pages")
    after_counts = counts_shown()
    changed = [p for p in before_counts if after_counts.get(p) != before_counts[p]]
    check(len(after_counts) > len(items) // 2 and 0 < len(changed) < len(after_counts) // 2,
          "counts on item pages: %d pages show a count, %d of them changed" %
          (len(after_counts), len(changed)))
    check(set(changed) <= written and len(changed) <= rendered < len(after_counts) // 2,
          "counts on item pages: %d rendered, %d show a changed count, %d show one" %
          (rendered, len(changed), len(after_counts)))
    rendered, written, _ = build("a build with no change after all that")
    check(not written, "a no-change build wrote %s" % sorted(written)[:5])


def test_links(tmp):
    """An item whose body links to another item's file depends on that file
    alone (render/site_deps.c): a new item elsewhere leaves its pages and
    their record as they were; when the linked item moves (its file
    renamed, the link following it) its page links to the new URL. The site
    is always the one a build without cache makes."""
    site = copy_site(tmp, "links")
    out, ref = os.path.join(tmp, "links-out"), os.path.join(tmp, "links-ref")

    def build(what):
        rebuild(site, out, ref, what)

    linker = "content/zfb/2024/yishenqing-zanxing-guiding.md"
    link = "(../2025/yishenqing-banli-guiding.md)"
    check(link in read(os.path.join(site, linker)), "%s no longer links to %s" % (linker, link))
    build("the example site")
    record = cache_records(site)[linker]
    page = os.path.join(out, record[1].lstrip("/"), "index.html")
    stamp = os.stat(page).st_mtime_ns

    # An item in another department: neither its file nor its URL is the
    # linking page's, which is not rendered again (its record's key stays).
    added = os.path.join(site, "content", "fgw", "2025", "links-added.md")
    shutil.copy(os.path.join(site, "content", "fgw", "2025", "zhongdian-xiangmu-2025.md"), added)
    rewrite(added, 'title = "', 'title = "新增：')
    rewrite(added, 'doc_number = "示发改发〔2025〕6号"\n', "")
    build("the site after adding an item elsewhere")
    check(cache_records(site)[linker][2] == record[2] and os.stat(page).st_mtime_ns == stamp,
          "a new item elsewhere rendered the page that links to another item's file again")

    # The linked item moves; the link follows it.
    os.rename(os.path.join(site, "content", "zfb", "2025", "yishenqing-banli-guiding.md"),
              os.path.join(site, "content", "zfb", "2025", "yishenqing-banli-guiding-xin.md"))
    rewrite(os.path.join(site, linker), link, "(../2025/yishenqing-banli-guiding-xin.md)")
    build("the site after the linked item moved")
    check('href="../../2025/yishenqing-banli-guiding-xin/"' in read(page),
          "the linking page does not lead to the linked item's new URL")


def search_docs(out):
    """Every doc record of the site's search index, as one string."""
    d = os.path.join(out, "search", "d")
    return "".join(open(os.path.join(d, f), encoding="utf-8").read() for f in sorted(os.listdir(d)))


def test_entries(tmp):
    site = os.path.join(tmp, "cache")
    out = os.path.join(tmp, "cache-out")
    ref = os.path.join(tmp, "entries-ref")
    entries = os.path.join(site, ".gongkai", "items.entries")
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0 and os.path.exists(entries),
          "no search entries kept: %s" % r.stderr[-500:])
    listings = pages_rendered(gongkai("build", "-s", site, "-o", out))

    # A new first paragraph: the item's summary and search text change.
    items = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(site, "content"))
                   for f in fs if f.endswith(".md") and not f.startswith("_"))
    with open(items[7], encoding="utf-8") as f:
        text = f.read()
    end = text.index("+++\n", 3) + 4
    with open(items[7], "w", encoding="utf-8") as f:
        f.write(text[:end] + "\n缓存测验新增的首段摘要文字。\n" + text[end:])
    r = gongkai("build", "-s", site, "-o", out, "-j", "1")
    check("缓存测验新增的首段摘要文字" in search_docs(out), "the search index has the old summary")
    total = pages_rendered(fresh_build(site, ref))
    # The item's pages and the listings that show its summary, not the site.
    check(r.returncode == 0 and listings + 2 <= pages_rendered(r) < total / 4,
          "after a summary edit %d pages were rendered (no change: %d, all: %d)" %
          (pages_rendered(r), listings, total))
    same_tree(out, ref, "the site after a summary edit, built with the cache on one thread")

    with open(entries, "rb") as f:
        data = f.read()
    mid = len(data) // 2
    kept = os.path.join(site, ".gongkai", "items.search")
    for what, damaged in (("cut short", data[:mid]),
                          ("damaged", data[:mid] + bytes(b ^ 0x55 for b in data[mid:mid + 64]) +
                           data[mid + 64:])):
        # The kept search index needs no entry of an item not rendered again.
        with open(entries, "wb") as f:
            f.write(damaged)
        r = gongkai("build", "-s", site, "-o", out)
        check(r.returncode == 0 and pages_rendered(r) == listings,
              "an entries file %s under the kept search index: exit %d, %d pages rendered, not %d"
              % (what, r.returncode, pages_rendered(r), listings))
        same_tree(out, ref, "the site built over an entries file %s, the search index kept" % what)
        # Without it every entry is read back: what does not read is rendered anew.
        with open(entries, "wb") as f:
            f.write(damaged)
        os.unlink(kept)
        r = gongkai("build", "-s", site, "-o", out)
        check(r.returncode == 0 and listings < pages_rendered(r) < total,
              "an entries file %s: exit %d, %d pages rendered (no change: %d, all: %d)" %
              (what, r.returncode, pages_rendered(r), listings, total))
        same_tree(out, ref, "the site built over an entries file %s" % what)
        again = gongkai("build", "-s", site, "-o", out)
        check(pages_rendered(again) == listings,
              "after an entries file %s the next build rendered %d pages, not %d" %
              (what, pages_rendered(again), listings))

    os.unlink(entries)
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0 and "GK403" in r.stderr and pages_rendered(r) == total,
          "a deleted entries file: exit %d, %d of %d pages rendered, %s" %
          (r.returncode, pages_rendered(r), total, r.stderr[-300:]))
    same_tree(out, ref, "the site built after the entries file was deleted")


def site_tree(out):
    """The files and the folders of the site at `out`, relative to it."""
    files, dirs = set(), set()
    for d, ds, fs in os.walk(out):
        rel = os.path.relpath(d, out)
        dirs.update(os.path.normpath(os.path.join(rel, x)) for x in ds)
        files.update(os.path.normpath(os.path.join(rel, f)) for f in fs)
    return files, dirs


def test_prune(tmp):
    """A rebuild removes the files no page writes any more by the list of the
    files the previous build wrote (.gongkai/items.files, outside the site):
    a removed item's pages go, and the folders they leave empty, while a
    file put into the site by hand stays. Without a list it can use (none
    yet, one of another output folder, a damaged one) it walks the site and
    removes every file no page wrote, that one too. Each time the site is
    the one a fresh build makes."""
    site = os.path.join(tmp, "prune")
    shutil.copytree(os.path.join(tmp, "versions"), site)
    shutil.rmtree(os.path.join(site, ".gongkai"), ignore_errors=True)
    out, ref = os.path.join(tmp, "prune-out"), os.path.join(tmp, "prune-ref")
    listing = os.path.join(site, ".gongkai", "items.files")
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0 and os.path.exists(listing),
          "the first build wrote no list of its files: %s" % r.stderr[-500:])
    check(not [f for f in os.listdir(out) if f.startswith(".")], "a dot file in the site")
    items = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(site, "content"))
                   for f in fs if f.endswith(".md") and not f.startswith("_"))
    hand = {"hand.txt", os.path.join("extra", "note.txt")}

    def rebuild_without(item, what, walked):
        """Put files in by hand, remove `item`, rebuild over the site."""
        os.makedirs(os.path.join(out, "extra"), exist_ok=True)
        for h in hand:
            with open(os.path.join(out, h), "w", encoding="utf-8") as f:
                f.write("人工放入的文件\n")
        before = site_tree(out)
        os.unlink(item)
        r = gongkai("build", "-s", site, "-o", out)
        check(r.returncode == 0, "%s: rebuild failed: %s" % (what, r.stderr[-500:]))
        after = site_tree(out)
        check(before[0] - after[0] and before[1] - after[1],
              "%s: the removed item left no file or folder behind to remove" % what)
        shutil.rmtree(ref, ignore_errors=True)
        fresh_build(site, ref)
        files, dirs = site_tree(ref)
        left = set() if walked else hand
        check(after == (files | left, dirs | ({"extra"} if left else set())),
              "%s: the site's files differ from a fresh build's: %s, %s" %
              (what, sorted(after[0] ^ (files | left))[:6], sorted(after[1] ^ dirs)[:6]))
        d = subprocess.run(["diff", "-r", "-x", "hand.txt", "-x", "extra", out, ref],
                           capture_output=True, text=True)
        check(d.returncode == 0, "%s: the pages differ from a fresh build's:\n%s" %
              (what, d.stdout[:800]))

    rebuild_without(items[2], "by the list", walked=False)
    if os.path.exists(listing):
        os.unlink(listing)
    rebuild_without(items[4], "without a list", walked=True)
    check(os.path.exists(listing), "the build without a list wrote none")
    other = os.path.join(tmp, "prune-other")
    gongkai("build", "-s", site, "-o", other)
    rebuild_without(items[6], "with the list of another output folder", walked=True)
    with open(listing, "r+b") as f:
        data = bytearray(f.read())
        data[len(data) // 2] ^= 1
        f.seek(0)
        f.write(data)
    rebuild_without(items[8], "with a damaged list", walked=True)
    rebuild_without(items[10], "by the list again", walked=False)


def test_all(tmp):
    test_corpus(tmp)
    test_versions(tmp)
    test_template_error(tmp)
    test_listing_error(tmp)
    test_bad_counts(tmp)
    test_cache(tmp)
    test_listings(tmp)
    test_links(tmp)
    test_entries(tmp)
    test_prune(tmp)


def main():
    return run_per_binary(gongkai, test_all)


if __name__ == "__main__":
    sys.exit(main())
