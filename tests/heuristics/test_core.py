"""The compiled core computes what its references compute: the forest LightGBM's predictions (to 1e-12,
on the shipped text and HTML models' real feature rows and on rows made to hit every split's edge),
the line feature kernels ``features.line_features_reference``'s matrices exactly."""
from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path

import lightgbm
import numpy as np
import pytest

from heuristics import _core, forest
from heuristics import model as line_model
from heuristics.features import COLUMN, _score_context_numpy, line_features, line_features_reference, score_context
from heuristics.html.lines import lines_from_html
from heuristics.metadata import body_words, fingerprint, simhash
from heuristics.html.features import first_pass_matrix, page_structure, second_pass_matrix
from heuristics.rules import default_ruleset, match_lines
from heuristics.segment import segment_text

from test_html import ARTICLE

MODELS = Path(str(resources.files("heuristics").joinpath("models")))
ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 1e-12


def multilingual_docs() -> list[tuple[str, str]]:
    """(language, text) of the repository's multilingual documents, and the seed documents."""
    docs = []
    for path in sorted((ROOT / "tests" / "data" / "multilingual").glob("*.jsonl")):
        for row in map(json.loads, path.read_text("utf-8").splitlines()):
            docs.append((row["language"], "\n".join(line["text"] for line in row["lines"])))
    docs += [("en", path.read_text("utf-8")) for path in sorted((ROOT / "seeds").glob("*.txt"))]
    return docs


def as_page(text: str) -> str:
    """A page for a document: short lines as a menu of links, long ones as paragraphs of an article."""
    parts = []
    for line in text.splitlines():
        if len(line.split()) < 8:
            parts.append(f"<nav class='menu'><ul><li><a href='/x'>{line}</a></li></ul></nav>")
        else:
            parts.append(f"<article class='post'><p>{line}</p></article>")
    return "<html><body>" + "".join(parts) + "</body></html>"


def booster(name: str) -> lightgbm.Booster:
    return lightgbm.Booster(model_str=(MODELS / name).read_text("utf-8"))


def compiled(name: str) -> _core.Forest:
    return forest.parse_model((MODELS / name).read_text("utf-8"))


def card_files(card: str) -> tuple[str, str]:
    files = json.loads((MODELS / card).read_text("utf-8"))["files"]
    return files["first"], files["second"]


@pytest.fixture(scope="module")
def text_rows() -> tuple[np.ndarray, np.ndarray]:
    """Both passes' input rows of the text model over the documents."""
    first_name, _ = card_files(line_model.CARD_NAME)
    firsts, seconds = [], []
    for language, text in multilingual_docs():
        lines = segment_text(text)
        feats = line_features(lines, match_lines(lines, default_ruleset(), language), language)
        firsts.append(feats.matrix)
        seconds.append(np.hstack([feats.matrix, score_context(booster(first_name).predict(feats.matrix),
                                                              feats.matrix)]))
    return np.vstack(firsts), np.vstack(seconds)


@pytest.fixture(scope="module")
def html_rows() -> tuple[np.ndarray, np.ndarray]:
    """Both passes' input rows of the HTML model over pages made of the documents."""
    first_name, _ = card_files("html_model.json")
    first_model = booster(first_name)
    firsts, seconds = [], []
    for language, text in [("en", "")] + multilingual_docs():
        lines, _ = lines_from_html(ARTICLE if not text else as_page(text))
        matrix = first_pass_matrix(lines, match_lines(lines, default_ruleset(), language), language).matrix
        firsts.append(matrix)
        seconds.append(second_pass_matrix(first_model.predict(matrix), page_structure(lines), matrix))
    return np.vstack(firsts), np.vstack(seconds)


def test_the_forest_predicts_what_lightgbm_does_on_the_text_models_rows(text_rows):
    for name, rows in zip(card_files(line_model.CARD_NAME), text_rows):
        assert len(rows) > 300 and np.isnan(rows).any()   # real rows, with the window's NaN padding
        expected = booster(name).predict(rows, num_threads=1)
        assert np.abs(compiled(name).predict(rows) - expected).max() <= TOLERANCE


def test_the_forest_predicts_what_lightgbm_does_on_the_html_models_rows(html_rows):
    for name, rows in zip(card_files("html_model.json"), html_rows):
        assert len(rows) > 300
        expected = booster(name).predict(rows, num_threads=1)
        assert np.abs(compiled(name).predict(rows) - expected).max() <= TOLERANCE


def split_edges(name: str, rows: int, seed: int) -> np.ndarray:
    """Rows whose values sit on the model's thresholds, next to them, at 0, at -0.0, within LightGBM's
    zero threshold of 0, or NaN: every way a value can fall at a split."""
    text = (MODELS / name).read_text("utf-8")
    thresholds = np.array([float(v) for line in text.splitlines() if line.startswith("threshold=")
                           for v in line[len("threshold="):].split()])
    n_features = booster(name).num_feature()
    rng = np.random.default_rng(seed)
    picked = rng.choice(thresholds, size=(rows, n_features))
    choice = rng.integers(0, 7, size=(rows, n_features))
    specials = [picked, np.nextafter(picked, np.inf), np.nextafter(picked, -np.inf), np.zeros_like(picked),
                np.full_like(picked, -0.0), np.full_like(picked, 1e-36), np.full_like(picked, np.nan)]
    return np.choose(choice, specials)


@pytest.mark.parametrize("name", ["line_model_text_1.txt", "line_model_text_2.txt", "html_model_1.txt",
                                  "html_model_2.txt"])
def test_the_forest_takes_every_split_edge_as_lightgbm_does(name):
    rows = split_edges(name, 2000, seed=7)
    expected = booster(name).predict(rows, num_threads=1)
    assert np.abs(compiled(name).predict(rows) - expected).max() <= TOLERANCE


def walked_in_python(name: str, rows: np.ndarray) -> np.ndarray:
    """The probabilities of the perfect trees ``forest.parse_model`` lays out, walked the plain way (zero
    threshold, then NaN right when the split says, else right when greater), summed row by row in tree
    order, with libm's exp as the compiled walk: what ``Forest.predict`` must give bit for bit."""
    header, *blocks = forest._sections((MODELS / name).read_text("utf-8"))
    trees = [forest._Tree(block) for block in blocks]
    perfect = forest._Perfect(len(trees), max(1, max(tree.depth() for tree in trees)))
    for t, tree in enumerate(trees):
        tree.fill(perfect, t, 0, 0, 0)
    values = np.where(np.abs(rows) <= float(np.float32(1e-35)), 0.0, rows)
    totals = np.zeros(len(rows))
    for t in range(len(trees)):
        k = np.zeros(len(rows), dtype=np.int64)
        for _ in range(perfect.depth):
            value = values[np.arange(len(rows)), perfect.feature[t, k]]
            k = 2 * k + 1 + ((value > perfect.threshold[t, k]) | (np.isnan(value) & (perfect.nan_right[t, k] == 1)))
        totals = totals + perfect.leaf[t, k - perfect.width]
    sigmoid = forest._sigmoid(header)
    return np.array([1.0 / (1.0 + math.exp(-sigmoid * total)) for total in totals])


@pytest.mark.parametrize("name", ["line_model_text_1.txt", "html_model_1.txt", "html_model_2.txt"])
def test_the_forest_walk_is_the_plain_walk_bit_for_bit(name):
    """The compiled walk reads NaN from widened rows instead of testing it (``Forest``'s docstring): the same
    probabilities as the plain walk, to the last bit, on split edges, NaN, +-inf, and on the splits that send
    NaN alone right (threshold +inf; the HTML models have some)."""
    rows = split_edges(name, 1500, seed=11)
    rng = np.random.default_rng(11)
    rows[rng.random(rows.shape) < 0.05] = np.inf
    rows[rng.random(rows.shape) < 0.05] = -np.inf
    assert compiled(name).predict(rows).tobytes() == walked_in_python(name, rows).tobytes()


def test_the_html_model_has_splits_that_send_nan_alone_right():
    """What the third copy of a row in ``Forest.predict`` is for (else the test above would not reach it)."""
    text = (MODELS / "html_model_1.txt").read_text("utf-8")
    assert any(line.startswith("threshold=") and "inf" in line.split("=", 1)[1].split() for line in text.splitlines())


def small_model(**params) -> str:
    """A tiny LightGBM model trained here on data with missing values, as model text."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 5))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[rng.random(x.shape) < 0.2] = 0.0
    y = (np.nan_to_num(x[:, 0]) + np.isnan(x[:, 1]) - (x[:, 2] == 0) > 0).astype(int)
    settings = {"objective": "binary", "num_leaves": 7, "min_data_in_leaf": 5, "verbose": -1, "num_threads": 1,
                "seed": 1, "deterministic": True, **params}
    return lightgbm.train(settings, lightgbm.Dataset(x, y), num_boost_round=13).model_to_string()


def test_a_model_trained_with_missing_values_and_a_one_leaf_tree_predicts_the_same():
    text = small_model(sigmoid=0.7)
    rows = np.random.default_rng(5).normal(size=(300, 5))
    rows[::3, 1] = np.nan
    rows[1::4, 2] = 0.0
    expected = lightgbm.Booster(model_str=text).predict(rows, num_threads=1)
    assert np.abs(forest.parse_model(text).predict(rows) - expected).max() <= TOLERANCE
    one_leaf = small_model(min_data_in_leaf=1000)   # nothing to split: every tree is one leaf
    assert "num_leaves=1" in one_leaf
    expected = lightgbm.Booster(model_str=one_leaf).predict(rows, num_threads=1)
    assert np.abs(forest.parse_model(one_leaf).predict(rows) - expected).max() <= TOLERANCE


def test_what_the_forest_does_not_read_is_left_to_lightgbm():
    with pytest.raises(forest.UnsupportedModel, match="zero-as-missing"):
        forest.parse_model(small_model(zero_as_missing=True))
    assert forest.compiled(small_model(objective="regression")) is None
    with pytest.raises(ValueError, match="columns"):
        compiled("line_model_text_1.txt").predict(np.zeros((2, 3)))


def test_the_shipped_models_are_served_by_the_forest_and_score_as_lightgbm(text_rows):
    loaded = line_model._artifact()
    assert isinstance(loaded.first_forest, _core.Forest) and isinstance(loaded.second_forest, _core.Forest)
    assert loaded.first_forest.n_trees == loaded.first.num_trees()
    lines = segment_text(multilingual_docs()[0][1])
    hits = match_lines(lines, default_ruleset(), "de")
    fast, _ = loaded.score(lines, hits, "de")
    slow = line_model.LineModel(version="", thresholds={}, first=loaded.first, second=loaded.second,
                                names=loaded.names, stay=loaded.stay)
    reference, _ = slow.score(lines, hits, "de")
    assert np.abs(fast - reference).max() <= TOLERANCE


# ---------------------------------------------------------------- line features

ODD_LINES = ["| | |", "|", "Hello", "»", "x", "“Quoted.”", "A | B | C", "Ünïcödé İstanbul ǅemal", "𝔘𝔫𝔦 𝔠𝔬𝔡𝔢 😀 text",
             "end with bracket)]}", "a_b 12 3,4; 5:6 #tag @who /path", "- bullet", "ＡＢＣ full width", "ß straße",
             "see https://x.org and www.y.org or wwww.z", "Hello", "|" * 300 + " x", "y " + "| " * 200 + "\"Done.\""]


def assert_reference_matrix(text: str, language: str | None) -> np.ndarray:
    """line_features (the compiled core) gives the reference's matrix and rows exactly; returns the matrix."""
    lines = segment_text(text)
    hits = match_lines(lines, default_ruleset(), language)
    got, expected = line_features(lines, hits, language), line_features_reference(lines, hits, language)
    assert got.matrix.dtype == expected.matrix.dtype and got.matrix.shape == expected.matrix.shape
    assert np.array_equal(got.matrix, expected.matrix, equal_nan=True)
    assert np.array_equal(got.rows, expected.rows)
    return got.matrix


def test_the_feature_matrix_is_the_reference_one_on_real_documents():
    documents = multilingual_docs() + [("en", "Home"), (None, "Home\nNews\n\nSport"),
                                       ("de", "Ein Satz mit genug Wörtern, der hier als Text endet und weiter geht.")]
    for language, text in documents:
        assert_reference_matrix(text, language)


def test_the_feature_matrix_takes_a_word_in_every_character():
    """One-character lines: as many words as characters (the kernel's buffers must hold them)."""
    matrix = assert_reference_matrix("\n".join(["a"] * 5000 + ["b c"] * 100), "en")
    assert matrix[:, COLUMN["log_words"]].sum() == pytest.approx(5000 * np.log1p(1) + 100 * np.log1p(2))


@pytest.mark.parametrize("language", ["en", "de", None])
def test_the_feature_matrix_agrees_on_odd_lines(language):
    """Pipes only, astral and full-width characters, long lines (sampled: head, space, tail), repeated lines."""
    text = "\n".join(ODD_LINES + ["w" * 400 + " tail words here.", "Long " * 90 + "| end |", "a" * 250, "b" * 251])
    matrix = assert_reference_matrix(text, language)
    assert matrix[:, COLUMN["url_shapes"]].max() == 3 and matrix[:, COLUMN["dup_count"]].max() == 1


# ---------------------------------------------------------------- body fingerprint

@pytest.mark.parametrize("shingle", [1, 4])
def test_the_fingerprint_kernel_is_metadata_simhash(shingle):
    bodies = [text for _, text in multilingual_docs()] + ["", "   ", "one", "two words", "a b c d e",
                                                          "Straße İstanbul\u00a0ǅ 𝔘𝔫𝔦 😀\tend\n\nnew"]
    for body in bodies:
        folded = body.casefold()
        assert _core.simhash(folded, shingle) == simhash(body_words(body), shingle)
        if body.isascii():  # the ASCII path folds as it reads
            assert _core.simhash(body, shingle, True) == simhash(body_words(body), shingle)
    assert _core.simhash("one", 4)[1] == 1 and _core.simhash("", 4) == (None, 0)


def test_the_fingerprint_counts_votes_past_a_lane_overflow():
    """The votes are counted eight bits at a time in byte lanes, emptied every 255 shingles: bodies of
    254-1,000 words (and every ASCII case) give the reference's fingerprint."""
    words = [f"Word{i % 37}x{i * 7919 % 1009}" for i in range(1_000)]
    for size in (1, 3, 4, 5, 254, 255, 256, 258, 259, 510, 511, 1_000):
        body = " ".join(words[:size])
        assert _core.simhash(body, 4, True) == _core.simhash(body.casefold(), 4) == simhash(body_words(body), 4)
    with pytest.raises(ValueError):
        _core.simhash("Straße", 4, True)


def test_metadata_fingerprint_is_simhash_of_the_body_words():
    for body in ["", "Hello World", "A  B\tC\nD E F G", "Straße İstanbul KELVIN \u212a", "x" * 10]:
        assert fingerprint(body) == simhash(body_words(body))


# ---------------------------------------------------------------- score context

def test_the_score_context_kernel_is_the_numpy_reference():
    first_name, _ = card_files(line_model.CARD_NAME)
    first_model = booster(first_name)
    checked = 0
    for language, text in multilingual_docs():
        lines = segment_text(text)
        matrix = line_features(lines, match_lines(lines, default_ruleset(), language), language).matrix
        scores = first_model.predict(matrix)
        for size in (len(scores), 1, 2, 3):   # whole documents, and their first lines alone
            got = score_context(scores[:size], matrix[:size])
            assert np.array_equal(got, _score_context_numpy(scores[:size], matrix[:size]), equal_nan=True)
            checked += 1
    assert checked > 40 and score_context(np.zeros(0), np.zeros((0, matrix.shape[1]))).shape == (0, 18)


# ---------------------------------------------------------------- language sample

def test_the_language_vote_reads_the_same_first_words_as_the_whole_sample():
    from heuristics.language import _first_words
    from heuristics.settings import SETTINGS
    from heuristics.vocabulary import WORD_RE

    texts = [text for _, text in multilingual_docs()] + ["İstanbul " * 300, "Straße, " * 250, "word " * 240,
                                                         "x" * 1199 + "yz tail " * 200]
    for text in texts:
        sample = " ".join(text.split())[:SETTINGS.langid_chars]
        for tokens in (5, 200):
            assert _first_words(sample, tokens) == WORD_RE.findall(sample.casefold())[:tokens]


def test_float32_rows_get_the_reference_score_context():
    """Training keeps float32 matrices; their context is numpy's float32 arithmetic, as before."""
    language, text = multilingual_docs()[0]
    lines = segment_text(text)
    matrix = line_features(lines, match_lines(lines, default_ruleset(), language), language).matrix.astype(np.float32)
    scores = booster(card_files(line_model.CARD_NAME)[0]).predict(matrix)
    assert np.array_equal(score_context(scores, matrix), _score_context_numpy(scores, matrix), equal_nan=True)


def test_a_pickled_forest_predicts_the_same(text_rows):
    import pickle

    name = card_files(line_model.CARD_NAME)[1]
    original = compiled(name)
    copy = pickle.loads(pickle.dumps(original))
    assert copy.n_trees == original.n_trees and copy.depth == original.depth
    assert np.array_equal(copy.predict(text_rows[1]), original.predict(text_rows[1]))


# ---------------------------------------------------------------- run smoothing

@pytest.mark.parametrize("stay", [0.5, 0.75, 0.93])
def test_the_smoothing_kernel_is_the_python_reference(stay):
    probs = np.random.default_rng(7).random(500)
    probs[::37] = 0.0      # clipped at both ends
    probs[5::41] = 1.0
    for size in (2, 3, 17, 500):
        got = line_model.smooth_runs(probs[:size], stay)
        assert np.array_equal(got, np.asarray(line_model.smooth_runs_reference(probs[:size], stay)))


@pytest.mark.parametrize("limit", [0, 1, 3, 200])
def test_the_word_kernel_finds_what_the_word_pattern_does(limit):
    from heuristics.vocabulary import WORD_RE

    for text in ODD_LINES + ["", "   ", "__init__ x_y", "straße ǅemal İstanbul ²³ Ⅻ ٣ 日本語", "a-b–c d'e"]:
        folded = text.casefold()
        assert _core.first_words(folded, limit) == WORD_RE.findall(folded)[:limit]


def test_float32_scores_are_smoothed_as_the_reference_does():
    probs = np.array([0.0, 0.2, 1.0, 0.7, 0.00001], dtype=np.float32)
    assert np.array_equal(line_model.smooth_runs(probs, 0.8), np.asarray(line_model.smooth_runs_reference(probs, 0.8)))
