"""Reading git: release order, tags, exact ranges with merges and renames, odd paths,
shallow clones, and unknown tags."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from releasecare.errors import GitError, NotFound
from releasecare.gitrepo import (
    is_shallow,
    iter_commits,
    list_files,
    list_releases,
    resolve,
)
from tests.gitfactory import GitRepoFactory


@pytest.fixture
def repo(tmp_path: Path) -> GitRepoFactory:
    return GitRepoFactory(tmp_path / "repo")


def test_annotated_and_lightweight_tags(repo: GitRepoFactory) -> None:
    first = repo.commit("feat: one", {"a.txt": "1"}, when="2026-10-01T10:00:00+00:00")
    repo.tag("v1.0.0")
    second = repo.commit("feat: two", {"a.txt": "2"}, when="2026-10-02T10:00:00+00:00")
    repo.tag("v1.1.0", "Release 1.1\n\nWith notes.", when="2026-10-05T12:00:00+02:00")
    repo.tag("not-a-release")
    releases = list_releases(repo.path, "v*")
    assert [(r.tag, r.sha, r.annotated) for r in releases] == [
        ("v1.0.0", first, False),
        ("v1.1.0", second, True),
    ]
    assert releases[0].date.isoformat() == "2026-10-01T10:00:00+00:00"
    assert releases[1].date.isoformat() == "2026-10-05T10:00:00+00:00"  # the tag's own date
    assert releases[1].message == "Release 1.1\n\nWith notes."


def test_order_by_date(repo: GitRepoFactory) -> None:
    repo.commit("a", {"a": "1"}, when="2026-10-01T10:00:00+00:00")
    repo.tag("v2.0.0")
    repo.commit("b", {"a": "2"}, when="2026-10-02T10:00:00+00:00")
    repo.tag("v1.5.0")
    assert [r.tag for r in list_releases(repo.path, "v*")] == ["v1.5.0", "v2.0.0"]
    assert [r.tag for r in list_releases(repo.path, "v*", order="date")] == ["v2.0.0", "v1.5.0"]


def test_range_with_merge_counts_each_commit_once(repo: GitRepoFactory) -> None:
    repo.commit("init", {"base.txt": "0"})
    repo.tag("v1.0.0")
    repo.branch("topic")
    feature = repo.commit(
        "feat: on the branch", {"topic.txt": "t"}, when="2026-01-02T10:00:00+00:00"
    )
    repo.checkout("main")
    fix = repo.commit("fix: on main", {"main.txt": "m"}, when="2026-01-03T10:00:00+00:00")
    merge = repo.merge("topic", "Merge branch 'topic'", when="2026-01-04T10:00:00+00:00")
    repo.tag("v1.1.0")
    commits = list(iter_commits(repo.path, "v1.1.0", "v1.0.0"))
    assert sorted(c.sha for c in commits) == sorted([feature, fix])
    by_sha = {c.sha: c for c in commits}
    assert [f.path for f in by_sha[feature].files] == ["topic.txt"]
    first_parent = list(iter_commits(repo.path, "v1.1.0", "v1.0.0", first_parent=True))
    assert [c.sha for c in first_parent] == [fix, merge]
    assert [f.path for f in first_parent[1].files] == ["topic.txt"]


def test_renames_deletes_binary_and_odd_paths(repo: GitRepoFactory) -> None:
    odd = ["with space.py", "ünïcödé/ß.txt", "new\nline.txt", "tab\there.txt", 'quote".txt']
    repo.commit(
        "init",
        {"old/name.py": "x = 1\n" * 20, "gone.txt": "bye", **{name: "content" for name in odd}},
    )
    repo.tag("v1")
    repo.rename("old/name.py", "new/name.py", "refactor: move")
    repo.commit("chore: binary and delete", {"logo.png": bytes(range(256)) * 4, "gone.txt": None})
    repo.tag("v2")
    commits = list(iter_commits(repo.path, "v2", "v1"))
    moved, second = commits
    assert [(f.status, f.old_path, f.path) for f in moved.files] == [
        ("R", "old/name.py", "new/name.py")
    ]
    assert moved.files[0].paths == ("old/name.py", "new/name.py")
    assert sorted((f.status, f.path) for f in second.files) == [
        ("A", "logo.png"),
        ("D", "gone.txt"),
    ]
    (initial,) = list(iter_commits(repo.path, "v1"))
    assert set(odd) <= {f.path for f in initial.files}
    assert set(odd) <= set(list_files(repo.path, "v1"))


def test_messages_are_kept_exactly(repo: GitRepoFactory) -> None:
    message = "feat: émoji ✨ and \x1e record separator\n\nBody line\n\nCustomer-Note: Yes."
    repo.commit(message, {"a": "1"})
    (commit,) = list(iter_commits(repo.path, "HEAD"))
    assert commit.subject == "feat: émoji ✨ and \x1e record separator"
    assert commit.body == "Body line\n\nCustomer-Note: Yes."
    assert (commit.author_name, commit.author_email) == ("Dana Dev", "dana@example.com")


def test_one_git_process_per_range(repo: GitRepoFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(30):
        repo.commit(f"feat: {n}", {f"f{n}.txt": str(n)})
    import git

    calls: list[list[str]] = []
    original = git.Git.execute

    def counting(self: object, command: list[str], *args: object, **kwargs: object) -> object:
        calls.append(list(command))
        return original(self, command, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(git.Git, "execute", counting)
    assert len(list(iter_commits(repo.path, "HEAD"))) == 30
    assert [c[1] for c in calls].count("log") == 1


def test_unknown_tag_names_nearest_release_tags(repo: GitRepoFactory) -> None:
    repo.commit("a", {"a": "1"})
    for tag in ("v1.0.0", "v1.1.0", "v1.2.0"):
        repo.tag(tag)
    with pytest.raises(NotFound) as caught:
        resolve(repo.path, "v1.2.1")
    assert caught.value.exit_code == 2
    assert "nearest release tags: v1.2.0" in str(caught.value)


def test_shallow_clone_missing_history_is_exit_3(repo: GitRepoFactory, tmp_path: Path) -> None:
    repo.commit("a", {"a": "1"}, when="2026-01-01T10:00:00+00:00")
    repo.tag("v1.0.0")
    repo.commit("b", {"a": "2"}, when="2026-01-02T10:00:00+00:00")
    repo.tag("v1.1.0")
    clone = tmp_path / "clone"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            repo.path.as_uri(),
            str(clone),
        ],
        check=True,
    )
    assert is_shallow(clone)
    assert not is_shallow(repo.path)
    with pytest.raises(GitError) as caught:
        list(iter_commits(clone, "HEAD"))
    assert caught.value.exit_code == 3
    assert "git fetch --tags --unshallow" in str(caught.value)
    assert "fetch-depth: 0" in str(caught.value)


def test_not_a_repository_is_exit_3(tmp_path: Path) -> None:
    with pytest.raises(GitError) as caught:
        list_releases(tmp_path, "v*")
    assert "is not a git repository" in str(caught.value)


def test_shallow_range_past_the_fetched_history(repo: GitRepoFactory, tmp_path: Path) -> None:
    for n in range(5):
        repo.commit(f"c{n}", {"a": str(n)}, when=f"2026-01-0{n + 1}T10:00:00+00:00")
        repo.tag(f"v1.{n}.0")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", repo.path.as_uri(), str(clone)], check=True
    )
    assert [c.subject for c in iter_commits(clone, "HEAD", "HEAD~1")] == ["c4"]
    subprocess.run(
        ["git", "-C", str(clone), "fetch", "-q", "--depth", "1", "origin", "tag", "v1.0.0"],
        check=True,
    )
    with pytest.raises(GitError, match="this shallow clone lacks history"):
        list(iter_commits(clone, "HEAD", "v1.0.0"))


def test_signed_tag_message_loses_its_signature(repo: GitRepoFactory) -> None:
    repo.commit("a", {"a": "1"})
    repo.tag(
        "v1.0.0",
        "Release 1.0\n-----BEGIN PGP SIGNATURE-----\n\niQIzBAAB\n-----END PGP SIGNATURE-----",
    )
    (release,) = list_releases(repo.path, "v*")
    assert release.message == "Release 1.0"


def test_nearest_tags_hint_names_release_tags_only(repo: GitRepoFactory) -> None:
    repo.commit("a", {"a": "1"})
    for tag in ("Phase-1", "Phase-2", "v1.0.0", "v1.1.0"):
        repo.tag(tag)
    with pytest.raises(NotFound) as caught:
        resolve(repo.path, "Phase-3", tag_pattern="v[0-9]*.*")
    hint = caught.value.hint or ""
    assert "Phase" not in hint
    assert hint == "nearest release tags: v1.1.0, v1.0.0"
