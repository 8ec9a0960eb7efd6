"""Answers are written by orjson (service/encoding.py): UTF-8 text, and what orjson refuses still answered."""
from __future__ import annotations

import json

import orjson
import pytest

from heuristics import clean
from service.encoding import encode, encode_line
from service_helpers import jsonable, without_version

GERMAN = "Die Gespräche in Genf wurden am Montag fortgesetzt, teilten Beamte mit – „konstruktiv“, hieß es.\nTeilen"


def test_answer_is_utf8_not_escapes_and_equals_the_library(server, http):
    response = http.post(server.url + "/v1/clean", data=GERMAN.encode(), headers={"Content-Type": "text/plain"})
    assert response.status_code == 200
    assert "Gespräche".encode() in response.content and b"\\u00e4" not in response.content
    assert without_version(response.json()) == jsonable(clean(GERMAN).to_dict())


def test_an_id_past_64_bits_is_answered_by_the_fallback(server, http):
    big = 2**70
    body = json.dumps({"documents": [{"id": big, "text": GERMAN}]})
    response = http.post(server.url + "/v1/clean/batch", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["id"] == big
    ndjson = http.post(server.url + "/v1/clean/batch", data=json.dumps({"id": big, "text": GERMAN}) + "\n",
                       headers={"Content-Type": "application/x-ndjson"})
    assert [json.loads(line)["id"] for line in ndjson.text.splitlines()] == [big]


def test_encode_matches_the_standard_library_and_falls_back():
    value = {"text": "naïve – ok", "n": [1, 2.5, None, True], "nested": {"ö": "x"}}
    assert json.loads(encode(value)) == value
    assert encode({"id": 2**70}) == b'{"id":1180591620717411303424}'
    with pytest.raises(orjson.JSONEncodeError):  # why the fallback is there
        orjson.dumps({"id": 2**70})


@pytest.mark.parametrize("value", [
    {"text": "naïve – ok", "n": [1, 2.5, None, True], "nested": {"ö": "x"}},
    {"id": 2**70, "text": "past 64 bits: the standard library writes it"},
    [],
])
def test_encode_line_is_encode_and_a_newline(value):
    assert encode_line(value) == encode(value) + b"\n"
