#!/usr/bin/env python3
"""The text store (.gongkai/content.index and content.texts: the items'
texts of earlier builds, taken instead of reading files whose stat data did
not change) changes nothing a build makes: after each step, a rebuild with
the store gives the same site, byte for byte, and the same catalogue.lock,
as a build with no .gongkai/ at all: no change, a body edited, an item
added, renamed, removed, its mode changed, a department renamed in
site.toml (the stored parses are not used), and the store's files damaged,
cut short or replaced. `check` neither makes nor changes the store. Prints
"N passed, N failed"."""
import os
import shutil
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from harness import (BINARIES, ENV, Gongkai, append, check, copy_site, files_state,  # noqa: E402
                     items, read_bytes, run_per_binary, same_tree)

gongkai = Gongkai(BINARIES[0], env=ENV)
STORE = ("content.index", "content.texts")



def build(site, out, what):
    """Build with the store into out, then without .gongkai/ into a fresh
    folder; the two must agree. The store is put back afterwards."""
    r = gongkai("build", "-q", "-s", site, "-o", out)
    if not check(r.returncode == 0, "%s: build failed: %s" % (what, r.stderr[-1500:])):
        return
    dot = os.path.join(site, ".gongkai")
    check(all(os.path.exists(os.path.join(dot, n)) for n in STORE),
          "%s: the build kept no text store" % what)
    lock = read_bytes(os.path.join(site, "catalogue.lock"))
    aside = dot + "-aside"
    os.rename(dot, aside)
    fresh = out + "-fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    r = gongkai("build", "-q", "-s", site, "-o", fresh)
    shutil.rmtree(dot)
    os.rename(aside, dot)
    if not check(r.returncode == 0, "%s: the build without .gongkai/ failed: %s"
                 % (what, r.stderr[-1500:])):
        return
    check(read_bytes(os.path.join(site, "catalogue.lock")) == lock,
          "%s: catalogue.lock differs without the store" % what)
    same_tree(out, fresh, "%s: the sites with and without the store" % what)



def damage(site, name, how):
    path = os.path.join(site, ".gongkai", name)
    data = bytearray(read_bytes(path))
    with open(path, "wb") as f:
        f.write(how(data))


def flip(data):
    data[len(data) // 2] ^= 1
    return data


def test_same_site(tmp):
    site = copy_site(tmp, "site")
    out = os.path.join(tmp, "out")
    # Files changed less than two seconds before a build are not stored.
    time.sleep(2.2)
    build(site, out, "first build")
    build(site, out, "no change")
    append(items(site)[3], "\n补充的一句话。\n")
    build(site, out, "a body edited")

    new = items(site)[4][:-3] + "-xin.md"
    shutil.copy(items(site)[4], new)
    os.unlink(items(site)[4])
    build(site, out, "an item renamed")
    os.unlink(items(site)[6])
    build(site, out, "an item removed")
    os.chmod(items(site)[8], 0o600)
    build(site, out, "an item's mode changed")
    # The items' parses are kept under site.toml's bytes: a department
    # renamed there makes every item parsed again.
    toml = os.path.join(site, "site.toml")
    text = read_bytes(toml).decode("utf-8")
    at = text.index('name = "', text.index("[[departments]]")) + len('name = "')
    with open(toml, "w", encoding="utf-8") as f:
        f.write(text[:at] + "新" + text[at:])
    build(site, out, "a department renamed in site.toml")

    damage(site, "content.texts", flip)
    build(site, out, "damaged texts")
    damage(site, "content.index", flip)
    build(site, out, "a damaged index")
    damage(site, "content.texts", lambda d: d[:len(d) // 3])
    build(site, out, "texts cut short")
    damage(site, "content.texts", lambda d: d + b"crash in an append")
    build(site, out, "bytes beyond the committed length")
    damage(site, "content.texts", lambda d: b"not a store at all")
    build(site, out, "texts replaced")
    os.unlink(os.path.join(site, ".gongkai", "content.index"))
    build(site, out, "no index")
    return site


def test_check_leaves_the_store(tmp, site):
    fresh = copy_site(tmp, "check-only")
    r = gongkai("check", "-s", fresh)
    check(r.returncode in (0, 1), "check failed to run: %s" % r.stderr[-1000:])
    check(not os.path.exists(os.path.join(fresh, ".gongkai")), "check made .gongkai/")

    dot = os.path.join(site, ".gongkai")
    before = files_state(dot, STORE)
    time.sleep(2.2)
    # A build would store this text, no longer too new to be kept.
    append(items(site)[10], "\n检查之前补充的一句话。\n")
    time.sleep(2.2)
    gongkai("check", "-s", site)
    after = files_state(dot, STORE)
    check(before == after, "check changed the text store")


def test_all(tmp):
    test_check_leaves_the_store(tmp, test_same_site(tmp))


def main():
    return run_per_binary(gongkai, test_all)


if __name__ == "__main__":
    sys.exit(main())
