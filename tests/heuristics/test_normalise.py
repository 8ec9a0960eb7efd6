"""The one text repair (heuristics/normalise.py), and that text and HTML input go through the same one."""
import pytest

from heuristics import clean
from heuristics.normalise import normalise_text, normalise_text_reference, valid_unicode

BODY = "The council approved the new budget on Tuesday after a long debate about housing and schools."


def test_surrogates_from_undecodable_bytes_are_read_as_cp1252_and_lone_ones_replaced():
    assert valid_unicode("caf\udce9 \ud800 \ud83d\ude00") == "café \ufffd 😀"
    assert normalise_text("caf\udce9 \ud800 \ud83d\ude00") == "café \ufffd 😀"


def test_mojibake_is_repaired_and_clean_text_left_alone():
    assert normalise_text("Itâ€™s a cafÃ©") == "It’s a café"
    assert normalise_text("Ð¿Ñ€Ð¸Ð²ÐµÑ‚") == "привет"
    for text in ("Plain – “quoted”", "ﬁne ＡＢＣ &amp; 'straight'", "Ñandú über çà"):
        assert normalise_text(text) == text


def test_control_characters_go_and_line_breaks_stay():
    assert normalise_text("a\x00b\x07c\x7f\x9d\ufeff\u200bd\te") == "abcd\te"
    assert normalise_text("one\x0btwo\x0cthree\x1cfour\x85five").splitlines() == ["one", "two", "three", "four", "five"]


@pytest.mark.parametrize("line", [
    "Caf\udce9 au lait for everyone, said the mayor at the opening of the new market hall on Sunday.",
    "CafÃ© au lait for everyone, said the mayor at the opening of the new market hall on Sunday.",
    "Caf\u00e9 au lait\x00 for everyone, said the mayor at the opening of the new market hall on Sunday.",
    "Half a pair \ud800 stays visible as a replacement mark in the middle of this long body sentence.",
])
def test_text_and_html_input_come_out_the_same(line):
    text = f"{BODY}\n\n{line}\n\n{BODY.replace('budget', 'plan')}"
    page = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in text.split("\n\n")) + "</article></body></html>"
    from_text, from_html = clean(text), clean(html=page)
    assert from_text.paragraphs == from_html.paragraphs
    assert "Café au lait" in from_text.text or "\ufffd stays" in from_text.text


REPAIR_CASES = ["plain ascii", "tab\tand\x0bbreaks\x1c\x85", "nul\x00 here", "del\x7f", "c1 \x80 \x9f", "bom\ufeff",
                "zero\u200bwidth", "cafÃ©", "Ã at the end Ã", "â€™ quote", "Ð¿ Cyrillic", "Ñ\u0152", "Â\u00a0space",
                "Åx no hint", "\udce9t\udce9", "pair \ud83d\ude00", "lone \ud800", "ok é ü ñ", "😀 astral", "",
                "Ã©\x00\udce9 all three", "ÃÃ©", "x\u2013y Ã\u2013", "Ã\u20ac Ã\u2122 Ã\u203a Ã\u203b"]


@pytest.mark.parametrize("text", REPAIR_CASES)
def test_the_compiled_repair_scan_gives_the_reference_text(text):
    assert normalise_text(text) == normalise_text_reference(text)


def test_the_compiled_repair_scan_names_what_the_patterns_find():
    from heuristics import _core
    from heuristics.normalise import CONTROL_RE, MOJIBAKE_HINT_RE

    for text in REPAIR_CASES:
        needs = _core.repair_needs(text)
        assert bool(needs & _core.REPAIR_CONTROL) == bool(CONTROL_RE.search(text)), text
        assert bool(needs & _core.REPAIR_MOJIBAKE) == bool(MOJIBAKE_HINT_RE.search(text)), text
        assert bool(needs & _core.REPAIR_SURROGATE) == any("\ud800" <= ch <= "\udfff" for ch in text), text
