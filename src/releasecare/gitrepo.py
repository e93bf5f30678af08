"""Reading git: release tags, commits of a range with the files they touched.

Everything goes through GitPython's command interface, one git process per
question: a whole release range is one ``git log`` whose NUL-separated output is
parsed here, never one process per commit.
"""

from __future__ import annotations

import codecs
import fnmatch
import functools
import re
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

from releasecare.domain import NAME_LIMITS, Commit, FileChange, Release
from releasecare.errors import GitError, NotFound, nearest_tags_hint
from releasecare.text import inert
from releasecare.versions import sort_versions, version_key

# One record per commit: a start marker, then NUL-terminated header fields.
_START = "\x1e"  # ASCII record separator; git never emits it in the fields we ask for
_FORMAT = _START + "%H%x00%P%x00%an%x00%ae%x00%aI%x00%B%x00"
UNSHALLOW_HINT = (
    "fetch the full history: `git fetch --tags --unshallow` "
    "(GitHub Actions: `fetch-depth: 0` in actions/checkout)"
)


def _repo(repo_path: Path) -> Any:
    return _open_repo(str(Path(repo_path).resolve()))


@functools.lru_cache(maxsize=8)
def _open_repo(repo_path: str) -> Any:
    """One ``git.Repo`` per folder and process: opening one reads config every time."""
    import git

    try:
        return git.Repo(repo_path, search_parent_directories=True)
    except git.NoSuchPathError:
        raise GitError(f"{repo_path}: no such folder") from None
    except git.InvalidGitRepositoryError:
        raise GitError(
            f"{repo_path} is not a git repository",
            hint="run releasecare inside your repository, or pass --repo",
        ) from None


def _git(repo_path: Path, *args: str, stream: bool = False) -> Any:
    import git

    repo = _repo(repo_path)
    try:
        if stream:
            # Without GIT_FLUSH=0 git flushes a pipe after every commit: one write and
            # one wake-up of the reader per commit, a quarter of git's time on big ranges.
            # (GitPython adds this to the process's own environment.)
            return repo.git.execute(["git", *args], as_process=True, env={"GIT_FLUSH": "0"})
        return repo.git.execute(["git", *args], strip_newline_in_stdout=False)
    except git.GitCommandError as exc:
        stderr = (exc.stderr or "").strip().removeprefix("stderr: ").strip("'\n ")
        raise GitError(f"git {args[0]} failed: {stderr or exc}") from None


def _sha(repo_path: Path, rev: str) -> str:
    """A full sha stands for itself (``release scan`` has them from for-each-ref)."""
    return rev if _FULL_SHA.match(rev) else resolve(repo_path, rev)


_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")


def _shallow_boundary(repo_path: Path) -> set[str]:
    """Commits whose parents a shallow clone does not have (empty when not shallow)."""
    repo = _repo(repo_path)
    try:
        return set((Path(repo.common_dir) / "shallow").read_text().split())
    except FileNotFoundError:
        return set()


def is_shallow(repo_path: Path) -> bool:
    out = _git(repo_path, "rev-parse", "--is-shallow-repository")
    return str(out).strip() == "true"


def clone_is_shallow(repo_path: Path) -> bool:
    """Whether ``repo_path`` is a shallow clone (False when it is no repository at all)."""
    try:
        return is_shallow(repo_path)
    except GitError:
        return False


def resolve(repo_path: Path, rev: str, *, tag_pattern: str = "*") -> str:
    """The commit sha of ``rev``; exit 3 for history a shallow clone lacks, 2 for a typo
    (with a hint naming the nearest release tags: those matching ``tag_pattern``)."""
    import git

    repo = _repo(repo_path)
    try:
        # --end-of-options: a name that starts with '-' (a tag "-x") is never an option.
        return str(
            repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        ).strip()
    except git.GitCommandError:
        pass
    if is_shallow(repo_path):
        raise GitError(f"{rev!r} is not in this shallow clone", hint=UNSHALLOW_HINT)
    tags = [
        t
        for t in str(repo.git.tag("--list")).splitlines()
        if t and fnmatch.fnmatchcase(t, tag_pattern)
    ]
    raise NotFound(
        f"{rev!r} is not a tag, branch or commit of {repo_path}",
        hint=nearest_tags_hint(sort_versions(tags), rev),
    )


def merge_base(repo_path: Path, base: str, head: str = "HEAD") -> str:
    """The commit where ``head`` left ``base`` (what a pull request is compared with)."""
    base_sha, head_sha = resolve(repo_path, base), resolve(repo_path, head)
    try:
        return str(_git(repo_path, "merge-base", base_sha, head_sha)).strip()
    except GitError:
        raise GitError(
            f"{base} and {head} share no history",
            hint="fetch the base branch with its history (`fetch-depth: 0`)",
        ) from None


# --- releases -----------------------------------------------------------------


def list_releases(
    repo_path: Path,
    tag_pattern: str,
    *,
    order: str = "version",
    unusable: list[str] | None = None,
) -> list[Release]:
    """Tags matching ``tag_pattern`` (fnmatch), oldest first, with date and message.

    An annotated tag keeps its own date and message; a lightweight one takes its
    commit's date. A tag that points at no commit (a tree, a blob, another tag) or
    whose name is too long to store is left out, and said why in ``unusable``.
    """
    fields = (
        "%(refname:strip=2)%00%(objecttype)%00%(*objectname)%00%(objectname)"
        "%00%(creatordate:iso-strict)%00%(contents)%00%(*committerdate:iso-strict)"
        "%00%(committerdate:iso-strict)%00%(*objecttype)%00"
    )
    out = str(_git(repo_path, "for-each-ref", f"--format={fields}", "refs/tags"))
    # NUL ends every field (no message holds one); each record is nine of them.
    tokens = out.split("\x00")
    releases = []
    for start in range(0, len(tokens) - 8, 9):
        name, kind, peeled, obj, created, contents, peeled_date, commit_date, target = tokens[
            start : start + 9
        ]
        name = name.lstrip("\n")
        if not fnmatch.fnmatchcase(name, tag_pattern):
            continue
        annotated = kind == "tag"
        if annotated and not peeled:
            continue
        points_at = target if annotated else kind
        problem = (
            f"it points at a {points_at}, not a commit"
            if points_at != "commit"
            else f"its name is longer than {NAME_LIMITS['tag']} characters"
            if len(name) > NAME_LIMITS["tag"]
            else None
        )
        if problem is not None:
            if unusable is not None:
                unusable.append(f"{shown_tag(name)}: {problem}")
            continue
        sha = peeled if annotated else obj
        date = created or peeled_date or commit_date
        releases.append(
            Release(
                tag=name,
                sha=sha,
                date=_parse_date(date),
                message=inert(_without_signature(contents)) or None if annotated else None,
                annotated=annotated,
            )
        )
    if order == "date":
        return sorted(releases, key=lambda r: (r.date, version_key(r.tag)))
    return sorted(releases, key=lambda r: version_key(r.tag))


def shown_tag(name: str, limit: int = 60) -> str:
    """A tag's name for a message: quoted, cut short."""
    return repr(name) if len(name) <= limit else repr(name[: limit - 3] + "...")


_SIGNATURE = re.compile(r"\n?-----BEGIN (?:PGP|SSH) SIGNATURE-----.*", re.DOTALL)


def _without_signature(message: str) -> str:
    """A signed tag's message without its signature block."""
    return _SIGNATURE.sub("", message).strip()


def _parse_date(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip())
    return moment.astimezone(UTC)


# --- commits ------------------------------------------------------------------


def iter_commits(
    repo_path: Path, until: str, since: str | None = None, *, first_parent: bool = False
) -> Iterator[Commit]:
    """Commits reachable from ``until`` and not from ``since``, oldest first, with files.

    One ``git log`` process for the whole range, read as a stream. A merge commit
    carries no change of its own: without ``first_parent`` the commits it brought
    in stand for it (and it is left out); with ``first_parent`` it stands for its
    branch, with the files the branch changed, and the branch's commits are not
    listed.
    """
    until_sha = _sha(repo_path, until)
    exclude = [] if since is None else [_sha(repo_path, since)]
    commits = walk(repo_path, [until_sha], exclude, first_parent=first_parent, reverse=True)
    for commit in commits:
        if first_parent or len(commit.parents) < 2:
            yield commit


def walk(
    repo_path: Path,
    include: Sequence[str],
    exclude: Sequence[str] = (),
    *,
    first_parent: bool = False,
    reverse: bool = False,
) -> Iterator[Commit]:
    """Every commit reachable from ``include`` and not from ``exclude``, merges too.

    Newest first in topological order (a commit before its parents), or oldest
    first with ``reverse``. One ``git log`` process, streamed; it starts at once,
    so git works while the caller prepares to read.
    """
    args = [
        "log",
        "-z",
        "--topo-order",
        "--no-color",
        "--name-status",
        "-M",
        "--no-abbrev",
        "--no-ext-diff",
        "--no-textconv",
        f"--format={_FORMAT}",
        "--diff-merges=first-parent" if first_parent else "--diff-merges=off",
    ]
    if reverse:
        args.append("--reverse")
    if first_parent:
        args.append("--first-parent")
    args += [*include, *(f"^{rev}" for rev in exclude), "--"]
    boundary = _shallow_boundary(repo_path)
    if not exclude and boundary:
        raise GitError(
            f"{repo_path} is a shallow clone: the history of its releases is cut off",
            hint=UNSHALLOW_HINT,
        )
    process = _git(repo_path, *args, stream=True)
    _widen_pipe(process.stdout)
    return _commits_of(process, boundary)


def _commits_of(process: Any, boundary: set[str]) -> Iterator[Commit]:
    # GitPython stops the process when it is dropped, even if this never starts.
    try:
        for commit in _parse_log(_read_chunks(process.stdout)):
            if commit.sha in boundary:
                # Its parents were not fetched: the range runs past what the clone has.
                raise GitError(
                    "this shallow clone lacks history that releasecare has not stored yet",
                    hint=UNSHALLOW_HINT,
                )
            yield commit
    finally:
        process.stdout.close()
        process.wait()


def _widen_pipe(stream: Any) -> None:
    """Let git run up to a megabyte ahead of its reader (Linux; elsewhere a no-op).

    A pipe holds 64 KiB; git blocks once it is full, so every pause of the reader
    (writing a batch of changes) would stall git too.
    """
    try:
        import fcntl  # noqa: PLC0415 (Linux only: a bigger pipe where there is one)

        fcntl.fcntl(stream.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass  # above /proc/sys/fs/pipe-max-size, or not Linux: the default pipe works


def count_commits(
    repo_path: Path,
    include: Sequence[str],
    exclude: Sequence[str] = (),
    *,
    first_parent: bool = False,
) -> int:
    """How many commits ``walk`` would list (for a progress bar)."""
    args = [
        "rev-list",
        "--count",
        *(["--first-parent"] if first_parent else []),
        *include,
        *(f"^{rev}" for rev in exclude),
        "--",
    ]
    return int(str(_git(repo_path, *args)).strip() or 0)


def _read_chunks(stream: Any, size: int = 1 << 16) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    while chunk := stream.read(size):
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def _token_lists(chunks: Iterable[str]) -> Iterator[list[str]]:
    """The NUL-separated tokens of a stream, a chunk's worth at a time."""
    rest = ""
    for chunk in chunks:
        tokens = (rest + chunk).split("\x00")
        rest = tokens.pop()
        yield tokens
    if rest:
        yield [rest]


def _parse_log(chunks: Iterable[str]) -> Iterator[Commit]:
    """Parse ``git log -z`` output token by token (tokens are NUL-separated).

    Commit messages and paths cannot contain NUL, so a walk over tokens that knows
    whether it expects a header field, a status or a path is exact even for paths
    with newlines and messages with odd characters: only a token where a status
    belongs can start the next commit. This runs once per token of a history's
    worth of output, so tokens come from one C-level iterator and each is looked
    at once.
    """
    tokens = chain.from_iterable(_token_lists(chunks))
    token = next(tokens, None)
    while token is not None:
        header = [token, *islice(tokens, 5)]
        files: list[FileChange] = []
        token = None
        for item in tokens:
            if not item:
                continue
            if item[0] == _START:
                token = item
                break
            status = item.lstrip("\n")[:1]
            if not status:
                continue
            if status == "R" or status == "C":
                old_path = next(tokens, "")
                files.append(FileChange(next(tokens, ""), status, old_path))
            else:
                files.append(FileChange(next(tokens, ""), status))
        yield _commit(header, files)


def _commit(header: list[str], files: list[FileChange]) -> Commit:
    sha, parents, author, email, date, message = (header + [""] * 6)[:6]
    sha = sha.removeprefix(_START)
    subject, _, body = message.strip("\n").partition("\n")
    most = NAME_LIMITS["author"]
    return Commit(
        sha=sha,
        parents=tuple(parents.split()),
        author_name=author[:most],
        author_email=email[:most],
        authored_at=_parse_date(date),
        subject=subject.strip(),
        body=body.strip("\n"),
        files=tuple(files),
    )


def list_files(repo_path: Path, rev: str = "HEAD") -> list[str]:
    """Every file path in ``rev``'s tree (empty for a repository without commits)."""
    import git

    repo = _repo(repo_path)
    try:
        out = repo.git.execute(
            ["git", "ls-tree", "-r", "-z", "--name-only", "--full-tree", rev],
            strip_newline_in_stdout=False,
        )
    except git.GitCommandError:
        if not repo.head.is_valid():
            return []
        raise GitError(f"cannot list the files of {rev!r}") from None
    return [p for p in str(out).split("\x00") if p]


def read_blobs(repo_path: Path, specs: list[str]) -> dict[str, str]:
    """``rev:path`` -> text for each spec, through one ``git cat-file --batch`` process."""
    if not specs:
        return {}
    repo = _repo(repo_path)
    process = subprocess.run(
        ["git", "-C", repo.working_dir, "cat-file", "--batch"],
        input="".join(f"{s}\n" for s in specs).encode(),
        capture_output=True,
        check=False,
    )
    data = process.stdout
    result: dict[str, str] = {}
    pos = 0
    for spec in specs:
        end = data.index(b"\n", pos)
        header = data[pos:end].decode(errors="replace").split()
        pos = end + 1
        if len(header) < 3 or header[1] != "blob":
            continue
        size = int(header[2])
        result[spec] = data[pos : pos + size].decode("utf-8", errors="replace")
        pos += size + 1
    return result


def nearest_release_containing(repo_path: Path, sha: str, positions: dict[str, int]) -> str | None:
    """The oldest release tag (by version position) whose history contains ``sha``."""
    try:
        out = str(_git(repo_path, "tag", f"--contains={sha}"))
    except GitError:
        return None
    tags = [t for t in out.splitlines() if t in positions]
    return min(tags, key=positions.__getitem__) if tags else None
