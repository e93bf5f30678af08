"""Allow ``python -m releasecare``."""

from releasecare.cli import main

main()
