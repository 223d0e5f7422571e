/* Repositories made for a test: the work tree staged and committed on
 * HEAD, as `git add -A && git commit` would. Included by each test program
 * that needs them, after cmocka.h and git2.h. */
#ifndef GK_TESTS_TEST_GIT_H
#define GK_TESTS_TEST_GIT_H

/* Stage the work tree of `repo`: additions, edits and deletions. */
static inline void test_git_stage(git_repository *repo)
{
    git_index *index;
    assert_int_equal(git_repository_index(&index, repo), 0);
    char *all[] = {"*"};
    git_strarray spec = {all, 1};
    assert_int_equal(git_index_add_all(index, &spec, 0, NULL, NULL), 0);
    assert_int_equal(git_index_update_all(index, &spec, NULL, NULL), 0);
    assert_int_equal(git_index_write(index), 0);
    git_index_free(index);
}

/* Stage the work tree and commit it on HEAD by `sig`, with `merge` (NULL:
 * none) as a second parent. Returns the new commit's id. */
static inline git_oid test_git_commit(git_repository *repo, const git_signature *sig,
                                      const char *message, const git_oid *merge)
{
    test_git_stage(repo);
    git_index *index;
    assert_int_equal(git_repository_index(&index, repo), 0);
    git_oid tree_id, id, head;
    assert_int_equal(git_index_write_tree(&tree_id, index), 0);
    git_index_free(index);
    git_tree *tree;
    assert_int_equal(git_tree_lookup(&tree, repo, &tree_id), 0);
    const git_commit *parents[2] = {NULL, NULL};
    git_commit *p0 = NULL, *p1 = NULL;
    size_t n = 0;
    if (git_reference_name_to_id(&head, repo, "HEAD") == 0) {
        assert_int_equal(git_commit_lookup(&p0, repo, &head), 0);
        parents[n++] = p0;
    }
    if (merge) {
        assert_int_equal(git_commit_lookup(&p1, repo, merge), 0);
        parents[n++] = p1;
    }
    assert_int_equal(
        git_commit_create(&id, repo, "HEAD", sig, sig, "UTF-8", message, tree, n, parents), 0);
    git_commit_free(p0);
    git_commit_free(p1);
    git_tree_free(tree);
    return id;
}

#endif
