"""German rule pack: residue lines of every category go with the right category; look-alike prose stays."""
from __future__ import annotations

import pytest
from langcheck import assert_block_removed, assert_body_kept, document, line_verdict, removed_by_line, run

LANG = "de"
TITLE = "Stadtrat beschließt neues Wohnungsbauprogramm für 4000 Sozialwohnungen"
BODY = [
    "Der Stadtrat hat am Donnerstagabend mit großer Mehrheit ein neues Förderprogramm für den sozialen Wohnungsbau "
    "beschlossen. Bis zum Jahr 2030 sollen in der Stadt rund 4000 zusätzliche Sozialwohnungen entstehen.",
    "Oberbürgermeisterin Katrin Lehmann sprach nach der Abstimmung von einem wichtigen Signal für alle, die seit Jahren "
    "vergeblich eine bezahlbare Wohnung suchen. Die Mieten seien zuletzt deutlich schneller gestiegen als die Einkommen.",
    "Finanziert werden soll das Programm zum größten Teil aus Mitteln des Landes. Die Stadt selbst will in den kommenden "
    "fünf Jahren jeweils rund 40 Millionen Euro aus dem eigenen Haushalt beisteuern.",
    "Kritik kam von der Opposition. Die Pläne kämen viel zu spät und reichten bei Weitem nicht aus, um den Bedarf zu "
    "decken, sagte der Fraktionsvorsitzende im Anschluss an die Sitzung.",
    "Auch die Wohnungswirtschaft äußerte sich zurückhaltend. Steigende Baukosten und hohe Zinsen machten es derzeit "
    "schwer, neue Projekte überhaupt wirtschaftlich zu planen, hieß es vom Verband der Wohnungsunternehmen.",
    "Die ersten Bauvorhaben sollen bereits im kommenden Frühjahr beginnen. Geplant sind unter anderem mehrere "
    "Wohnanlagen auf ehemaligen Gewerbeflächen am nördlichen Stadtrand.",
]

LINES = [
    ("donation_appeal", "Jetzt unterstützen"),
    ("donation_appeal", "Unterstützen Sie unabhängigen Journalismus"),
    ("donation_appeal", "Werden Sie Mitglied und sichern Sie unsere Recherchen für die nächsten Jahre."),
    ("donation_appeal", "Mit Ihrer Spende ermöglichen Sie kritischen Lokaljournalismus."),
    ("subscription_prompt", "Newsletter abonnieren"),
    ("subscription_prompt", "Abonnieren Sie unseren Newsletter und erhalten Sie jeden Morgen die wichtigsten Nachrichten."),
    ("subscription_prompt", "Dieser Artikel ist nur für Abonnenten verfügbar."),
    ("subscription_prompt", "Bereits Abonnent? Hier anmelden"),
    ("subscription_prompt", "Jetzt weiterlesen mit Z+"),
    ("caption", "Bundeskanzler Olaf Scholz (SPD) spricht während der Haushaltsdebatte im Bundestag. Foto: Kay Nietfeld/dpa"),
    ("caption", "Einsatzkräfte der Feuerwehr am Unglücksort in der Innenstadt. (Archivbild)"),
    ("caption", "Symbolbild: Ein Streifenwagen der Polizei mit Blaulicht"),
    ("caption", "Bild vergrößern"),
    ("caption", "Pendler warten am Hauptbahnhof auf die S-Bahn. © Sebastian Gollnow/dpa"),
    ("credit", "Foto: dpa"),
    ("credit", "Bild: picture alliance/dpa/Michael Kappeler"),
    ("credit", "© dpa"),
    ("credit", "Foto: IMAGO/Future Image"),
    ("credit", "Rubriklistenbild: © Sebastian Gollnow/dpa"),
    ("share_social", "Artikel teilen"),
    ("share_social", "Auf Facebook teilen"),
    ("share_social", "Per E-Mail versenden"),
    ("share_social", "Link kopieren"),
    ("share_social", "Folgen Sie uns auf Instagram und Facebook"),
    ("related_links", "Mehr zum Thema"),
    ("related_links", "Lesen Sie auch: Wie sich die Mieten in den Großstädten entwickeln"),
    ("related_links", "Das könnte Sie auch interessieren"),
    ("related_links", "Meistgelesene Artikel"),
    ("comments", "Kommentare (14)"),
    ("comments", "Kommentar schreiben"),
    ("comments", "Die Kommentarfunktion ist für diesen Artikel geschlossen."),
    ("comments", "Ihre E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert."),
    ("cookie_notice", "Wir verwenden Cookies, um Ihnen ein optimales Nutzungserlebnis zu bieten."),
    ("cookie_notice", "Diese Website verwendet Cookies und ähnliche Technologien von Drittanbietern."),
    ("byline", "Von Anna Schmidt"),
    ("byline", "Von Thomas Müller und Lena Becker, Berlin"),
    ("byline", "Ein Kommentar von Markus Weber"),
    ("byline", "Autorin: Julia Hoffmann"),
    ("byline", "Von dpa"),
    ("date_line", "4. Februar 2022, 10:15 Uhr"),
    ("date_line", "Stand: 04.02.2022, 10:15 Uhr"),
    ("date_line", "Aktualisiert am 05.03.2024, 14:05 Uhr"),
    ("date_line", "Veröffentlicht am 04.02.2022 | Lesedauer: 3 Minuten"),
    ("date_line", "vor 2 Stunden"),
    ("date_line", "Lesezeit: 4 Min."),
    ("tags", "Themen: Wohnungsbau, Mieten, Stadtrat"),
    ("tags", "Schlagwörter: Bundestag, Haushalt, Schuldenbremse"),
    ("advertisement", "Anzeige"),
    ("advertisement", "Weiter nach der Anzeige"),
    ("advertisement", "Werbung"),
    ("navigation", "Zum Inhalt springen"),
    ("navigation", "Startseite › Politik › Deutschland"),
    ("navigation", "Nach oben"),
    ("legal", "© Musterstädter Zeitung 2024 – Alle Rechte vorbehalten"),
    ("legal", "Impressum"),
    ("legal", "Datenschutzerklärung"),
    ("legal", "Verträge hier kündigen"),
    ("legal", "*Musterstadt.de ist ein Angebot von Muster Media."),
    ("source_residue", "Quelle: dpa"),
    ("source_residue", "Mit Material von dpa und AFP"),
    ("source_residue", "Dieser Artikel erschien zuerst bei der Musterstädter Zeitung."),
    ("source_residue", "Diese Meldung wurde redaktionell nicht bearbeitet, sie wurde automatisch von der Deutschen Presse-Agentur übernommen."),
    ("share_social", "Teilen auf WhatsApp"),
    ("comments", "Alle 23 Kommentare anzeigen"),
    ("byline", "Von t-online, dpa"),
    ("byline", "(Anna Huber, 4.2.2022)"),
    ("byline", "Von unserem Korrespondenten Peter Maier, Brüssel"),
    ("subscription_prompt", "Jetzt abonnieren und weiterlesen"),
    ("subscription_prompt", "Z+ (abopflichtiger Inhalt)"),
    ("subscription_prompt", "Jetzt kostenlos registrieren und keine Nachricht mehr verpassen."),
    ("subscription_prompt", "Mit unserem WhatsApp-Kanal nichts mehr verpassen"),
    ("navigation", "Audio abspielen"),
    ("source_residue", "Über dieses Thema berichtete Das Erste am 04. Februar 2022 um 20:00 Uhr."),
    ("comments", "Kommentare lesen (123 Beiträge)"),
]

BLOCKS = {
    "donation box": [
        ("donation_appeal", "Liebe Leserinnen und Leser,"),
        ("donation_appeal", "unabhängiger Journalismus kostet Zeit und Geld. Damit wir weiterhin unabhängig berichten "
                            "können, brauchen wir Ihre Unterstützung."),
        ("donation_appeal", "Einmalig"),
        ("donation_appeal", "Monatlich"),
        ("donation_appeal", "Jährlich"),
        ("donation_appeal", "Jetzt unterstützen"),
        ("donation_appeal", "Jetzt nicht"),
    ],
    "newsletter box": [
        ("subscription_prompt", "Der tägliche Newsletter"),
        ("subscription_prompt", "Die wichtigsten Nachrichten des Tages – jeden Morgen kostenlos direkt in Ihr Postfach."),
        ("subscription_prompt", "Ihre E-Mail-Adresse"),
        ("subscription_prompt", "Jetzt abonnieren"),
        ("subscription_prompt", "Sie können sich jederzeit wieder abmelden."),
    ],
    "cookie banner": [
        ("cookie_notice", "Wir verwenden Cookies und ähnliche Technologien, um Inhalte zu personalisieren und die "
                          "Zugriffe auf unsere Website zu analysieren."),
        ("cookie_notice", "Alle akzeptieren"),
        ("cookie_notice", "Ablehnen"),
        ("cookie_notice", "Einstellungen"),
    ],
    "comments": [
        ("comments", "Kommentare"),
        ("comments", "3 Kommentare"),
        ("comments", "Neueste zuerst"),
        ("comments", "Antworten"),
        ("comments", "Melden"),
    ],
    "related box": [
        ("related_links", "Mehr zum Thema"),
        ("related_links", "Mietpreisbremse: Was Mieterinnen und Mieter jetzt wissen müssen"),
        ("related_links", "Neubau in der Krise – warum kaum noch Wohnungen entstehen"),
        ("related_links", "Wohngeld-Reform: Wer jetzt Anspruch hat und wie viel mehr Geld es ab Januar für Haushalte gibt"),
    ],
    "share row": [
        ("share_social", "Teilen"),
        ("share_social", "Facebook"),
        ("share_social", "WhatsApp"),
        ("share_social", "E-Mail"),
        ("share_social", "Drucken"),
    ],
}

LOOKALIKES = [
    "Die Stadt will Vereine, die sich für Geflüchtete einsetzen, künftig stärker unterstützen und stellt dafür zusätzliche Mittel bereit.",
    "Wer das Projekt jetzt unterstützen möchte, kann sich an die Bürgerinitiative wenden, sagte die Sprecherin.",
    "Der Verein sammelt seit Jahren Spenden für Obdachlose; jede Spende helfe, sagte die Vorsitzende.",
    "Mit ihrer Spende will die Stiftung vor allem Familien mit kleinen Kindern helfen.",
    "Mit einem kleinen Beitrag beteiligt sich auch der Landkreis an den Kosten für die neue Schule.",
    "Wann werden sie Mitglied der Europäischen Union, fragte ein Reporter den Außenminister.",
    "Im Newsletter der Stadtverwaltung war die Änderung bereits vor zwei Wochen angekündigt worden.",
    "Bürgerinnen und Bürger können sich weiterhin kostenlos testen lassen, teilte das Gesundheitsamt mit.",
    "Die Kommentare in den sozialen Netzwerken fielen nach der Abstimmung überwiegend kritisch aus.",
    "Eine Bitte um einen Kommentar ließ das Ministerium bis zum Abend unbeantwortet.",
    "Dies sei der erste Schritt zu einer umfassenden Reform, sagte die Ministerin.",
    "Von Hamburg aus fahren am Wochenende zusätzliche Züge in Richtung Ostsee.",
    "Von Olaf Scholz, dem Bundeskanzler, kam zunächst keine Stellungnahme.",
    "Foto- und Videoaufnahmen sind im Gerichtssaal während der Verhandlung nicht erlaubt.",
    "Das Bild, das die Regierung in dieser Woche abgegeben hat, ist kein gutes, sagte der Oppositionsführer.",
    "Die Anzeige gegen den Bürgermeister wird inzwischen von der Staatsanwaltschaft geprüft.",
    "Teilen sich zwei Familien eine Wohnung, steigt das Risiko von Konflikten deutlich.",
    "Folgen hat der Streit auch für die Beschäftigten, die seit Monaten auf eine Lohnerhöhung warten.",
    "Quellen aus dem Umfeld der Regierung bestätigten den Bericht am Abend.",
    "Heute gilt das Viertel als eines der beliebtesten der ganzen Stadt.",
    "Datenschutz spielt bei der neuen App nach Angaben des Ministeriums eine zentrale Rolle.",
    "Das Gericht sah kein berechtigtes Interesse an der Veröffentlichung der Daten.",
    "Die neue Datenschutzerklärung des Konzerns sorgt bei Verbraucherschützern für Kritik.",
    "Die Polizei arbeitet in Zusammenarbeit mit den Behörden des Nachbarlandes an der Aufklärung.",
    "Tickets für das Konzert gibt es schon ab 5 Euro an der Abendkasse.",
    "Spenden sind steuerlich absetzbar, erklärte der Steuerberater im Gespräch mit unserer Zeitung.",
    "Der Park bleibt auch in den Sommermonaten für alle frei zugänglich.",
    "Indem sie auf die Straße gingen, wollten die Demonstranten ein Zeichen setzen.",
]

DATES = [
    ("4. Februar 2022, 10:15 Uhr", "published", "2022-02-04T10:15:00"),
    ("Freitag, 4. Februar 2022, 10:15 Uhr", "published", "2022-02-04T10:15:00"),
    ("Veröffentlicht am 04.02.2022", "published", "2022-02-04"),
    ("Stand: 04.02.2022 10:15 Uhr", "published", "2022-02-04T10:15:00"),
    ("Aktualisiert am 05.03.2024", "updated", "2024-03-05"),
    ("Aktualisiert am 05.03.2024, 14:05 Uhr", "updated", "2024-03-05T14:05:00"),
    ("04.02.2022, 10.15 Uhr", "published", "2022-02-04T10:15:00"),
    ("Veröffentlicht am 4. Februar 2022, aktualisiert am 5. Februar 2022", "updated", "2022-02-05"),
]


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
    result = run(document(TITLE, BODY, ["Von Thomas Müller und Lena Becker, Berlin"], at=0))
    assert result.metadata["authors"] == ["Thomas Müller", "Lena Becker"]


def test_language_is_detected_and_overridable() -> None:
    detected = run([TITLE, "", *BODY])
    assert (detected.metadata["language"], detected.metadata["language_confidence"] > 0.8) == ("de", True)
    forced = run([TITLE, "", *BODY], language="nl")
    assert (forced.metadata["language"], forced.metadata["language_confidence"]) == ("nl", 1.0)
