"""Map repository paths to components with .gitignore semantics, and check coverage.

Patterns are compiled once per component (``pathspec``'s gitwildmatch, negation
included); a file may belong to several components.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from releasecare.domain import Component, FileChange


class ComponentMatcher:
    """Which components a path belongs to."""

    def __init__(self, components: Mapping[str, Component]) -> None:
        import pathspec

        self.components = dict(components)
        self._specs = [
            (key, pathspec.GitIgnoreSpec.from_lines(component.paths))
            for key, component in sorted(components.items())
        ]
        self._cache: dict[str, tuple[str, ...]] = {}

    def match(self, path: str) -> tuple[str, ...]:
        found = self._cache.get(path)
        if found is None:
            found = tuple(key for key, spec in self._specs if spec.match_file(path))
            self._cache[path] = found
        return found

    def for_files(self, files: Iterable[FileChange]) -> tuple[str, ...]:
        """Sorted keys of the components any of ``files`` (old and new paths) belong to."""
        keys: set[str] = set()
        for f in files:
            for path in f.paths:
                keys.update(self.match(path))
        return tuple(sorted(keys))


@dataclass
class CoverageReport:
    files: int = 0
    files_per_component: dict[str, int] = field(default_factory=dict)
    uncovered: list[str] = field(default_factory=list)
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
        for folder, n in self.uncovered_by_folder()[:30]:
            lines.append(f"  uncovered  {folder:<40} {n:>6} file{'' if n == 1 else 's'}")
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
    all_paths = list(paths)
    for path in all_paths:
        keys = matcher.match(path)
        per_component.update(keys)
        if not keys:
            report.uncovered.append(path)
        elif len(keys) > 1:
            overlaps[keys] += 1
    report.files = len(all_paths)
    report.files_per_component = {
        key: per_component.get(key, 0) for key in sorted(matcher.components)
    }
    report.overlaps = dict(overlaps)
    for key, component in sorted(matcher.components.items()):
        for pattern in component.paths:
            if pattern.startswith("!"):
                continue
            spec = pathspec.GitIgnoreSpec.from_lines([pattern])
            if not any(True for _ in spec.match_files(all_paths)):
                report.dead_patterns.append((key, pattern))
    return report


def components_from_codeowners(text: str) -> dict[str, Component]:
    """Propose components from CODEOWNERS: one per owner, with the patterns they own.

    Later lines win over earlier ones, as on GitHub, so a pattern whose files a
    later line takes over entirely is still listed: the proposal is a starting point.
    """
    from releasecare.scaffold import component_key

    by_owner: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        pattern, *owners = line.split()
        if not owners:
            continue
        owner = owners[0].lstrip("@").split("/")[-1]
        by_owner.setdefault(owner, []).append(pattern.lstrip("/") or pattern)
    return {
        component_key(owner): Component(
            key=component_key(owner),
            name=owner.replace("-", " ").capitalize(),
            paths=tuple(patterns),
        )
        for owner, patterns in by_owner.items()
    }
