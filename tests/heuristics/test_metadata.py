"""Stage 5: metadata fields, dates in ISO 8601, a stable near-duplicate fingerprint."""
import pytest

from heuristics import clean
from heuristics.metadata import body_words, parse_date, simhash, split_list
from heuristics.result import METADATA_FIELDS

BODY = ("The council approved the new budget on Tuesday after a long debate about schools, roads "
        "and the future of the town library.")


@pytest.mark.parametrize("value,language,expected", [
    ("2022-02-04", "en", "2022-02-04"),
    ("05:55 GMT 15.12.2021", "en", "2021-12-15T05:55:00+00:00"),
    ("13 December 2021, 15:12 GMT", "en", "2021-12-13T15:12:00+00:00"),
    ("March 3, 2024", "en", "2024-03-03"),
    ("4. Februar 2022, 10:15 Uhr", "de", "2022-02-04T10:15:00"),
    ("3 mars 2024", "fr", "2024-03-03"),
])
def test_dates_become_iso_8601(value, language, expected):
    assert parse_date(value, language) == expected


def test_unparseable_dates_are_none():
    assert parse_date("not a date at all", "en") is None


def test_fingerprint_is_stable_and_close_for_near_duplicates():
    text = (BODY + " ") * 6
    first, count = simhash(body_words(text))
    again, _ = simhash(body_words(text))
    edited, _ = simhash(body_words(text.replace("library", "museum", 1)))
    other, _ = simhash(body_words("A completely different text about football results and weather. " * 6))
    assert first == again and len(first) == 16 and count == len(text.split())
    distance = bin(int(first, 16) ^ int(edited, 16)).count("1")
    assert distance < bin(int(first, 16) ^ int(other, 16)).count("1")
    assert distance <= 8


def test_fingerprint_of_nothing_is_none():
    assert simhash("") == (None, 0)


def test_lists_split_on_commas_and_and():
    assert split_list("USA, Russia and Ukraine") == ["USA", "Russia", "Ukraine"]


def test_every_field_is_always_present():
    meta = clean("x").metadata
    assert set(METADATA_FIELDS) <= set(meta)
    assert meta["authors"] == [] and meta["tags"] == []


def test_fields_come_from_rule_groups_and_say_where_from():
    text = f"Budget passes in town\nBy Jane Doe and John Roe\nPublished March 3, 2024\n{BODY}\n{BODY}"
    meta = clean(text, url="https://example.org/a", source="Example Times").metadata
    assert meta["title"] == "Budget passes in town"
    assert meta["authors"] == ["Jane Doe", "John Roe"]
    assert meta["published"] == "2024-03-03"
    assert meta["source"] == "Example Times" and meta["url"] == "https://example.org/a"
    assert meta["sources"]["title"] == "text" and meta["sources"]["source"] == "caller"
