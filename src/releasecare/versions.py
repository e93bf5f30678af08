"""Release tags in version order.

The order is numeric per dotted part, whatever prefix the tag has (``v1.10.0``
after ``v1.9.0``, ``release-2`` after ``release-1.9``; missing parts count as 0).
A pre-release (PEP 440 and semver spellings: ``dev`` < ``a``/``alpha`` <
``b``/``beta`` < ``rc``/``c``/``pre``/``preview``, then their number) sorts
before its release. Tags that are no version at all sort first, by name, and
ties break on the tag's name, so the order is total and deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_VERSION = re.compile(
    r"^[^\d]*?(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<pre>a|alpha|b|beta|rc|c|pre|preview|dev)[-_.]?(?P<pre_n>\d*))?"
    r"(?:[-+.](?P<rest>.*))?$",
    re.IGNORECASE,
)
_PRE_ORDER = {
    "dev": 0,
    "a": 1,
    "alpha": 1,
    "b": 2,
    "beta": 2,
    "pre": 3,
    "preview": 3,
    "c": 3,
    "rc": 3,
}


_IS_VERSION = re.compile(r"^[^\d]*\d+\.\d+")
_WILDCARD_PART = re.compile(r"\.(?:x|X|\*)(?:\.|$)")


def is_version(tag: str) -> bool:
    """Whether ``tag`` reads as a version: numbers with a dot (``v1.2``, ``2024.05.1``,
    ``v0.2.1-patch``), not ``v0``, ``v3-demo-concise``, ``latest``, nor a maintenance
    line such as ``2.2.x``."""
    return _IS_VERSION.match(tag) is not None and not _WILDCARD_PART.search(tag)


def version_key(tag: str) -> tuple[Any, ...]:
    """Sort key ordering tags as versions: v1.10 after v1.9, v2.0.0-rc.1 before v2.0.0.

    Tags that are no version at all sort first, by name.
    """
    match = _VERSION.match(tag)
    if not match:
        return (0, (), 0, 0, tag)
    release = tuple(int(p) for p in match["release"].split("."))
    release = release + (0,) * (6 - len(release)) if len(release) < 6 else release
    pre = match["pre"]
    if pre is None:
        return (1, release, 1, 0, tag)
    return (1, release, 0, (_PRE_ORDER[pre.lower()], int(match["pre_n"] or 0)), tag)


def sort_versions(tags: Iterable[str]) -> list[str]:
    """``tags`` oldest version first (see the module docstring for the order)."""
    return sorted(tags, key=version_key)


def in_order(positions: Mapping[str, int]) -> list[str]:
    """The tags of stored release positions (tag -> position), oldest first."""
    return sorted(positions, key=positions.__getitem__)
