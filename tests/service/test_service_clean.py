"""POST /v1/clean on the real server gives exactly what the library gives."""
from __future__ import annotations

import pytest
from service_helpers import jsonable, seed_texts, without_version

from heuristics import clean, engine_info

SEEDS = seed_texts()
SEED_IDS = [name for name, _ in SEEDS]


@pytest.mark.parametrize(("name", "text"), SEEDS, ids=SEED_IDS)
def test_plain_text_seed_equals_library(server, http, name, text):
    response = http.post(server.url + "/v1/clean", data=text.encode(), headers={"Content-Type": "text/plain"})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert without_version(response.json()) == jsonable(clean(text).to_dict())


@pytest.mark.parametrize(("name", "text"), SEEDS, ids=SEED_IDS)
def test_json_seed_with_options_equals_library(server, http, name, text):
    body = {"text": text, "url": "https://example.org/news/1", "source": "Example News",
            "options": {"mode": "precision", "explain": True, "keep": ["caption"]}}
    response = http.post(server.url + "/v1/clean", json=body)
    assert response.status_code == 200, response.text
    expected = clean(text, url=body["url"], source=body["source"], mode="precision", explain=True, keep=["caption"])
    got = response.json()
    assert without_version(got) == jsonable(expected.to_dict())
    assert "lines" in got


def test_query_options_apply_to_plain_text(server, http):
    _, text = SEEDS[0]
    response = http.post(server.url + "/v1/clean?mode=recall&explain=true&keep=credit,caption&source=TASS",
                         data=text.encode(), headers={"Content-Type": "text/plain; charset=utf-8"})
    assert response.status_code == 200, response.text
    expected = clean(text, mode="recall", explain=True, keep=["credit", "caption"], source="TASS")
    assert without_version(response.json()) == jsonable(expected.to_dict())


def test_html_document_equals_library(server, http):
    html = ("<html><head><title>Rain in Spain</title></head><body><nav>Home | World | Sport</nav>"
            "<article><h1>Rain in Spain</h1><p>It rained in Madrid on Tuesday, the weather service said, "
            "and more rain is expected over the weekend across the central plateau.</p>"
            "<p>Share this article on Facebook</p></article></body></html>")
    response = http.post(server.url + "/v1/clean", json={"html": html, "url": "https://example.org/rain"})
    assert response.status_code == 200, response.text
    assert without_version(response.json()) == jsonable(clean(html=html, url="https://example.org/rain").to_dict())


def test_version_block_is_the_engines(server, http):
    response = http.post(server.url + "/v1/clean", json={"text": "One line of text."})
    assert response.json()["version"] == jsonable(engine_info())


def test_request_id_is_echoed_or_minted(server, http):
    given = http.post(server.url + "/v1/clean", json={"text": "x"}, headers={"X-Request-ID": "trace-42.a"})
    assert given.headers["X-Request-ID"] == "trace-42.a"
    minted = http.post(server.url + "/v1/clean", json={"text": "x"}, headers={"X-Request-ID": "bad id with spaces"})
    assert minted.headers["X-Request-ID"] not in ("", "bad id with spaces")
    assert len(minted.headers["X-Request-ID"]) == 32
