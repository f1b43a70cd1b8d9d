"""Oblivious sort: shuffle, then quicksort with comparison results opened.

After a secret shuffle the rows are in an order nobody knows, so the outcome of
comparing two of them may be revealed: it only tells the relative order of two rows of
a random permutation (ORQ, SOSP'25; Hamada et al. 2012). Keys are made unique by
appending the row's original index as the least significant key, so the revealed
outcomes are those of sorting distinct values in random order -- a function of a
uniformly random permutation, whatever the input -- and the sort is stable.

The quicksort is vectorised: at every level each unfinished segment picks its pivot as
the median of a few fresh rows (1, 3, 7 or 15 by segment size; all pairs compared in
one batch), then every other row of every segment is compared with its pivot in one
batch, followed by a local stable partition. About 1.03 n log2 n comparisons in
~2 log2 n batches for n = 10^6 (plain first-row pivots: 1.39 n log2 n).

A comparison is a boolean circuit on packed words: the keys are converted to XOR shares
once (A2B), then ``x < y`` is the prefix tree over the bits,
``(lt, eq) = (lt_hi ^ eq_hi & lt_lo, eq_hi & eq_lo)``. Both ANDs of a pair share one
word, and every level folds the half-empty words pairwise, so each AND round is dense
and the words shrink by half: about 3 words ANDed per key word in 8 rounds, the words
of a multi-word key (several sort keys, the row index) merging in further levels.
Only the ``lt`` bits are opened, never the ``eq`` bits.

Keys are signed int64 (two's complement) unless declared narrower: a key given as
``(share, descending, bits)`` holds values in ``[0, 2**bits)``, and runs of narrow keys
are packed into one word with the row index.

>>> import numpy as np
>>> from scql_py.mpc.inprocess import run_parties
>>> def prog(rt, _):
...     k = rss.share_input(rt, 0, np.array([3, -1, 3, 0]) if rt.party == 0 else None, 4)
...     p = rss.share_input(rt, 1, np.array([10, 11, 12, 13]) if rt.party == 1 else None, 4)
...     (key,), (payload,) = sort(rt, [(k, True)], [p])
...     return rss.reveal(rt, key).view(np.int64).tolist(), rss.reveal(rt, payload).tolist()
>>> run_parties(prog)[0]
([3, 3, 0, -1], [10, 12, 13, 11])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scql_py.mpc import convert, openings, rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import N_PARTIES, Runtime
from scql_py.mpc.shuffle import shuffle

U64 = np.uint64
WORD_BITS = 64
SIGN_BIT = np.uint64(1 << 63)
ALL_ONES = np.uint64((1 << 64) - 1)

Column = AShare | BShare
SortKey = tuple[AShare | BShare, bool] | tuple[AShare | BShare, bool, int]


def _bit_pattern(period: int, offsets: range | tuple[int, ...]) -> np.uint64:
    """The word with a 1 at every bit position ``p`` with ``p % period in offsets``."""
    word = 0
    for p in range(WORD_BITS):
        if p % period in offsets:
            word |= 1 << p
    return np.uint64(word)


_EVEN = _bit_pattern(2, (0,))
# the merge of h-bit groups (see _merge_level): _LT_LO[h] marks the lt bits of the
# cells in the lower half of every 2h-bit block, _LO_HALF[h] that whole lower half
_LT_LO = {h: _bit_pattern(2 * h, range(0, h, 2)) for h in (2, 4, 8, 16, 32)}
_LO_HALF = {h: _bit_pattern(2 * h, range(h)) for h in (2, 4, 8, 16, 32)}
_FOLD_PAD = 32  # rows are padded to a multiple of this (5 in-word folds)
MAX_KEY_WORDS = 32  # a row's words must fit the 32 cells of one final word
_CHUNK = 1 << 16  # words per slice of local work: keeps the temporaries in cache


def _chunks(n: int):
    for lo in range(0, n, _CHUNK):
        yield lo, min(lo + _CHUNK, n)


class _Level:
    """The state after one AND round: shares ``(base_a ^ z, base_b ^ r)``."""

    __slots__ = ("base_a", "base_b", "z", "r")

    def __init__(self, base_a: np.ndarray, base_b: np.ndarray, z: np.ndarray, r: np.ndarray):
        self.base_a, self.base_b, self.z, self.r = base_a, base_b, z, r

    def state(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        return self.base_a[lo:hi] ^ self.z[lo:hi], self.base_b[lo:hi] ^ self.r[lo:hi]


def _first_levels(rt: Runtime, units: list[np.ndarray]) -> _Level:
    """Levels 0 and 1: per bit ``lt = ~x & y = y ^ (x & y)``, ``eq = ~(x ^ y)``; then per
    pair of bits the cell (lt, eq) at bits (0, 1), both ANDs of a pair in one word.

    ``units`` is ``[xa, xb, ya, yb]``, emptied here: the second round's operands are
    written over them (and the first round's ANDs freed before it), which keeps a sort's
    peak memory lower. (The ANDs are read-only: in-process, a peer holds the same words.)"""
    xa, xb, ya, yb = units
    units.clear()
    n = len(xa)
    z0, r0 = rss.and_arrays(rt, xa, xb, ya, yb)
    # NOT of a shared value flips share x0 only: party 0's first, party 2's second word
    flip_a = ALL_ONES if rt.party == 0 else U64(0)
    flip_b = ALL_ONES if rt.party == N_PARTIES - 1 else U64(0)
    one = U64(1)
    base_a, base_b = np.empty(n, U64), np.empty(n, U64)
    for lo, hi in _chunks(n):
        for x, y, z, flip, base in ((xa, ya, z0, flip_a, base_a), (xb, yb, r0, flip_b, base_b)):
            lt = y[lo:hi] ^ z[lo:hi]
            eq = x[lo:hi] ^ y[lo:hi]
            eq ^= flip
            eq_hi = (eq >> one) & _EVEN
            np.bitwise_or(eq_hi, eq_hi << one, out=x[lo:hi])  # the eq pairs
            eq &= _EVEN
            np.bitwise_or(lt & _EVEN, eq << one, out=y[lo:hi])  # the (lt, eq) cells
            lt >>= one
            np.bitwise_and(lt, _EVEN, out=base[lo:hi])
    del z0, r0, z
    return _Level(base_a, base_b, *rss.and_arrays(rt, xa, xb, ya, yb))


def _merge_level(rt: Runtime, level: _Level, h: int, segments: list[tuple[int, int]]
                 ) -> _Level:
    """One level of the comparison tree on folded state words.

    Every 2h-bit block of a word holds a lower and an upper half; each half holds h/2
    cells ``(lt, eq)``, one per unit, and the upper half's cell ``j`` is the more
    significant part of the same unit as the lower half's cell ``j``. The merged cell
    ``(lt_hi ^ eq_hi & lt_lo, eq_hi & eq_lo)`` lands in the lower half, which leaves the
    upper half free: word ``i + half`` of a segment is folded into word ``i`` (shifted
    up by h), so every segment ``(start, length)`` of the words halves, to
    ``(start // 2, length // 2)``, and every AND stays dense.
    """
    lt_lo, lo_half = _LT_LO[h], _LO_HALF[h]
    total = sum(length for _, length in segments) // 2
    sh, sh1, one = U64(h), U64(h + 1), U64(1)
    base_a, base_b = np.empty(total, U64), np.empty(total, U64)
    ops = [np.empty(total, U64) for _ in range(4)]
    for start, length in segments:
        half, out = length // 2, start // 2
        for lo, hi in _chunks(half):
            lower = level.state(start + lo, start + hi)
            upper = level.state(start + half + lo, start + half + hi)
            dst = slice(out + lo, out + hi)
            for k, base in ((0, base_a), (1, base_b)):
                folded = []
                for s in (lower[k], upper[k]):
                    eq_hi = (s >> sh1) & lt_lo  # eq of the upper cell, at the lower lt bit
                    left = eq_hi | (eq_hi << one)
                    right = s & lo_half
                    s >>= sh
                    s &= lt_lo  # lt of the upper cell
                    folded.append((left, right, s))
                (l0, r0, b0), (l1, r1, b1) = folded
                l1 <<= sh
                np.bitwise_or(l0, l1, out=ops[k][dst])
                r1 <<= sh
                np.bitwise_or(r0, r1, out=ops[2 + k][dst])
                b1 <<= sh
                np.bitwise_or(b0, b1, out=base[dst])
    return _Level(base_a, base_b, *rss.and_arrays(rt, *ops))


_LOW32 = U64(0xFFFF_FFFF)
_IN_WORD = (2, 4, 8, 16, 32)


def _less_open(rt: Runtime, words: Sequence[BShare], rows: np.ndarray, other: np.ndarray,
               narrow_last: bool = False) -> np.ndarray:
    """Reveal to all, for each ``i``, whether row ``rows[i]`` < row ``other[i]``.

    ``words``: one 1-D share of unsigned words per key word, most significant first;
    rows compare lexicographically. ``narrow_last``: the last word is below 2^32 (the
    row index, maybe with narrow keys); it then travels two rows per word, in its own
    small tree run in the same rounds, and joins the others' result in one last round.
    Rounds: 8 + log2(other words rounded up to a power of two); about 3 words ANDed
    per 64-bit key word and 1.5 per narrow word.
    """
    m = len(rows)
    lanes = narrow_last and len(words) >= 2
    wide = words[:-1] if lanes else words
    n_words = 1 << (len(wide) - 1).bit_length()  # padded with all-zero words (compare equal)
    m_pad = -(-m // _FOLD_PAD) * _FOLD_PAD
    width = n_words * m_pad
    narrow_width = m_pad // 2 if lanes else 0
    # unit array: blocks of m_pad rows, one block per key word; block order is the bit
    # reversal of (n_words - 1 - k) so that after the in-word folds the words of a row
    # sit in adjacent cells, more significant above; then the narrow words, if any
    log_w = n_words.bit_length() - 1
    ua, ub, va, vb = (np.zeros(width + narrow_width, U64) for _ in range(4))
    for k, w in enumerate(wide):
        r = _reverse(n_words - 1 - k, log_w)
        block = slice(r * m_pad, r * m_pad + m)
        np.take(w.a, rows, out=ua[block])
        np.take(w.b, rows, out=ub[block])
        np.take(w.a, other, out=va[block])
        np.take(w.b, other, out=vb[block])
    blocks = m_pad // _FOLD_PAD  # rows e = j * blocks + r end in word r, cell cells[j]
    cells = _final_cells(n_words)
    if lanes:
        # narrow block j takes the rows whose wide cell is narrow block j's final cell
        block_of_cell = np.empty(_FOLD_PAD, np.int64)
        block_of_cell[cells] = np.arange(_FOLD_PAD)
        source = block_of_cell[_NARROW_CELLS]
        for src, idx, dst in ((words[-1].a, rows, ua), (words[-1].b, rows, ub),
                              (words[-1].a, other, va), (words[-1].b, other, vb)):
            vals = np.zeros(m_pad, U64)
            np.bitwise_and(src[idx], _LOW32, out=vals[:m])  # each share below 2^32, too
            lane = vals.reshape(_FOLD_PAD, blocks)[source].reshape(2, narrow_width)
            lane[1] <<= U64(32)
            np.bitwise_or(lane[0], lane[1], out=dst[width:])
    units = [ua, ub, va, vb]
    del ua, ub, va, vb
    level = _first_levels(rt, units)
    segments = [(0, width), (width, narrow_width)] if lanes else [(0, width)]
    narrow = None
    # levels inside the words (h = 2..32), then log2(n_words) levels across them
    for i, h in enumerate(_IN_WORD + tuple(2 << i for i in range(log_w))):
        if lanes and i == len(_IN_WORD) - 1:  # narrow words done: a cell per row and lane
            start, length = segments.pop()
            narrow = level.state(start, start + length)
        level = _merge_level(rt, level, h, segments)
        segments = [(start // 2, length // 2) for start, length in segments]
    sa, sb = level.state(0, len(level.z))
    if narrow is not None:  # lt = lt_wide ^ (eq_wide & lt_narrow), cell by cell
        za, zb = rss.and_arrays(rt, (sa >> U64(1)) & _EVEN, (sb >> U64(1)) & _EVEN,
                                narrow[0] & _EVEN, narrow[1] & _EVEN)
        sa ^= za
        sb ^= zb
    # open only the lt bits (bit 0 of every cell), never the eq bits
    opened = rss.reveal(rt, BShare(rt.party, sa & _EVEN, sb & _EVEN),
                        what=openings.SHUFFLED_COMPARISONS)
    bits = (opened[None, :] >> (2 * cells).astype(U64)[:, None]) & U64(1)
    return bits.reshape(-1)[:m].astype(bool)


def _reverse(value: int, bits: int) -> int:
    """``value`` with its low ``bits`` bits in reverse order."""
    out = 0
    for _ in range(bits):
        out, value = (out << 1) | (value & 1), value >> 1
    return out


def _final_cells(n_words: int) -> np.ndarray:
    """The cell where each block of rows ends, for the wide tree over ``n_words`` words.

    Rows are cut into 32 blocks of ``m_pad / 32``; every fold halves the words, so row
    ``e`` ends in word ``e % (m_pad / 32)`` and its cell depends on its block only.
    Follows the row's least significant unit: merges keep the lower cell in place,
    folds move the upper half of the words into the lower half, ``h`` bits up.
    """
    word = np.arange(_FOLD_PAD)  # one word per block: m_pad = 32
    cell = np.zeros(_FOLD_PAD, np.int64)
    words = n_words * _FOLD_PAD
    for h in _IN_WORD + tuple(2 << i for i in range(n_words.bit_length() - 1)):
        words //= 2
        upper = word >= words
        cell += upper * (h // 2)
        word -= upper * words
    return cell


def _narrow_cells() -> np.ndarray:
    """The same for the narrow tree: block ``j`` is lane ``j // 16`` (the upper lane
    starts at bit 32, cell 16) of words ``(j % 16) * blocks ...``; four folds."""
    word = np.arange(_FOLD_PAD) % 16
    cell = (np.arange(_FOLD_PAD) // 16) * 16
    words = 16
    for h in _IN_WORD[:-1]:
        words //= 2
        upper = word >= words
        cell += upper * (h // 2)
        word -= upper * words
    return cell


_NARROW_CELLS = _narrow_cells()


def _sample_sizes(lengths: np.ndarray) -> np.ndarray:
    """Pivot candidates per segment (odd): the median of a larger sample splits a big
    segment more evenly, for a few comparisons more (all pairs of the sample)."""
    return np.select([lengths >= 4096, lengths >= 128, lengths >= 8], [15, 7, 3], default=1)


def _median_offsets(rt: Runtime, words: Sequence[BShare], narrow_last: bool,
                    order: np.ndarray, starts: np.ndarray, sample: np.ndarray
                    ) -> np.ndarray:
    """For each segment, which of the ``sample`` rows of ``order`` from ``starts`` on
    holds their median (one batch of comparisons between every pair of candidates)."""
    offsets = np.zeros(len(starts), np.int64)
    groups = []  # (segments, pairs) per sample size
    rows_a, rows_b = [], []
    for size in np.unique(sample[sample > 1]).tolist():
        segs = np.flatnonzero(sample == size)
        pairs = [(i, j) for i in range(size) for j in range(i + 1, size)]
        for i, j in pairs:
            rows_a.append(order[starts[segs] + i])
            rows_b.append(order[starts[segs] + j])
        groups.append((size, segs, pairs))
    if not groups:
        return offsets
    less = _less_open(rt, words, np.concatenate(rows_a), np.concatenate(rows_b), narrow_last)
    at = 0
    for size, segs, pairs in groups:
        rank = np.zeros((size, len(segs)), np.int64)  # candidates below each candidate
        for i, j in pairs:
            lt = less[at:at + len(segs)]
            at += len(segs)
            rank[j] += lt  # candidate i < candidate j
            rank[i] += ~lt
        offsets[segs] = np.argmax(rank == size // 2, axis=0)
    return offsets


# a segment this short is finished by comparing all pairs of its rows (in the batch
# of the other segments' pivots): one batch instead of a few levels of pivots
_ALL_PAIRS_ROWS = 16
# and every segment is, once all pairs of all of them are this few comparisons (a
# small sort takes one batch)
_ALL_PAIRS_BUDGET = 4096


def _pairs_within(starts: np.ndarray, lengths: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair ``i < j`` of positions within each segment: (segment, i, j)."""
    segs, firsts, seconds = [], [], []
    for length in np.unique(lengths).tolist():
        at = np.flatnonzero(lengths == length)
        i, j = np.triu_indices(length, 1)
        segs.append(np.repeat(at, len(i)))
        firsts.append(np.tile(i, len(at)))
        seconds.append(np.tile(j, len(at)))
    return np.concatenate(segs), np.concatenate(firsts), np.concatenate(seconds)


def _quicksort_order(rt: Runtime, words: Sequence[BShare], narrow_last: bool = False
                     ) -> np.ndarray:
    """The public order of rows sorted by distinct keys ``words`` (one share per word).

    Returns ``order`` with ``order[j]`` = the row that goes to position ``j``. Safe to
    reveal only because the rows were shuffled and the keys are distinct: every opened
    bit compares two rows of a uniformly random order.

    Each level takes the pivot of every segment as the median of a few candidate rows,
    then partitions stably. Rows that were candidates once stay at the front of their
    side (stability keeps them there) and are skipped when the next candidates are
    taken, so every sample is fresh and unbiased. A short segment (and every segment,
    once they are few and short: a small sort) compares all pairs of its rows in the
    partition's batch and takes its place by rank: its rows' relative order, which the
    order returned shows anyway.
    """
    n = len(words[0])
    idx = np.int32 if n < 2**31 else np.int64  # halves the bookkeeping's memory traffic
    order = np.arange(n, dtype=idx)
    starts = np.array([0], dtype=idx)  # unfinished segments of `order`
    lengths = np.array([n], dtype=idx)
    used = np.array([0], dtype=idx)  # former candidates at the front of each segment
    while len(starts):
        pairs = lengths.astype(np.int64) * (lengths - 1) // 2
        short = lengths <= _ALL_PAIRS_ROWS
        if pairs.sum() <= _ALL_PAIRS_BUDGET:
            short[:] = True
        ranked = (starts[short], lengths[short])
        starts, lengths, used = starts[~short], lengths[~short], used[~short]
        cand_at = starts + np.minimum(used, lengths - 1)
        sample = np.minimum(_sample_sizes(lengths - used), starts + lengths - cand_at)
        offsets = _median_offsets(rt, words, narrow_last, order, cand_at, sample)
        pivot_at = cand_at + offsets.astype(idx)
        pivot_rows = order[pivot_at]
        others = lengths - 1  # rows compared with the pivot, per segment
        total = int(others.sum())
        first = np.cumsum(others, dtype=idx) - others  # a segment's first compared row
        seg = np.repeat(np.arange(len(starts), dtype=idx), others)
        pos = np.arange(total, dtype=idx)
        pos += (starts - first)[seg]
        pos += pos >= pivot_at[seg]  # skip the pivot's position
        rows = order[pos]
        # the short segments' pairs in the same batch
        short_seg, i, j = _pairs_within(*ranked) if len(ranked[0]) else (
            np.zeros(0, np.int64),) * 3
        row_i = order[ranked[0][short_seg] + i]
        row_j = order[ranked[0][short_seg] + j]
        opened = _less_open(rt, words, np.concatenate([rows, row_i]),
                            np.concatenate([pivot_rows[seg], row_j]), narrow_last)
        less, pair_less = opened[:total], opened[total:]
        if len(ranked[0]):  # a row's rank: the rows of its segment below it
            rank = np.zeros(int(ranked[1].sum()), np.int64)
            base = (np.cumsum(ranked[1]) - ranked[1])[short_seg]
            np.add.at(rank, base + np.where(pair_less, j, i), 1)
            seg_of = np.repeat(np.arange(len(ranked[0])), ranked[1])
            at = np.arange(len(rank)) - (np.cumsum(ranked[1]) - ranked[1])[seg_of]
            source = order[ranked[0][seg_of] + at]
            order[ranked[0][seg_of] + rank] = source
        if not len(starts):
            break
        # stable partition of every segment: [less] pivot [greater]
        less_int = less.astype(idx)
        before = np.cumsum(less_int, dtype=idx)
        before -= less_int
        less_before = before - before[first][seg]
        n_less = np.add.reduceat(less_int, first, dtype=idx)
        greater_at = starts + n_less + 1
        dest = np.where(less, starts[seg] + less_before,
                        greater_at[seg] + (pos - starts[seg] - (pos > pivot_at[seg]) - less_before))
        order[dest] = rows
        order[starts + n_less] = pivot_rows
        # former and current candidates, by side
        was_used = (pos < (cand_at + sample)[seg]).astype(idx)
        used_less = np.add.reduceat(was_used * less_int, first, dtype=idx)
        used_all = cand_at - starts + sample - 1
        new_starts = np.concatenate([starts, greater_at])
        new_lengths = np.concatenate([n_less, lengths - n_less - 1])
        new_used = np.concatenate([used_less, used_all - used_less])
        keep = new_lengths >= 2
        starts, lengths, used = new_starts[keep], new_lengths[keep], new_used[keep]
    return order.astype(np.int64)


# -- keys --------------------------------------------------------------------------------------

def _key_parts(key: SortKey) -> tuple[AShare | BShare, bool, int]:
    if len(key) == 2:
        share, descending = key  # type: ignore[misc]
        bits = WORD_BITS
    else:
        share, descending, bits = key  # type: ignore[misc]
    if not 1 <= bits <= WORD_BITS:
        raise ValueError(f"key width must be 1..64 bits, got {bits}")
    return share, bool(descending), int(bits)


def _to_boolean(rt: Runtime, keys: list[AShare | BShare]) -> list[BShare]:
    """XOR shares of every key (one batched A2B for the arithmetic ones)."""
    arith = [k for k in keys if isinstance(k, AShare)]
    converted: list[BShare] = []
    if arith:
        joined = convert.a2b(rt, AShare.concat(arith))
        n = len(arith[0])
        converted = [joined[i * n:(i + 1) * n] for i in range(len(arith))]
    it = iter(converted)
    return [next(it) if isinstance(k, AShare) else k for k in keys]


def _order_words(rt: Runtime, keys: Sequence[SortKey], n: int) -> tuple[list[BShare], int]:
    """The comparison words, most significant first: each key mapped to an unsigned
    word whose order is the wanted one, narrow keys and the row index packed together.
    Also returns the number of bits used in the last (least significant) word."""
    parts = [_key_parts(k) for k in keys]
    for share, _, _ in parts:
        if len(share) != n:
            raise ValueError("all sort keys and payload columns must have the same length")
    booleans = _to_boolean(rt, [p[0] for p in parts])
    index_bits = max(1, (n - 1).bit_length())
    # start from the least significant: the original row index (public, made secret by
    # the shuffle that follows)
    word = BShare.public(rt.party, np.arange(n, dtype=np.uint64))
    used = index_bits
    out: list[BShare] = []
    low_bits = 0
    for (_, descending, bits), value in zip(reversed(parts), reversed(booleans), strict=True):
        if bits == WORD_BITS:
            flip = ALL_ONES ^ SIGN_BIT if descending else SIGN_BIT
            mapped = value.xor_public(np.full(n, flip, U64))
        else:
            mask = U64((1 << bits) - 1)
            mapped = value.and_public(mask)  # each share: the value has no higher bits
            if descending:
                mapped = mapped.xor_public(np.full(n, mask, U64))
        if used + bits <= WORD_BITS:
            word = word ^ (mapped << used)
            used += bits
        else:
            low_bits = low_bits or used
            out.append(word)
            word, used = mapped, bits
    out.append(word)
    return out[::-1], low_bits or used


def sort(rt: Runtime, keys: Sequence[SortKey], payload: Sequence[Column] = ()
         ) -> tuple[list[Column], list[Column]]:
    """Sort rows by ``keys`` (lexicographically, first key most significant); stable.

    ``keys``: ``(share, descending)`` for signed int64 keys, or
    ``(share, descending, bits)`` for keys known to lie in ``[0, 2**bits)`` (e.g. a
    null bit, a small code). Shares may be arithmetic or boolean (XOR, two's
    complement). Returns the sorted key columns (same types as given) and the payload
    columns in the same row order. Reveals nothing but ``n``.

    Cost: one A2B of the arithmetic keys, one shuffle of all columns, then ~1.03 n
    log2 n comparisons of (keys, row index) in about 2 log2 n batches of 8-9 rounds.
    """
    if not keys:
        raise ValueError("sort needs at least one key")
    key_cols = [_key_parts(k)[0] for k in keys]
    n = len(key_cols[0])
    for col in payload:
        if len(col) != n:
            raise ValueError("all sort keys and payload columns must have the same length")
    if n <= 1:
        return [c.copy() for c in key_cols], [c.copy() for c in payload]
    words, low_bits = _order_words(rt, keys, n)
    if len(words) > MAX_KEY_WORDS + (low_bits <= 32):
        raise ValueError(f"sort keys need {len(words)} words; at most {MAX_KEY_WORDS} "
                         "64-bit words (besides the row index) are supported")
    carried = list(key_cols) + list(payload)
    shuffled = shuffle(rt, words + carried)
    n_words = len(words)
    order = _quicksort_order(rt, shuffled[:n_words], narrow_last=low_bits <= 32)
    moved = [c[order] for c in shuffled[n_words:]]
    return moved[: len(key_cols)], moved[len(key_cols):]


def null_order_key(is_null: BShare, nulls_first: bool) -> SortKey:
    """A one-bit sort key to put before a value's key for NULLS FIRST / NULLS LAST.

    >>> import numpy as np
    >>> key = null_order_key(BShare.public(0, np.array([1, 0])), nulls_first=True)
    >>> key[1:]
    (True, 1)
    """
    # ascending on the null bit puts non-null (0) rows first
    return (is_null, nulls_first, 1)
