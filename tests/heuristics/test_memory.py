"""The source memory in clean(): what a site repeats goes, what its articles say stays, and why."""
from __future__ import annotations

import dataclasses

import pytest
from memory_helpers import TEMPLATE_BOTTOM, TEMPLATE_TOP, article, free_port, page

from heuristics import CATEGORIES, clean
from heuristics.memory import SourceMemory, StoreLimits, open_memory, source_key
from heuristics.memory.redis_store import RedisStore
from heuristics.memory.sqlite_store import SQLiteStore
from heuristics.pipeline import learn
from heuristics.segment import segment_text
from heuristics.settings import SETTINGS

URL = "https://www.example.org/news/{}"
SENTENCE = ("The harbour authority said on Monday that the new wall would protect the old town from the winter "
            "storms for at least fifty years.")


@pytest.fixture()
def memory(tmp_path) -> SourceMemory:
    return open_memory(path=tmp_path / "sources.db")


def removed_by_memory(result) -> dict[str, tuple[str, int]]:
    return {r.text: (r.category, r.count) for r in result.removed if r.rule == "source.repeated"}


def test_repeated_line_is_a_category():
    assert "repeated_line" in CATEGORIES


@pytest.mark.parametrize(("source", "url", "key"), [
    (None, "https://www.Example.org/a?b=c", "example.org"),
    (None, "https://news.example.org:8443/a", "news.example.org"),
    ("  Example Gazette ", "https://other.example/a", "example gazette"),
    ("www.example.org", None, "example.org"),
    (None, None, None),
    ("", "not a url", None),
    (None, "http://[::1", None),
])
def test_source_key_is_the_callers_source_else_the_urls_host(source, url, key):
    assert source_key(source, url) == key


def test_an_overlong_source_is_cut_and_hashed_so_distinct_ones_stay_distinct():
    first, second = source_key("a" * 10_000 + "x", None), source_key("a" * 10_000 + "y", None)
    assert len(first) == len(second) == 200 and first != second


def test_the_sites_template_goes_from_the_third_page_on_with_its_count(memory):
    results = [clean(page(n), url=URL.format(n), memory=memory) for n in range(4)]
    assert removed_by_memory(results[0]) == removed_by_memory(results[1]) == {}
    repeated = removed_by_memory(results[2])
    assert repeated["Support independent local journalism today"] == ("repeated_line", 3)
    assert repeated[TEMPLATE_BOTTOM[0]] == ("repeated_line", 3)
    assert removed_by_memory(results[3])[TEMPLATE_BOTTOM[0]] == ("repeated_line", 4)
    assert results[3].paragraphs[-2:] == article(3)[1:]
    assert {"count": 4, "rule": "source.repeated"}.items() <= results[3].to_dict()["removed"][-1].items()


def test_a_run_of_short_repeated_lines_above_the_body_is_the_menu(memory):
    for n in range(3):
        result = clean(page(n), url=URL.format(n), memory=memory)
    menu = {text: category for text, (category, _) in removed_by_memory(result).items() if text in TEMPLATE_TOP[:4]}
    assert menu == {"Home": "navigation", "World": "navigation", "Business": "navigation", "Culture": "navigation"}


def test_a_short_generic_line_alone_is_left_to_the_rules(memory):
    """'Weather' or a date on every page is not taken by the memory unless it sits in a run (a menu)."""
    for n in range(5):
        text = "\n".join([article(n)[0], "Weather", article(n)[1], "7 May 2024", article(n)[2]])
        result = clean(text, url=URL.format(n), memory=memory)
    assert removed_by_memory(result) == {}
    assert result.paragraphs == clean(text).paragraphs


def test_a_sentence_quoted_on_two_pages_is_not_boilerplate(memory):
    for n in range(6):
        lines = article(n) + ([SENTENCE] if n in (1, 4) else [])
        result = clean("\n".join(lines), url=URL.format(n), memory=memory)
        assert SENTENCE not in removed_by_memory(result)
        assert (SENTENCE in result.paragraphs) == (n in (1, 4))
    fingerprint = memory.fingerprints(segment_text(SENTENCE))[0][0]
    assert memory.store.counts("example.org", [fingerprint]).lines == {fingerprint: 2}  # learned, not taken


def test_a_sentence_on_a_minority_of_pages_stays_a_sentence_on_most_pages_goes(memory):
    """A whole sentence needs half the recent pages (memory_prose_share); a short line a fifth (memory_min_share)."""
    outcomes = []
    for n in range(10):
        lines = article(n) + ([SENTENCE] if n % 3 == 0 else [])  # pages 0, 3, 6, 9: 4 of 10
        result = clean("\n".join(lines), url=URL.format(n), memory=memory)
        outcomes.append(SENTENCE in removed_by_memory(result))
    assert not any(outcomes)
    for n in range(10, 16):
        result = clean("\n".join(article(n) + [SENTENCE]), url=URL.format(n), memory=memory)
    assert SENTENCE in removed_by_memory(result)  # now on 10 of the last 16 pages


def test_the_memory_never_takes_the_whole_body(memory):
    """Three pages with the same article under different URLs: every line repeats, nothing goes."""
    text = "\n".join(article(7))
    results = [clean(text, url=URL.format(n), memory=memory) for n in range(4)]
    assert removed_by_memory(results[-1]) == {}
    assert results[-1].paragraphs == article(7)[1:]


def test_sending_a_page_again_does_not_teach(memory):
    for _ in range(5):
        result = clean(page(1), url=URL.format(1), memory=memory)
    assert removed_by_memory(result) == {}
    assert memory.store.summary("example.org", 10).documents == 1


def test_without_a_url_the_page_is_its_text(memory):
    for _ in range(3):
        clean(page(1), source="gazette", memory=memory)
    assert memory.store.summary("gazette", 10).documents == 1
    clean(page(2), source="gazette", memory=memory)
    assert memory.store.summary("gazette", 10).documents == 2


def test_a_rule_hint_names_the_category(memory):
    hinted = "Our weekly newsletter arrives every Friday morning with the stories of the week"
    for n in range(3):
        result = clean(page(n, bottom=[hinted]), url=URL.format(n), memory=memory)
    assert removed_by_memory(result)[hinted] == ("subscription_prompt", 3)


def test_keep_repeated_line_leaves_them_in(memory):
    for n in range(3):
        result = clean(page(n), url=URL.format(n), memory=memory, keep=["repeated_line"])
    assert TEMPLATE_BOTTOM[0] in result.paragraphs


def test_without_a_source_nothing_is_learned(memory):
    for n in range(4):
        result = clean(page(n), memory=memory)
    assert removed_by_memory(result) == {}
    assert memory.store.stats().sources == 0


def test_a_reading_memory_does_not_learn(memory):
    for n in range(3):
        learn(page(n), url=URL.format(n), memory=memory)
    reader = memory.reading()
    first = clean(page(0), url=URL.format(0), memory=reader)
    assert TEMPLATE_BOTTOM[0] in removed_by_memory(first)  # the first page is cleaned as well as the last
    clean(page(9), url=URL.format(9), memory=reader)
    assert memory.store.summary("example.org", 1).documents == 3


def test_counts_decay_with_the_window(tmp_path):
    """A redesign: the old footer is forgotten once the window holds only new pages."""
    memory = SourceMemory(SQLiteStore(tmp_path / "s.db", StoreLimits(window=4)))
    for n in range(4):
        clean(page(n), url=URL.format(n), memory=memory)
    new_footer = ["Read the Example Gazette every morning, now in a fresh new design"]
    for n in range(4, 8):
        result = clean(page(n, bottom=new_footer), url=URL.format(n), memory=memory)
    texts = {line.text for line in memory.store.summary("example.org", 50).lines}
    assert TEMPLATE_BOTTOM[0] not in texts and new_footer[0] in texts
    assert new_footer[0] in removed_by_memory(result)


def test_huge_lines_are_neither_learned_nor_a_problem(memory):
    huge = "word " * 100_000
    for n in range(3):
        result = clean(page(n) + "\n" + huge, url=URL.format(n), memory=memory)
    assert removed_by_memory(result)
    assert huge.strip() in result.paragraphs
    assert all(len(line.text) <= SETTINGS.memory_sample_chars for line in memory.store.summary("example.org", 99).lines)


def test_a_store_that_fails_costs_the_memory_not_the_document():
    memory = SourceMemory(RedisStore(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5))
    result = clean(page(1), url=URL.format(1), memory=memory)
    assert result.paragraphs == clean(page(1)).paragraphs
    assert any(warning.startswith("source_memory: not used") for warning in result.warnings)


def test_the_memory_thresholds_are_the_settings_clean_passes(memory):
    """With ``memory_min_documents`` 2 the template goes from the second page on (3 by default)."""
    two = dataclasses.replace(SETTINGS, memory_min_documents=2)
    results = [clean(page(n), url=URL.format(n), memory=memory, settings=two) for n in range(2)]
    assert removed_by_memory(results[0]) == {}
    assert removed_by_memory(results[1])[TEMPLATE_BOTTOM[0]] == ("repeated_line", 2)
