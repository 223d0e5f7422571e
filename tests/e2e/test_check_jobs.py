#!/usr/bin/env python3
"""Loading and checking on several threads (check -j N, build -j N) reports
what one thread reports: the same diagnostics, in the same order, with the
same exit code. The site is the check fixture with its items copied many
times over, plus the unreadable files of the content fixture, so that
hundreds of items have findings: personal data, duplicate document numbers,
broken links and attachments, bad encodings and front matter.
Prints "N passed, N failed"."""
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from harness import BINARIES, ENV, ROOT, Gongkai, check, finish  # noqa: E402

CHECK = os.path.join(ROOT, "tests", "fixtures", "check")
BAD = os.path.join(ROOT, "tests", "fixtures", "content", "bad", "content", "czj")
COPIES = 12
# The first of the binaries GK names (by default the optimised build).
gongkai = Gongkai(BINARIES[0], env=ENV)


def make_site(tmp):
    """The check fixture, each department's items copied COPIES times."""
    site = os.path.join(tmp, "site")
    shutil.copytree(CHECK, site, symlinks=True)
    content = os.path.join(site, "content")
    for dept in sorted(os.listdir(content)):
        src = os.path.join(CHECK, "content", dept)
        for k in range(COPIES):
            shutil.copytree(src, os.path.join(content, dept, "copy%02d" % k), symlinks=True)
    for k in range(COPIES):
        shutil.copytree(BAD, os.path.join(content, "czj", "bad%02d" % k), symlinks=True)
    return site


def test_check(site):
    runs = {}
    for fmt in ("text", "json"):
        for j in (1, 2, 3):
            r = gongkai("check", "-s", site, "--today", "2026-03-10", "--format", fmt, "-j", str(j))
            runs[(fmt, j)] = (r.returncode, r.stdout, r.stderr)
        one = runs[(fmt, 1)]
        check(one[0] == 1, "check (%s) should find errors, exit %d" % (fmt, one[0]))
        lines = (one[1] if fmt == "json" else one[2]).count("GK2")
        check(lines > 300, "check (%s) should report hundreds of findings, not %d" % (fmt, lines))
        for j in (2, 3):
            check(runs[(fmt, j)] == one,
                  "check --format %s: -j%d differs from -j1:\n%s" %
                  (fmt, j, first_difference(one[2] + one[1], runs[(fmt, j)][2] + runs[(fmt, j)][1])))


def test_build(site, tmp):
    runs = []
    for j in (1, 2):
        r = gongkai("build", "-q", "-s", site, "-o", os.path.join(tmp, "out%d" % j), "-j", str(j))
        runs.append((r.returncode, r.stderr))
    check(runs[0][0] == 1, "build should refuse the site, exit %d" % runs[0][0])
    check(runs[0][1].count("GK2") > 300, "build should report the refusals")
    check(runs[1] == runs[0], "build: -j2 reports differ from -j1:\n%s" %
          first_difference(runs[0][1], runs[1][1]))


def test_usage():
    r = gongkai("check", "-s", CHECK, "-j", "0")
    check(r.returncode == 2 and "-j" in r.stderr, "check -j 0 should be a usage error")


def first_difference(a, b):
    for x, y in zip(a.splitlines(), b.splitlines()):
        if x != y:
            return "  %s\n  %s" % (x, y)
    return "  (one output is longer)"


def main():
    tmp = tempfile.mkdtemp(prefix="gk-check-jobs-")
    try:
        site = make_site(tmp)
        test_check(site)
        test_build(site, tmp)
        test_usage()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
