"""French rule pack: residue lines of every category go with the right category; look-alike prose stays."""
from __future__ import annotations

import pytest
from langcheck import assert_block_removed, assert_body_kept, document, line_verdict, removed_by_line, run

LANG = "fr"
TITLE = "Logement : la mairie lance un plan de 3 000 logements sociaux d'ici 2030"
BODY = [
    "Le conseil municipal a adopté jeudi soir, à une large majorité, un plan destiné à construire 3 000 logements "
    "sociaux supplémentaires d'ici à 2030. Le projet était attendu depuis plusieurs années par les associations.",
    "La maire a salué « un signal fort » adressé aux familles qui attendent parfois plus de cinq ans un logement "
    "abordable. Les loyers du parc privé ont augmenté bien plus vite que les revenus au cours de la dernière décennie.",
    "Le financement reposera en grande partie sur l'État et la région. La ville prévoit d'y consacrer environ "
    "quarante millions d'euros par an sur son propre budget pendant cinq ans.",
    "L'opposition a dénoncé un plan trop tardif et insuffisant au regard des besoins. Selon elle, plus de 12 000 "
    "demandes sont actuellement en attente auprès des bailleurs sociaux de l'agglomération.",
    "Les professionnels du bâtiment se montrent prudents. La hausse du coût des matériaux et des taux d'intérêt rend "
    "de nombreux projets difficiles à équilibrer, rappelle la fédération régionale.",
    "Les premiers chantiers devraient démarrer au printemps prochain, notamment sur d'anciennes friches "
    "industrielles situées au nord de la ville.",
]

LINES = [
    ("donation_appeal", "Soutenez-nous"),
    ("donation_appeal", "Faire un don"),
    ("donation_appeal", "Soutenez un journalisme indépendant et exigeant, sans publicité ni actionnaire."),
    ("donation_appeal", "Devenez membre et rejoignez les 20 000 lecteurs qui financent notre rédaction."),
    ("donation_appeal", "66 % de votre don est déductible de vos impôts."),
    ("subscription_prompt", "S'abonner"),
    ("subscription_prompt", "Abonnez-vous à notre newsletter pour recevoir l'essentiel de l'actualité chaque matin."),
    ("subscription_prompt", "Cet article est réservé aux abonnés."),
    ("subscription_prompt", "Il vous reste 75 % de cet article à lire. La suite est réservée aux abonnés."),
    ("subscription_prompt", "Déjà abonné ? Se connecter"),
    ("caption", "Le président de la République lors d'un déplacement à Marseille, le 3 mars 2024. LUDOVIC MARIN / AFP"),
    ("caption", "Des manifestants défilent à Paris contre la réforme des retraites. (Photo : Thomas Samson / AFP)"),
    ("caption", "Sur cette photo prise le 12 juin, des pompiers luttent contre un incendie près de Marseille."),
    ("caption", "Agrandir l'image"),
    ("credit", "Photo : AFP"),
    ("credit", "Crédit photo : Hans Lucas via AFP"),
    ("credit", "© Maxppp - Frédéric Scheiber"),
    ("credit", "Sipa Press"),
    ("share_social", "Partager sur Facebook"),
    ("share_social", "Partager cet article"),
    ("share_social", "Envoyer par e-mail"),
    ("share_social", "Copier le lien"),
    ("share_social", "Suivez-nous sur Instagram et LinkedIn"),
    ("related_links", "Lire aussi"),
    ("related_links", "Lire aussi : Comment la crise du logement frappe les classes moyennes"),
    ("related_links", "À lire aussi | Les loyers continuent de grimper dans les grandes villes"),
    ("related_links", "Sur le même sujet"),
    ("related_links", "Les plus lus"),
    ("comments", "Commentaires (12)"),
    ("comments", "Laisser un commentaire"),
    ("comments", "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *"),
    ("comments", "Vous devez être connecté pour publier un commentaire."),
    ("cookie_notice", "Nous utilisons des cookies pour vous offrir la meilleure expérience sur notre site."),
    ("cookie_notice", "En poursuivant votre navigation, vous acceptez l'utilisation de cookies."),
    ("cookie_notice", "Continuer sans accepter"),
    ("byline", "Par Jean-Baptiste Martin"),
    ("byline", "Par Claire Dubois et Thomas Lefèvre, envoyés spéciaux à Kiev"),
    ("byline", "Propos recueillis par Sophie Bernard"),
    ("byline", "Par AFP"),
    ("date_line", "Publié le 3 mars 2024 à 14h05"),
    ("date_line", "Publié le 03/03/2024 à 14:05, mis à jour le 04/03/2024 à 08:12"),
    ("date_line", "Mis à jour le 4 mars 2024 à 08h12"),
    ("date_line", "Publié aujourd'hui à 14h05"),
    ("date_line", "il y a 3 heures"),
    ("date_line", "Temps de lecture : 4 min."),
    ("tags", "Mots-clés : Logement, Urbanisme, Conseil municipal"),
    ("tags", "Thèmes : Climat, Énergie"),
    ("advertisement", "Publicité"),
    ("advertisement", "La suite après cette publicité"),
    ("advertisement", "Contenu sponsorisé"),
    ("navigation", "Aller au contenu principal"),
    ("navigation", "Accueil > Société > Logement"),
    ("navigation", "Retour en haut de page"),
    ("legal", "© Le Quotidien du Centre 2024 – Tous droits réservés"),
    ("legal", "Mentions légales"),
    ("legal", "Politique de confidentialité"),
    ("legal", "Toute reproduction interdite sans l'accord de l'éditeur."),
    ("source_residue", "Avec AFP"),
    ("source_residue", "Source : Insee"),
    ("source_residue", "Cet article a été initialement publié sur le site de nos confrères."),
    ("share_social", "Partager sur WhatsApp"),
    ("comments", "Voir les 45 commentaires"),
    ("byline", "La rédaction"),
]

BLOCKS = {
    "donation box": [
        ("donation_appeal", "Chères lectrices, chers lecteurs,"),
        ("donation_appeal", "notre rédaction enquête en toute indépendance. Sans publicité et sans actionnaire, nous ne "
                            "dépendons que de vous."),
        ("donation_appeal", "Don ponctuel"),
        ("donation_appeal", "Don mensuel"),
        ("donation_appeal", "Je fais un don"),
        ("donation_appeal", "Plus tard"),
    ],
    "newsletter box": [
        ("subscription_prompt", "La newsletter du matin"),
        ("subscription_prompt", "Recevez chaque jour l'essentiel de l'actualité directement dans votre boîte mail."),
        ("subscription_prompt", "Votre adresse e-mail"),
        ("subscription_prompt", "Je m'inscris"),
        ("subscription_prompt", "Vous pouvez vous désinscrire à tout moment."),
    ],
    "cookie banner": [
        ("cookie_notice", "Nous et nos partenaires utilisons des cookies pour stocker et/ou accéder à des informations "
                          "sur un appareil."),
        ("cookie_notice", "Tout accepter"),
        ("cookie_notice", "Tout refuser"),
        ("cookie_notice", "Personnaliser"),
    ],
    "comments": [
        ("comments", "Commentaires"),
        ("comments", "5 commentaires"),
        ("comments", "Les plus récents"),
        ("comments", "Répondre"),
        ("comments", "Signaler un abus"),
    ],
    "related box": [
        ("related_links", "Sur le même sujet"),
        ("related_links", "Encadrement des loyers : ce qui change au 1er juillet"),
        ("related_links", "Logement social : les demandes atteignent un niveau record"),
        ("related_links", "Climat : l'été 2022 a été le plus chaud jamais enregistré en France métropolitaine"),
    ],
    "share row": [
        ("share_social", "Partager"),
        ("share_social", "Facebook"),
        ("share_social", "X"),
        ("share_social", "LinkedIn"),
        ("share_social", "Imprimer"),
    ],
}

LOOKALIKES = [
    "Les habitants peuvent faire un don à la Croix-Rouge jusqu'à la fin du mois, a rappelé la préfecture.",
    "« Nous avons besoin de vous », a lancé le candidat devant plusieurs milliers de militants réunis à Lyon.",
    "Grâce à votre soutien, nous avons pu rénover l'école, a écrit le maire dans une lettre aux habitants.",
    "Le billet ne coûte que cinq euros pour les moins de 18 ans, précise l'office de tourisme.",
    "Il vous reste trois jours pour déposer votre déclaration de revenus en ligne.",
    "La newsletter du ministère annonçait déjà ce changement il y a deux semaines.",
    "En vous inscrivant sur les listes électorales avant le 3 mai, vous pourrez voter aux européennes.",
    "Le premier mois de l'année a été le plus chaud jamais mesuré, selon Météo-France.",
    "Les commentaires sur les réseaux sociaux ont été majoritairement critiques après le vote.",
    "Le ministère n'a pas souhaité réagir, invoquant une procédure judiciaire en cours.",
    "Par ailleurs, la région a annoncé une aide exceptionnelle pour les agriculteurs touchés par la grêle.",
    "Par Jean Dupont, le maire a été interpellé sur ce dossier lors du dernier conseil.",
    "Partager les frais de garde entre voisins devient une pratique courante dans les grandes villes.",
    "Suivre l'évolution des prix reste difficile pour les ménages les plus modestes.",
    "La nouvelle politique de confidentialité de l'application suscite l'inquiétude des associations.",
    "Les données personnelles des patients n'ont pas été compromises, assure l'hôpital.",
    "Une manifestation organisée sans autorisation préalable a été dispersée dans la soirée.",
    "Le contrat est résiliable sans engagement, ce qui séduit de nombreux jeunes actifs.",
    "L'accès libre et gratuit aux musées nationaux sera étendu le premier dimanche de chaque mois.",
    "Publicité mensongère : l'entreprise a été condamnée à une amende de 50 000 euros.",
    "Source de tensions, le projet divise profondément les élus de la majorité.",
]

DATES = [
    ("Publié le 3 mars 2024 à 14h05", "published", "2024-03-03T14:05:00"),
    ("Publié le 03/03/2024 à 14:05, mis à jour le 04/03/2024 à 08:12", "updated", "2024-03-04T08:12:00"),
    ("Mis à jour le 4 mars 2024 à 08h12", "updated", "2024-03-04T08:12:00"),
    ("Le 1er mars 2024", "published", "2024-03-01"),
    ("dimanche 3 mars 2024", "published", "2024-03-03"),
    ("Publié le 03/03/24 à 14h05 — Mis à jour le 04/03/24 à 08h12", "updated", "2024-03-04T08:12:00"),
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
    result = run(document(TITLE, BODY, ["Par Claire Dubois et Thomas Lefèvre, envoyés spéciaux à Kiev"], at=0))
    assert result.metadata["authors"] == ["Claire Dubois", "Thomas Lefèvre"]


def test_language_is_detected() -> None:
    result = run([TITLE, "", *BODY])
    assert (result.metadata["language"], result.metadata["language_confidence"] > 0.8) == ("fr", True)
