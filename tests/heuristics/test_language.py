"""Language identification: a stopword vote for clear cases, CLD2 for the rest."""
import pytest

from heuristics.language import detect, identify, stoplist

SAMPLES = {
    "en": "The government said on Thursday that it would extend the support for companies until the end of the year.",
    "de": "Die Bundesregierung hat am Donnerstag beschlossen, die Hilfen für Unternehmen bis Ende des Jahres zu verlängern.",
    "fr": "Le gouvernement a annoncé jeudi une nouvelle série de mesures pour soutenir les entreprises touchées par la crise.",
    "es": "El gobierno anunció el jueves una nueva serie de medidas para apoyar a las empresas afectadas por la crisis.",
    "ru": "Правительство в четверг объявило о новых мерах поддержки предприятий, пострадавших от кризиса.",
    "nl": "De regering heeft donderdag besloten om de steunmaatregelen voor bedrijven te verlengen tot het einde van het jaar.",
}


@pytest.mark.parametrize("code,text", SAMPLES.items())
def test_detects_the_language_with_a_confidence(code, text):
    language, confidence = detect(text)
    assert language == code
    assert 0.5 <= confidence <= 1.0


def test_no_text_no_language():
    assert detect("  ... !!! ") == (None, None)


def test_stoplists_come_from_a_package():
    assert "und" in stoplist("de") and "the" in stoplist("en")
    assert stoplist("zz") == frozenset()


# A German passage between English brand names: CLD2 finds more English text, the stopwords are German.
GERMAN_PROSE = "Er hat diesen Gedanken, die Dinge zu verbinden und die Zusammenhänge zu erkennen, in seinem Buch mit uns geteilt. "
ENGLISH_NAMES = ("Brand Identity Management Strategy Consulting Services Digital Marketing Branding Logo Development "
                 "Workshop Keynote Speaker Creative Director. ")


def test_on_a_page_of_two_languages_the_one_of_the_running_text_wins():
    sample = GERMAN_PROSE * 2 + ENGLISH_NAMES * 4
    assert identify(sample)[0] == "en"  # CLD2 alone: most of the characters are English
    language, share = detect(sample)
    assert language == "de" and 0 < share < 0.5  # the stopwords say German; the share is CLD2's for German


def test_text_cld2_cannot_call_has_no_language():
    assert identify("2. Pitan, Ramona 1993 WÜ 13,24 sec. q 1. Effert, Sarah-Lea 1993 WÜ 13,04 sec.") == (None, None)


def test_the_identifier_is_cld2_and_jusText_is_not_imported():
    """The language stage's memory: CLD2's compiled tables, and jusText's word lists read as files (importing
    jusText would bring lxml into every process that only cleans text)."""
    import subprocess
    import sys
    code = ("import sys, heuristics; from heuristics import clean; "
            "clean('Die Regierung hat am Donnerstag beschlossen, die Hilfen zu verlängern. ' * 3); "
            "print(sorted(m for m in ('justext', 'py3langid', 'pycld2') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['pycld2']"


def test_characters_cld2_refuses_do_not_stop_detection():
    """CLD2 calls control characters and noncharacters "invalid UTF-8" and raises; they carry no language."""
    refused = "\x00\x07\x0b\x1f\x7f\x85\x9f\ufdd0\ufffe\uffff\U0001fffe\U0010ffff"
    text = ENGLISH_NAMES + refused + " ".join([GERMAN_PROSE] * 3) + refused
    assert identify(text)[0] == "de"
    assert identify(refused) == (None, None)
