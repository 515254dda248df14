"""Provinces and communes, effective-dated across the 1 July 2025 reorganisation.

Since 1 July 2025 Vietnam has 34 provinces and two levels of local government (the
district level is gone; Resolution 202/2025/QH15). The current units and their codes
come from the General Statistics Office catalogue as packaged by ``vietnam-provinces``
(data version in ``CATALOGUE_VERSION``), never typed by hand here.

What this module adds is time: the 63 provinces in force until 30 June 2025 (the
codes CCCD cards still carry) and the province each merged into, so an address
written before the merger ("Yên Bái") resolves to the province in force on a given
day (Lào Cai).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import vietnam_provinces as catalogue
from vietnam_provinces import Province as CatalogueProvince
from vietnam_provinces import Ward

from search.folding import fold

# Province codes as printed on cards (Circular 07/2016/TT-BCA, Annex I): the province
# where the birth was registered. The 1 July 2025 merger left 34 provinces, but cards
# keep their numbers for life, so every pre-merger code stays valid.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}
CATALOGUE_VERSION = catalogue.__data_version__
REORGANISED_ON = dt.date(2025, 7, 1)

# Old province code (as on CCCD cards) → the province it belongs to from 1 July 2025
# (Resolution 202/2025/QH15). Codes that are not listed kept their own code.
MERGED_INTO: dict[int, int] = {
    2: 8,  # Hà Giang → Tuyên Quang
    10: 15,  # Lào Cai (old) → Lào Cai, which took Yên Bái's code
    6: 19,  # Bắc Kạn → Thái Nguyên
    17: 25,  # Hòa Bình → Phú Thọ
    26: 25,  # Vĩnh Phúc → Phú Thọ
    27: 24,  # Bắc Ninh (old) → Bắc Ninh, which took Bắc Giang's code
    34: 33,  # Thái Bình → Hưng Yên
    30: 31,  # Hải Dương → Hải Phòng
    35: 37,  # Hà Nam → Ninh Bình
    36: 37,  # Nam Định → Ninh Bình
    45: 44,  # Quảng Trị (old) → Quảng Trị, which took Quảng Bình's code
    49: 48,  # Quảng Nam → Đà Nẵng
    62: 51,  # Kon Tum → Quảng Ngãi
    64: 52,  # Gia Lai (old) → Gia Lai, which took Bình Định's code
    58: 56,  # Ninh Thuận → Khánh Hòa
    67: 68,  # Đắk Nông → Lâm Đồng
    60: 68,  # Bình Thuận → Lâm Đồng
    54: 66,  # Phú Yên → Đắk Lắk
    74: 79,  # Bình Dương → Hồ Chí Minh City
    77: 79,  # Bà Rịa - Vũng Tàu → Hồ Chí Minh City
    70: 75,  # Bình Phước → Đồng Nai
    72: 80,  # Tây Ninh (old) → Tây Ninh, which took Long An's code
    94: 92,  # Sóc Trăng → Cần Thơ
    93: 92,  # Hậu Giang → Cần Thơ
    83: 86,  # Bến Tre → Vĩnh Long
    84: 86,  # Trà Vinh → Vĩnh Long
    87: 82,  # Đồng Tháp (old) → Đồng Tháp, which took Tiền Giang's code
    95: 96,  # Bạc Liêu → Cà Mau
    89: 91,  # An Giang (old) → An Giang, which took Kiên Giang's code
}
# An old code not listed is either a province that did not change or one whose code the
# merged province took over (15 was Yên Bái, and is now Lào Cai): either way it maps to
# itself.


@dataclass(frozen=True)
class Province:
    code: int
    name: str


@dataclass(frozen=True)
class Commune:
    code: int
    name: str
    province_code: int


class UnknownPlaceError(LookupError):
    """A province or commune name or code that matches nothing (or more than one)."""


def _short(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name


@cache
def provinces() -> tuple[Province, ...]:
    """The provinces in force today, by name."""
    found = (Province(int(p.code.value), _short(p.name)) for p in CatalogueProvince.iter_all())
    return tuple(sorted(found, key=lambda p: fold(p.name)))


@cache
def _province_by_code() -> dict[int, Province]:
    return {p.code: p for p in provinces()}


@cache
def _communes_by_code() -> dict[int, Commune]:
    return {
        int(w.code.value): Commune(int(w.code.value), w.name, int(w.province_code.value))
        for w in Ward.iter_all()
    }


def province(code: int) -> Province:
    try:
        return _province_by_code()[code]
    except KeyError as exc:
        raise UnknownPlaceError(code) from exc


def commune(code: int) -> Commune:
    try:
        return _communes_by_code()[code]
    except KeyError as exc:
        raise UnknownPlaceError(code) from exc


def communes_of(province_code: int) -> tuple[Commune, ...]:
    found = (c for c in _communes_by_code().values() if c.province_code == province_code)
    return tuple(sorted(found, key=lambda c: fold(c.name)))


def province_on(old_or_new_code: int, day: dt.date) -> Province:
    """The province in force today for a code as it was used on ``day``.

    ``province_on(15, 2024-01-01)`` is Lào Cai: 15 was Yên Bái then, which merged
    into Lào Cai. ``province_on(15, 2025-08-01)`` is Lào Cai too, by its own code.
    """
    if day < REORGANISED_ON:
        if f"{old_or_new_code:03d}" not in PROVINCE_CODES:
            raise UnknownPlaceError(old_or_new_code)
        return province(MERGED_INTO.get(old_or_new_code, old_or_new_code))
    return province(old_or_new_code)


def _province_key(text: str) -> str:
    folded = fold(text).replace("-", " ")
    for prefix in ("thanh pho ", "tinh ", "tp. ", "tp "):
        folded = folded.removeprefix(prefix)
    return " ".join(folded.split())


@cache
def _province_names() -> dict[str, int]:
    """Folded name → current code, for today's names and the pre-2025 ones."""
    names = {_province_key(p.name): p.code for p in provinces()}
    names.update({"hcm": 79, "tp hcm": 79, "ho chi minh city": 79, "sai gon": 79, "hue": 46})
    for code, name in PROVINCE_CODES.items():
        names.setdefault(_province_key(name), MERGED_INTO.get(int(code), int(code)))
    return names


def find_province(text: str) -> Province:
    """A province from its name as written (old or new, any case or accents) or its code.

    "Yên Bái", "yen bai", "15" and "Lào Cai" are all Lào Cai.
    """
    value = text.strip()
    if value.isdigit():
        return province(int(value))
    code = _province_names().get(_province_key(value))
    if code is None:
        raise UnknownPlaceError(text)
    return province(code)


def find_commune(province_code: int, text: str) -> Commune:
    """A commune of a province from its name as written, or its code."""
    value = text.strip()
    if value.isdigit():
        found = commune(int(value))
        if found.province_code != province_code:
            raise UnknownPlaceError(text)
        return found
    key = _commune_key(value)
    matches = [c for c in communes_of(province_code) if key in {fold(c.name), _commune_key(c.name)}]
    if len(matches) != 1:
        raise UnknownPlaceError(text)
    return matches[0]


def _commune_key(name: str) -> str:
    folded = fold(name)
    for prefix in ("phuong ", "xa ", "dac khu "):
        folded = folded.removeprefix(prefix)
    return " ".join(folded.split())
