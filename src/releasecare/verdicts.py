"""Whether a commit subject reaches customers, remembered.

Deciding it runs the voice lint over every word (about 0.12 ms a subject), and every
``impact`` asks about each visible commit subject of the deploy (163 for a numpy
minor release: 20 ms, a quarter of the command). A verdict is a function of the
subject, the voice options, the day (a date in a note is ahead or past) and the
code that judges it, so it is kept: per process, and on disk in the user's cache
folder (``$RELEASECARE_CACHE_DIR``, else ``$XDG_CACHE_HOME/releasecare``, else
``~/.cache/releasecare``; an empty ``RELEASECARE_CACHE_DIR`` keeps nothing on
disk), in one file for one fingerprint of everything but the subject: the
options, today's date (UTC), releasecare's version and the size and time of each
source file of ``voice`` and ``voicelint``. A file with any other fingerprint is
ignored, and replaced when new verdicts are saved (at exit).

Authors' names are left out (they change with every range of commits): the caller
looks for them afresh (``voice.subject_text``), and the judge sees options without
them.

Only verdicts are stored, never text: the sentence a customer reads is always made
afresh from the commit. Nothing fails because of the cache: a file that cannot be
read or written is as if there were none.
"""

from __future__ import annotations

import atexit
import json
import os
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from releasecare import __version__, voicelint
from releasecare.voicelint import VoiceOptions

FILE = "voice-verdicts.json"


@dataclass
class _Remembered:
    """The verdicts of one fingerprint: as loaded, and those found since."""

    folder: Path | None
    fingerprint: str
    known: dict[str, bool] = field(default_factory=dict)
    new: dict[str, bool] = field(default_factory=dict)


_remembered: dict[tuple[VoiceOptions, date], _Remembered] = {}
# The options last asked with (the caller's object), that day, without names, and
# their memory.
_last: dict[str, tuple[VoiceOptions, date, VoiceOptions, _Remembered]] = {}


# How a verdict is reached afresh: (trimmed subject, options without names, now).
Judge = Callable[[str, VoiceOptions, datetime], bool]


def remembered(text: str, options: VoiceOptions, judge: Judge) -> bool:
    """``judge(text, options, now)``, remembered (``options`` without authors' names;
    voice's judge is the only one)."""
    now = datetime.now(UTC)
    day = now.date()
    last = _last.get("options")
    if last is not None and last[0] is options and last[1] == day:
        # A deploy asks with one options object for every subject: no copy, no hash.
        _, _, options, memory = last
    else:
        asked = options
        if options.author_names:
            options = replace(options, author_names=())
        memory = _memory(options, day)
        _last["options"] = (asked, day, options, memory)
    verdict = memory.known.get(text)
    if verdict is None:
        verdict = judge(text, options, now)
        memory.known[text] = memory.new[text] = verdict
    return verdict


def forget() -> None:
    """Forget what this process remembers (the files stay): for tests."""
    _remembered.clear()
    _last.clear()


def cache_folder() -> Path | None:
    """Where verdicts are kept on disk; None: nowhere."""
    named = os.environ.get("RELEASECARE_CACHE_DIR")
    if named is not None:
        return Path(named) if named else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "releasecare"


def _memory(options: VoiceOptions, day: date) -> _Remembered:
    memory = _remembered.get((options, day))
    if memory is None:
        if not _remembered:
            atexit.register(save)
        code = _code()
        folder = cache_folder() if code else None
        fingerprint = f"{__version__}\n{code}\n{day.isoformat()}\n{options!r}"
        memory = _remembered[options, day] = _Remembered(folder, fingerprint)
        memory.known.update(_load(folder, fingerprint))
    return memory


def _load(folder: Path | None, fingerprint: str) -> dict[str, bool]:
    if folder is None:
        return {}
    try:
        data = json.loads((folder / FILE).read_text(encoding="utf-8"))
        if data.get("fingerprint") != fingerprint:
            return {}
        return {k: v for k, v in data["verdicts"].items() if isinstance(v, bool)}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def save() -> None:
    """Write what was found since loading (with what another process wrote meanwhile)."""
    for memory in _remembered.values():
        if not memory.new or memory.folder is None:
            continue
        verdicts = {**_load(memory.folder, memory.fingerprint), **memory.known}
        path = memory.folder / FILE
        temporary = path.with_name(f".{FILE}.{os.getpid()}")
        try:
            memory.folder.mkdir(parents=True, exist_ok=True)
            document = {"fingerprint": memory.fingerprint, "verdicts": verdicts}
            temporary.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, path)
        except OSError:
            with suppress(OSError):
                temporary.unlink(missing_ok=True)
            continue
        memory.new.clear()


@cache
def _code() -> str:
    """The size and time of each source file of ``voice`` and ``voicelint``: a changed
    rule or word list is a new judge ("" when they cannot be read: nothing is kept
    on disk then)."""
    lint = Path(voicelint.__file__).parent
    try:
        stamps = [
            f"{source.name}:{stat.st_size}:{stat.st_mtime_ns}"
            for source in [lint.parent / "voice.py", *sorted(lint.glob("*.py"))]
            for stat in [source.stat()]
        ]
    except OSError:
        return ""
    return " ".join(stamps)
