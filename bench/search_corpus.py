"""Generated search documents: Vietnamese-like places, events and lodgings.

Names are built from real Vietnamese syllables with their marks (and đ), drawn with a
Zipf-like skew so a few words are in thousands of documents and most in a handful, as
in a real catalogue. Every document has Vietnamese text; a third also English. The
points fall in Quảng Ninh or Lào Cai. The same seed gives the same corpus.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from search.documents import DocumentType, GeoPoint, LocalizedText, SearchDocument


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The kind word a place's name starts with, and the category code it counts under.
PLACE_KINDS = (
    ("Vịnh", "bay"),
    ("Bãi", "beach"),
    ("Đảo", "island"),
    ("Hang", "cave"),
    ("Núi", "mountain"),
    ("Chùa", "pagoda"),
    ("Đền", "pagoda"),
    ("Bảo tàng", "museum"),
    ("Chợ", "market"),
    ("Bản", "village"),
    ("Đèo", "viewpoint"),
    ("Thác", "trek"),
    ("Quán", "restaurant"),
)
LODGING_KINDS = (("Khách sạn", "hotel"), ("Homestay", "homestay"), ("Nhà nghỉ", "guesthouse"))
EVENT_WORDS = ("Lễ hội", "Phiên chợ", "Đêm nhạc", "Giải chạy", "Hội chợ", "Tuần lễ")
SYLLABLES = _words(
    "Hạ Long Tuần Châu Cô Tô Sửng Sốt Ti Tốp Yên Tử Cát Cát Bạc Bắc Hà Quan Lạn Minh "
    "Vân Đồn Thiên Cung Đầu Gỗ Trống Mái Soi Sim Bái Tử Mường Hoa Tả Van Lao Chải Sín "
    "Chải Ô Quy Hồ Phan Xi Păng Hàm Rồng Trạm Tôn Bình Liêu Móng Cái Trà Cổ Cửa Ông "
    "Đông Triều Uông Bí Hoành Bồ Tiên Yên Đầm Hà Hải Hòa Ngọc Vừng Thắng Lợi Cái Rồng "
    "Bãi Dài Hồng Gai Giếng Đáy Cao Xanh Hà Khẩu Mường Khương Si Ma Cai Bảo Thắng Văn "
    "Bàn Sa Pa Bát Xát Y Tý Nậm Cang Lùng Phình"
)
COMMUNES_QN = ("Hạ Long", "Bãi Cháy", "Cô Tô", "Vân Đồn", "Móng Cái", "Uông Bí", "Quảng Yên")
COMMUNES_LC = ("Sa Pa", "Bắc Hà", "Lào Cai", "Bát Xát", "Mường Khương", "Y Tý", "Si Ma Cai")
# South, west, north, east of each province (roughly).
AREAS = {
    COMMUNES_QN: (20.70, 106.50, 21.60, 108.10),
    COMMUNES_LC: (21.80, 103.50, 22.90, 104.60),
}
WORDS_VI = _words(
    "đẹp cảnh quan thiên nhiên du khách tham quan lịch sử văn hóa người dân địa phương "
    "món ăn đặc sản mùa xuân mùa hè núi rừng biển đảo ruộng bậc thang chợ phiên đồng "
    "bào"
)
WORDS_EN = _words(
    "beautiful scenery nature visitors history culture local people food speciality "
    "spring summer mountain forest sea island terraced fields market"
)
AMENITIES = ("wifi", "parking", "pool", "breakfast", "air-conditioning", "restaurant", "spa")
START = dt.date(2026, 1, 1)


@dataclass(frozen=True)
class CorpusShape:
    documents: int = 100_000
    places: float = 0.55
    events: float = 0.10  # the rest are lodgings
    english: float = 0.33
    seed: int = 2026


def _syllable(rng: random.Random) -> str:
    """Zipf-like: the first syllables are common, the last rare."""
    index = min(int(rng.paretovariate(1.1)) - 1, len(SYLLABLES) - 1)
    if rng.random() < 0.15:
        index = rng.randrange(len(SYLLABLES))  # some uniform, so every syllable is used
    return SYLLABLES[index]


def _name(rng: random.Random) -> str:
    return " ".join(_syllable(rng) for _ in range(rng.choice((2, 2, 3))))


def _text(rng: random.Random, words: tuple[str, ...] | list[str], count: int) -> str:
    return " ".join(rng.choice(words) for _ in range(count)).capitalize() + "."


def _place_in(rng: random.Random) -> tuple[str, GeoPoint]:
    communes = rng.choice(tuple(AREAS))
    south, west, north, east = AREAS[communes]
    point = GeoPoint(round(rng.uniform(south, north), 5), round(rng.uniform(west, east), 5))
    return rng.choice(communes), point


def _texts(
    rng: random.Random, kind: DocumentType, n: int, *, vi: str, en: str, english: bool
) -> dict[str, LocalizedText]:
    texts = {
        "vi": LocalizedText(
            title=vi,
            url=f"/vi/{kind.value}s/{n}",
            summary=_text(rng, WORDS_VI, 12),
            body=_text(rng, WORDS_VI, 40),
        )
    }
    if english:
        texts["en"] = LocalizedText(
            title=en,
            url=f"/en/{kind.value}s/{n}",
            summary=_text(rng, WORDS_EN, 12),
            body=_text(rng, WORDS_EN, 40),
        )
    return texts


def _document(rng: random.Random, n: int, shape: CorpusShape) -> SearchDocument:
    draw = rng.random()
    commune, point = _place_in(rng)
    name = _name(rng)
    english = rng.random() < shape.english
    if draw < shape.places:
        word, code = rng.choice(PLACE_KINDS)
        texts = _texts(rng, DocumentType.PLACE, n, vi=f"{word} {name}", en=name, english=english)
        return SearchDocument(
            DocumentType.PLACE, str(n), 1, texts, location=point, commune=commune, category=code
        )
    if draw < shape.places + shape.events:
        starts = START + dt.timedelta(days=rng.randrange(730))
        texts = _texts(
            rng,
            DocumentType.EVENT,
            n,
            vi=f"{rng.choice(EVENT_WORDS)} {name}",
            en=name,
            english=english,
        )
        return SearchDocument(
            DocumentType.EVENT,
            str(n),
            1,
            texts,
            location=point,
            commune=commune,
            category="festival",
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=rng.randrange(4)),
        )
    word, code = rng.choice(LODGING_KINDS)
    texts = _texts(
        rng, DocumentType.LODGING, n, vi=f"{word} {name}", en=f"{name} {code}", english=english
    )
    return SearchDocument(
        DocumentType.LODGING,
        str(n),
        1,
        texts,
        location=point,
        commune=commune,
        category=code,
        stars=rng.choice((None, 1, 2, 3, 4, 5)),
        amenities=tuple(sorted(rng.sample(AMENITIES, rng.randrange(1, 5)))),
        price_from=rng.randrange(150, 5000) * 1000,
    )


def generate(shape: CorpusShape) -> Iterator[SearchDocument]:
    """``shape.documents`` documents, ids 1…n, always the same for the same seed."""
    rng = random.Random(shape.seed)
    for n in itertools.islice(itertools.count(1), shape.documents):
        yield _document(rng, n, shape)
