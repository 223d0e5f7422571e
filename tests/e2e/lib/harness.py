"""What every end-to-end test of tests/e2e/ shares: where the repository and
the gongkai binary are, the pass/fail counters and their closing line
"N passed, N failed" (tests/run.sh adds those up), running gongkai with an
eye on sanitizer reports, and the example site copied to a scratch folder.
It sits in lib/ so that tests/run.sh, which runs tests/e2e/*.py, does not
run it as a test."""
import hashlib
import html.parser
import os
import shutil
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# GK as given (a path); BINARIES reads it as a list, by default the
# optimised build and the ASan+UBSan one (tests that run both take those
# that exist).
GK = os.environ.get("GK", os.path.join(ROOT, "gongkai"))
BINARIES = os.environ.get("GK", "%s %s" % (os.path.join(ROOT, "gongkai"),
                                           os.path.join(ROOT, "build", "san", "gongkai"))).split()
SHARED = os.environ.get("SHARED", os.path.join(ROOT, "..", "shared"))
# The templates and themes of the repository, wherever the site is.
ENV = dict(os.environ, GONGKAI_DATADIR=ROOT)
SANITIZERS = ("AddressSanitizer", "runtime error", "ThreadSanitizer")

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)
    return ok


def add_counts(more_passed, more_failed):
    """Counts a suite run inside this one reported (the browser tests)."""
    global passed, failed
    passed += more_passed
    failed += more_failed


def finish():
    """The closing line; the exit status of the test."""
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def run_per_binary(gongkai, body):
    """body(tmp) with `gongkai` switched to each binary of BINARIES that
    exists, each time in a fresh temporary folder; the exit status."""
    for binary in [b for b in BINARIES if os.path.exists(b)]:
        gongkai.binary = binary
        with tempfile.TemporaryDirectory() as tmp:
            body(tmp)
    return finish()


def sanitizer_report(stderr):
    return any(s in stderr for s in SANITIZERS)


class Gongkai:
    """Runs the binary (`binary`, which a test may switch) with `env` (None:
    this process's environment); a sanitizer report on stderr fails."""

    def __init__(self, binary=GK, env=None):
        self.binary = binary
        self.env = env

    def __call__(self, *args, env=None, cwd=None):
        r = subprocess.run([self.binary, *args], capture_output=True, text=True,
                           env=self.env if env is None else env, cwd=cwd)
        if sanitizer_report(r.stderr):
            check(False, "sanitizer report from gongkai %s:\n%s" % (" ".join(args), r.stderr[-3000:]))
        return r


def copy_site(tmp, name="site"):
    """The example site as a user would have it, in a scratch directory."""
    dst = os.path.join(tmp, name)
    os.makedirs(dst)
    for entry in ("site.toml", "content", "templates", "themes", "catalogue.lock"):
        src = os.path.join(ROOT, entry)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(dst, entry))
        elif os.path.exists(src):
            shutil.copy(src, dst)
    return dst


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def append(path, text):
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def items(site):
    """Every item file of the site, in path order."""
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(site, "content"))
                  for f in fs if f.endswith(".md") and not f.startswith("_"))


def cache_records(site):
    """Per item source, its record in the site's build cache
    (render/cache.h): its QR code's (key, offset, length, checksum), its
    first page's site path (None: no page) and the record's key."""
    f = read_bytes(os.path.join(site, ".gongkai", "items.cache")).split(b"\0")
    count = int(f[3])
    check(f[4] == b"DEPS", "items.cache has no dependency sets where expected")
    i = 6
    for _ in range(int(f[5])):
        i += 1 + int(f[i])  # a set: its number of inputs, then its inputs
    found = {}
    for _ in range(count):
        path, pages = f[i + 1].decode(), int(f[i + 12])
        found[path] = (tuple(f[i + 8:i + 12]), f[i + 13].decode() if pages else None, f[i])
        i += 13 + 2 * pages
    check(f[i] == b"LISTINGS", "items.cache's records did not read as expected")
    return found


def files_state(folder, names):
    """The bytes and mtime of each of the files `names` in `folder`."""
    return {n: (read_bytes(os.path.join(folder, n)), os.stat(os.path.join(folder, n)).st_mtime_ns)
            for n in names}


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def same_tree(a, b, what):
    d = subprocess.run(["diff", "-r", a, b], capture_output=True, text=True)
    return check(d.returncode == 0, "%s: the trees differ:\n%s" % (what, d.stdout[:800]))


def pages(out):
    """Every .html file under `out`."""
    for base, _, files in os.walk(out):
        for f in sorted(files):
            if f.endswith(".html"):
                yield os.path.join(base, f)


class Links(html.parser.HTMLParser):
    """The href and src attributes of a page, in order."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v:
                self.links.append(v)
