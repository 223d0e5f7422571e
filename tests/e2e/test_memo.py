#!/usr/bin/env python3
"""The memos of earlier runs (.gongkai/naming.cache: naming.lua's answers;
.gongkai/fingerprints.cache: the body fingerprints; .gongkai/checks.cache:
what the checks found absent from texts) change nothing a build makes: two
copies of the example site take the same edits, one
building with its memo, the other with its memo deleted before every
build, and after each step their catalogue.lock and their sites are the
same, byte for byte: a body edited, a file renamed, a new naming.lua, a
memo damaged; personal data put into a text the memo knows stops both
builds. `check` neither makes nor changes a memo. Prints "N passed,
N failed"."""
import os
import shutil
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from harness import (BINARIES, ENV, ROOT, Gongkai, append, check, copy_site,  # noqa: E402
                     files_state, items, read_bytes, run_per_binary, same_tree)

gongkai = Gongkai(BINARIES[0], env=ENV)
MEMOS = ("naming.cache", "fingerprints.cache", "checks.cache")



class Pair:
    """The two copies of the site and their outputs."""

    def __init__(self, tmp):
        self.sites = [copy_site(tmp, "with-memo"), copy_site(tmp, "without-memo")]
        self.outs = [os.path.join(tmp, "with-memo-out"), os.path.join(tmp, "without-memo-out")]

    def each(self, edit):
        """Apply edit(site) to both copies."""
        for site in self.sites:
            edit(site)

    def build(self, what):
        for site, out in zip(self.sites, self.outs):
            if site == self.sites[1]:
                for name in MEMOS:
                    path = os.path.join(site, ".gongkai", name)
                    if os.path.exists(path):
                        os.unlink(path)
            r = gongkai("build", "-q", "-s", site, "-o", out)
            if not check(r.returncode == 0, "%s: build failed: %s" % (what, r.stderr[-1500:])):
                return
        memo = os.path.join(self.sites[0], ".gongkai")
        check(all(os.path.exists(os.path.join(memo, n)) for n in MEMOS),
              "%s: the build kept no memo" % what)
        locks = [read_bytes(os.path.join(s, "catalogue.lock")) for s in self.sites]
        check(locks[0] == locks[1], "%s: catalogue.lock differs with the memo" % what)
        same_tree(self.outs[0], self.outs[1], "%s: the sites with and without the memo" % what)



def replace(path, old, new):
    text = read_bytes(path).decode("utf-8")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new))


def test_same_site(tmp):
    pair = Pair(tmp)
    pair.build("first build")
    pair.build("no change")
    pair.each(lambda s: append(items(s)[5], "\n补充的一句话。\n"))
    pair.build("a body edited")

    def rename(site):
        old = items(site)[7]
        os.rename(old, old[:-3] + "-gaiming.md")
    pair.each(rename)
    pair.build("a file renamed")

    def new_naming(site):
        with open(os.path.join(ROOT, "templates", "naming.lua"), encoding="utf-8") as f:
            text = f.read()
        rule = 'return string.format("/%s/%04d/%s/", a.dept, a.year, slug)'
        check(rule in text, "the default item_url rule changed: update this test")
        os.makedirs(os.path.join(site, "templates"), exist_ok=True)
        with open(os.path.join(site, "templates", "naming.lua"), "w", encoding="utf-8") as f:
            f.write(text.replace(rule, rule.replace('"/%s/%04d/%s/"', '"/%s/%04d/xx-%s/"')))
    pair.each(new_naming)
    pair.build("a new naming.lua")
    lock = read_bytes(os.path.join(pair.sites[0], "catalogue.lock")).decode("utf-8")
    check("/xx-" in lock, "the new item_url rule gave no URL")

    for name in MEMOS:
        path = os.path.join(pair.sites[0], ".gongkai", name)
        data = bytearray(read_bytes(path))
        data[len(data) // 2] ^= 1
        with open(path, "wb") as f:
            f.write(data)
    pair.each(lambda s: append(items(s)[9], "\n又补充的一句话。\n"))
    pair.build("a damaged memo")

    pair.each(lambda s: append(items(s)[5], "\n联系电话 13812345678。\n"))
    for site, out in zip(pair.sites, pair.outs):
        r = gongkai("build", "-q", "-s", site, "-o", out)
        check(r.returncode == 1 and "GK202" in r.stderr,
              "personal data in a text the memo knew: %d %s" % (r.returncode, r.stderr[-800:]))
    pair.each(lambda s: replace(items(s)[5], "联系电话 13812345678。", "联系电话见公告。"))
    pair.build("personal data taken out again")
    return pair


def test_check_writes_no_memo(tmp, pair):
    site = copy_site(tmp, "check-only")
    r = gongkai("check", "-s", site)
    check(r.returncode in (0, 1), "check failed to run: %s" % r.stderr[-1000:])
    check(not os.path.exists(os.path.join(site, ".gongkai")), "check made .gongkai/")

    site = pair.sites[0]
    memo = os.path.join(site, ".gongkai")
    before = files_state(memo, MEMOS)
    # A build would keep the edited body's fingerprint: check must not.
    append(items(site)[11], "\n检查之前补充的一句话。\n")
    shutil.rmtree(os.path.join(site, "templates"))
    gongkai("check", "-s", site)
    after = files_state(memo, MEMOS)
    check(before == after, "check changed the memo")


def test_all(tmp):
    test_check_writes_no_memo(tmp, test_same_site(tmp))


def main():
    return run_per_binary(gongkai, test_all)


if __name__ == "__main__":
    sys.exit(main())
