#!/usr/bin/env python3
"""Versions through git, end to end: a copy of the example site made a git
repository (with the git program, which also reads back, independently, what
gongkai wrote through libgit2). Publish twice around an edit: two release
commits and annotated tags that git log / git show / git cat-file read, the
edited item's page with two versions and a working diff page; refusal of a
dirty tree and of a site with check errors, references unchanged; a
withdrawal; `gongkai history`; a site outside git; the repository's own
example site with its revisions. Prints "N passed, N failed"."""
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from harness import GK, ROOT, Links, check, copy_site, finish, pages, read, read_bytes, sanitizer_report  # noqa: E402

ITEM = "content/czj/2025/yusuan-2025.md"
ITEM_URL = "czj/2025/yusuan-2025/"


def gongkai(*args):
    r = subprocess.run([GK, *args], capture_output=True, text=True)
    # Every run counts as a check: no sanitizer report.
    check(not sanitizer_report(r.stderr), "sanitizer report from gongkai %s" % " ".join(args))
    return r


def git(site, *args, ok=True):
    r = subprocess.run(["git", "-C", site, *args], capture_output=True, text=True)
    if ok and r.returncode != 0:
        check(False, "git %s: %s" % (" ".join(args), r.stderr))
    return r.stdout


def refs(site):
    return git(site, "for-each-ref", "--format=%(objectname) %(refname)")


def commit_all(site, message):
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", message)


def edit(path, old, new):
    text = read(path)
    assert old in text, old
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new))


def make_repo(tmp):
    site = copy_site(tmp, "repo")
    git(site, "init", "-q")
    git(site, "config", "user.name", "网站管理员")
    git(site, "config", "user.email", "webmaster@example.org")
    git(site, "config", "commit.gpgsign", "false")
    git(site, "config", "tag.gpgsign", "false")
    commit_all(site, "示例站点")
    return site


def publish(site, *args):
    r = gongkai("publish", "-s", site, *args)
    # catalogue.lock records fingerprints: commit it as the webmaster would.
    if git(site, "status", "--porcelain", "catalogue.lock").strip():
        commit_all(site, "索引号登记")
    return r


def test_publish_twice(site):
    head = git(site, "rev-parse", "HEAD").strip()
    r = publish(site, "-m", "首次发布")
    if not check(r.returncode == 0, "first publish: %s" % r.stderr[-2000:]):
        return None
    m = re.search(r"已发布 (release-\d{8}-1)（分支 site，提交 [0-9a-f]{7}）：新增 (\d+) 条", r.stdout)
    if not check(m is not None, "publish does not print the tag and counts: %r" % r.stdout):
        return None
    tag1, added = m.group(1), int(m.group(2))
    check(added > 40, "first release adds %d items" % added)

    # git reads the release: one parentless commit with the source commit
    # and the counts in its message, and an annotated tag on it.
    log = git(site, "log", "--format=%H %P", "site").split("\n")
    check(len([x for x in log if x]) == 1, "site branch after one publish: %r" % log)
    release1 = log[0].split()[0]
    check(len(log[0].split()) == 1, "first release has a parent")
    msg = git(site, "show", "-s", "--format=%B", "site")
    check("Source-Commit: " + head in msg, "release message lacks the source commit: %r" % msg)
    check("新增 %d 条，修改 0 条，撤回 0 条" % added in msg and "首次发布" in msg,
          "release message: %r" % msg)
    check(git(site, "cat-file", "-t", tag1).strip() == "tag", "%s is not an annotated tag" % tag1)
    tag = git(site, "cat-file", "-p", tag1)
    check(("object %s\ntype commit\ntag %s\n" % (release1, tag1)) in tag,
          "tag object: %r" % tag[:300])
    files = set(git(site, "ls-tree", "-r", "--name-only", "site").split())
    for f in ("index.html", "releases/index.html", "releases/manifest.tsv",
              "releases/changes.tsv", ITEM_URL + "index.html", "css/site.css", "sitemap.xml"):
        check(f in files, "release tree lacks %s" % f)
    changes = git(site, "show", "site:releases/changes.tsv")
    check(len([x for x in changes.splitlines() if x.startswith("new\t")]) == added,
          "changes.tsv does not list every new item")
    fsck = subprocess.run(["git", "-C", site, "fsck", "--no-dangling"], capture_output=True,
                          text=True)
    check(fsck.returncode == 0, "git fsck: %s" % fsck.stderr[-500:])
    check(git(site, "status", "--porcelain") == "", "publish changed the work tree: %s"
          % git(site, "status", "--porcelain"))

    # Edit one item, commit, publish again the same day.
    edit(os.path.join(site, ITEM), "| 个人所得税 | 3,950 |", "| 个人所得税 | 3,960 |")
    edit(os.path.join(site, ITEM), "现将2025年一般公共预算收支预算公开如下。",
         "现将2025年一般公共预算收支预算公开如下。\n\n（2025年3月更正：个人所得税执行数有误，已更正。）")
    commit_all(site, "更正个人所得税执行数")
    r = publish(site, "-m", "更正预算表")
    if not check(r.returncode == 0, "second publish: %s" % r.stderr[-2000:]):
        return None
    tag2 = tag1[:-1] + "2"
    check("已发布 %s" % tag2 in r.stdout and "修改 1 条" in r.stdout, "second publish: %r" % r.stdout)
    log = [x for x in git(site, "log", "--format=%H %P", "site").split("\n") if x]
    check(len(log) == 2 and log[0].split()[1] == release1,
          "second release's parent is not the first: %r" % log)
    check(git(site, "rev-parse", tag2 + "^{commit}").strip() == log[0].split()[0],
          "%s does not point at the new release" % tag2)
    check("修改 1 条" in git(site, "show", "-s", "--format=%s", "site"), "second summary line")

    # The edited item in the release: two versions, v1 with its banner, a
    # diff that shows the corrected row and the added paragraph.
    page = git(site, "show", "site:" + ITEM_URL + "index.html")
    check('class="revisions"' in page and "v2（现行）" in page and 'href="v1/"' in page
          and 'href="v1/diff/"' in page, "item page does not list two versions")
    check("<th scope=\"row\" id=\"meta-" in page and ">v2<" in page, "no 版本 v2 in the metadata")
    v1 = git(site, "show", "site:" + ITEM_URL + "v1/index.html")
    check("此为历史版本" in v1 and "现行版本见" in v1 and "3,950" in v1 and "3,960" not in v1,
          "v1 page: banner or old content missing")
    diff = git(site, "show", "site:" + ITEM_URL + "v1/diff/index.html")
    check("diff-changed" in diff and "<del>| 个人所得税 | 3,950" in diff
          and "<ins>| 个人所得税 | 3,960" in diff, "diff page does not show the changed row")
    check('diff-block diff-added' in diff and "已更正" in diff, "diff page lacks the new paragraph")
    log_page = git(site, "show", "site:releases/index.html")
    check(tag1 in log_page and tag2 in log_page and "（本次发布）" in log_page,
          "release log in the tree lacks a release")
    return tag1, tag2


def test_refusals(site):
    before = refs(site)
    path = os.path.join(site, ITEM)
    edit(path, "| 企业所得税 |", "| 企业所得税（未提交） |")
    r = publish(site)
    check(r.returncode == 1, "publish of a dirty tree exit %d" % r.returncode)
    check(ITEM + ": 错误 [GK602]" in r.stderr, "dirty file not named: %s" % r.stderr[-800:])
    check(refs(site) == before, "refused publish moved references")
    git(site, "checkout", "-q", "--", ITEM)

    bad = os.path.join(site, "content", "czj", "2025", "bad.md")
    with open(bad, "w", encoding="utf-8") as f:
        f.write('+++\ndate = 2025-05-01\ncategory = "工作动态"\n+++\n\n没有标题。\n')
    commit_all(site, "一条有错误的信息")
    before = refs(site)
    r = publish(site)
    check(r.returncode == 1, "publish with check errors exit %d" % r.returncode)
    check("GK107" in r.stderr and "没有发布" in r.stderr, "check error not reported: %s"
          % r.stderr[-800:])
    check(refs(site) == before, "publish with check errors moved references")
    git(site, "reset", "-q", "--hard", "HEAD~1")


def test_withdrawal_and_history(site, tag1, tag2):
    r = gongkai("history", "-s", site, ITEM)
    check(r.returncode == 0, "history: %s" % r.stderr)
    out = r.stdout
    check("v2（现行）" in out and "已发布：" + tag2 in out, "history v2: %r" % out)
    check(re.search(r"v1 .*示例站点\n\s+已发布：%s\n" % tag1, out) is not None,
          "history v1 and its release: %r" % out)

    gone = "content/czj/2025/shoufei-mulu-2025.md"
    git(site, "rm", "-q", gone)
    git(site, "commit", "-q", "-m", "撤回收费目录")
    r = publish(site, "-m", "撤回一条")
    check(r.returncode == 0 and "撤回 1 条" in r.stdout, "withdrawal release: %s %s"
          % (r.stdout, r.stderr[-500:]))
    changes = git(site, "show", "site:releases/changes.tsv")
    check(re.search(r"^withdrawn\t[^\t]+\t-\t/czj/2025/shoufei-mulu-2025/\t", changes, re.M),
          "withdrawal not in changes.tsv: %r" % changes)
    page = git(site, "show", "site:czj/2025/shoufei-mulu-2025/index.html")
    check("该信息已撤回" in page and 'href="v1/"' in page,
          "withdrawn page lacks its versions")
    v1 = git(site, "show", "site:czj/2025/shoufei-mulu-2025/v1/index.html")
    check("此为历史版本" in v1 and "撤回" in v1, "withdrawn item's v1 page")
    r = gongkai("history", "-s", site, "/czj/2025/shoufei-mulu-2025/")
    check(r.returncode == 0 and "撤回" in r.stdout and "v1" in r.stdout,
          "history of a withdrawn item: %r %r" % (r.stdout, r.stderr))
    check(gongkai("history", "-s", site, "content/nope.md").returncode == 2,
          "history of an unknown item")
    check(gongkai("history", "-s", site).returncode == 2, "history without an item")
    check(gongkai("publish", "-s", site, "extra").returncode == 2, "publish with an operand")
    check(gongkai("publish", "-s", site, "--bogus").returncode == 2, "publish with a bad option")


def test_working_version(tmp, site):
    """Uncommitted edits build as the working version."""
    edit(os.path.join(site, ITEM), "| 企业所得税 |", "| 企业所得税（草稿） |")
    out = os.path.join(tmp, "working-out")
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0, "build with an uncommitted edit: %s" % r.stderr[-500:])
    page = read(os.path.join(out, ITEM_URL, "index.html"))
    check("v3（现行，未提交）" in page and 'href="v2/"' in page and "企业所得税（草稿）" in page,
          "working version not shown as current")
    diff = read(os.path.join(out, ITEM_URL, "v2", "diff", "index.html"))
    check("企业所得税（草稿）" in diff, "diff against the working version")
    # The version pages are valid HTML and every link on them leads somewhere.
    versions = [p for p in pages(out) if "/v1/" in p or "/v2/" in p or "/releases/" in p]
    check(len(versions) >= 5, "version pages: %r" % versions)
    for p in versions + [os.path.join(out, ITEM_URL, "index.html")]:
        t = subprocess.run(["tidy", "-e", "-q", p], capture_output=True, text=True)
        check(t.returncode < 2, "tidy errors in %s: %s" % (p, t.stderr[:300]))
        links = Links()
        links.feed(read(p))
        for link in links.links:
            if re.match(r"^[a-z]+:", link) or link.startswith("#"):
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(p), link.split("#")[0]))
            if os.path.isdir(target):
                target = os.path.join(target, "index.html")
            check(os.path.exists(target), "broken link %s -> %s" % (p, link))
    git(site, "checkout", "-q", "--", ITEM)


def two_versions(tmp, site, added, old, new, out_name):
    """Commit ITEM with `added` appended, then with `old` in it made `new`,
    and build the site into tmp/out_name."""
    path = os.path.join(site, ITEM)
    with open(path, "a", encoding="utf-8") as f:
        f.write("\n%s\n" % added)
    commit_all(site, "加上一段")
    edit(path, old, new)
    commit_all(site, "改了这一段")
    out = os.path.join(tmp, out_name)
    r = gongkai("build", "-s", site, "-o", out)
    check(r.returncode == 0, "build of %s: %s" % (out_name, r.stderr[-500:]))
    return out


def test_version_links(tmp, site):
    """A link to another item's file in an earlier version leads to that
    item's page, as it does on the current page."""
    out = two_versions(tmp, site, "参见[2023年决算](../2024/juesuan-2023.md#shuoming)。",
                       "参见[2023年决算]", "另见[2023年决算]", "links-out")
    page = read(os.path.join(out, ITEM_URL, "index.html"))
    current = re.search(r'href="([^"]*)">2023年决算', page)
    versions = re.findall(r'href="(v\d+)/"', page)
    newest = max(versions, key=lambda v: int(v[1:])) if versions else None
    old = read(os.path.join(out, ITEM_URL, newest, "index.html")) if newest else ""
    earlier = re.search(r'参见<a href="([^"]*)">2023年决算', old)
    check(current and current.group(1) == "../../2024/juesuan-2023/#shuoming",
          "the current page's link: %s" % (current and current.group(1)))
    check(earlier and earlier.group(1) == "../../../2024/juesuan-2023/#shuoming",
          "the earlier version's link: %s" % (earlier and earlier.group(1)))
    # Its diff against the current version shows both links, a folder deeper.
    diff = read(os.path.join(out, ITEM_URL, newest, "diff", "index.html")) if newest else ""
    links = re.findall(r'<a href="([^"]*)">2023年决算', diff)
    check(len(links) == 2 and set(links) == {"../../../../2024/juesuan-2023/#shuoming"},
          "the diff page's links: %s" % links)


def test_version_personal_data(tmp, site):
    """An earlier version that held personal data since taken out gets no
    page (nor a diff): the site never shows it again."""
    out = two_versions(tmp, site, "经办人身份证号 11010519491231002X。",
                       "经办人身份证号 11010519491231002X。", "经办人信息已删去。", "pii-out")
    leaks = [os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs
             if b"11010519491231002X" in read_bytes(os.path.join(d, f))]
    check(not leaks, "an earlier version's ID number is on the site: %s" % leaks[:3])
    page = read(os.path.join(out, ITEM_URL, "index.html"))
    shown = re.findall(r'href="(v\d+)/"', page)
    check(len(shown) >= 2, "the other earlier versions are still listed: %s" % shown)
    # gongkai history says which version has no page, and why.
    r = gongkai("history", "-s", site, ITEM)
    check(r.returncode == 0 and r.stdout.count("网站上没有这个版本的页面（当时含个人信息）") == 1,
          "history does not name the hidden version: %s" % r.stdout[-800:])


def test_not_a_repository(tmp):
    site = copy_site(tmp, "plain")
    out = os.path.join(tmp, "plain-out")
    check(gongkai("build", "-s", site, "-o", out).returncode == 0, "build outside git")
    check("不是 git 仓库" in read(os.path.join(out, "releases", "index.html")),
          "release log does not say the site is not in git")
    check('class="revisions"' not in read(os.path.join(out, ITEM_URL, "index.html")),
          "versions listed outside git")
    r = gongkai("publish", "-s", site)
    check(r.returncode == 1 and "GK601" in r.stderr, "publish outside git: %s" % r.stderr[-300:])


def test_example_repository(tmp):
    """The repository's own example site, cloned with its history."""
    if subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True).returncode:
        check(True, "")
        return
    clone = os.path.join(tmp, "clone")
    subprocess.run(["git", "clone", "-q", ROOT, clone], check=True)
    out = os.path.join(tmp, "clone-out")
    r = gongkai("build", "-s", clone, "-o", out)
    check(r.returncode == 0, "build of the cloned example site: %s" % r.stderr[-500:])
    page = read(os.path.join(out, ITEM_URL, "index.html"))
    check('class="revisions"' in page and "（现行）" in page, "example item without versions")
    earlier = [d for d in os.listdir(os.path.join(out, ITEM_URL)) if re.match(r"v\d+$", d)]
    check(earlier, "the example's corrected item has no earlier version page")
    for d in earlier:
        check("此为历史版本" in read(os.path.join(out, ITEM_URL, d, "index.html")),
              "example %s page without banner" % d)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        site = make_repo(tmp)
        tags = test_publish_twice(site)
        test_refusals(site)
        if tags:
            test_withdrawal_and_history(site, *tags)
        test_working_version(tmp, site)
        test_version_links(tmp, site)
        test_version_personal_data(tmp, site)
        test_not_a_repository(tmp)
        test_example_repository(tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
