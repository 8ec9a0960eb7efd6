"""Russian rule pack: residue lines of every category go with the right category; look-alike prose stays."""
from __future__ import annotations

import pytest
from langcheck import assert_block_removed, assert_body_kept, document, line_verdict, removed_by_line, run

LANG = "ru"
TITLE = "Городская дума утвердила программу строительства 3 тысяч социальных квартир"
BODY = [
    "Городская дума в четверг большинством голосов утвердила программу строительства трех тысяч социальных квартир "
    "до 2030 года. Решения давно добивались общественные организации и жилищные активисты.",
    "Мэр назвала программу важным сигналом для семей, которые годами ждут доступного жилья. За последние десять лет "
    "арендная плата в городе росла значительно быстрее, чем доходы жителей.",
    "Основная часть финансирования придется на федеральный и региональный бюджеты. Город намерен ежегодно выделять "
    "около четырех миллиардов рублей из собственных средств в течение пяти лет.",
    "Оппозиция раскритиковала программу, назвав ее запоздалой и недостаточной. По ее данным, в очереди на жилье "
    "сейчас стоят более двенадцати тысяч семей.",
    "Строительные компании настроены осторожно. Рост цен на материалы и высокая ключевая ставка делают многие "
    "проекты убыточными, предупреждают в отраслевой ассоциации.",
    "Первые объекты начнут строить весной на бывших промышленных территориях на севере города.",
]

LINES = [
    ("donation_appeal", "Поддержите нас"),
    ("donation_appeal", "Поддержите независимую журналистику"),
    ("donation_appeal", "Мы существуем на пожертвования читателей и не зависим от рекламы."),
    ("donation_appeal", "Сделать пожертвование"),
    ("subscription_prompt", "Подписаться"),
    ("subscription_prompt", "Подпишитесь на нашу рассылку, чтобы получать главные новости дня."),
    ("subscription_prompt", "Материал доступен только подписчикам."),
    ("subscription_prompt", "Оформить подписку"),
    ("caption", "Президент во время совещания в Кремле. Фото: Михаил Метцель / ТАСС"),
    ("caption", "На фото: пожарные тушат возгорание на складе в промзоне."),
    ("caption", "Смотреть видео"),
    ("credit", "Фото: Reuters"),
    ("credit", "Фото: Михаил Терещенко / ТАСС"),
    ("credit", "РИА Новости"),
    ("share_social", "Поделиться"),
    ("share_social", "Скопировать ссылку"),
    ("share_social", "Подписывайтесь на наш Telegram-канал"),
    ("share_social", "ВКонтакте"),
    ("related_links", "Читайте также"),
    ("related_links", "Читайте также: Как изменятся тарифы ЖКХ с 1 июля"),
    ("related_links", "По теме"),
    ("related_links", "Самое читаемое"),
    ("comments", "Комментарии (15)"),
    ("comments", "Оставить комментарий"),
    ("comments", "Ваш адрес email не будет опубликован. Обязательные поля помечены *"),
    ("cookie_notice", "Мы используем файлы cookie, чтобы сделать сайт удобнее."),
    ("cookie_notice", "Продолжая пользоваться сайтом, вы соглашаетесь с использованием файлов cookie."),
    ("byline", "Автор: Иван Петров"),
    ("byline", "Текст: Анна Смирнова"),
    ("byline", "Беседовала Ольга Иванова"),
    ("date_line", "3 марта 2024"),
    ("date_line", "3 марта 2024, 14:05"),
    ("date_line", "Опубликовано: 03.03.2024 14:05"),
    ("date_line", "Обновлено: 04.03.2024 08:12"),
    ("date_line", "2 часа назад"),
    ("date_line", "Время чтения: 4 минуты"),
    ("tags", "Теги: жилье, аренда, городская дума"),
    ("advertisement", "Реклама"),
    ("advertisement", "На правах рекламы"),
    ("navigation", "Перейти к содержанию"),
    ("navigation", "Главная > Общество > Жилье"),
    ("navigation", "Наверх"),
    ("legal", "© 2024 Городские новости. Все права защищены."),
    ("legal", "При использовании материалов ссылка на издание обязательна."),
    ("legal", "Политика конфиденциальности"),
    ("legal", "* Meta признана экстремистской организацией и запрещена в России."),
    ("source_residue", "Источник: Росстат"),
    ("share_social", "Поделиться в Telegram"),
    ("comments", "Показать все комментарии"),
]

BLOCKS = {
    "donation box": [
        ("donation_appeal", "Дорогие читатели!"),
        ("donation_appeal", "Мы существуем благодаря читателям. Каждый донат помогает нам продолжать работу."),
        ("donation_appeal", "Разово"),
        ("donation_appeal", "Ежемесячно"),
        ("donation_appeal", "Поддержать"),
    ],
    "newsletter box": [
        ("subscription_prompt", "Утренняя рассылка"),
        ("subscription_prompt", "Главные новости дня — каждое утро на вашу почту."),
        ("subscription_prompt", "Ваш e-mail"),
        ("subscription_prompt", "Подписаться"),
    ],
    "cookie banner": [
        ("cookie_notice", "Этот сайт использует файлы cookie для анализа посещаемости."),
        ("cookie_notice", "Принять"),
        ("cookie_notice", "Отклонить"),
        ("cookie_notice", "Настройки"),
    ],
    "comments": [
        ("comments", "Комментарии"),
        ("comments", "4 комментария"),
        ("comments", "Сначала новые"),
        ("comments", "Ответить"),
    ],
    "related box": [
        ("related_links", "Читайте также"),
        ("related_links", "Аренда жилья в городе подорожала на 15 процентов"),
        ("related_links", "Очередь на социальное жилье продолжает расти"),
    ],
}

LOOKALIKES = [
    "«Благодаря вашей поддержке мы достроили школу», — сказал губернатор на встрече с жителями.",
    "Нам нужна ваша помощь, заявили волонтеры, собирающие вещи для пострадавших от паводка.",
    "Организация признана иностранным агентом решением Министерства юстиции в прошлом году.",
    "Согласие на обработку персональных данных теперь нужно получать в письменной форме.",
    "Полный доступ к архиву получат только члены следственной комиссии.",
    "Комментарии депутатов после голосования были в основном критическими.",
    "Реклама алкоголя в интернете будет дополнительно ограничена, сообщили в министерстве.",
    "Автор законопроекта настаивает на том, что изменения необходимы.",
    "Подробнее о программе рассказали на заседании профильного комитета.",
    "Читать книги вслух детям советуют педагоги и психологи.",
]

DATES = [
    ("3 марта 2024", "published", "2024-03-03"),
    ("3 марта 2024, 14:05", "published", "2024-03-03T14:05:00"),
    ("Обновлено: 04.03.2024 08:12", "updated", "2024-03-04T08:12:00"),
    ("14:05, 3 марта 2024", "published", "2024-03-03T14:05:00"),
]
BYLINE = "Авторы: Иван Петров и Анна Смирнова"
AUTHORS = ["Иван Петров", "Анна Смирнова"]


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
