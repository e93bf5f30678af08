"""A deploy's change set is git's difference, on real git histories.

Random histories (branches, merges, cherry-picks, tags), scanned in two steps as a
repository grows; every pair of releases is compared with ``git rev-list`` in both
directions. Then a release-branch story through the CLI, as a release manager sees it.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from functools import partial
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from releasecare.ancestry import difference
from releasecare.config import Config, parse_config
from releasecare.errors import GitError
from releasecare.releases import scan
from releasecare.store import commits as commit_store
from releasecare.store import open_engine, transaction
from releasecare.store import releases as release_store
from tests.gitfactory import GitRepoFactory
from tests.helpers import CUSTOMERS, Runner

OPS = st.lists(
    st.tuples(
        st.sampled_from(["commit", "commit", "commit", "branch", "merge", "pick", "tag"]),
        st.integers(0, 1000),
    ),
    min_size=4,
    max_size=24,
)


class History:
    """A repository grown by random operations; tags named v0.0.N in creation order."""

    def __init__(self, path: Path) -> None:
        self.git = GitRepoFactory(path)
        self.branches = ["main"]
        self.commits: list[str] = [self.git.commit("feat: start", files={"f0": "0"})]
        self.tags: list[str] = []
        self.count = 0

    def apply(self, op: str, pick: int) -> None:
        git = self.git
        self.count += 1
        n = self.count
        if op == "branch":
            name = f"b{n}"
            git.git("checkout", "-q", "-b", name, self.commits[pick % len(self.commits)])
            self.branches.append(name)
        elif op == "merge" and len(self.branches) > 1:
            other = self.branches[pick % len(self.branches)]
            if git.git("rev-parse", other) != git.git("rev-parse", "HEAD"):
                git.git(
                    "merge", "-q", "--no-ff", "--allow-unrelated-histories", "-m", f"m{n}", other
                )
                self.commits.append(git.git("rev-parse", "HEAD"))
        elif op == "pick":
            source = self.commits[pick % len(self.commits)]
            picked = subprocess.run(
                ["git", "cherry-pick", "--allow-empty", "--keep-redundant-commits", source],
                cwd=git.path,
                env=git.env(),
                capture_output=True,
                check=False,
            )
            if picked.returncode != 0:  # a merge, or a conflict: leave it
                subprocess.run(
                    ["git", "cherry-pick", "--abort"],
                    cwd=git.path,
                    check=False,
                    capture_output=True,
                )
                git.git("reset", "-q", "--hard")
            else:
                self.commits.append(git.git("rev-parse", "HEAD"))
        elif op == "tag":
            name = f"v0.0.{len(self.tags) + 1}"
            git.tag(name)
            self.tags.append(name)
        else:
            self.commits.append(git.commit(f"fix: change {n}", files={f"f{n}": str(n)}))
        if op in ("commit", "merge") and pick % 4 == 0:
            git.git("checkout", "-q", self.branches[pick % len(self.branches)])

    def rev_list(self, include: str, exclude: str) -> set[str]:
        out = self.git.git("rev-list", include, f"^{exclude}")
        return set(out.split())


def _config(repo: Path) -> Config:
    return parse_config({"release": {"tag_pattern": "v*"}}, repo / "releasecare.toml")


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,  # the same histories on every run; shrinking git repos takes ages
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(OPS, OPS)
def test_added_and_removed_equal_git_rev_list_on_random_histories(
    first: list[tuple[str, int]], second: list[tuple[str, int]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        history = History(Path(folder) / "repo")
        history.git.tag("v0.0.0")
        history.tags.append("v0.0.0")
        engine = open_engine(f"sqlite:///{folder}/rc.db")
        config = _config(history.git.path)
        for ops in (first, second):  # the second scan is incremental
            for op, pick in ops:
                history.apply(op, pick)
            scan(config, history.git.path, partial(transaction, engine))
        with transaction(engine) as session:
            shas = release_store.commits(session)
            for a in history.tags:
                for b in history.tags:
                    new, old = shas[b], shas[a]
                    generations = commit_store.generations(session, [new, old])
                    diff = difference(new, old, generations, partial(commit_store.band, session))
                    assert set(diff.added) == history.rev_list(b, a), (a, b)
                    assert set(diff.removed) == history.rev_list(a, b), (a, b)
        engine.dispose()


# --- a release branch, as the release manager and the customer see it --------------

CONFIG = """\
[product]
name = "Shopfront"

[release]
tag_pattern = "v*"

[components.checkout]
name = "Checkout"
paths = ["/services/checkout/"]

[components.search]
name = "Search"
paths = ["/services/search/"]

[environments.production-eu]
name = "Europe"
"""


def _release_branch_project(tmp_path: Path, db_url: str) -> tuple[Runner, GitRepoFactory, str]:
    """v1.0.0 on main; v1.0.1 a hotfix on release/v1.0; v1.1.0 from main without it."""
    repo = tmp_path / "shop"
    git = GitRepoFactory(repo)
    git.commit(
        "feat(checkout): pay by card",
        files={"services/checkout/a.py": "1", "releasecare.toml": CONFIG},
    )
    git.tag("v1.0.0")
    git.branch("release/v1.0")
    hotfix = git.commit(
        "fix(checkout): card payments no longer time out",
        files={"services/checkout/b.py": "2"},
    )
    git.tag("v1.0.1")
    git.checkout("main")
    git.commit("feat(search): search by order number", files={"services/search/s.py": "3"})
    git.commit("feat(checkout): pay by invoice", files={"services/checkout/c.py": "4"})
    git.tag("v1.1.0")
    (repo / "customers.json").write_text(json.dumps([c for c in CUSTOMERS if c["id"] != "initech"]))
    runner = Runner(repo, db_url)
    runner.ok("release", "scan")
    runner.ok("customers", "import", "customers.json")
    return runner, git, hotfix


def test_a_deploy_across_a_release_branch_says_what_the_customer_loses(
    tmp_path: Path, db_url: str
) -> None:
    runner, git, hotfix = _release_branch_project(tmp_path, db_url)
    runner.deploy("v1.0.0", "2026-11-01T10:00:00Z")
    runner.deploy("v1.0.1", "2026-11-02T10:00:00Z")
    deploy = runner.deploy("v1.1.0", "2026-11-03T10:00:00Z")

    found = runner.json("impact", str(deploy))
    added = {c["sha"] for c in found["changes"] if c["direction"] == "added"}
    removed = {c["sha"] for c in found["changes"] if c["direction"] == "removed"}
    assert added == set(git.git("rev-list", "v1.1.0", "^v1.0.1").split())
    assert removed == set(git.git("rev-list", "v1.0.1", "^v1.1.0").split()) == {hotfix}
    assert (found["added"], found["removed"]) == (2, 1)
    assert found["deployment"]["rollback"] is False

    text = runner.ok("impact", str(deploy)).output
    assert "2 added, 1 removed" in text
    assert "warning: v1.1.0 lacks 1 change that production-eu had with v1.0.1" in text
    assert hotfix[:10] in text

    out = tmp_path / "out"
    runner.ok("notes", "render", str(deploy), "--format", "md", "--out", str(out))
    (notice,) = (out / "acme").glob("*.md")
    body = notice.read_text()
    assert "No longer available" in body
    assert "Card payments no longer time out" in body
    assert "Pay by invoice" in body


def test_a_redeploy_after_a_failed_one_counts_from_the_last_success(
    tmp_path: Path, db_url: str
) -> None:
    runner, git, _ = _release_branch_project(tmp_path, db_url)
    runner.deploy("v1.0.0", "2026-11-01T10:00:00Z")
    runner.deploy("v1.1.0", "2026-11-02T10:00:00Z", "--status", "failed")
    deploy = runner.deploy("v1.1.0", "2026-11-02T11:00:00Z")
    found = runner.json("impact", str(deploy))
    assert {c["sha"] for c in found["changes"]} == set(
        git.git("rev-list", "v1.1.0", "^v1.0.0").split()
    )
    assert found["deployment"]["previous_version"] == "v1.0.0"


def test_a_deploy_keeps_its_commit_when_the_tag_moves_or_goes(tmp_path: Path, db_url: str) -> None:
    runner, git, _ = _release_branch_project(tmp_path, db_url)
    runner.deploy("v1.0.0", "2026-11-01T10:00:00Z")
    deploy = runner.deploy("v1.1.0", "2026-11-02T10:00:00Z")
    before = runner.json("impact", str(deploy))["changes"]
    git.commit("feat(search): later work", files={"services/search/t.py": "5"})
    git.git("tag", "-f", "v1.1.0")  # the tag moves to a later commit
    runner.ok("release", "scan", "--rescan")
    assert runner.json("impact", str(deploy))["changes"] == before


def test_a_cherry_picked_fix_is_neither_lost_nor_new_for_the_customer(
    tmp_path: Path, db_url: str
) -> None:
    """git lists the pick as added and the original as removed; the customer had the
    fix before and has it after, so the notice tells them neither."""
    runner, git, hotfix = _release_branch_project(tmp_path, db_url)
    git.checkout("main")
    git.git("cherry-pick", "-x", hotfix)
    git.tag("v1.2.0")
    runner.ok("release", "scan")
    runner.deploy("v1.0.1", "2026-11-02T10:00:00Z")
    deploy = runner.deploy("v1.2.0", "2026-11-03T10:00:00Z")
    found = runner.json("impact", str(deploy))
    removed = [c["sha"] for c in found["changes"] if c["direction"] == "removed"]
    assert removed == [hotfix]
    assert found["lost"] == []  # the pick carries it: nothing is lost
    assert "lacks" not in runner.ok("impact", str(deploy)).output
    out = tmp_path / "out"
    runner.ok("notes", "render", str(deploy), "--format", "md", "--out", str(out))
    body = next((out / "acme").glob("*.md")).read_text()
    assert "No longer available" not in body
    assert "time out" not in body
    assert "Pay by invoice" in body


def test_the_rollback_of_a_deploy_marked_rolled_back_takes_its_changes_away(
    tmp_path: Path, db_url: str
) -> None:
    """``rolled_back`` reached customers: the deploy that undid it starts from it."""
    runner, git, _ = _release_branch_project(tmp_path, db_url)
    runner.deploy("v1.0.0", "2026-11-01T10:00:00Z")
    bad = runner.deploy("v1.1.0", "2026-11-02T10:00:00Z", "--status", "rolled_back")
    back = runner.deploy("v1.0.0", "2026-11-02T11:00:00Z")
    found = runner.json("impact", str(back))
    assert found["deployment"]["previous_version"] == "v1.1.0"
    assert found["deployment"]["rollback"] is True
    assert {c["sha"] for c in found["changes"]} == set(
        git.git("rev-list", "v1.1.0", "^v1.0.0").split()
    )
    assert {c["direction"] for c in found["changes"]} == {"removed"}
    kinds = {row["id"]: row["kind"] for row in runner.json("deploy", "list")["deployments"]}
    assert (kinds[bad], kinds[back]) == ("update", "rollback")


# --- shallow clones: exit 3 with the fix, before anything is written ---------------


def _shallow_clone(tmp_path: Path, *args: str) -> Path:
    repo = tmp_path / "shop"
    git = GitRepoFactory(repo)
    git.commit(
        "feat(checkout): one", files={"services/checkout/a.py": "1", "releasecare.toml": CONFIG}
    )
    git.tag("v1.0.0")
    git.commit("feat(checkout): two", files={"services/checkout/b.py": "2"})
    git.tag("v1.1.0")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", *args, repo.as_uri(), str(clone)], check=True)
    return clone


def _refused(result: object, db: Path) -> str:
    from click.testing import Result

    assert isinstance(result, Result)
    assert result.exit_code == 3, result.output
    assert "git fetch --tags --unshallow" in result.output
    assert "Traceback" not in result.output
    assert not db.exists()  # nothing was created
    return result.output


def test_a_depth_one_clone_without_tags_is_refused_by_scan_and_record(tmp_path: Path) -> None:
    clone = _shallow_clone(tmp_path, "--depth", "1", "--no-tags")
    db = tmp_path / "rc.db"
    runner = Runner(clone, f"sqlite:///{db}")
    assert "has no release tags" in _refused(runner("release", "scan"), db)
    record = runner("deploy", "record", "--env", "production-eu", "--version", "v1.1.0")
    assert "shallow clone" in _refused(record, db)


def test_a_clone_with_tags_but_cut_history_is_refused_before_a_database_is_made(
    tmp_path: Path,
) -> None:
    clone = _shallow_clone(tmp_path, "--depth", "1")
    assert subprocess.run(["git", "-C", str(clone), "tag"], capture_output=True, text=True).stdout
    db = tmp_path / "rc.db"
    output = _refused(Runner(clone, f"sqlite:///{db}")("release", "scan"), db)
    assert "lacks the history of its releases" in output


def test_a_full_clone_refuses_an_unknown_version_the_same_way_without_the_clone_hint(
    tmp_path: Path,
) -> None:
    clone = _shallow_clone(tmp_path)  # a full clone
    runner = Runner(clone, f"sqlite:///{tmp_path / 'rc.db'}")
    runner.ok("release", "scan")
    result = runner("deploy", "record", "--env", "production-eu", "--version", "v9.9.9")
    assert result.exit_code == 2
    assert "not a known release" in result.output
    assert "unshallow" not in result.output


# --- a rescan gives what a fresh database gives --------------------------------------

TAG_OPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "delete", "move", "stray", "pattern"]), st.integers(0, 99)
    ),
    min_size=1,
    max_size=6,
)


def _stored(engine: object) -> tuple[object, ...]:
    """Everything a scan stores, independent of row ids and walk order."""
    from sqlalchemy import text

    with engine.connect() as conn:  # type: ignore[attr-defined]
        releases = conn.execute(
            text("SELECT tag, sha, position, previous_tag, scanned_at IS NOT NULL FROM releases")
        ).all()
        changes = conn.execute(
            text(
                "SELECT c.sha, r.tag, c.summary, c.visible FROM changes c "
                "JOIN releases r ON r.id = c.release_id"
            )
        ).all()
        files = conn.execute(
            text("SELECT c.sha, f.path FROM change_files f JOIN changes c ON c.id = f.change_id")
        ).all()
        graph = conn.execute(text("SELECT sha, generation, parents FROM commits")).all()
    return (sorted(releases), sorted(changes), sorted(files), sorted(graph))


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(OPS, TAG_OPS)
def test_a_scan_after_any_tag_change_equals_a_scan_into_a_new_database(
    ops: list[tuple[str, int]], tag_ops: list[tuple[str, int]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        history = History(Path(folder) / "repo")
        for op, pick in ops:
            history.apply(op, pick)
        git = history.git
        for i, commit in enumerate(history.commits[::3]):
            git.git("tag", f"v1.{i}.0", commit)
        pattern = "v*"
        engine = open_engine(f"sqlite:///{folder}/kept.db")
        scan(
            parse_config({"release": {"tag_pattern": pattern}}, git.path / "x.toml"),
            git.path,
            partial(transaction, engine),
        )
        for op, pick in tag_ops:
            tags = git.git("tag", "--list").split()
            commit = history.commits[pick % len(history.commits)]
            if op == "add":
                git.git("tag", "-f", f"v0.{pick}.5", commit)  # often older than those scanned
            elif op == "delete" and tags:
                git.git("tag", "-d", tags[pick % len(tags)])
            elif op == "move" and tags:
                git.git("tag", "-f", tags[pick % len(tags)], commit)
            elif op == "stray":
                git.git("tag", "-f", ["v0", "v3-demo-concise", "latest"][pick % 3], commit)
            elif op == "pattern":
                pattern = ["v*", "v1.*", "v[0-9]*.*"][pick % 3]
            config = parse_config({"release": {"tag_pattern": pattern}}, git.path / "x.toml")
            try:
                scan(config, git.path, partial(transaction, engine))
            except GitError:  # every stored tag gone: refused until confirmed
                scan(config, git.path, partial(transaction, engine), rescan=True)
        fresh = open_engine(f"sqlite:///{folder}/fresh.db")
        scan(
            config
            if tag_ops
            else parse_config({"release": {"tag_pattern": pattern}}, git.path / "x.toml"),
            git.path,
            partial(transaction, fresh),
        )
        kept, new = _stored(engine), _stored(fresh)
        assert kept[:3] == new[:3]  # releases, changes, files: exactly a fresh scan's
        # The graph keeps commits no tag reaches any more: git's history does not
        # change, and a deploy recorded while its tag existed still needs them.
        assert set(new[3]) <= set(kept[3])
        engine.dispose()
        fresh.dispose()


def test_scan_skips_tags_that_are_no_versions_with_a_warning(tmp_path: Path) -> None:
    repo = tmp_path / "shop"
    git = GitRepoFactory(repo)
    git.commit(
        "feat(checkout): one", files={"services/checkout/a.py": "1", "releasecare.toml": CONFIG}
    )
    git.tag("v0")
    git.tag("v1.0.0")
    git.commit("feat(checkout): two", files={"services/checkout/b.py": "2"})
    git.tag("v3-demo-concise")
    git.tag("v1.1.0")
    runner = Runner(repo, f"sqlite:///{tmp_path / 'rc.db'}")
    result = runner.ok("release", "scan")
    assert (
        "skipped 2 tag(s) that match 'v*' but are no versions: v0, v3-demo-concise" in result.stderr
    )
    assert [r["tag"] for r in runner.json("release", "list")["releases"]] == ["v1.0.0", "v1.1.0"]


def test_a_deleted_tag_is_gone_from_release_show_and_its_changes_move(tmp_path: Path) -> None:
    runner, git, _ = _release_branch_project(tmp_path, f"sqlite:///{tmp_path / 'rc.db'}")
    git.commit("feat(search): three", files={"services/search/x.py": "9"})
    git.tag("v1.2.0")
    runner.ok("release", "scan")
    git.git("tag", "-d", "v1.1.0")
    result = runner.ok("release", "scan")
    assert "removed 1 release(s) whose tag is gone: v1.1.0" in result.stderr
    assert runner("release", "show", "v1.1.0").exit_code == 2
    shown = runner.json("release", "show", "v1.2.0")["changes"]
    assert {c["summary"] for c in shown} >= {
        "feat(checkout): pay by invoice",
        "feat(search): three",
    }


def test_scan_warns_when_most_changes_have_no_type_and_so_are_hidden(tmp_path: Path) -> None:
    repo = tmp_path / "shop"
    git = GitRepoFactory(repo)
    git.commit("Initial import", files={"services/checkout/a.py": "1", "releasecare.toml": CONFIG})
    git.commit("Make the checkout button bigger", files={"services/checkout/b.py": "2"})
    git.commit("feat(checkout): pay by card", files={"services/checkout/c.py": "3"})
    git.tag("v1.0.0")
    result = Runner(repo, f"sqlite:///{tmp_path / 'rc.db'}").ok("release", "scan")
    assert "warning: 2 of 3 changes have no Conventional Commits type" in result.stderr
    assert "component_changes_visible" in result.stderr


def test_no_type_warning_when_untyped_changes_touching_components_are_shown(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "shop"
    git = GitRepoFactory(repo)
    visible = CONFIG.replace("[release]\n", "[release]\ncomponent_changes_visible = true\n")
    git.commit("Initial import", files={"docs/a.md": "1", "releasecare.toml": visible})
    git.commit("Fix a typo in the docs", files={"docs/b.md": "2"})
    git.commit("Make the checkout button bigger", files={"services/checkout/b.py": "2"})
    git.tag("v1.0.0")
    result = Runner(repo, f"sqlite:///{tmp_path / 'rc.db'}").ok("release", "scan")
    assert "Conventional Commits type" not in result.stderr


def test_a_shallow_clone_without_tags_never_drops_what_a_shared_database_holds(
    tmp_path: Path,
) -> None:
    full = _shallow_clone(tmp_path)  # a full clone, scanned into the shared database
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    Runner(full, db).ok("release", "scan")
    for name, args in (("shallow", ("--depth", "1", "--no-tags")), ("notags", ("--no-tags",))):
        clone = tmp_path / name
        subprocess.run(["git", "clone", "-q", *args, full.as_uri(), str(clone)], check=True)
        result = Runner(clone, db)("release", "scan")
        assert result.exit_code == 3, result.output
        assert "nothing is dropped" in result.output or "shallow clone" in result.output
    releases = Runner(full, db).json("release", "list")["releases"]
    assert [r["tag"] for r in releases] == ["v1.0.0", "v1.1.0"]


def test_a_rollback_to_a_release_commit_on_its_own_branch_is_a_rollback(tmp_path: Path) -> None:
    """Each release's commit on a branch of its own (microservices-demo): going back
    adds that commit, and is still a rollback, as deploy list says."""
    repo = tmp_path / "shop"
    git = GitRepoFactory(repo)
    git.commit(
        "feat(checkout): one", files={"services/checkout/a.py": "1", "releasecare.toml": CONFIG}
    )
    git.branch("release/v1.0")
    git.commit("chore: release v1.0.0", files={"services/checkout/version": "1.0.0"})
    git.tag("v1.0.0")
    git.checkout("main")
    git.commit("feat(checkout): pay by invoice", files={"services/checkout/b.py": "2"})
    git.branch("release/v1.1")
    git.commit("chore: release v1.1.0", files={"services/checkout/version": "1.1.0"})
    git.tag("v1.1.0")
    (repo / "customers.json").write_text(json.dumps([c for c in CUSTOMERS if c["id"] == "acme"]))
    runner = Runner(repo, f"sqlite:///{tmp_path / 'rc.db'}")
    runner.ok("release", "scan")
    runner.ok("customers", "import", "customers.json")
    runner.deploy("v1.1.0", "2026-11-02T10:00:00Z")
    back = runner.deploy("v1.0.0", "2026-11-03T10:00:00Z")
    found = runner.json("impact", str(back))
    directions = {c["summary"]: c["direction"] for c in found["changes"]}
    assert directions["chore: release v1.0.0"] == "added"
    assert directions["feat(checkout): pay by invoice"] == "removed"
    assert found["deployment"]["rollback"] is True
    assert {c["summary"]: c["appears"] for c in found["changes"]}["chore: release v1.0.0"] is False
    out = tmp_path / "out"
    runner.ok("notes", "render", str(back), "--format", "md", "--out", str(out))
    body = next((out / "acme").glob("*.md")).read_text()
    assert "back to an earlier version" in body and "No longer available" in body


def test_editing_the_components_rescans_so_nothing_goes_stale(tmp_path: Path) -> None:
    runner, git, _ = _release_branch_project(tmp_path, f"sqlite:///{tmp_path / 'rc.db'}")
    before = runner.json("release", "show", "v1.1.0")["changes"]
    assert {c["summary"]: c["components"] for c in before}[
        "feat(search): search by order number"
    ] == ["search"]
    config = git.path / "releasecare.toml"
    config.write_text(config.read_text().replace('"/services/search/"', '"/services/find/"'))
    result = runner.ok("release", "scan")
    assert "every release was scanned again" in result.stderr
    after = runner.json("release", "show", "v1.1.0")["changes"]
    assert {c["summary"]: c["components"] for c in after}[
        "feat(search): search by order number"
    ] == []
    assert "scanned again" not in runner.ok("release", "scan").stderr  # once


# --- deployed commits no tag contains (continuous deployment) -------------------------


def test_a_deployed_commit_after_the_last_tag_has_an_exact_range(
    tmp_path: Path, db_url: str
) -> None:
    runner, git, _ = _release_branch_project(tmp_path, db_url)
    git.commit("feat(search): filters by date", files={"services/search/f.py": "7"})
    tip = git.commit("fix(checkout): totals round half up", files={"services/checkout/r.py": "8"})
    runner.deploy("v1.1.0", "2026-11-01T10:00:00Z")
    deploy = runner.deploy(tip[:10], "2026-11-02T10:00:00Z")
    found = runner.json("impact", str(deploy))
    assert {c["sha"] for c in found["changes"]} == set(git.git("rev-list", tip, "^v1.1.0").split())
    assert [c["release"] for c in found["changes"]] == [None, None]
    assert {c["id"] for c in found["customers"]} == {"acme", "globex"}
    # Once a tag contains them, a scan gives them their release, as a fresh scan would.
    git.tag("v1.2.0")
    runner.ok("release", "scan")
    assert {c["release"] for c in runner.json("impact", str(deploy))["changes"]} == {"v1.2.0"}


def test_an_ingested_release_branch_tip_after_its_tag_is_exact(tmp_path: Path, db_url: str) -> None:
    """microservices-demo: a deploy log names the tip of release/v1.0 after v1.0.1."""
    runner, git, _ = _release_branch_project(tmp_path, db_url)
    git.checkout("release/v1.0")
    tip = git.commit("fix(search): default filters", files={"services/search/d.py": "9"})
    git.checkout("main")
    log = tmp_path / "deploys.jsonl"
    lines = [
        {
            "environment": "production-eu",
            "version": "v1.1.0",
            "status": "succeeded",
            "deployed_at": "2026-11-01T10:00:00Z",
            "id": "p-1",
        },
        {
            "environment": "production-eu",
            "version": "v1.0.1",
            "sha": tip,
            "status": "succeeded",
            "deployed_at": "2026-11-02T10:00:00Z",
            "id": "p-2",
        },
    ]
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    runner.ok("deploy", "ingest", str(log), "--format", "jsonl")
    deploy = runner.json("deploy", "list")["deployments"][-1]["id"]
    found = runner.json("impact", str(deploy))
    added = {c["sha"] for c in found["changes"] if c["direction"] == "added"}
    removed = {c["sha"] for c in found["changes"] if c["direction"] == "removed"}
    assert added == set(git.git("rev-list", tip, "^v1.1.0").split())
    assert removed == set(git.git("rev-list", "v1.1.0", f"^{tip}").split())


def test_ingesting_a_commit_the_repository_lacks_stores_nothing(
    tmp_path: Path, db_url: str
) -> None:
    runner, _, _ = _release_branch_project(tmp_path, db_url)
    log = tmp_path / "deploys.jsonl"
    log.write_text(
        json.dumps(
            {
                "environment": "production-eu",
                "version": "v1.1.0",
                "sha": "0123456789abcdef",
                "status": "succeeded",
                "deployed_at": "2026-11-01T10:00:00Z",
            }
        )
        + "\n"
    )
    result = runner("deploy", "ingest", str(log), "--format", "jsonl")
    assert result.exit_code == 2, result.output
    assert "0123456789abcdef" in result.output
    assert runner.json("deploy", "list")["deployments"] == []
