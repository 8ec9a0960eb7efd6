"""Language identification: a stopword vote for clear cases, py3langid for the rest."""
import pytest

from heuristics.language import detect, stoplist

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
