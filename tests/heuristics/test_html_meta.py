"""Metadata the page states: JSON-LD, og:* and other <meta>, <title>, <html lang>, canonical URL, htmldate."""
from __future__ import annotations

import json

from heuristics import clean
from heuristics.html.lines import parse
from heuristics.html.meta import page_metadata

BODY = ("<p>The council approved the new budget on Tuesday after a long debate about schools, roads and the "
        "future of the town library, which had been closed for repairs since the spring floods.</p>")


def html(head: str, body: str = BODY, lang: str = "de-DE") -> str:
    return f"<html lang='{lang}'><head>{head}</head><body>{body}</body></html>"


NEWS_ARTICLE = {
    "@context": "https://schema.org", "@type": "NewsArticle", "headline": "Haushalt beschlossen",
    "datePublished": "2024-03-04T10:15:00+01:00", "dateModified": "2024-03-05T08:00:00Z",
    "author": [{"@type": "Person", "name": "Anna Petrova"}, {"@type": "Person", "name": "Jan Novak"}],
    "publisher": {"@type": "Organization", "name": "Stadtkurier"}, "keywords": "Haushalt, Schulen, Bibliothek",
}


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_json_ld_news_article_gives_every_field():
    head = ld({"@graph": [{"@type": "WebSite", "name": "x"}, NEWS_ARTICLE]}) + (
        "<title>Other title | Stadtkurier</title><link rel='canonical' href='https://example.de/a/1'>")
    assert page_metadata(parse(html(head))) == {
        "title": "Haushalt beschlossen", "published": "2024-03-04T10:15:00+01:00",
        "updated": "2024-03-05T08:00:00+00:00", "authors": ["Anna Petrova", "Jan Novak"], "source": "Stadtkurier",
        "tags": ["Haushalt", "Schulen", "Bibliothek"], "language": "de", "url": "https://example.de/a/1"}


def test_meta_tags_fill_in_without_json_ld():
    head = ("<meta property='og:title' content='Budget approved'><meta property='og:site_name' content='Courier'>"
            "<meta property='article:published_time' content='2024-03-04'>"
            "<meta name='author' content='By Anna Petrova'><meta property='article:tag' content='budget'>"
            "<meta property='article:tag' content='schools'><meta property='og:url' content='https://ex.com/b'>")
    assert page_metadata(parse(html(head, lang="en"))) == {
        "title": "Budget approved", "published": "2024-03-04", "authors": ["Anna Petrova"], "source": "Courier",
        "tags": ["budget", "schools"], "language": "en", "url": "https://ex.com/b"}


def test_title_tag_loses_a_trailing_site_name():
    meta = page_metadata(parse(html("<title>Budget approved after a long debate - Town Courier</title>")))
    assert meta["title"] == "Budget approved after a long debate"


def test_htmldate_finds_a_date_in_the_url_when_the_markup_states_none():
    head = "<link rel='canonical' href='https://example.com/2012/07/24/budget-approved/'>"
    assert page_metadata(parse(html(head)))["published"] == "2012-07-24"


def test_broken_or_hostile_json_ld_is_ignored():
    head = ('<script type="application/ld+json">{not json</script>'
            '<script type="application/ld+json">' + "[" * 50_000 + "]" * 50_000 + "</script>")
    assert "title" not in page_metadata(parse(html(head, lang="")))


def test_clean_says_the_fields_came_from_the_page():
    result = clean(html=html(ld(NEWS_ARTICLE)))
    meta = result.metadata
    assert meta["title"] == "Haushalt beschlossen" and meta["authors"] == ["Anna Petrova", "Jan Novak"]
    assert meta["sources"]["title"] == meta["sources"]["published"] == meta["sources"]["language"] == "html"
