# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The rules stage in C: the phrase pass's Aho-Corasick automaton laid out as a dense table
(``PhraseScanner``), the folding and reading around it (``fold_lines``, ``phrase_hits``), and the per-line
regex loop (``LineMatcher``, below; ``matcher._match_lines_python`` is its reference).

``PhraseScanner(keys, values).scan(text)`` returns exactly what pyahocorasick's
``Automaton.iter(text)`` yields for an automaton holding the same keys and values (its reference;
``tests/heuristics/test_rules_scan.py`` compares the two on real documents): ``(end, value)`` for every
key that ends at ``end``, in the order of ``end``, and at one ``end`` the longest key first, then the
keys that are suffixes of it (pyahocorasick walks the state's failure links the same way).

The characters of the keys get small class numbers (0: any other character, which sends the scan
back to the root); each state's successor for each class is precomputed, so a character costs one
table read instead of a search among a trie node's children. The table holds 16-bit states and
8-bit classes (0.9 MB for the largest language set); a key set past that raises ``ValueError``, and
the caller keeps the pyahocorasick automaton.
"""
from cpython.mem cimport PyMem_Free, PyMem_Malloc


cdef extern from "Python.h":
    int PyUnicode_KIND(object text)
    void *PyUnicode_DATA(object text)
    Py_ssize_t PyUnicode_GET_LENGTH(object text)
    Py_UCS4 PyUnicode_READ(int kind, void *data, Py_ssize_t index)
    bint Py_UNICODE_ISALNUM(Py_UCS4 ch)
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch)
    int PyUnicode_4BYTE_KIND
    object PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)


cdef enum:
    BMP = 65536  # code points with a slot in the class table


cdef class PhraseScanner:
    cdef unsigned short *delta  # states x classes: the next state (at most 65,535 states)
    cdef int *out_start      # per state (and one past the last): where its keys start in out_keys
    cdef int *out_keys       # the keys that end in each state, longest first
    cdef unsigned char *bmp  # class of each code point below 65536 (at most 255 classes)
    cdef dict astral         # class of the code points above, when a key holds one
    cdef int n_classes
    cdef int n_states
    cdef list values

    def __cinit__(self):
        self.delta = NULL
        self.out_start = NULL
        self.out_keys = NULL
        self.bmp = NULL

    def __dealloc__(self):
        PyMem_Free(self.delta)
        PyMem_Free(self.out_start)
        PyMem_Free(self.out_keys)
        PyMem_Free(self.bmp)

    def __init__(self, list keys, list values):
        if len(keys) != len(values) or len(set(keys)) != len(keys) or any(not key for key in keys):
            raise ValueError("distinct non-empty keys, one value each")
        chars = sorted(set("".join(keys)))
        if len(chars) + 1 > 255:
            raise ValueError("more than 254 distinct characters")
        class_of = {ch: index + 1 for index, ch in enumerate(chars)}
        self.values = list(values)
        self.n_classes = len(chars) + 1
        self.bmp = <unsigned char *> PyMem_Malloc(BMP * sizeof(unsigned char))
        if self.bmp == NULL:
            raise MemoryError()
        cdef Py_ssize_t i
        for i in range(BMP):
            self.bmp[i] = 0
        self.astral = {}
        for ch, cls in class_of.items():
            if ord(ch) < BMP:
                self.bmp[ord(ch)] = cls
            else:
                self.astral[ord(ch)] = cls
        children, word = _trie(keys, class_of)
        if len(children) > 65535:
            raise ValueError("more than 65,535 states")
        self.n_states = len(children)
        self._fill(children, word)

    cdef _fill(self, list children, list word):
        """Failure links in breadth-first order, the dense successor table and each state's keys."""
        cdef int n = self.n_states, width = self.n_classes, state, cls, child, fallback
        self.delta = <unsigned short *> PyMem_Malloc(n * width * sizeof(unsigned short))
        self.out_start = <int *> PyMem_Malloc((n + 1) * sizeof(int))
        if self.delta == NULL or self.out_start == NULL:
            raise MemoryError()
        fail = [0] * n
        outputs = [None] * n
        outputs[0] = []
        order = []
        for cls in range(width):
            child = children[0].get(cls, 0)
            self.delta[cls] = child
            if child:
                order.append(child)
        cdef Py_ssize_t head = 0
        while head < len(order):
            state = order[head]
            head += 1
            outputs[state] = ([word[state]] if word[state] >= 0 else []) + outputs[fail[state]]
            fallback = fail[state]
            for cls in range(width):
                child = children[state].get(cls, -1)
                if child >= 0:
                    fail[child] = self.delta[fallback * width + cls]
                    self.delta[state * width + cls] = child
                    order.append(child)
                else:
                    self.delta[state * width + cls] = self.delta[fallback * width + cls]
        total = sum(len(keys) for keys in outputs)
        self.out_keys = <int *> PyMem_Malloc(max(total, 1) * sizeof(int))
        if self.out_keys == NULL:
            raise MemoryError()
        cdef int at = 0
        for state in range(n):
            self.out_start[state] = at
            for key in outputs[state]:
                self.out_keys[at] = key
                at += 1
        self.out_start[n] = at

    def scan(self, str text) -> list:
        """``(end, value)`` of every key occurrence in ``text``, as ``Automaton.iter`` yields them."""
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef Py_ssize_t length = PyUnicode_GET_LENGTH(text), index
        cdef int state = 0, width = self.n_classes, cls, at
        cdef Py_UCS4 ch
        cdef list found = []
        for index in range(length):
            ch = PyUnicode_READ(kind, data, index)
            if ch < BMP:
                cls = self.bmp[ch]
            else:
                cls = self.astral.get(<long> ch, 0)  # a Py_UCS4 would become a str
            state = self.delta[state * width + cls]
            at = self.out_start[state]
            while at < self.out_start[state + 1]:
                found.append((index, self.values[self.out_keys[at]]))
                at += 1
        return found

    @property
    def nbytes(self) -> int:
        """The tables' size in bytes."""
        return self.n_states * self.n_classes * sizeof(unsigned short) + BMP * sizeof(unsigned char) \
            + (self.n_states + 1 + self.out_start[self.n_states]) * sizeof(int)


def _trie(list keys, dict class_of):
    """Children (class -> state) of every state of the keys' trie, and the key ending in each (-1: none)."""
    children = [{}]
    word = [-1]
    for index, key in enumerate(keys):
        state = 0
        for ch in key:
            cls = class_of[ch]
            child = children[state].get(cls)
            if child is None:
                child = len(children)
                children.append({})
                word.append(-1)
                children[state][cls] = child
            state = child
        word[state] = index
    return children, word


def entries_by_line(list found, list lengths) -> dict:
    """Per line, the bits of every ``(end, bits)`` occurrence (``PhraseScanner.scan`` of the lines
    joined by newlines, ``lengths`` theirs) that ends in it: {position: bits}, only lines with one
    (bits 0 when the values are None)."""
    cdef dict out = {}
    cdef Py_ssize_t position = 0, line_end = lengths[0] if lengths else 0, end
    for end, bits in found:
        while end > line_end:  # ends come in order: walk the lines forward
            position += 1
            line_end += 1 + <Py_ssize_t> lengths[position]
        out[position] = out.get(position, 0) | (bits or 0)  # None: a gate that names no patterns
    return out


cdef enum:
    START_DEPTH = 4  # compiler._START_DEPTH: the line start that keys a detector's plans


cdef class LineMatcher:
    """The rules stage's per-line regex loop (``matcher.match_lines``), for one compiled ``_RegexSet``.

    It does what ``matcher._match_lines_python`` (its reference: tests compare the two) does, line by
    line, in C: the word-count and short-line checks of every detector, a start-anchored detector's
    plan for the line's start (``_Detector.plan``, a dict read), and ``re`` only for the entries left.
    Two cuts on top, both exact: an entry that needs one of some characters (``needs``: a tag list
    needs a separator) is not tried on a line that holds none of them (one pass over the line's
    characters, done only when an entry asks); a searched detector's gate names the entries whose
    literal occurs in the line, and when that is one entry it is searched alone, since the combined
    pattern could find nothing else (its leftmost match is that entry's, which the singles then find).
    """
    cdef list detectors
    cdef list guarded
    cdef object hit_type
    cdef Py_ssize_t n, short_line_words
    cdef Py_ssize_t *max_words
    cdef int *kind           # 0: start-anchored, 1: searched
    cdef int *short_lines    # -1: any line, 1: short lines only, 0: longer lines only
    cdef Py_ssize_t *tail    # searched over the last ``tail`` characters; -1: the whole line
    cdef list plans          # start-anchored: the detector's plan dict (per line start)
    cdef list singles        # searched: (rule, pattern) per entry
    cdef list end_bits       # searched: each entry's bit in the end gate
    cdef list guarded_end_bits
    cdef object regex_set
    cdef dict ends           # the set's end gate answers per line end (``_RegexSet.allowed_at_end``)
    cdef unsigned char *char_bit  # per BMP code point: 1 + its bit in ``needs``, 0 when no entry needs it

    def __cinit__(self):
        self.max_words = NULL
        self.kind = NULL
        self.short_lines = NULL
        self.tail = NULL
        self.char_bit = NULL

    def __dealloc__(self):
        PyMem_Free(self.max_words)
        PyMem_Free(self.kind)
        PyMem_Free(self.short_lines)
        PyMem_Free(self.tail)
        PyMem_Free(self.char_bit)

    def __init__(self, regex_set, hit_type):
        cdef list detectors = regex_set.detectors
        cdef Py_ssize_t i, n = len(detectors)
        cdef dict char_bits = regex_set.char_bits
        self.regex_set = regex_set
        self.ends = regex_set._ends
        self.detectors = detectors
        self.guarded = regex_set.guarded
        self.guarded_end_bits = regex_set.guarded_end_bits
        self.hit_type = hit_type
        self.short_line_words = regex_set.short_line_words
        self.n = n
        self.max_words = <Py_ssize_t *> PyMem_Malloc(max(n, 1) * sizeof(Py_ssize_t))
        self.tail = <Py_ssize_t *> PyMem_Malloc(max(n, 1) * sizeof(Py_ssize_t))
        self.kind = <int *> PyMem_Malloc(max(n, 1) * sizeof(int))
        self.short_lines = <int *> PyMem_Malloc(max(n, 1) * sizeof(int))
        self.char_bit = <unsigned char *> PyMem_Malloc(BMP * sizeof(unsigned char))
        if not (self.max_words and self.tail and self.kind and self.short_lines and self.char_bit):
            raise MemoryError()
        for i in range(BMP):
            self.char_bit[i] = 0
        for char, bit in char_bits.items():
            if not 0 <= bit < 64 or ord(char) >= BMP:
                raise ValueError("a needed character outside the table")
            self.char_bit[ord(char)] = bit + 1
        self.plans = []
        self.singles = []
        self.end_bits = []
        for i, detector in enumerate(detectors):
            self.max_words[i] = detector.max_words
            self.kind[i] = 0 if detector.anchored else 1
            self.short_lines[i] = -1 if detector.short_lines is None else (1 if detector.short_lines else 0)
            self.tail[i] = -1 if detector.tail is None else detector.tail
            self.plans.append(detector._plans if detector.anchored else None)
            self.singles.append(None if detector.anchored else detector.searched())
            self.end_bits.append(detector.end_bits)

    cdef unsigned long long _chars(self, str text):
        """The bits of the needed characters the text holds."""
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef Py_ssize_t length = PyUnicode_GET_LENGTH(text), index
        cdef unsigned long long found = 0
        cdef Py_UCS4 ch
        cdef unsigned char bit
        for index in range(length):
            ch = PyUnicode_READ(kind, data, index)
            if ch < BMP:
                bit = self.char_bit[ch]
                if bit:
                    found |= 1ULL << (bit - 1)
        return found

    def match(self, list lines, dict line_table, Py_ssize_t line_words, dict phrase_hits, dict unlocked_by,
              dict gated, dict containers) -> list:
        """Every line's hits, as ``matcher._match_lines_python`` builds them from the same parts."""
        cdef list out = []
        cdef list hits
        cdef dict memo = {}
        cdef Py_ssize_t position, words
        cdef str text
        for position in range(len(lines)):
            line = lines[position]
            text = line.text
            if not text:
                out.append([])
                continue
            words = line.words
            hits = []
            if words <= line_words:
                rules = line_table.get(line.key)
                if rules:
                    for rule in rules:
                        hits.append(self.hit_type(rule))
            found = phrase_hits.get(position)
            if found is not None:
                hits.extend(found)
            self._regex_hits(hits, text, words, position, unlocked_by.get(position), gated)
            if containers and line.html:
                self._container_hits(hits, line.html.tokens, containers, words, memo)
            out.append(_dedupe(hits) if len(hits) > 1 else hits)
        return out

    cdef object _ends(self, str text):
        """The end gate's answer for the line (bits of the entries its last characters allow)."""
        found = self.ends.get(text[-1:-START_DEPTH - 1:-1])
        return found if found is not None else self.regex_set.allowed_at_end(text)

    cdef _regex_hits(self, list hits, str text, Py_ssize_t words, Py_ssize_t position, unlocked, dict gated):
        cdef Py_ssize_t i
        cdef int is_short = words <= self.short_line_words
        cdef unsigned long long chars = 0
        cdef bint counted = False
        ends = None
        for i in range(self.n):
            if words > self.max_words[i] or (self.short_lines[i] >= 0 and self.short_lines[i] != is_short):
                continue
            if self.kind[i] == 0:
                plan = self.plans[i].get(text[:START_DEPTH])
                if plan is None:
                    plan = self.detectors[i].plan(text)
                for max_words, need, rule, single, end in plan:
                    if words > max_words:
                        continue
                    if need:
                        if not counted:
                            chars = self._chars(text)
                            counted = True
                        if not (chars & <unsigned long long> need):
                            continue
                    if end:
                        if ends is None:
                            ends = self._ends(text)
                        if not (ends & end):
                            continue
                    match = single.match(text)
                    if match is not None:
                        hits.append(self._hit(rule, match))
                continue
            ends = self._searched_hits(hits, i, text, words, position, gated, ends)
        if unlocked:
            for index, (rule, single, width) in enumerate(self.guarded):
                if rule.id in unlocked and words <= rule.max_words:
                    end = self.guarded_end_bits[index]
                    if end:
                        if ends is None:
                            ends = self._ends(text)
                        if not (ends & end):
                            continue
                    match = single.search(text, 0 if width is None else max(0, len(text) - width))
                    if match is not None:
                        hits.append(self._hit(rule, match))

    cdef _searched_hits(self, list hits, Py_ssize_t i, str text, Py_ssize_t words, Py_ssize_t position,
                        dict gated, ends):
        """A searched detector's hits on the line; returns the end gate's answer (asked here or before)."""
        cdef Py_ssize_t start = 0 if self.tail[i] < 0 else max(0, len(text) - self.tail[i])
        lines = gated.get(i)
        if lines is not None:
            bits = lines.get(position)
            if bits is None:
                return ends
            if bits and bits & (bits - 1) == 0:  # one entry can match here: search it alone
                entry = bits.bit_length() - 1
                rule, single = self.singles[i][entry]
                end = self.end_bits[i][entry]
                if end:
                    if ends is None:
                        ends = self._ends(text)
                    if not (ends & end):
                        return ends
                if words <= rule.max_words:
                    match = single.search(text, start)
                    if match is not None:
                        hits.append(self._hit(rule, match))
                return ends
        found, singles = self.detectors[i].find(text)
        if found is None:
            return ends
        for rule, single in singles[found.lastindex - 1:]:
            if words <= rule.max_words:
                match = single.search(text, found.start())
                if match is not None:
                    hits.append(self._hit(rule, match))
        return ends

    cdef _hit(self, rule, match):
        groups = {k: v for k, v in match.groupdict().items() if v} or None
        return self.hit_type(rule, groups, match.end() if rule.kind == "prefix" else 0)

    cdef _container_hits(self, list hits, tokens, dict containers, Py_ssize_t words, dict memo):
        rules = memo.get(tokens)
        if rules is None:
            rules = memo[tokens] = [rule for token in sorted(tokens) for rule in containers.get(token, ())]
        for rule in rules:
            if words <= rule.max_words:
                hits.append(self.hit_type(rule))


cdef list _dedupe(list hits):
    cdef set seen = set()
    cdef list unique = []
    for hit in hits:
        if hit.rule.id not in seen:
            seen.add(hit.rule.id)
            unique.append(hit)
    return unique


def fold_lines(list lines, Py_ssize_t max_words) -> list:
    """``segment.phrase_form`` of each line's text with 0 < words <= ``max_words``, "" for the others
    (the phrase pass's lines; the same calls as ``phrase_form``, without a Python frame per line)."""
    cdef list out = []
    cdef Py_ssize_t words
    cdef str folded
    for line in lines:
        words = line.words
        if not 0 < words <= max_words:
            out.append("")
            continue
        folded = line.text.casefold()
        if "\u2019" in folded:
            folded = folded.replace("\u2019", "'")
        if "-" in folded:
            folded = _hyphens_as_spaces(folded)
        out.append(folded)
    return out


cdef str _hyphens_as_spaces(str text):
    """``" ".join(text.replace("-", " ").split())`` in one pass: hyphens and whitespace runs become one
    space, none at the ends (``split`` breaks on the characters ``Py_UNICODE_ISSPACE`` names, as here)."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef Py_ssize_t length = PyUnicode_GET_LENGTH(text), index, size = 0
    cdef Py_UCS4 ch
    cdef bint gap = False
    cdef Py_UCS4 *out = <Py_UCS4 *> PyMem_Malloc(max(length, 1) * sizeof(Py_UCS4))
    if out == NULL:
        raise MemoryError()
    try:
        for index in range(length):
            ch = PyUnicode_READ(kind, data, index)
            if ch == 45 or Py_UNICODE_ISSPACE(ch):  # 45: "-"
                gap = size > 0
                continue
            if gap:
                out[size] = 32
                size += 1
                gap = False
            out[size] = ch
            size += 1
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, size)
    finally:
        PyMem_Free(out)


cdef class CharSet:
    """Whether a text holds one of some characters: a table read per character (``prefilter.unsafe_chars``
    asks it of every gated document, in place of a regex character-class search)."""
    cdef unsigned char *bmp
    cdef frozenset astral
    cdef bint latin1  # whether one of the characters is below 256 (else a one-byte text holds none)

    def __cinit__(self):
        self.bmp = NULL

    def __dealloc__(self):
        PyMem_Free(self.bmp)

    def __init__(self, str chars):
        cdef Py_ssize_t i
        self.bmp = <unsigned char *> PyMem_Malloc(BMP * sizeof(unsigned char))
        if self.bmp == NULL:
            raise MemoryError()
        for i in range(BMP):
            self.bmp[i] = 0
        for ch in chars:
            if ord(ch) < BMP:
                self.bmp[ord(ch)] = 1
        self.astral = frozenset(ord(ch) for ch in chars if ord(ch) >= BMP)
        self.latin1 = any(ord(ch) < 256 for ch in chars)

    def found_in(self, str text) -> bool:
        """Whether ``text`` holds one of the characters."""
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef Py_ssize_t length = PyUnicode_GET_LENGTH(text), index
        cdef Py_UCS4 ch
        if kind == 1 and not self.latin1:
            return False
        for index in range(length):
            ch = PyUnicode_READ(kind, data, index)
            if ch < BMP:
                if self.bmp[ch]:
                    return True
            elif self.astral and <long> ch in self.astral:
                return True
        return False


def phrase_hits(found, str document, list lengths, list lines, hit_type) -> tuple:
    """The phrase pass's hits per line position (on word boundaries, within the rules' ``max_words``)
    and the guarded regexes each line unlocked, from the scan of the folded lines joined by newlines
    (``lengths``: the folded lines'), as ``matcher._document_phrase_hits_python`` reads them."""
    cdef dict hits = {}, unlocked = {}
    cdef Py_ssize_t position = 0, line_end = lengths[0] if lengths else 0, end, start, size = len(document)
    cdef Py_ssize_t words
    cdef int kind = PyUnicode_KIND(document)
    cdef void *data = PyUnicode_DATA(document)
    cdef list own
    for end, value in found:
        while end > line_end:  # ends come in order: walk the lines forward
            position += 1
            line_end += 1 + <Py_ssize_t> lengths[position]
        length, rules, guard_ids = value
        if guard_ids:
            if position in unlocked:
                unlocked[position].update(guard_ids)
            else:
                unlocked[position] = set(guard_ids)
        if not rules:
            continue
        start = end - <Py_ssize_t> length + 1
        if (start > 0 and Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, start - 1))) or \
                (end + 1 < size and Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, end + 1))):
            continue
        words = lines[position].words
        own = hits.get(position)
        if own is None:
            own = hits[position] = []
        for rule in rules:
            if words <= rule.max_words:
                own.append(hit_type(rule))
    return hits, unlocked
