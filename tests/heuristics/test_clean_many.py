"""heuristics.clean_many: input order, one result or one DocumentError per document, lazy, options merged."""
from __future__ import annotations

from pathlib import Path

import pytest

from heuristics import CleanResult, DocumentError, clean, clean_many

SEEDS = [path.read_text(encoding="utf-8") for path in sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))]


def test_results_follow_input_order_and_equal_clean():
    docs = [SEEDS[0], {"text": SEEDS[1], "url": "https://example.org/b"}, {"html": "<p>" + SEEDS[2] + "</p>"}]
    results = list(clean_many(docs, mode="precision"))
    assert results == [clean(SEEDS[0], mode="precision"),
                       clean(SEEDS[1], url="https://example.org/b", mode="precision"),
                       clean(html="<p>" + SEEDS[2] + "</p>", mode="precision")]


def test_a_bad_document_gets_an_error_in_place_and_the_batch_goes_on():
    docs = [SEEDS[0], 42, {"id": "x", "text": "t", "options": {"mode": "nope"}}, {"txt": "typo"},
            {"id": 7, "url": "https://example.org"}, {"text": "t", "options": {"verbose": True}}, SEEDS[3]]
    results = list(clean_many(docs))
    assert isinstance(results[0], CleanResult) and isinstance(results[-1], CleanResult)
    assert results[1] == DocumentError(1, 400, "a document is a string or a mapping, not int", "document")
    assert (results[2].status, results[2].field, results[2].id) == (422, "mode", "x")
    assert (results[3].status, results[3].field) == (422, "txt")
    assert (results[4].index, results[4].field, results[4].id) == (4, "text", 7)
    assert results[5].field == "options.verbose"
    assert results[-1] == clean(SEEDS[3])


def test_a_document_options_override_the_call_options():
    results = list(clean_many([SEEDS[2], {"text": SEEDS[2], "options": {"keep": ["byline", "caption"]}}],
                              keep=["credit"]))
    assert results == [clean(SEEDS[2], keep=["credit"]), clean(SEEDS[2], keep=["byline", "caption"])]


def test_reads_one_document_at_a_time():
    pulled = []

    def docs():
        for text in SEEDS:
            pulled.append(text)
            yield text

    stream = clean_many(docs())
    next(stream)
    assert len(pulled) == 1


def test_an_unknown_option_for_the_whole_call_is_a_type_error():
    with pytest.raises(TypeError, match="verbose"):
        next(clean_many(SEEDS, verbose=True))
