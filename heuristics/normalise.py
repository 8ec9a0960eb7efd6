"""The one text repair every input goes through, text and HTML alike: surrogates, mojibake, control characters.

ftfy does the repairs it is known for (UTF-8 read as Windows-1252 and its variants, surrogate pairs);
what is ours is the input convention (bytes that were not UTF-8, passed in as ``surrogateescape``
code points, are read as Windows-1252, which such bytes mostly are) and which control characters go:
the line breaks among them (``\\x0b``, ``\\x0c``, ``\\x1c``-``\\x1e``, NEL) split lines, so they stay.

Everything else ftfy could change (quotes, ligatures, full-width forms, HTML entities, Unicode
normal forms) is the text as its author wrote it and stays.
"""
from __future__ import annotations

import re

import ftfy
import ftfy.fixes

from . import _core

# Control characters that are never text (NUL, C0 except tab and the line breaks, DEL, C1 except NEL),
# the byte-order mark and the zero-width space.
CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f\x80-\x84\x86-\x9f\ufeff\u200b]")
# The marks UTF-8 leaves when read as Windows-1252 or Latin-1 ("Ã©" for "é", "â€™" for "’", "Ã\xa0" for
# "à", "Ð¿" for "п"): a lead byte's character, then a continuation byte's. Only text showing one goes
# through ftfy's detector, which costs about 6 ms per page of text (this check: a fraction of that).
MOJIBAKE_HINT_RE = re.compile("[ÃÂâÅÐÑ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
                              "\u02dc\u2013-\u203a\u20ac\u2122]")
_ESCAPED_BYTE_RE = re.compile("[\udc80-\udcff]")
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False, remove_terminal_escapes=False, fix_c1_controls=False, fix_latin_ligatures=False,
    fix_character_width=False, uncurl_quotes=False, fix_line_breaks=False, remove_control_chars=False,
    fix_surrogates=False, normalization=None, explain=False,
)


def normalise_text(text: str) -> str:
    """``text`` as valid Unicode: escaped bytes read as Windows-1252, surrogate pairs joined (any other
    lone surrogate becomes U+FFFD), mojibake undone by ftfy, control characters dropped.

    One compiled pass (``_core.repair_needs``) says which of these the text needs: surrogates (the
    text does not encode as UTF-8), a ``MOJIBAKE_HINT_RE`` match, a ``CONTROL_RE`` character; text
    needing none comes back as it is.
    """
    needs = _core.repair_needs(text)
    if needs & _core.REPAIR_SURROGATE:
        text = valid_unicode(text)
        needs = _core.repair_needs(text)
    if needs & _core.REPAIR_MOJIBAKE:
        text = ftfy.fix_text(text, _FTFY)
        needs = _core.repair_needs(text)
    return CONTROL_RE.sub("", text) if needs & _core.REPAIR_CONTROL else text


def normalise_text_reference(text: str) -> str:
    """``normalise_text`` by the regular expressions and the UTF-8 encoder (the tests hold the two equal)."""
    if text.isascii():
        return CONTROL_RE.sub("", text) if CONTROL_RE.search(text) else text
    text = valid_unicode(text)
    if MOJIBAKE_HINT_RE.search(text):
        text = ftfy.fix_text(text, _FTFY)
    return CONTROL_RE.sub("", text) if CONTROL_RE.search(text) else text


def valid_unicode(text: str) -> str:
    """``text`` itself when it encodes as UTF-8, else with its surrogates repaired (escaped bytes read as
    Windows-1252, pairs joined, any other lone surrogate U+FFFD): what a parser needs before it starts."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return ftfy.fixes.fix_surrogates(_ESCAPED_BYTE_RE.sub(_escaped_byte, text))
    return text


def _escaped_byte(found: re.Match[str]) -> str:
    return bytes([ord(found.group()) - 0xDC00]).decode("cp1252", "replace")
