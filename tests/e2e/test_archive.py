#!/usr/bin/env python3
"""gongkai archive and gongkai package end to end, on copies of the example
site. The zips are read back with independent readers: Info-ZIP's `unzip -l`
and `unzip -t`, and Python's zipfile (names, the UTF-8 flag, dates,
permissions, the bytes of every entry hashed again against manifest.json).
Also: the archive's pages are the site's pages, its sources the committed
files (a site in git: source commit, release tag, uncommitted changes),
determinism (two runs, other time zone and umask: same SHA-256), --verify
catching tampered, added, removed and damaged entries, an interrupted run
leaving no partial zip, the package unzipped under a deep folder with every
relative link resolving, the options. With GONGKAI_SLOW_TESTS=1 also a
4.5 GiB sparse attachment (ZIP64). Prints "N passed, N failed"."""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from harness import GK, Gongkai, check, copy_site, finish, read_bytes, sha  # noqa: E402

BASE_URL = "https://www.shili.gov.cn/"
UTF8_FLAG = 0x800  # general purpose bit 11: the name is UTF-8

# The example site's boards, their latest closed period with items (the
# content is dated 2024-2025) and what is on them then.
EXAMPLE = {
    "2025-Q3-baima-zw.zip": ["content/baima/2025/zw-2025q3.md"],
    "2025-Q3-qingshi-zw.zip": ["content/qingshi/2025/zw-2025q3.md"],
    "2025-10-dongfeng-cw.zip": ["content/dongfeng/2025/caiwu-2025-10.md",
                                "content/dongfeng/2025/cwgk-2025-10.md"],
}


gongkai = Gongkai()


def run(*args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def add_attachments(site, item, names):
    """Give content item `item` (relative to the site) the attachments
    {name: bytes}."""
    path = os.path.join(site, item)
    text = read_bytes(path).decode()
    listed = ", ".join('"%s"' % n for n in names)
    text = text.replace("\n+++\n", "\nattachments = [%s]\n+++\n" % listed, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    for name, data in names.items():
        p = os.path.join(os.path.dirname(path), name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            if isinstance(data, int):
                f.truncate(data)  # sparse
            else:
                f.write(data)


def manifest_of(zpath):
    with zipfile.ZipFile(zpath) as z:
        return json.loads(z.read("manifest.json").decode("utf-8"))


def check_zip(zpath, what):
    """The checks every archive passes, with independent readers."""
    t = run("unzip", "-t", zpath)
    check(t.returncode == 0 and "No errors detected" in t.stdout,
          "%s: unzip -t finds no errors: %s" % (what, t.stdout[-300:]))
    listing = run("unzip", "-l", zpath, env=dict(os.environ, LC_ALL="C.UTF-8"))
    with zipfile.ZipFile(zpath) as z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        check(names == sorted(names, key=lambda n: n.encode()),
              "%s: entries sorted by name: %s" % (what, names))
        listed = [line.split(None, 3)[3] for line in listing.stdout.splitlines()
                  if re.match(r"\s*\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d\s", line)]
        check(listed == names, "%s: unzip -l lists the same names: %s vs %s" %
              (what, listed, names))
        check(all(i.date_time == infos[0].date_time and i.date_time[3:] == (0, 0, 0)
                  for i in infos), "%s: every entry has the same date at 00:00" % what)
        check(all(i.external_attr >> 16 == 0o100644 for i in infos),
              "%s: every entry is a plain rw-r--r-- file" % what)
        check(all(i.create_system == 3 for i in infos), "%s: made on Unix" % what)
        check(all(i.compress_type in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED) for i in infos),
              "%s: deflated or stored" % what)
        for i in infos:
            ascii_name = all(ord(c) < 128 for c in i.filename)
            if not ascii_name:
                check(i.flag_bits & UTF8_FLAG, "%s: %s carries the UTF-8 flag" % (what, i.filename))
        return names, infos


def check_manifest(zpath, what):
    """Every entry but the manifest is listed with its size and SHA-256,
    hashed again here from the bytes Python's zipfile reads."""
    m = manifest_of(zpath)
    with zipfile.ZipFile(zpath) as z:
        files = {f["path"]: f for f in m["files"]}
        names = [n for n in z.namelist() if n != "manifest.json"]
        check(sorted(files) == sorted(names), "%s: the manifest lists every entry" % what)
        bad = []
        for n in names:
            h = hashlib.sha256()
            size = 0
            with z.open(n) as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
                    size += len(chunk)
            f = files.get(n, {})
            if f.get("sha256") != h.hexdigest() or f.get("size") != size:
                bad.append(n)
        check(not bad, "%s: hashes and sizes match the manifest: %s" % (what, bad))
        day = "%04d-%02d-%02d" % z.infolist()[0].date_time[:3]
        check(m["date"] == day, "%s: the entries' date is the manifest's: %s" % (what, day))
    return m


def test_example(tmp):
    site = copy_site(tmp, "example")
    r = gongkai("archive", "-s", site, "--period", "latest")
    if not check(r.returncode == 0, "archive --period latest exits 0: %s" % r.stderr):
        return site
    out = os.path.join(site, "archive")
    check(sorted(os.listdir(out)) == sorted(EXAMPLE),
          "one archive per board, latest closed period: %s" % os.listdir(out))
    public = os.path.join(tmp, "example-public")
    b = gongkai("build", "-s", site, "-o", public)
    check(b.returncode == 0, "the example builds")
    for name, sources in EXAMPLE.items():
        zpath = os.path.join(out, name)
        if not os.path.exists(zpath):
            continue
        names, _ = check_zip(zpath, name)
        m = check_manifest(zpath, name)
        period, board = name[:-4].split("-", 2)[0:2], name[:-4].split("-", 2)[2]
        period = "-".join(period)
        check(m["period"] == period and m["board"]["id"] == board,
              "%s: period and board in the manifest" % name)
        check(m["source_commit"] is None and m["release_tag"] is None,
              "%s: outside git, no source commit or release tag" % name)
        check([i["source"] for i in m["items"]] == sources,
              "%s: the period's items, oldest first: %s" % (name, [i["source"] for i in m["items"]]))
        check(m["reviewers"] and all(isinstance(x, str) for x in m["reviewers"]),
              "%s: reviewers listed" % name)
        pdf = "sheets/%s-%s.pdf" % (board, period)
        check(pdf in names, "%s: holds the sheets PDF %s" % (name, pdf))
        with zipfile.ZipFile(zpath) as z:
            for item in m["items"]:
                src = item["source"]
                check(z.read(src) == read_bytes(os.path.join(site, src)),
                      "%s: %s is the file on disk" % (name, src))
                page = item["html"]
                rel = page[len("html/"):]
                check(z.read(page) == read_bytes(os.path.join(public, rel)),
                      "%s: %s is the site's page" % (name, page))
            froms = {f["path"]: f["from"] for f in m["files"]}
            check(all(froms[s] == "working-tree" for s in sources) and froms[pdf] == "generated",
                  "%s: where each file came from" % name)
            pdf_path = os.path.join(tmp, "sheet.pdf")
            with open(pdf_path, "wb") as f:
                f.write(z.read(pdf))
            text = run("pdftotext", "-raw", pdf_path, "-").stdout.replace("\n", "")
            check(all(i["title"] in text for i in m["items"]),
                  "%s: the PDF prints the items' titles" % name)
            check("html/css/site.css" in names, "%s: the theme's CSS beside the pages" % name)
    v = gongkai("archive", "--verify", os.path.join(out, "2025-Q3-baima-zw.zip"))
    check(v.returncode == 0 and "与 manifest.json 的记录一致" in v.stderr,
          "--verify passes an untouched archive: %s" % v.stderr)
    return site


def test_utf8_and_determinism(tmp):
    site = copy_site(tmp, "utf8")
    add_attachments(site, "content/baima/2025/zw-2025q3.md", {
        "附件1 补贴名单.csv": "序号,姓名\n1,张*明\n".encode(),
        "./扫描件/签字页.txt": b"signed\n",
    })
    out = os.path.join(tmp, "utf8-out")
    env = dict(os.environ, TZ="UTC")
    r = gongkai("archive", "-s", site, "--period", "2025-Q3", "--board", "baima-zw", "-o", out,
                env=env)
    zpath = os.path.join(out, "2025-Q3-baima-zw.zip")
    if not check(r.returncode == 0, "archive with Chinese attachments: %s" % r.stderr):
        return
    names, infos = check_zip(zpath, "utf8")
    want = ["content/baima/2025/扫描件/签字页.txt", "content/baima/2025/附件1 补贴名单.csv"]
    check(all(w in names for w in want), "attachments under their names: %s" % names)
    for i in infos:
        if i.filename in want:
            check(i.flag_bits & UTF8_FLAG, "%s has the UTF-8 flag" % i.filename)
    m = check_manifest(zpath, "utf8")
    check(m["items"][0]["attachments"] == want[::-1],
          "the manifest names the attachments as written, ./ dropped: %s" %
          m["items"][0]["attachments"])
    x = os.path.join(tmp, "utf8-x")
    u = run("unzip", "-q", zpath, "-d", x, env=dict(os.environ, LC_ALL="C.UTF-8"))
    check(u.returncode == 0 and read_bytes(os.path.join(x, want[1])) == "序号,姓名\n1,张*明\n".encode(),
          "unzip extracts a Chinese name as UTF-8: %s" % u.stderr)
    first = sha(zpath)
    time.sleep(1.1)
    env = dict(os.environ, TZ="Asia/Shanghai")
    r = subprocess.run(["sh", "-c", 'umask 077 && exec "$@"', "sh", GK, "archive", "-s", site,
                        "--period", "2025-Q3", "--board", "baima-zw", "-o", out],
                       capture_output=True, text=True, env=env)
    check(r.returncode == 0 and sha(zpath) == first,
          "same input, same bytes (later, other time zone and umask)")
    p1, p2 = os.path.join(tmp, "p1.zip"), os.path.join(tmp, "p2.zip")
    gongkai("package", "-s", site, "-o", p1, env=dict(os.environ, TZ="UTC"))
    time.sleep(1.1)
    gongkai("package", "-s", site, "-o", p2, env=dict(os.environ, TZ="America/New_York"))
    check(os.path.exists(p1) and sha(p1) == sha(p2), "the package is deterministic too")


def rewrite(src, dst, change=None, drop=None, add=None):
    """Copy a zip entry by entry with Python's zipfile, changing one."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            if i.filename == drop:
                continue
            data = zin.read(i)
            if change and i.filename == change[0]:
                data = change[1](data)
            zout.writestr(i, data)
        if add:
            zout.writestr(add, b"added later\n")


def test_verify(tmp, site):
    good = os.path.join(site, "archive", "2025-Q3-baima-zw.zip")
    if not os.path.exists(good):
        return
    src = "content/baima/2025/zw-2025q3.md"
    bad = os.path.join(tmp, "tampered.zip")
    rewrite(good, bad, change=(src, lambda d: d.replace("镇".encode(), "乡".encode(), 1)))
    r = gongkai("archive", "--verify", bad)
    check(r.returncode == 1 and "GK805" in r.stderr and src in r.stderr,
          "--verify names a tampered entry, exit 1: %s" % r.stderr)
    rewrite(good, bad, drop="html/css/site.css", add="content/extra.md")
    r = gongkai("archive", "--verify", bad)
    check(r.returncode == 1 and r.stderr.count("GK806") == 2 and "html/css/site.css" in r.stderr
          and "content/extra.md" in r.stderr, "--verify: a missing and an added entry: %s" % r.stderr)
    # Damage the stored bytes of the source: the CRC no longer matches.
    data = bytearray(read_bytes(good))
    with zipfile.ZipFile(good) as z:
        info = z.getinfo(src)
    name_len, extra_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28],
                                         "little"), \
        int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    at = info.header_offset + 30 + name_len + extra_len + info.compress_size // 2
    data[at] ^= 0xFF
    with open(bad, "wb") as f:
        f.write(data)
    r = gongkai("archive", "--verify", bad)
    check(r.returncode == 1 and "GK80" in r.stderr and src in r.stderr,
          "--verify: damaged bytes of an entry: %s" % r.stderr)
    with open(bad, "wb") as f:
        f.write(read_bytes(good)[:2000])
    r = gongkai("archive", "--verify", bad)
    check(r.returncode == 1 and "GK806" in r.stderr, "--verify: a cut-off zip: %s" % r.stderr)
    r = gongkai("archive", "--verify", os.path.join(tmp, "missing.zip"))
    check(r.returncode == 3 and "GK801" in r.stderr, "--verify: no such file, exit 3")
    plain = os.path.join(tmp, "plain.zip")
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("a.txt", "a")
    r = gongkai("archive", "--verify", plain)
    check(r.returncode == 1 and "manifest.json" in r.stderr, "--verify: a zip without manifest")


def git(site, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org",
               GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    r = subprocess.run(["git", *args], cwd=site, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError("git %s: %s" % (args, r.stderr))
    return r.stdout.strip()


def test_git(tmp):
    site = copy_site(tmp, "git")
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "内容")
    head = git(site, "rev-parse", "HEAD")
    empty = git(site, "hash-object", "-t", "tree", "/dev/null")
    # Releases as gongkai publish records them: "Source-Commit: <id>" in the
    # message, a tag each, on the [publish] branch (site).
    r1 = git(site, "commit-tree", empty, "-m", "发布 release-20251001-1\n\nSource-Commit: %s" % head)
    git(site, "tag", "-a", "release-20251001-1", "-m", "release", r1)
    r2 = git(site, "commit-tree", empty, "-p", r1, "-m",
             "发布 release-20251002-1\n\nSource-Commit: %s" % ("0" * 40))
    git(site, "tag", "release-20251002-1", r2)
    git(site, "update-ref", "refs/heads/site", r2)
    src = "content/baima/2025/zw-2025q3.md"
    committed = read_bytes(os.path.join(site, src))
    with open(os.path.join(site, src), "ab") as f:
        f.write("\n未提交的改动。\n".encode())
    r = gongkai("archive", "-s", site, "--period", "2025-Q3", "--board", "baima-zw")
    zpath = os.path.join(site, "archive", "2025-Q3-baima-zw.zip")
    if not check(r.returncode == 0, "archive in a git work tree: %s" % r.stderr):
        return
    m = manifest_of(zpath)
    check(m["source_commit"] == head, "source_commit is HEAD: %s" % m["source_commit"])
    check(m["release_tag"] == "release-20251001-1",
          "release_tag: the release built from HEAD: %s" % m["release_tag"])
    froms = {f["path"]: f["from"] for f in m["files"]}
    with zipfile.ZipFile(zpath) as z:
        check(z.read(src) == committed and froms[src] == "commit",
              "the source as committed, not the changed file")
    check("GK804" in r.stderr and src in r.stderr, "an uncommitted change is a warning: %s" % r.stderr)
    git(site, "checkout", "-q", "--", src)
    git(site, "commit", "-q", "--allow-empty", "-m", "又一次提交")
    r = gongkai("archive", "-s", site, "--period", "2025-Q3", "--board", "baima-zw")
    m = manifest_of(zpath)
    check(r.returncode == 0 and "GK804" not in r.stderr and m["release_tag"] is None and
          m["source_commit"] == git(site, "rev-parse", "HEAD"),
          "a commit never published has no release tag")
    # The site in a subfolder of the repository.
    outer = os.path.join(tmp, "outer")
    os.makedirs(outer)
    shutil.move(site, os.path.join(outer, "sub"))
    shutil.move(os.path.join(outer, "sub", ".git"), os.path.join(outer, ".git"))
    git(outer, "add", "-A")
    git(outer, "commit", "-q", "-m", "移到子目录")
    sub = os.path.join(outer, "sub")
    r = gongkai("archive", "-s", sub, "--period", "2025-Q3", "--board", "baima-zw")
    m = manifest_of(os.path.join(sub, "archive", "2025-Q3-baima-zw.zip"))
    froms = {f["path"]: f["from"] for f in m["files"]}
    check(r.returncode == 0 and froms.get(src) == "commit" and "GK804" not in r.stderr,
          "a site in a subfolder of its repository reads its committed files: %s" % r.stderr)


def test_attachment_problems(tmp):
    site = copy_site(tmp, "attach")
    item = "content/baima/2025/zw-2025q3.md"
    add_attachments(site, item, {"缺少.pdf": b"x"})
    os.remove(os.path.join(site, "content/baima/2025/缺少.pdf"))
    out = os.path.join(site, "archive")
    r = gongkai("archive", "-s", site, "--period", "2025-Q3", "--board", "baima-zw")
    # The compliance check refuses it first (GK204); archive's own GK802 is
    # the second line of defence.
    check(r.returncode == 1 and ("GK204" in r.stderr or "GK802" in r.stderr) and
          item in r.stderr and not os.path.exists(os.path.join(out, "2025-Q3-baima-zw.zip")),
          "a missing attachment is an error and no zip is written: %s" % r.stderr)
    secret = os.path.join(tmp, "secret.txt")
    with open(secret, "w") as f:
        f.write("outside")
    os.symlink(secret, os.path.join(site, "content/baima/2025/缺少.pdf"))
    r = gongkai("archive", "-s", site, "--period", "2025-Q3", "--board", "baima-zw")
    check(r.returncode == 1 and ("GK205" in r.stderr or "GK802" in r.stderr),
          "an attachment linking out of content/ is refused: %s" % r.stderr)
    text = read_bytes(os.path.join(site, item)).decode().replace('"缺少.pdf"', '"../../../site.toml"')
    with open(os.path.join(site, item), "w", encoding="utf-8") as f:
        f.write(text)
    r = gongkai("archive", "-s", site, "--period", "2025-Q3", "--board", "baima-zw")
    check(r.returncode == 1 and ("GK205" in r.stderr or "GK802" in r.stderr),
          "an attachment with .. is refused")
    leftovers = [n for n in os.listdir(out)] if os.path.isdir(out) else []
    check(not leftovers, "failed runs leave nothing in archive/: %s" % leftovers)


def test_interrupted(tmp):
    site = copy_site(tmp, "interrupt")
    out = os.path.join(site, "archive")
    r = gongkai("archive", "-s", site, "--period", "2025-Q3", "--board", "baima-zw")
    zpath = os.path.join(out, "2025-Q3-baima-zw.zip")
    before = sha(zpath) if os.path.exists(zpath) else None
    check(before is not None, "a first archive exists")
    # A large attachment (sparse: stored, above the deflate limit) keeps the
    # run busy writing the zip long enough to kill it there.
    add_attachments(site, "content/baima/2025/zw-2025q3.md", {"big.bin": 512 << 20})
    p = subprocess.Popen([GK, "archive", "-s", site, "--period", "2025-Q3", "--board",
                          "baima-zw"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    work = os.path.join(out, ".gongkai-tmp-%d" % p.pid)
    killed_writing = False
    deadline = time.time() + 60
    while p.poll() is None and time.time() < deadline:
        tmpzips = []
        for d, _, files in os.walk(work):
            tmpzips += [f for f in files if ".zip." in f]
        if tmpzips:
            p.send_signal(signal.SIGKILL)
            killed_writing = True
            break
        time.sleep(0.005)
    p.wait()
    check(killed_writing, "the run was killed while writing its zip")
    check(sha(zpath) == before, "the previous archive is untouched after the kill")
    names = [n for n in os.listdir(out) if not n.startswith(".gongkai-tmp-")]
    check(names == ["2025-Q3-baima-zw.zip"], "no partial zip beside it: %s" % os.listdir(out))
    os.remove(os.path.join(site, "content/baima/2025/big.bin"))
    text = read_bytes(os.path.join(site, "content/baima/2025/zw-2025q3.md")).decode()
    with open(os.path.join(site, "content/baima/2025/zw-2025q3.md"), "w", encoding="utf-8") as f:
        f.write(text.replace('attachments = ["big.bin"]\n', ""))
    r = gongkai("archive", "-s", site, "--period", "2025-Q3", "--board", "baima-zw")
    check(r.returncode == 0 and os.listdir(out) == ["2025-Q3-baima-zw.zip"],
          "the next run removes the dead run's work folder: %s" % os.listdir(out))
    check(sha(zpath) == before, "and writes the same archive as before")


def links_resolve(root):
    """Relative href/src of every HTML page that lead to no file."""
    broken = []
    for d, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".html") or (d == root and f == "404.html"):
                continue
            page = os.path.join(d, f)
            html = read_bytes(page).decode()
            for m in re.finditer(r'(?:href|src)="([^"]*)"', html):
                link = m.group(1)
                if re.match(r"^(https?:|mailto:|tel:|data:|#)", link) or not link:
                    continue
                if link.startswith("/"):
                    broken.append((page, link))
                    continue
                target = os.path.normpath(os.path.join(d, link.split("#")[0].split("?")[0]))
                if os.path.isdir(target):
                    target = os.path.join(target, "index.html")
                if not os.path.exists(target):
                    broken.append((os.path.relpath(page, root), link))
    return broken


def test_package(tmp, site):
    r = gongkai("package", "-s", site)
    zpath = os.path.join(site, "archive", "site.zip")
    if not check(r.returncode == 0 and os.path.exists(zpath),
                 "package writes archive/site.zip: %s" % r.stderr):
        return
    names, _ = check_zip(zpath, "package")
    public = os.path.join(tmp, "example-public")
    built = []
    for d, _, files in os.walk(public):
        built += [os.path.relpath(os.path.join(d, f), public) for f in files]
    check(sorted(n for n in names if n != "README.txt") == sorted(built),
          "the package holds exactly the built site and README.txt")
    with zipfile.ZipFile(zpath) as z:
        check(all(z.read(n) == read_bytes(os.path.join(public, n)) for n in built),
              "every file is the built site's")
        readme = z.read("README.txt")
    check(readme.startswith(b"\xef\xbb\xbf") and b"\r\n" in readme,
          "README.txt: UTF-8 with BOM and CRLF, for Notepad")
    text = readme.decode("utf-8-sig")
    check("index.html" in text and "相对链接" in text and "python3 -m http.server" in text and
          "搜索" in text, "README.txt says how to open and serve it")
    deep = os.path.join(tmp, "deploy", "某县 网站", "v1")
    os.makedirs(deep)
    u = run("unzip", "-q", zpath, "-d", deep)
    check(u.returncode == 0, "unzip extracts the package")
    broken = links_resolve(deep)
    check(not broken, "every relative link resolves under a deep folder: %s" % broken[:5])
    r = gongkai("package", "-s", site, "-o", os.path.join(tmp, "new", "dir", "offline.zip"),
                "--relative-urls")
    check(r.returncode == 0 and os.path.exists(os.path.join(tmp, "new", "dir", "offline.zip")),
          "-o writes where asked, creating the folder")
    check(sha(os.path.join(tmp, "new", "dir", "offline.zip")) == sha(zpath),
          "--relative-urls changes nothing: the links are relative anyway")
    check(os.listdir(os.path.join(tmp, "new", "dir")) == ["offline.zip"],
          "nothing else is left beside it")


def test_options(tmp, site):
    cases = [
        (["archive", "-s", site], 2, "no --period"),
        (["archive", "-s", site, "--period", "2025Q3"], 2, "a malformed period"),
        (["archive", "-s", site, "--period", "2025-Q3", "--board", "nope"], 2, "an unknown board"),
        (["archive", "-s", site, "--period", "2025-10", "--board", "baima-zw"], 2,
         "a month for a quarterly board"),
        (["archive", "-s", site, "--period", "2025-Q3", "extra"], 2, "an operand"),
        (["package", "-s", site, "extra"], 2, "package with an operand"),
    ]
    for args, code, what in cases:
        r = gongkai(*args)
        check(r.returncode == code, "%s: exit %d, got %d" % (what, code, r.returncode))
    out = os.path.join(tmp, "q1")
    r = gongkai("archive", "-s", site, "--period", "2025-Q1", "-o", out)
    check(r.returncode == 0 and sorted(os.listdir(out)) ==
          ["2025-Q1-baima-zw.zip", "2025-Q1-qingshi-zw.zip"],
          "an explicit quarter archives the quarterly boards: %s" % r.stderr)
    m = manifest_of(os.path.join(out, "2025-Q1-qingshi-zw.zip"))
    check(m["items"] == [] and m["date"] == "2025-03-31" and "GK807" in r.stderr,
          "an empty period: a warning, the PDF only, dated the period's last day")
    r = gongkai("--help")
    check(all(c in r.stdout for c in ("archive", "--verify", "package", "report")),
          "--help lists archive, package and report")


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def test_zip64(tmp):
    """A 4.5 GiB (sparse) attachment: the zip is over 4 GiB and needs ZIP64
    for the entry's size and for the offsets after it."""
    if os.environ.get("GONGKAI_SLOW_TESTS") != "1":
        print("skipped: the ZIP64 test (4.5 GiB) runs with GONGKAI_SLOW_TESTS=1")
        return
    big = 4608 << 20  # 4.5 GiB
    if free_bytes(tmp) < big + (1 << 30):
        print("skipped: the ZIP64 test needs 5.5 GiB free in %s, there are %.1f GiB" %
              (tmp, free_bytes(tmp) / (1 << 30)))
        return
    site = copy_site(tmp, "zip64")
    add_attachments(site, "content/baima/2025/zw-2025q3.md", {"大文件.bin": big})
    start = time.time()
    r = gongkai("archive", "-s", site, "--period", "2025-Q3", "--board", "baima-zw")
    took = time.time() - start
    zpath = os.path.join(site, "archive", "2025-Q3-baima-zw.zip")
    if not check(r.returncode == 0, "archive with a 4.5 GiB attachment: %s" % r.stderr):
        return
    size = os.path.getsize(zpath)
    print("zip64: archive written in %.1f s, %.2f GiB" % (took, size / (1 << 30)))
    check(size > 4 << 30, "the zip is over 4 GiB")
    t = run("unzip", "-t", zpath)
    check(t.returncode == 0 and "No errors detected" in t.stdout, "unzip -t: %s" % t.stdout[-300:])
    with zipfile.ZipFile(zpath) as z:
        info = z.getinfo("content/baima/2025/大文件.bin")
        later = z.getinfo("sheets/baima-zw-2025-Q3.pdf")
        check(info.file_size == big and info.compress_type == zipfile.ZIP_STORED,
              "the big entry is stored whole")
        check(later.header_offset > 4 << 30, "entries after it sit beyond 4 GiB (ZIP64 offsets)")
        check(info.flag_bits & UTF8_FLAG, "its Chinese name carries the UTF-8 flag")
    check_manifest(zpath, "zip64")
    start = time.time()
    v = gongkai("archive", "--verify", zpath)
    print("zip64: --verify in %.1f s" % (time.time() - start))
    check(v.returncode == 0, "--verify passes: %s" % v.stderr)
    os.remove(zpath)


def main():
    with tempfile.TemporaryDirectory(prefix="gk-archive-") as tmp:
        site = test_example(tmp)
        test_utf8_and_determinism(tmp)
        test_verify(tmp, site)
        test_git(tmp)
        test_attachment_problems(tmp)
        test_interrupted(tmp)
        test_package(tmp, site)
        test_options(tmp, site)
        test_zip64(tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
