"""Line features for the model: shape, stopwords, position, cohesion, rule hits, windows, score context."""
import re
from pathlib import Path

import numpy as np
import pytest

from heuristics.features import (FEATURE_NAMES, HIT_CATEGORIES, LINE_FEATURES, SCORE_COLUMN, SCORE_FEATURES,
                                 WINDOW_FEATURES, WINDOW_OFFSETS, _run_stats, _score_context_numpy, line_features,
                                 score_context)
from heuristics.language import stoplist
from heuristics.rules import default_ruleset, match_lines
from heuristics.segment import segment_text
from heuristics.vocabulary import CATEGORIES, CATEGORY_PRIORITY

BODY = [
    "The council approved the new budget for the city library on Tuesday after a long debate.",
    "Members of the council said the library needed more money for books and for its staff.",
    "The library will open on Sundays from next month, the council said in a statement.",
]
DOC = "\n".join(["Home", "News | Sport | Weather | Contact", "", *BODY, "- Share on Facebook",
                 "Subscribe to our newsletter", "© 2024 Example Media. All rights reserved."])


def features(text: str, language: str | None = "en"):
    lines = segment_text(text)
    hits = match_lines(lines, default_ruleset(), language)
    return lines, line_features(lines, hits, language)


def column(matrix: np.ndarray, name: str) -> np.ndarray:
    return matrix[:, FEATURE_NAMES.index(name)]


def test_one_row_per_non_blank_line_in_order():
    lines, feats = features(DOC)
    assert feats.matrix.shape == (len(lines) - 1, len(FEATURE_NAMES))
    assert feats.rows.tolist() == [line.index for line in lines if line.text]


def test_names_are_unique():
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    assert len(set(SCORE_FEATURES)) == len(SCORE_FEATURES)


def test_empty_document_gives_an_empty_matrix():
    _, feats = features("\n\n  \n")
    assert feats.matrix.shape == (0, len(FEATURE_NAMES))


@pytest.mark.parametrize("text, name", [
    ("A sentence that ends.", "end_sentence"),
    ("A quoted sentence that ends.”", "end_sentence"),
    ("| a table row that ends. |", "end_sentence"),
    ("Read this:", "end_colon"),
    ("one, two,", "end_comma"),
    ("Menu item", "end_alnum"),
])
def test_end_marks(text, name):
    _, feats = features(text)
    ends = ("end_sentence", "end_colon", "end_comma", "end_alnum", "end_other")
    assert [column(feats.matrix, n)[0] for n in ends] == [float(n == name) for n in ends]


@pytest.mark.parametrize("text, name", [
    ("- a list item", "starts_bullet"),
    ("• a list item", "starts_bullet"),
    ("Upper case start", "starts_upper"),
    ("12 monkeys", "starts_digit"),
    ("(an aside)", "starts_open"),
])
def test_start_marks(text, name):
    _, feats = features(text)
    starts = ("starts_bullet", "starts_upper", "starts_digit", "starts_open")
    assert [column(feats.matrix, n)[0] for n in starts] == [float(n == name) for n in starts]


def test_a_hyphenated_word_is_not_a_bullet():
    _, feats = features("-based on nothing")
    assert column(feats.matrix, "starts_bullet")[0] == 0


def test_character_counts():
    _, feats = features("| Home | News | Contact me@example.com https://x.org #tag 2024 |")
    row = feats.matrix[0]
    assert row[FEATURE_NAMES.index("pipes")] == 4
    assert row[FEATURE_NAMES.index("at_signs")] == 1
    assert row[FEATURE_NAMES.index("hashes")] == 1
    assert row[FEATURE_NAMES.index("url_shapes")] == 1
    assert row[FEATURE_NAMES.index("digit_share")] == pytest.approx(4 / len("| Home | News | Contact me@example.com "
                                                                            "https://x.org #tag 2024 |"))


@pytest.mark.parametrize("language, text", [
    ("en", "The cat and the dog were in the garden, but not for long."),
    ("de", "Der Hund und die Katze waren im Garten, aber nicht für lange."),
    ("fr", "Le chat et le chien étaient dans le jardin, mais pas longtemps."),
])
def test_stopword_density_matches_a_plain_count(language, text):
    _, feats = features(text, language)
    words = re.findall(r"\w+", text.casefold())
    expected = sum(w in stoplist(language) for w in words)
    assert np.expm1(column(feats.matrix, "stop_count")[0]) == pytest.approx(expected)
    assert column(feats.matrix, "stop_share")[0] == pytest.approx(1.0)  # the line is its own reference


def test_style_features_are_relative_to_the_document():
    """German capitalises nouns and has fewer stopwords per word than English: what counts is a line
    against the document's own long lines, so the features mean the same in every language."""
    text = "Der Hund und die Katze waren im Garten, aber nicht für lange.\nUnd Der Die Das"
    _, feats = features(text, "de")
    ref_words = re.findall(r"\w+", text.split("\n")[0].casefold())
    ref_share = sum(w in stoplist("de") for w in ref_words) / len(ref_words)
    assert column(feats.matrix, "stop_share")[1] == pytest.approx(1.0 / ref_share)
    ref_title = sum(w[0].isupper() for w in re.findall(r"\w+", text.split("\n")[0])) / len(ref_words)
    assert column(feats.matrix, "title_share").tolist() == pytest.approx([0.0, 1.0 - ref_title])


def test_unknown_language_leaves_stopword_features_missing():
    _, feats = features("Some text here.", None)
    assert np.isnan(column(feats.matrix, "stop_share")[0])


def test_body_lines_sit_in_the_main_block_and_menus_do_not():
    lines, feats = features(DOC)
    in_main = dict(zip(feats.rows.tolist(), column(feats.matrix, "in_main")))
    body = [line.index for line in lines if line.text in BODY]
    assert all(in_main[i] == 1 for i in body)
    assert in_main[0] == 0 and in_main[1] == 0


def test_cohesion_with_the_main_block():
    text = "\n".join([*BODY, "The library budget debate took the council all day.",
                      "Quantum chromodynamics explains gluons."])
    _, feats = features(text)
    shared = column(feats.matrix, "shared_main")
    assert shared[-2] > 0.5
    assert shared[-1] == 0


def test_duplicates_are_counted():
    _, feats = features("Share\nBody text here.\nShare")
    assert column(feats.matrix, "dup_count").tolist() == [1, 0, 1]


def test_rule_hits_become_per_category_levels():
    lines, feats = features(DOC)
    row = feats.rows.tolist().index(next(line.index for line in lines if line.text.startswith("Subscribe")))
    assert feats.matrix[row, FEATURE_NAMES.index("hit_subscription_prompt")] == 2.0
    assert feats.matrix[row, FEATURE_NAMES.index("hit_strong")] == 1.0
    body_row = feats.rows.tolist().index(next(line.index for line in lines if line.text == BODY[0]))
    assert feats.matrix[body_row, FEATURE_NAMES.index("hit_strong")] == 0.0


def test_survivor_columns_skip_lines_with_strong_hits():
    lines, feats = features("Body line one that ends here.\nSubscribe to our newsletter\nShort heading")
    assert column(feats.matrix, "hit_strong").tolist()[1] == 1
    before = column(feats.matrix, "log_words@sv-1")
    assert before[2] == column(feats.matrix, "log_words")[0]
    assert np.isnan(before[0])
    assert np.isnan(column(feats.matrix, "log_words@sv+1")[2])


def test_window_columns_copy_the_neighbours_features():
    _, feats = features(DOC)
    m = feats.matrix
    for offset in WINDOW_OFFSETS:
        for name in WINDOW_FEATURES:
            shifted = column(m, f"{name}@{offset:+d}")
            own = column(m, name)
            for r in range(len(m)):
                if 0 <= r + offset < len(m):
                    assert shifted[r] == pytest.approx(own[r + offset], nan_ok=True)
                else:
                    assert np.isnan(shifted[r])


def test_features_are_deterministic_and_finite_where_defined():
    _, first = features(DOC)
    _, second = features(DOC)
    assert np.array_equal(first.matrix, second.matrix, equal_nan=True)
    own = first.matrix[:, : len(LINE_FEATURES)]
    assert np.isfinite(own).all()


def test_long_lines_are_sampled_but_keep_their_word_count():
    long_line = " ".join(["word"] * 400) + "."
    lines, feats = features(long_line)
    assert np.expm1(column(feats.matrix, "log_words")[0]) == pytest.approx(401, abs=1)
    assert column(feats.matrix, "end_sentence")[0] == 1


def test_score_context_sees_the_neighbours_scores():
    _, feats = features(DOC)
    scores = np.linspace(0.1, 0.9, len(feats.rows))
    ctx = score_context(scores, feats.matrix)
    assert ctx.shape == (len(scores), len(SCORE_FEATURES))
    assert ctx[:, SCORE_FEATURES.index("s_self")].tolist() == scores.tolist()
    before = ctx[:, SCORE_FEATURES.index("s@-1")]
    assert np.isnan(before[0]) and before[1:].tolist() == pytest.approx(scores[:-1].tolist())


def test_run_stats_stay_inside_each_run():
    scores = np.array([0.9, 0.1, 0.2, 0.8, 0.3, 0.4, 0.5, 0.9])
    short = np.array([0, 1, 1, 0, 1, 1, 1, 0], dtype=bool)
    mean, low = _run_stats(scores, short)
    assert mean.tolist() == pytest.approx([0.9, 0.15, 0.15, 0.8, 0.4, 0.4, 0.4, 0.9])
    assert low.tolist() == pytest.approx([0.9, 0.1, 0.1, 0.8, 0.3, 0.3, 0.3, 0.9])


def test_the_hit_columns_are_the_vocabularys_rule_categories():
    assert HIT_CATEGORIES == tuple(category for category in CATEGORIES if category in CATEGORY_PRIORITY)
    assert set(HIT_CATEGORIES) == set(CATEGORY_PRIORITY)


# The feature matrix and score context of a seed document, saved before the columns were written by
# name (when they were written by position): the layout the shipped models were trained on.
SAVED = Path(__file__).resolve().parents[1] / "data" / "features" / "seed000.npz"
SEED_DOC = Path(__file__).resolve().parents[2] / "seeds" / "000_ce6d5fa5753c84b9.txt"


def test_the_columns_written_by_name_are_the_saved_matrix_of_a_real_document():
    saved = np.load(SAVED)
    lines = segment_text(SEED_DOC.read_text("utf-8"))
    matrix = line_features(lines, match_lines(lines, default_ruleset(), "en"), "en").matrix
    scores = np.linspace(0.05, 0.95, len(matrix)) ** 2
    assert matrix.shape == saved["matrix"].shape == (31, len(FEATURE_NAMES))
    np.testing.assert_allclose(matrix, saved["matrix"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(score_context(scores, matrix), saved["context"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(_score_context_numpy(scores, matrix), saved["context_numpy"], rtol=1e-12, atol=0)


def test_each_hit_lands_in_the_column_of_its_category():
    lines, feats = features(DOC)
    hits = match_lines(lines, default_ruleset(), "en")
    for row, index in enumerate(feats.rows):
        for category in HIT_CATEGORIES:
            levels = [2.0 if hit.strong else 1.0 for hit in hits[index] if hit.category == category]
            assert column(feats.matrix, f"hit_{category}")[row] == max(levels, default=0.0)
    assert sum(column(feats.matrix, f"hit_{category}").any() for category in HIT_CATEGORIES) >= 2


def test_the_score_context_columns_carry_their_names():
    _, feats = features(DOC)
    scores = np.linspace(0.1, 0.9, len(feats.matrix))
    for ctx in (score_context(scores, feats.matrix), _score_context_numpy(scores, feats.matrix)):
        named = {name: ctx[:, SCORE_COLUMN[name]] for name in SCORE_FEATURES}
        assert np.array_equal(named["s_self"], scores)
        assert np.array_equal(named["s@-1"][1:], scores[:-1]) and np.isnan(named["s@-1"][0])
        assert np.array_equal(named["s@+2"][:-2], scores[2:]) and np.isnan(named["s@+2"][-2:]).all()
        assert np.allclose(named["s_min_pm2"][2], min(scores[[0, 1, 3, 4]]))
        assert np.allclose(named["s_max_pm2"][2], max(scores[[0, 1, 3, 4]]))
