"""Training: labels, a small deterministic run on synthetic pages (text and HTML through one pipeline),
calibration, and the artifact round trip."""
import numpy as np
import pytest

from heuristics import model as line_model
from devtools import train
from devtools.train_html import HTML, html_lines
from heuristics.html.model import HtmlLineModel
from heuristics.rules import default_ruleset, match_lines
from heuristics.segment import segment_text

WORDS = ("river city council school garden budget library teacher market museum winter harvest station "
         "village doctor bridge festival").split()
FUNCTION = "the of and to in for on with was that".split()
MENU = ("Home", "News", "Sport", "Weather", "Contact", "About us", "Jobs", "Login", "Archive", "Video")


def _sentence(rng: np.random.Generator) -> str:
    words = [rng.choice(FUNCTION) if i % 2 else rng.choice(WORDS) for i in range(int(rng.integers(14, 30)))]
    return " ".join(words).capitalize() + "."


def synthetic_record(number: int) -> dict:
    """A page: menu lines, a body of sentence paragraphs, a footer; the gold is the body."""
    rng = np.random.default_rng(number)
    body = [_sentence(rng) for _ in range(int(rng.integers(3, 8)))]
    menu = list(rng.choice(MENU, size=int(rng.integers(3, 7)), replace=False))
    footer = [f"{rng.choice(MENU)} | {rng.choice(MENU)} | {rng.choice(MENU)}", "Copyright 2024 Example"]
    page = "\n".join(menu + body + footer)
    return {"id": f"synthetic/{number}", "dataset": "synthetic", "gold": "\n".join(body), "residue": page,
            "fulltext": page}


@pytest.fixture(scope="module")
def docs():
    return train.build_docs([synthetic_record(n) for n in range(48)], "r2")


SMALL = {"min_data_in_leaf": 5, "num_leaves": 7, "max_depth": 4}


def test_gold_share_follows_the_census_method():
    grams = train.gold_ngrams("The council approved the budget on Tuesday evening.")
    assert train.gold_share("the council approved the budget", grams) == 1.0
    assert train.gold_share("Share on Facebook", grams) == 0.0
    assert train.gold_share("the council approved the plan", grams) == pytest.approx(1 / 2)
    assert train.gold_share("Tuesday evening", grams) == 1.0
    assert train.gold_share("---", grams) == -1.0


def test_documents_carry_labels_and_rule_states(docs):
    doc = docs[0]
    assert len(doc.rows) == len(doc.pieces) == len(doc.share) == len(doc.matrix)
    assert set(doc.labels.tolist()) == {0.0, 1.0}
    assert set(doc.state) == {"precision", "balanced", "recall"}


def test_training_is_deterministic(docs):
    first_a, second_a = train.fit_stacked(docs[:32], SMALL, rounds=8, second_rounds=8)
    first_b, second_b = train.fit_stacked(docs[:32], SMALL, rounds=8, second_rounds=8)
    assert first_a.model_to_string() == first_b.model_to_string()
    assert second_a.model_to_string() == second_b.model_to_string()


def test_the_model_separates_menus_from_the_body(docs):
    first, second = train.fit_stacked(docs[:32], SMALL, rounds=20, second_rounds=20)
    held = docs[32:]
    scores = train.predict_stacked(first, second, held)
    body = np.concatenate([s[d.labels == 1] for d, s in zip(held, scores)])
    rest = np.concatenate([s[d.labels == 0] for d, s in zip(held, scores)])
    assert body.mean() > 0.8 > 0.2 > rest.mean()


def test_artifact_round_trip(docs, tmp_path):
    first, second = train.fit_stacked(docs[:32], SMALL, rounds=8, second_rounds=8)
    card = {"version": "test-1", "thresholds": {"precision": 0.6, "balanced": 0.5, "recall": 0.4},
            "first_features": list(train.FEATURE_NAMES), "second_features": list(train.STACK_NAMES),
            "smoothing": train.SMOOTHING_STAY}
    train.write_artifact(tmp_path, first, second, card)
    loaded = line_model.load(tmp_path)
    assert loaded.version == "test-1" and loaded.thresholds["balanced"] == 0.5
    record = synthetic_record(40)
    lines = segment_text(record["residue"])
    hits = match_lines(lines, default_ruleset(), "en")
    scores, contributions = loaded.score(lines, hits, "en", explain=True)
    expected = train.predict_stacked(first, second, [train.build_doc(record, "r2")])[0]
    assert scores.tolist() == pytest.approx(expected.tolist())
    assert all(len(c) == line_model.TOP_CONTRIBUTIONS for c in contributions)
    assert {name for c in contributions for name, _ in c} <= set(train.STACK_NAMES)


def test_a_model_for_other_features_is_refused(docs, tmp_path):
    first, second = train.fit_stacked(docs[:32], SMALL, rounds=4, second_rounds=4)
    card = {"version": "old", "thresholds": {}, "first_features": ["x"], "second_features": ["y"]}
    train.write_artifact(tmp_path, first, second, card)
    with pytest.raises(ValueError, match="other features"):
        line_model.load(tmp_path)


def test_a_folder_without_a_card_has_no_model(tmp_path):
    assert line_model.load(tmp_path) is None


def synthetic_page(number: int) -> dict:
    """``synthetic_record``'s page as HTML: the menu in a nav, the body in an article, the footer."""
    record = synthetic_record(number)
    lines = record["residue"].split("\n")
    body = record["gold"].split("\n")
    menu, footer = lines[: lines.index(body[0])], lines[lines.index(body[-1]) + 1:]
    html = ("<html lang='en'><body><nav><ul>" + "".join(f"<li><a href='/{i}'>{m}</a></li>" for i, m in enumerate(menu))
            + "</ul></nav><article>" + "".join(f"<p>{p}</p>" for p in body) + "</article><footer>"
            + "".join(f"<p>{f}</p>" for f in footer) + "</footer></body></html>")
    return {**record, "html": html}


def test_the_html_model_trains_through_the_same_pipeline_and_scores_as_the_engine_does():
    records = [synthetic_page(n) for n in range(40)]
    docs = train.build_docs(records, "fast", HTML)
    assert all(doc.structure is not None and len(doc.structure) == len(doc.rows) for doc in docs)
    first, second = train.fit_stacked(docs[:32], SMALL, rounds=8, second_rounds=8, recipe=HTML)
    assert first.feature_name() == list(HTML.names[0]) and second.feature_name() == list(HTML.names[1])
    model = HtmlLineModel(version="test", thresholds={}, first=first, second=second, names=HTML.names[1])
    record = records[36]
    lines = html_lines(record, "fast")
    hits = match_lines(lines, default_ruleset(), "en")
    expected = train.predict_stacked(first, second, [train.build_doc(record, "fast", HTML)], HTML)[0]
    assert model.score(lines, hits, "en")[0].tolist() == pytest.approx(expected.tolist(), abs=1e-6)


def test_calibration_picks_each_modes_best_threshold_and_html_orders_them():
    class Runs:
        """Balanced peaks at 0.4, precision at 0.2 (below balanced), recall at 0.6."""

        sources = ("a", "b")

        def summary(self, source, mode, threshold, model=True):
            peak = {"precision": 0.2, "balanced": 0.4, "recall": 0.6}[mode]
            quality = 1 - abs(threshold - peak)
            return {"ALL": {"precision": quality, "recall": quality}}

    found = train.calibrate(Runs(), (0.2, 0.4, 0.6))
    assert found == {"precision": 0.2, "balanced": 0.4, "recall": 0.6}
    assert train.ordered(found) == {"precision": 0.4, "balanced": 0.4, "recall": 0.4}


def test_the_out_of_domain_threshold_goes_on_the_card_and_keeps_the_modes_ordered(tmp_path):
    import json

    from devtools.model_eval import shipped_card, write_balanced_threshold

    card = tmp_path / "line_model.json"
    card.write_text(shipped_card().read_text(encoding="utf-8"), encoding="utf-8")
    before = json.loads(card.read_text(encoding="utf-8"))["thresholds"]
    assert write_balanced_threshold(0.40, "test", card) == {**before, "balanced": 0.40}
    assert write_balanced_threshold(0.10, "test", card)["recall"] == 0.10   # recall never above balanced
    written = json.loads(card.read_text(encoding="utf-8"))
    assert written["thresholds"]["balanced"] == 0.10 and written["calibration"]["balanced"] == "out of domain: test"
    assert json.loads(shipped_card().read_text(encoding="utf-8"))["thresholds"] == before   # the shipped card untouched


def test_dataset_weighting_gives_every_dataset_the_same_total_weight(docs):
    from dataclasses import replace as copy_with

    many = [copy_with(doc, dataset="big") for doc in docs[:30]] + [copy_with(doc, dataset="small") for doc in docs[30:36]]
    _, _, per_token = train.stack_rows(many)
    _, labels, per_dataset = train.stack_rows(many, "dataset")
    rows_big = sum(int((doc.share >= 0).sum()) for doc in many[:30])
    assert per_token[:rows_big].sum() > 3 * per_token[rows_big:].sum()  # the big dataset dominates per token
    assert per_dataset[:rows_big].sum() == pytest.approx(per_dataset[rows_big:].sum(), rel=1e-5)
    assert per_dataset.sum() == pytest.approx(len(labels), rel=1e-5)  # the same total as rows, shared evenly


def test_model_eval_holds_named_feature_columns_at_zero(docs):
    from heuristics.features import FEATURE_NAMES

    from devtools.model_eval import zero_columns

    pages = {"r2": [copy for copy in docs[:4]]}
    before = [doc.matrix.copy() for doc in pages["r2"]]
    zeroed = zero_columns(pages, ["pos", "doc_*"])
    assert "pos" in zeroed and all(name.startswith("doc_") for name in zeroed if name != "pos") and len(zeroed) > 2
    columns = [FEATURE_NAMES.index(name) for name in zeroed]
    for doc, old in zip(pages["r2"], before):
        assert not doc.matrix[:, columns].any()
        others = [i for i in range(len(FEATURE_NAMES)) if i not in columns]
        assert np.array_equal(doc.matrix[:, others], old[:, others], equal_nan=True)
        doc.matrix[:] = old  # the module's fixture is shared
