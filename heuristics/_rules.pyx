# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The rules stage's phrase pass: an Aho-Corasick automaton laid out as a dense table, scanned in C.

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
