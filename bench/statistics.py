"""Dashboard queries over the occupancy ledger, and a full rebuild beside a scan of stays.

    .venv/bin/python -m bench.statistics [--establishments 100] [--years 1] [--seed 7]
        [--stays N] [--database-url postgresql://...] [--repeat 20] [--reuse]

Generates synthetic establishments and stays with ``python -m bench.generate``'s code
(``bench/generate.py``) into a throw-away SQLite file, or into the
PostgreSQL database given by ``--database-url`` / ``TEST_DATABASE_URL`` (migrated
first; ``--reuse`` skips generation when it already holds data). Then, in one run:

- times a full ``statistics rebuild`` (which builds the ledger the queries read) beside
  a plain scan of the stays table and prints the ratio;
- times each typical dashboard query (``lodging.statistics.measures``) REPEAT times and
  prints p50 and p95 (target at province scale: p95 <= 200 ms).

``--stays N`` scales the places' room counts so that about N stays come out at the
usual demand. ``--database-url sqlite:////path/file.db`` keeps the SQLite file for
``--reuse``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from collections.abc import Callable

from sqlalchemy import func, select, text

from bench.generate import generate
from bench.inprocess import migrated_app, percentiles
from core.database import DbSession
from core.extensions import db
from lodging.properties.models import Establishment
from lodging.registration.models import Stay
from lodging.statistics import measures
from lodging.statistics.measures import Scope
from lodging.statistics.rebuild import rebuild
from portal.dashboard.filters import default_filters

TARGET_MS = 200


def _queries(session: DbSession, end: dt.date) -> dict[str, Callable[[], object]]:
    first_id, commune = session.execute(
        select(Establishment.id, Establishment.commune_code).order_by(Establishment.id).limit(1)
    ).one()
    month = end.replace(day=1)
    year_ago = default_filters(end).first_day  # the dashboard's: twelve months to today
    cut = end - dt.timedelta(days=364)  # a range that cuts its first month too
    province = Scope(province_code=22)

    def occupancy(**kwargs: object) -> Callable[[], object]:
        return lambda: measures.occupancy(session, **kwargs)  # type: ignore[arg-type]

    return {
        "headline: this month, all": lambda: measures.totals(
            session, first_day=month, last_day=end
        ),
        "now by commune": lambda: measures.now(session, end),
        "30 days by day": occupancy(
            first_day=end - dt.timedelta(days=29), last_day=end, period="day"
        ),
        "12 months by commune (QN)": occupancy(
            first_day=year_ago, last_day=end, period="month", group_by="commune", scope=province
        ),
        "12 months by kind": occupancy(
            first_day=year_ago, last_day=end, period="month", group_by="kind"
        ),
        "12 months by country": occupancy(
            first_day=year_ago, last_day=end, period="month", group_by="residence_country"
        ),
        "365 days by country": occupancy(
            first_day=cut, last_day=end, period="month", group_by="residence_country"
        ),
        "12 months by country, hotels": occupancy(
            first_day=year_ago,
            last_day=end,
            period="month",
            group_by="residence_country",
            scope=Scope(kind="hotel"),
        ),
        "12 months by country, commune": occupancy(
            first_day=year_ago,
            last_day=end,
            period="month",
            group_by="residence_country",
            scope=Scope(commune_code=commune),
        ),
        "5 years by year, by kind": occupancy(
            first_day=end.replace(year=end.year - 5), last_day=end, period="year", group_by="kind"
        ),
        "month by establishment": occupancy(
            first_day=month, last_day=end, period="month", group_by="establishment"
        ),
        "commune, 1 year by week": occupancy(
            first_day=year_ago, last_day=end, period="week", scope=Scope(commune_code=commune)
        ),
        "owner, 1 year by day": occupancy(
            first_day=year_ago,
            last_day=end,
            period="day",
            scope=Scope(establishment_ids=[first_id]),
        ),
    }


def _scan_vs_rebuild(session: DbSession) -> tuple[float, float]:
    started = time.perf_counter()
    session.execute(
        text("SELECT COUNT(*), MAX(expected_departure), MAX(room_id) FROM lodging_stay")
    ).one()
    scan = time.perf_counter() - started
    started = time.perf_counter()
    rebuild(session)
    session.commit()
    built = time.perf_counter() - started
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE"))  # what autovacuum does after a bulk load
        session.commit()
    return scan, built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=100)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stays", type=int, help="about this many stays (room counts scaled)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--queries-only", action="store_true", help="with --reuse: time the queries, no rebuild"
    )
    args = parser.parse_args()
    with migrated_app(args.database_url) as app, app.app_context():
        session = db.session
        end = dt.date.today()  # noqa: DTZ011 - a calendar day
        engine = session.get_bind().dialect.name
        stays = session.scalar(select(func.count()).select_from(Stay)) or 0
        if not (args.reuse and stays):
            report = generate(
                session,
                establishments=args.establishments,
                years=args.years,
                seed=args.seed,
                end=end,
                target_stays=args.stays,
                build_ledger=False,
            )
            print(f"[{engine}] generated: {report.summary()}")
            rate = report.stays / report.insert_seconds
            print(f"  10,000,000 stays at this rate: {10_000_000 / rate / 60:.0f} min to insert")
        stays = session.scalar(select(func.count()).select_from(Stay)) or 0
        places = session.scalar(select(func.count()).select_from(Establishment)) or 0
        print(f"[{engine}] {places:,} establishments, {stays:,} stays")
        if not (args.reuse and args.queries_only):
            scan, built = _scan_vs_rebuild(session)
            print(
                f"  full ledger rebuild {built:.1f} s, plain scan of stays {scan:.3f} s,"
                f" ratio {built / scan if scan else float('inf'):.0f}x"
            )
        print(f"[{engine}] dashboard queries over {args.repeat} runs (ms; target p95 <= 200):")
        worst = 0.0
        for name, call in _queries(session, end).items():
            p50, p95 = percentiles(call, args.repeat, high=0.95)
            worst = max(worst, p95)
            print(f"  {name:<30} p50 {p50:8.1f}   p95 {p95:8.1f}")
        verdict = "met" if worst <= TARGET_MS else "MISSED"
        print(f"  worst p95 {worst:.1f} ms (target <= {TARGET_MS} ms): {verdict}")


if __name__ == "__main__":
    main()
