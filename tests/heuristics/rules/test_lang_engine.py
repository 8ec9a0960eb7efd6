"""Engine fixes the language packs needed: dotted dates, authors joined by other languages' 'and',
and runs that must not grow across a line another category already took."""
from __future__ import annotations

import pytest
from langcheck import line_verdict, removed_by_line, run

from heuristics.metadata import parse_date


@pytest.mark.parametrize(("value", "language", "expected"), [
    ("05.03.2024", "de", "2024-03-05"),
    ("Fr., 04.02.2022", "de", "2022-02-04"),
    ("2024.03.05", "pl", "2024-03-05"),
    ("04.02.2022, 10.15 Uhr", "de", "2022-02-04T10:15:00"),
    ("3 mars 2024 à 14h05", "fr", "2024-03-03T14:05:00"),
])
def test_a_dotted_date_is_not_a_clock_time(value: str, language: str, expected: str) -> None:
    assert parse_date(value, language) == expected


@pytest.mark.parametrize(("line", "authors"), [
    ("Von Thomas Müller und Lena Becker, Berlin", ["Thomas Müller", "Lena Becker"]),
    ("Par Jean Dupont et Marie Martin", ["Jean Dupont", "Marie Martin"]),
    ("Автор: Иван Петров и Анна Смирнова", ["Иван Петров", "Анна Смирнова"]),
    ("Door Jan de Vries en Anouk Jansen", ["Jan de Vries", "Anouk Jansen"]),
])
def test_authors_are_split_on_the_language_s_and(line: str, authors: list[str]) -> None:
    body = {
        "Von": "Die Regierung hat am Mittwoch ein neues Gesetz zur Förderung des Wohnungsbaus vorgestellt, das "
               "nach Angaben des Ministeriums vor allem Familien mit geringem Einkommen entlasten soll.",
        "Par": "Le gouvernement a présenté mercredi un nouveau projet de loi pour soutenir la construction de "
               "logements, qui doit surtout aider les familles aux revenus les plus modestes.",
        "Автор:": "Правительство в среду представило новый законопроект о поддержке жилищного строительства, "
                  "который, по словам министерства, должен помочь прежде всего семьям с низкими доходами.",
        "Door": "Het kabinet heeft woensdag een nieuw wetsvoorstel gepresenteerd om de woningbouw te stimuleren, "
                "dat volgens het ministerie vooral gezinnen met een laag inkomen moet helpen.",
    }[line.split(" ")[0]]
    result = run([line, "", body, "", body.replace(",", ";", 1)])
    assert result.metadata["authors"] == authors


def test_a_run_does_not_grow_across_another_category() -> None:
    """A related box's stubs end at the tags line; the donation box below keeps its own greeting."""
    body = [
        "Der Stadtrat hat am Donnerstagabend mit großer Mehrheit ein neues Förderprogramm für den sozialen "
        "Wohnungsbau beschlossen, das bis 2030 rund 4000 Wohnungen bringen soll.",
        "Kritik kam von der Opposition, die Pläne kämen zu spät und reichten bei Weitem nicht aus, sagte der "
        "Fraktionsvorsitzende nach der Sitzung im Rathaus.",
    ]
    tail = [
        "Mehr zum Thema",
        "Mietpreisbremse: Was Mieter jetzt wissen müssen",
        "Themen: Wohnungsbau, Mieten, Stadtrat",
        "Liebe Leserinnen und Leser,",
        "guter Journalismus kostet Geld. Damit wir weiterhin unabhängig berichten können, brauchen wir Ihre Hilfe.",
        "Jetzt unterstützen",
    ]
    result = run(["Neues Wohnungsbauprogramm beschlossen", "", *body, *tail])
    removed = removed_by_line(result)
    categories = [removed[index][0] for index in range(4, 10)]
    assert categories == ["related_links", "related_links", "tags", "donation_appeal", "donation_appeal",
                          "donation_appeal"]


def test_the_detector_reports_the_most_specific_category() -> None:
    """'© agency - name' is also a copyright line (xx legal rule, tried first by file and language order);
    the combined detector must report the credit, as decide would rank the two."""
    assert line_verdict("© Maxppp - Frédéric Scheiber", "fr") == ("credit", "credit.photo_credit")
    assert line_verdict("© Le Quotidien du Centre 2023", "fr")[0] == "legal"
