"""Prices and refunds: pure functions over plain values (no database, no request).

A stay's total is every night's price (the plan's, or the rule covering that night)
plus the extra-guest price per night for each guest beyond those included. Children
count as guests from ``CHILD_COUNTS_FROM`` years old; younger ones stay free.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

CHILD_COUNTS_FROM = 6  # years: younger children share their parents' beds, free
MAX_NIGHTS_AHEAD = 500  # days: no inventory or prices are kept further out


@dataclass(frozen=True)
class Rule:
    starts_on: dt.date
    ends_on: dt.date  # last night covered
    weekdays: str  # ISO weekday digits; empty: every night
    nightly_price: int

    def covers(self, night: dt.date) -> bool:
        if not self.starts_on <= night <= self.ends_on:
            return False
        return not self.weekdays or str(night.isoweekday()) in self.weekdays


@dataclass(frozen=True)
class Plan:
    nightly_price: int
    guests_included: int
    max_guests: int
    extra_guest_price: int
    min_nights: int
    max_nights: int
    rules: Sequence[Rule] = ()


@dataclass(frozen=True)
class Policy:
    """Full refund up to ``free_days`` before the arrival day; later, keep ``late_percent``."""

    free_days: int
    late_percent: int

    def as_dict(self) -> dict[str, int]:
        return {"free_days": self.free_days, "late_percent": self.late_percent}

    @classmethod
    def from_dict(cls, values: dict[str, int]) -> Policy:
        return cls(int(values["free_days"]), int(values["late_percent"]))


def nights(arrival: dt.date, departure: dt.date) -> Iterator[dt.date]:
    night = arrival
    while night < departure:
        yield night
        night += dt.timedelta(days=1)


def counted_guests(adults: int, children_ages: Sequence[int]) -> int:
    return adults + sum(1 for age in children_ages if age >= CHILD_COUNTS_FROM)


def night_price(plan: Plan, night: dt.date) -> int:
    price = plan.nightly_price
    for rule in plan.rules:  # the last rule added wins
        if rule.covers(night):
            price = rule.nightly_price
    return price


def fits(plan: Plan, arrival: dt.date, departure: dt.date, guests: int) -> bool:
    """Does the plan sell this stay (length of stay, number of guests)?"""
    length = (departure - arrival).days
    return plan.min_nights <= length <= plan.max_nights and 1 <= guests <= plan.max_guests


def stay_total(plan: Plan, arrival: dt.date, departure: dt.date, guests: int) -> int:
    """The whole stay's price, every fee included, in the plan's minor unit."""
    extra = max(0, guests - plan.guests_included) * plan.extra_guest_price
    if not plan.rules:
        return (departure - arrival).days * (plan.nightly_price + extra)
    return sum(night_price(plan, night) + extra for night in nights(arrival, departure))


def refund_amount(policy: Policy, total: int, arrival: dt.date, today: dt.date) -> int:
    """What a guest gets back when the booking is cancelled ``today`` (local date)."""
    if (arrival - today).days >= policy.free_days:
        return total
    kept = total * policy.late_percent // 100
    return total - kept
