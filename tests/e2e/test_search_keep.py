#!/usr/bin/env python3
"""The search index kept from build to build (generator/render/search.h):
a rebuild after an edit writes only the shards and doc files whose bytes
change, and the site is always the one a build without cache makes, byte for
byte, on one thread or two: after a body edit, a new first paragraph (the
summary), a new title, words taken out, a body so long that the index needs
more shards and back, an item come and gone. What the build cannot trust is
not used: a kept index file damaged or of another version (with a warning),
a shard or doc file changed or removed behind the build's back, the edited
item's previous search entry damaged. A no-change rebuild touches no file of the index.
Prints "N passed, N failed"."""
import os
import random
import re
import shutil
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from harness import (BINARIES, ENV, Gongkai, check, copy_site, read,  # noqa: E402
                     run_per_binary, same_tree)

gongkai = Gongkai(BINARIES[0], env=ENV)


def index_files(out):
    """The files of the site's search index: inode and mtime, which only a
    write changes."""
    seen = {}
    for sub in ("s", "d"):
        d = os.path.join(out, "search", sub)
        for f in os.listdir(d):
            st = os.stat(os.path.join(d, f))
            seen["%s/%s" % (sub, f)] = (st.st_ino, st.st_mtime_ns)
    return seen


def written(before, after):
    return {p for p in set(before) | set(after) if before.get(p) != after.get(p)}


def fresh_build(site, ref):
    """The site as a build without any cache makes it, at `ref`."""
    shutil.rmtree(ref, ignore_errors=True)
    cache = os.path.join(site, ".gongkai")
    os.rename(cache, cache + ".saved")
    r = gongkai("build", "-q", "-s", site, "-o", ref)
    shutil.rmtree(cache, ignore_errors=True)
    os.rename(cache + ".saved", cache)
    check(r.returncode == 0, "build without cache failed: %s" % r.stderr[-500:])


def bodies(site):
    """The items' files, the one with the longest body first."""
    items = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(site, "content"))
             for f in fs if f.endswith(".md") and not f.startswith("_")]
    return sorted(items, key=lambda p: (-len(read(p)), p))


def edit(path, change):
    text = read(path)
    with open(path, "w", encoding="utf-8") as f:
        f.write(change(text))


def first_paragraph(text):
    end = text.index("+++\n", 3) + 4
    return text[:end] + "\n保留索引测验新增的首段文字。\n" + text[end:]


def new_title(text):
    return re.sub(r'^title = "(.*)"$', r'title = "\1（修订稿）"', text, count=1, flags=re.M)


def long_body(text):
    """Some thousands of characters drawn at random: many new tokens."""
    rng = random.Random(7)
    chars = "".join(chr(rng.randrange(0x4e00, 0x9fa5)) for _ in range(12000))
    return text + "\n" + "\n\n".join(chars[i:i + 60] for i in range(0, len(chars), 60)) + "\n"


class Site:
    def __init__(self, tmp):
        self.site = copy_site(tmp, "keep")
        self.out = os.path.join(tmp, "keep-out")
        self.ref = os.path.join(tmp, "keep-ref")
        self.kept = os.path.join(self.site, ".gongkai", "items.search")
        self.builds = 0

    def build(self, what):
        """Build; the site must be what a build without cache makes.
        Returns the build's stderr and the index files it wrote."""
        before = index_files(self.out) if os.path.isdir(self.out) else {}
        self.builds += 1
        r = gongkai("build", "-s", self.site, "-o", self.out, "-j", str(1 + self.builds % 2))
        check(r.returncode == 0, "%s: build failed: %s" % (what, r.stderr[-800:]))
        fresh_build(self.site, self.ref)
        same_tree(self.out, self.ref, what)
        return r.stderr, written(before, index_files(self.out))

    def shards(self):
        return len(os.listdir(os.path.join(self.out, "search", "s")))


def test_edits(tmp):
    s = Site(tmp)
    s.build("the first build")
    check(os.path.exists(s.kept), "no kept search index written")
    shards = s.shards()
    check(shards > 2, "the example site's index has %d shards: too few to test" % shards)

    kept = os.stat(s.kept).st_mtime_ns
    _, files = s.build("a build with no change")
    check(not files and os.stat(s.kept).st_mtime_ns == kept,
          "a no-change build wrote %s of the search index" % sorted(files))

    item = bodies(s.site)[0]
    original = read(item)
    # Three new tokens (two characters and their pair) at the end: at most
    # three shards change, and no doc record.
    edit(item, lambda t: t + "\n魑魅。\n")
    err, files = s.build("after a body edit")
    check(0 < len(files) <= 3 and all(f.startswith("s/") for f in files),
          "a body edit wrote %s of %d shards" % (sorted(files), shards))
    check("GK403" not in err, "a body edit warned: %s" % err[-300:])

    edit(item, first_paragraph)
    _, files = s.build("after a new first paragraph")
    check(any(f.startswith("d/") for f in files), "a new first paragraph wrote %s" % sorted(files))

    edit(item, new_title)
    s.build("after a title edit")

    with open(item, "w", encoding="utf-8") as f:
        f.write(original)
    s.build("after the words were taken out again")

    edit(item, long_body)
    s.build("after a long body")
    more = s.shards()
    check(more > shards, "a long body left %d shards (before: %d)" % (more, shards))
    with open(item, "w", encoding="utf-8") as f:
        f.write(original)
    s.build("after the long body went")
    check(s.shards() == shards, "%d shards after the long body went, not %d" % (s.shards(), shards))

    # An item comes beside the edited one (the docs after it renumbered in
    # every shard and doc file), then goes again: the index is kept.
    newcomer = os.path.join(os.path.dirname(item), "search-keep-newcomer.md")
    with open(newcomer, "w", encoding="utf-8") as f:
        f.write(re.sub(r"^doc_number = .*\n", "",
                       original.replace('title = "', 'title = "保留索引测验新增：', 1), flags=re.M))
    err, files = s.build("after a new item")
    check("GK403" not in err and any(f.startswith("d/") for f in files),
          "a new item wrote %s: %s" % (sorted(files), err[-300:]))
    os.unlink(newcomer)
    err, _ = s.build("after the new item went")
    check("GK403" not in err, "the item's going warned: %s" % err[-300:])
    return s


def damage(path, how):
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(how(data))


def flip(data):
    """The same length, one byte changed."""
    return data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0x20]) + data[len(data) // 2 + 1:]


def test_damage(s):
    item = bodies(s.site)[1]
    # Characters no item has: each edit gives the item new tokens.
    words = iter("魍魉饕餮貔貅麒麟鸑鷟鹓鶵")

    def new_words(text):
        return text + "\n" + next(words) + "\n"

    for what, how in (("damaged", flip),
                      ("cut short", lambda d: d[:len(d) // 3]),
                      ("of another version",
                       lambda d: b"\0".join([d.split(b"\0")[0], b"9.9.9"] + d.split(b"\0")[2:]))):
        damage(s.kept, how)
        edit(item, new_words)
        err, _ = s.build("over a kept index file %s" % what)
        check("GK403" in err and "items.search" in err,
              "a kept index file %s: no warning: %s" % (what, err[-300:]))
        err, _ = s.build("the build after a kept index file %s" % what)
        check("GK403" not in err, "the next build warned again: %s" % err[-300:])

    shard = os.path.join(s.out, "search", "s", "0.bin")
    os.unlink(shard)
    s.build("after a shard was removed")
    check(os.path.exists(shard), "the removed shard was not written again")

    # Every shard changed (its size kept): the edit's own shards do not read
    # as they were written, so the whole index is made again. (A file the
    # build does not need is kept as it is, as item pages are.)
    for f in os.listdir(os.path.join(s.out, "search", "s")):
        damage(os.path.join(s.out, "search", "s", f), flip)
    edit(item, new_words)
    s.build("after shards were changed behind the build's back")

    damage(os.path.join(s.out, "search", "d", "0.json"), flip)
    edit(item, new_words)
    s.build("after a doc file was changed behind the build's back")

    # Every search entry damaged (the file's header kept): the edited item's
    # previous tokens are not known, and go from every shard.
    damage(os.path.join(s.site, ".gongkai", "items.entries"),
           lambda d: d[:8] + bytes(b ^ 0x55 for b in d[8:]))
    edit(item, new_words)
    err, _ = s.build("after the edited item's previous entry was damaged")
    check("GK403" not in err, "damaged entries warned: %s" % err[-300:])

    # Both at once: a shard changed behind the build's back makes the whole
    # index be made again, and the unchanged items' entries cannot be read
    # back: they are made afresh from their files, and the build succeeds.
    s.build("before shards and entries are damaged together")
    for f in os.listdir(os.path.join(s.out, "search", "s")):
        damage(os.path.join(s.out, "search", "s", f), flip)
    damage(os.path.join(s.site, ".gongkai", "items.entries"),
           lambda d: d[:8] + bytes(b ^ 0x33 for b in d[8:]))
    edit(item, new_words)
    s.build("after shards and every entry were damaged")


def main():
    return run_per_binary(gongkai, lambda tmp: test_damage(test_edits(tmp)))


if __name__ == "__main__":
    sys.exit(main())
