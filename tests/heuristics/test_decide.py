"""Stage 4: context-free labels, then revision from neighbours; both labels are kept."""
from heuristics.decide import decide
from heuristics.rules import default_ruleset, match_lines
from heuristics.segment import segment_text

BODY = ("The council approved the new budget on Tuesday after a long debate about schools, roads "
        "and the future of the town library.")
BODY2 = ("Opposition members said the plan relied on optimistic forecasts and would need to be "
         "revisited before the end of the year.")


def run(text: str, **options):
    lines = segment_text(text)
    ruleset = default_ruleset()
    hits = match_lines(lines, ruleset, "en")
    decision = decide(lines, hits, ruleset.blocks, **options)
    return lines, decision


def finals(text: str, **options):
    lines, decision = run(text, **options)
    return {line.index: (v.final, v.category, v.rule) for line, v in zip(lines, decision.verdicts)}


def test_initial_and_final_labels_are_both_kept():
    lines, decision = run(f"{BODY}\nMonthly\nSupport us\n{BODY2}")
    monthly = decision.verdicts[1]
    assert monthly.initial == "weak" and monthly.final == "remove"
    assert monthly.category == "donation_appeal" and monthly.rule == "donation_appeal.block"
    assert decision.verdicts[2].initial == "bad"
    assert decision.verdicts[0].initial == "good" and decision.verdicts[0].final == "keep"


def test_a_weak_hint_alone_does_not_remove_a_line():
    result = finals(f"{BODY}\nWe need your help, the mayor said at the meeting on Tuesday evening.\n{BODY2}")
    assert result[1][0] == "keep"


def test_a_block_absorbs_the_line_sandwiched_between_its_hits():
    text = (f"{BODY}\nDear readers,\nThe situation has never been harder for small newsrooms like ours and"
            f" everything costs more.\nPlease support us with a donation today.\n{BODY2}")
    result = finals(text)
    assert [result[i][:2] for i in (1, 2, 3)] == [("remove", "donation_appeal")] * 3
    assert result[0][0] == "keep" and result[4][0] == "keep"


def test_title_is_the_first_heading_before_the_body_and_its_repeats_go():
    text = f"Budget passes: council backs plan\n\nBudget passes\ncouncil backs plan\n{BODY}\n{BODY2}"
    lines, decision = run(text)
    assert decision.title_line == 0
    assert [decision.verdicts[i].rule for i in (2, 3)] == ["title.repeat", "title.repeat"]


def test_one_word_menu_items_above_the_headline_do_not_hide_the_title():
    text = f"Home\nPolitics\nSport\nBudget passes: council backs plan\n{BODY}\n{BODY2}"
    lines, decision = run(text)
    assert decision.title_line == 3
    assert decision.verdicts[3].rule == "title.first_heading"
    assert [decision.verdicts[i].rule for i in (1, 2)] == ["navigation.outside_body"] * 2


def test_no_title_when_the_document_starts_with_prose():
    _, decision = run(f"{BODY}\n{BODY2}")
    assert decision.title_line is None


def test_caption_repeating_a_paragraph_with_a_credit_goes_and_the_body_copy_stays():
    text = f"Headline of the day\n{BODY} REUTERS\n{BODY2}\n{BODY}"
    result = finals(text)
    assert result[1] == ("remove", "duplicate", "duplicate.near_copy")
    assert result[3][0] == "keep"


def test_menu_runs_outside_the_body_are_navigation_but_a_lone_line_stays():
    text = f"News\nSport\nWeather\n{BODY}\n{BODY2}\nThanks to our readers"
    result = finals(text)
    assert [result[i][2] for i in (0, 1, 2)] == ["navigation.outside_body"] * 3
    assert result[5][0] == "keep"


def test_short_line_between_two_removed_lines_goes_with_them():
    text = f"{BODY}\nPrivacy policy\nand\nTerms of use\n{BODY2}"
    result = finals(text)
    assert result[2] == ("remove", "legal", "legal.between_removed")


def test_keep_option_leaves_a_category_in_the_body():
    text = f"{BODY}\nSubscribe\n{BODY2}"
    assert finals(text)[1][0] == "remove"
    assert finals(text, keep=["subscription_prompt"])[1][0] == "keep"


def test_recall_mode_does_not_grow_blocks_over_short_edge_lines():
    """Hint-free short lines touching a donation box (above and below it) are its edges: balanced and
    precision take them with the box, recall keeps them. Hinted lines (Once, Annual) join in every mode."""
    text = f"{BODY}\nMore below\nSupport us\nOnce\nAnnual\nRead on\n{BODY2}"
    edges, box = (1, 5), (2, 3, 4)
    for mode in ("balanced", "precision"):
        result = finals(text, mode=mode)
        assert [result[i] for i in edges] == [("remove", "donation_appeal", "donation_appeal.block")] * 2
    recall = finals(text, mode="recall")
    assert [recall[i][0] for i in edges] == ["keep", "keep"]
    assert [recall[i][0] for i in box] == ["remove"] * 3
    assert recall[0][0] == recall[6][0] == "keep"


# ---- evidence before removal: what reads as body is not removed by shape alone (duplicates: recall mode)

def run_in(text: str, language: str, **options):
    lines = segment_text(text)
    ruleset = default_ruleset()
    hits = match_lines(lines, ruleset, language)
    return lines, decide(lines, hits, ruleset.blocks, language=language, **options)


def test_a_fact_box_after_the_body_is_not_a_menu():
    text = f"{BODY}\n{BODY2}\nMaße: 30 x 40 cm\nGewicht: 2 kg\nFarbe: Rot"
    _, decision = run_in(text, "de")
    assert [decision.verdicts[i].final for i in (2, 3, 4)] == ["keep"] * 3


def test_phrases_in_the_page_language_after_the_body_are_not_a_menu():
    text = (f"{BODY}\n{BODY2}\nFinalist bei der Show im Fernsehen\nZweiter Platz beim Wettbewerb in Wien\n"
            "Preis der Jury für das beste Lied")
    _, decision = run_in(text, "de")
    assert [decision.verdicts[i].final for i in (2, 3, 4)] == ["keep"] * 3


def test_two_short_lines_without_menu_evidence_stay_but_menu_vocabulary_makes_them_a_menu():
    kept = finals(f"{BODY}\n{BODY2}\nKitchen tools\nGarden tools")
    assert kept[2][0] == kept[3][0] == "keep"
    menu = finals(f"{BODY}\n{BODY2}\nKitchen tools\nContact us\nGarden tools")
    assert [menu[i][0] for i in (2, 3, 4)] == ["remove"] * 3
    assert menu[2][2] == "navigation.outside_body"


def test_a_question_put_to_each_guest_is_a_structure_not_a_duplicate():
    question = "What was the hardest moment of the season for you?"
    answers = [f"{BODY}", f"{BODY2}", "We lost three games in a row and nobody in the team knew why it happened."]
    text = BODY + "\n" + "\n".join(f"{question}\n{answer}" for answer in answers)
    result = finals(text, mode="recall")
    assert [result[i][0] for i in (1, 3, 5)] == ["keep"] * 3
    assert [finals(text)[i][0] for i in (1, 3, 5)] == ["keep", "remove", "remove"]


def test_a_statement_repeated_under_every_comment_is_a_signature_not_a_structure():
    signature = "Rosy red and electric blue, I brought you a paddle for your paper canoe."
    comments = [BODY, BODY2, "We lost three games in a row and nobody in the team knew why it happened."]
    text = BODY + "\n" + "\n".join(f"{comment}\n{signature}" for comment in comments)
    result = finals(text, mode="recall")
    assert [result[i][:2] for i in (4, 6)] == [("remove", "duplicate")] * 2
    assert result[2][0] == "keep"


def test_links_sharing_their_leading_words_are_a_menu_even_when_they_read_as_phrases():
    places = ("Seattle", "Tampa Florida", "San Diego", "Long Beach California")
    links = "\n".join(f"Average costs for cleaning services in {place}" for place in places)
    result = finals(f"{BODY}\n{BODY2}\n{links}")
    assert [result[i][2] for i in (2, 3, 4, 5)] == ["navigation.outside_body"] * 4
    varied = "\n".join(("Average costs for cleaning services in Seattle", "Finalist at the show on television",
                        "Second place at the contest in Vienna"))
    assert [finals(f"{BODY}\n{BODY2}\n{varied}")[i][0] for i in (2, 3, 4)] == ["keep"] * 3


def test_two_copies_inside_the_body_both_stay_but_a_copy_next_to_removed_residue_goes():
    repeated = "The mayor said the library would stay open on Sundays."
    both = finals(f"{BODY}\n{repeated}\n{BODY2}\n{repeated}\n{BODY}", mode="recall")
    assert both[1][0] == both[3][0] == "keep"
    boxed = finals(f"{BODY}\n{repeated}\n{BODY2}\nPhoto: Jane Doe/Reuters\n{repeated}\n{BODY}", mode="recall")
    assert boxed[1][0] == "keep" and boxed[4][:2] == ("remove", "duplicate")


def test_a_line_with_a_price_or_a_sentence_end_is_not_the_title():
    for first in ("Kettle deluxe 1.7 litres for 49,99 €", "Win two tickets to the final now, the draw is tonight."):
        _, decision = run(f"{first}\n{BODY}\n{BODY2}")
        assert decision.title_line is None


def test_running_text_a_list_item_or_a_link_is_not_the_title():
    for first in ("“We do not lack time, we waste the time we have.”1",
                  "Read the interview in today's edition (the online version is here.)",
                  "Mass is volume times density. See the chapter on mass!",
                  "- Press funding: study doubts state support",
                  "Press funding: study doubts state support via https://example.org/a1"):
        _, decision = run(f"{first}\n{BODY}\n{BODY2}")
        assert decision.title_line is None, first
    for first in ("Christmas markets open! How to find the best ones near you", "Olympic Winter Games 2022",
                  "U.S. court backs budget plan"):
        _, decision = run(f"{first}\n{BODY}\n{BODY2}")
        assert decision.title_line == 0, first


def test_the_title_the_page_states_names_the_title_line():
    text = f"Local news\nBudget passes: council backs plan\n{BODY}\n{BODY2}"
    _, decision = run(text, title_hint="Budget passes: council backs plan | Town Herald")
    assert decision.title_line == 1
    _, decision = run(f"Our favourite spots this summer\n{BODY}\n{BODY2}", title_hint="Something else entirely")
    assert decision.title_line is None


def test_a_whole_line_quote_is_not_the_title():
    _, decision = run(f"“We will rebuild the bridge within a year”\n{BODY}\n{BODY2}")
    assert decision.title_line is None
    _, decision = run(f"Council backs bridge plan\n{BODY}\n{BODY2}")
    assert decision.title_line == 0


def test_words_are_counted_per_character_in_scripts_without_spaces():
    from heuristics.decide import effective_words

    chinese = segment_text("北京市政府周二宣布将在明年扩建地铁网络以缓解交通压力。")[0]
    assert chinese.words <= 2
    assert effective_words(chinese) >= 12
    assert effective_words(segment_text("Plain English words here")[0]) == 4


def test_a_chinese_sentence_is_body_prose_and_not_a_menu_item():
    sentence = "北京市政府周二宣布将在明年扩建地铁网络以缓解交通压力。"
    _, decision = run_in(f"首页\n{sentence}\n{sentence[:-1]}还有更多的细节将在下周公布。", "zh")
    assert decision.body_start == 1
    assert decision.verdicts[1].final == "keep"


def _page_with_list(items: tuple[str, ...], linked: bool, title: str = "Budget") -> str:
    entries = "".join(f"<li><a href='/p{i}'>{item}</a></li>" if linked else f"<li>{item}</li>"
                      for i, item in enumerate(items))
    return (f"<html><head><title>{title}</title></head><body><article><p>{BODY}</p><p>{BODY2}</p></article>"
            f"<ul>{entries}</ul></body></html>")


def test_from_html_short_lines_after_the_body_are_a_menu_only_when_they_are_links():
    from heuristics import clean

    items = ("Kitchen tools", "Garden tools", "Bath towels")
    linked = clean(html=_page_with_list(items, linked=True))
    assert [r.rule for r in linked.removed if r.text in items] == ["navigation.outside_body"] * 3
    plain = clean(html=_page_with_list(items, linked=False))
    assert not [r for r in plain.removed if r.rule == "navigation.outside_body"]


def test_a_one_word_page_title_does_not_make_a_body_sentence_the_title():
    from heuristics import clean

    result = clean(html=_page_with_list(("Kitchen tools",), linked=True, title="Council"))
    assert BODY in result.text and not [r for r in result.removed if r.category == "title"]


def test_compiled_page_facts_equal_their_python_references():
    """``_decide`` (one compiled pass per document) gives ``segment.line_key`` and ``effective_words`` exactly,
    on every character class that matters: word characters of any script, ``_``, case folds that grow
    (ß, ﬁ), scripts written without spaces, astral characters."""
    from heuristics import _decide
    from heuristics.decide import effective_words
    from heuristics.segment import line_key, make_line

    texts = ["", "» Read more…", "READ_MORE 2024", "Straße ﬁnal İstanbul ΑΣ", "中文 字符 and words", "ภาษาไทย ข้อความ",
             "日本語のテキスト 123 テスト", "emoji 😀 𠀀 ok", "tabs\tand  spaces", "“Quoted,” she said. (1)"]
    texts += ["x" + chr(code) + "y " + chr(code) for code in range(0, 0x3100, 3) if not 0xD800 <= code < 0xE000]
    assert _decide.line_keys(texts) == [line_key(text) for text in texts]
    lines = [make_line(0, text) for text in texts]
    for chars_per_word in (1.5, 2.0, 3.0):
        expected = [effective_words(line, chars_per_word) if line.text else 0 for line in lines]
        assert _decide.effective_word_counts([line.text for line in lines], [line.words for line in lines],
                                             chars_per_word) == expected


def test_near_copy_lookup_cuts_words_as_split_does():
    from heuristics.decide import _has_near_copy

    def reference(key, index, extra, first_seen):
        return any(first_seen.get(key.rsplit(" ", cut)[0], index) != index
                   or first_seen.get(key.split(" ", cut)[-1], index) != index for cut in range(1, extra + 1))

    keys = ["a b c d", "a b c", "b c d", "a", "d", "a  b", "a ", "", "b c", "x y z w v"]
    first_seen = {key: position for position, key in enumerate(keys)}
    lengths = {len(key) for key in first_seen}
    for key, index in first_seen.items():
        for extra in range(1, 6):
            assert _has_near_copy(key, index, extra, first_seen, lengths) == reference(key, index, extra, first_seen)


def _real_documents() -> list[str]:
    """The repository's multilingual documents and the seeds (real pages' lines)."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    docs = []
    for path in sorted((root / "tests" / "data" / "multilingual").glob("*.jsonl")):
        for row in map(json.loads, path.read_text("utf-8").splitlines()):
            docs.append("\n".join(line["text"] for line in row["lines"]))
    return docs + [path.read_text("utf-8") for path in sorted((root / "seeds").glob("*.txt"))]


def test_compiled_page_facts_are_the_python_reference_on_real_documents():
    from heuristics import _decide
    from heuristics.decide import page_facts_reference
    from heuristics.settings import SETTINGS
    from heuristics.vocabulary import SENTENCE_END

    documents = _real_documents() + ["", "\n\n", "One.\n\nTwo words here, and more of them to count.\n中文的句子。"]
    assert len(documents) > 20
    for text in documents:
        lines = segment_text(text)
        for chars_per_word, good, sentence in ((SETTINGS.chars_per_word, SETTINGS.good_words,
                                               SETTINGS.body_sentence_words), (1.5, 3, 1)):
            assert _decide.page_facts(lines, chars_per_word, good, sentence, SENTENCE_END) == \
                page_facts_reference(lines, chars_per_word, good, sentence)


def test_key_equals_is_comparing_line_keys():
    """``_decide.key_equals(text, key)`` is ``line_key(text) == key``: for every pair of real lines (long ones
    decided from their first 64 characters), and where the cut at 64 characters falls inside a word, between
    words, inside a case fold that grows (ß, İ) or a run of punctuation."""
    from heuristics import _decide
    from heuristics.segment import line_key

    texts = [line.text for text in _real_documents()[:12] for line in segment_text(text) if line.text]
    keys = sorted({line_key(text) for text in texts})[:300]
    for text in texts:
        expected = line_key(text)
        assert _decide.key_equals(text, expected)
        for key in keys:
            assert _decide.key_equals(text, key) == (line_key(text) == key)
    head = "word " * 12 + "abc"  # 63 characters
    for tail in ("d", "ß and more", "İ and more", " -- ", "-- next words", "", " ", "\u0307x"):
        for prefix in ("", "x", "Straße "):
            text = prefix + head + tail
            for other in (text, text + " more", text[:-1], head, prefix + head, text.upper(), text.casefold()):
                assert _decide.key_equals(text, line_key(other)) == (line_key(text) == line_key(other))


def test_scripts_with_their_own_full_stop_end_sentences_and_run_on():
    """The danda (Hindi, Bengali), the Arabic and the Armenian full stops end sentences: such lines are the
    body's prose, and a line with two sentences joined by one is running text, not the title."""
    from heuristics.decide import body_span, ends_sentence

    hindi = "परिषद ने मंगलवार को लंबी बहस के बाद नए बजट को मंजूरी दी और स्कूलों सड़कों तथा पुस्तकालय पर चर्चा हुई।"
    bengali = "আজ শনিবার সকাল সাড়ে সাতটার দিকে উপজেলার গ্রামে এ ঘটনা ঘটে এবং পুলিশ একজনকে আটক করেছে।"
    assert all(ends_sentence(text) for text in (hindi, bengali, "بیان کیا گیا۔", "ասաց նա։"))
    lines, decision = run(f"মেনু\n{bengali}\n{hindi}")
    assert body_span(lines) == (1, 2)
    running = "সংসদ সদস্য ভাই হাসিনুরকে কুপিয়ে হত্যা করা হয়েছে।এ সময় জখম হয়েছেন দুজন"
    _, decision = run(f"{running}\n{bengali}\n{hindi}")
    assert decision.title_line is None
    _, decision = run(f"দৌলতপুরে ভাইকে কুপিয়ে হত্যা\n{bengali}\n{hindi}")
    assert decision.title_line == 0
    from heuristics.decide import _ends_statement, _states

    question = "هل ينجح الاتفاق الجديد؟"  # an Arabic question ends a sentence, but a headline may ask
    assert ends_sentence(question) and not _states(question) and not _ends_statement(question)
