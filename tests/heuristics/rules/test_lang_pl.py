"""Polish rule pack: residue lines of every category go with the right category; look-alike prose stays."""
from __future__ import annotations

import pytest
from langcheck import assert_block_removed, assert_body_kept, document, line_verdict, removed_by_line, run

LANG = "pl"
TITLE = "Rada miasta przyjęła program budowy 3 tys. mieszkań komunalnych do 2030 roku"
BODY = [
    "Rada miasta przyjęła w czwartek wieczorem zdecydowaną większością głosów program budowy 3 tys. mieszkań "
    "komunalnych do 2030 roku. Na taką decyzję od lat czekały stowarzyszenia lokatorów.",
    "Prezydentka miasta mówiła o ważnym sygnale dla rodzin, które od wielu lat czekają na mieszkanie w przystępnej "
    "cenie. W ostatniej dekadzie czynsze rosły znacznie szybciej niż wynagrodzenia.",
    "Program ma być finansowany w dużej mierze ze środków rządowych i unijnych. Miasto przeznaczy na ten cel około "
    "40 mln zł rocznie z własnego budżetu przez pięć lat.",
    "Opozycja skrytykowała plan jako spóźniony i niewystarczający. Według jej wyliczeń w kolejce po mieszkanie "
    "komunalne czeka obecnie ponad 12 tys. rodzin.",
    "Firmy budowlane podchodzą do programu ostrożnie. Wzrost cen materiałów i stóp procentowych sprawia, że wiele "
    "inwestycji trudno dziś spiąć finansowo, ostrzega branżowy związek.",
    "Pierwsze budowy mają ruszyć wiosną na dawnych terenach przemysłowych w północnej części miasta.",
]

LINES = [
    ("donation_appeal", "Wesprzyj nas"),
    ("donation_appeal", "Wspieraj niezależne dziennikarstwo"),
    ("donation_appeal", "Dzięki Twojemu wsparciu możemy dalej pisać o tym, o czym inni milczą."),
    ("donation_appeal", "Zostań Patronem"),
    ("subscription_prompt", "Zapisz się do newslettera"),
    ("subscription_prompt", "Zapisz się na nasz newsletter i otrzymuj najważniejsze informacje na Twoją skrzynkę."),
    ("subscription_prompt", "Artykuł dostępny tylko dla subskrybentów"),
    ("subscription_prompt", "Masz już subskrypcję? Zaloguj się"),
    ("caption", "Premier podczas konferencji prasowej w Sejmie. Fot. PAP/Radek Pietruszka"),
    ("caption", "Strażacy gaszą pożar hali magazynowej pod Warszawą (fot. PAP/Albert Zawada)"),
    ("caption", "Zobacz galerię"),
    ("credit", "Fot. PAP/Radek Pietruszka"),
    ("credit", "Zdjęcie: Shutterstock"),
    ("credit", "Agencja Gazeta"),
    ("share_social", "Udostępnij na Facebooku"),
    ("share_social", "Podziel się"),
    ("share_social", "Skopiuj link"),
    ("share_social", "Obserwuj nas w Google News"),
    ("related_links", "Czytaj także"),
    ("related_links", "CZYTAJ TEŻ: Kredyty hipoteczne drożeją. Co z ratami?"),
    ("related_links", "Zobacz także: Czynsze w dużych miastach biją rekordy"),
    ("related_links", "Najczęściej czytane"),
    ("comments", "Komentarze (9)"),
    ("comments", "Dodaj komentarz"),
    ("comments", "Twój adres e-mail nie zostanie opublikowany. Wymagane pola są oznaczone *"),
    ("cookie_notice", "Ta strona korzysta z plików cookie w celu świadczenia usług na najwyższym poziomie."),
    ("cookie_notice", "Korzystając z serwisu, wyrażasz zgodę na używanie plików cookies."),
    ("byline", "Autor: Jan Kowalski"),
    ("byline", "Autorka: Anna Nowak"),
    ("byline", "Oprac. Piotr Wiśniewski"),
    ("date_line", "3 marca 2024"),
    ("date_line", "Opublikowano: 03.03.2024 14:05"),
    ("date_line", "Aktualizacja: 04.03.2024 08:12"),
    ("date_line", "niedziela, 3 marca 2024, 14:05"),
    ("date_line", "2 godziny temu"),
    ("date_line", "Czas czytania: 4 min"),
    ("tags", "Tagi: mieszkania, czynsze, rada miasta"),
    ("advertisement", "Reklama"),
    ("advertisement", "Dalsza część artykułu pod materiałem wideo"),
    ("navigation", "Przejdź do treści"),
    ("navigation", "Strona główna > Kraj > Mieszkania"),
    ("navigation", "Wróć na górę"),
    ("legal", "© 2024 Gazeta Miejska. Wszelkie prawa zastrzeżone."),
    ("legal", "Polityka prywatności"),
    ("legal", "Regulamin"),
    ("source_residue", "Źródło: PAP"),
    ("source_residue", "Masz newsa, zdjęcie lub filmik? Prześlij nam przez formularz."),
    ("share_social", "Udostępnij na X"),
    ("comments", "Pokaż komentarze (4)"),
    ("subscription_prompt", "Otrzymuj najważniejsze wiadomości na e-mail"),
]

BLOCKS = {
    "donation box": [
        ("donation_appeal", "Drodzy Czytelnicy,"),
        ("donation_appeal", "utrzymujemy się z wpłat czytelników, nie z reklam. Wesprzyj nas, żebyśmy mogli dalej "
                            "patrzeć władzy na ręce."),
        ("donation_appeal", "Jednorazowo"),
        ("donation_appeal", "Co miesiąc"),
        ("donation_appeal", "Wspieram"),
    ],
    "newsletter box": [
        ("subscription_prompt", "Newsletter poranny"),
        ("subscription_prompt", "Najważniejsze informacje dnia prosto na Twoją skrzynkę."),
        ("subscription_prompt", "Adres e-mail"),
        ("subscription_prompt", "Zapisz się"),
    ],
    "cookie banner": [
        ("cookie_notice", "My i nasi partnerzy używamy plików cookie do przechowywania informacji na urządzeniu."),
        ("cookie_notice", "Akceptuję"),
        ("cookie_notice", "Odrzuć"),
        ("cookie_notice", "Ustawienia"),
    ],
    "comments": [
        ("comments", "Komentarze"),
        ("comments", "6 komentarzy"),
        ("comments", "Najstarsze"),
        ("comments", "Odpowiedz"),
    ],
    "related box": [
        ("related_links", "Polecamy"),
        ("related_links", "Czynsze w Warszawie znów w górę"),
        ("related_links", "Mieszkania komunalne: kolejka coraz dłuższa"),
    ],
}

LOOKALIKES = [
    "Każda złotówka się liczy, przekonywała prezeska fundacji podczas zbiórki na rzecz hospicjum.",
    "Potrzebujemy waszego wsparcia, mówił kandydat do zgromadzonych na rynku mieszkańców.",
    "Podatnicy mogą przekazać 1,5% podatku na wybraną organizację pożytku publicznego.",
    "Nowy newsletter ministerstwa zapowiadał tę zmianę już dwa tygodnie temu.",
    "Pełny dostęp do dokumentacji otrzymają wyłącznie członkowie komisji śledczej.",
    "Komentarze polityków opozycji były po głosowaniu bardzo krytyczne.",
    "Reklama alkoholu w telewizji ma zostać dodatkowo ograniczona, zapowiada resort zdrowia.",
    "RODO nakłada na firmy obowiązek ochrony danych osobowych klientów.",
    "Autor projektu ustawy przekonywał w Sejmie, że zmiany są konieczne.",
    "Zobacz, jak zmieniały się ceny mieszkań w największych miastach w ciągu ostatniej dekady.",
]

DATES = [
    ("3 marca 2024", "published", "2024-03-03"),
    ("Opublikowano: 03.03.2024 14:05", "published", "2024-03-03T14:05:00"),
    ("Aktualizacja: 04.03.2024 08:12", "updated", "2024-03-04T08:12:00"),
    ("niedziela, 3 marca 2024, 14:05", "published", "2024-03-03T14:05:00"),
]
BYLINE = "Autorzy: Jan Kowalski i Anna Nowak"
AUTHORS = ["Jan Kowalski", "Anna Nowak"]


@pytest.mark.parametrize(("category", "text"), LINES, ids=[text[:40] for _, text in LINES])
def test_residue_line_goes_as_its_category(category: str, text: str) -> None:
    verdict = line_verdict(text, LANG)
    assert verdict is not None, f"no strong rule for {text!r}"
    assert verdict[0] == category and verdict[1].startswith(category + "."), verdict


@pytest.mark.parametrize("name", list(BLOCKS))
def test_residue_block_goes_as_a_run(name: str) -> None:
    assert_block_removed(TITLE, BODY, BLOCKS[name], LANG, at=3)


def test_lookalike_prose_stays() -> None:
    assert_body_kept(TITLE, BODY, LOOKALIKES, LANG)


@pytest.mark.parametrize(("line", "field", "value"), DATES, ids=[line for line, _, _ in DATES])
def test_date_lines_feed_metadata(line: str, field: str, value: str) -> None:
    result = run(document(TITLE, BODY, [line], at=0))
    assert removed_by_line(result)[2][0] == "date_line"
    assert result.metadata[field] == value


def test_byline_names_become_authors() -> None:
    result = run(document(TITLE, BODY, [BYLINE], at=0))
    assert result.metadata["authors"] == AUTHORS


def test_language_is_detected() -> None:
    result = run([TITLE, "", *BODY])
    assert (result.metadata["language"], result.metadata["language_confidence"] > 0.5) == (LANG, True)
