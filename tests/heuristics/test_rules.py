"""Stage 2: rules are data; the loader compiles them once and refuses unsafe patterns."""
import json
import os
import subprocess
import sys

import pytest

from heuristics.rules import (Block, UnsafePattern, build_ruleset, default_ruleset, lint_pattern, match_lines,
                              ruleset_with_extra)
from heuristics.errors import CleanError
from heuristics.html.lines import Signals
from heuristics.segment import make_line, segment_text


def ruleset_from(toml: str):
    return build_ruleset([("test.toml", toml)])


def hit_ids(text: str, ruleset=None, language="en"):
    lines = segment_text(text)
    return [[hit.rule.id for hit in hits] for hits in match_lines(lines, ruleset or default_ruleset(), language)]


def test_every_packaged_rule_file_loads_and_names_known_categories():
    ruleset = default_ruleset()
    assert len(ruleset.rules) > 50
    assert {rule.category for rule in ruleset.rules.values()} >= {"donation_appeal", "credit", "navigation"}
    assert all(rule.id.startswith(rule.category + ".") for rule in ruleset.rules.values())


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(?:\w+\s?)*$", r"(?:a|b)*c+(?:d{1,5})+", r"(\w)\1"])
def test_lint_refuses_patterns_that_can_backtrack(pattern):
    with pytest.raises(UnsafePattern):
        lint_pattern(pattern)


@pytest.mark.parametrize("pattern", [r"^(?:\w++\s?)*$", r"^(?:[^,]{1,30}+, ){1,5}+x$", r"^foo (?P<name>\w+)$",
                                     r"^[(]a[)]$"])
def test_lint_accepts_possessive_and_named_groups(pattern):
    lint_pattern(pattern)


def test_loader_refuses_bad_files():
    with pytest.raises(ValueError, match="unknown category"):
        ruleset_from('category = "nope"\n')
    with pytest.raises(ValueError, match="bad kind"):
        ruleset_from('category = "tags"\n[[rule]]\nid = "x"\nkind = "fuzzy"\n')
    with pytest.raises(ValueError, match="duplicate rule id"):
        ruleset_from('category = "tags"\n[[rule]]\nid = "x"\n[[rule]]\nid = "x"\n')
    with pytest.raises(ValueError, match="backtrack"):
        ruleset_from('category = "tags"\n[[rule]]\nid = "x"\nkind = "regex"\n[rule.patterns]\nen = [\'(?:a+)+\']\n')


TOY = '''
category = "share_social"
[block]
gap = 1
[[rule]]
id = "button"
[rule.patterns]
en = ["share this"]
de = ["teilen"]
[[rule]]
id = "prompt"
kind = "phrase"
max_words = 8
[rule.patterns]
en = ["follow us"]
[[rule]]
id = "count"
kind = "regex"
max_words = 4
[rule.patterns]
xx = ['^<<N>> shares$']
[defs.xx]
N = '\\d{1,6}'
[[rule]]
id = "tail_only"
kind = "regex"
where = "tail"
[rule.patterns]
xx = ['^zzz$']
[[rule]]
id = "box"
kind = "container"
strength = "weak"
[rule.patterns]
xx = ["sharebar"]
'''


def test_each_rule_kind_fires_where_it_should():
    ruleset = ruleset_from(TOY)
    assert ruleset.blocks["share_social"] == Block(gap=1)
    ids = hit_ids("SHARE THIS!\nTeilen\nFollow us on Mastodon\n12 shares\nunfollow us\n", ruleset)
    assert ids[0] == ["share_social.button"]
    assert ids[1] == ["share_social.button"]  # line rules of every language apply
    assert ids[2] == ["share_social.prompt"]
    assert ids[3] == ["share_social.count"]
    assert ids[4] == []  # phrases match on word boundaries only


def test_phrase_rules_respect_max_words():
    ruleset = ruleset_from(TOY)
    long_line = "Follow us " + "and read on " * 5
    assert hit_ids(long_line, ruleset) == [[]]


def test_container_rules_fire_only_on_html_lines():
    ruleset = ruleset_from(TOY)
    html_line = make_line(0, "anything", html=Signals(tokens=frozenset({"sharebar", "div"})))
    text_line = make_line(1, "anything")
    hits = match_lines([html_line, text_line], ruleset, "en")
    assert [h.rule.id for h in hits[0]] == ["share_social.box"] and hits[1] == []


def test_named_groups_reach_the_hits():
    [hits] = match_lines([make_line(0, "source site-34")], default_ruleset(), "en")
    assert any(h.groups == {"source": "site-34"} for h in hits)


def test_prefix_rules_report_where_the_prefix_ends():
    line = make_line(0, " date 2022-02-04 MOSCOW: The Kremlin said")
    [hits] = match_lines([line], default_ruleset(), "en")
    prefix = next(h for h in hits if h.rule.kind == "prefix")
    assert line.text[prefix.end:] == "The Kremlin said"
    assert prefix.groups == {"date": "2022-02-04", "dateline": "MOSCOW"}


def test_caller_rules_extend_a_category_for_one_call():
    ruleset = ruleset_with_extra({"advertisement": ["Brought to you by Acme"]})
    assert hit_ids("This page was brought to you by ACME today", ruleset) == [["advertisement.caller"]]
    assert hit_ids("This page was brought to you by ACME today") == [[]]


@pytest.mark.parametrize("bad", [{"nope": ["x"]}, {"tags": "x"}, {"tags": [""]}, ["tags"]])
def test_caller_rules_are_validated(bad):
    with pytest.raises(CleanError) as info:
        ruleset_with_extra(bad)
    assert info.value.field == "extra_rules"


def test_counts_report_patterns_per_language_and_category():
    counts = default_ruleset().counts()
    assert counts["en"]["navigation"]["line"] > 10
    assert "xx" in counts


CONTAINER_PAGE = (
    "<html><body><article><p>" + "The talks resumed on Monday in Geneva after a pause of several weeks, officials said. " * 3
    + "</p><div class='share social follow newsletter comments footer related caption credit'><p>Read more here</p>"
    "<p>Our team</p></div><footer class='footer copyright legal'><p>Contact us today</p></footer></article></body></html>"
)
_EXPLAIN_HITS = (
    "import json, sys; from heuristics import clean; "
    "print(json.dumps([line['hits'] for line in clean(html=sys.stdin.read(), explain=True).to_dict()['lines']]))"
)


def test_container_hits_come_in_the_same_order_whatever_the_string_hashing():
    """A line's container hits come from a set of class tokens, whose order changes with PYTHONHASHSEED."""
    runs = [subprocess.run([sys.executable, "-c", _EXPLAIN_HITS], input=CONTAINER_PAGE, capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3)]
    hits = json.loads(runs[0])
    assert sum(len(line) for line in hits) >= 8
    assert runs[1] == runs[0] and runs[2] == runs[0]
