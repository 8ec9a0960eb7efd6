"""Portuguese rule pack: residue lines of every category go with the right category; look-alike prose stays."""
from __future__ import annotations

import pytest
from langcheck import assert_block_removed, assert_body_kept, document, line_verdict, removed_by_line, run

LANG = "pt"
TITLE = "Câmara aprova plano para construir 3.000 casas de renda acessível até 2030"
BODY = [
    "A Câmara Municipal aprovou esta quinta-feira, com os votos da maioria dos partidos, um plano para construir "
    "3.000 habitações de renda acessível até 2030. A medida era reclamada há vários anos pelas associações de moradores.",
    "A presidente da autarquia falou num sinal importante para as famílias que esperam há anos por uma casa a preço "
    "justo. Na última década, as rendas subiram muito mais depressa do que os salários.",
    "O financiamento virá em grande parte do Estado e de fundos europeus. O município vai investir cerca de 40 milhões "
    "de euros por ano do seu próprio orçamento durante cinco anos.",
    "A oposição criticou um plano que considera tardio e insuficiente. Segundo as suas contas, existem mais de 12.000 "
    "pedidos de habitação à espera de resposta nos serviços municipais.",
    "As empresas de construção mostram-se cautelosas. O aumento do custo dos materiais e das taxas de juro torna "
    "difícil viabilizar muitos projetos, alerta a associação do setor.",
    "As primeiras obras deverão arrancar na próxima primavera em antigos terrenos industriais na zona norte da cidade.",
]

LINES = [
    ("donation_appeal", "Apoie o jornalismo independente"),
    ("donation_appeal", "Faça um donativo"),
    ("donation_appeal", "O seu donativo permite-nos continuar a investigar sem depender de publicidade."),
    ("donation_appeal", "Seja apoiador"),
    ("subscription_prompt", "Assine já"),
    ("subscription_prompt", "Subscreva a nossa newsletter e receba as principais notícias todas as manhãs."),
    ("subscription_prompt", "Exclusivo para assinantes"),
    ("subscription_prompt", "Já é assinante? Entre aqui"),
    ("caption", "O primeiro-ministro durante o debate no Parlamento, em Lisboa. ANTÓNIO COTRIM/LUSA"),
    ("caption", "Manifestantes protestam contra o aumento das rendas em São Paulo — Foto: Reuters/Amanda Perobelli"),
    ("caption", "Ver galeria"),
    ("credit", "Foto: Lusa"),
    ("credit", "Fotografia: Reuters"),
    ("credit", "Divulgação"),
    ("share_social", "Partilhar no Facebook"),
    ("share_social", "Compartilhar no WhatsApp"),
    ("share_social", "Copiar link"),
    ("share_social", "Siga-nos no Instagram e no X"),
    ("related_links", "Leia também"),
    ("related_links", "Leia também: Como a subida dos juros afeta o crédito à habitação"),
    ("related_links", "Notícias relacionadas"),
    ("related_links", "Mais lidas"),
    ("comments", "Comentários (5)"),
    ("comments", "Deixe um comentário"),
    ("comments", "O seu endereço de email não será publicado. Os campos obrigatórios estão marcados com *"),
    ("cookie_notice", "Este site utiliza cookies para melhorar a sua experiência de navegação."),
    ("cookie_notice", "Ao continuar a navegar, concorda com a utilização de cookies."),
    ("byline", "Por João Silva"),
    ("byline", "Por Ana Sousa e Pedro Costa"),
    ("byline", "Por Lusa"),
    ("date_line", "3 de março de 2024"),
    ("date_line", "Publicado em 3 de março de 2024 às 14:05"),
    ("date_line", "Atualizado em 04/03/2024 às 08h12"),
    ("date_line", "3.mar.2024 às 14h05"),
    ("date_line", "há 2 horas"),
    ("date_line", "Tempo de leitura: 4 min"),
    ("tags", "Temas: Habitação, Rendas, Câmara Municipal"),
    ("advertisement", "Publicidade"),
    ("advertisement", "Continua depois da publicidade"),
    ("navigation", "Saltar para o conteúdo"),
    ("navigation", "Início > Sociedade > Habitação"),
    ("navigation", "Voltar ao topo"),
    ("legal", "© 2024 Jornal do Norte. Todos os direitos reservados."),
    ("legal", "Estatuto editorial"),
    ("legal", "Política de privacidade"),
    ("source_residue", "Fonte: INE"),
    ("source_residue", "Com Lusa"),
    ("share_social", "Partilhar no LinkedIn"),
    ("comments", "Ver comentários (3)"),
    ("byline", "Redação"),
    ("date_line", "Publicado às 18:30 de 15/09/2023"),
]

BLOCKS = {
    "donation box": [
        ("donation_appeal", "Caros leitores,"),
        ("donation_appeal", "o nosso jornalismo é livre e gratuito para todos. Cada contributo conta para continuarmos "
                            "a fazer o nosso trabalho."),
        ("donation_appeal", "Mensal"),
        ("donation_appeal", "Anual"),
        ("donation_appeal", "Apoiar"),
    ],
    "newsletter box": [
        ("subscription_prompt", "Newsletter da manhã"),
        ("subscription_prompt", "Receba no seu email as notícias mais importantes do dia."),
        ("subscription_prompt", "O seu email"),
        ("subscription_prompt", "Subscrever"),
    ],
    "cookie banner": [
        ("cookie_notice", "Nós e os nossos parceiros utilizamos cookies para armazenar e/ou aceder a informações num "
                          "dispositivo."),
        ("cookie_notice", "Aceitar"),
        ("cookie_notice", "Rejeitar"),
        ("cookie_notice", "Personalizar"),
    ],
    "comments": [
        ("comments", "Comentários"),
        ("comments", "2 comentários"),
        ("comments", "Mais recentes"),
        ("comments", "Responder"),
    ],
    "related box": [
        ("related_links", "Leia também"),
        ("related_links", "Rendas batem novo recorde em Lisboa e no Porto"),
        ("related_links", "O que muda com o novo programa de arrendamento acessível"),
    ],
}

LOOKALIKES = [
    "A sua doação permitiu ao hospital comprar um novo equipamento de diagnóstico, contou a diretora.",
    "«Precisamos do seu apoio», disse o candidato perante centenas de apoiantes no Porto.",
    "Os clientes podem cancelar a qualquer momento sem penalização, garante a operadora.",
    "O primeiro mês do ano foi o mais quente de que há registo, segundo o IPMA.",
    "O porta-voz não estava disponível para comentar a decisão do tribunal.",
    "Sem o seu consentimento, a empresa não pode partilhar os dados com terceiros.",
    "Partilhar casa tornou-se a única opção para muitos jovens na capital.",
    "Os comentários do ministro causaram polémica no Parlamento.",
    "A publicidade institucional da autarquia cresceu 20 % no último ano.",
    "O acesso livre aos museus nacionais será alargado ao primeiro domingo de cada mês.",
]

DATES = [
    ("3 de março de 2024", "published", "2024-03-03"),
    ("Publicado em 3 de março de 2024 às 14:05", "published", "2024-03-03T14:05:00"),
    ("Atualizado em 04/03/2024 às 08h12", "updated", "2024-03-04T08:12:00"),
    ("3.mar.2024 às 14h05", "published", "2024-03-03T14:05:00"),
]
BYLINE = "Por Ana Sousa e Pedro Costa"
AUTHORS = ["Ana Sousa", "Pedro Costa"]


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
