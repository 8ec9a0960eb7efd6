"""Italian rule pack: residue lines of every category go with the right category; look-alike prose stays."""
from __future__ import annotations

import pytest
from langcheck import assert_block_removed, assert_body_kept, document, line_verdict, removed_by_line, run

LANG = "it"
TITLE = "Il Comune approva un piano per 3.000 alloggi popolari entro il 2030"
BODY = [
    "Il consiglio comunale ha approvato giovedì sera, con un'ampia maggioranza, un piano per costruire 3.000 nuovi "
    "alloggi di edilizia popolare entro il 2030. Il provvedimento era atteso da anni dalle associazioni degli inquilini.",
    "La sindaca ha parlato di un segnale importante per le famiglie che aspettano da tempo una casa a prezzi "
    "accessibili. Negli ultimi dieci anni gli affitti sono cresciuti molto più in fretta degli stipendi.",
    "Il finanziamento arriverà in gran parte dallo Stato e dalla Regione. Il Comune metterà a disposizione circa "
    "quaranta milioni di euro all'anno dal proprio bilancio per cinque anni.",
    "L'opposizione ha criticato un piano giudicato tardivo e insufficiente. Secondo i suoi calcoli, in città ci sono "
    "oltre 12.000 domande in attesa nelle graduatorie comunali.",
    "Le imprese edili si mostrano caute. L'aumento dei costi dei materiali e dei tassi di interesse rende difficile "
    "far quadrare i conti di molti progetti, avverte l'associazione dei costruttori.",
    "I primi cantieri dovrebbero partire la prossima primavera su ex aree industriali nella zona nord della città.",
]

LINES = [
    ("donation_appeal", "Sostienici"),
    ("donation_appeal", "Sostieni il giornalismo indipendente"),
    ("donation_appeal", "Con il tuo contributo possiamo continuare a offrire informazione libera e gratuita."),
    ("donation_appeal", "Fai una donazione"),
    ("subscription_prompt", "Abbonati"),
    ("subscription_prompt", "Iscriviti alla nostra newsletter per ricevere ogni mattina le notizie più importanti."),
    ("subscription_prompt", "Articolo riservato agli abbonati"),
    ("subscription_prompt", "Sei già abbonato? Accedi"),
    ("caption", "La premier durante la conferenza stampa a Palazzo Chigi (Ansa)"),
    ("caption", "Nella foto, i vigili del fuoco al lavoro dopo il crollo della palazzina nel centro storico."),
    ("caption", "Guarda la gallery"),
    ("credit", "Foto: Ansa"),
    ("credit", "LaPresse"),
    ("credit", "Foto di repertorio"),
    ("share_social", "Condividi su Facebook"),
    ("share_social", "Condividi su WhatsApp"),
    ("share_social", "Copia link"),
    ("share_social", "Seguici su Instagram e Telegram"),
    ("related_links", "Leggi anche"),
    ("related_links", "Leggi anche: Mutui, cosa cambia con il nuovo taglio dei tassi"),
    ("related_links", "Articoli correlati"),
    ("related_links", "I più letti"),
    ("comments", "Commenti (7)"),
    ("comments", "Lascia un commento"),
    ("comments", "Il tuo indirizzo email non sarà pubblicato. I campi obbligatori sono contrassegnati *"),
    ("cookie_notice", "Questo sito utilizza cookie tecnici e di profilazione di terze parti."),
    ("cookie_notice", "Continuando la navigazione acconsenti all'uso dei cookie."),
    ("byline", "di Mario Rossi"),
    ("byline", "Di Giulia Bianchi e Luca Verdi"),
    ("byline", "A cura di Francesca Esposito"),
    ("date_line", "3 marzo 2024"),
    ("date_line", "Pubblicato il 3 marzo 2024 alle 14:05"),
    ("date_line", "3 marzo 2024 (modifica il 4 marzo 2024 | 08:12)"),
    ("date_line", "Ultimo aggiornamento: 04/03/2024 08:12"),
    ("date_line", "2 ore fa"),
    ("date_line", "Tempo di lettura: 4 minuti"),
    ("tags", "Argomenti: Casa, Affitti, Comune"),
    ("advertisement", "Pubblicità"),
    ("advertisement", "Contenuto sponsorizzato"),
    ("navigation", "Vai al contenuto"),
    ("navigation", "Home > Cronaca > Casa"),
    ("navigation", "Torna su"),
    ("legal", "© Riproduzione riservata"),
    ("legal", "RIPRODUZIONE RISERVATA ©"),
    ("legal", "Tutti i diritti riservati"),
    ("legal", "P.IVA 01234567890"),
    ("source_residue", "Fonte: Istat"),
    ("source_residue", "Fonte: ANSA"),
    ("share_social", "Condividi su Telegram"),
    ("comments", "Vedi tutti i 9 commenti"),
    ("byline", "Redazione"),
    ("advertisement", "Pubblicità - Continua a leggere sotto"),
]

BLOCKS = {
    "donation box": [
        ("donation_appeal", "Cari lettori,"),
        ("donation_appeal", "il nostro giornalismo è libero e gratuito grazie al sostegno dei lettori. Sostienici anche "
                            "tu con un piccolo contributo."),
        ("donation_appeal", "Una tantum"),
        ("donation_appeal", "Mensile"),
        ("donation_appeal", "Sostieni"),
    ],
    "newsletter box": [
        ("subscription_prompt", "La newsletter del mattino"),
        ("subscription_prompt", "Ricevi ogni giorno le notizie principali nella tua casella di posta."),
        ("subscription_prompt", "Indirizzo email"),
        ("subscription_prompt", "Iscriviti"),
    ],
    "cookie banner": [
        ("cookie_notice", "Noi e i nostri partner utilizziamo cookie per archiviare e/o accedere a informazioni su un "
                          "dispositivo."),
        ("cookie_notice", "Accetta"),
        ("cookie_notice", "Rifiuta"),
        ("cookie_notice", "Personalizza"),
    ],
    "comments": [
        ("comments", "Commenti"),
        ("comments", "4 commenti"),
        ("comments", "Più recenti"),
        ("comments", "Rispondi"),
    ],
    "related box": [
        ("related_links", "Potrebbe interessarti"),
        ("related_links", "Affitti alle stelle nelle grandi città: i dati dell'ultimo anno"),
        ("related_links", "Case popolari, le graduatorie si allungano"),
    ],
}

LOOKALIKES = [
    "Con una donazione di diecimila euro l'azienda ha finanziato il restauro della chiesa.",
    "«Abbiamo bisogno di te», ha detto il candidato ai militanti riuniti in piazza.",
    "Gli abbonati della pay-tv potranno vedere la partita senza costi aggiuntivi.",
    "Il primo mese dell'anno è stato il più caldo mai registrato, secondo il servizio meteorologico.",
    "Il portavoce non è stato disponibile per commentare la sentenza del tribunale.",
    "Per non perdere il treno, molti pendolari sono partiti all'alba e hanno raggiunto la stazione a piedi.",
    "Di Maio ha ribadito la sua posizione durante l'incontro con la stampa estera.",
    "Condividere l'auto è diventata un'abitudine per molti pendolari della provincia.",
    "I commenti del ministro hanno provocato una dura reazione delle opposizioni.",
    "La pubblicità ingannevole è costata all'azienda una multa da centomila euro.",
    "La partita IVA dei lavoratori autonomi resta al centro del dibattito sulla riforma fiscale.",
]

DATES = [
    ("3 marzo 2024", "published", "2024-03-03"),
    ("Pubblicato il 3 marzo 2024 alle 14:05", "published", "2024-03-03T14:05:00"),
    ("3 marzo 2024 (modifica il 4 marzo 2024 | 08:12)", "updated", "2024-03-04T08:12:00"),
    ("Ultimo aggiornamento: 04/03/2024 08:12", "updated", "2024-03-04T08:12:00"),
]
BYLINE = "Di Giulia Bianchi e Luca Verdi"
AUTHORS = ["Giulia Bianchi", "Luca Verdi"]


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
