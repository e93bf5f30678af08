"""Whether a path pattern is one: gitignore-style, as components and CODEOWNERS write them.

The config checks every pattern when it loads (every command), so this stands
apart from ``components`` (the matcher, coverage, CODEOWNERS' proposals).
"""

from __future__ import annotations

import re

# A pattern of these characters only, with one that is not a slash or a star, is a
# valid gitignore pattern: what pathspec refuses needs a backslash, a "!", a bracket or
# a pattern that is only slashes. The config's patterns are checked on every command,
# and most are plain folders: pathspec (10 ms to import) is loaded for the rest only.
_PLAIN = re.compile(r"[\w.\-/*?]*[\w.\-?][\w.\-/*?]*")


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is no gitignore-style path pattern, or None when it is one."""
    if not pattern.strip():
        return "an empty pattern matches nothing"
    if _PLAIN.fullmatch(pattern):
        return None
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except ValueError as exc:  # GitIgnorePatternError: "!", a trailing backslash
        return str(exc)
    except re.error as exc:  # a bracket pathspec turns into a bad range: "[?-.]"
        return f"not a pattern: {exc}"
    return None
