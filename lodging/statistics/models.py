"""The ledger's tables: a per-guest projection of stays and daily roll-ups.

Days are Vietnam local dates. A night ``d`` belongs to a guest when
``arrival_day <= d < departure_day``; a guest whose arrival and departure fall on the
same date is a same-day (day-use) guest: counted apart, with no night.

``arrivals`` and ``departures`` count overnight guests only, so that for every
establishment present(d) = present(d-1) + arrivals(d) - departures(d), where present(d)
is ``nights`` on day ``d``. International means residence country other than VN.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base

# Residence province recorded for guests living abroad or whose province is unknown;
# a key column cannot be NULL in a primary key.
NO_PROVINCE = 0


class StatisticsGuestStay(Base):
    """What one guest last contributed to the ledger (the statistics-purpose facts).

    Kept so a change to a stay knows which ledger cells it leaves and which it enters;
    a cancelled stay's guests have no row.
    """

    __tablename__ = "statistics_guest_stay"
    __table_args__ = (
        Index("ix_statistics_guest_stay_place_arrival", "establishment_id", "arrival_day"),
    )

    guest_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_guest.id", ondelete="CASCADE"), primary_key=True
    )
    stay_id: Mapped[int] = mapped_column(index=True)
    establishment_id: Mapped[int]
    # A stay declared without a room still occupies one: its key is then -stay_id.
    room_key: Mapped[int]
    arrival_day: Mapped[dt.date]
    departure_day: Mapped[dt.date]
    residence_country: Mapped[str] = mapped_column(String(2))
    residence_province_code: Mapped[int] = mapped_column(default=NO_PROVINCE)


class _GuestCounts:
    """The guests a cell of the ledger counts, for one establishment or summed over many."""

    nights: Mapped[int] = mapped_column(default=0)  # guests present the night of ``day``
    arrivals: Mapped[int] = mapped_column(default=0)  # overnight guests arriving
    departures: Mapped[int] = mapped_column(default=0)  # overnight guests leaving
    same_day: Mapped[int] = mapped_column(default=0)  # day-use guests


class _DayCounts(_GuestCounts):
    """A day's counts (not by residence): the guests, their rooms, the international ones."""

    rooms_occupied: Mapped[int] = mapped_column(default=0)  # distinct rooms with a guest
    nights_international: Mapped[int] = mapped_column(default=0)
    arrivals_international: Mapped[int] = mapped_column(default=0)
    same_day_international: Mapped[int] = mapped_column(default=0)


class StatisticsDay(_DayCounts, Base):
    """One establishment on one day; a row exists only when something happened."""

    __tablename__ = "statistics_day"

    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_establishment.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(primary_key=True, index=True)


class StatisticsDayResidence(_GuestCounts, Base):
    """Guests of one establishment on one day by where they live.

    ``residence_province_code`` is the province for residents of Vietnam and
    ``NO_PROVINCE`` otherwise. Summed over residences it equals ``StatisticsDay``.
    """

    __tablename__ = "statistics_day_residence"

    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_establishment.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(primary_key=True, index=True)
    residence_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    residence_province_code: Mapped[int] = mapped_column(primary_key=True)


class _MonthGroup:
    """The key shared by the monthly roll-ups: a month and a group of establishments."""

    month: Mapped[dt.date] = mapped_column(primary_key=True, sort_order=-5)  # its first day
    province_code: Mapped[int] = mapped_column(primary_key=True, sort_order=-4)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True, sort_order=-2)
    stars: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)  # 0: not graded
    # Nights less arrivals on the month's first day: guests who arrived before it.
    carried_in: Mapped[int] = mapped_column(default=0, sort_order=1)


class StatisticsMonth(_MonthGroup, _DayCounts, Base):
    """``StatisticsDay`` summed over a calendar month and a group of establishments.

    The group is what the department filters and groups by (province, commune, kind,
    stars), so province-wide figures over months and years read a few rows per month
    instead of one per establishment and day. Kept in step by the ledger
    (``ledger.apply_stay``) and recomputed by the rebuild (``rollup``).
    """

    __tablename__ = "statistics_month"

    commune_code: Mapped[int] = mapped_column(primary_key=True, sort_order=-3)


class StatisticsMonthResidence(_MonthGroup, _GuestCounts, Base):
    """``StatisticsDayResidence`` summed over a month and a group without the commune.

    By commune, guests' residences would make a row for nearly every place, month and
    country; one commune's places are few enough to read from their days.
    """

    __tablename__ = "statistics_month_residence"

    residence_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    residence_province_code: Mapped[int] = mapped_column(primary_key=True)


class StatisticsProvinceDay(_DayCounts, Base):
    """``StatisticsDay`` summed over a province's establishments, day by day.

    What the department sees most (the whole province, any period, by day, week or by
    where guests live) then reads one row a day, not one per establishment and day.
    """

    __tablename__ = "statistics_province_day"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    province_code: Mapped[int] = mapped_column(primary_key=True)


class StatisticsProvinceDayResidence(_GuestCounts, Base):
    """``StatisticsDayResidence`` summed over a province's establishments, day by day."""

    __tablename__ = "statistics_province_day_residence"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    province_code: Mapped[int] = mapped_column(primary_key=True)
    residence_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    residence_province_code: Mapped[int] = mapped_column(primary_key=True)


class StatisticsHorizon(Base):
    """The last day the ledger counts (one row): no cell lies after it.

    A stay still in the house counts its expected nights up to this day only, so one
    change writes a bounded number of cells whatever the departure it announces; the
    daily task (``ledger.extend_horizon``) moves the day on and counts what it brings in.
    """

    __tablename__ = "statistics_horizon"

    id: Mapped[int] = mapped_column(primary_key=True)  # always HORIZON_ROW
    last_day: Mapped[dt.date]
