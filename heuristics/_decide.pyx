# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The decide stage's per-line facts, computed once per document in one pass over each line's characters.

Each function returns exactly what its Python reference does (tests compare them on bench lines and on
every character class that matters):

* ``line_keys``: ``segment.line_key`` of each text (case-folded, the ``\\w+`` runs joined by single spaces);
* ``effective_word_counts``: ``decide.effective_words`` of each line (script-aware word counts);
* ``page_facts``: ``decide.page_facts_reference`` (a page's per-line counts, sentence ends, prose and sentence
  flags, non-blank lines) in one pass over the lines;
* ``key_equals``: ``segment.line_key(text) == key``, deciding most long lines from their first characters.

``re``'s ``\\w`` on a ``str`` pattern is ``ch.isalnum() or ch == "_"`` (``_sre``'s ``SRE_UNI_IS_WORD``);
these loops use the same test, so no regex call is paid per line.
"""
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.unicode cimport Py_UNICODE_ISALNUM


cdef extern from "Python.h":
    int PyUnicode_KIND(object text)
    void *PyUnicode_DATA(object text)
    Py_ssize_t PyUnicode_GET_LENGTH(object text)
    Py_UCS4 PyUnicode_READ(int kind, void *data, Py_ssize_t index)
    void PyUnicode_WRITE(int kind, void *data, Py_ssize_t index, Py_UCS4 value)
    object PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)


cdef inline bint is_word(Py_UCS4 ch) noexcept:
    if ch < 128:
        return (ch >= 97 and ch <= 122) or (ch >= 65 and ch <= 90) or (ch >= 48 and ch <= 57) or ch == 95
    return Py_UNICODE_ISALNUM(ch) or ch == 95


cdef inline bint is_unspaced(Py_UCS4 ch) noexcept:
    """Scripts written without spaces between words (decide._UNSPACED_RE's ranges)."""
    return ((0x0e00 <= ch <= 0x0fff) or (0x1000 <= ch <= 0x109f) or (0x1780 <= ch <= 0x17ff)
            or (0x3040 <= ch <= 0x30ff) or (0x3400 <= ch <= 0x4dbf) or (0x4e00 <= ch <= 0x9fff)
            or (0xf900 <= ch <= 0xfaff))


cdef str _key(str text):
    cdef str folded = text.casefold()
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(folded), i, out = 0
    cdef int kind = PyUnicode_KIND(folded)
    cdef void *data = PyUnicode_DATA(folded)
    cdef void *buffer
    cdef Py_UCS4 ch
    cdef bint pending = False  # a separator waits to be written before the next word character
    if n == 0:
        return ""
    buffer = PyMem_Malloc(n * kind)
    if buffer == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            ch = PyUnicode_READ(kind, data, i)
            if is_word(ch):
                if pending:
                    PyUnicode_WRITE(kind, buffer, out, 32)
                    out += 1
                    pending = False
                PyUnicode_WRITE(kind, buffer, out, ch)
                out += 1
            elif out:
                pending = True
        return PyUnicode_FromKindAndData(kind, buffer, out)
    finally:
        PyMem_Free(buffer)


def line_keys(list texts) -> list:
    """``segment.line_key`` of every text."""
    return [_key(text) for text in texts]


cdef Py_ssize_t _effective(str text, Py_ssize_t words, double chars_per_word) except -1:
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i, unspaced = 0, runs = 0
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef Py_UCS4 ch
    cdef bint in_word = False
    if kind == 1:  # Latin-1 only: no unspaced script
        return words
    for i in range(n):
        ch = PyUnicode_READ(kind, data, i)
        if is_unspaced(ch):
            unspaced += 1
            in_word = False
        elif is_word(ch):
            if not in_word:
                runs += 1
                in_word = True
        else:
            in_word = False
    if unspaced == 0:
        return words
    cdef object share = unspaced / chars_per_word  # a Python float, rounded half to even as the reference does
    return max(words, share.__round__() + runs)


def effective_word_counts(list texts, list words, double chars_per_word) -> list:
    """``decide.effective_words`` of every line, from its text and its ``Line.words``; 0 for a blank line."""
    cdef Py_ssize_t i
    return [_effective(texts[i], words[i], chars_per_word) if texts[i] else 0 for i in range(len(texts))]


def has_near_copy(str key, object index, Py_ssize_t extra, dict first_seen, set lengths) -> bool:
    """``decide._has_near_copy``: another line is this one less its last or first 1 to ``extra`` words
    (``key.rsplit(" ", cut)[0]``, ``key.split(" ", cut)[-1]``); a piece is cut out and looked up only when
    some line has its length."""
    cdef Py_ssize_t size = PyUnicode_GET_LENGTH(key), right = size, left = -1, head, found, cut
    cdef int kind = PyUnicode_KIND(key)
    cdef void *data = PyUnicode_DATA(key)
    cdef bint spaced = False  # a space was found (else every piece is the whole key)
    for cut in range(extra):
        found = right - 1
        while found >= 0 and PyUnicode_READ(kind, data, found) != 32:
            found -= 1
        if found >= 0:
            right = found
            spaced = True
        found = left + 1
        while found < size and PyUnicode_READ(kind, data, found) != 32:
            found += 1
        if found < size:
            left = found
        head = right if spaced else size
        if head in lengths and first_seen.get(key[:head], index) != index:
            return True
        if size - left - 1 in lengths and first_seen.get(key[left + 1:], index) != index:
            return True
    return False


def page_facts(list lines, double chars_per_word, Py_ssize_t good_words, Py_ssize_t sentence_words,
               tuple sentence_end) -> tuple:
    """``decide.page_facts_reference``: (effective word counts, ends a sentence, prose, sentence, the
    indices of the non-blank lines), one pass over the lines."""
    cdef list words = [], ends = [], prose = [], sentence = [], order = []
    cdef Py_ssize_t i, count
    cdef bint end
    cdef str text
    for i in range(len(lines)):
        line = lines[i]
        text = line.text
        if text:
            count = _effective(text, line.words, chars_per_word)
            order.append(line.index)
        else:
            count = 0
        end = text.endswith(sentence_end)
        words.append(count)
        ends.append(end)
        prose.append(end and count >= good_words)
        sentence.append(end and count >= sentence_words)
    return words, ends, prose, sentence, order


cdef enum:
    KEY_HEAD = 64  # characters of a long text whose key is compared first


def key_equals(str text, str key) -> bool:
    """``segment.line_key(text) == key``. Case folding is per character and the key keeps a separator only
    before a following word, so the key of the text's first ``KEY_HEAD`` characters is a prefix of the
    text's key: when ``key`` does not start with it, they differ, and the whole text is not read."""
    if PyUnicode_GET_LENGTH(text) > KEY_HEAD and not key.startswith(_key(text[:KEY_HEAD])):
        return False
    return _key(text) == key
