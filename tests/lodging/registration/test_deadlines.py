import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st

from lodging.registration.deadlines import (
    FINE_BANDS,
    GuestKind,
    alert_times,
    fine_band,
    is_overdue,
    reporting_deadline,
    time_left,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PARIS = ZoneInfo("Europe/Paris")


def vn(year, month, day, hour, minute=0, *, second=0, microsecond=0):
    return dt.datetime(year, month, day, hour, minute, second, microsecond, tzinfo=VN)


# Any zone a caller might use, real (with DST) or a fixed offset; years with today's
# +07:00 in Vietnam (the zone was +08:00 until 1975).
any_zone = st.one_of(
    st.timezones(),
    st.builds(
        dt.timezone,
        st.timedeltas(min_value=dt.timedelta(hours=-23), max_value=dt.timedelta(hours=23)),
    ),
)
# Hypothesis wants naive bounds and applies each generated zone to them.
aware_datetimes = st.datetimes(
    min_value=dt.datetime(1980, 1, 1),  # noqa: DTZ001 - naive by hypothesis's API
    max_value=dt.datetime(2200, 1, 1),  # noqa: DTZ001 - naive by hypothesis's API
    timezones=any_zone,
)


# Citizens: wall-clock cut-offs in Vietnam.


def test_citizen_arriving_at_22_59_is_due_at_23_00_same_day():
    assert reporting_deadline(vn(2026, 5, 1, 22, 59), GuestKind.CITIZEN) == vn(2026, 5, 1, 23)


def test_citizen_arriving_at_23_01_is_due_at_08_00_next_day():
    assert reporting_deadline(vn(2026, 5, 1, 23, 1), GuestKind.CITIZEN) == vn(2026, 5, 2, 8)


def test_citizen_arriving_at_exactly_23_00_is_due_at_08_00_next_day():
    assert reporting_deadline(vn(2026, 5, 1, 23), GuestKind.CITIZEN) == vn(2026, 5, 2, 8)


def test_citizen_arriving_a_microsecond_before_23_00_is_due_at_23_00_same_day():
    arrival = vn(2026, 5, 1, 22, 59, second=59, microsecond=999_999)
    assert reporting_deadline(arrival, GuestKind.CITIZEN) == vn(2026, 5, 1, 23)


def test_citizen_arriving_after_midnight_is_due_at_23_00_that_day():
    assert reporting_deadline(vn(2026, 5, 2, 0, 30), GuestKind.CITIZEN) == vn(2026, 5, 2, 23)


def test_citizen_arrival_given_in_utc_counts_by_the_vietnamese_day():
    arrival = dt.datetime(2026, 5, 1, 17, 30, tzinfo=dt.UTC)  # 00:30 on 2 May in Vietnam

    assert reporting_deadline(arrival, GuestKind.CITIZEN) == vn(2026, 5, 2, 23)


def test_citizen_arriving_late_on_new_years_eve_is_due_on_1_january():
    assert reporting_deadline(vn(2026, 12, 31, 23, 30), GuestKind.CITIZEN) == vn(2027, 1, 1, 8)


def test_citizen_deadline_ignores_the_remote_commune_flag():
    arrival = vn(2026, 5, 1, 10)
    assert reporting_deadline(arrival, GuestKind.CITIZEN, remote_commune=True) == vn(2026, 5, 1, 23)


# Foreigners: hours after arrival.


def test_foreigner_in_a_remote_commune_arriving_at_10_00_is_due_at_10_00_next_day():
    deadline = reporting_deadline(vn(2026, 5, 1, 10), GuestKind.FOREIGNER, remote_commune=True)
    assert deadline == vn(2026, 5, 2, 10)


def test_foreigner_elsewhere_is_due_12_hours_after_arrival():
    assert reporting_deadline(vn(2026, 5, 1, 10), GuestKind.FOREIGNER) == vn(2026, 5, 1, 22)


def test_foreigner_arriving_in_the_evening_is_due_the_next_morning():
    assert reporting_deadline(vn(2026, 5, 1, 21), GuestKind.FOREIGNER) == vn(2026, 5, 2, 9)


def test_guest_kind_may_be_given_as_its_stored_string():
    assert reporting_deadline(vn(2026, 5, 1, 10), GuestKind("foreigner")) == vn(2026, 5, 1, 22)


def test_unknown_guest_kind_is_refused():
    with pytest.raises(ValueError, match="visitor"):
        reporting_deadline(vn(2026, 5, 1, 10), "visitor")  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", list(GuestKind))
def test_naive_arrival_is_refused(kind):
    with pytest.raises(ValueError, match="timezone-aware"):
        reporting_deadline(dt.datetime(2026, 5, 1, 10), kind)  # noqa: DTZ001 - the point


# Time left, overdue, reminders.


def test_report_at_the_deadline_instant_is_on_time():
    deadline = vn(2026, 5, 1, 23)

    assert time_left(deadline, deadline) == dt.timedelta(0)
    assert not is_overdue(deadline, deadline)


def test_report_a_microsecond_after_the_deadline_is_overdue():
    deadline = vn(2026, 5, 1, 23)
    late = deadline + dt.timedelta(microseconds=1)

    assert time_left(deadline, late) == -dt.timedelta(microseconds=1)
    assert is_overdue(deadline, late)


def test_time_left_compares_instants_not_wall_clocks():
    deadline = vn(2026, 5, 1, 23)
    now = dt.datetime(2026, 5, 1, 15, tzinfo=dt.UTC)  # 22:00 in Vietnam

    assert time_left(deadline, now) == dt.timedelta(hours=1)
    assert not is_overdue(deadline, now)


def test_time_left_counts_elapsed_time_across_a_daylight_saving_change():
    # Both in Paris time: the clocks jump from 02:00 to 03:00 on 29 March 2026.
    now = dt.datetime(2026, 3, 29, 1, tzinfo=PARIS)
    deadline = dt.datetime(2026, 3, 29, 4, tzinfo=PARIS)

    assert time_left(deadline, now) == dt.timedelta(hours=2)


def test_time_left_refuses_a_naive_now():
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        time_left(vn(2026, 5, 1, 23), dt.datetime(2026, 5, 1, 22))  # noqa: DTZ001 - the point


def test_owner_is_reminded_two_hours_then_thirty_minutes_before_the_deadline():
    assert alert_times(vn(2026, 5, 1, 23)) == (vn(2026, 5, 1, 21), vn(2026, 5, 1, 22, 30))


def test_reminders_before_a_morning_deadline_fall_in_the_night():
    assert alert_times(vn(2026, 5, 2, 8)) == (vn(2026, 5, 2, 6), vn(2026, 5, 2, 7, 30))


# Fines (Decree 282/2025 Art. 10).


def test_no_unreported_guests_risks_no_fine():
    assert fine_band(0) is None


@pytest.mark.parametrize(
    ("guests", "minimum", "maximum"),
    [
        (1, 2_000_000, 4_000_000),
        (3, 2_000_000, 4_000_000),
        (4, 4_000_000, 8_000_000),
        (8, 4_000_000, 8_000_000),
        (9, 8_000_000, 12_000_000),
        (50, 8_000_000, 12_000_000),
    ],
)
def test_fine_grows_with_the_number_of_unreported_guests(guests, minimum, maximum):
    band = fine_band(guests)

    assert band is not None
    assert (band.minimum_fine, band.maximum_fine, band.currency) == (minimum, maximum, "VND")


def test_negative_count_of_unreported_guests_is_refused():
    with pytest.raises(ValueError, match="negative"):
        fine_band(-1)


def test_fine_bands_cover_every_count_once():
    for guests in range(1, 30):
        band = fine_band(guests)
        assert band is not None
        assert band.fewest_guests <= guests
        assert band.most_guests is None or guests <= band.most_guests


def test_fine_band_labels_are_translated_when_shown(app):
    with app.test_request_context("/en/"), force_locale("en"):
        english = [str(band.label) for band in FINE_BANDS]
    with app.test_request_context("/vi/"), force_locale("vi"):
        vietnamese = [str(band.label) for band in FINE_BANDS]

    assert english[0] == "1 to 3 guests not reported"
    assert all(vi != en for vi, en in zip(vietnamese, english, strict=True))


# Properties over any aware arrival, in any zone.


@given(aware_datetimes)
def test_citizen_deadline_is_23_00_or_08_00_in_vietnam_within_23_hours(arrival):
    deadline = reporting_deadline(arrival, GuestKind.CITIZEN)

    assert deadline.tzinfo == VN
    assert deadline.time() in {dt.time(23), dt.time(8)}
    assert dt.timedelta(0) < time_left(deadline, arrival) <= dt.timedelta(hours=23)


@given(aware_datetimes)
def test_citizen_deadline_is_the_next_cutoff_the_law_names(arrival):
    local = arrival.astimezone(VN)
    deadline = reporting_deadline(arrival, GuestKind.CITIZEN)

    if local.hour < 23:
        assert deadline == dt.datetime.combine(local.date(), dt.time(23), tzinfo=VN)
    else:
        next_day = local.date() + dt.timedelta(days=1)
        assert deadline == dt.datetime.combine(next_day, dt.time(8), tzinfo=VN)


@given(aware_datetimes, st.booleans())
def test_foreigner_deadline_is_exactly_12_or_24_hours_after_arrival(arrival, remote):
    deadline = reporting_deadline(arrival, GuestKind.FOREIGNER, remote_commune=remote)

    assert deadline.tzinfo == VN
    assert time_left(deadline, arrival) == dt.timedelta(hours=24 if remote else 12)


@given(aware_datetimes, st.sampled_from(GuestKind), st.booleans())
def test_reminders_come_before_the_deadline_in_order(arrival, kind, remote):
    deadline = reporting_deadline(arrival, kind, remote_commune=remote)
    first, last = alert_times(deadline)

    assert first.tzinfo == last.tzinfo == VN
    assert time_left(deadline, first) == dt.timedelta(hours=2)
    assert time_left(deadline, last) == dt.timedelta(minutes=30)
    assert not is_overdue(deadline, last)
