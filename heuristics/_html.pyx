# cython: language_level=3, boundscheck=False, wraparound=True, cdivision=True, initializedcheck=False
"""The HTML fast path's page walk (``html.lines.walk``) over lexbor's own tree, without a Python object per node.

selectolax hands out one ``LexborNode`` per step (``first_child``, ``next``, ``parent``, ``tag``,
``text_content``...), and that object traffic is most of what the walk costs in Python. ``walk`` here
reads lexbor's node structs directly from the node address selectolax gives (``LexborNode.mem_id``):
the link and type fields, a text node's character data; tag names and attribute values come from
lexbor's own functions, looked up in selectolax's extension module (``bind``). It computes exactly what
``lines.walk_reference`` does (the tests compare them on real pages): the same lines, the same frames.

The struct prefixes declared below are lexbor's (``dom/interfaces/node.h``, ``element.h``,
``character_data.h``) as vendored by the pinned selectolax; ``bind`` checks them on a small page
against selectolax's own accessors and reports a mismatch, and ``lines`` then keeps the Python walk.
"""
cimport cython
from libc.stdint cimport uintptr_t
from libc.string cimport memset
from cpython.unicode cimport PyUnicode_DecodeUTF8


cdef extern from *:
    """
    typedef struct tw_node_s tw_node;
    struct tw_node_s {
        void *events;
        uintptr_t local_name;
        uintptr_t prefix;
        uintptr_t ns;
        void *owner_document;
        tw_node *next;
        tw_node *prev;
        tw_node *parent;
        tw_node *first_child;
        tw_node *last_child;
        void *user;
        int type;
    };
    typedef struct { tw_node node; uintptr_t upper_name; uintptr_t qualified_name; } tw_element;
    typedef struct { tw_node node; const unsigned char *data; size_t length; } tw_text;
    typedef const unsigned char *(*tw_name_fn)(const void *element, size_t *length);
    typedef const unsigned char *(*tw_attribute_fn)(void *element, const unsigned char *name, size_t name_length,
                                                      size_t *value_length);
    """
    ctypedef struct tw_node:
        uintptr_t local_name
        tw_node *next
        tw_node *parent
        tw_node *first_child
        int type
    ctypedef struct tw_element:
        tw_node node
        uintptr_t qualified_name
    ctypedef struct tw_text:
        tw_node node
        const unsigned char *data
        size_t length
    ctypedef const unsigned char *(*tw_name_fn)(const void *element, size_t *length)
    ctypedef const unsigned char *(*tw_attribute_fn)(void *element, const unsigned char *name, size_t name_length,
                                                      size_t *value_length)


cdef extern from "<dlfcn.h>":
    void *dlopen(const char *filename, int flag)
    void *dlsym(void *handle, const char *symbol)
    int RTLD_LAZY
    int RTLD_NOLOAD


cdef enum:
    NODE_ELEMENT = 1
    NODE_TEXT = 3
    TAG_TEXT = 2           # LXB_TAG__TEXT
    STATIC_TAGS = 0xc7     # LXB_TAG__LAST_ENTRY: ids below are lexbor's fixed tag table, the same on every page
    F_INLINE = 1
    F_BLOCK = 2
    F_CELL = 4
    F_LIST = 8
    F_MAIN = 16
    F_SEMANTIC = 32
    F_LINK = 64
    F_BREAK = 128
    F_KNOWN = 256


cdef tw_name_fn _qualified_name = NULL
cdef tw_attribute_fn _get_attribute = NULL

# per static tag id: its name, flags and heading level (filled on first sight)
cdef int _static_flags[STATIC_TAGS]
cdef int _static_heading[STATIC_TAGS]
_static_names = [None] * STATIC_TAGS
memset(_static_flags, 0, sizeof(_static_flags))
memset(_static_heading, 0, sizeof(_static_heading))

# the tag sets of ``html.lines`` (``configure``)
cdef frozenset _inline_tags = frozenset(), _block_tags = frozenset(), _cell_tags = frozenset()
cdef frozenset _list_tags = frozenset(), _main_tags = frozenset(), _semantic_tags = frozenset()
cdef dict _headings = {}
cdef object _words_of = None
cdef dict _words_cache = {}
cdef Py_ssize_t _words_cache_max = 0


def configure(inline, block, cells, lists, main, semantic, headings, words_of, dict cache, Py_ssize_t cache_max
              ) -> None:
    """The tag sets of ``html.lines``, its class/id/role word function (``words_of(joined)``) and the cache of
    its results (``lines._joined_words``: ``cache``, cleared when it holds ``cache_max``)."""
    global _inline_tags, _block_tags, _cell_tags, _list_tags, _main_tags, _semantic_tags, _headings, _words_of
    global _words_cache, _words_cache_max
    _inline_tags, _block_tags, _cell_tags = frozenset(inline), frozenset(block), frozenset(cells)
    _list_tags, _main_tags, _semantic_tags = frozenset(lists), frozenset(main), frozenset(semantic)
    _headings, _words_of, _words_cache, _words_cache_max = dict(headings), words_of, cache, cache_max
    memset(_static_flags, 0, sizeof(_static_flags))


def bind(str library) -> bool:
    """Finds lexbor's name and attribute functions in selectolax's extension (already loaded, at path
    ``library``); False when they are not there."""
    global _qualified_name, _get_attribute
    handle = dlopen(library.encode(), RTLD_LAZY | RTLD_NOLOAD)
    if handle == NULL:
        return False
    _qualified_name = <tw_name_fn>dlsym(handle, b"lxb_dom_element_qualified_name")
    _get_attribute = <tw_attribute_fn>dlsym(handle, b"lxb_dom_element_get_attribute")
    return _qualified_name != NULL and _get_attribute != NULL


def node_facts(size_t address) -> tuple:
    """(type, local name id, first child, next, parent addresses, text or None) of the node at ``address``:
    what ``bind``'s caller compares with selectolax's accessors to check the struct layout."""
    cdef tw_node *node = <tw_node*>address
    text = None
    if node.type == NODE_TEXT:
        text = PyUnicode_DecodeUTF8(<const char*>(<tw_text*>node).data, (<tw_text*>node).length, "replace")
    return (node.type, node.local_name, <size_t>node.first_child, <size_t>node.next, <size_t>node.parent, text)


@cython.no_gc
cdef class Frame:
    """``lines._Frame`` (the same fields, for the compiled walk).

    Not tracked by the cyclic garbage collector: a frame refers only to strings, tuples, frozensets and
    its ancestors, never to itself (``block`` is kept as None when it is the frame itself, where
    ``lines._Frame`` makes a cycle), so reference counting frees a page's frames as soon as it is done and
    the hundreds of frames per page do not set off collections."""
    cdef public str tag
    cdef public object parent
    cdef public Py_ssize_t depth, chars, links, lines, prose, majority, heading
    cdef public bint semantic, in_link, in_main, in_table, in_list
    cdef public tuple words
    cdef public object resolved
    cdef Frame _block   # None: the frame is its own block
    # scratch of ``signals`` (the Python reference keeps these in dicts keyed by frame)
    cdef double score
    cdef bint scored
    cdef Py_ssize_t level, memo, region_id

    @property
    def block(self):
        """The block element whose line this frame's text joins (itself for a block or the root)."""
        return self if self._block is None else self._block


@cython.no_gc
cdef class RawLine:
    """``lines._RawLine`` (the same fields, for the compiled walk)."""
    cdef public str text
    cdef public Frame owner
    cdef public Py_ssize_t links


cdef inline str _decode(const unsigned char *data, size_t length):
    return PyUnicode_DecodeUTF8(<const char*>data, length, "replace")


cdef str _tag_name(tw_node *node):
    cdef size_t length = 0
    cdef const unsigned char *name = _qualified_name(<const void*>node, &length)
    if name == NULL:
        return None
    return _decode(name, length)


cdef int _flags_of(str name, int *heading):
    cdef int flags = F_KNOWN
    if name in _inline_tags:
        flags |= F_INLINE
    if name in _block_tags:
        flags |= F_BLOCK
    if name in _cell_tags:
        flags |= F_CELL
    if name in _list_tags:
        flags |= F_LIST
    if name in _main_tags:
        flags |= F_MAIN
    if name in _semantic_tags:
        flags |= F_SEMANTIC
    if name == "a":
        flags |= F_LINK
    if name == "br":
        flags |= F_BREAK
    heading[0] = _headings.get(name, 0)
    return flags


cdef str _attribute(tw_node *node, bytes name):
    """The attribute's value ('' when it has none), or None when the element does not carry it."""
    cdef size_t length = 0
    cdef const unsigned char *value = _get_attribute(<void*>node, <const unsigned char*>name, len(name), &length)
    if value == NULL:
        return None
    return _decode(value, length)


cdef int MAX_ATTRIBUTE_CHARS = 400


cdef tuple _element_words(tw_node *node, bint *main):
    """``lines._element_words``: the class/id/role words, and whether the element marks the main content."""
    cdef str klass = _attribute(node, b"class")
    cdef str ident = _attribute(node, b"id")
    cdef str role = _attribute(node, b"role")
    main[0] = role == "main" or _attribute(node, b"itemprop") == "articleBody"
    if not klass and not ident and not role:
        return ()
    joined = f"{klass or ''} {ident or ''} {role or ''}"[:MAX_ATTRIBUTE_CHARS]
    words = _words_cache.get(joined)   # lines._joined_words, inlined
    if words is None:
        if len(_words_cache) >= _words_cache_max:
            _words_cache.clear()
        words = _words_cache[joined] = _words_of(joined)
    return words


cdef Frame _new_frame(str tag, Frame parent, tuple words, bint main, int flags, int heading):
    """``lines._Frame(tag, parent, words, main)``."""
    cdef Frame frame = Frame.__new__(Frame)
    frame.tag = tag
    frame.parent = parent
    frame.words = words
    frame.chars = frame.links = frame.lines = frame.prose = frame.majority = 0
    frame.resolved = None
    frame.semantic = (flags & F_SEMANTIC) != 0
    frame.score, frame.scored, frame.level, frame.memo, frame.region_id = 0.0, False, -1, -2, -1
    if parent is None:
        frame.depth, frame.heading, frame.in_link, frame.in_main = 0, 0, False, main
        frame.in_table, frame.in_list, frame._block = False, False, None
        return frame
    frame.depth = parent.depth + 1
    frame.heading = heading if heading else parent.heading
    frame.in_link = (flags & F_LINK) != 0 or parent.in_link
    frame.in_main = main or parent.in_main or (flags & F_MAIN) != 0
    frame.in_table = parent.in_table or (flags & F_CELL) != 0
    frame.in_list = parent.in_list or (flags & F_LIST) != 0
    frame._block = None if flags & F_BLOCK else _block_of(parent)
    return frame


cdef inline Frame _block_of(Frame frame):
    return frame if frame._block is None else frame._block


cdef class _Walk:
    """The line being built and the lines done (``lines._Lines``)."""
    cdef list pieces, done, frames, stack
    cdef Py_ssize_t links, max_blocks
    cdef Frame owner
    cdef bint overflow

    cdef int flush(self) except -1:
        if self.owner is not None:
            line = RawLine.__new__(RawLine)
            line.text = "".join(self.pieces)
            line.owner = self.owner
            line.links = self.links
            self.done.append(line)
            self.owner = None
            if len(self.done) > self.max_blocks:
                self.overflow = True
        if self.pieces:
            del self.pieces[:]
        self.links = 0
        return 0

    cdef int leave(self) except -1:
        cdef Frame frame = self.stack.pop()
        cdef Frame parent
        if self.stack and self.stack[-1] is frame:
            return 0
        if frame._block is None:
            self.flush()
        elif frame.tag in _cell_tags:
            self.pieces.append(" ")
        if self.stack:
            parent = self.stack[-1]
            parent.chars += frame.chars
            parent.links += frame.links
        return 0


def walk(size_t start, object hidden, object skip, Py_ssize_t max_blocks):
    """``lines.walk_reference`` from the node at address ``start`` (``LexborNode.mem_id``): (lines, frames),
    or None when the page has more than ``max_blocks`` lines. ``hidden``: addresses of elements never shown;
    ``skip``: tag names whose elements are not read."""
    cdef _Walk out = _Walk.__new__(_Walk)
    out.pieces, out.done, out.frames, out.stack = [], [], [], []
    out.links, out.max_blocks, out.owner, out.overflow = 0, max_blocks, None, False
    cdef list stack = out.stack, pieces = out.pieces
    cdef dict dynamic = {}          # tag ids of this page's own (unknown) tag names
    cdef signed char skipped[STATIC_TAGS]
    memset(skipped, -1, sizeof(skipped))
    cdef bint any_hidden = bool(hidden)
    cdef tw_node *node = <tw_node*>start
    cdef tw_node *upcoming = node
    cdef tw_node *child
    cdef uintptr_t key
    cdef int flags, heading
    cdef bint opened, main, skip_it
    cdef Frame frame
    cdef str tag, value
    cdef tuple words
    cdef Py_ssize_t size
    while upcoming != NULL:
        node = upcoming
        opened = False
        if node.local_name == TAG_TEXT:
            if node.type == NODE_TEXT and stack:
                value = _decode((<tw_text*>node).data, (<tw_text*>node).length)
                size = len(value)
                if size:
                    frame = stack[-1]
                    if out.owner is None and not value.isspace():
                        out.owner = _block_of(frame)
                    if out.owner is not None:
                        pieces.append(value)
                        frame.chars += size
                        if frame.in_link:
                            frame.links += size
                            out.links += size
        elif node.type == NODE_ELEMENT:
            key = (<tw_element*>node).qualified_name or node.local_name
            if key < STATIC_TAGS and _static_flags[key]:
                tag, flags, heading = _static_names[key], _static_flags[key], _static_heading[key]
                if skipped[key] < 0:
                    skipped[key] = tag in skip
                skip_it = skipped[key]
            elif key >= STATIC_TAGS and key in dynamic:
                tag, flags, heading = dynamic[key]
                skip_it = not tag or tag in skip
            else:
                tag = _tag_name(node)
                flags = heading = 0
                if tag:
                    flags = _flags_of(tag, &heading)
                skip_it = not tag or tag in skip
                if key < STATIC_TAGS and tag:
                    _static_names[key], _static_flags[key], _static_heading[key] = tag, flags, heading
                elif key >= STATIC_TAGS:
                    dynamic[key] = (tag, flags, heading)
            if not skip_it and not (any_hidden and <size_t>node in hidden):
                opened = True
                if flags & F_INLINE:
                    if flags & F_BREAK:
                        out.flush()
                    stack.append(stack[-1] if stack else _new_frame(tag, None, (), False, flags, heading))
                else:
                    if flags & F_BLOCK:
                        out.flush()
                    elif flags & F_CELL and pieces:
                        pieces.append(" ")
                    main = False
                    words = () if flags & F_LINK else _element_words(node, &main)
                    frame = _new_frame(tag, stack[-1] if stack else None, words, main, flags, heading)
                    stack.append(frame)
                    out.frames.append(frame)
        if out.overflow:
            return None
        if opened:
            child = node.first_child
            if child != NULL:
                upcoming = child
                continue
            out.leave()
        upcoming = NULL
        while stack:
            if node.next != NULL:
                upcoming = node.next
                break
            node = node.parent
            out.leave()
        if out.overflow:
            return None
    out.flush()
    if out.overflow:
        return None
    return out.done, out.frames


cdef extern from "Python.h":
    int PyObject_GenericSetAttr(object target, object name, object value) except -1


def build_all(cls, tuple names, list rows):
    """``[cls(*row) for row in rows]`` for a frozen dataclass with ``__slots__`` and no ``__post_init__``
    (``lines.Signals``): its ``__init__`` sets each field with ``object.__setattr__``, and so does this,
    without the call's argument handling (a tenth of the HTML walk's time, one object per line)."""
    cdef Py_ssize_t j, n = len(names)
    cdef tuple row
    out = []
    new = object.__new__
    for row in rows:
        if len(row) != n:
            raise ValueError(f"{cls.__name__} takes {n} values, not {len(row)}")
        made = new(cls)
        for j in range(n):
            PyObject_GenericSetAttr(made, names[j], row[j])
        out.append(made)
    return out


# ---------------------------------------------------------------- after the walk: the lines' signals

cdef inline Frame _region_of(Frame frame):
    return frame.parent if frame.parent is not None else frame


cdef inline bint _is_prose(RawLine line, str text, Py_ssize_t prose_chars):
    cdef Py_ssize_t size = len(text)
    return size >= prose_chars and line.links * 2 < size


cdef Py_ssize_t _prose_mass(list done, list frames, list texts, Py_ssize_t prose_chars) except -1:
    """``lines._prose_mass``."""
    cdef Py_ssize_t i, total
    cdef RawLine line
    cdef Frame frame, parent
    for i in range(len(done)):
        line = done[i]
        if _is_prose(line, texts[i], prose_chars):
            line.owner.prose += len(<str>texts[i])
    for i in range(len(frames) - 1, -1, -1):
        frame = frames[i]
        if frame.parent is not None:
            parent = frame.parent
            parent.prose += frame.prose
    total = (<Frame>frames[0]).prose if frames else 0
    for frame in frames:
        if frame.prose * 2 >= total or frame.parent is None:
            frame.majority = 0
        else:
            frame.majority = (<Frame>frame.parent).majority + 1
    return total


cdef Frame _best_container(list done, list texts, Py_ssize_t prose_chars):
    """``lines._best_container``: the same sums in the same order; the first frame scored wins a tie."""
    cdef list order = []
    cdef Py_ssize_t i, size
    cdef RawLine line
    cdef Frame parent, grand, best = None
    for i in range(len(done)):
        line = done[i]
        if not _is_prose(line, texts[i], prose_chars):
            continue
        size = len(<str>texts[i])
        parent = _region_of(line.owner)
        grand = _region_of(parent)
        for frame, weight in ((parent, 1.0), (grand, 0.5)):
            if not (<Frame>frame).scored:
                (<Frame>frame).scored = True
                order.append(frame)
            (<Frame>frame).score = (<Frame>frame).score + <double>weight * size
    for parent in order:
        if best is None or parent.score > best.score:
            best = parent
    return best


cdef list _distances(list done, Frame best):
    """``lines._distances``."""
    cdef Py_ssize_t level = 0, found
    cdef Frame frame
    cdef RawLine line
    cdef list seen, out = []
    if best is None:
        return [-1] * len(done)
    frame = best
    while frame is not None:
        frame.level = level
        frame, level = frame.parent, level + 1
    for line in done:
        frame = line.owner
        seen = []
        found = -1
        while frame is not None:
            if frame.memo != -2:
                found = frame.memo
                break
            if frame.level >= 0:
                found = frame.level
                break
            seen.append(frame)
            frame = frame.parent
        for frame in seen:
            frame.memo = found
        out.append(found)
    return out


cdef frozenset _resolve_tokens(Frame frame, Py_ssize_t half, frozenset empty):
    """``lines._resolve_tokens``: the same unions in the same order (so the sets iterate alike)."""
    cdef list chain = []
    cdef Frame current = frame, item
    cdef frozenset base
    cdef Py_ssize_t i
    while current is not None and current.resolved is None:
        chain.append(current)
        current = current.parent
    base = current.resolved if current is not None else empty
    for i in range(len(chain) - 1, -1, -1):
        item = chain[i]
        if item.chars < half and item.depth > 0 and (item.semantic or item.words):
            base = base.union(item.words + (item.tag,) if item.semantic else item.words)
        item.resolved = base
    return base


def signal_rows(list done, list frames, list texts, Py_ssize_t prose_chars, frozenset empty):
    """``lines._signals``' rows (``Signals``' fields in order, one tuple per line) for a compiled walk's
    lines and frames, ``texts`` their texts (``lines._line_texts``); ``empty``: ``lines.EMPTY``."""
    cdef Py_ssize_t half = ((<Frame>frames[0]).chars if frames else 0) // 2
    cdef Py_ssize_t prose_total = max(1, _prose_mass(done, frames, texts, prose_chars))
    cdef Py_ssize_t n = len(done), i, size, next_region = 0, distance
    cdef Py_ssize_t total = max(1, n - 1)
    cdef RawLine line
    cdef Frame owner, region, outer
    cdef str text
    cdef double link_density
    for line in done:
        region = _region_of(line.owner)
        region.lines += 1
    best = _best_container(done, texts, prose_chars)
    cdef list distances = _distances(done, best)
    cdef list rows = []
    for i in range(n):
        line = done[i]
        text = texts[i]
        distance = distances[i]
        owner = line.owner
        region = _region_of(owner)
        outer = _region_of(region)
        size = max(1, len(text.strip()))
        link_density = line.links / <double>size
        if region.region_id < 0:
            region.region_id, next_region = next_region, next_region + 1
        if outer.region_id < 0:
            outer.region_id, next_region = next_region, next_region + 1
        rows.append((
            _resolve_tokens(owner, half, empty), owner.tag, owner.depth, owner.heading,
            link_density if link_density < 1.0 else 1.0,
            owner.in_main, owner.in_table, owner.in_list, distance == 0, distance,
            region.chars, region.links / <double>region.chars if region.chars else 0.0, region.lines,
            region.region_id, outer.region_id,
            region.prose / <double>prose_total, region.prose / <double>region.chars if region.chars else 0.0,
            outer.prose / <double>prose_total, outer.prose / <double>outer.chars if outer.chars else 0.0,
            owner.majority, i / <double>total, True))
    return rows


# ---------------------------------------------------------------- the HTML model's columns

import numpy as np


from libc.stdlib cimport qsort
from libc.math cimport INFINITY


cdef int _compare_doubles(const void *a, const void *b) noexcept nogil:
    cdef double x = (<const double*>a)[0], y = (<const double*>b)[0]
    return (x > y) - (x < y)


cdef double _median(double *values, Py_ssize_t n) noexcept nogil:
    """``np.median`` of ``n >= 1`` values without NaN (sorted in place): the middle one, or the two middle ones'
    sum halved, as numpy's mean of the two."""
    qsort(values, n, sizeof(double), _compare_doubles)
    if n % 2:
        return values[n // 2]
    return (values[n // 2 - 1] + values[n // 2]) / 2.0


cdef void _window_means(const double *values, Py_ssize_t n, Py_ssize_t radius, double *prefix, double *out,
                        Py_ssize_t stride) noexcept nogil:
    """``features._window_mean``: the same running sum (``np.cumsum``'s order) and the same three operations
    per row; ``out`` is written every ``stride`` doubles."""
    cdef Py_ssize_t i, low, high, count
    prefix[0] = 0.0
    for i in range(n):
        prefix[i + 1] = prefix[i] + values[i * stride]
    for i in range(n):
        low = i - radius if i > radius else 0
        high = i + radius + 1 if i + radius + 1 < n else n
        count = high - low - 1 if high - low - 1 > 1 else 1
        out[i * stride] = (prefix[high] - prefix[low] - values[i * stride]) / <double>count


# the column layout of ``html.features`` (``configure_columns``)
cdef Py_ssize_t _own_width = 0, _context_base = 0, _bucket_base = 0, _tag_base = 0, _place_base = 0
cdef Py_ssize_t _col_same_prev, _col_same_next, _col_in_best, _col_depth, _col_rel_depth, _col_best_share
cdef Py_ssize_t _col_any_main, _col_in_main, _col_link, _col_heading, _col_distance, _col_majority
cdef Py_ssize_t _ctx_link_before, _ctx_link_after, _ctx_best_before, _ctx_best_after, _ctx_link_window
cdef Py_ssize_t _ctx_best_window, _ctx_heading_before, _ctx_heading_after, _far_levels = 0, _window_radius = 0
cdef tuple _numeric_names = ()
cdef Py_ssize_t[::1] _numeric_columns
cdef dict _tag_groups = {}
cdef object _cells_of = None
cdef bint _configured = False


def configure_columns(dict own, dict context, Py_ssize_t width, Py_ssize_t tag_base, Py_ssize_t place_base,
                      tuple numeric_names, numeric_columns, dict tag_groups, cells_of, Py_ssize_t far_levels,
                      Py_ssize_t window_radius) -> None:
    """``html.features``' layout: the own and context columns by name (``_COL``, ``_CONTEXT_COL``), the width of
    the matrix (own + context + token buckets), where the tag groups and place tags start, the ``Signals``
    fields read as numbers and their columns (``_NUMERIC``, ``_NUMERIC_COLUMNS``), tag -> group, the function
    giving a token set's place and bucket columns (``_token_cells``), ``FAR_LEVELS`` and the window radius."""
    global _own_width, _context_base, _bucket_base, _tag_base, _place_base, _numeric_names, _numeric_columns
    global _tag_groups, _cells_of, _far_levels, _window_radius, _configured
    global _col_same_prev, _col_same_next, _col_in_best, _col_depth, _col_rel_depth, _col_best_share
    global _col_any_main, _col_in_main, _col_link, _col_heading, _col_distance, _col_majority
    global _ctx_link_before, _ctx_link_after, _ctx_best_before, _ctx_best_after, _ctx_link_window
    global _ctx_best_window, _ctx_heading_before, _ctx_heading_after
    _own_width, _context_base = len(own), len(own)
    _bucket_base = len(own) + len(context)
    if width < _bucket_base:
        raise ValueError("the matrix is narrower than its own and context columns")
    _tag_base, _place_base, _far_levels, _window_radius = tag_base, place_base, far_levels, window_radius
    _numeric_names = numeric_names
    _numeric_columns = np.ascontiguousarray(numeric_columns, dtype=np.intp)
    if len(_numeric_columns) != len(numeric_names):
        raise ValueError("one column per numeric field")
    _tag_groups, _cells_of = tag_groups, cells_of
    _col_same_prev, _col_same_next = own["h_same_region_prev"], own["h_same_region_next"]
    _col_in_best, _col_depth, _col_rel_depth = own["h_in_best"], own["h_depth"], own["h_rel_depth"]
    _col_best_share, _col_any_main, _col_in_main = own["h_best_share"], own["h_any_main"], own["h_in_main"]
    _col_link, _col_heading = own["h_link_density"], own["h_heading"]
    _col_distance, _col_majority = own["h_best_distance"], own["h_majority_levels"]
    _ctx_link_before, _ctx_link_after = context["h_link_density@-1"], context["h_link_density@+1"]
    _ctx_best_before, _ctx_best_after = context["h_in_best@-1"], context["h_in_best@+1"]
    _ctx_link_window, _ctx_best_window = context["h_link_density_pm3"], context["h_in_best_pm3"]
    _ctx_heading_before, _ctx_heading_after = context["h_heading@-1"], context["h_heading@+1"]
    _configured = True


cdef inline double _far(double levels) noexcept nogil:
    return _far_levels if levels < 0 else (levels if levels < _far_levels else _far_levels)


def html_matrix(list signals, list sizes, Py_ssize_t width):
    """``html.features.html_features``' matrix for the ``Signals`` of a page's non-blank lines (``sizes``: their
    text lengths), in one pass over the signals and a few over the rows, except the log1p of the two count
    columns: those are left as counts for numpy's ``log1p`` (the caller's), whose last bit may not be libm's.
    Every other value is what the numpy reference computes (the same operations in the same order)."""
    cdef Py_ssize_t n = len(signals), n_numeric = len(_numeric_names), i, j, group, base_count, region
    cdef Py_ssize_t previous_region = -1
    if n == 0 or not _configured or width < _bucket_base or len(sizes) != n:
        raise ValueError("no rows, a size per row missing, or the layout not configured")
    matrix = np.zeros((n, width), dtype=np.float64)
    cdef double[:, ::1] out = matrix
    cdef double *scratch = <double*>malloc((2 * n + 1) * sizeof(double))
    cdef double *prefix
    cdef double best_chars = 0.0, total_chars = 0.0, any_main = 0.0, base, value
    cdef bint any_best = False
    cdef dict cells_seen = {}
    if scratch == NULL:
        raise MemoryError()
    prefix = scratch + n
    try:
        for i in range(n):
            signal = signals[i]
            for j in range(n_numeric):
                out[i, _numeric_columns[j]] = getattr(signal, <str>_numeric_names[j])
            out[i, _col_distance] = _far(out[i, _col_distance])   # -1 (none) and far both mean far
            out[i, _col_majority] = _far(out[i, _col_majority])
            group = _tag_groups.get(signal.tag, -1)
            if group >= 0:
                out[i, _tag_base + group] = 1.0
            tokens = signal.tokens
            cells = cells_seen.get(tokens)
            if cells is None:
                cells = cells_seen[tokens] = _cells_of(tokens)
            for j in cells[0]:
                out[i, _place_base + j] = 1.0
            for j in cells[1]:
                out[i, _bucket_base + j] = 1.0
            region = signal.region if signal.matched else -1
            if i and region >= 0 and region == previous_region:
                out[i, _col_same_prev] = 1.0
                out[i - 1, _col_same_next] = 1.0
            previous_region = region
            value = <double>sizes[i]
            total_chars += value
            if out[i, _col_in_best] > 0:
                best_chars += value
                any_best = True
            if out[i, _col_in_main] > any_main:
                any_main = out[i, _col_in_main]
        # the depth relative to the best container's median depth (the page's when there is none)
        base_count = 0
        for i in range(n):
            if out[i, _col_in_best] > 0 or not any_best:
                scratch[base_count] = out[i, _col_depth]
                base_count += 1
        base = _median(scratch, base_count)
        for i in range(n):
            out[i, _col_rel_depth] = out[i, _col_depth] - base
            out[i, _col_best_share] = best_chars / total_chars if total_chars else 0.0
            out[i, _col_any_main] = any_main
        _context_columns(out, n, prefix)
    finally:
        free(scratch)
    return matrix


cdef void _context_columns(double[:, ::1] out, Py_ssize_t n, double *prefix) noexcept:
    """``features._context``: the neighbours' link density, best-container flag and heading (NaN past the
    ends) and the link density and best flag averaged over ``_window_radius`` lines each side."""
    cdef Py_ssize_t i, c = _context_base, stride = out.shape[1]
    cdef double nan = float("nan")
    for i in range(n):
        out[i, c + _ctx_link_before] = out[i - 1, _col_link] if i else nan
        out[i, c + _ctx_link_after] = out[i + 1, _col_link] if i + 1 < n else nan
        out[i, c + _ctx_best_before] = out[i - 1, _col_in_best] if i else nan
        out[i, c + _ctx_best_after] = out[i + 1, _col_in_best] if i + 1 < n else nan
        out[i, c + _ctx_heading_before] = out[i - 1, _col_heading] if i else nan
        out[i, c + _ctx_heading_after] = out[i + 1, _col_heading] if i + 1 < n else nan
    _window_means(&out[0, _col_link], n, _window_radius, prefix, &out[0, c + _ctx_link_window], stride)
    _window_means(&out[0, _col_in_best], n, _window_radius, prefix, &out[0, c + _ctx_best_window], stride)


# ---------------------------------------------------------------- the second pass's page context

def page_structure(list lines, unmatched):
    """``html.features.page_structure``: per non-blank line (words, region, outer, in_best) as float64, read
    from ``line.html or unmatched``."""
    kept = [line for line in lines if line.text]
    structure = np.zeros((len(kept), 4), dtype=np.float64)
    cdef double[:, ::1] out = structure
    cdef Py_ssize_t row
    for row in range(len(kept)):
        line = kept[row]
        signals = line.html or unmatched
        out[row, 0] = line.words
        out[row, 1] = signals.region
        out[row, 2] = signals.outer
        out[row, 3] = signals.in_best
    return structure


cdef int _compare_at(const void *a, const void *b) noexcept nogil:
    """Orders (value, row) pairs by value, then row (the pairs are ``double[2]``)."""
    cdef const double *x = <const double*>a
    cdef const double *y = <const double*>b
    if x[0] != y[0]:
        return -1 if x[0] < y[0] else 1
    return (x[1] > y[1]) - (x[1] < y[1])


cdef Py_ssize_t _groups(const double[:, ::1] structure, Py_ssize_t key, double *pairs, Py_ssize_t *group
                        ) noexcept nogil:
    """Each row's group: rows with equal ``structure[:, key]`` share one (``np.unique(..., return_inverse=True)``
    numbers them in value order, as here); returns the number of groups."""
    cdef Py_ssize_t n = structure.shape[0], i, count = 0
    for i in range(n):
        pairs[2 * i] = structure[i, key]
        pairs[2 * i + 1] = <double>i
    qsort(pairs, n, 2 * sizeof(double), _compare_at)
    for i in range(n):
        if i and pairs[2 * i] != pairs[2 * i - 2]:
            count += 1
        group[<Py_ssize_t>pairs[2 * i + 1]] = count
    return count + 1


def score_context_columns(const double[::1] scores, const double[:, ::1] structure, Py_ssize_t width):
    """``html.features.html_score_context``'s first six columns (region mean, min, max, size; outer mean, size)
    as its numpy computes them: per group the weights and weighted scores summed in row order (``np.bincount``),
    the mean their quotient. The sizes are left as counts for numpy's ``log1p`` (the caller's); the last
    columns (the means inside and outside the best container, a ``np.dot`` each) are the caller's too."""
    cdef Py_ssize_t n = structure.shape[0], i, g, groups, key, column
    if scores.shape[0] != n or structure.shape[1] < 4 or width < 6:
        raise ValueError("one score per row of a 4-column structure")
    context = np.zeros((n, width), dtype=np.float64)
    cdef double[:, ::1] out = context
    if n == 0:
        return context
    cdef double *pairs = <double*>malloc(2 * n * sizeof(double))
    cdef double *sums = <double*>malloc(5 * n * sizeof(double))   # total, weighted, size, low, high per group
    cdef Py_ssize_t *group = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
    cdef double weight
    try:
        if pairs == NULL or sums == NULL or group == NULL:
            raise MemoryError()
        for key, column in ((1, 0), (2, 4)):
            groups = _groups(structure, key, pairs, group)
            for g in range(groups):
                sums[5 * g] = sums[5 * g + 1] = sums[5 * g + 2] = 0.0
                sums[5 * g + 3] = INFINITY
                sums[5 * g + 4] = -INFINITY
            for i in range(n):
                g = 5 * group[i]
                weight = structure[i, 0] if structure[i, 0] > 1.0 else 1.0   # np.maximum(words, 1.0)
                sums[g] += weight
                sums[g + 1] += weight * scores[i]
                sums[g + 2] += 1.0
                if scores[i] < sums[g + 3] or scores[i] != scores[i]:   # NaN sticks, as in np.minimum
                    sums[g + 3] = scores[i]
                if scores[i] > sums[g + 4] or scores[i] != scores[i]:
                    sums[g + 4] = scores[i]
            for i in range(n):
                g = 5 * group[i]
                out[i, column] = sums[g + 1] / sums[g]
                if key == 1:
                    out[i, 1], out[i, 2], out[i, 3] = sums[g + 3], sums[g + 4], sums[g + 2]
                else:
                    out[i, 5] = sums[g + 2]
    finally:
        free(pairs)
        free(sums)
        free(group)
    return context


# ---------------------------------------------------------------- the line texts

from cpython.unicode cimport PyUnicode_FromKindAndData, PyUnicode_4BYTE_KIND
from libc.stdlib cimport malloc, free, realloc
from libc.stdint cimport uint64_t, int64_t
from libc.string cimport memchr, memcpy, memcmp


cdef extern from "Python.h":
    int PyUnicode_KIND(object text)
    void *PyUnicode_DATA(object text)
    Py_UCS4 PyUnicode_READ(int kind, void *data, Py_ssize_t index) nogil
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch) nogil


cdef bint _collapsed_already(int kind, void *data, Py_ssize_t n) noexcept nogil:
    """Whether the text is its own ``" ".join(text.split())``: single spaces between words, none at the ends."""
    cdef Py_ssize_t i
    cdef Py_UCS4 ch
    cdef bint after_space = True
    for i in range(n):
        ch = PyUnicode_READ(kind, data, i)
        if Py_UNICODE_ISSPACE(ch):
            if ch != u' ' or after_space:
                return False
            after_space = True
        else:
            after_space = False
    return n == 0 or not after_space


cdef str _collapse(str text):
    """``" ".join(text.split())``: ``str.split`` splits on ``Py_UNICODE_ISSPACE`` characters, as here."""
    cdef Py_ssize_t n = len(text), i, out = 0
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef Py_UCS4 ch
    cdef Py_UCS4 *buffer
    cdef bint pending = False
    if _collapsed_already(kind, data, n):
        return text
    buffer = <Py_UCS4*>malloc((n + 1) * sizeof(Py_UCS4))
    if buffer == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            ch = PyUnicode_READ(kind, data, i)
            if Py_UNICODE_ISSPACE(ch):
                pending = out > 0
                continue
            if pending:
                buffer[out] = u' '
                out += 1
                pending = False
            buffer[out] = ch
            out += 1
        # the narrowest kind that holds the characters, as every str is made
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buffer, out)
    finally:
        free(buffer)


def collapsed_texts(list raw_lines) -> list:
    """``[" ".join(line.text.split()) for line in raw_lines]`` (``lines._line_texts``' first step)."""
    return [_collapse(line.text) for line in raw_lines]


# ---------------------------------------------------------------- the depth guard

cdef enum:
    NAME_WORDS = 4            # guard.WORDS: names are keyed exactly up to 4 x 8 bytes
    NAME_BYTES = 32


cdef struct NameCount:
    uint64_t key[NAME_WORDS]
    int64_t count
    bint used


cdef inline bint _name_stop(unsigned char byte) noexcept nogil:
    # where the tokenizer ends a tag name (guard._STOPS)
    return byte == 0x00 or byte == 0x09 or byte == 0x0A or byte == 0x0C or byte == 0x0D or byte == 0x20 \
        or byte == 0x2F or byte == 0x3E


cdef inline bint _letter(unsigned char byte) noexcept nogil:
    return (0x41 <= byte <= 0x5A) or (0x61 <= byte <= 0x7A)


cdef inline uint64_t _hash_key(const uint64_t *key) noexcept nogil:
    cdef uint64_t h = 0x9E3779B97F4A7C15ULL
    cdef int w
    for w in range(NAME_WORDS):
        h = (h ^ key[w]) * 0xBF58476D1CE4E5B9ULL
        h ^= h >> 31
    return h


cdef bint _in_keys(uint64_t key, const uint64_t[::1] keys) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(keys.shape[0]):
        if keys[i] == key:
            return True
    return False


cdef NameCount *_slot(NameCount *table, Py_ssize_t mask, const uint64_t *key) noexcept nogil:
    cdef Py_ssize_t at = <Py_ssize_t>(_hash_key(key) & <uint64_t>mask)
    while table[at].used and memcmp(table[at].key, key, sizeof(uint64_t) * NAME_WORDS) != 0:
        at = (at + 1) & mask
    return &table[at]


cdef NameCount *_grown(NameCount *table, Py_ssize_t size) noexcept nogil:
    """A table twice ``size`` with ``table``'s entries (``table`` freed); NULL when out of memory."""
    cdef NameCount *bigger = <NameCount*>malloc(2 * size * sizeof(NameCount))
    cdef Py_ssize_t i
    cdef NameCount *slot
    if bigger != NULL:
        memset(bigger, 0, 2 * size * sizeof(NameCount))
        for i in range(size):
            if table[i].used:
                slot = _slot(bigger, 2 * size - 1, table[i].key)
                slot[0] = table[i]
    free(table)
    return bigger


def depth_bound(const unsigned char[::1] data, const uint64_t[::1] void_keys, const uint64_t[::1] flat_keys
                ) -> int:
    """``guard.depth_bound_reference`` over the page's UTF-8 bytes in one pass: per tag name (case-folded,
    keyed by its first 32 bytes) the elements of that name that can be open, never below zero (flat names:
    1 after a start tag, else 0), summed over the names; the largest sum. ``void_keys``/``flat_keys``:
    ``guard._VOID_WORDS``/``_FLAT_WORDS`` (names of up to 8 bytes as little-endian words, as here)."""
    cdef Py_ssize_t n = data.shape[0], at, start, length, size = 256, used = 0, b
    cdef unsigned char name[NAME_BYTES]
    cdef unsigned char byte
    cdef uint64_t key[NAME_WORDS]
    cdef bint closing, fits, short
    cdef int64_t delta, after, total = 0, best = 0
    cdef const unsigned char *found
    cdef NameCount *slot
    cdef NameCount *table = <NameCount*>malloc(size * sizeof(NameCount))
    if table == NULL:
        raise MemoryError()
    memset(table, 0, size * sizeof(NameCount))
    try:
        with nogil:
            at = 0
            while at < n:
                found = <const unsigned char*>memchr(&data[at], 0x3C, n - at)
                if found == NULL:
                    break
                at = found - &data[0] + 1   # the byte after the ``<``
                closing = at < n and data[at] == 0x2F
                start = at + closing
                if start >= n or not _letter(data[start]):
                    continue
                memset(name, 0, NAME_BYTES)
                length = 0
                while length < NAME_BYTES and start + length < n and not _name_stop(data[start + length]):
                    byte = data[start + length]
                    name[length] = byte | 0x20 if 0x41 <= byte <= 0x5A else byte
                    length += 1
                fits = length < NAME_BYTES   # a longer name never closes anything
                memcpy(key, name, NAME_BYTES)
                short = length <= 8
                if closing:
                    delta = -1 if fits else 0
                else:
                    delta = 0 if short and _in_keys(key[0], void_keys) else 1
                if 2 * (used + 1) > size:
                    table = _grown(table, size)
                    if table == NULL:
                        break
                    size *= 2
                slot = _slot(table, size - 1, key)
                if not slot.used:
                    slot.used = True
                    memcpy(slot.key, key, sizeof(key))
                    slot.count = 0
                    used += 1
                if short and _in_keys(key[0], flat_keys):
                    after = 1 if delta > 0 else 0
                else:
                    after = slot.count + delta
                    if after < 0:
                        after = 0
                total += after - slot.count
                slot.count = after
                if total > best:
                    best = total
        if table == NULL:
            raise MemoryError()
        return best
    finally:
        free(table)
