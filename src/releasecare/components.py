"""Map repository paths to components with .gitignore semantics, and check coverage.

Patterns are compiled once per component (``pathspec``'s gitwildmatch, negation
included); a file may belong to several components.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from releasecare.domain import Component, FileChange
from releasecare.pathpatterns import pattern_problem
from releasecare.scaffold import component_key, component_name, find_codeowners

# CODEOWNERS lines that cover every file: a default owner, never a component.
CATCH_ALL_PATTERNS = frozenset({"*", "/", "/*", "**", "**/*", "/**", "/**/*"})
SHOWN_FOLDERS = 30  # uncovered folders listed in text; --json has them all
_GLOB = re.compile(r"[*?\[\\]")


def literal_prefix(pattern: str) -> str | None:
    """The folder every match of a gitignore ``pattern`` lies in, or None for "anywhere".

    A pattern with no slash but a trailing one matches at any depth; otherwise it is
    anchored at the root, and the part before its first wildcard names a folder.
    """
    body = pattern.removeprefix("!").strip()
    if "/" not in body.rstrip("/"):
        return None
    body = body.lstrip("/")
    glob = _GLOB.search(body)
    literal = body if glob is None else body[: glob.start()]
    if glob is None:
        return literal.rstrip("/")
    return literal.rsplit("/", 1)[0] if "/" in literal else None


def _plain_folder(pattern: str) -> bool:
    """A pattern like "services/checkout/": anchored, a folder, no wildcard, no negation."""
    body = pattern.strip()
    if body.startswith("!") or not body.endswith("/") or _GLOB.search(body):
        return False
    inner = body.strip("/")
    # Anchored when it starts with "/" or has a slash inside; else it matches at any depth.
    return bool(inner) and (body.startswith("/") or "/" in inner)


class ComponentMatcher:
    """Which components a path belongs to.

    Each component's patterns are compiled once into a ``GitIgnoreSpec`` (negation
    and last-match-wins as in .gitignore). An index from literal folder prefixes to
    components means a path is tried only against the few components that can
    match it, so thousands of patterns cost little per path.
    """

    def __init__(self, components: Mapping[str, Component], ignore: Sequence[str] = ()) -> None:
        import pathspec

        self.components = dict(components)
        # ``[mapping] ignore``: files that belong to no component on purpose (docs,
        # tests, CI setup); ``components --check`` does not count them as uncovered.
        self._ignore = pathspec.GitIgnoreSpec.from_lines(ignore) if ignore else None
        self._specs = {
            key: pathspec.GitIgnoreSpec.from_lines(component.paths)
            for key, component in components.items()
        }
        self._by_prefix: dict[str, set[str]] = {}
        self._anywhere: set[str] = set()
        for key, component in components.items():
            for pattern in component.paths:
                if pattern.startswith("!"):
                    continue  # a negation only takes away what an include matched
                prefix = literal_prefix(pattern)
                if prefix is None:
                    self._anywhere.add(key)
                else:
                    self._by_prefix.setdefault(prefix, set()).add(key)
        # Components made only of plain anchored folders ("services/checkout/") need no
        # pattern matching: being under one of the folders is the whole test.
        self._folders: dict[str, tuple[str, ...]] = {}
        for key, component in components.items():
            if all(_plain_folder(p) for p in component.paths):
                self._folders[key] = tuple(p.strip("/") + "/" for p in component.paths)
        self._cache: dict[str, tuple[str, ...]] = {}

    def _matches(self, key: str, path: str) -> bool:
        folders = self._folders.get(key)
        if folders is not None:
            return path.startswith(folders)
        return bool(self._specs[key].match_file(path))

    def ignored(self, path: str) -> bool:
        """Whether ``path`` is one of ``[mapping] ignore``'s files."""
        return self._ignore is not None and bool(self._ignore.match_file(path))

    def candidates(self, path: str) -> set[str]:
        found = set(self._anywhere)
        index = self._by_prefix
        position = path.find("/")
        while position != -1:
            keys = index.get(path[:position])
            if keys:
                found |= keys
            position = path.find("/", position + 1)
        keys = index.get(path)
        if keys:
            found |= keys
        return found

    def match(self, path: str) -> tuple[str, ...]:
        found = self._cache.get(path)
        if found is None:
            found = tuple(sorted(key for key in self.candidates(path) if self._matches(key, path)))
            self._cache[path] = found
        return found

    def for_files(self, files: Iterable[FileChange]) -> tuple[str, ...]:
        """Sorted keys of the components any of ``files`` (old and new paths) belong to."""
        cache = self._cache  # this runs for every file of every commit a scan reads
        keys: set[str] = set()
        for f in files:
            found = cache.get(f.path)
            keys.update(self.match(f.path) if found is None else found)
            if f.old_path is not None:
                keys.update(self.match(f.old_path))
        return tuple(sorted(keys)) if keys else ()


@dataclass
class CoverageReport:
    files: int = 0
    files_per_component: dict[str, int] = field(default_factory=dict)
    uncovered: list[str] = field(default_factory=list)
    ignored: int = 0  # files in no component that [mapping] ignore names
    dead_patterns: list[tuple[str, str]] = field(default_factory=list)  # (component, pattern)
    overlaps: dict[tuple[str, ...], int] = field(default_factory=dict)

    def uncovered_by_folder(self) -> list[tuple[str, int]]:
        counts = Counter(p.rsplit("/", 1)[0] + "/" if "/" in p else "./" for p in self.uncovered)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "files_per_component": dict(self.files_per_component),
            "uncovered_count": len(self.uncovered),
            "ignored_count": self.ignored,
            "uncovered": [
                {"folder": folder, "files": n} for folder, n in self.uncovered_by_folder()
            ],
            "dead_patterns": [{"component": c, "pattern": p} for c, p in self.dead_patterns],
            "overlaps": [
                {"components": list(keys), "files": n} for keys, n in sorted(self.overlaps.items())
            ],
        }

    def describe(self) -> str:
        lines = [f"{self.files} files, {len(self.uncovered)} in no component"]
        if self.ignored:
            lines[0] += f" ({self.ignored} more ignored by [mapping] ignore)"
        folders = self.uncovered_by_folder()
        for folder, n in folders[:SHOWN_FOLDERS]:
            lines.append(f"  uncovered  {folder:<40} {n:>6} file{'' if n == 1 else 's'}")
        if len(folders) > SHOWN_FOLDERS:
            lines.append(
                f"  ... and {len(folders) - SHOWN_FOLDERS} more folders "
                "(`releasecare components --check --json` lists them all)"
            )
        for component, pattern in self.dead_patterns:
            lines.append(f"  no match   [{component}] {pattern}")
        for keys, n in sorted(self.overlaps.items()):
            lines.append(f"  overlap    {' + '.join(keys):<40} {n:>6} file{'' if n == 1 else 's'}")
        return "\n".join(lines)


def check_coverage(matcher: ComponentMatcher, paths: Iterable[str]) -> CoverageReport:
    """Files no component covers, patterns that match nothing, overlapping components."""
    import pathspec

    report = CoverageReport()
    per_component: Counter[str] = Counter()
    overlaps: Counter[tuple[str, ...]] = Counter()
    # Each include pattern on its own, to tell which ones ever match.
    singles = {
        key: [
            (pattern, pathspec.GitIgnoreSpec.from_lines([pattern]))
            for pattern in component.paths
            if not pattern.startswith("!")
        ]
        for key, component in matcher.components.items()
    }
    used: set[tuple[str, str]] = set()
    count = 0
    for path in paths:
        count += 1
        keys = matcher.match(path)
        per_component.update(keys)
        if not keys:
            if matcher.ignored(path):
                report.ignored += 1
            else:
                report.uncovered.append(path)
        elif len(keys) > 1:
            overlaps[keys] += 1
        for key in matcher.candidates(path):
            for pattern, spec in singles[key]:
                if (key, pattern) not in used and spec.match_file(path):
                    used.add((key, pattern))
    report.files = count
    report.files_per_component = {
        key: per_component.get(key, 0) for key in sorted(matcher.components)
    }
    report.overlaps = dict(overlaps)
    report.dead_patterns = [
        (key, pattern)
        for key in sorted(singles)
        for pattern, _ in singles[key]
        if (key, pattern) not in used
    ]
    return report


def components_from_codeowners(text: str) -> dict[str, Component]:
    """Propose components from CODEOWNERS: one per (first) owner, with their patterns.

    Patterns are kept as CODEOWNERS means them (``/docs/`` the top-level folder,
    ``docs/`` any docs folder); catch-all lines (``*``, ``/``, ``**``) are skipped,
    since a component that covers every file tells no customer anything.

    On GitHub the last matching line wins, so when a later line hands a folder inside
    an earlier owner's pattern to someone else, the earlier owner's component gets a
    negation for it: each file is proposed for the owner GitHub would pick.
    """
    rules: list[tuple[str, str]] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        pattern, *owners = line.split()
        if owners and pattern not in CATCH_ALL_PATTERNS and pattern_problem(pattern) is None:
            rules.append((pattern, owners[0].lstrip("@").split("/")[-1]))
    by_owner: dict[str, list[str]] = {}
    for index, (pattern, owner) in enumerate(rules):
        patterns = by_owner.setdefault(owner, [])
        patterns.append(pattern)
        prefix = literal_prefix(pattern)
        for later, later_owner in rules[index + 1 :]:
            later_prefix = literal_prefix(later)
            if (
                later_owner != owner
                and prefix is not None
                and later_prefix is not None
                and later_prefix.startswith(prefix + "/")
            ):
                patterns.append("!" + later)
    return {
        component_key(owner): Component(
            key=component_key(owner),
            name=component_name(owner),
            paths=tuple(patterns),
        )
        for owner, patterns in by_owner.items()
    }


def project_matcher(
    components: Mapping[str, Component],
    repo: Path,
    *,
    import_codeowners: bool = False,
    ignore: Sequence[str] = (),
) -> ComponentMatcher:
    """The matcher every command uses: the configured components, CODEOWNERS'
    proposals when asked, and the ignored files."""
    return ComponentMatcher(project_components(components, repo, import_codeowners), ignore)


def project_components(
    components: Mapping[str, Component], repo: Path, import_codeowners: bool
) -> dict[str, Component]:
    """The configured components, plus CODEOWNERS' proposals when the config asks.

    A component the config defines always wins over a proposal with the same key.
    """
    merged = dict(components)
    if import_codeowners:
        found = find_codeowners(repo)
        if found is not None:
            text = found.read_text(encoding="utf-8", errors="replace")
            for key, component in components_from_codeowners(text).items():
                merged.setdefault(key, component)
    return merged
