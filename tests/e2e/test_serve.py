#!/usr/bin/env python3
"""gongkai serve end to end: on a copy of the example site, over loopback.
HTTP as a client sees it (paths refused, MIME types, HEAD, ETag and 304,
redirects, the reload snippet only in served pages, the event stream, a
first build that fails and recovers, loopback only, a graceful stop), a
short wrk load with its memory before and after, and the browser tests of
tests/browser/serve.test.js in Debian's chromium (skipped, saying so, when
chromium or node cannot be had). Screenshots go to tests/out/screens/ (not
committed). Prints "N passed, N failed"."""
import hashlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from harness import GK, ROOT, add_counts, check, copy_site, finish, sanitizer_report  # noqa: E402

SHOTS = os.path.join(ROOT, "tests", "out", "screens")


class Server:
    """gongkai serve on a free loopback port (--port 0: it says which)."""

    def __init__(self, site, *extra):
        self.proc = subprocess.Popen([GK, "serve", "-s", site, "--port", "0", *extra],
                                     stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.ready = threading.Event()
        self.port = None
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(60):
            raise RuntimeError("serve did not start: " + "".join(self.lines))

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line)
            m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if m and not self.port:
                self.port = int(m.group(1))
                self.ready.set()

    def log(self):
        return "".join(self.lines)

    def wait_for(self, text, count=1, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            if self.log().count(text) >= count:
                return True
            time.sleep(0.05)
        return False

    def settle(self, quiet=1.5, timeout=30):
        """Wait until no rebuild has started or ended for `quiet` seconds:
        events of an earlier change can still be arriving on a busy machine."""
        end = time.time() + timeout
        last, since = len(self.log()), time.time()
        while time.time() < end:
            time.sleep(0.1)
            log = self.log()
            if len(log) != last:
                last, since = len(log), time.time()
            busy = log.count("重新生成") > log.count("预览已更新") - 1 + log.count("生成失败")
            if not busy and time.time() - since >= quiet:
                return

    def request(self, method, target, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.putrequest(method, target, skip_host=False, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            c.putheader(k, v)
        c.endheaders()
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), body

    def raw(self, data):
        """Send bytes as they are (http.client would refuse some of them)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(data)
            out = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        m = re.match(rb"HTTP/1\.[01] (\d+)", out)
        return int(m.group(1)) if m else 0

    def stop(self, sig=signal.SIGINT):
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_http(srv, site):
    st, h, body = srv.request("GET", "/")
    check(st == 200 and h.get("content-type") == "text/html; charset=utf-8", "home: %s %s" % (st, h))
    check(b"new EventSource(\"/__gongkai/events\")" in body, "reload snippet served")
    check(body.rstrip().endswith(b"</html>") and body.index(b"gongkai serve") < body.rindex(b"</body>"),
          "snippet inside <body>")
    built = os.path.join(site, ".gongkai", "serve", "site")
    leaked = [f for base, _, files in os.walk(built) for f in files
              if f.endswith(".html") and b"__gongkai" in open(os.path.join(base, f), "rb").read()]
    check(os.path.isfile(os.path.join(built, "index.html")) and not leaked,
          "built files carry no snippet: %s" % leaked[:3])
    check(not os.path.exists(os.path.join(site, "public")), "serve does not write public/")

    types = {"/css/site.css": "text/css; charset=utf-8",
             "/js/search.js": "text/javascript; charset=utf-8",
             "/search/index.json": "application/json; charset=utf-8",
             "/search/s/0.bin": "application/octet-stream",
             "/feed.xml": "application/xml; charset=utf-8",
             "/czj/": "text/html; charset=utf-8"}
    for path, want in types.items():
        st, h, _ = srv.request("GET", path)
        check(st == 200 and h.get("content-type") == want, "%s: %s %s" % (path, st, h.get("content-type")))
        check(h.get("x-content-type-options") == "nosniff", "%s nosniff" % path)

    st, h, _ = srv.request("GET", "/czj")
    check(st == 301 and h.get("location") == "/czj/", "folder without slash redirects: %s %s" % (st, h))
    st, h, body = srv.request("GET", "/no/such/page/")
    check(st == 404 and "页面不存在".encode() in body, "404 page: %s" % st)
    st, h, _ = srv.request("POST", "/")
    check(st == 405 and h.get("allow") == "GET, HEAD", "POST refused: %s" % st)
    st, h, _ = srv.request("GET", "/%E4%B8%8D%E5%AD%98%E5%9C%A8/")
    check(st == 404, "encoded UTF-8 path: %s" % st)

    # Refused before any file is looked at.
    for target in ["/../etc/passwd", "/czj/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                   "/%2E%2E/site.toml", "/.%2e/.%2e/etc/passwd", "//etc/passwd",
                   "/%2fetc%2fpasswd", "/index.html%00.css", "/a%0d%0aSet-Cookie:x",
                   "/..%5c..%5cetc%5cpasswd", "/a%zz"]:
        status = srv.raw(b"GET " + target.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        check(status == 400, "%s refused: %s" % (target, status))
    for target in [b"http://127.0.0.1/etc/passwd", b"/etc/passwd"]:
        status = srv.raw(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        check(status in (400, 404), "%s never leaves the site: %s" % (target, status))
    status = srv.raw(b"GET /site.toml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check(status == 404, "the sources are not served: %s" % status)
    # A link planted in the served folder that points out of it.
    os.symlink("/etc/passwd", os.path.join(built, "passwd.txt"))
    status = srv.raw(b"GET /passwd.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check(status == 404, "links out of the site are not followed: %s" % status)
    os.unlink(os.path.join(built, "passwd.txt"))

    # HEAD, ETag, 304.
    st, h, body = srv.request("GET", "/css/site.css")
    etag = h.get("etag", "")
    check(st == 200 and re.fullmatch(r'"[0-9a-f-]+"', etag) is not None, "ETag: %r" % etag)
    with open(os.path.join(built, "css", "site.css"), "rb") as f:
        check(hashlib.sha256(f.read()).digest() == hashlib.sha256(body).digest(), "CSS served as built")
    st, hh, hbody = srv.request("HEAD", "/css/site.css")
    check(st == 200 and hbody == b"" and hh.get("content-length") == str(len(body))
          and hh.get("etag") == etag, "HEAD: %s %s" % (st, hh))
    st, h304, body304 = srv.request("GET", "/css/site.css", {"If-None-Match": etag})
    check(st == 304 and body304 == b"" and h304.get("etag") == etag, "304: %s" % st)
    st, _, _ = srv.request("GET", "/css/site.css", {"If-None-Match": '"other", ' + etag})
    check(st == 304, "304 for a list of tags: %s" % st)
    st, _, _ = srv.request("GET", "/css/site.css", {"If-None-Match": '"other"'})
    check(st == 200, "200 when the tag differs: %s" % st)
    st, h, body = srv.request("GET", "/")
    st2, _, _ = srv.request("GET", "/", {"If-None-Match": h.get("etag", "")})
    check(st2 == 304, "304 for a page: %s" % st2)
    st, hh, hbody = srv.request("HEAD", "/")
    check(st == 200 and hbody == b"" and hh.get("content-length") == str(len(body)), "HEAD of a page")

    # The event stream says the current build at once.
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    c.request("GET", "/__gongkai/events")
    r = c.getresponse()
    first = r.read1(256)
    check(r.status == 200 and r.getheader("content-type", "").startswith("text/event-stream"),
          "event stream: %s" % r.status)
    check(re.search(rb"data: \d+", first) is not None, "first event: %r" % first)
    c.close()


def test_facets(srv):
    """分类导航: every keyword and year listed leads to a listing of that
    many items."""
    st, _, body = srv.request("GET", "/xxgk/fl/")
    page = body.decode()
    check(st == 200 and "按主题词" in page and "按年份" in page, "facet page: %s" % st)
    entries = re.findall(r'<a href="\.\./(ztc|nd)/([^"]+)">[^<]+</a> <span class="count">(\d+) 条', page)
    check(len(entries) > 10, "facet entries: %d" % len(entries))
    for kind, slug, count in entries:
        target = "/xxgk/%s/%s" % (kind, urllib.parse.quote(slug))
        st, _, body = srv.request("GET", target)
        rows = body.decode().count('<td class="col-title">')
        check(st == 200 and (rows == int(count) or (int(count) > 20 and rows == 20)),
              "%s: %s, %d rows for %s" % (target, st, rows, count))
    check(("ztc", "三公经费/", "1") in entries, "三公经费 listed once")


def test_new_folder(srv, site):
    """A folder made after the start is watched: an item written into a
    new folder inside it shows up."""
    builds = srv.log().count("预览已更新")
    folder = os.path.join(site, "content", "czj", "2025", "xinjian")
    os.makedirs(folder)
    time.sleep(0.3)
    os.makedirs(os.path.join(folder, "sub"))
    time.sleep(0.3)
    with open(os.path.join(folder, "sub", "xinjian.md"), "w", encoding="utf-8") as f:
        f.write('+++\ntitle = "新建文件夹中的测试信息"\ndate = 2025-11-20\ncategory = "工作动态"\n'
                '+++\n\n正文。\n')
    deadline = time.time() + 15
    found = False
    while time.time() < deadline and not found:
        found = "新建文件夹中的测试信息".encode() in srv.request("GET", "/")[2]
        time.sleep(0.1)
    check(found, "item in a new folder appears: " + srv.log()[-400:])
    # The new pages are served a moment before the build's log line.
    check(srv.wait_for("预览已更新", builds + 1), "rebuilt after the new folder")
    srv.settle()
    builds = srv.log().count("预览已更新")
    shutil.rmtree(folder)
    check(srv.wait_for("预览已更新", builds + 1), "rebuilt after removal")


def rendered(srv):
    return [int(n) for n in re.findall(r"渲染了 (\d+) 个页面", srv.log())]


def test_incremental(srv, site):
    """An edit renders that item's pages and the listings, not the site."""
    first = rendered(srv)[0]
    srv.settle()
    done = srv.log().count("预览已更新")
    path = os.path.join(site, "content", "czj", "2025")
    name = sorted(f for f in os.listdir(path) if f.endswith(".md"))[-1]
    with open(os.path.join(path, name), "a", encoding="utf-8") as f:
        f.write("\n增量预览的补充说明。\n")
    check(srv.wait_for("预览已更新", done + 1), "rebuilt after an edit")
    last = rendered(srv)[-1]
    check(0 < last < first - 40, "an edit rendered %d pages; the first build %d" % (last, first))


def test_load(srv):
    """A short wrk run: no errors, no memory growth. (The 10 s, 64
    connection run recorded in the README is the same with -d10s.)"""
    if not shutil.which("wrk"):
        print("SKIP: wrk is not installed (apt-get install wrk): load test not run")
        return
    url = "http://127.0.0.1:%d/" % srv.port
    subprocess.run(["wrk", "-t2", "-c64", "-d1s", url], capture_output=True)  # warm up
    before = rss_kib(srv.proc.pid)
    r = subprocess.run(["wrk", "-t2", "-c64", "-d3s", url], capture_output=True, text=True)
    after = rss_kib(srv.proc.pid)
    m = re.search(r"Requests/sec:\s+([\d.]+)", r.stdout)
    print("wrk: %s requests/s, RSS %d KiB -> %d KiB" % (m.group(1) if m else "?", before, after))
    check(m is not None and float(m.group(1)) > 1000, "wrk ran: %s" % r.stdout[-300:])
    check("Non-2xx" not in r.stdout and "Socket errors" not in r.stdout, "wrk errors: %s" % r.stdout)
    check(after - before < 4096, "memory grew under load: %d -> %d KiB" % (before, after))


def add_test_item(site):
    path = os.path.join(site, "content", "zfb", "2012-ceshi.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write('+++\ntitle = "示例县2012年测试通知"\ndate = 2012-05-08\ncategory = "工作动态"\n'
                'doc_number = "示政办发〔2012〕21号"\n+++\n\n测试正文。\n')


def browser_runner(tmp):
    """node with playwright-core installed into build/browser (from the
    committed lock file), or a reason it cannot run."""
    if not os.path.exists("/usr/bin/chromium"):
        return None, "chromium is not installed (apt-get install chromium)"
    if not shutil.which("node") or not shutil.which("npm"):
        return None, "node and npm are not installed"
    src = os.path.join(ROOT, "tests", "browser")
    dst = os.path.join(ROOT, "build", "browser")
    os.makedirs(dst, exist_ok=True)
    lock = open(os.path.join(src, "package-lock.json"), "rb").read()
    stamp = os.path.join(dst, "node_modules", ".lock-installed")
    if not (os.path.exists(stamp) and open(stamp, "rb").read() == lock):
        for f in ("package.json", "package-lock.json"):
            shutil.copy(os.path.join(src, f), dst)
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=dst,
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None, "npm ci failed: " + r.stderr[-500:]
        with open(stamp, "wb") as f:
            f.write(lock)
    shutil.copy(os.path.join(src, "serve.test.js"), dst)
    return os.path.join(dst, "serve.test.js"), None


def test_browser(srv, site, tmp):
    script, why = browser_runner(tmp)
    if not script:
        print("SKIP: browser tests not run: %s" % why)
        return
    os.makedirs(SHOTS, exist_ok=True)
    r = subprocess.run(["node", script, "http://127.0.0.1:%d/" % srv.port, site, SHOTS],
                       capture_output=True, text=True, timeout=300)
    sys.stdout.write(r.stdout)
    m = re.search(r"^browser: (\d+) passed, (\d+) failed$", r.stdout, re.M)
    if not check(m is not None, "browser tests ran: %s" % r.stderr[-2000:]):
        return
    add_counts(int(m.group(1)), int(m.group(2)))
    print("screenshots in %s" % SHOTS)


def test_loopback(srv):
    """Listening on 127.0.0.1 only: the kernel's socket table says so."""
    port = "%04X" % srv.port
    with open("/proc/net/tcp") as f:
        listening = [l.split()[1] for l in f.readlines()[1:] if l.split()[3] == "0A"]
    mine = [a for a in listening if a.endswith(":" + port)]
    check(mine == ["0100007F:" + port], "bound to loopback only: %s" % mine)


def test_first_build_fails(tmp):
    """No good build yet: every page is the error page; a fix brings the site."""
    site = copy_site(os.path.join(tmp, "broken"))
    item = os.path.join(site, "content", "czj", "2025", "yusuan-2025.md")
    good = open(item, encoding="utf-8").read()
    with open(item, "w", encoding="utf-8") as f:
        f.write(good.replace("+++", "", 1))
    srv = Server(site)
    try:
        st, h, body = srv.request("GET", "/czj/")
        check(st == 500 and b"gongkai-build-error" in body and b"GK104" in body,
              "first build failed: error page %s %s" % (st, body[:200]))
        check(b"__gongkai/events" in body, "the error page reloads too")
        with open(item, "w", encoding="utf-8") as f:
            f.write(good)
        check(srv.wait_for("预览已更新"), "rebuilt after the fix: " + srv.log())
        st, _, body = srv.request("GET", "/czj/")
        check(st == 200 and b"gongkai-build-error" not in body, "site served after the fix: %s" % st)
    finally:
        srv.stop()


def test_usage():
    r = subprocess.run([GK, "serve", "--port", "70000"], capture_output=True, text=True)
    check(r.returncode == 2 and "--port" in r.stderr, "bad port: %s" % r.stderr)
    r = subprocess.run([GK, "serve", "--bind", "localhost:80"], capture_output=True, text=True)
    check(r.returncode == 2 and "--bind" in r.stderr, "bad bind: %s" % r.stderr)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with tempfile.TemporaryDirectory() as tmp:
            site = copy_site(tmp)
            r = subprocess.run([GK, "serve", "-s", site, "--port", str(s.getsockname()[1])],
                               capture_output=True, text=True, timeout=60)
    check(r.returncode == 3 and "GK701" in r.stderr, "port in use: %s %s" % (r.returncode, r.stderr))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        site = copy_site(tmp)
        add_test_item(site)
        lock = open(os.path.join(site, "catalogue.lock"), "rb").read()
        srv = Server(site)
        try:
            test_http(srv, site)
            test_loopback(srv)
            test_facets(srv)
            test_new_folder(srv, site)
            test_incremental(srv, site)
            test_load(srv)
            test_browser(srv, site, tmp)
            check(open(os.path.join(site, "catalogue.lock"), "rb").read() == lock,
                  "serve never writes catalogue.lock")
            # A stop with an event stream open: streams end, the process exits 0.
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
            c.request("GET", "/__gongkai/events")
            c.getresponse().read1(256)
            t0 = time.time()
            code = srv.stop(signal.SIGTERM)
            check(code == 0 and time.time() - t0 < 5 and "预览已停止" in srv.log(),
                  "graceful stop: %s %s" % (code, srv.log()[-300:]))
            c.close()
        finally:
            if srv.proc.poll() is None:
                srv.stop()
        if sanitizer_report(srv.log()):
            check(False, "sanitizer report from serve")
        test_first_build_fails(tmp)
        test_usage()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
