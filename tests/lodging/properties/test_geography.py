"""Provinces and communes across the 1 July 2025 reorganisation."""

from __future__ import annotations

import datetime as dt

import pytest

from lodging.properties import geography
from lodging.properties.geography import PROVINCE_CODES

BEFORE = dt.date(2025, 6, 30)
AFTER = geography.REORGANISED_ON


def test_there_are_34_provinces_today() -> None:
    assert len(geography.provinces()) == 34


@pytest.mark.parametrize(
    "written", ["Yên Bái", "yen bai", "YÊN BÁI", "Tỉnh Yên Bái", "Lào Cai", "15"]
)
def test_an_old_yen_bai_address_resolves_to_lao_cai(written: str) -> None:
    assert geography.find_province(written).name == "Lào Cai"


def test_a_code_means_what_it_meant_on_the_day_it_was_used() -> None:
    # 15 was Yên Bái and 10 Lào Cai; both are Lào Cai (15) now.
    assert geography.province_on(15, BEFORE).name == "Lào Cai"
    assert geography.province_on(10, BEFORE).name == "Lào Cai"
    assert geography.province_on(15, AFTER).name == "Lào Cai"
    with pytest.raises(geography.UnknownPlaceError):
        geography.province_on(10, AFTER)  # no province has code 10 any more


def test_every_old_province_lands_in_exactly_one_current_province() -> None:
    current = {geography.province_on(int(code), BEFORE).code for code in PROVINCE_CODES}
    assert current == {p.code for p in geography.provinces()}
    assert len(PROVINCE_CODES) == 63


def test_quang_ninh_did_not_change() -> None:
    assert geography.province_on(22, BEFORE) == geography.find_province("Quảng Ninh")


@pytest.mark.parametrize(
    ("province", "written", "name"),
    [
        ("Quảng Ninh", "bai chay", "Phường Bãi Cháy"),
        ("Quảng Ninh", "Đặc khu Cô Tô", "Đặc khu Cô Tô"),
        ("Quảng Ninh", "co to", "Đặc khu Cô Tô"),
        ("Lào Cai", "Sa Pa", "Phường Sa Pa"),
        ("Lào Cai", "Xã Bắc Hà", "Xã Bắc Hà"),
    ],
)
def test_communes_are_found_as_people_write_them(province: str, written: str, name: str) -> None:
    code = geography.find_province(province).code
    assert geography.find_commune(code, written).name == name


def test_a_commune_of_another_province_is_not_found() -> None:
    lao_cai = geography.find_province("Lào Cai").code
    with pytest.raises(geography.UnknownPlaceError):
        geography.find_commune(lao_cai, "Bãi Cháy")


def test_unknown_province_is_refused() -> None:
    with pytest.raises(geography.UnknownPlaceError):
        geography.find_province("Atlantis")
