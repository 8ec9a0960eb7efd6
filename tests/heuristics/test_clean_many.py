"""heuristics.clean_many: input order, one result or one DocumentError per document, lazy, options merged;
the model stage runs once per batch and every result is the one ``clean`` gives."""
from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from heuristics import CleanResult, DocumentError, clean, clean_many
from heuristics import model as line_model
from heuristics.settings import SETTINGS

from test_html import ARTICLE

ROOT = Path(__file__).resolve().parents[2]

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


@pytest.mark.parametrize(("documents", "chars", "read"), [(2, 10**9, 2), (10, 1, 1), (10, len(SEEDS[0]) + len(SEEDS[1]), 2)])
def test_reads_one_batch_at_a_time_bounded_by_documents_and_characters(documents, chars, read):
    settings = replace(SETTINGS, batch_documents=documents, batch_chars=chars)
    pulled = []

    def docs():
        for text in SEEDS:
            pulled.append(text)
            yield {"html": text} if len(pulled) % 2 else text

    stream = clean_many(docs(), settings=settings)
    next(stream)
    assert len(pulled) == read


def real_documents() -> list[str]:
    """The repository's multilingual documents (one text each) and the seeds."""
    docs = []
    for path in sorted((ROOT / "tests" / "data" / "multilingual").glob("*.jsonl")):
        for row in map(json.loads, path.read_text("utf-8").splitlines()):
            docs.append("\n".join(line["text"] for line in row["lines"]))
    return docs + SEEDS


def count_predictions(monkeypatch) -> list[int]:
    """Rows per call of the model's predict, recorded from now on."""
    calls: list[int] = []
    original = line_model._predict

    def counted(booster, matrix):
        calls.append(len(matrix))
        return original(booster, matrix)

    monkeypatch.setattr(line_model, "_predict", counted)
    return calls


def test_one_prediction_per_pass_and_batch_and_the_results_of_clean(monkeypatch):
    docs = real_documents()
    expected = [clean(doc) for doc in docs]
    calls = count_predictions(monkeypatch)
    results = list(clean_many(docs, settings=replace(SETTINGS, batch_documents=16)))
    assert [result.to_dict() for result in results] == [result.to_dict() for result in expected]
    assert len(calls) == 2 * math.ceil(len(docs) / 16) and max(calls) > 100


def test_pages_explain_and_errors_in_one_batch_equal_clean_in_place():
    docs = real_documents()[:6]
    batch = [docs[0], {"html": ARTICLE, "id": "page"}, {"id": "bad", "text": docs[1], "options": {"mode": "nope"}},
             {"text": docs[2], "options": {"explain": True}}, 42, {"text": docs[3], "url": "https://example.org/x"},
             {"html": "<p>" + docs[4] + "</p>"}, docs[5]]
    results = list(clean_many(batch))
    assert (results[2].index, results[2].status, results[2].field, results[2].id) == (2, 422, "mode", "bad")
    assert (results[4].index, results[4].status) == (4, 400)
    assert results[:2] + results[3:4] + results[5:] == [
        clean(docs[0]), clean(html=ARTICLE), clean(docs[2], explain=True), clean(docs[3], url="https://example.org/x"),
        clean(html="<p>" + docs[4] + "</p>"), clean(docs[5])]
    assert results[3].lines and any(trace.contributions for trace in results[3].lines)


def test_a_document_past_its_time_budget_is_decided_by_rules_alone_in_a_batch(monkeypatch):
    docs = real_documents()[:4]
    calls = count_predictions(monkeypatch)
    results = list(clean_many([docs[0], {"text": docs[1], "options": {"time_budget": 1e-9}}, docs[2]]))
    assert any(warning.startswith("time_budget: exceeded before the model stage") for warning in results[1].warnings)
    assert not any(removal.rule == "model" for removal in results[1].removed)
    assert results[1] == clean(docs[1], time_budget=1e-9)
    assert sum(calls) == sum(len([line for line in doc.splitlines() if line.strip()]) for doc in (docs[0], docs[2])) * 2


def test_an_unknown_option_for_the_whole_call_is_a_type_error():
    with pytest.raises(TypeError, match="verbose"):
        next(clean_many(SEEDS, verbose=True))
