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
from releasecare.crashpoints import crash_point
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
    force: bool = False,
    warn: Callable[[str], object] = lambda message: None,
) -> ImportResult:
    """Upsert every customer of ``source``; nothing is stored unless every row is valid.

    ``warn`` hears each warning as it is found, and what ``prune`` will remove. A prune
    that would remove every stored customer (or more than ``[customers] prune_limit``
    of them) is refused unless ``force``: one empty CRM answer must not stop every
    notice.
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
        total = store.count(session)
        limit = config.prune_limit
        too_many = missing == total if limit is None else missing > limit * total
        if missing and too_many and not force:
            raise InputError(
                f"--prune would remove {missing} of the {total} stored customers "
                f"({shown} lists {len(records)}); nothing was changed",
                hint="check the source; if this is meant, add --force",
            )
        if missing:
            warn(f"--prune: removing {missing} customer(s) not in {shown}")
    stored = store.upsert(session, records, prune=prune)
    crash_point("customers:after-upsert")
    return ImportResult(read=len(records), stored=stored, warnings=tuple(warnings))
