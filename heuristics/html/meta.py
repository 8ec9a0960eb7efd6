"""Metadata a page states in its markup: JSON-LD (NewsArticle and kin), og:* and other <meta> tags,
<title>, <html lang>, the canonical URL; htmldate as the last resort for the publication date.

Only what the page states outright is returned (keys are metadata field names); the pipeline puts
it into the result with ``sources[field] = "html"``, and the text heuristics fill the rest.
Markup names (``og:title``, ``datePublished``) are the vocabulary of the formats, not phrases.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any, Iterable, Iterator

from selectolax.lexbor import LexborHTMLParser

# <meta> names/properties per field, most trusted first.
TITLE_META = ("og:title", "twitter:title", "dc.title", "sailthru.title", "parsely-title")
PUBLISHED_META = ("article:published_time", "og:published_time", "datepublished", "parsely-pub-date",
                  "sailthru.date", "publish-date", "publishdate", "pubdate", "date", "dc.date", "dc.date.issued",
                  "dcterms.date", "dcterms.created", "citation_publication_date", "article.published", "pdate")
UPDATED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified",
                "article.updated", "utime")
AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl",
               "citation_author")
SOURCE_META = ("og:site_name", "application-name", "publisher", "dc.publisher", "twitter:site")
TAG_META = ("article:tag", "news_keywords", "parsely-tags", "sailthru.tags")
URL_META = ("og:url", "twitter:url")
LANGUAGE_META = ("content-language", "dc.language", "language", "og:locale")
ARTICLE_TYPES = ("article", "blogposting", "report", "posting")
MAX_JSON_LD_CHARS = 1_000_000
MAX_FIELD_CHARS = 500
_TITLE_SPLIT_RE = re.compile(r"\s[|–—·:»-]\s")
_LANG_RE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{2,8})*$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$")
_URL_RE = re.compile(r"^https?://\S+$")
_LIST_SPLIT_RE = re.compile(r"\s*[,;|]\s*")


def page_metadata(tree: LexborHTMLParser) -> dict[str, Any]:
    """title, published, updated, authors, source, tags, language, url: those the page states."""
    metas = _meta_values(tree)
    article = _json_ld_article(tree)
    out: dict[str, Any] = {}
    _put(out, "title", _text(article.get("headline")) or _first(metas, TITLE_META) or _title_tag(tree, metas))
    url = _canonical(tree) or _url(_first(metas, URL_META))
    _put(out, "published", _iso(_text(article.get("datePublished"))) or _first_date(metas, PUBLISHED_META)
         or _time_element(tree, "datePublished") or _htmldate(tree, url))
    _put(out, "updated", _iso(_text(article.get("dateModified"))) or _first_date(metas, UPDATED_META)
         or _time_element(tree, "dateModified"))
    _put(out, "authors", _names(article.get("author")) or _meta_authors(metas))
    _put(out, "source", _names(article.get("publisher"))[:1] and _names(article.get("publisher"))[0]
         or _first(metas, SOURCE_META))
    _put(out, "tags", _keywords(article.get("keywords")) or _meta_tags(metas))
    _put(out, "language", _language(tree, metas))
    _put(out, "url", url)
    return out


def _put(out: dict[str, Any], field: str, value: Any) -> None:
    if value not in (None, "", []):
        out[field] = value


# ---------------------------------------------------------------- <meta>, <title>, <link>, <html lang>

def _meta_values(tree: LexborHTMLParser) -> dict[str, list[str]]:
    """Every <meta> content by its lower-cased name, property, itemprop or http-equiv."""
    out: dict[str, list[str]] = {}
    for node in tree.css("meta"):
        attributes = node.attributes
        content = attributes.get("content") or attributes.get("value")
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = attributes.get(attribute)
            if key:
                out.setdefault(key.strip().lower(), []).append(content.strip()[:MAX_FIELD_CHARS])
    return out


def _first(metas: dict[str, list[str]], names: Iterable[str]) -> str | None:
    for name in names:
        for value in metas.get(name, ()):
            if value:
                return value
    return None


def _first_date(metas: dict[str, list[str]], names: Iterable[str]) -> str | None:
    for name in names:
        for value in metas.get(name, ()):
            parsed = _iso(value)
            if parsed:
                return parsed
    return None


def _title_tag(tree: LexborHTMLParser, metas: dict[str, list[str]]) -> str | None:
    """<title> without a trailing site name (" | Site", " - Site") when one is recognisable."""
    node = tree.css_first("title")
    if node is None:
        return None
    title = " ".join((node.text() or "").split())[:MAX_FIELD_CHARS]
    parts = _TITLE_SPLIT_RE.split(title)
    if len(parts) > 1:
        site = (_first(metas, SOURCE_META) or "").casefold()
        tail = parts[-1].strip()
        if tail.casefold() == site or len(tail.split()) <= 3 < len(" ".join(parts[:-1]).split()):
            title = title[: len(title) - len(parts[-1])].rstrip(" |–—·:»-")
    return title or None


def _canonical(tree: LexborHTMLParser) -> str | None:
    for node in tree.css("link[rel]"):
        if "canonical" in (node.attributes.get("rel") or "").lower().split():
            return _url(node.attributes.get("href"))
    return None


def _url(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if _URL_RE.match(value) else None


def _language(tree: LexborHTMLParser, metas: dict[str, list[str]]) -> str | None:
    root = tree.css_first("html")
    candidates = [root.attributes.get("lang") or root.attributes.get("xml:lang")] if root is not None else []
    candidates += [_first(metas, LANGUAGE_META)]
    for value in candidates:
        found = _LANG_RE.match((value or "").strip().lower().split(",")[0].strip())
        if found:
            return found.group(1)
    return None


def _time_element(tree: LexborHTMLParser, itemprop: str) -> str | None:
    node = tree.css_first(f'[itemprop="{itemprop}"]')
    if node is None:
        return None
    return _iso(node.attributes.get("datetime") or node.attributes.get("content") or node.text())


def _meta_authors(metas: dict[str, list[str]]) -> list[str]:
    for name in AUTHOR_META:
        values = [v for v in metas.get(name, ()) if v and not _URL_RE.match(v)]
        if values:
            return _dedupe(_clean_name(part) for value in values for part in _LIST_SPLIT_RE.split(value))
    return []


def _meta_tags(metas: dict[str, list[str]]) -> list[str]:
    for name in TAG_META:
        values = metas.get(name)
        if values:
            return _dedupe(part.strip() for value in values for part in _LIST_SPLIT_RE.split(value))
    return []


_BY_RE = re.compile(r"^(?:by|von|par|por|di|door)\s", re.IGNORECASE)


def _clean_name(value: str) -> str:
    return _BY_RE.sub("", " ".join(value.split())).strip()


def _dedupe(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return list(seen.values())


# ---------------------------------------------------------------- JSON-LD

def _json_ld_article(tree: LexborHTMLParser) -> dict[str, Any]:
    """The first JSON-LD object of an article type (NewsArticle, BlogPosting, ...), else {}."""
    for node in tree.css('script[type="application/ld+json"]'):
        raw = node.text() or ""
        if len(raw) > MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        for item in _json_ld_items(data):
            if _is_article(item.get("@type")):
                return item
    return {}


def _json_ld_items(data: Any) -> Iterator[dict[str, Any]]:
    """Objects at the top level, in a top-level list, or in ``@graph`` (no deeper: pages nest ads)."""
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item[:100])
        elif isinstance(item, dict):
            yield item
            graph = item.get("@graph")
            if isinstance(graph, list):
                stack.extend(graph[:100])


def _is_article(kind: Any) -> bool:
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and any(t in k.lower() for t in ARTICLE_TYPES) for k in kinds)


def _text(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, str):
        return " ".join(value.split())[:MAX_FIELD_CHARS] or None
    return None


def _names(value: Any) -> list[str]:
    """Names from a JSON-LD person/organisation, a list of them, or plain strings."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items[:20]:
        if isinstance(item, dict):
            item = item.get("name")
            if isinstance(item, list):
                item = item[0] if item else None
        if isinstance(item, str) and not _URL_RE.match(item.strip()):
            names.append(_clean_name(item)[:MAX_FIELD_CHARS])
    return _dedupe(names)


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        return _dedupe(part.strip() for part in _LIST_SPLIT_RE.split(value))
    if isinstance(value, list):
        return _dedupe(" ".join(v.split()) for v in value[:100] if isinstance(v, str))
    return []


# ---------------------------------------------------------------- dates

def _iso(value: str | None) -> str | None:
    """ISO 8601 for a machine-readable date: the date alone when there is no time, else with time."""
    value = (value or "").strip()
    if not value or len(value) > 64:
        return None
    compact = _COMPACT_DATE_RE.match(value)
    if compact:
        y, m, d, hh, mm, ss = compact.groups()
        value = f"{y}-{m}-{d}" + (f"T{hh}:{mm}:{ss}" if hh else "")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return None
    if not 1900 <= parsed.year <= 2100:
        return None
    if len(value) <= 10:
        return parsed.date().isoformat()
    return parsed.isoformat()


# Where htmldate looks besides <head> and the URL (its quick search, without the text scan).
DATE_ELEMENTS = ('time, [datetime], [itemprop*="date" i], [class*="date" i], [id*="date" i], [class*="time" i], '
                 '[class*="publish" i], [rel="bookmark"], abbr[title]')
MAX_DATE_ELEMENTS = 40


def _htmldate(tree: LexborHTMLParser, url: str | None) -> str | None:
    """htmldate's quick search for pages without a dated meta tag or JSON-LD.

    It is given a small page (the <head> and the elements that look like dates), not the whole
    one: htmldate parses with lxml, which costs more than everything else on the fast path.
    """
    from htmldate import find_date

    head = tree.head.html if tree.head is not None else ""
    dated = "".join(node.html or "" for node in tree.css(DATE_ELEMENTS)[:MAX_DATE_ELEMENTS])
    if not head and not dated and not url:
        return None
    page = f"<html>{head or '<head></head>'}<body>{dated}</body></html>"
    try:
        found = find_date(page, url=url, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except (ValueError, TypeError, RecursionError):
        return None
    if not found:
        return None
    try:
        return date.fromisoformat(found).isoformat()
    except ValueError:
        return None
