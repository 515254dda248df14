"""Prices and refunds, computed by hand."""

from __future__ import annotations

import datetime as dt

from portal.booking.pricing import (
    Plan,
    Policy,
    Rule,
    counted_guests,
    fits,
    night_price,
    refund_amount,
    stay_total,
)

MONDAY = dt.date(2026, 6, 1)
FRIDAY = dt.date(2026, 6, 5)
SUMMER = Rule(dt.date(2026, 6, 1), dt.date(2026, 8, 31), "", 800_000)
WEEKEND = Rule(dt.date(2026, 1, 1), dt.date(2026, 12, 31), "56", 1_000_000)
PLAN = Plan(
    nightly_price=600_000,
    guests_included=2,
    max_guests=4,
    extra_guest_price=150_000,
    min_nights=2,
    max_nights=14,
    rules=(SUMMER, WEEKEND),
)


def test_a_night_costs_the_plan_price_unless_a_rule_covers_it():
    assert night_price(PLAN, dt.date(2026, 5, 31)) == 600_000  # a Sunday before summer
    assert night_price(PLAN, MONDAY) == 800_000  # summer
    assert night_price(PLAN, FRIDAY) == 1_000_000  # weekend, added after summer: it wins
    assert night_price(PLAN, dt.date(2026, 9, 1)) == 600_000  # after summer, a Tuesday


def test_the_total_counts_every_night_and_every_extra_guest():
    # Thursday, Friday and Saturday nights: 800 000 + 1 000 000 + 1 000 000, plus one
    # extra guest at 150 000 a night.
    total = stay_total(PLAN, dt.date(2026, 6, 4), dt.date(2026, 6, 7), guests=3)
    assert total == 2_800_000 + 3 * 150_000


def test_young_children_stay_free_and_older_ones_count():
    assert counted_guests(2, [3, 5]) == 2
    assert counted_guests(2, [6, 12]) == 4


def test_a_plan_sells_only_stays_within_its_lengths_and_guests():
    assert fits(PLAN, MONDAY, MONDAY + dt.timedelta(days=2), 4)
    assert not fits(PLAN, MONDAY, MONDAY + dt.timedelta(days=1), 2)  # under the minimum
    assert not fits(PLAN, MONDAY, MONDAY + dt.timedelta(days=15), 2)  # over the maximum
    assert not fits(PLAN, MONDAY, MONDAY + dt.timedelta(days=2), 5)  # too many guests


def test_refunds_follow_the_policy_days_before_arrival():
    policy = Policy(free_days=3, late_percent=50)
    arrival = dt.date(2026, 6, 10)
    assert refund_amount(policy, 1_250_000, arrival, today=dt.date(2026, 6, 7)) == 1_250_000
    assert refund_amount(policy, 1_250_000, arrival, today=dt.date(2026, 6, 8)) == 625_000
    strict = Policy(free_days=30, late_percent=100)
    assert refund_amount(strict, 1_250_000, arrival, today=dt.date(2026, 6, 9)) == 0
    assert Policy.from_dict(policy.as_dict()) == policy
