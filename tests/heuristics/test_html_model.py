"""The HTML-aware model: shipped, chosen for lines from a page, refused when its columns are not the
code's (the text model stands in), its training pieces; and the fast path never calls trafilatura."""
from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from heuristics import clean
from heuristics.html import lines as html_module
from heuristics.html import model as html_model
from heuristics import model as line_model
from heuristics import scoring
from heuristics.html.lines import lines_from_html
from heuristics.html.features import page_structure, pass_names
from heuristics.segment import segment_text
from devtools.train import build_doc
from devtools.train_html import HTML

from test_html import ARTICLE, PROSE, PROSE2

MODELS = Path(str(resources.files("heuristics").joinpath("models")))


@pytest.fixture
def fresh_choice():
    """Forget the loaded HTML model before and after a test that changes what loading sees."""
    scoring._html_artifact.cache_clear()
    yield
    scoring._html_artifact.cache_clear()


def test_the_html_card_describes_a_model_of_the_codes_columns():
    card = json.loads((MODELS / html_model.CARD_NAME).read_text("utf-8"))
    first, second = pass_names()
    assert card["kind"] == "html"
    assert card["first_features"] == list(first) and card["second_features"] == list(second)
    assert card["thresholds"]["recall"] <= card["thresholds"]["balanced"] <= card["thresholds"]["precision"]
    assert sum((MODELS / name).stat().st_size for name in card["files"].values()) < 5_000_000


def test_html_lines_are_scored_by_the_html_model_and_text_by_the_text_model():
    page_lines, _ = lines_from_html(ARTICLE)
    chosen = scoring._for(page_lines)
    assert isinstance(chosen, html_model.HtmlLineModel)
    assert scoring.thresholds(page_lines) == chosen.thresholds
    text_model = scoring._for(segment_text(f"Home\n{PROSE}\n"))
    assert text_model is not None and not isinstance(text_model, html_model.HtmlLineModel)
    assert scoring.thresholds() == text_model.thresholds


def test_text_lines_that_match_no_block_of_the_page_use_the_text_model():
    lines, _ = lines_from_html(ARTICLE, text="A line the page does not have at all\nAnother one\n")
    assert not html_model.has_signals(lines)
    assert not isinstance(scoring._for(lines), html_model.HtmlLineModel)


def test_the_html_model_keeps_the_body_and_scores_chrome_lower():
    result = clean(html=ARTICLE, explain=True)
    assert PROSE in result.paragraphs and PROSE2 in result.paragraphs
    score = {trace.text: trace.score for trace in result.lines}
    assert min(score[PROSE], score[PROSE2]) > max(score["Home"], score["Copyright 2024 Town Courier"])
    assert all(trace.contributions for trace in result.lines if trace.text)


def test_a_card_trained_on_other_columns_is_not_loaded(tmp_path):
    for name in ("html_model_1.txt", "html_model_2.txt"):
        shutil.copy(MODELS / name, tmp_path / name)
    card = json.loads((MODELS / html_model.CARD_NAME).read_text("utf-8"))
    assert html_model.load(MODELS) is not None
    card["first_features"] = card["first_features"][:-1] + ["a_feature_the_code_lost"]
    (tmp_path / html_model.CARD_NAME).write_text(json.dumps(card), "utf-8")
    assert html_model.load(tmp_path) is None
    assert html_model.load(tmp_path / "empty") is None


def test_feature_mismatch_falls_back_to_the_text_model_without_failing(monkeypatch, fresh_choice):
    first, second = pass_names()
    monkeypatch.setattr(html_model, "pass_names", lambda: (first + ("new_text_feature",), second))
    page_lines, _ = lines_from_html(ARTICLE)
    chosen = scoring._for(page_lines)
    assert chosen is not None and not isinstance(chosen, html_model.HtmlLineModel)
    result = clean(html=ARTICLE)
    assert PROSE in result.paragraphs and "Home" not in result.paragraphs


def test_the_fast_path_never_calls_trafilatura(monkeypatch):
    calls = []
    monkeypatch.setattr(html_module, "trafilatura_text", lambda page: calls.append(page) or PROSE)
    assert PROSE2 in clean(html=ARTICLE).paragraphs
    assert calls == []
    assert clean(html=ARTICLE, extractor="trafilatura").paragraphs == [PROSE]
    assert len(calls) == 1


def test_page_structure_gives_words_and_element_ids_per_non_blank_line():
    lines, _ = lines_from_html(ARTICLE)
    structure = page_structure(lines)
    kept = [line for line in lines if line.text]
    assert structure.shape == (len(kept), 4)
    body = next(i for i, line in enumerate(kept) if line.text == PROSE)
    nav = next(i for i, line in enumerate(kept) if line.text == "Home")
    assert structure[body, 0] == kept[body].words and structure[body, 3] == 1 and structure[nav, 3] == 0
    assert structure[body, 1] != structure[nav, 1]


def test_training_pages_get_the_models_columns_and_gold_labels():
    record = {"id": "t/1", "dataset": "t", "html": ARTICLE, "gold": f"{PROSE}\n{PROSE2}"}
    doc = build_doc(record, "fast", HTML)
    first, _ = pass_names()
    assert doc.matrix.shape == (len(doc.rows), len(first)) and len(doc.structure) == len(doc.rows)
    labelled = dict(zip(doc.pieces, doc.labels.tolist()))
    assert labelled[PROSE] == labelled[PROSE2] == 1.0
    assert labelled["Home"] == labelled["Copyright 2024 Town Courier"] == 0.0
    assert build_doc({**record, "html": "<div>" * 3000}, "fast", HTML) is None
    assert np.isfinite(doc.share).all()
