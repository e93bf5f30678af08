"""Command-line interface (work in progress)."""


def main() -> None:
    raise SystemExit(0)
