/* history: the source commit, as `gongkai archive` records it: HEAD's id,
 * files as committed in it (the site in a subfolder of its repository), the
 * tag of the release built from it, and a site in no repository. The
 * repository is built with libgit2 in a temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/history/history.h"

#include <git2.h>

#include "test_git.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[64];  /* the repository's work tree */
static char site[96]; /* the site: top/site */
static git_repository *repo;
static site_config cfg;

static int repo_setup(void **state)
{
    (void)state;
    strcpy(top, "/tmp/gk-history-head-XXXXXX");
    if (!mkdtemp(top))
        return -1;
    snprintf(site, sizeof site, "%s/site", top);
    git_libgit2_init();
    memset(&cfg, 0, sizeof cfg);
    cfg.root = site;
    cfg.publish_branch = "site";
    return git_repository_init(&repo, top, 0) < 0 ? -1 : 0;
}

static int repo_teardown(void **state)
{
    (void)state;
    git_repository_free(repo);
    git_libgit2_shutdown();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
    return system(cmd) == 0 ? 0 : -1;
}

/* Write top/<rel>, creating its folders. */
static void file_write(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", top, rel);
    for (char *p = path + strlen(top) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static git_signature *signature(void)
{
    git_signature *sig;
    assert_int_equal(git_signature_new(&sig, "测试员", "tester@example.org", 1767232800, 480), 0);
    return sig;
}

/* Commit the work tree on HEAD. */
static git_oid commit_all(void)
{
    git_signature *sig = signature();
    git_oid id = test_git_commit(repo, sig, "提交", NULL);
    git_signature_free(sig);
    return id;
}

/* A release on the branch `site`, as publish records it: built from
 * `source` (hex), with an empty tree. Returns its commit. */
static git_oid release_commit(const char *source)
{
    git_treebuilder *tb;
    git_oid tree_id, id, tip;
    assert_int_equal(git_treebuilder_new(&tb, repo, NULL), 0);
    assert_int_equal(git_treebuilder_write(&tree_id, tb), 0);
    git_treebuilder_free(tb);
    git_tree *tree;
    assert_int_equal(git_tree_lookup(&tree, repo, &tree_id), 0);
    git_commit *parent = NULL;
    if (git_reference_name_to_id(&tip, repo, "refs/heads/site") == 0)
        assert_int_equal(git_commit_lookup(&parent, repo, &tip), 0);
    char message[128];
    snprintf(message, sizeof message, "发布\n\nSource-Commit: %s\n", source);
    git_signature *sig = signature();
    const git_commit *parents[] = {parent};
    assert_int_equal(git_commit_create(&id, repo, "refs/heads/site", sig, sig, "UTF-8", message,
                                       tree, parent ? 1 : 0, parents),
                     0);
    git_signature_free(sig);
    git_commit_free(parent);
    git_tree_free(tree);
    return id;
}

static void tag(const char *name, const git_oid *commit)
{
    git_object *target;
    git_oid id;
    assert_int_equal(git_object_lookup(&target, repo, commit, GIT_OBJECT_COMMIT), 0);
    git_signature *sig = signature();
    assert_int_equal(git_tag_create(&id, repo, name, target, sig, "发布", 0), 0);
    git_signature_free(sig);
    git_object_free(target);
}

/* A history of the site with its releases read. */
static history *history_read(diag_list *d)
{
    history *h;
    assert_int_equal(history_open(&h, &cfg, d), 0);
    assert_true(history_is_repository(h));
    assert_int_equal(history_releases_read(h, d), 0);
    return h;
}

static void test_head_and_files_as_committed(void **state)
{
    (void)state;
    diag_list d;
    diag_list_init(&d);
    buf out = BUF_INIT;
    char head[41];

    /* Before the first commit there is no source commit, and no file is
     * committed. */
    file_write("site/content/a.md", "提交的正文\n");
    history *h = history_read(&d);
    assert_int_equal(history_head_read(h, head, &d), 0);
    assert_string_equal(head, "");
    assert_int_equal(history_commit_file_read(h, head, "content/a.md", &out, &d), 0);
    history_close(h);

    char link[128];
    snprintf(link, sizeof link, "%s/content/link.md", site);
    assert_int_equal(symlink("a.md", link), 0);
    git_oid id = commit_all();
    char want[41];
    git_oid_tostr(want, sizeof want, &id);
    file_write("site/content/a.md", "改过而未提交的正文\n");
    file_write("site/content/new.md", "只在工作区的文件\n");
    h = history_read(&d);
    assert_int_equal(history_head_read(h, head, &d), 0);
    assert_string_equal(head, want);
    /* The committed text, not the changed file; paths from the site root,
     * which is a subfolder of the work tree. */
    assert_int_equal(history_commit_file_read(h, head, "content/a.md", &out, &d), 1);
    assert_string_equal(buf_cstr(&out), "提交的正文\n");
    assert_int_equal(history_commit_file_read(h, head, "content/new.md", &out, &d), 0);
    /* A folder and a link are no committed files. */
    assert_int_equal(history_commit_file_read(h, head, "content", &out, &d), 0);
    assert_int_equal(history_commit_file_read(h, head, "content/link.md", &out, &d), 0);
    assert_int_equal(d.len, 0);
    history_close(h);
    buf_free(&out);
    diag_list_free(&d);
}

static void test_release_tag_of_head(void **state)
{
    (void)state;
    diag_list d;
    diag_list_init(&d);
    file_write("site/content/a.md", "正文\n");
    git_oid id = commit_all();
    char head[41], other[41];
    git_oid_tostr(head, sizeof head, &id);
    memset(other, '0', 40);
    other[40] = '\0';

    /* No release branch yet. */
    history *h = history_read(&d);
    assert_null(history_release_tag_find(h, head));
    history_close(h);

    /* Released twice from HEAD (the newer release untagged), then once from
     * another commit: the newest release from HEAD that has a tag; of two
     * tags on it, the later by name. */
    git_oid r1 = release_commit(head);
    tag("release-20260101-1", &r1);
    tag("release-20260101-2", &r1);
    release_commit(head);
    git_oid r3 = release_commit(other);
    tag("release-20260102-1", &r3);
    h = history_read(&d);
    assert_string_equal(history_release_tag_find(h, head), "release-20260101-2");
    assert_string_equal(history_release_tag_find(h, other), "release-20260102-1");
    assert_null(history_release_tag_find(h, ""));
    history_close(h);

    /* A commit after the releases was never published. */
    file_write("site/content/a.md", "又改了\n");
    commit_all();
    h = history_read(&d);
    assert_int_equal(history_head_read(h, head, &d), 0);
    assert_null(history_release_tag_find(h, head));
    history_close(h);
    diag_list_free(&d);
}

/* The history of the site at `root` (only its root set), opened without a
 * word; whether it is a repository's is up to the caller. */
static history *history_at(const char *root, site_config *c, diag_list *d)
{
    memset(c, 0, sizeof *c);
    c->root = root;
    diag_list_init(d);
    history *h;
    assert_int_equal(history_open(&h, c, d), 0);
    assert_int_equal(d->len, 0);
    return h;
}

static void test_not_in_git(void **state)
{
    (void)state;
    char dir[] = "/tmp/gk-nogit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    site_config c;
    diag_list d;
    history *h = history_at(dir, &c, &d);
    assert_false(history_is_repository(h));
    assert_int_equal(history_releases_read(h, &d), 0);
    char head[41] = "x";
    buf out = BUF_INIT;
    assert_int_equal(history_head_read(h, head, &d), 0);
    assert_string_equal(head, "");
    assert_int_equal(history_commit_file_read(h, head, "content/a.md", &out, &d), 0);
    assert_null(history_release_tag_find(h, head));
    history_close(h);
    /* No history at all reads the same. */
    assert_int_equal(history_head_read(NULL, head, &d), 0);
    assert_string_equal(head, "");
    assert_int_equal(history_commit_file_read(NULL, head, "content/a.md", &out, &d), 0);
    assert_null(history_release_tag_find(NULL, head));
    assert_int_equal(d.len, 0);
    buf_free(&out);
    diag_list_free(&d);
    rmdir(dir);
}

/* A work tree whose .git is a file naming the repository elsewhere (as git
 * worktrees and submodules have): the site in its subfolder is found. */
static void test_git_file_found(void **state)
{
    (void)state;
    char dir[] = "/tmp/gk-gitfile-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char store[64], tree[64], sub[80], dotgit[80];
    snprintf(store, sizeof store, "%s/store", dir);
    snprintf(tree, sizeof tree, "%s/tree", dir);
    snprintf(sub, sizeof sub, "%s/site", tree);
    snprintf(dotgit, sizeof dotgit, "%s/.git", tree);
    git_libgit2_init();
    git_repository_init_options opt;
    git_repository_init_options_init(&opt, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    opt.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_DOTGIT_DIR;
    opt.workdir_path = tree;
    git_repository *r;
    assert_int_equal(git_repository_init_ext(&r, store, &opt), 0);
    git_repository_free(r);
    git_libgit2_shutdown();
    struct stat st;
    assert_int_equal(lstat(dotgit, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(mkdir(sub, 0755), 0);

    site_config c;
    diag_list d;
    history *h = history_at(sub, &c, &d);
    assert_true(history_is_repository(h));
    history_close(h);
    diag_list_free(&d);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_head_and_files_as_committed, repo_setup,
                                        repo_teardown),
        cmocka_unit_test_setup_teardown(test_release_tag_of_head, repo_setup, repo_teardown),
        cmocka_unit_test(test_not_in_git),
        cmocka_unit_test(test_git_file_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
