"""Dutch rule pack: residue lines of every category go with the right category; look-alike prose stays."""
from __future__ import annotations

import pytest
from langcheck import assert_block_removed, assert_body_kept, document, line_verdict, removed_by_line, run

LANG = "nl"
TITLE = "Gemeenteraad stemt in met plan voor 3000 sociale huurwoningen voor 2030"
BODY = [
    "De gemeenteraad heeft donderdagavond met een ruime meerderheid ingestemd met een plan om voor 2030 drieduizend "
    "extra sociale huurwoningen te bouwen. Huurdersverenigingen drongen daar al jaren op aan.",
    "De burgemeester sprak van een belangrijk signaal voor gezinnen die soms al jaren wachten op een betaalbare "
    "woning. De huren zijn het afgelopen decennium veel sneller gestegen dan de inkomens.",
    "Het geld komt voor een groot deel van het Rijk en de provincie. De gemeente trekt daarnaast vijf jaar lang "
    "jaarlijks ongeveer veertig miljoen euro uit de eigen begroting uit.",
    "De oppositie noemde het plan te laat en te weinig. Volgens haar staan er op dit moment ruim twaalfduizend "
    "woningzoekenden ingeschreven bij de corporaties in de regio.",
    "Bouwbedrijven reageren voorzichtig. Door de gestegen materiaalprijzen en de hogere rente zijn veel projecten "
    "lastig rond te rekenen, waarschuwt de brancheorganisatie.",
    "De eerste bouwprojecten moeten volgend voorjaar beginnen op voormalige bedrijventerreinen in het noorden van de stad.",
]

LINES = [
    ("donation_appeal", "Steun ons"),
    ("donation_appeal", "Steun onafhankelijke journalistiek"),
    ("donation_appeal", "Met een donatie help je ons om onafhankelijk te blijven. Word donateur!"),
    ("donation_appeal", "Word lid"),
    ("subscription_prompt", "Abonneer nu"),
    ("subscription_prompt", "Schrijf je in voor onze nieuwsbrief en ontvang elke ochtend het belangrijkste nieuws."),
    ("subscription_prompt", "Dit artikel is alleen beschikbaar voor abonnees."),
    ("subscription_prompt", "Al abonnee? Log in"),
    ("caption", "De premier tijdens het debat in de Tweede Kamer. Beeld ANP / Remko de Waal"),
    ("caption", "Brandweerlieden blussen een brand in een loods in Rotterdam. Foto: Reuters"),
    ("caption", "Bekijk de fotoserie"),
    ("credit", "Foto: ANP"),
    ("credit", "Beeld Getty Images"),
    ("credit", "Hollandse Hoogte"),
    ("share_social", "Delen"),
    ("share_social", "Deel dit artikel"),
    ("share_social", "Link kopiëren"),
    ("share_social", "Volg ons op Instagram en LinkedIn"),
    ("related_links", "Lees ook"),
    ("related_links", "Lees ook: Huurprijzen in de grote steden blijven stijgen"),
    ("related_links", "Meest gelezen"),
    ("related_links", "Meer over dit onderwerp"),
    ("comments", "Reacties (11)"),
    ("comments", "Plaats een reactie"),
    ("comments", "Je e-mailadres wordt niet gepubliceerd. Vereiste velden zijn gemarkeerd met *"),
    ("cookie_notice", "Wij gebruiken cookies om je een betere ervaring te bieden."),
    ("cookie_notice", "Deze website maakt gebruik van cookies van derden."),
    ("byline", "Door Jan de Vries"),
    ("byline", "Door Anouk Jansen en Pieter van der Berg"),
    ("byline", "Door onze redactie"),
    ("date_line", "3 maart 2024"),
    ("date_line", "zondag 3 maart 2024, 14:05"),
    ("date_line", "Gepubliceerd op 3 maart 2024 om 14:05"),
    ("date_line", "Bijgewerkt: 4 maart 2024 08:12"),
    ("date_line", "2 uur geleden"),
    ("date_line", "Leestijd: 4 minuten"),
    ("tags", "Onderwerpen: wonen, huur, gemeenteraad"),
    ("advertisement", "Advertentie"),
    ("advertisement", "Het artikel gaat verder onder de advertentie"),
    ("navigation", "Ga naar de inhoud"),
    ("navigation", "Home > Binnenland > Wonen"),
    ("navigation", "Terug naar boven"),
    ("legal", "© 2024 Stadsblad. Alle rechten voorbehouden."),
    ("legal", "Privacyverklaring"),
    ("legal", "Algemene voorwaarden"),
    ("source_residue", "Bron: CBS"),
    ("source_residue", "Dit artikel verscheen eerder in de papieren krant."),
    ("share_social", "Deel via WhatsApp"),
    ("comments", "Bekijk alle 12 reacties"),
    ("byline", "Redactie"),
]

BLOCKS = {
    "donation box": [
        ("donation_appeal", "Beste lezer,"),
        ("donation_appeal", "onze journalistiek is gratis voor iedereen, zonder betaalmuur. Dat kan alleen dankzij onze "
                            "lezers."),
        ("donation_appeal", "Eenmalig"),
        ("donation_appeal", "Maandelijks"),
        ("donation_appeal", "Doneer"),
    ],
    "newsletter box": [
        ("subscription_prompt", "De ochtendnieuwsbrief"),
        ("subscription_prompt", "Elke ochtend het belangrijkste nieuws in je mailbox."),
        ("subscription_prompt", "Je e-mailadres"),
        ("subscription_prompt", "Aanmelden"),
    ],
    "cookie banner": [
        ("cookie_notice", "Wij en onze partners gebruiken cookies om informatie op een apparaat op te slaan."),
        ("cookie_notice", "Accepteren"),
        ("cookie_notice", "Weigeren"),
        ("cookie_notice", "Instellingen"),
    ],
    "comments": [
        ("comments", "Reacties"),
        ("comments", "7 reacties"),
        ("comments", "Nieuwste eerst"),
        ("comments", "Beantwoorden"),
    ],
    "related box": [
        ("related_links", "Lees ook"),
        ("related_links", "Wachtlijst voor sociale huurwoning loopt verder op"),
        ("related_links", "Wat verandert er met de nieuwe huurwet"),
    ],
}

LOOKALIKES = [
    "Met een donatie van tienduizend euro maakte het bedrijf de restauratie van de kerk mogelijk.",
    "Uw steun is hard nodig, zei de kandidaat tegen honderden aanhangers op het Malieveld.",
    "De nieuwsbrief van het ministerie meldde de wijziging al twee weken geleden.",
    "De woordvoerder weigerde om te reageren op de uitspraak van de rechter.",
    "Door de regen liep de wedstrijd ruim een uur vertraging op.",
    "Door verder te gaan met de bouw negeerde de gemeente het advies van de commissie.",
    "De reacties van de oppositie op het plan waren overwegend kritisch.",
    "Delen van de binnenstad blijven tot maandag afgesloten voor het verkeer.",
    "Het museum is in de zomermaanden gratis voor iedereen toegankelijk.",
    "Advertenties voor gokken worden vanaf volgend jaar verder aan banden gelegd.",
]

DATES = [
    ("3 maart 2024", "published", "2024-03-03"),
    ("zondag 3 maart 2024, 14:05", "published", "2024-03-03T14:05:00"),
    ("Gepubliceerd op 3 maart 2024 om 14:05", "published", "2024-03-03T14:05:00"),
    ("Bijgewerkt: 4 maart 2024 08:12", "updated", "2024-03-04T08:12:00"),
    ("03-03-24, 14:05", "published", "2024-03-03T14:05:00"),
]
BYLINE = "Door Anouk Jansen en Pieter van der Berg"
AUTHORS = ["Anouk Jansen", "Pieter van der Berg"]


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
