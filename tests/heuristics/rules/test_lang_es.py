"""Spanish rule pack: residue lines of every category go with the right category; look-alike prose stays."""
from __future__ import annotations

import pytest
from langcheck import assert_block_removed, assert_body_kept, document, line_verdict, removed_by_line, run

LANG = "es"
TITLE = "El Ayuntamiento aprueba un plan para construir 3.000 viviendas sociales antes de 2030"
BODY = [
    "El pleno del Ayuntamiento aprobó este jueves, con el apoyo de la mayoría de los grupos, un plan para construir "
    "3.000 viviendas de alquiler social antes de 2030. La medida llevaba años reclamándose desde las asociaciones vecinales.",
    "La alcaldesa habló de una señal importante para las familias que llevan años esperando una vivienda asequible. "
    "Los alquileres han subido en la última década mucho más deprisa que los salarios.",
    "La financiación procederá en gran parte del Gobierno central y de la comunidad autónoma. El consistorio aportará "
    "unos 40 millones de euros anuales de su propio presupuesto durante cinco años.",
    "La oposición criticó que el plan llega tarde y es insuficiente. Según sus cálculos, hay más de 12.000 solicitudes "
    "pendientes en las oficinas municipales de vivienda.",
    "Las constructoras se muestran prudentes. El encarecimiento de los materiales y de los tipos de interés complica "
    "la viabilidad de muchos proyectos, advierte la patronal del sector.",
    "Las primeras obras comenzarán la próxima primavera en antiguos terrenos industriales situados al norte de la ciudad.",
]

LINES = [
    ("donation_appeal", "Hazte socio"),
    ("donation_appeal", "Apoya el periodismo independiente"),
    ("donation_appeal", "Tu aportación nos permite seguir investigando sin depender de la publicidad."),
    ("donation_appeal", "Haz una donación"),
    ("subscription_prompt", "Suscríbete"),
    ("subscription_prompt", "Suscríbete a nuestra newsletter y recibe cada mañana las noticias más importantes."),
    ("subscription_prompt", "Este artículo es exclusivo para suscriptores."),
    ("subscription_prompt", "¿Ya eres suscriptor? Inicia sesión"),
    ("subscription_prompt", "Suscríbete para seguir leyendo"),
    ("caption", "El presidente del Gobierno, durante la sesión de control en el Congreso. EFE/Chema Moya"),
    ("caption", "Varios bomberos trabajan en la extinción del incendio en la sierra de Madrid. JUAN PÉREZ (EFE)"),
    ("caption", "En la imagen, vecinos de Valencia protestan frente al Ayuntamiento por la subida de los alquileres."),
    ("caption", "Ver galería"),
    ("credit", "Foto: EFE"),
    ("credit", "Fotografía: Europa Press"),
    ("credit", "Europa Press"),
    ("share_social", "Compartir en Facebook"),
    ("share_social", "Compartir en WhatsApp"),
    ("share_social", "Copiar enlace"),
    ("share_social", "Síguenos en Instagram y X"),
    ("related_links", "Te puede interesar"),
    ("related_links", "Lee también: Cómo afecta la subida de los tipos a las hipotecas"),
    ("related_links", "Noticias relacionadas"),
    ("related_links", "Lo más leído"),
    ("comments", "Comentarios (8)"),
    ("comments", "Deja un comentario"),
    ("comments", "Tu dirección de correo electrónico no será publicada. Los campos obligatorios están marcados con *"),
    ("cookie_notice", "Utilizamos cookies propias y de terceros para mejorar nuestros servicios."),
    ("cookie_notice", "Si continúa navegando, consideramos que acepta su uso."),
    ("byline", "Por María García López"),
    ("byline", "Por Juan Pérez y Ana Martínez"),
    ("byline", "Por EFE"),
    ("date_line", "3 de marzo de 2024"),
    ("date_line", "Publicado el 03/03/2024 a las 14:05"),
    ("date_line", "Actualizado: 04/03/2024 08:12h"),
    ("date_line", "Madrid - 03 mar 2024 - 14:05 CET"),
    ("date_line", "hace 2 horas"),
    ("date_line", "Tiempo de lectura: 4 min"),
    ("tags", "Etiquetas: Vivienda, Alquiler, Ayuntamiento"),
    ("tags", "Archivado en"),
    ("advertisement", "Publicidad"),
    ("advertisement", "Contenido patrocinado"),
    ("navigation", "Ir al contenido"),
    ("navigation", "Inicio > Sociedad > Vivienda"),
    ("navigation", "Volver arriba"),
    ("legal", "© 2024 Diario del Sur. Todos los derechos reservados."),
    ("legal", "Aviso legal"),
    ("legal", "Política de privacidad"),
    ("source_residue", "Fuente: INE"),
    ("source_residue", "Con información de EFE"),
    ("share_social", "Compartir en Bluesky"),
    ("comments", "Ver 12 comentarios"),
    ("byline", "Redacción"),
]

BLOCKS = {
    "donation box": [
        ("donation_appeal", "Queridos lectores:"),
        ("donation_appeal", "hacemos periodismo independiente gracias a nuestros socios. Con tu apoyo podemos seguir "
                            "contando lo que otros callan."),
        ("donation_appeal", "Mensual"),
        ("donation_appeal", "Anual"),
        ("donation_appeal", "Hazte socio"),
    ],
    "newsletter box": [
        ("subscription_prompt", "Boletín diario"),
        ("subscription_prompt", "Recibe cada mañana en tu correo las claves del día."),
        ("subscription_prompt", "Tu correo electrónico"),
        ("subscription_prompt", "Suscríbete"),
    ],
    "cookie banner": [
        ("cookie_notice", "Este sitio web utiliza cookies propias y de terceros para analizar la navegación y mostrar "
                          "publicidad."),
        ("cookie_notice", "Aceptar"),
        ("cookie_notice", "Rechazar"),
        ("cookie_notice", "Configurar"),
    ],
    "comments": [
        ("comments", "Comentarios"),
        ("comments", "3 comentarios"),
        ("comments", "Más recientes"),
        ("comments", "Responder"),
    ],
    "related box": [
        ("related_links", "Noticias relacionadas"),
        ("related_links", "El precio del alquiler marca un nuevo récord en las grandes ciudades"),
        ("related_links", "Qué cambia con la nueva ley de vivienda"),
    ],
}

LOOKALIKES = [
    "Los vecinos pueden hacer una donación a Cáritas hasta final de mes, recordó el párroco.",
    "«Necesitamos tu apoyo», dijo el candidato ante cientos de simpatizantes reunidos en Sevilla.",
    "El Boletín Oficial del Estado publicó este martes la nueva normativa sobre alquileres.",
    "El primer mes del año fue el más cálido desde que hay registros, según la Aemet.",
    "El portavoz no estuvo disponible para comentar la decisión del tribunal.",
    "Sin su consentimiento, la empresa no puede ceder sus datos a terceros, recuerda la agencia.",
    "Por Navidad, el centro de la ciudad se llena de visitantes llegados de toda la provincia.",
    "Compartir piso se ha convertido en la única opción para muchos jóvenes de la capital.",
    "Los comentarios del ministro provocaron una fuerte polémica en el Congreso.",
    "La publicidad institucional del Ayuntamiento creció un 20 % durante el último año.",
    "Rechazar todas las enmiendas fue la estrategia del grupo mayoritario en la comisión.",
]

DATES = [
    ("3 de marzo de 2024", "published", "2024-03-03"),
    ("Publicado el 03/03/2024 a las 14:05", "published", "2024-03-03T14:05:00"),
    ("Actualizado: 04/03/2024 08:12h", "updated", "2024-03-04T08:12:00"),
    ("lunes, 3 de marzo de 2024, 14:05", "published", "2024-03-03T14:05:00"),
]
BYLINE = "Por Juan Pérez y Ana Martínez"
AUTHORS = ["Juan Pérez", "Ana Martínez"]


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
