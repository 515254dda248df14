"""Small hand-made documents: real places of Quảng Ninh and Lào Cai, events, lodgings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from search.documents import DocumentType, GeoPoint, LocalizedText, SearchDocument

QUANG_NINH = (20.5, 106.5, 21.7, 108.1)  # south, west, north, east
SA_PA = GeoPoint(22.3364, 103.8438)
HA_LONG_CITY = GeoPoint(20.9517, 107.0803)


def text(title: str, lang: str, slug: str, summary: str = "", **kw: Any) -> LocalizedText:
    return LocalizedText(title=title, url=f"/{lang}/x/{slug}", summary=summary, **kw)


def doc(
    type_: DocumentType, id_: str, texts: dict[str, LocalizedText], **kw: Any
) -> SearchDocument:
    return SearchDocument(type=type_, id=id_, version=kw.pop("version", 1), texts=texts, **kw)


PLACE, EVENT, LODGING = DocumentType.PLACE, DocumentType.EVENT, DocumentType.LODGING

HA_LONG_BAY = doc(
    PLACE,
    "ha-long-bay",
    {
        "vi": text(
            "Vịnh Hạ Long",
            "vi",
            "vinh-ha-long",
            "Di sản thiên nhiên thế giới với gần 2.000 hòn đảo đá vôi.",
            body="Vịnh nằm ở phía đông bắc Việt Nam, thuộc tỉnh Quảng Ninh.",
        ),
        "en": text(
            "Ha Long Bay",
            "en",
            "ha-long-bay",
            "A World Heritage bay with nearly 2,000 limestone islands.",
            keywords=("Halong Bay",),
        ),
        "zh": text("下龙湾", "zh", "xia-long-wan", "世界自然遗产"),
        "ko": text("하롱베이", "ko", "halong-bay"),
    },
    category="bay",
    commune="Hạ Long",
    location=GeoPoint(20.9101, 107.1839),
)
CO_TO = doc(
    PLACE,
    "co-to",
    {
        "vi": text("Đảo Cô Tô", "vi", "dao-co-to", "Hòn đảo với những bãi cát trắng."),
        "en": text("Co To Island", "en", "co-to-island", "An island of white sand beaches."),
    },
    category="island",
    commune="Cô Tô",
    location=GeoPoint(20.9745, 107.7683),
)
SUNG_SOT = doc(
    PLACE,
    "sung-sot",
    {
        "vi": text("Hang Sửng Sốt", "vi", "hang-sung-sot", "Hang động rộng nhất vịnh Hạ Long."),
        "en": text("Surprise Cave", "en", "surprise-cave", "The largest cave of the bay."),
    },
    category="cave",
    commune="Hạ Long",
    location=GeoPoint(20.8428, 107.0880),
)
# Folds to the same letters as Hạ Long: only the marks tell them apart.
HA_LONG_VILLAGE = doc(
    PLACE,
    "ha-long-village",
    {"vi": text("Làng Hà Lòng", "vi", "lang-ha-long")},
    category="village",
    commune="Sa Pa",
    location=GeoPoint(22.3400, 103.8500),
)
TA_PHIN_CAVE = doc(
    PLACE,
    "ta-phin-cave",
    {
        "vi": text("Động Tả Phìn", "vi", "dong-ta-phin", "Hang động gần Sa Pa."),
        "en": text("Ta Phin Cave", "en", "ta-phin-cave", "A cave near Sa Pa."),
    },
    category="cave",
    commune="Sa Pa",
    location=GeoPoint(22.3937, 103.8227),
)
CARNAVAL = doc(
    EVENT,
    "carnaval",
    {"vi": text("Carnaval Hạ Long", "vi", "carnaval-ha-long", "Lễ hội đường phố.")},
    commune="Hạ Long",
    location=GeoPoint(20.9510, 107.0790),
    starts_on=dt.date(2025, 4, 30),
    ends_on=dt.date(2025, 4, 30),
)
YEN_TU_FESTIVAL = doc(
    EVENT,
    "yen-tu-festival",
    {
        "vi": text("Lễ hội Xuân Yên Tử", "vi", "le-hoi-yen-tu"),
        "en": text("Yen Tu Spring Festival", "en", "yen-tu-festival"),
    },
    commune="Uông Bí",
    location=GeoPoint(21.1590, 106.7170),
    starts_on=dt.date(2025, 2, 10),
    ends_on=dt.date(2025, 5, 10),
)
SA_PA_NIGHT = doc(
    EVENT,
    "sa-pa-night",
    {"vi": text("Đêm nhạc Sa Pa", "vi", "dem-nhac-sa-pa")},
    commune="Sa Pa",
    location=GeoPoint(22.3360, 103.8440),
    starts_on=dt.date(2025, 6, 1),
    ends_on=dt.date(2025, 6, 2),
)
MUONG_THANH = doc(
    LODGING,
    "1",
    {
        "vi": text("Khách sạn Mường Thanh Hạ Long", "vi", "muong-thanh"),
        "en": text("Muong Thanh Ha Long Hotel", "en", "muong-thanh"),
    },
    category="hotel",
    stars=4,
    commune="Hạ Long",
    amenities=("pool", "wifi"),
    price_from=1_200_000,
    location=GeoPoint(20.9530, 107.0700),
)
CAT_CAT_HOMESTAY = doc(
    LODGING,
    "2",
    {"vi": text("Homestay Bản Cát Cát", "vi", "cat-cat")},
    category="homestay",
    commune="Sa Pa",
    amenities=("wifi",),
    price_from=350_000,
    location=GeoPoint(22.3290, 103.8340),
)
SA_PA_RESORT = doc(
    LODGING,
    "3",
    {"vi": text("Khu nghỉ dưỡng Sa Pa", "vi", "sa-pa-resort")},
    category="resort",
    stars=5,
    commune="Sa Pa",
    amenities=("pool", "spa", "wifi"),
    price_from=3_500_000,
    location=GeoPoint(22.3330, 103.8400),
)

PLACES = (HA_LONG_BAY, CO_TO, SUNG_SOT, HA_LONG_VILLAGE, TA_PHIN_CAVE)
EVENTS = (CARNAVAL, YEN_TU_FESTIVAL, SA_PA_NIGHT)
LODGINGS = (MUONG_THANH, CAT_CAT_HOMESTAY, SA_PA_RESORT)
CORPUS = (*PLACES, *EVENTS, *LODGINGS)
