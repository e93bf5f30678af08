"""Remembered verdicts (does a commit subject reach customers?) never disagree with
the subject judged afresh: cold, warm in the process, warm from the file another
process left, with authors' names that change per range, and with a file that is
stale, foreign, broken or out of reach."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releasecare import verdicts
from releasecare.voice import VoiceOptions, subject_note, subject_text

CORPUS = Path(__file__).parent / "data" / "voice_corpus" / "corpus.jsonl"
NOTES = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines()]
SUBJECTS = [
    "feat(checkout): pay by card",
    "fix: Maria Lopez fixed the totals",
    "fix: maria can now log in",
    "fix(search): results no longer vanish (SRCH-12)",
    "feat: available on December 31",
    "chore: bump foo from 1.2 to 1.3",
    "feat(api): add `getUser()` endpoint",
    "feat: see services/api/main.py",
    "(#12)",
    "",
    "   ",
]
# Authors whose names stand in some subjects (a name holds a subject back).
AUTHORS = ("Maria Lopez", "Maria", "Windows", "Jo", "Mattermost")


def fresh(subject: str, options: VoiceOptions) -> str | None:
    return subject_note(subject, options).text


@pytest.mark.parametrize(
    "options",
    [VoiceOptions(), VoiceOptions(author_names=AUTHORS), VoiceOptions(jargon=("modal",))],
    ids=["defaults", "authors", "jargon"],
)
def test_a_remembered_verdict_equals_a_fresh_one(options: VoiceOptions) -> None:
    subjects = [*NOTES, *SUBJECTS, *(f"feat(x): {n}" for n in NOTES[:50])]
    verdicts.forget()
    cold = [subject_text(s, options) for s in subjects]
    warm = [subject_text(s, options) for s in subjects]
    verdicts.save()
    verdicts.forget()  # as a new process: from the file alone
    from_file = [subject_text(s, options) for s in subjects]
    expected = [fresh(s, options) for s in subjects]
    assert cold == warm == from_file == expected
    assert None in expected and any(expected)


def test_authors_names_are_checked_afresh_for_every_range() -> None:
    """The file is shared by every range; a name only one range's authors have holds a
    subject back in that range alone."""
    subject = "feat: Maria Lopez can now export reports"
    verdicts.forget()
    assert subject_text(subject, VoiceOptions()) == "Maria Lopez can now export reports."
    for names in [("Maria Lopez",), ("Someone Else",), ("Maria",), ()]:
        options = VoiceOptions(author_names=names)
        assert subject_text(subject, options) == fresh(subject, options)
    assert subject_text(subject, VoiceOptions(author_names=("Maria Lopez",))) is None


def test_a_file_of_another_fingerprint_or_broken_is_ignored() -> None:
    folder = Path(os.environ["RELEASECARE_CACHE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    bad = "fix: we fixed a NullPointerException in the InvoiceMapper"
    trimmed = "we fixed a NullPointerException in the InvoiceMapper"
    assert fresh(bad, VoiceOptions()) is None
    # A file made by other options (or another version, or another day) says yes.
    (folder / verdicts.FILE).write_text(
        json.dumps({"fingerprint": "another", "verdicts": {trimmed: True}}), encoding="utf-8"
    )
    verdicts.forget()
    assert subject_text(bad, VoiceOptions()) is None
    for broken in ("{", "[]", '{"fingerprint": 1}', "\x00\x01"):
        (folder / verdicts.FILE).write_text(broken, encoding="utf-8")
        verdicts.forget()
        assert subject_text(bad, VoiceOptions()) is None
        verdicts.save()  # replaced by a good file
    saved = json.loads((folder / verdicts.FILE).read_text(encoding="utf-8"))
    assert saved["verdicts"] == {trimmed: False}


def test_nothing_fails_when_the_folder_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("RELEASECARE_CACHE_DIR", str(blocker / "cache"))
    verdicts.forget()
    assert subject_text("feat: you can now pay by card", VoiceOptions()) is not None
    verdicts.save()
    monkeypatch.setenv("RELEASECARE_CACHE_DIR", "")  # nothing on disk at all
    verdicts.forget()
    assert subject_text("feat: you can now pay by card", VoiceOptions()) is not None
    verdicts.save()
    assert blocker.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # verdicts know no database
def test_impact_gives_the_same_with_and_without_remembered_verdicts(
    tmp_path: Path, project: object
) -> None:
    """Through the CLI in child processes: the first run leaves the file, the second
    reads it, a run with nothing on disk judges afresh; all print the same."""
    from tests.helpers import Runner

    assert isinstance(project, Runner)
    project.ok("release", "scan")
    project.ok("customers", "import", str(tmp_path / "customers.json"))
    deploy = project.deploy("v1.2.0", "2026-11-02T10:00:00Z")
    folder = Path(os.environ["RELEASECARE_CACHE_DIR"])

    args = ["--db", project.db_url, "impact", str(deploy), "--json"]

    def impact(cache: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "releasecare", *args],
            cwd=project.cwd,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "RELEASECARE_CACHE_DIR": cache},
        )
        return done.stdout

    first = impact(str(folder))
    remembered = json.loads((folder / verdicts.FILE).read_text(encoding="utf-8"))["verdicts"]
    assert remembered  # the visible subjects were judged and kept
    assert impact(str(folder)) == first == impact("")


def test_names_a_person_is_the_lints_own_test() -> None:
    """The cheap test (only names that stand in the text are tried) finds a name exactly
    when the lint's one pattern of all names does."""
    from releasecare.voicelint.names import names_a_person, names_pattern

    names = (
        "Jo",
        "Jo Smith",
        "Windows",
        "O'Brien (bot)",
        "Zoë",
        "dependabot[bot]",
        "Mattermost",
        "",
        "(bot) Jo",
        "-x-",
        "Łukasz",
    )
    texts = [
        *NOTES,
        "Jo Smiths can now log in.",
        "Thanks to O'Brien (bot).",
        "Zoës report is faster.",
        "JoJo works.",
        "Thanks (bot) Jo.",
        "Fix -x- and Jo_Smith.",
        "Łukasz's export, Jo-Smith, Windows10.",
    ]
    for text in texts:
        for chosen in (names, names[:2], names[3:], ()):
            pattern = names_pattern(chosen)
            expected = pattern is not None and pattern.search(text) is not None
            assert names_a_person(text, chosen) == expected, (text, chosen)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.text(st.sampled_from("Jo ʼ'(-_)ł9Ł"), max_size=6), max_size=5),
    st.text(st.sampled_from("Jo ʼ'(-_)ł9Ł."), max_size=20),
)
def test_names_a_person_agrees_with_one_pattern_of_all_names(names: list[str], text: str) -> None:
    from releasecare.voicelint.names import names_a_person, names_pattern

    chosen = tuple(names)
    pattern = names_pattern(chosen)
    expected = pattern is not None and pattern.search(text) is not None
    assert names_a_person(text, chosen) == expected
