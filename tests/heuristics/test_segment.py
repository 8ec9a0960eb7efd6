"""Stage 1: segmentation keeps input line numbers and normalises text and keys."""
from heuristics.segment import line_key, make_line, make_lines, phrase_form, segment_text


def test_line_numbers_follow_the_input_including_blank_lines():
    lines = segment_text("first\n\n  third  \n")
    assert [line.index for line in lines] == [0, 1, 2]
    assert [line.text for line in lines] == ["first", "", "third"]
    assert lines[1].blank and not lines[0].blank


def test_every_newline_convention_splits_lines():
    lines = segment_text("a\r\nb\rc\u2028d\x85e")
    assert [line.text for line in lines] == ["a", "b", "c", "d", "e"]


def test_control_characters_and_odd_spaces_are_normalised():
    line = segment_text("Hello\x00\u00a0\u00a0world\x07\t!")[0]
    assert line.text == "Hello world !"
    assert line.raw == "Hello\u00a0\u00a0world\t!"


def test_key_is_case_folded_words_only():
    assert line_key("» Read MORE…") == "read more"
    assert line_key("×") == ""
    assert make_line(0, "Don't miss it!").key == "don t miss it"


def test_words_count_words_not_symbols():
    assert make_line(0, "×").words == 0
    assert make_line(0, "© AFP 2023 / DIMITAR").words == 3


def test_long_lines_compute_their_key_lazily_and_correctly():
    text = " ".join(["Word,"] * 40)
    line = make_line(0, text)
    assert line.cached_key is None
    assert line.key == " ".join(["word"] * 40)
    assert line.words == 40


def test_segment_agrees_with_make_line():
    text = "Title here\n\n  Body — with “quotes”, 12 words and more words to make it long enough to count.\n×"
    for line in segment_text(text):
        single = make_line(line.index, line.raw)
        assert (single.text, single.key, single.words) == (line.text, line.key, line.words)


def test_phrase_form_reads_hyphens_as_spaces_and_unifies_apostrophes():
    assert phrase_form("Sign-Up for our NEWSLETTER") == "sign up for our newsletter"
    assert phrase_form("Don’t miss") == "don't miss"


ODD_RAW_LINES = ["", " ", "\t", "  a  b ", "a\tb", "a\u00a0b", "x", " lead", "trail ", "A B C", "Read more…", "» Home",
                 "ß STRASSE", "ǅemal", "_under_ score", "a  b", "İstanbul", "ﬁne", "x y " * 20, "x, y", "1 2 3",
                 "a\u3000b", "Ⅻ roman ²", "日本語 テキスト", "𝔘𝔫𝔦 😀", "one two three four five six seven eight nine ten"]


def test_the_compiled_lines_are_make_lines_one_by_one():
    got = make_lines(ODD_RAW_LINES)
    expected = [make_line(index, raw) for index, raw in enumerate(ODD_RAW_LINES)]
    assert [(line.index, line.raw, line.text, line.words, line.html, line.cached_key) for line in got] == [
        (line.index, line.raw, line.text, line.words, line.html, line.cached_key) for line in expected]
