"""The voice lint measured on a labelled corpus of real notes (tests/data/voice_corpus).

Runs ``lint_note`` with the default options on every note and prints, per split
(``tune``, ``holdout``) and overall: recall on the bad notes (a note labelled with a
rule is caught when the lint finds any rule; per rule, also when it finds exactly
the labelled rule) and the false-positive rate on the ``none`` notes (any finding).
The target (issue 16) is on the held-out part: recall >= 0.90, false positives <= 0.05.

    .venv/bin/python benchmarks/bench_voice.py [--quick] [--split tune]
    .venv/bin/python benchmarks/bench_voice.py --show-misses tune

Tune rules on ``tune`` only: ``--split tune`` prints nothing of the held-out part,
and ``--show-misses`` lists texts of the tune split alone.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from releasecare.voice import VoiceOptions, lint_note

CORPUS = Path(__file__).parents[1] / "tests" / "data" / "voice_corpus" / "corpus.jsonl"
# A fixed "today", so that dates in the corpus are ahead or past the same way every run.
TODAY = datetime(2026, 12, 1, tzinfo=UTC)
SPLITS = ("tune", "holdout")
TARGET_RECALL = 0.90
TARGET_FALSE_POSITIVES = 0.05


@dataclass(frozen=True)
class Result:
    text: str
    label: str
    source: str
    split: str
    rules: tuple[str, ...]

    @property
    def bad(self) -> bool:
        return self.label != "none"

    @property
    def caught(self) -> bool:
        return bool(self.rules)


def load(path: Path = CORPUS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def run(rows: list[dict[str, str]], options: VoiceOptions) -> list[Result]:
    results = []
    for row in rows:
        found = lint_note(row["text"], "corpus", options, today=TODAY)
        rules = tuple(dict.fromkeys(f.rule for f in found))
        results.append(Result(row["text"], row["label"], row["source"], row["split"], rules))
    return results


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f} ({part}/{whole})" if whole else "n/a (0/0)"


def recall(results: list[Result]) -> tuple[int, int]:
    bad = [r for r in results if r.bad]
    return sum(r.caught for r in bad), len(bad)


def false_positives(results: list[Result]) -> tuple[int, int]:
    good = [r for r in results if not r.bad]
    return sum(r.caught for r in good), len(good)


def report(name: str, results: list[Result]) -> None:
    print(f"== {name}: {len(results)} notes")
    print(f"recall on bad notes (any rule): {ratio(*recall(results))}")
    print(f"false positives on good notes: {ratio(*false_positives(results))}")
    labels = sorted({r.label for r in results if r.bad})
    print(f"  {'label':<22} {'any rule':>16} {'same rule':>16}")
    for label in labels:
        of_label = [r for r in results if r.label == label]
        any_rule = sum(r.caught for r in of_label)
        same = sum(label in r.rules for r in of_label)
        print(
            f"  {label:<22} {ratio(any_rule, len(of_label)):>16} {ratio(same, len(of_label)):>16}"
        )
    flagged = Counter(rule for r in results if not r.bad for rule in r.rules)
    if flagged:
        told = ", ".join(f"{rule} {n}" for rule, n in flagged.most_common())
        print(f"  rules on good notes: {told}")


def target_line(results: list[Result]) -> str:
    held = [r for r in results if r.split == "holdout"]
    caught, bad = recall(held)
    wrong, good = false_positives(held)
    met = bool(bad and good) and caught / bad >= TARGET_RECALL
    met = met and wrong / good <= TARGET_FALSE_POSITIVES
    return (
        f"holdout: recall >= {TARGET_RECALL:.2f} and false positives <= "
        f"{TARGET_FALSE_POSITIVES:.2f}: {'met' if met else 'missed'}"
    )


def show_misses(results: list[Result]) -> None:
    missed = [r for r in results if r.bad and not r.caught]
    wrong = [r for r in results if not r.bad and r.caught]
    other = [r for r in results if r.bad and r.caught and r.label not in r.rules]
    print(f"-- missed bad notes ({len(missed)})")
    for r in sorted(missed, key=lambda r: r.label):
        print(f"  [{r.label}] {r.text}")
    print(f"-- false positives ({len(wrong)})")
    for r in wrong:
        print(f"  [{', '.join(r.rules)}] {r.text}")
    print(f"-- caught by another rule than the label ({len(other)})")
    for r in sorted(other, key=lambda r: r.label):
        print(f"  [{r.label} -> {', '.join(r.rules)}] {r.text}")
    print("-- per source")
    for source in sorted({r.source for r in results}):
        of_source = [r for r in results if r.source == source]
        caught, bad = recall(of_source)
        fp, good = false_positives(of_source)
        print(f"  {source[:70]:<70} caught {caught}/{bad}, false positives {fp}/{good}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every third note only")
    parser.add_argument(
        "--split", choices=SPLITS, help="report this split alone (tune: nothing held out)"
    )
    parser.add_argument(
        "--show-misses",
        choices=("tune",),
        metavar="tune",
        help="list the tune split's misses and false positives (and nothing else)",
    )
    args = parser.parse_args()
    rows = load()
    if args.quick:
        rows = rows[::3]
    results = run(rows, VoiceOptions())
    if args.show_misses:
        show_misses([r for r in results if r.split == args.show_misses])
        return
    if args.split:
        report(args.split, [r for r in results if r.split == args.split])
        return
    for split in SPLITS:
        report(split, [r for r in results if r.split == split])
    report("overall", results)
    print(target_line(results))


if __name__ == "__main__":
    main()
