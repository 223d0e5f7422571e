#!/usr/bin/env python3
"""The working flags kept between builds (.gongkai/status.memo) change
nothing a build makes: two copies of the example site, made git
repositories with the same commits, take the same steps, one building with
its memo, the other with the memo deleted before every build (libgit2's
whole status pass), and after each step their sites are the same, byte for
byte, and the edited item's page says 含未提交的修改 exactly when its file
differs from HEAD: a rebuild with nothing changed, an edit, the edit staged,
the file put back as committed, a renamed item (a new untracked file), a
commit, a damaged memo. `check` neither makes nor changes the memo. Prints
"N passed, N failed"."""
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from harness import (BINARIES, ENV, Gongkai, append, check, copy_site,  # noqa: E402
                     files_state, finish, read, same_tree)

gongkai = Gongkai(BINARIES[0], env=ENV)
ITEM = "content/czj/2025/yusuan-2025.md"
PAGE = "czj/2025/yusuan-2025/index.html"
RENAMED = ("content/czj/2025/shoufei-mulu-2025.md", "content/czj/2025/shoufei-mulu-2025-b.md")
WORKING = "含未提交的修改"
# The same commit ids in both copies.
GIT_ENV = dict(os.environ, GIT_AUTHOR_DATE="2026-03-01T10:00:00+0800",
               GIT_COMMITTER_DATE="2026-03-01T10:00:00+0800", GIT_AUTHOR_NAME="网站管理员",
               GIT_AUTHOR_EMAIL="webmaster@example.org", GIT_COMMITTER_NAME="网站管理员",
               GIT_COMMITTER_EMAIL="webmaster@example.org")


def git(site, *args):
    r = subprocess.run(["git", "-C", site, "-c", "commit.gpgsign=false", *args],
                       capture_output=True, text=True, env=GIT_ENV)
    check(r.returncode == 0, "git %s: %s" % (" ".join(args), r.stderr))
    return r.stdout


class Pair:
    """The two copies of the site and their outputs."""

    def __init__(self, tmp):
        self.sites = [copy_site(tmp, "with-memo"), copy_site(tmp, "without-memo")]
        self.outs = [os.path.join(tmp, "with-memo-out"), os.path.join(tmp, "without-memo-out")]

    def each(self, *args):
        """Run git with args in both copies."""
        for site in self.sites:
            git(site, *args)

    def build(self, what, working):
        for site, out in zip(self.sites, self.outs):
            memo = os.path.join(site, ".gongkai", "status.memo")
            if site == self.sites[1] and os.path.exists(memo):
                os.unlink(memo)
            r = gongkai("build", "-q", "-s", site, "-o", out)
            if not check(r.returncode == 0, "%s: build failed: %s" % (what, r.stderr[-1500:])):
                return
        check(os.path.exists(os.path.join(self.sites[0], ".gongkai", "status.memo")),
              "%s: the build kept no memo" % what)
        same_tree(self.outs[0], self.outs[1], "%s: the sites with and without the memo" % what)
        page = read(os.path.join(self.outs[0], PAGE))
        check((WORKING in page) == working, "%s: the page %s 含未提交的修改" %
              (what, "does not say" if working else "says"))


def test_steps(tmp):
    pair = Pair(tmp)
    pair.each("init", "-q")
    for site in pair.sites:
        with open(os.path.join(site, ".git", "info", "exclude"), "a", encoding="utf-8") as f:
            f.write(".gongkai/\n")
    pair.each("add", "-A")
    pair.each("commit", "-q", "-m", "示例站点")
    # Files changed within 2 s of a build are asked about again by the
    # next one, never recorded: let the copies age.
    time.sleep(2.2)
    pair.build("first build", False)
    # The build may record fingerprints in catalogue.lock: committed, as
    # the webmaster would.
    pair.each("add", "-A")
    pair.each("commit", "-q", "--allow-empty", "-m", "索引号登记")
    pair.build("nothing changed", False)
    pair.build("nothing changed again", False)

    committed = [read(os.path.join(s, ITEM)) for s in pair.sites]
    for site in pair.sites:
        append(os.path.join(site, ITEM), "\n补充说明一句。\n")
    pair.build("an edit", True)
    pair.build("an edit, rebuilt", True)
    pair.each("add", ITEM)
    pair.build("the edit staged", True)
    for site, text in zip(pair.sites, committed):
        with open(os.path.join(site, ITEM), "w", encoding="utf-8") as f:
            f.write(text)
    pair.build("put back in the work tree, staged still", True)
    pair.each("reset", "-q", "--", ITEM)
    pair.build("put back as committed", False)

    for site in pair.sites:
        os.rename(os.path.join(site, RENAMED[0]), os.path.join(site, RENAMED[1]))
    pair.build("an item renamed (untracked)", False)
    page = read(os.path.join(pair.outs[0], "czj/2025/shoufei-mulu-2025-b/index.html"))
    check(WORKING in page, "the renamed item's page does not say 含未提交的修改")

    for site in pair.sites:
        append(os.path.join(site, ITEM), "\n提交前的补充。\n")
    pair.build("edited before a commit", True)
    pair.each("add", "-A")
    pair.each("commit", "-q", "-m", "改名并补充")
    pair.build("committed", False)

    memo = os.path.join(pair.sites[0], ".gongkai", "status.memo")
    with open(memo, "r+b") as f:
        f.seek(30)
        f.write(b"#")
    for site in pair.sites:
        append(os.path.join(site, ITEM), "\n又一次补充。\n")
    pair.build("a damaged memo", True)
    return pair


def test_check_writes_no_memo(pair):
    site = pair.sites[0]
    before = files_state(os.path.join(site, ".gongkai"), ["status.memo"])
    append(os.path.join(site, ITEM), "\n检查之前补充的一句话。\n")
    gongkai("check", "-s", site)
    after = files_state(os.path.join(site, ".gongkai"), ["status.memo"])
    check(before == after, "check changed the status memo")


def main():
    for binary in [b for b in BINARIES if os.path.exists(b)]:
        gongkai.binary = binary
        with tempfile.TemporaryDirectory() as tmp:
            pair = test_steps(tmp)
            test_check_writes_no_memo(pair)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
