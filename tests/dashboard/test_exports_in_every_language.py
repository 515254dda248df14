"""Every CSV and XLSX the dashboard offers downloads and opens, in every language."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from core.i18n import LOCALE_CODES
from portal.dashboard.exports import XLSX_TYPE, sheet_title
from tests.factories import log_in


def _department_pages(province) -> list[str]:
    return [
        "dashboard/",
        f"dashboard/communes/{province.a.commune_code}",
        f"dashboard/establishments/{province.b.id}",
        "dashboard/summary",
        "dashboard/compliance",
        "dashboard/money",
    ]


def _owner_pages(province) -> list[str]:
    return ["dashboard/my/", f"dashboard/my/establishments/{province.a.id}"]


def _download_each(client, lang: str, pages: list[str], args: dict[str, str]) -> None:
    for page in pages:
        book = client.get(f"/{lang}/{page}", query_string={**args, "format": "xlsx"})
        assert book.status_code == 200, (lang, page)
        assert book.headers["Content-Type"] == XLSX_TYPE
        assert load_workbook(io.BytesIO(book.data)).sheetnames, (lang, page)
        table = client.get(f"/{lang}/{page}", query_string={**args, "format": "csv", "table": 0})
        assert table.status_code == 200, (lang, page)
        assert table.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert table.data.decode("utf-8-sig").splitlines(), (lang, page)


@pytest.mark.parametrize("lang", LOCALE_CODES)
def test_an_officer_downloads_every_export(client, province, lang):
    log_in(client, province.officer.email)
    _download_each(client, lang, _department_pages(province), province.month_args)


@pytest.mark.parametrize("lang", LOCALE_CODES)
def test_an_owner_downloads_every_export(client, province, lang):
    log_in(client, province.owner.email)
    _download_each(client, lang, _owner_pages(province), province.month_args)


def test_sheet_titles_are_safe_short_and_distinct():
    titles = [sheet_title(n, "Phường/xã [cũ]: *?\\ một tiêu đề rất dài vượt quá") for n in (1, 2)]
    assert all(len(title) <= 31 for title in titles)
    assert not any(set(title) & set("/\\?*[]:") for title in titles)
    assert len(set(titles)) == 2
    assert sheet_title(3, "'") == "3 Sheet"
