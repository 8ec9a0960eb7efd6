# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The engine's compiled core: loops over lines, characters and tree nodes that numpy and Python
pay per call or per element for. Each function computes exactly what its Python reference does
(tests compare them on real documents):

* ``Forest``: a LightGBM binary model's trees, walked for a whole matrix of rows at once
  (reference: ``lightgbm.Booster.predict``; loaded from LightGBM's own model text by ``forest.py``);
* ``text_features``, ``position_features``, ``cohesion_features``, ``hit_features``, ``window_block``,
  ``document_values``: the line feature matrix of ``features.line_features_reference``;
* ``score_context``: the second pass's score columns of ``features._score_context_numpy``;
* ``simhash``: the body fingerprint of ``metadata.simhash``.
"""
from libc.float cimport DBL_MAX
from libc.math cimport exp, fabs, INFINITY, NAN
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t
from libc.stdlib cimport calloc, free, qsort
from cpython.unicode cimport (Py_UNICODE_ISALNUM, Py_UNICODE_ISSPACE, PyUnicode_Count, PyUnicode_DATA,
                              PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ)

import numpy as np

# LightGBM's kZeroThreshold (a float literal, 1e-35f): inputs at most this far from 0 are 0.
cdef double ZERO_THRESHOLD = <double><float>1e-35


cdef struct Split:
    double threshold
    int32_t feature       # a column of the walk's widened rows (``Forest``: NaN without a test)


cdef enum:
    LOCKSTEP = 8
    ROW_CHUNK = 16


cdef class Forest:
    """A binary LightGBM model with every tree laid out as a perfect binary tree of ``depth`` levels
    (``forest.parse_model`` builds it from LightGBM's model text): tree ``t``'s splits are
    ``feature[t]``, ``threshold[t]``, ``nan_right[t]`` in heap order (node ``k``'s children are
    ``2k+1`` and ``2k+2``), its leaves ``leaf[t]``. A branch that ends early in LightGBM's tree is
    padded with splits that never go right over copies of its leaf value.

    So every walk takes ``depth`` steps with no branch to mispredict: a value within LightGBM's zero
    threshold of 0 reads as 0, NaN goes where the split's missing type sends it, any other value
    right when it is greater than the threshold. Each row's leaf values are summed in tree order,
    as LightGBM sums them, so the probabilities are LightGBM's bit for bit.

    NaN costs the walk no test: ``predict`` writes each row twice, NaN read as -inf in the first
    copy and as +inf in the second, and a split whose NaN goes right reads the second copy. A value
    that is not NaN is the same in both; NaN then goes right exactly when the split says (-inf is
    greater than no threshold, +inf than every threshold below +inf), so the one comparison
    ``value > threshold`` decides every step. A split sending NaN right whose threshold is +inf
    (LightGBM writes these: NaN right, every number left) reads a third copy of its feature, NaN as
    +inf and +inf as the largest double, against the largest double: right for NaN alone."""

    cdef Split* splits
    cdef int32_t[::1] nan_only   # features with a NaN-only split: their third copy follows the two rows
    cdef double[:, ::1] leaf
    cdef readonly int depth
    cdef readonly int n_trees
    cdef int n_blocks
    cdef readonly int n_features
    cdef readonly double sigmoid
    cdef object arguments   # what it was built from: pickling rebuilds it (worker processes, batch executors)

    def __cinit__(self):
        self.splits = NULL

    def __dealloc__(self):
        free(self.splits)

    def __init__(self, feature, threshold, nan_right, leaf, int n_features, double sigmoid):
        self.arguments = (feature, threshold, nan_right, leaf, n_features, sigmoid)
        cdef const int32_t[:, ::1] features = np.ascontiguousarray(feature, dtype=np.int32)
        cdef const double[:, ::1] thresholds = np.ascontiguousarray(threshold, dtype=np.float64)
        cdef const uint8_t[:, ::1] nans = np.ascontiguousarray(nan_right, dtype=np.uint8)
        cdef Py_ssize_t t, k, width = features.shape[1], trees = features.shape[0]
        self.depth = (width + 1).bit_length() - 1
        if (width + 1) != 1 << self.depth or np.shape(leaf) != (trees, width + 1):
            raise ValueError("splits and leaves do not form perfect trees")
        if thresholds.shape[0] != trees or nans.shape[0] != trees:
            raise ValueError("split arrays of different lengths")
        if np.any(np.asarray(features) < 0) or np.any(np.asarray(features) >= n_features):
            raise ValueError("a split names a feature outside the model's columns")
        # padded to whole blocks of LOCKSTEP trees with trees whose every leaf is 0.0 (adding 0.0
        # to a sum changes nothing), so the walk's inner loop has a fixed length
        self.n_trees = trees
        self.n_blocks = (trees + LOCKSTEP - 1) // LOCKSTEP
        self.leaf = np.zeros((self.n_blocks * LOCKSTEP, width + 1), dtype=np.float64)
        np.asarray(self.leaf)[:trees] = leaf
        self.n_features = n_features
        self.sigmoid = sigmoid
        only = sorted({features[t, k] for t in range(trees) for k in range(width)
                       if nans[t, k] and not thresholds[t, k] < INFINITY})
        self.nan_only = np.array(only, dtype=np.int32)
        self.splits = <Split*>calloc(max(self.n_blocks * LOCKSTEP * width, 1), sizeof(Split))
        if self.splits == NULL:
            raise MemoryError()
        for t in range(self.n_blocks * LOCKSTEP):
            for k in range(width):
                if t < trees and nans[t, k] and not thresholds[t, k] < INFINITY:
                    self.splits[t * width + k].threshold = DBL_MAX
                    self.splits[t * width + k].feature = 2 * n_features + only.index(features[t, k])
                elif t < trees:
                    self.splits[t * width + k].threshold = thresholds[t, k]
                    self.splits[t * width + k].feature = features[t, k] + (n_features if nans[t, k] else 0)
                else:
                    self.splits[t * width + k].threshold = INFINITY

    def __reduce__(self):
        return Forest, self.arguments

    def predict(self, matrix) -> np.ndarray:
        """Probabilities of the rows of ``matrix`` (float64, n_rows x n_features), as LightGBM's predict."""
        cdef const double[:, ::1] given = np.ascontiguousarray(matrix, dtype=np.float64)
        if given.shape[1] != self.n_features:
            raise ValueError(f"the model takes {self.n_features} columns, not {given.shape[1]}")
        out = np.zeros(given.shape[0], dtype=np.float64)
        cdef double[::1] result = out
        cdef Py_ssize_t first = 0, r, t, c, n_rows = given.shape[0], chunk, n = self.n_features
        cdef Py_ssize_t extra = self.nan_only.shape[0]
        cdef double value
        # the chunk's rows with every value within LightGBM's zero threshold of 0 read as 0, once per
        # value here, not once per split that reads it; each row twice, NaN as -inf then as +inf, and
        # the NaN-only features' third copy
        cdef double[:, ::1] rows = np.empty((ROW_CHUNK, 2 * n + extra))
        with nogil:
            # ROW_CHUNK rows at a time, each block of trees over all of them: the block's splits stay
            # in the fastest cache while the rows pass; each row still adds its trees in order
            while first < n_rows:
                chunk = min(<Py_ssize_t>ROW_CHUNK, n_rows - first)
                for r in range(chunk):
                    for c in range(n):
                        value = given[first + r, c]
                        if fabs(value) <= ZERO_THRESHOLD:
                            rows[r, c] = rows[r, n + c] = 0.0
                        elif value != value:
                            rows[r, c], rows[r, n + c] = -INFINITY, INFINITY
                        else:
                            rows[r, c] = rows[r, n + c] = value
                    for c in range(extra):
                        value = given[first + r, self.nan_only[c]]
                        if value != value:
                            rows[r, 2 * n + c] = INFINITY
                        else:
                            rows[r, 2 * n + c] = DBL_MAX if value == INFINITY else value
                for t in range(self.n_blocks):
                    for r in range(chunk):
                        self._block(&rows[r, 0], t, &result[first + r])
                first += ROW_CHUNK
            for r in range(n_rows):
                result[r] = 1.0 / (1.0 + exp(-self.sigmoid * result[r]))
        return out

    cdef inline void _block(self, const double* row, Py_ssize_t t, double* total) noexcept nogil:
        """Adds the leaf values of block ``t``'s trees for one (zero-thresholded, widened) row to ``total``, one
        by one in tree order (as LightGBM adds them, so the sum rounds as LightGBM's does). Its ``LOCKSTEP`` trees
        are walked side by side: their walks do not wait on each other, so the processor overlaps them."""
        cdef Py_ssize_t width = (1 << self.depth) - 1, j, level
        cdef Py_ssize_t k[LOCKSTEP]
        cdef const Split* block = self.splits + t * LOCKSTEP * width
        cdef const Split* split
        for j in range(LOCKSTEP):
            k[j] = 0
        for level in range(self.depth):
            for j in range(LOCKSTEP):
                split = block + j * width + k[j]
                k[j] = 2 * k[j] + 1 + (row[split.feature] > split.threshold)
        for j in range(LOCKSTEP):
            total[0] += self.leaf[t * LOCKSTEP + j, k[j] - width]


# ---------------------------------------------------------------- character classes

# The character classes of features.py (C_LOWER ... C_OTHER); the first four are word characters.
cdef enum:
    C_LOWER = 0
    C_UPPER = 1
    C_DIGIT = 3
    C_SPACE = 4
    C_END = 5
    C_COMMA = 6
    C_COLON = 7
    C_PIPE = 8
    C_AT = 9
    C_HASH = 10
    C_SLASH = 11
    C_OPEN = 12
    C_QUOTE = 14
    C_BULLET = 15
    N_CLASSES = 17
    MAX_CP = 0x10000
cdef uint64_t HASH_BASE = 1000003


cdef inline Py_UCS4 _capped(Py_UCS4 ch) noexcept nogil:
    return ch if ch < MAX_CP else MAX_CP


cdef inline bint _is_leading(Py_UCS4 ch) noexcept nogil:
    return ch == u'|' or ch == u' '


cdef inline bint _is_trailing(Py_UCS4 ch) noexcept nogil:
    return (ch == u'|' or ch == u' ' or ch == u'"' or ch == u"'" or ch == u'\u201d' or ch == u'\u2019'
            or ch == u')' or ch == u']' or ch == u'}' or ch == u'\u00bb' or ch == u'*')


# ---------------------------------------------------------------- body fingerprint

cdef inline uint64_t _mix64(uint64_t value) noexcept nogil:
    """splitmix64's finaliser (as ``metadata._mix64``)."""
    value = (value ^ (value >> 30)) * <uint64_t>0xBF58476D1CE4E5B9
    value = (value ^ (value >> 27)) * <uint64_t>0x94D049BB133111EB
    return value ^ (value >> 31)


def simhash(str folded, int shingle, bint fold_ascii=False):
    """``metadata.simhash(" ".join(folded.split()), shingle)`` in one pass over ``folded`` (the body,
    case-folded): (64-bit simhash of the word shingles as 16 hex digits or None, number of words).
    ``fold_ascii``: ``folded`` is ASCII text not yet case-folded; its A-Z are read as a-z (what
    ``str.casefold`` does to ASCII), which saves the caller a copy of the body.

    A word's hash is the sum of (code point + 1) * BASE**i over its characters, mod 2**64, mixed;
    each shingle folds its words' hashes in order; each bit of the fingerprint is the majority of
    that bit over the shingles."""
    cdef Py_ssize_t length = PyUnicode_GET_LENGTH(folded), j, n = 0, count, i, offset, bit
    cdef int kind = PyUnicode_KIND(folded)
    cdef void *data = PyUnicode_DATA(folded)
    if fold_ascii and not folded.isascii():
        raise ValueError("fold_ascii needs ASCII text")
    ids_out = np.empty(length // 2 + 1, dtype=np.uint64)
    cdef uint64_t[::1] ids = ids_out
    cdef uint64_t value = 0, power = 1, combined, fingerprint = 0
    cdef bint in_word = False
    cdef Py_UCS4 ch
    cdef int64_t votes[64]
    for j in range(length):
        ch = PyUnicode_READ(kind, data, j)
        if Py_UNICODE_ISSPACE(ch):
            if in_word:
                ids[n] = _mix64(value)
                n += 1
                in_word = False
            continue
        if fold_ascii and 65 <= ch <= 90:
            ch = <Py_UCS4>(<uint64_t>ch + 32)
        if not in_word:
            in_word = True
            value, power = 0, 1
        value += (<uint64_t>ch + 1) * power
        power *= HASH_BASE
    if in_word:
        ids[n] = _mix64(value)
        n += 1
    if n == 0:
        return None, 0
    count = max(1, n - shingle + 1)
    _bit_votes(&ids[0], n, shingle, count, votes)
    for bit in range(64):
        if votes[bit] * 2 - count > 0:
            fingerprint |= (<uint64_t>1) << bit
    return f"{fingerprint:016x}", n


cdef void _bit_votes(const uint64_t *ids, Py_ssize_t n, int shingle, Py_ssize_t count, int64_t *votes) noexcept:
    """``votes[bit]``: how many of the ``count`` shingle hashes have ``bit`` set. Counted eight bits at a
    time: ``lanes[k]`` holds in its byte ``b`` the count of bit ``8 * b + k``, emptied into ``votes``
    before a byte can overflow (every 255 shingles)."""
    cdef uint64_t lanes[8]
    cdef uint64_t combined
    cdef Py_ssize_t i, offset, pending = 0
    cdef int k, b
    for b in range(64):
        votes[b] = 0
    for k in range(8):
        lanes[k] = 0
    for i in range(count):
        combined = 0
        for offset in range(min(shingle, n)):
            combined = _mix64(combined * HASH_BASE + ids[i + offset])
        for k in range(8):
            lanes[k] += (combined >> k) & <uint64_t>0x0101010101010101
        pending += 1
        if pending == 255 or i == count - 1:
            for k in range(8):
                for b in range(8):
                    votes[8 * b + k] += (lanes[k] >> (8 * b)) & 0xFF
                lanes[k] = 0
            pending = 0


# ---------------------------------------------------------------- second pass: context of first-pass scores

cdef enum:
    FAR = 50              # features.FAR: distances are capped here
    SCORE_REACH = 3       # features.SCORE_OFFSETS: -3 .. 3 without 0


def score_context(const double[::1] scores, const double[::1] weight, const uint8_t[::1] short, double doc_mean,
                  double doc_low_share, double high, const Py_ssize_t[::1] radii, double[:, ::1] out):
    """``features.score_context``'s columns into ``out`` (n x 18), from the first-pass ``scores``, each
    line's ``weight`` (its words, at least 1), whether it is a short line (``run_len > 0``) and the two
    document-wide weighted means (numpy's dot products, passed in so the sums are numpy's own)."""
    cdef Py_ssize_t n = scores.shape[0], i, j, r, lo, hi, column, reach
    cdef double total_s, total_w, low, top, value, nan = NAN
    cdef Py_ssize_t last_high
    if weight.shape[0] != n or short.shape[0] != n or out.shape[0] != n or out.shape[1] != 13 + radii.shape[0] + 2:
        raise ValueError("score context arrays do not fit the scores")
    prefix_w_out = np.zeros(n + 1)
    prefix_s_out = np.zeros(n + 1)
    cdef double[::1] prefix_w = prefix_w_out, prefix_s = prefix_s_out
    for i in range(n):
        prefix_w[i + 1] = prefix_w[i] + weight[i]
        prefix_s[i + 1] = prefix_s[i] + weight[i] * scores[i]
        out[i, 0] = scores[i]
        out[i, 3] = doc_mean
        out[i, 4] = doc_low_share
    _run_stats(scores, short, out)
    last_high = -FAR - 1
    for i in range(n):
        if scores[i] >= high:
            last_high = i
        out[i, 5] = min(i - last_high, <Py_ssize_t>FAR)
    last_high = n + FAR
    for i in range(n - 1, -1, -1):
        if scores[i] >= high:
            last_high = i
        out[i, 6] = min(last_high - i, <Py_ssize_t>FAR)
    for i in range(n):
        column = 7
        for j in range(-SCORE_REACH, SCORE_REACH + 1):
            if j != 0:
                out[i, column] = scores[i + j] if 0 <= i + j < n else nan
                column += 1
        for r in range(radii.shape[0]):
            reach = radii[r]
            lo, hi = max(i - reach, 0), min(i + reach + 1, n)
            total_w = prefix_w[hi] - prefix_w[lo] - weight[i]
            total_s = prefix_s[hi] - prefix_s[lo] - weight[i] * scores[i]
            out[i, column] = total_s / max(total_w, 1e-9) if total_w > 0 else nan
            column += 1
        low, top = nan, nan   # nanmin / nanmax of the scores two lines around (NaN when none)
        for j in range(-2, 3):
            if j != 0 and 0 <= i + j < n and n > 1:
                value = scores[i + j]
                if value == value:
                    low = value if low != low or value < low else low
                    top = value if top != top or value > top else top
        out[i, column] = low
        out[i, column + 1] = top


cdef _run_stats(const double[::1] scores, const uint8_t[::1] short, double[:, ::1] out):
    """Columns 1 and 2: mean and min score of the run of short lines each line sits in (its own score
    otherwise), as ``features._run_stats`` (the run's sum is a difference of prefix sums)."""
    cdef Py_ssize_t n = scores.shape[0], i, start = 0, stop
    cdef double run_min, mean
    prefix_out = np.zeros(n + 1)
    cdef double[::1] prefix = prefix_out
    for i in range(n):
        prefix[i + 1] = prefix[i] + scores[i]
    i = 0
    while i < n:
        if not short[i]:
            out[i, 1] = scores[i]
            out[i, 2] = scores[i]
            i += 1
            continue
        start = i
        run_min = scores[i]
        while i < n and short[i]:
            run_min = min(run_min, scores[i])
            i += 1
        stop = i
        mean = (prefix[stop] - prefix[start]) / (stop - start)
        for i in range(start, stop):
            out[i, 1] = mean
            out[i, 2] = run_min
        i = stop


# ---------------------------------------------------------------- line features: the window columns

def window_block(const double[:, ::1] own, const double[::1] words, const Py_ssize_t[::1] window_cols,
                 const Py_ssize_t[::1] offsets, const Py_ssize_t[::1] radii, const Py_ssize_t[::1] survivor_cols,
                 Py_ssize_t stop_col, Py_ssize_t prose_col, Py_ssize_t strong_col, Py_ssize_t weak_col,
                 const double[::1] document, double[:, ::1] out, Py_ssize_t start):
    """``features._window_block(own, words)`` written into ``out[:, start:]``: the neighbours' window
    columns at each offset (NaN past the ends), the word / prose / stopword / hit masses around each
    line (sums as numpy's: differences of sequential prefix sums; the word mass before its log1p), the nearest lines before and after
    without a strong hit, and the ``document`` columns (``features._document_block``'s, one row)."""
    cdef Py_ssize_t n = own.shape[0], n_window = window_cols.shape[0], n_survivor = survivor_cols.shape[0]
    cdef Py_ssize_t i, j, c, k, o, col = start, lo, hi, reach, nearest
    cdef double nan = NAN, stop, total, around[4]
    if words.shape[0] != n or out.shape[0] != n or (
            start + offsets.shape[0] * n_window + 4 * radii.shape[0] + 2 * n_survivor + document.shape[0]
            != out.shape[1]):
        raise ValueError("the window columns do not fit the matrix")
    prefix_out = np.zeros((n + 1, 4))
    masses_out = np.empty((n, 4))
    cdef double[:, ::1] prefix = prefix_out, masses = masses_out
    for o in range(offsets.shape[0]):
        for i in range(n):
            j = i + offsets[o]
            for c in range(n_window):
                out[i, col + c] = own[j, window_cols[c]] if 0 <= j < n else nan
        col += n_window
    for i in range(n):
        stop = own[i, stop_col]
        if stop != stop:
            stop = 0.0          # np.nan_to_num (the column is finite or NaN)
        masses[i, 0] = words[i]
        masses[i, 1] = words[i] * own[i, prose_col]
        masses[i, 2] = stop * words[i]
        masses[i, 3] = max(own[i, strong_col], own[i, weak_col])
        for k in range(4):
            prefix[i + 1, k] = prefix[i, k] + masses[i, k]
    for o in range(radii.shape[0]):
        reach = radii[o]
        for i in range(n):
            lo, hi = max(i - reach, 0), min(i + reach + 1, n)
            for k in range(4):
                around[k] = prefix[hi, k] - prefix[lo, k] - masses[i, k]
            total = max(around[0], 1.0)
            out[i, col] = around[0]   # the caller takes numpy's log1p of it (numpy's, to the last bit)
            out[i, col + 1] = around[1] / total
            out[i, col + 2] = around[2] / total
            out[i, col + 3] = around[3]
        col += 4
    nearest = -1                # the survivor before each line
    for i in range(n):
        for c in range(n_survivor):
            out[i, col + c] = own[nearest, survivor_cols[c]] if nearest >= 0 else nan
        if own[i, strong_col] == 0:
            nearest = i
    col += n_survivor
    nearest = -1                # the survivor after each line
    for i in range(n - 1, -1, -1):
        for c in range(n_survivor):
            out[i, col + c] = own[nearest, survivor_cols[c]] if nearest >= 0 else nan
        if own[i, strong_col] == 0:
            nearest = i
    col += n_survivor
    for i in range(n):
        for c in range(document.shape[0]):
            out[i, col + c] = document[c]


# ---------------------------------------------------------------- line features: position columns

def position_features(double[:, ::1] own, const double[::1] words, cols, double prose_words, double short_words):
    """``features._position_features(own, words)`` into ``own``'s columns (``cols``: column name ->
    index), except that ``d_main_words`` is left before its log1p (the caller takes numpy's). Word
    counts are whole numbers, so every sum here is exact in any order."""
    cdef Py_ssize_t n = own.shape[0], i, first_prose = -1, last_prose = -1, start = 0, end = -1, run_start
    cdef Py_ssize_t c_pos = cols["pos"], c_token = cols["token_pos"], c_max = cols["rel_words_max"]
    cdef Py_ssize_t c_top = cols["rel_words_top"], c_prose = cols["prose"], c_prev = cols["d_prev_prose"]
    cdef Py_ssize_t c_next = cols["d_next_prose"], c_span = cols["in_span"], c_in_main = cols["in_main"]
    cdef Py_ssize_t c_d_main = cols["d_main"], c_gap = cols["d_main_words"], c_near = cols["rel_words_near"]
    cdef Py_ssize_t c_cell = cols["words_per_cell"], c_pipes = cols["pipes"], c_run_len = cols["run_len"]
    cdef Py_ssize_t c_run_pos = cols["run_pos"], c_end = cols["end_sentence"], nearest, j
    if words.shape[0] != n or n == 0 or max(cols.values()) >= own.shape[1]:
        raise ValueError("words and columns must fit the rows of own")
    cdef double most = 0.0, top = 0.0, best = 0.0, running = 0.0, gain, before, after, gap, near
    cdef double total_mass
    mass_out = np.empty(n)
    short_out = np.empty(n, dtype=np.uint8)
    prose_out = np.empty(n, dtype=np.uint8)
    cdef double[::1] mass = mass_out
    cdef uint8_t[::1] short = short_out, prose = prose_out
    cdef Py_ssize_t run_from = 0
    for i in range(n):
        mass[i] = (mass[i - 1] if i else 0.0) + words[i]
        most = max(most, words[i])
        prose[i] = words[i] >= prose_words and own[i, c_end] > 0
        short[i] = (words[i] < short_words or not own[i, c_end] > 0) and not prose[i]
        if prose[i]:
            if first_prose < 0:
                first_prose = i
            last_prose = i
        gain = words[i] if prose[i] else -0.5 * (words[i] + 1)   # the main block: Kadane, as _main_block
        if running <= 0:
            running, run_from = gain, i
        else:
            running += gain
        if running > best:
            best, start, end = running, run_from, i
    total_mass = mass[n - 1]
    top = _top_mean(words) if n > 5 else total_mass / n
    before = mass[max(start - 1, 0)] if start > 0 else 0.0
    after = mass[end] if end >= 0 else 0.0
    for i in range(n):
        own[i, c_pos] = i / <double>max(n - 1, 1)
        own[i, c_token] = (mass[i] - words[i] / 2) / max(total_mass, 1.0)
        own[i, c_max] = words[i] / max(most, 1.0)
        own[i, c_top] = words[i] / max(top, 1.0)
        own[i, c_prose] = prose[i]
        own[i, c_span] = first_prose >= 0 and first_prose <= i <= last_prose
        own[i, c_in_main] = start <= i <= end
        own[i, c_d_main] = min(max(max(start - i, i - end), 0), <Py_ssize_t>FAR)
        gap = before - mass[i] if i < start else (mass[i] - words[i] - after if i > end else 0.0)
        own[i, c_gap] = max(gap, 0.0)
        near = 0.0
        for j in range(max(i - 3, 0), min(i + 4, n)):
            near += words[j]
        near -= words[i]
        own[i, c_near] = words[i] / max(near / 6, 1.0)
        own[i, c_cell] = words[i] / (own[i, c_pipes] + 1)
    nearest = -FAR - 1
    for i in range(n):
        if prose[i]:
            nearest = i
        own[i, c_prev] = min(i - nearest, <Py_ssize_t>FAR)
    nearest = n + FAR
    for i in range(n - 1, -1, -1):
        if prose[i]:
            nearest = i
        own[i, c_next] = min(nearest - i, <Py_ssize_t>FAR)
    i = 0
    while i < n:   # runs of short lines: their length, and each line's place in its run
        if not short[i]:
            own[i, c_run_len] = 0.0
            own[i, c_run_pos] = 0.0
            i += 1
            continue
        run_start = i
        while i < n and short[i]:
            i += 1
        for j in range(run_start, i):
            own[j, c_run_len] = i - run_start
            own[j, c_run_pos] = (j - run_start + 0.5) / max(i - run_start, 1)


cdef double _top_mean(const double[::1] words):
    """Mean of the five largest word counts (whole numbers: the sum is exact)."""
    cdef double best[5]
    cdef Py_ssize_t i, k
    cdef double value
    for k in range(5):
        best[k] = -INFINITY
    for i in range(words.shape[0]):
        value = words[i]
        if value > best[4]:
            k = 4
            while k > 0 and best[k - 1] < value:
                best[k] = best[k - 1]
                k -= 1
            best[k] = value
    return (best[0] + best[1] + best[2] + best[3] + best[4]) / 5


# ---------------------------------------------------------------- line features: a line's own text columns

# The columns ``text_features`` writes, in the order of its ``cols`` argument (features.TEXT_COLUMNS).
cdef enum:
    T_LOG_CHARS, T_LOG_WORDS, T_WORD_LEN, T_END_SENTENCE, T_END_COLON, T_END_COMMA, T_END_ALNUM, T_END_OTHER,
    T_STARTS_BULLET, T_STARTS_UPPER, T_STARTS_DIGIT, T_STARTS_OPEN, T_UPPER_SHARE, T_TITLE_SHARE,
    T_DIGIT_SHARE, T_PUNCT_SHARE, T_SENTENCE_MARKS, T_COMMAS, T_PIPES, T_AT_SIGNS, T_HASHES, T_SLASHES,
    T_URL_SHAPES, T_STOP_SHARE, T_STOP_COUNT, T_DUP_COUNT, N_TEXT_COLUMNS

cdef str URL_SCHEME = "://"   # features.line_features_reference counts both as URL shapes
cdef str URL_WWW = "www."


cdef inline Py_UCS4 _sample_char(unsigned int kind, void* data, Py_ssize_t length, bint long_line,
                                 Py_ssize_t head, Py_ssize_t tail, Py_ssize_t j) noexcept:
    """Character ``j`` of ``features._sample(text)``: the text, or for a long line its first ``head``
    characters, a space and its last ``tail``."""
    if not long_line or j < head:
        return PyUnicode_READ(kind, data, j)
    if j == head:
        return u' '
    return PyUnicode_READ(kind, data, length - tail + (j - head - 1))


cdef int _compare_doubles(const void* a, const void* b) noexcept nogil:
    cdef double x = (<const double*>a)[0], y = (<const double*>b)[0]
    return (x > y) - (x < y)


cdef double _median(double* values, Py_ssize_t m) noexcept nogil:
    """``np.median`` of ``m >= 1`` values (sorted in place): NaN if any is NaN, the middle value, or
    the mean of the middle two computed as numpy does ((a + b) / 2)."""
    cdef Py_ssize_t i
    for i in range(m):
        if values[i] != values[i]:
            return NAN
    qsort(values, m, sizeof(double), _compare_doubles)
    if m % 2:
        return values[m // 2]
    return (values[m // 2 - 1] + values[m // 2]) / 2


def text_features(list texts, const double[::1] segment_words, const uint8_t[::1] classes,
                  const uint64_t[::1] lower, const uint64_t[::1] stops, double[:, ::1] own,
                  const Py_ssize_t[::1] cols, Py_ssize_t sample_head, Py_ssize_t sample_tail,
                  double reference_words):
    """A line's own text columns of ``features.line_features_reference`` into ``own`` (columns ``cols``,
    in ``features.TEXT_COLUMNS`` order) for the non-blank line ``texts``, from the character statistics
    of each line's sample (``features._sample``: as ``features._char_stats`` computes them) and, for a long line,
    its ``segment_words``. The three log columns (chars, words, stopwords) are left before their log1p
    (the caller takes numpy's). Returns (words per line, then every word's hash, line and stoplist flag,
    in text order: what ``cohesion_features`` reads)."""
    cdef Py_ssize_t n = len(texts), i, j, length, sampled, head, tail, found = 0, capacity = 0, first_word
    cdef Py_ssize_t w, m, n_stops = stops.shape[0], c, copies
    cdef str text
    if segment_words.shape[0] != n or own.shape[0] != n or cols.shape[0] != N_TEXT_COLUMNS:
        raise ValueError("texts, words and rows do not fit")
    for c in range(N_TEXT_COLUMNS):
        if not 0 <= cols[c] < own.shape[1]:
            raise ValueError("a column outside the matrix")
    if sample_head < 0 or sample_tail < 1:
        raise ValueError("a sample needs a head and a tail")
    for text in texts:
        capacity += min(len(text), sample_head + sample_tail + 1)   # at most one word per sampled character
    words_out = np.empty(n)
    hash_out = np.empty(capacity + 1, dtype=np.uint64)
    line_out = np.empty(capacity + 1, dtype=np.int64)
    stop_out = np.zeros(capacity + 1, dtype=bool)
    style_out = np.empty((4, n))
    scratch_out = np.empty(n)
    cdef double[::1] words = words_out, scratch = scratch_out
    cdef double[:, ::1] style = style_out
    cdef uint64_t[::1] hashes = hash_out
    cdef int64_t[::1] word_line = line_out
    cdef uint8_t[::1] is_stop = stop_out.view(np.uint8)
    cdef int64_t counts[N_CLASSES]
    cdef unsigned int kind
    cdef void* data
    cdef bint long_line, in_word
    cdef Py_UCS4 ch
    cdef uint8_t cls, first, second, last
    cdef uint64_t value = 0, power = 1
    cdef double char_words, upper_words, stop_words, sample_words, per_char
    cdef double reference[4]
    cdef dict seen = {}
    for text in texts:
        seen[text] = seen.get(text, 0) + 1
    # the stoplist as an open-addressing set of its hashes (a probe or two per word, where a binary
    # search of the sorted hashes took about nine unpredictable steps)
    cdef Py_ssize_t stop_size = 16, stop_mask, slot
    while stop_size < 4 * n_stops:
        stop_size *= 2
    stop_mask = stop_size - 1
    stop_keys_out = np.zeros(stop_size, dtype=np.uint64)
    stop_used_out = np.zeros(stop_size, dtype=np.uint8)
    cdef uint64_t[::1] stop_keys = stop_keys_out
    cdef uint8_t[::1] stop_used = stop_used_out
    for w in range(n_stops):
        slot = _mix64(stops[w]) & stop_mask
        while stop_used[slot] and stop_keys[slot] != stops[w]:
            slot = (slot + 1) & stop_mask
        stop_used[slot], stop_keys[slot] = 1, stops[w]
    for i in range(n):
        text = texts[i]
        length = len(text)
        if length == 0:
            raise ValueError("blank lines have no row")
        kind, data = PyUnicode_KIND(text), PyUnicode_DATA(text)
        long_line = length > sample_head + sample_tail
        sampled = sample_head + sample_tail + 1 if long_line else length
        for c in range(N_CLASSES):
            counts[c] = 0
        char_words, upper_words, in_word, first_word = 0.0, 0.0, False, found
        for j in range(sampled):
            ch = _capped(_sample_char(kind, data, length, long_line, sample_head, sample_tail, j))
            cls = classes[ch]
            counts[cls] += 1
            if cls <= C_DIGIT:
                if not in_word:
                    in_word = True
                    value, power = 0, 1
                    char_words += 1
                    if cls == C_UPPER:
                        upper_words += 1
                value += lower[ch] * power
                power *= HASH_BASE
            elif in_word:
                in_word = False
                hashes[found] = value
                word_line[found] = i
                found += 1
        if in_word:
            hashes[found] = value
            word_line[found] = i
            found += 1
        if n_stops == 0:
            stop_words = NAN
        else:
            stop_words = 0.0
            for w in range(first_word, found):
                value = hashes[w]
                slot = _mix64(value) & stop_mask
                while stop_used[slot] and stop_keys[slot] != value:
                    slot = (slot + 1) & stop_mask
                if stop_used[slot]:
                    is_stop[w] = 1
                    stop_words += 1
        head = 0   # edge classes: table pipes and spaces skipped at the head, closing marks at the tail
        while head < sampled and _is_leading(_sample_char(kind, data, length, long_line, sample_head, sample_tail, head)):
            head += 1
        if head == sampled:
            first, second = classes[32], classes[32]
        else:
            first = classes[_capped(_sample_char(kind, data, length, long_line, sample_head, sample_tail, head))]
            second = classes[_capped(_sample_char(kind, data, length, long_line, sample_head, sample_tail, head + 1))
                             if head + 1 < sampled else 32]
        tail = sampled
        while tail > 0 and _is_trailing(_sample_char(kind, data, length, long_line, sample_head, sample_tail, tail - 1)):
            tail -= 1
        last = classes[_capped(_sample_char(kind, data, length, long_line, sample_head, sample_tail,
                                            tail - 1 if tail > 0 else sampled - 1))]
        words[i] = max(segment_words[i], char_words) if sampled < length else char_words
        sample_words = max(char_words, 1.0)
        per_char = 1.0 / max(<double>sampled, 1.0)
        style[0, i] = <double>(counts[C_LOWER] + counts[C_UPPER] + counts[2] + counts[C_DIGIT]) / sample_words
        style[1, i] = <double>counts[C_UPPER] / <double>max(counts[C_UPPER] + counts[C_LOWER], 1)
        style[2, i] = upper_words / sample_words
        style[3, i] = stop_words / sample_words
        own[i, cols[T_LOG_CHARS]] = length
        own[i, cols[T_LOG_WORDS]] = words[i]
        own[i, cols[T_END_SENTENCE]] = last == C_END
        own[i, cols[T_END_COLON]] = last == C_COLON
        own[i, cols[T_END_COMMA]] = last == C_COMMA
        own[i, cols[T_END_ALNUM]] = last <= C_DIGIT
        own[i, cols[T_END_OTHER]] = last > C_COLON
        own[i, cols[T_STARTS_BULLET]] = first == C_BULLET and second == C_SPACE
        own[i, cols[T_STARTS_UPPER]] = first == C_UPPER
        own[i, cols[T_STARTS_DIGIT]] = first == C_DIGIT
        own[i, cols[T_STARTS_OPEN]] = first == C_OPEN or first == C_QUOTE
        own[i, cols[T_DIGIT_SHARE]] = counts[C_DIGIT] * per_char
        own[i, cols[T_PUNCT_SHARE]] = (counts[C_END] + counts[C_COMMA] + counts[C_COLON]) * per_char
        own[i, cols[T_SENTENCE_MARKS]] = counts[C_END]
        own[i, cols[T_COMMAS]] = counts[C_COMMA]
        own[i, cols[T_PIPES]] = counts[C_PIPE]
        own[i, cols[T_AT_SIGNS]] = counts[C_AT]
        own[i, cols[T_HASHES]] = counts[C_HASH]
        own[i, cols[T_SLASHES]] = counts[C_SLASH]
        own[i, cols[T_URL_SHAPES]] = (PyUnicode_Count(text, URL_SCHEME, 0, length)
                                      + PyUnicode_Count(text, URL_WWW, 0, length))
        own[i, cols[T_STOP_COUNT]] = stop_words
        copies = seen[text]
        own[i, cols[T_DUP_COUNT]] = <double>copies - 1
    for c in range(4):   # the document's reference style: medians over its long lines (all lines if none)
        m = 0
        for i in range(n):
            if words[i] >= reference_words:
                scratch[m] = style[c, i]
                m += 1
        if m == 0:
            for i in range(n):
                scratch[i] = style[c, i]
            m = n
        reference[c] = _median(&scratch[0], m)
    for i in range(n):
        own[i, cols[T_WORD_LEN]] = style[0, i] / (1.0 if 1.0 > reference[0] else reference[0])
        own[i, cols[T_UPPER_SHARE]] = style[1, i] - reference[1]
        own[i, cols[T_TITLE_SHARE]] = style[2, i] - reference[2]
        own[i, cols[T_STOP_SHARE]] = style[3, i] / reference[3] if reference[3] > 0 else NAN
    return words_out, hash_out[:found], line_out[:found], stop_out[:found]


# ---------------------------------------------------------------- line features: cohesion columns

def cohesion_features(double[:, ::1] own, const uint64_t[::1] word_hash, const int64_t[::1] word_line,
                    const uint8_t[::1] word_stop, Py_ssize_t c_content, Py_ssize_t c_doc, Py_ssize_t c_main,
                    Py_ssize_t c_in_main):
    """``features._cohesion_features`` into ``own``: per line its content words (before the caller's
    log1p), and the share of them that occur in another line / in another line of the main block.
    The words (``text_features``' hashes, lines, stoplist flags) come in text order, so lines never
    decrease: an open-addressing table of the hashes counts each word's distinct lines as they are
    met (the reference sorts instead). Every sum is a count, so the values are the reference's."""
    cdef Py_ssize_t n = own.shape[0], n_words = word_hash.shape[0], w, size = 16, mask, slot, line
    if not word_line.shape[0] == word_stop.shape[0] == n_words:
        raise ValueError("word arrays of different lengths")
    for w in range(n_words):
        if not 0 <= word_line[w] < n or (w and word_line[w] < word_line[w - 1]):
            raise ValueError("word lines outside the document or out of order")
    while size < 2 * n_words:
        size *= 2
    mask = size - 1
    keys_out = np.empty(size, dtype=np.uint64)
    used_out = np.zeros(size, dtype=np.uint8)
    last_out = np.empty(size, dtype=np.int64)
    lines_out = np.empty((2, size))
    slot_out = np.empty(max(n_words, 1), dtype=np.intp)
    content_out = np.zeros(n)
    doc_out = np.zeros(n)
    main_out = np.zeros(n)
    cdef uint64_t[::1] keys = keys_out
    cdef uint8_t[::1] used = used_out
    cdef int64_t[::1] last_line = last_out
    cdef double[:, ::1] lines_with = lines_out
    cdef Py_ssize_t[::1] word_slot = slot_out
    cdef double[::1] content = content_out, shared_doc = doc_out, shared_main = main_out
    cdef uint64_t key
    for w in range(n_words):
        key = word_hash[w]
        slot = _mix64(key) & mask
        while used[slot] and keys[slot] != key:
            slot = (slot + 1) & mask
        line = word_line[w]
        if not used[slot]:
            used[slot], keys[slot], last_line[slot] = 1, key, -1
            lines_with[0, slot], lines_with[1, slot] = 0.0, 0.0
        if last_line[slot] != line:
            lines_with[0, slot] += 1
            lines_with[1, slot] += own[line, c_in_main] > 0
            last_line[slot] = line
        word_slot[w] = slot
    for w in range(n_words):
        if word_stop[w]:
            continue
        line, slot = word_line[w], word_slot[w]
        content[line] += 1
        shared_doc[line] += lines_with[0, slot] > 1
        shared_main[line] += lines_with[1, slot] - (own[line, c_in_main] > 0) > 0
    for line in range(n):
        own[line, c_content] = content[line]
        own[line, c_doc] = shared_doc[line] * (1.0 / max(content[line], 1.0))
        own[line, c_main] = shared_main[line] * (1.0 / max(content[line], 1.0))


# ---------------------------------------------------------------- line features: rule hits, document columns

def hit_features(double[:, ::1] own, list rows, hits, dict hit_column, Py_ssize_t strong_col, Py_ssize_t weak_col):
    """``features._hit_features``: per line the level of its hits per category column (2 strong, 1 weak)
    and whether it has a strong / a weak hit (``hit_column``: category -> column)."""
    cdef Py_ssize_t n = own.shape[0], r, column
    cdef double level
    cdef bint strong
    if len(rows) != n:
        raise ValueError("one row per line")
    for column in hit_column.values():
        if not 0 <= column < own.shape[1]:
            raise ValueError("a column outside the matrix")
        for r in range(n):
            own[r, column] = 0.0
    for r in range(n):
        own[r, strong_col] = 0.0
        own[r, weak_col] = 0.0
    for r in range(n):
        line_hits = hits[rows[r]]
        if not line_hits:
            continue
        for hit in line_hits:
            found = hit_column.get(hit.category)
            if found is None:
                continue
            column = found
            strong = hit.strong
            level = 2.0 if strong else 1.0
            if own[r, column] < level:
                own[r, column] = level
            own[r, strong_col if strong else weak_col] = 1.0


def document_values(const double[:, ::1] own, const double[::1] words, Py_ssize_t c_in_main, Py_ssize_t c_prose,
                    Py_ssize_t c_strong, Py_ssize_t c_weak, double short_words, double log_lines):
    """``features._document_block``'s one row (``log_lines``: numpy's log1p of the line count). Word
    counts and flags are whole numbers, so every sum is exact in any order."""
    cdef Py_ssize_t n = own.shape[0], i, short = 0, hit = 0
    cdef double total = 0.0, in_main = 0.0, prose = 0.0
    if words.shape[0] != n or n == 0:
        raise ValueError("one word count per line, and at least one line")
    for i in range(n):
        short += words[i] < short_words
        total += words[i]
        in_main += words[i] * own[i, c_in_main]
        hit += own[i, c_strong] + own[i, c_weak] > 0
        prose += own[i, c_prose]
    out = np.empty(5)
    out[0] = <double>short / n
    out[1] = in_main / max(total, 1.0)
    out[2] = log_lines
    out[3] = <double>hit / n
    out[4] = prose / n
    return out


# ---------------------------------------------------------------- text repair: what a text needs

# Bits of ``repair_needs``' answer.
REPAIR_CONTROL = 1      # a character normalise.CONTROL_RE removes
REPAIR_MOJIBAKE = 2     # a match of normalise.MOJIBAKE_HINT_RE
REPAIR_SURROGATE = 4    # a surrogate code point (the text does not encode as UTF-8)


cdef inline bint _is_control(Py_UCS4 ch) noexcept nogil:
    """``normalise.CONTROL_RE``'s class: [\\x00-\\x08\\x0e-\\x1b\\x1f\\x7f\\x80-\\x84\\x86-\\x9f\\ufeff\\u200b]."""
    if ch < 0x20:
        return ch <= 0x08 or 0x0e <= ch <= 0x1b or ch == 0x1f
    if ch < 0x7f:
        return False
    if ch <= 0x9f:
        return ch != 0x85
    return ch == 0xfeff or ch == 0x200b


cdef inline bint _is_mojibake_lead(Py_UCS4 ch) noexcept nogil:
    """The first class of ``normalise.MOJIBAKE_HINT_RE``: [ÃÂâÅÐÑ]."""
    return ch == 0xc3 or ch == 0xc2 or ch == 0xe2 or ch == 0xc5 or ch == 0xd0 or ch == 0xd1


cdef inline bint _is_mojibake_follow(Py_UCS4 ch) noexcept nogil:
    """The second class of ``normalise.MOJIBAKE_HINT_RE``."""
    return ((0x80 <= ch <= 0xbf) or ch == 0x152 or ch == 0x153 or ch == 0x160 or ch == 0x161 or ch == 0x178
            or ch == 0x17d or ch == 0x17e or ch == 0x192 or ch == 0x2c6 or ch == 0x2dc or (0x2013 <= ch <= 0x203a)
            or ch == 0x20ac or ch == 0x2122)


def repair_needs(str text) -> int:
    """Which repairs ``normalise.normalise_text`` would find work for in ``text``, in one pass over it
    (the three regex searches and the UTF-8 encoding it replaces each read the whole text): an
    or of ``REPAIR_CONTROL``, ``REPAIR_MOJIBAKE`` and ``REPAIR_SURROGATE``."""
    cdef Py_ssize_t length = len(text), j
    cdef unsigned int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_UCS4 ch, previous = 0
    cdef int found = 0
    for j in range(length):
        ch = PyUnicode_READ(kind, data, j)
        if ch < 0x7f and ch >= 0x20:   # printable ASCII: the common case, nothing to note
            previous = ch
            continue
        if _is_control(ch):
            found |= REPAIR_CONTROL
        if 0xd800 <= ch <= 0xdfff:
            found |= REPAIR_SURROGATE
        if _is_mojibake_follow(ch) and _is_mojibake_lead(previous):
            found |= REPAIR_MOJIBAKE
        previous = ch
    return found


# ---------------------------------------------------------------- segment: lines from raw lines


cdef Py_ssize_t _space_parts(str raw, bint* normal) noexcept:
    """How many whitespace-separated parts ``raw.split()`` gives, and (``normal``) whether
    ``" ".join(raw.split())`` is ``raw`` itself: no whitespace at the ends and single spaces between."""
    cdef Py_ssize_t length = len(raw), j, parts = 0
    cdef unsigned int kind = PyUnicode_KIND(raw)
    cdef void* data = PyUnicode_DATA(raw)
    cdef bint in_part = False, after_space = False
    cdef Py_UCS4 ch
    normal[0] = True
    for j in range(length):
        ch = PyUnicode_READ(kind, data, j)
        if Py_UNICODE_ISSPACE(ch):
            if ch != u' ' or j == 0 or after_space:
                normal[0] = False
            in_part, after_space = False, True
        else:
            if not in_part:
                parts += 1
                in_part = True
            after_space = False
    if after_space:
        normal[0] = False
    return parts


cdef inline bint _is_word(Py_UCS4 ch) noexcept:
    """Whether ``\\w`` (the re module's, for str patterns) matches ``ch``: alphanumeric or ``_``."""
    if ch < 128:   # Py_UNICODE_ISALNUM's answer for ASCII, without its table look-ups
        return (u'a' <= ch <= u'z') or (u'0' <= ch <= u'9') or (u'A' <= ch <= u'Z') or ch == u'_'
    return Py_UNICODE_ISALNUM(ch)


def first_words(str text, Py_ssize_t limit):
    """``re.findall(r"\\w+", text)[:limit]``, reading ``text`` only as far as the ``limit`` words."""
    cdef Py_ssize_t length = len(text), j = 0, start
    cdef unsigned int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef list out = []
    while j < length and len(out) < limit:
        while j < length and not _is_word(PyUnicode_READ(kind, data, j)):
            j += 1
        if j == length:
            break
        start = j
        while j < length and _is_word(PyUnicode_READ(kind, data, j)):
            j += 1
        out.append(text[start:j])
    return out


cdef Py_ssize_t _word_runs(str folded, bint* normal) noexcept:
    """How many runs of word characters (``\\w``: alphanumeric or ``_``) ``folded`` holds, and
    (``normal``) whether it is nothing but such runs joined by single spaces (then it is its own key)."""
    cdef Py_ssize_t length = len(folded), j, runs = 0
    cdef unsigned int kind = PyUnicode_KIND(folded)
    cdef void* data = PyUnicode_DATA(folded)
    cdef bint in_run = False, word, after_space = False
    cdef Py_UCS4 ch
    normal[0] = True
    for j in range(length):
        ch = PyUnicode_READ(kind, data, j)
        word = _is_word(ch)
        if word:
            if not in_run:
                runs += 1
                in_run = True
            after_space = False
        else:
            if ch != u' ' or not in_run:   # a non-word character other than one space between two runs
                normal[0] = False
            in_run = False
            after_space = ch == u' '
    if after_space:
        normal[0] = False
    return runs


def make_lines(list raws, Py_ssize_t first, Py_ssize_t short_key_words, line_type, non_word):
    """``[segment.make_line(first + i, raw) for i, raw in enumerate(raws)]`` (``line_type``: ``segment.Line``;
    ``non_word``: ``segment._NON_WORD_RE``): the space normalisation and, for short lines, the key and
    word count, found by one pass over the characters; the string methods and the pattern are called
    only for a line whose text or key is not its input already."""
    cdef Py_ssize_t i, parts, words
    cdef bint normal
    cdef str raw, text, key, folded
    out = []
    for i in range(len(raws)):
        raw = raws[i]
        parts = _space_parts(raw, &normal)
        if parts == 0:
            out.append(line_type(first + i, raw, "", 0, None, ""))
            continue
        text = raw if normal else " ".join(raw.split())
        if parts > short_key_words:
            out.append(line_type(first + i, raw, text, parts, None))
            continue
        folded = text.casefold()
        words = _word_runs(folded, &normal)
        if normal:
            key = folded
        else:
            key = non_word.sub(" ", folded).strip()
            words = key.count(" ") + 1 if key else 0
        out.append(line_type(first + i, raw, text, words, None, key))
    return out


# ---------------------------------------------------------------- model: run smoothing

def smooth_runs(const double[::1] probs, double stay, double low, double high):
    """``model.smooth_runs_reference(probs, stay)`` (the forward-backward pass of a two-state chain) with
    the probabilities clipped to [``low``, ``high``]: the same float operations in the same order."""
    cdef Py_ssize_t n = probs.shape[0], i
    cdef double move = 1.0 - stay, belief, prior, content, ahead, on, off, to_content, to_residue, value
    out_array = np.empty(n)
    clipped_array = np.empty(n)
    cdef double[::1] out = out_array, p = clipped_array
    if n == 0:
        return out_array
    for i in range(n):
        value = probs[i]
        value = low if value < low else value
        p[i] = high if value > high else value
    belief = p[0]
    out[0] = belief
    for i in range(1, n):
        prior = stay * belief + move * (1.0 - belief)
        content = prior * p[i]
        belief = content / (content + (1.0 - prior) * (1.0 - p[i]))
        out[i] = belief
    ahead = 0.5
    for i in range(n - 2, -1, -1):   # out[i] still holds the forward belief until it is overwritten
        on, off = p[i + 1] * ahead, (1.0 - p[i + 1]) * (1.0 - ahead)
        to_content, to_residue = stay * on + move * off, move * on + stay * off
        ahead = to_content / (to_content + to_residue)
        content = out[i] * ahead
        out[i] = content / (content + (1.0 - out[i]) * (1.0 - ahead))
    return out_array
