"""``customers import``: read a customer source, check it against the config, store it.

Reading and validating is ``customers``' job (no database); this module adds the
config's view (unknown environments or components: warnings, or errors when
strict) and upserts the records in the caller's transaction, pruning on request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from releasecare.config import Config
from releasecare.customers import check_references, read_customers
from releasecare.errors import InputError
from releasecare.http import redact
from releasecare.store import customers as store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ImportResult:
    read: int
    stored: store.UpsertResult
    warnings: tuple[str, ...]


def import_customers(
    session: Session,
    config: Config,
    source: str,
    *,
    fmt: str | None = None,
    prune: bool = False,
    strict: bool = False,
    warn: Callable[[str], object] = lambda message: None,
) -> ImportResult:
    """Upsert every customer of ``source``; nothing is stored unless every row is valid.

    ``warn`` hears each warning as it is found, and what ``prune`` will remove.
    """
    records = read_customers(source, config.customer_source_options(fmt))
    warnings = check_references(records, config.environments, config.components)
    shown = redact(source)  # a URL may carry a token in its query or credentials
    if warnings and strict:
        raise InputError(
            f"{shown}: {warnings[0]}"
            + (f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else "")
        )
    for warning in warnings:
        warn(f"warning: {shown}: {warning}")
    if prune:
        missing = store.count_missing(session, (c.id for c in records))
        if missing:
            warn(f"--prune: removing {missing} customer(s) not in {shown}")
    stored = store.upsert(session, records, prune=prune)
    return ImportResult(read=len(records), stored=stored, warnings=tuple(warnings))
