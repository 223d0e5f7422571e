#!/usr/bin/env python3
"""The item pages' QR codes kept in the build cache (render/qrcode.h,
render/cache.h): after an edit of item.html every item page is rendered
again and draws its QR code from the modules the previous build kept, which
stay where they were in items.entries (none is encoded anew), and the site is
the one a build without cache makes, byte for byte, on one thread and on
two. Kept modules that do not read back (bytes damaged) are encoded anew,
those of an entries file written anew are kept there; a new base_url changes
every QR code. Prints "N passed, N failed"."""
import os
import re
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from harness import (BINARIES, ENV, Gongkai, append, cache_records, check, copy_site,  # noqa: E402
                     finish, read, read_bytes, same_tree)

gongkai = Gongkai(BINARIES[0], env=ENV)
QR = re.compile(r'<svg [^>]*aria-label="本页网址的二维码".*?</svg>', re.S)


def qr_of(out, page):
    m = QR.search(read(os.path.join(out, page.lstrip("/"), "index.html")))
    return m.group(0) if m else None


def build(site, out, jobs, what):
    r = gongkai("build", "-q", "-s", site, "-o", out, "-j", str(jobs))
    check(r.returncode == 0, "%s (-j%d): build failed: %s" % (what, jobs, r.stderr[-1000:]))
    return r


def fresh_build(site, ref, jobs):
    """The site as a build without any cache makes it, at `ref`."""
    shutil.rmtree(ref, ignore_errors=True)
    cache = os.path.join(site, ".gongkai")
    os.rename(cache, cache + ".saved")
    build(site, ref, jobs, "without cache")
    shutil.rmtree(cache, ignore_errors=True)
    os.rename(cache + ".saved", cache)


def test_kept(tmp, jobs):
    site = copy_site(tmp, "qr-j%d" % jobs)
    out, ref = os.path.join(tmp, "qr-j%d-out" % jobs), os.path.join(tmp, "qr-j%d-ref" % jobs)
    tpl = os.path.join(site, "templates", "item.html")
    build(site, out, jobs, "first build")
    first = cache_records(site)
    with_qr = {p: r for p, r in first.items() if r[1] and qr_of(out, r[1])}
    check(len(with_qr) >= 20, "-j%d: only %d item pages with a QR code" % (jobs, len(with_qr)))
    check(all(int(r[0][2]) > 0 for r in with_qr.values()),
          "-j%d: an item page's QR code is not kept" % jobs)

    # Every item page anew, every QR code from the cache: its modules stay
    # where they were (one encoded anew would be appended).
    append(tpl, "<!-- 二维码 1 -->\n")
    build(site, out, jobs, "item.html edited")
    again = cache_records(site)
    check(all(again[p][0] == r[0] for p, r in with_qr.items()),
          "-j%d: after an item.html edit QR codes were encoded anew: %d of %d kept" %
          (jobs, sum(again[p][0] == r[0] for p, r in with_qr.items()), len(with_qr)))
    check(all("<!-- 二维码 1 -->" in read(os.path.join(out, r[1].lstrip("/"), "index.html"))
              for r in with_qr.values()), "-j%d: item pages not rendered again" % jobs)
    fresh_build(site, ref, jobs)
    same_tree(out, ref, "-j%d: the site after an item.html edit, QR codes from the cache" % jobs)

    # Damaged modules are not drawn: those codes are encoded anew.
    entries = os.path.join(site, ".gongkai", "items.entries")
    data = bytearray(read_bytes(entries))
    damaged = sorted(with_qr)[::5]
    for p in damaged:
        off, length = int(again[p][0][1]), int(again[p][0][2])
        data[off + length // 2] ^= 0x10
    with open(entries, "wb") as f:
        f.write(data)
    append(tpl, "<!-- 二维码 2 -->\n")
    build(site, out, jobs, "QR codes damaged")
    now = cache_records(site)
    check(all(now[p][0] != again[p][0] and int(now[p][0][2]) > 0 for p in damaged),
          "-j%d: damaged QR codes were not encoded anew" % jobs)
    check(all(now[p][0] == again[p][0] for p in with_qr if p not in damaged),
          "-j%d: QR codes not damaged were encoded anew" % jobs)
    fresh_build(site, ref, jobs)
    same_tree(out, ref, "-j%d: the site after QR codes in the cache were damaged" % jobs)

    # Nothing to render: the entries file, mostly dead by now (each edit
    # added every search entry anew), is written anew, the kept QR codes in
    # it; the next item.html edit draws them from there.
    size = os.path.getsize(entries)
    build(site, out, jobs, "no change")
    compact = cache_records(site)
    check(os.path.getsize(entries) < size, "-j%d: the entries file was not written anew" % jobs)
    check(all(compact[p][0][0] == now[p][0][0] and int(compact[p][0][2]) > 0 for p in with_qr),
          "-j%d: QR codes lost when the entries file was written anew" % jobs)
    append(tpl, "<!-- 二维码 3 -->\n")
    build(site, out, jobs, "item.html edited after the entries file was written anew")
    now = cache_records(site)
    check(all(now[p][0] == compact[p][0] for p in with_qr),
          "-j%d: QR codes of the entries file written anew were encoded again" % jobs)
    fresh_build(site, ref, jobs)
    same_tree(out, ref, "-j%d: the site after the entries file was written anew" % jobs)

    # Another base_url: every page's URL, so every QR code, is another.
    before = {p: qr_of(out, r[1]) for p, r in with_qr.items()}
    toml = os.path.join(site, "site.toml")
    text = read(toml)
    check('base_url = "https://www.shili.gov.cn/"' in text, "site.toml has another base_url")
    with open(toml, "w", encoding="utf-8") as f:
        f.write(text.replace('base_url = "https://www.shili.gov.cn/"',
                             'base_url = "https://gk.shili.gov.cn/gongkai/"', 1))
    build(site, out, jobs, "base_url changed")
    moved = cache_records(site)
    check(all(moved[p][0][0] != now[p][0][0] for p in with_qr),
          "-j%d: a QR code's key did not change with base_url" % jobs)
    check(all(qr_of(out, r[1]) not in (None, before[p]) for p, r in with_qr.items()),
          "-j%d: a QR code did not change with base_url" % jobs)
    fresh_build(site, ref, jobs)
    same_tree(out, ref, "-j%d: the site after base_url changed" % jobs)


def main():
    for binary in [b for b in BINARIES if os.path.exists(b)]:
        gongkai.binary = binary
        with tempfile.TemporaryDirectory() as tmp:
            for jobs in (1, 2):
                test_kept(tmp, jobs)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
