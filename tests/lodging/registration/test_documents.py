import datetime as dt
import itertools
import string

import pytest
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st

from lodging.properties.geography import PROVINCE_CODES
from lodging.registration.documents import (
    CccdQrData,
    DocumentError,
    Sex,
    check_cccd,
    check_passport_expiry,
    normalize_cccd,
    parse_cccd_qr,
)
from lodging.registration.mrz import MrzData, check_digit, parse_mrz

TODAY = dt.date(2026, 5, 1)


def fields(problems):
    return [problem.field for problem in problems]


# --- CCCD numbers --------------------------------------------------------------------


def test_reference_example_of_a_man_born_in_1990_is_valid():
    assert check_cccd("022090123456", dt.date(1990, 3, 14), Sex.M) == []


def test_a_womans_number_declared_for_a_man_is_a_problem_on_sex():
    problems = check_cccd("022190123456", dt.date(1990, 3, 14), Sex.M)

    assert fields(problems) == ["sex"]
    assert str(problems[0].message) == (
        "The ID number is a woman's (its 4th digit is 1), but the guest is declared male."
    )


def test_a_mans_number_declared_for_a_woman_is_a_problem_on_sex():
    problems = check_cccd("022090123456", dt.date(1990, 3, 14), Sex.F)

    assert fields(problems) == ["sex"]
    assert "declared female" in str(problems[0].message)


@pytest.mark.parametrize(
    ("number", "birth_year", "sex"),
    [
        ("010090000001", 1990, Sex.M),
        ("010190000001", 1990, Sex.F),
        ("015205000001", 2005, Sex.M),
        ("015305000001", 2005, Sex.F),
        ("001400000001", 2100, Sex.M),
        ("001599000001", 2199, Sex.F),
        ("079601000001", 2201, Sex.M),
        ("079701000001", 2201, Sex.F),
        ("096801000001", 2301, Sex.M),
        ("096999000001", 2399, Sex.F),
    ],
)
def test_each_century_and_sex_has_its_own_fourth_digit(number, birth_year, sex):
    assert check_cccd(number, dt.date(birth_year, 1, 1), sex) == []


def test_spaces_typed_between_the_groups_are_ignored():
    assert normalize_cccd(" 022 0 90\u00a0123456\t") == "022090123456"
    assert check_cccd("022 090 123 456", dt.date(1990, 3, 14), Sex.M) == []


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("02209012345", "A CCCD number has 12 digits; this one has 11."),
        ("0220901234567", "A CCCD number has 12 digits; this one has 13."),
        ("", "A CCCD number has 12 digits; this one has 0."),
        ("02209O123456", "The ID number can only contain digits, not “O”."),
        ("022-090-123456", "The ID number can only contain digits, not “-”."),
        ("٠٢٢٠٩٠١٢٣٤٥٦", "The ID number can only contain digits, not “٠”."),
    ],
)
def test_a_malformed_number_is_one_problem_on_the_number(number, message):
    problems = check_cccd(number, dt.date(1990, 3, 14), Sex.F)

    assert fields(problems) == ["document_number"]
    assert str(problems[0].message) == message


def test_a_number_from_no_province_is_a_problem_on_the_number():
    problems = check_cccd("003090123456", dt.date(1990, 3, 14), Sex.M)

    assert fields(problems) == ["document_number"]
    assert str(problems[0].message) == (
        "The ID number starts with 003, which is not a province code."
    )


def test_century_digit_of_the_wrong_century_is_a_problem_on_the_birth_date():
    problems = check_cccd("022290123456", dt.date(1990, 3, 14), Sex.M)

    assert fields(problems) == ["birth_date"]
    assert str(problems[0].message) == ("The ID number gives 2090 as the year of birth, not 1990.")


def test_two_digit_year_that_differs_is_a_problem_on_the_birth_date():
    problems = check_cccd("022091123456", dt.date(1990, 12, 31), Sex.M)

    assert fields(problems) == ["birth_date"]
    assert "gives 1991" in str(problems[0].message)


def test_every_problem_of_a_well_formed_number_is_reported():
    problems = check_cccd("999391123456", dt.date(1990, 3, 14), Sex.M)

    assert fields(problems) == ["document_number", "sex", "birth_date"]


def test_province_codes_are_the_63_pre_merger_provinces_from_the_reference():
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["022"] == "Quảng Ninh"
    assert PROVINCE_CODES["010"] == "Lào Cai"
    assert PROVINCE_CODES["015"] == "Yên Bái"  # merged into Lào Cai in 2025, still on cards
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["079"] == "Hồ Chí Minh"
    assert min(PROVINCE_CODES) == "001"
    assert max(PROVINCE_CODES) == "096"


def test_problems_are_translated_when_shown(app):
    (problem,) = check_cccd("022190123456", dt.date(1990, 3, 14), Sex.M)

    with app.test_request_context("/vi/"), force_locale("vi"):
        shown = str(problem.message)
    assert shown == (
        "Số định danh này là của nữ (chữ số thứ 4 là 1), nhưng khách được khai là nam."
    )


def cccd_number(province, birth_date, sex, serial):
    century_code = 2 * ((birth_date.year - 1900) // 100) + (0 if sex == Sex.M else 1)
    return f"{province}{century_code}{birth_date.year % 100:02d}{serial:06d}"


cccd_birth_dates = st.dates(dt.date(1900, 1, 1), dt.date(2399, 12, 31))


@given(
    province=st.sampled_from(sorted(PROVINCE_CODES)),
    birth_date=cccd_birth_dates,
    sex=st.sampled_from(Sex),
    serial=st.integers(0, 999_999),
)
def test_any_number_built_by_the_rules_is_valid(province, birth_date, sex, serial):
    number = cccd_number(province, birth_date, sex, serial)

    assert check_cccd(number, birth_date, sex) == []
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert check_cccd(spaced, birth_date, sex) == []


@given(
    province=st.sampled_from(sorted(PROVINCE_CODES)),
    birth_date=cccd_birth_dates,
    sex=st.sampled_from(Sex),
    serial=st.integers(0, 999_999),
    other_year=st.integers(1, 9999),
)
def test_a_number_checked_against_another_birth_year_is_caught(
    province, birth_date, sex, serial, other_year
):
    number = cccd_number(province, birth_date, sex, serial)
    other = dt.date(other_year, 1, 1)

    problems = check_cccd(number, other, sex)

    assert fields(problems) == ([] if other_year == birth_date.year else ["birth_date"])


# --- CCCD QR code --------------------------------------------------------------------

QR = "022090123456|012345678|Nguyễn Văn An|14031990|Nam|Tổ 5, phường Hồng Gai, Quảng Ninh|15042021"


def test_qr_payload_is_read_field_by_field():
    assert parse_cccd_qr(QR) == CccdQrData(
        id_number="022090123456",
        old_id_number="012345678",
        full_name="Nguyễn Văn An",
        birth_date=dt.date(1990, 3, 14),
        sex=Sex.M,
        address="Tổ 5, phường Hồng Gai, Quảng Ninh",
        issue_date=dt.date(2021, 4, 15),
    )


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r", "  \n", "\t"])
def test_qr_payload_typed_by_a_scanner_with_enter_is_read(ending):
    assert parse_cccd_qr(QR + ending) == parse_cccd_qr(QR)


def test_qr_payload_without_an_old_id_number_is_read():
    data = parse_cccd_qr("022305123456||Trần Thị Bình|01022005|Nữ|Hạ Long|10102023")

    assert data.old_id_number == ""
    assert data.sex == Sex.F


@pytest.mark.parametrize("sex", ["Nu", "NỮ", "nu\u031b\u0303"])
def test_qr_sex_is_read_whatever_the_scanner_did_to_the_accents(sex):
    data = parse_cccd_qr(f"022305123456||Trần Thị Bình|01022005|{sex}|Hạ Long|10102023")

    assert data.sex == Sex.F


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            "022090123456|012345678|Nguyễn Văn An|14031990|Nam|Hạ Long",
            "qr",
            "This is not a CCCD QR code: it has 6 fields separated by “|”, a CCCD QR code has 7.",
        ),
        ("https://example.com/", "qr", None),
        ("02209012345|012345678|A|14031990|Nam|Hạ Long|15042021", "qr.id_number", None),
        ("022090123456|01234567|A|14031990|Nam|Hạ Long|15042021", "qr.old_id_number", None),
        ("022090123456|012345678||14031990|Nam|Hạ Long|15042021", "qr.full_name", None),
        (
            "022090123456|012345678|A|31021990|Nam|Hạ Long|15042021",
            "qr.birth_date",
            "The birth date in the QR code, “31021990”, is not a date.",
        ),
        ("022090123456|012345678|A|1990-03-14|Nam|Hạ Long|15042021", "qr.birth_date", None),
        ("022090123456|012345678|A|14031990|M|Hạ Long|15042021", "qr.sex", None),
        ("022090123456|012345678|A|14031990|Nam|Hạ Long|2021", "qr.issue_date", None),
    ],
)
def test_malformed_qr_payload_is_rejected_on_its_field(payload, field, message):
    with pytest.raises(DocumentError) as caught:
        parse_cccd_qr(payload)

    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)
    if message:
        assert str(caught.value.message) == message


# --- MRZ: a builder that knows nothing of the code under test ------------------------

MRZ_VALUES = {c: i for i, c in enumerate(string.digits + string.ascii_uppercase)} | {"<": 0}


def digit(data):
    weighted = (MRZ_VALUES[c] * w for c, w in zip(data, itertools.cycle((7, 3, 1))))
    return str(sum(weighted) % 10)


def name_field(surname, given_names, width):
    name = surname.replace(" ", "<") + "<<" + given_names.replace(" ", "<")
    assert len(name) <= width
    return name.ljust(width, "<")


def td3_mrz(
    *,
    doc_type="P",
    state="UTO",
    surname="ERIKSSON",
    given_names="ANNA MARIA",
    number="L898902C3",
    nationality="UTO",
    birth="740812",
    sex="F",
    expiry="120415",
    personal="ZE184226B",
    empty_personal_check="<",
):
    number = number.ljust(9, "<")
    personal = personal.ljust(14, "<")
    personal_check = digit(personal) if personal.strip("<") else empty_personal_check
    line2 = (
        f"{number}{digit(number)}{nationality.ljust(3, '<')}{birth}{digit(birth)}{sex}"
        f"{expiry}{digit(expiry)}{personal}{personal_check}"
    )
    line2 += digit(line2[0:10] + line2[13:20] + line2[21:43])
    line1 = doc_type.ljust(2, "<") + state.ljust(3, "<") + name_field(surname, given_names, 39)
    return f"{line1}\n{line2}"


def td1_mrz(
    *,
    doc_type="I",
    state="UTO",
    number="D23145890",
    optional="",
    birth="740812",
    sex="F",
    expiry="120415",
    nationality="UTO",
    optional_2="",
    surname="ERIKSSON",
    given_names="ANNA MARIA",
):
    if len(number) > 9:  # Doc 9303-5: the rest of the number, then its check digit
        number_part = f"{number[:9]}<{number[9:]}{digit(number)}<{optional}"
    else:
        number_part = f"{number.ljust(9, '<')}{digit(number.ljust(9, '<'))}{optional}"
    line1 = (doc_type.ljust(2, "<") + state.ljust(3, "<") + number_part).ljust(30, "<")
    line2 = (
        f"{birth}{digit(birth)}{sex}{expiry}{digit(expiry)}"
        f"{nationality.ljust(3, '<')}{optional_2.ljust(11, '<')}"
    )
    line2 += digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    return f"{line1}\n{line2}\n{name_field(surname, given_names, 30)}"


TD3_SPECIMEN = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)
TD1_SPECIMEN = (
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)


def test_the_builder_reproduces_the_icao_specimens():
    assert td3_mrz() == TD3_SPECIMEN
    assert td1_mrz() == TD1_SPECIMEN


@pytest.mark.parametrize(("data", "expected"), [("L898902C3", "6"), ("ZE184226B<<<<<", "1")])
def test_check_digit_of_the_icao_specimen(data, expected):
    assert check_digit(data) == expected


def test_icao_passport_specimen_is_read():
    assert parse_mrz(TD3_SPECIMEN, today=TODAY) == MrzData(
        layout="TD3",
        document_type="P",
        issuing_state="UTO",
        surname="ERIKSSON",
        given_names="ANNA MARIA",
        document_number="L898902C3",
        nationality="UTO",
        birth_date=dt.date(1974, 8, 12),
        sex=Sex.F,
        expiry_date=dt.date(2012, 4, 15),
        optional_data="ZE184226B",
    )


def test_icao_id_card_specimen_is_read():
    assert parse_mrz(TD1_SPECIMEN, today=TODAY) == MrzData(
        layout="TD1",
        document_type="I",
        issuing_state="UTO",
        surname="ERIKSSON",
        given_names="ANNA MARIA",
        document_number="D23145890",
        nationality="UTO",
        birth_date=dt.date(1974, 8, 12),
        sex=Sex.F,
        expiry_date=dt.date(2012, 4, 15),
        optional_data="",
        optional_data_2="",
    )


@pytest.mark.parametrize(
    "pasted",
    [
        f"\n\n  {TD3_SPECIMEN.lower()}  \n\n",
        TD3_SPECIMEN.replace("\n", "\r\n") + "\r\n",
        "\t" + TD3_SPECIMEN.replace("\n", "\n\n   \n\t"),
        TD3_SPECIMEN.replace("\n", ""),  # a scanner that sends no line break
        TD3_SPECIMEN.replace("\n", " "),
    ],
)
def test_a_sloppy_paste_of_the_passport_specimen_is_read(pasted):
    assert parse_mrz(pasted, today=TODAY) == parse_mrz(TD3_SPECIMEN, today=TODAY)


def test_a_sloppy_paste_of_the_id_card_specimen_is_read():
    pasted = "  " + TD1_SPECIMEN.lower().replace("\n", "\r\n\r\n") + "\n"

    assert parse_mrz(pasted, today=TODAY) == parse_mrz(TD1_SPECIMEN, today=TODAY)


@pytest.mark.parametrize(
    ("line2", "field"),
    [
        ("L898902C46UTO7408122F1204159ZE184226B<<<<<10", "mrz.document_number"),
        ("L898902C37UTO7408122F1204159ZE184226B<<<<<10", "mrz.document_number"),
        ("L8989O2C36UTO7408122F1204159ZE184226B<<<<<10", "mrz.document_number"),  # O for 0
        ("L898902C36UTO7408132F1204159ZE184226B<<<<<10", "mrz.birth_date"),
        ("L898902C36UTO7408122F1204169ZE184226B<<<<<10", "mrz.expiry_date"),
        ("L898902C36UTO7408122F1204158ZE184226B<<<<<10", "mrz.expiry_date"),
        ("L898902C36UTO7408122F1204159ZE184227B<<<<<10", "mrz.personal_number"),
        ("L898902C36UTO7408122F1204159ZE184226B<<<<<11", "mrz.composite"),
    ],
)
def test_a_tampered_passport_digit_is_rejected_on_its_field(line2, field):
    line1 = TD3_SPECIMEN.splitlines()[0]

    with pytest.raises(DocumentError) as caught:
        parse_mrz(f"{line1}\n{line2}", today=TODAY)

    assert caught.value.field == field
    assert "check digit" in str(caught.value.message)


def test_the_message_names_the_check_digit_that_failed():
    tampered = TD3_SPECIMEN.replace("1204159", "1204169")

    with pytest.raises(DocumentError) as caught:
        parse_mrz(tampered, today=TODAY)

    assert str(caught.value.message) == (
        "The expiry date in the MRZ does not match its check digit. "
        "Scan it again, or compare it with the printed page."
    )


@pytest.mark.parametrize(
    ("tampered", "field"),
    [
        (TD1_SPECIMEN.replace("D231458907", "D231458807"), "mrz.document_number"),
        (TD1_SPECIMEN.replace("7408122F", "7408121F"), "mrz.birth_date"),
        (TD1_SPECIMEN.replace("1204159UTO", "1204150UTO"), "mrz.expiry_date"),
        (TD1_SPECIMEN.replace("<<<6\n", "<<<5\n"), "mrz.composite"),
        (TD1_SPECIMEN.replace("7<<<<<<<<<<<<<<<\n", "7<<<<<<<<<<<<<<1\n"), "mrz.composite"),
    ],
)
def test_a_tampered_id_card_digit_is_rejected_on_its_field(tampered, field):
    with pytest.raises(DocumentError) as caught:
        parse_mrz(tampered, today=TODAY)

    assert caught.value.field == field


@pytest.mark.parametrize("check", ["<", "0"])
def test_an_unused_personal_number_may_have_a_filler_or_zero_check_digit(check):
    mrz = td3_mrz(personal="", empty_personal_check=check)

    assert parse_mrz(mrz, today=TODAY).optional_data == ""


def test_an_id_card_number_longer_than_nine_characters_is_read_and_checked():
    mrz = td1_mrz(number="D23145890734", optional="XY")

    data = parse_mrz(mrz, today=TODAY)

    assert data.document_number == "D23145890734"
    assert data.optional_data == "XY"
    with pytest.raises(DocumentError) as caught:
        parse_mrz(mrz.replace("<7349<", "<7359<"), today=TODAY)
    assert caught.value.field == "mrz.document_number"


def test_a_vietnamese_passport_is_read_with_its_codes_and_unspecified_sex():
    mrz = td3_mrz(
        state="VNM",
        surname="NGUYEN",
        given_names="THI ANH",
        number="C1234567",
        nationality="VNM",
        birth="950101",
        sex="<",
        expiry="330101",
        personal="",
    )

    data = parse_mrz(mrz, today=TODAY)

    assert (data.issuing_state, data.nationality, data.document_number) == (
        "VNM",
        "VNM",
        "C1234567",
    )
    assert (data.surname, data.given_names, data.sex) == ("NGUYEN", "THI ANH", None)


@pytest.mark.parametrize("sex", ["<", "X"])
def test_an_unspecified_sex_is_read_as_none(sex):
    assert parse_mrz(td3_mrz(sex=sex), today=TODAY).sex is None


def test_a_german_passport_has_a_one_letter_state_code():
    data = parse_mrz(td3_mrz(state="D", nationality="D"), today=TODAY)

    assert (data.issuing_state, data.nationality) == ("D", "D")


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        ("260501", dt.date(2026, 5, 1)),  # born today
        ("260502", dt.date(1926, 5, 2)),  # "tomorrow" is a century ago
        ("300101", dt.date(1930, 1, 1)),
        ("050101", dt.date(2005, 1, 1)),
        ("000229", dt.date(2000, 2, 29)),
    ],
)
def test_a_birth_year_in_the_future_is_in_the_previous_century(birth, expected):
    assert parse_mrz(td3_mrz(birth=birth), today=TODAY).birth_date == expected


@pytest.mark.parametrize(("expiry", "expected"), [("991231", 2099), ("000101", 2000)])
def test_an_expiry_year_is_always_in_the_2000s(expiry, expected):
    assert parse_mrz(td3_mrz(expiry=expiry), today=TODAY).expiry_date.year == expected


@pytest.mark.parametrize(
    ("mrz", "field"),
    [
        (td3_mrz(birth="741312"), "mrz.birth_date"),
        (td3_mrz(birth="7408<<"), "mrz.birth_date"),
        (td3_mrz(expiry="120230"), "mrz.expiry_date"),
        (td3_mrz(sex="Q"), "mrz.sex"),
        (td3_mrz(doc_type="V"), "mrz.document_type"),
        (td1_mrz(expiry="121315"), "mrz.expiry_date"),
        (td1_mrz(sex="1"), "mrz.sex"),
    ],
)
def test_a_field_with_correct_check_digits_but_no_meaning_is_rejected(mrz, field):
    with pytest.raises(DocumentError) as caught:
        parse_mrz(mrz, today=TODAY)

    assert caught.value.field == field


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            TD3_SPECIMEN[:-1],
            (
                "An MRZ has 2 lines of 44 characters (passport) or 3 lines of 30 (ID card); "
                "this one has 2 lines of 44, 43 characters."
            ),
        ),
        (
            TD3_SPECIMEN.replace("<", "«", 1),
            "“«” cannot appear in an MRZ, which has only the letters A–Z, digits and “<”.",
        ),
        (TD3_SPECIMEN.replace("A", "ß", 1), None),  # not upper-cased into "SS"
        ("  \n ", None),
        (TD1_SPECIMEN.splitlines()[0], None),
    ],
)
def test_text_that_is_no_mrz_is_rejected(text, message):
    with pytest.raises(DocumentError) as caught:
        parse_mrz(text, today=TODAY)

    assert caught.value.field == "mrz"
    if message:
        assert str(caught.value.message) == message


def test_today_defaults_to_the_date_in_vietnam():
    assert parse_mrz(TD3_SPECIMEN).birth_date == dt.date(1974, 8, 12)


# --- MRZ properties ------------------------------------------------------------------

ALNUM = string.ascii_uppercase + string.digits


def words(max_words, max_length, *, min_words=1):
    word = st.text(string.ascii_uppercase, min_size=1, max_size=max_length)
    return st.lists(word, min_size=min_words, max_size=max_words).map(" ".join)


codes = st.text(string.ascii_uppercase, min_size=1, max_size=3)
document_numbers = st.text(ALNUM, min_size=1, max_size=9)
# Parsed back the same only within a century of "today" (see the pivot in mrz.py).
birth_dates = st.dates(dt.date(1926, 5, 2), TODAY)
expiry_dates = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))
sexes = st.sampled_from([Sex.M, Sex.F, None])


def yymmdd(date):
    return date.strftime("%y%m%d")


def sex_code(sex):
    return sex.value if sex else "<"


@st.composite
def passports(draw):
    values = {
        "document_type": draw(st.sampled_from(["P", "PO", "PD", "PS"])),
        "issuing_state": draw(codes),
        "surname": draw(words(2, 10)),  # at most 21 + "<<" + 15 of the 39 places
        "given_names": draw(words(2, 7, min_words=0)),
        "document_number": draw(document_numbers),
        "nationality": draw(codes),
        "birth_date": draw(birth_dates),
        "sex": draw(sexes),
        "expiry_date": draw(expiry_dates),
        "optional_data": draw(st.text(ALNUM, max_size=14)),
    }
    mrz = td3_mrz(
        doc_type=values["document_type"],
        state=values["issuing_state"],
        surname=values["surname"],
        given_names=values["given_names"],
        number=values["document_number"],
        nationality=values["nationality"],
        birth=yymmdd(values["birth_date"]),
        sex=sex_code(values["sex"]),
        expiry=yymmdd(values["expiry_date"]),
        personal=values["optional_data"],
        empty_personal_check=draw(st.sampled_from("<0")),
    )
    return mrz, MrzData(layout="TD3", **values)


@st.composite
def id_cards(draw):
    values = {
        "document_type": draw(st.sampled_from(["I", "ID", "A", "AC", "C", "IR"])),
        "issuing_state": draw(codes),
        "surname": draw(words(2, 7)),  # at most 15 + "<<" + 13 of the 30 places
        "given_names": draw(words(2, 6, min_words=0)),
        "document_number": draw(document_numbers),
        "nationality": draw(codes),
        "birth_date": draw(birth_dates),
        "sex": draw(sexes),
        "expiry_date": draw(expiry_dates),
        "optional_data": draw(st.text(ALNUM, max_size=15)),
        "optional_data_2": draw(st.text(ALNUM, max_size=11)),
    }
    mrz = td1_mrz(
        doc_type=values["document_type"],
        state=values["issuing_state"],
        surname=values["surname"],
        given_names=values["given_names"],
        number=values["document_number"],
        optional=values["optional_data"],
        nationality=values["nationality"],
        birth=yymmdd(values["birth_date"]),
        sex=sex_code(values["sex"]),
        expiry=yymmdd(values["expiry_date"]),
        optional_2=values["optional_data_2"],
    )
    return mrz, MrzData(layout="TD1", **values)


@given(passports())
def test_any_passport_mrz_reads_back_what_was_written(passport):
    mrz, expected = passport

    assert parse_mrz(mrz, today=TODAY) == expected


@given(id_cards())
def test_any_id_card_mrz_reads_back_what_was_written(id_card):
    mrz, expected = id_card

    assert parse_mrz(mrz, today=TODAY) == expected


# Where a changed digit must be reported: (field, line, start, end) of each checked part.
TD3_CHECKED_PARTS = [
    ("mrz.document_number", 1, 0, 10),
    ("mrz.birth_date", 1, 13, 20),
    ("mrz.expiry_date", 1, 21, 28),
    ("mrz.personal_number", 1, 28, 43),
    ("mrz.composite", 1, 43, 44),
]
TD1_CHECKED_PARTS = [
    ("mrz.document_number", 0, 5, 15),
    ("mrz.composite", 0, 15, 30),  # the optional data has no check digit of its own
    ("mrz.birth_date", 1, 0, 7),
    ("mrz.expiry_date", 1, 8, 15),
    ("mrz.composite", 1, 18, 30),
]


def change_one_digit(draw, mrz, parts):
    lines = mrz.splitlines()
    positions = [
        (field, line, i)
        for field, line, start, end in parts
        for i in range(start, end)
        if lines[line][i].isdigit()
    ]
    field, line, i = draw(st.sampled_from(positions))
    old = lines[line][i]
    new = draw(st.sampled_from([d for d in string.digits if d != old]))
    lines[line] = lines[line][:i] + new + lines[line][i + 1 :]
    return "\n".join(lines), field


@given(passports(), st.data())
def test_any_changed_digit_in_a_passport_number_field_is_caught(passport, data):
    tampered, field = change_one_digit(data.draw, passport[0], TD3_CHECKED_PARTS)

    with pytest.raises(DocumentError) as caught:
        parse_mrz(tampered, today=TODAY)

    assert caught.value.field == field


@given(id_cards(), st.data())
def test_any_changed_digit_in_an_id_card_number_field_is_caught(id_card, data):
    tampered, field = change_one_digit(data.draw, id_card[0], TD1_CHECKED_PARTS)

    with pytest.raises(DocumentError) as caught:
        parse_mrz(tampered, today=TODAY)

    assert caught.value.field == field


# --- Passport expiry -----------------------------------------------------------------


def test_a_passport_that_expired_before_arrival_is_a_problem():
    problems = check_passport_expiry(dt.date(2026, 4, 30), arrival=dt.date(2026, 5, 1))

    assert fields(problems) == ["document_expiry"]
    assert str(problems[0].message) == (
        "The document expired on 2026-04-30, before the arrival on 2026-05-01."
    )


@pytest.mark.parametrize("expiry", [dt.date(2026, 5, 1), dt.date(2036, 5, 1)])
def test_a_passport_valid_on_the_arrival_day_is_fine(expiry):
    assert check_passport_expiry(expiry, arrival=dt.date(2026, 5, 1)) == []
