"""The impact rule on plain domain objects (no database, no git): which changes reach
a customer, which freeze windows a deploy falls into, and which releases a deploy spans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from releasecare.domain import Change, Customer, FreezeWindow
from releasecare.impact import customer_impact

MOMENT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

CHECKOUT = Change(sha="c1", summary="Pay by card", components=("checkout",))
INVOICES = Change(sha="i1", summary="PDF invoices", components=("invoices",))
SEARCH = Change(sha="s1", summary="Faster search", components=("search",))
BOTH = Change(sha="b1", summary="Invoice at checkout", components=("checkout", "invoices"))
DOCS = Change(sha="d1", summary="Explain setup")  # touches no component
CHANGES = (CHECKOUT, INVOICES, SEARCH, BOTH, DOCS)


def customer(*freeze: FreezeWindow, components: tuple[str, ...] = ("*",)) -> Customer:
    return Customer(id="acme", name="Acme GmbH", components=components, freeze=freeze)


# --- which changes -----------------------------------------------------------------


def test_only_changes_touching_a_used_component() -> None:
    impact = customer_impact(customer(), ["checkout"], CHANGES, MOMENT)
    assert impact.changes == (CHECKOUT, BOTH)
    assert impact.components == ("checkout",)
    assert impact.customer == customer()


def test_several_components_keep_the_changes_order_without_duplicates() -> None:
    impact = customer_impact(customer(), ["search", "invoices", "checkout"], CHANGES, MOMENT)
    assert impact.changes == (CHECKOUT, INVOICES, SEARCH, BOTH)
    assert impact.components == ("checkout", "invoices", "search")  # sorted, once each


def test_used_components_decide_not_the_customer_record() -> None:
    """``used`` is what the store resolved for this customer; it is taken as given."""
    impact = customer_impact(customer(components=("checkout",)), ["search"], CHANGES, MOMENT)
    assert impact.changes == (SEARCH,)


def test_no_used_component_no_changes() -> None:
    impact = customer_impact(customer(), [], CHANGES, MOMENT)
    assert impact.changes == ()
    assert impact.components == ()


def test_unmapped_changes_only_when_asked() -> None:
    assert DOCS not in customer_impact(customer(), ["search"], CHANGES, MOMENT).changes
    impact = customer_impact(customer(), ["search"], CHANGES, MOMENT, include_unmapped=True)
    assert impact.changes == (SEARCH, DOCS)


def test_unmapped_changes_reach_a_customer_using_nothing_touched() -> None:
    """How `--unmapped everyone` reaches customers whose components were not touched."""
    impact = customer_impact(customer(), [], CHANGES, MOMENT, include_unmapped=True)
    assert impact.changes == (DOCS,)


# --- freeze windows ----------------------------------------------------------------


def window(start: datetime, end: datetime, reason: str) -> FreezeWindow:
    return FreezeWindow(start=start, end=end, reason=reason)


def test_freeze_windows_containing_the_moment_are_reported() -> None:
    around = window(MOMENT - timedelta(days=1), MOMENT + timedelta(days=3), "Black Friday")
    earlier = window(MOMENT - timedelta(days=30), MOMENT - timedelta(days=20), "Audit")
    later = window(MOMENT + timedelta(days=20), MOMENT + timedelta(days=30), "Year end")
    also = window(MOMENT - timedelta(hours=1), MOMENT + timedelta(hours=1), "Migration")
    impact = customer_impact(customer(earlier, around, later, also), ["checkout"], CHANGES, MOMENT)
    assert impact.freeze_conflicts == (around, also)


def test_freeze_conflict_is_reported_even_without_changes() -> None:
    around = window(MOMENT - timedelta(days=1), MOMENT + timedelta(days=1), "Black Friday")
    impact = customer_impact(customer(around), [], CHANGES, MOMENT)
    assert impact.changes == ()
    assert impact.freeze_conflicts == (around,)


def test_freeze_window_is_inclusive_at_start_exclusive_at_end() -> None:
    """FreezeWindow.contains: ``start <= moment < end``, like a calendar entry."""
    starts_now = window(MOMENT, MOMENT + timedelta(days=1), "starts now")
    ends_now = window(MOMENT - timedelta(days=1), MOMENT, "ends now")
    impact = customer_impact(customer(starts_now, ends_now), ["checkout"], CHANGES, MOMENT)
    assert impact.freeze_conflicts == (starts_now,)
    # One microsecond earlier the second window still holds, the first not yet.
    just_before = MOMENT - timedelta(microseconds=1)
    impact = customer_impact(customer(starts_now, ends_now), ["checkout"], CHANGES, just_before)
    assert impact.freeze_conflicts == (ends_now,)


def test_freeze_window_compares_instants_across_time_zones() -> None:
    berlin = timezone(timedelta(hours=1))
    # Ends at 13:00 in Berlin, which is MOMENT (12:00 UTC): not a conflict.
    ends_now = window(datetime(2026, 11, 26, 0, 0, tzinfo=berlin), MOMENT.astimezone(berlin), "x")
    # Ends at 13:00:01 in Berlin: a conflict.
    ends_after = window(ends_now.start, ends_now.end + timedelta(seconds=1), "y")
    impact = customer_impact(customer(ends_now, ends_after), ["checkout"], CHANGES, MOMENT)
    assert impact.freeze_conflicts == (ends_after,)


def test_only_customer_facing_changes_make_a_customer_affected() -> None:
    facing = {"c1", "s1"}.__contains__  # CHECKOUT and SEARCH would appear in a notice
    impact = customer_impact(customer(), ["checkout", "invoices"], CHANGES, MOMENT, facing=facing)
    assert impact.changes == (CHECKOUT,)
    internal_only = customer_impact(customer(), ["invoices"], CHANGES, MOMENT, facing=facing)
    assert internal_only.changes == ()  # INVOICES and BOTH are internal: not affected
