"""The model stage: the packaged artifact, how its scores enter the decision, and explain output."""
import json
import subprocess
import sys
from importlib import resources

import numpy as np
import pytest

from heuristics import clean
from heuristics import model as line_model
from heuristics import scoring
from heuristics.decide import Verdict, apply_scores
from heuristics.rules import default_ruleset, match_lines
from heuristics.segment import segment_text

ARTICLE = "\n".join([
    "Home",
    "News",
    "Sport",
    "The council approved the new budget for the city library on Tuesday after a long debate.",
    "Members of the council said the library needed more money for books and for its staff.",
    "The library will open on Sundays from next month, the council said in a statement.",
    "",
    "Most read",
    "Weather",
])


@pytest.fixture(scope="module")
def packaged():
    loaded = line_model.load()
    if loaded is None:
        pytest.fail("no packaged model: run `textwash train`")
    return loaded


def test_the_card_describes_the_packaged_model(packaged):
    card = json.loads(resources.files("heuristics").joinpath("models", line_model.CARD_NAME).read_text("utf-8"))
    assert card["version"] == packaged.version == scoring.model_version()
    assert set(card["thresholds"]) == {"precision", "balanced", "recall"}
    assert card["thresholds"]["recall"] <= card["thresholds"]["balanced"] <= card["thresholds"]["precision"]
    assert len(card["training_data_sha256"]) == 64


def test_scores_are_probabilities_aligned_with_the_lines(packaged):
    lines = segment_text(ARTICLE)
    hits = match_lines(lines, default_ruleset(), "en")
    scores, contributions = packaged.score(lines, hits, "en")
    assert len(scores) == len(lines) and contributions is None
    assert ((scores >= 0) & (scores <= 1)).all()
    assert scores[6] == line_model.BLANK_SCORE
    body = [scores[i] for i in (3, 4, 5)]
    assert min(body) > max(scores[i] for i in (0, 1, 2, 7, 8))


def test_explain_gives_top_contributions_per_line(packaged):
    lines = segment_text(ARTICLE)
    hits = match_lines(lines, default_ruleset(), "en")
    _, contributions = packaged.score(lines, hits, "en", explain=True)
    assert contributions[6] == []
    for index in (0, 3):
        assert len(contributions[index]) == line_model.TOP_CONTRIBUTIONS
        magnitudes = [abs(value) for _, value in contributions[index]]
        assert magnitudes == sorted(magnitudes, reverse=True)


def test_lightgbm_is_built_only_when_a_line_is_explained():
    fresh = line_model.load()
    lines = segment_text(ARTICLE)
    hits = match_lines(lines, default_ruleset(), "en")
    fresh.score(lines, hits, "en")
    assert not fresh.first.loaded and not fresh.second.loaded  # the compiled forests predicted
    _, contributions = fresh.score(lines, hits, "en", explain=True)
    assert fresh.second.loaded and not fresh.first.loaded
    import lightgbm

    card = json.loads(resources.files("heuristics").joinpath("models", line_model.CARD_NAME).read_text("utf-8"))
    text = resources.files("heuristics").joinpath("models", card["files"]["second"]).read_text("utf-8")
    eager = line_model.LineModel(version="", thresholds={}, first=fresh.first, second=lightgbm.Booster(model_str=text),
                                 names=fresh.names, stay=fresh.stay, first_forest=fresh.first_forest,
                                 second_forest=fresh.second_forest)
    assert contributions == eager.score(lines, hits, "en", explain=True)[1]


def test_cleaning_without_explain_never_imports_lightgbm():
    code = ("import sys; from heuristics import clean; "
            "clean(text='Subscribe now\\nThe council approved the budget for the library on Tuesday.'); "
            "clean(html='<p>The council approved the budget for the library on Tuesday.</p><p>Share</p>'); "
            "print('lightgbm' in sys.modules)")
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "False"


def test_disabled_switches_the_model_off():
    with scoring.disabled():
        assert scoring.model_version() is None
        assert scoring.score(segment_text(ARTICLE), [[]] * 9, "en") == (None, None)
    assert scoring.model_version() is not None


def _verdicts(labels):
    return [Verdict(label, "blank" if label == "blank" else "keep") for label in labels]


def test_apply_scores_removes_open_lines_below_the_threshold():
    verdicts = _verdicts(["short", "good", "blank", "good"])
    verdicts[3].remove("legal", "legal.rights")
    apply_scores(verdicts, [0.1, 0.6, 1.0, 0.05], 0.5)
    assert [v.final for v in verdicts] == ["remove", "keep", "blank", "remove"]
    assert verdicts[0].rule == "model" and verdicts[0].score == pytest.approx(0.1)
    assert verdicts[3].rule == "legal.rights"
    assert verdicts[1].score == pytest.approx(0.6) and verdicts[2].score is None


def test_model_removals_take_the_category_of_their_weak_hints():
    """"We need your help" carries only a weak donation hint: no rule removes it, the model does, and the
    removal is named after the hint (by shape alone, a short unfinished line would be navigation)."""
    lines = segment_text("We need your help\nThe council approved the budget on Tuesday after a long debate.")
    hits = match_lines(lines, default_ruleset(), "en")
    assert {(h.category, h.strong) for h in hits[0]} == {("donation_appeal", False)}
    verdicts = _verdicts(["weak", "good"])
    apply_scores(verdicts, [0.1, 0.9], 0.5, lines, hits)
    assert (verdicts[0].final, verdicts[0].category, verdicts[0].rule) == ("remove", "donation_appeal", "model")
    assert not verdicts[1].removed
    unhinted = _verdicts(["weak", "good"])
    apply_scores(unhinted, [0.1, 0.9], 0.5, lines, [[], []])
    assert unhinted[0].category == "navigation"


def test_model_removals_take_the_category_of_a_removed_neighbour():
    lines = segment_text("Comments\nGreat article, thanks for writing it all up for us.\nBody text here.")
    verdicts = _verdicts(["short", "good", "good"])
    verdicts[0].remove("comments", "comments.heading")
    apply_scores(verdicts, [0.0, 0.1, 0.9], 0.5, lines, [[], [], []])
    assert (verdicts[1].category, verdicts[1].rule) == ("comments", "model")


@pytest.mark.parametrize("text, category", [
    ("Weather", "navigation"),
    ("Our picks of the week in one place", "navigation"),
    ("The author has written about cities and their libraries for twenty years.", "related_links"),
])
def test_model_removals_are_named_by_shape_otherwise(text, category):
    lines = segment_text(f"{text}\nThe council approved the new budget on Tuesday after a long debate.")
    verdicts = _verdicts(["short", "good"])
    apply_scores(verdicts, [0.1, 0.9], 0.5, lines, [[], []])
    assert verdicts[0].category == category


def test_removed_entries_carry_rule_model_and_the_score(monkeypatch):
    def fake_score(lines, hits, language, explain=False):
        scores = np.ones(len(lines))
        scores[-1] = 0.01
        return scores, ([[("fake", -1.0)]] * len(lines) if explain else None)

    monkeypatch.setattr(scoring, "score", fake_score)
    text = "\n".join(ARTICLE.split("\n")[3:6] + ["A last line that the fake model dislikes."])
    result = clean(text, explain=True)
    model_removals = [r for r in result.removed if r.rule == "model"]
    assert [r.text for r in model_removals] == ["A last line that the fake model dislikes."]
    assert model_removals[0].score == pytest.approx(0.01)
    assert model_removals[0].to_dict()["score"] == 0.01
    assert result.lines[-1].contributions == [("fake", -1.0)]


def test_the_model_keeps_the_body_of_a_clean_article():
    body = ARTICLE.split("\n")[3:6]
    result = clean("\n\n".join(body))
    assert result.paragraphs == body


def test_run_smoothing_lifts_a_doubtful_body_line_and_sinks_a_lone_line_in_a_menu():
    probs = np.array([0.9, 0.95, 0.4, 0.9, 0.92, 0.1, 0.05, 0.6, 0.08, 0.1])
    smoothed = line_model.smooth_runs(probs, 0.75)
    assert smoothed[2] > 0.5 > probs[2]
    assert smoothed[7] < 0.5 < probs[7]
    assert ((smoothed > 0) & (smoothed < 1)).all()
    assert smoothed[[0, 1, 3, 4]].min() > 0.8 and smoothed[[5, 6, 8, 9]].max() < 0.2


def test_run_smoothing_without_memory_or_without_a_setting_changes_nothing():
    probs = np.array([0.2, 0.9, 0.4, 0.7])
    assert line_model.smooth_runs(probs, None) is probs
    assert line_model.smooth_runs(probs, 0.5).tolist() == pytest.approx(probs.tolist())
    assert line_model.smooth_runs(probs[:1], 0.75).tolist() == [0.2]


def test_run_smoothing_reads_the_same_forwards_and_backwards():
    probs = np.random.default_rng(7).random(40)
    forwards = line_model.smooth_runs(probs, 0.8)
    backwards = line_model.smooth_runs(probs[::-1].copy(), 0.8)[::-1]
    assert forwards.tolist() == pytest.approx(backwards.tolist())


def test_lines_a_strong_rule_named_keep_their_score_and_do_not_pull_their_neighbours_down():
    from heuristics.features import FEATURE_NAMES

    probs = np.array([0.95, 0.9, 0.05, 0.03, 0.04, 0.35, 0.9, 0.95])
    matrix = np.zeros((len(probs), len(FEATURE_NAMES)))
    matrix[[2, 3, 4], FEATURE_NAMES.index("hit_strong")] = 1   # a newsletter box the rules removed
    smoothed = line_model.smooth_open_runs(probs, matrix, 0.75)
    assert smoothed[[2, 3, 4]].tolist() == probs[[2, 3, 4]].tolist()
    assert smoothed[5] > 0.5   # the subheading under the box is judged next to the body
    assert line_model.smooth_runs(probs, 0.75)[5] < smoothed[5]


def test_list_items_a_body_line_introduces_go_by_the_model_only_with_corroboration():
    text = ("Our favourite places on the water in the north are these ones:\n- The old pier in the harbour\n"
            "- The dog beach at the lighthouse\nSubscribe to our newsletter")
    lines = segment_text(text)
    hits = match_lines(lines, default_ruleset(), "en")
    verdicts = _verdicts(["good", "short", "short", "short"])
    verdicts[3].remove("subscription_prompt", "subscription_prompt.prompt")
    apply_scores(verdicts, [0.9, 0.1, 0.1, 0.0], 0.5, lines, hits, page=_default_page(lines))
    assert verdicts[1].final == "keep"                           # introduced list item, no evidence (every mode)
    assert verdicts[2].removed and verdicts[2].rule == "model"   # next to a line a rule removed


def test_the_same_items_without_an_introducing_line_are_the_models_to_judge():
    lines = segment_text("- The old pier in the harbour\n- The dog beach at the lighthouse")
    verdicts = _verdicts(["short", "short"])
    apply_scores(verdicts, [0.1, 0.1], 0.5, lines, [[], []], page=_default_page(lines))
    assert all(v.removed for v in verdicts)


def _default_page(lines):
    from heuristics.decide import Page
    from heuristics.settings import SETTINGS

    return Page(lines, "en", SETTINGS)


def test_a_one_line_input_is_left_to_the_rules(monkeypatch):
    def fake_score(lines, hits, language, explain=False):
        return np.zeros(len(lines)), None   # the fake model dislikes every line

    monkeypatch.setattr(scoring, "score", fake_score)
    alone = clean("second")
    assert alone.paragraphs == ["second"] and not alone.removed
    pair = clean("second\nthird")
    assert [r.rule for r in pair.removed] == ["model", "model"]
