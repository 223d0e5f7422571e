#!/usr/bin/env python3
"""make bench: time gongkai, and Hugo when installed, on the synthetic corpora
of shared/bench/gen_corpus.py, and print a table of medians.

Usage: run.py [--sizes 1000,10000,100000] [--runs 5] [--shared ../shared]

For each corpus size (generated once, cached outside any git work tree: in
$GONGKAI_BENCH_CACHE, else $XDG_CACHE_HOME/gongkai-bench or
~/.cache/gongkai-bench):
  full       gongkai build into an empty output directory, no build cache (the
             previous output set aside, deleted when the bench ends)
  no-change  the same build again over its own output (after one untimed
             build that brings the site back into the kernel's caches)
  one edit   after appending a sentence to one item's body
  new item   after adding one item (a copy of another, under a new title;
             removed again after the run)
  item.html  after editing the template of every item page (the corpus keeps
             a copy of templates/item.html in its own templates/ for this)
and, up to 10 000 items, the same corpus as a site in git, each item
committed on its own (made anew each run, with fixed commit times):
  in git full          as full, walking every commit
  in git no-change     as no-change
  in git one edit      an uncommitted edit, as one edit
  in git after commit  that edit committed
  in git new item      an uncommitted new item, as new item (committed after)
and Hugo 0.111 with shared/bench/hugo-site/ on the same content, runs
alternating with gongkai's full builds. Every size's full builds run before
any size's rebuilds (see main()). CPU time (user+sys) and peak RSS come from
the kernel's rusage of each run (wait4), wall time from a monotonic clock.
The machine's figures belong in bench/RESULTS.md.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class Failed(Exception):
    pass


def git_work_tree(path):
    """The folder at or above `path` with a .git in it, or None."""
    path = os.path.abspath(path)
    while True:
        if os.path.lexists(os.path.join(path, ".git")):
            return path
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


def cache_dir():
    """Where the corpora and the builds' outputs go. Not inside a git work
    tree (as this repository's bench/ is): gongkai builds a site found in
    one as a site in git, every item an uncommitted working version with a
    version table and libgit2 started for it, which a plain corpus is not
    and Hugo does not do."""
    base = os.environ.get("GONGKAI_BENCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "gongkai-bench")
    tree = git_work_tree(base)
    if tree:
        raise SystemExit("bench: %s is inside the git work tree %s; set GONGKAI_BENCH_CACHE "
                         "to a folder outside any" % (base, tree))
    return os.path.abspath(base)


CACHE = cache_dir()


def timed(cmd, env=None):
    """(wall s, cpu s, peak RSS MiB) of one run; raises Failed on failure.
    The kernel's own account of the child (wait4's rusage: CPU to the
    microsecond, peak RSS) and a monotonic clock around it, rather than
    /usr/bin/time, whose wall time is rounded to 10 ms: too coarse for a
    0.1 s goal."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    p.stderr.close()
    if p.returncode != 0:
        raise Failed("%s failed:\n%s" % (" ".join(cmd), err[-2000:]))
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def corpus(shared, n):
    d = os.path.join(CACHE, "corpus-%d" % n)
    if not os.path.isdir(os.path.join(d, "content")):
        print("bench: generating %d items..." % n, file=sys.stderr)
        shutil.rmtree(d, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(shared, "bench", "gen_corpus.py"), d,
                        "--items", str(n)], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, os.path.join(HERE, "site.py"), d], check=True)
    return d


def hugo_site(shared, content):
    d = os.path.join(CACHE, "hugo-site")
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(os.path.join(shared, "bench", "hugo-site"), d)
    os.symlink(content, os.path.join(d, "content"))
    return d


TRASH = os.path.join(CACHE, "trash")


def set_aside(path):
    """Move a previous output out of the way; main() deletes them all at the
    end. Deleting tens of thousands of files just before a build makes ext4
    step over the freed inodes one by one while the build creates its own
    (for some 30 s), which timed the file system's bookkeeping of the
    bench's own deletion rather than the build, for gongkai and Hugo alike."""
    if os.path.lexists(path):
        os.makedirs(TRASH, exist_ok=True)
        os.rename(path, os.path.join(TRASH, str(len(os.listdir(TRASH)))))


def git_corpus(shared, n):
    """The corpus of n items as a site in git: the site's other files in
    one commit, then one commit an item, in path order (n + 1 commits, a
    day apart), written with git fast-import."""
    src = corpus(shared, n)
    d = os.path.join(CACHE, "git-%d" % n)
    set_aside(d)
    shutil.copytree(src, d, ignore=shutil.ignore_patterns(".gongkai"))
    with open(os.path.join(d, ".gitignore"), "w") as f:
        f.write("/.gongkai/\n")
    files = []
    for top, dirs, names in os.walk(d):
        files += [os.path.relpath(os.path.join(top, name), d) for name in names]
    items = sorted(f for f in files if f.startswith("content" + os.sep))
    others = sorted(f for f in files if not f.startswith("content" + os.sep))
    git = ["git", "-C", d, "-c", "init.defaultBranch=main"]
    subprocess.run(git + ["init", "-q"], check=True)
    # Written as it is made: held whole, the stream would stay in this
    # process's memory, which every later child starts from (the peak RSS
    # the kernel reports for a child counts it until the child's exec).
    fast = subprocess.Popen(git + ["fast-import", "--quiet"], stdin=subprocess.PIPE)
    when = 1577836800  # 2020-01-01

    def commit(message, paths):
        nonlocal when
        when += 86400
        msg = message.encode()
        fast.stdin.write(b"commit refs/heads/main\ncommitter bench <bench@example.org> %d +0800\n"
                         b"data %d\n%s\n" % (when, len(msg), msg))
        for path in paths:
            with open(os.path.join(d, path), "rb") as f:
                data = f.read()
            fast.stdin.write(b"M 100644 inline %s\ndata %d\n%s\n" %
                             (path.encode(), len(data), data))

    commit("站点", others)
    for path in items:
        commit("新增 %s" % path, [path])
    fast.stdin.close()
    if fast.wait() != 0:
        raise Failed("git fast-import failed")
    subprocess.run(git + ["reset", "-q"], check=True)
    return d


def median(runs):
    return tuple(statistics.median(r[i] for r in runs) for i in range(3))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    a = ap.parse_args()
    gk = os.path.join(ROOT, "gongkai")
    hugo = shutil.which("hugo")
    env = dict(os.environ, GONGKAI_DATADIR=ROOT)
    shutil.rmtree(TRASH, ignore_errors=True)
    print("| items | run | wall s | cpu s | peak RSS MiB |")
    print("| ---: | --- | ---: | ---: | ---: |", flush=True)
    sizes = [int(s) for s in a.sizes.split(",")]
    # Every size's full builds first, then every size's rebuilds: a rebuild
    # that rewrites every item page frees tens of thousands of inodes, and a
    # full build in the minutes after would time ext4's stepping over them
    # (see set_aside).
    results, failed = {}, {}
    for n in sizes:
        try:
            results[n] = measure_full(a, n, gk, hugo, env)
        except Failed as e:
            failed[n] = e
    for n in sizes:
        try:
            if n not in failed:
                results[n] += measure_rebuilds(a, n, gk, env)
                if n <= GIT_MAX:
                    results[n] += measure_git(a, n, gk, env)
        except Failed as e:
            failed[n] = e
    for n in sizes:
        if n in failed:
            print("| %d | FAILED | | | |" % n, flush=True)
            print("bench: %s" % failed[n], file=sys.stderr)
            continue
        for what, (w, c, m) in results[n]:
            if what.startswith("ratio"):
                print("| %d | %s | %.2f× | %.2f× | %.2f× |" % (n, what, w, c, m), flush=True)
            else:
                print("| %d | %s | %.3f | %.3f | %.0f |" % (n, what, w, c, m), flush=True)
    shutil.rmtree(TRASH, ignore_errors=True)
    if not hugo:
        print("\n(hugo is not installed: apt-get install hugo for the comparison)")
    return 0


# The largest corpus also measured as a site in git.
GIT_MAX = 10000


def runs_of(a, n):
    return a.runs if n <= 10000 else 1


def measure_full(a, n, gk, hugo, env):
    """The full-build rows of one corpus size: gongkai and Hugo alternating,
    each into an empty output directory; then the site in git's."""
    site = corpus(a.shared, n)
    out = os.path.join(CACHE, "out-%d" % n)
    full, hugo_runs = [], []
    for i in range(runs_of(a, n)):
        set_aside(out)
        shutil.rmtree(os.path.join(site, ".gongkai"), ignore_errors=True)
        full.append(timed([gk, "build", "-q", "-s", site, "-o", out], env))
        if hugo:
            hs = hugo_site(a.shared, os.path.join(site, "content"))
            hout = os.path.join(CACHE, "hugo-out")
            set_aside(hout)
            hugo_runs.append(timed([hugo, "--quiet", "-s", hs, "-d", hout]))
    rows = [("gongkai full", median(full))]
    if hugo_runs:
        h, g = median(hugo_runs), median(full)
        rows.append(("hugo full", h))
        rows.append(("ratio gongkai/hugo", (g[0] / h[0], g[1] / h[1], g[2] / h[2])))
    if n <= GIT_MAX:
        site, out, git_full = git_corpus(a.shared, n), os.path.join(CACHE, "git-out-%d" % n), []
        for i in range(runs_of(a, n)):
            set_aside(out)
            shutil.rmtree(os.path.join(site, ".gongkai"), ignore_errors=True)
            git_full.append(timed([gk, "build", "-q", "-s", site, "-o", out], env))
        rows.append(("gongkai in git full", median(git_full)))
    return rows


def first_item(site):
    """The item the rebuilds edit: 财政局's first of its first year."""
    czj = os.path.join(site, "content", "czj")
    year = os.path.join(czj, sorted(os.listdir(czj))[0])
    return os.path.join(year, sorted(os.listdir(year))[0])


def write_new_item(victim, path, label):
    """A copy of `victim` at `path` under another title, and without its 文号:
    the same one twice is an error."""
    with open(victim, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(re.sub(r"^doc_number = .*\n", "",
                       text.replace('title = "', 'title = "%s：' % label, 1), flags=re.M))


def measure_rebuilds(a, n, gk, env):
    """The rebuild rows of one corpus size, over the output of its last
    full build."""
    site = corpus(a.shared, n)
    out = os.path.join(CACHE, "out-%d" % n)
    again, edit, added, template = [], [], [], []
    victim = first_item(site)
    newcomer = os.path.join(os.path.dirname(victim), "bench-new-item.md")
    item_html = os.path.join(site, "templates", "item.html")
    if not os.path.exists(item_html):
        os.makedirs(os.path.dirname(item_html), exist_ok=True)
        shutil.copy(os.path.join(ROOT, "templates", "item.html"), item_html)
    # Untimed: the other sizes' builds (Hugo's take gigabytes) have pushed
    # this site's files out of the kernel's caches since its full build.
    timed([gk, "build", "-q", "-s", site, "-o", out], env)
    for i in range(runs_of(a, n)):
        again.append(timed([gk, "build", "-q", "-s", site, "-o", out], env))
        with open(victim, "a", encoding="utf-8") as f:
            f.write("\n基准测试追加的一句话（第 %d 次）。\n" % i)
        edit.append(timed([gk, "build", "-q", "-s", site, "-o", out], env))
        write_new_item(victim, newcomer, "基准测试新增")
        try:
            added.append(timed([gk, "build", "-q", "-s", site, "-o", out], env))
        finally:
            os.unlink(newcomer)
        timed([gk, "build", "-q", "-s", site, "-o", out], env)
        with open(item_html, "a", encoding="utf-8") as f:
            f.write("<!-- 基准测试修改 %d -->\n" % i)
        template.append(timed([gk, "build", "-q", "-s", site, "-o", out], env))
        # The next round's no-change build starts from a settled site.
        timed([gk, "build", "-q", "-s", site, "-o", out], env)
    return [("gongkai no-change", median(again)), ("gongkai one edit", median(edit)),
            ("gongkai new item", median(added)), ("gongkai item.html edit", median(template))]


def measure_git(a, n, gk, env):
    """The rebuild rows of the site in git, over its full build's output:
    each round an edit, committed, and a new item, committed."""
    site = os.path.join(CACHE, "git-%d" % n)
    out = os.path.join(CACHE, "git-out-%d" % n)
    build = [gk, "build", "-q", "-s", site, "-o", out]
    git = ["git", "-C", site, "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    again, edit, committed, added = [], [], [], []
    victim = first_item(site)
    timed(build, env)
    for i in range(runs_of(a, n)):
        again.append(timed(build, env))
        with open(victim, "a", encoding="utf-8") as f:
            f.write("\n基准测试追加的一句话（第 %d 次）。\n" % i)
        edit.append(timed(build, env))
        subprocess.run(git + ["commit", "-qam", "基准测试修改 %d" % i], check=True)
        committed.append(timed(build, env))
        write_new_item(victim, os.path.join(os.path.dirname(victim), "bench-new-%d.md" % i),
                       "基准测试新增 %d" % i)
        added.append(timed(build, env))
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-qm", "基准测试新增 %d" % i], check=True)
        timed(build, env)
    return [("gongkai in git no-change", median(again)), ("gongkai in git one edit", median(edit)),
            ("gongkai in git after commit", median(committed)),
            ("gongkai in git new item", median(added))]


if __name__ == "__main__":
    sys.exit(main())
