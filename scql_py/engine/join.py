"""Equi-joins of two relations: the secret join (sort, copy down) and the PSI join.

**Secret join** (:func:`secret_join`): both inputs are secret-shared; nothing but sizes
and two documented bits is revealed. After ORQ's PK-FK join (SOSP'25; ideas only):

1. Rows of both sides are stacked, each carrying its own columns (zeros on the other
   side's rows) and a side tag, and sorted by ``(key, excluded, side)``: equal keys
   become adjacent, left rows before right rows. *Excluded* rows -- validity bit 0 or
   a NULL key component -- sort after the usable rows of the same key and never join.
2. Adjacent equality marks the runs of equal usable keys (segments). Two adjacent left
   (right) rows in one segment are a duplicate: a secret count of those per side is
   compared with zero and **one bit per side is revealed: whether that side's usable
   keys are unique**. That is the only data-dependent value this join opens.
3. When one side (*u*) is unique, its row opens its segment (the array is reversed when
   *u* is the right side) and a Hillis-Steele scan copies *u*'s columns down the
   segment, ``ceil(log2 n)`` rounds: every row of the other side (*m*) then carries its
   partner's columns, and a copied presence bit says whether it has one.
4. Output: ``n_left + n_right`` rows in sorted order with a secret validity bit (the
   engine compacts later); left columns, then right columns. LEFT joins keep unmatched
   left rows with the right columns NULL; RIGHT is LEFT with the sides swapped. Where
   only *m*'s rows can be in the result (an inner join; a LEFT join whose right side is
   unique) and *u* has at least an eighth as many rows, *u*'s rows are dropped at once:
   a shuffle, then the opened side tags (``n_m`` ones, a number everyone knows), so the
   steps above carry ``n_m`` rows rather than ``n_left + n_right``.

When neither side is unique (many-to-many) the join reveals the number of result rows
and returns just those. Above :data:`ALL_PAIRS_BELOW` row pairs it *expands* the sorted
stack (:mod:`scql_py.mpc.expansion`): per segment of ``a`` left and ``b`` right rows,
each left row is repeated ``b`` times and each right row ``a`` times, and the right
copies are routed next to their partners -- work near-linear in the inputs plus the
result. Small joins compare all ``n_left * n_right`` pairs (vectorised equality, in
chunks) and compact the matches: fewer rounds. Both are refused above a public bound
on the row pairs (``max_rows``).

**PSI join** (:func:`psi_join`): the two owners hold their tables in plaintext and the
key's CCL lets them learn the intersection; ECDH-PSI (:mod:`scql_py.mpc.psi`) aligns
their rows and each owner secret-shares its own rows in the common order.

>>> import numpy as np, pyarrow as pa
>>> from scql_py.mpc.inprocess import run_parties
>>> def prog(rt, _):
...     a = pa.table({"k": [1, 2, 3], "x": [10, 20, 30]}) if rt.party == 0 else None
...     b = pa.table({"k": [3, 3, 1, 5]}) if rt.party == 1 else None
...     left = share_table(rt, 0, a, ["int64", "int64"], b"key", ["k", "x"])
...     right = share_table(rt, 1, b, ["int64"], b"key", ["k"])
...     out = secret_join(rt, left, right, ["k"], ["k"], "inner", ["k", "x", "k2"])
...     x = rss.reveal(rt, out.column("x").value).view(np.int64)
...     return sorted(x[(rss.reveal(rt, out.valid) & 1) == 1].tolist())
>>> run_parties(prog)[0]
[10, 30, 30]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from scql_py.catalog import DEFAULT_MAX_ROWS
from scql_py.catalog.types import SqlType
from scql_py.engine import encoding
from scql_py.engine.input_sharing import as_type, share_table
from scql_py.engine.ordering import flatten, unflatten
from scql_py.engine.relation import (
    Exact,
    LocalResult,
    SecretColumn,
    SecretRelation,
    concat_columns,
    null_column,
)
from scql_py.errors import InternalError, NotSupportedError
from scql_py.mpc import convert, equality, expansion, mux, openings, rss, segment
from scql_py.mpc.psi import psi_join_indices, psi_left_join_indices
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime
from scql_py.mpc.server_psi import server_psi_join_indices, server_psi_left_join_indices
from scql_py.mpc.sort import sort

U64 = np.uint64
HOWS = ("inner", "left", "right")
# drop the unique side's rows from a join's output where they are at least 1/8 of the
# other side's (below that, the shuffle that drops them costs more than carrying them)
_DROP_UNIQUE_ROWS_FROM = 8
_GRID_CHUNK = 1 << 20  # pairs per batch of equality tests (bounds the temporaries)
# many-to-many joins of at most this many row pairs compare all pairs (fewer rounds than
# the expansion's sort); larger ones expand (work near-linear in inputs plus result)
ALL_PAIRS_BELOW = 1 << 15



# -- sharing an owner's table --------------------------------------------------------------

# -- the secret join ------------------------------------------------------------------------

def secret_join(rt: Runtime, left: SecretRelation, right: SecretRelation,
                left_keys: list[str], right_keys: list[str], how: str, names: list[str],
                max_rows: int | None = None, cross: bool = False) -> SecretRelation:
    """Equi-join of two secret relations on ``left_keys[i] = right_keys[i]``.

    ``how``: ``"inner"``, ``"left"`` or ``"right"``. NULL keys and rows with validity 0
    never match; in outer joins only rows with validity 1 are kept. The result has the
    left columns then the right ones, named ``names``, and a validity bit per row
    (``n_left + n_right`` rows, or only the non-unique side's: see step 4), except for a
    many-to-many join, which returns only the result rows. Reveals the sizes, whether each side's keys are unique (one bit
    each), and for a many-to-many join the number of result rows. Raises
    ``NotSupportedError`` when neither side is unique and ``n_left * n_right`` exceeds
    ``max_rows`` (default :data:`DEFAULT_MAX_ROWS`). ``cross``: a cross join (constant
    keys), which pairs every row with every other at once, and is refused above
    ``max_rows`` pairs before anything runs.
    """
    if how not in HOWS:
        raise ValueError(f"join type must be one of {HOWS}, got {how!r}")
    if not left_keys or len(left_keys) != len(right_keys):
        raise ValueError("a join needs one or more pairs of key columns")
    if len(names) != len(left.columns) + len(right.columns):
        raise ValueError("names must name every left column, then every right column")
    if how == "right":
        n_left = len(left.columns)
        swapped = secret_join(rt, right, left, right_keys, left_keys, "left",
                              names[n_left:] + names[:n_left], max_rows)
        n_right = len(right.columns)
        cols = swapped.columns[n_right:] + swapped.columns[:n_right]
        return SecretRelation(swapped.n, list(names), cols, swapped.valid)
    max_rows = DEFAULT_MAX_ROWS if max_rows is None else max_rows
    if left.n == 0 or right.n == 0:
        return _join_with_empty(rt, left, right, how, names)

    if cross and left.n * right.n > max_rows:
        raise NotSupportedError(
            f"CROSS JOIN of {left.n:,} x {right.n:,} rows: {left.n * right.n:,} row pairs, "
            f"above the bound of {max_rows:,} (max_rows); join on an equality, filter the "
            f"inputs first, or raise that bound ([catalog] max_rows, or connect(max_rows=...))")
    keys_l, keys_r = _key_words(rt, left, right, left_keys, right_keys)
    ok_l, ok_r = _usable_rows(rt, (left, left_keys), (right, right_keys))
    if cross:  # every pair matches: no sort tells which keys are equal
        return _all_pairs_join(rt, left, right, keys_l, keys_r, ok_l, ok_r, how, names,
                               max_rows)
    n_l, n_r, n = left.n, right.n, left.n + right.n
    party = rt.party

    # 1. stack and sort by (key, excluded, side)
    stack = _Stack(left, right, left_keys, right_keys)
    excluded = convert.bit_not(BShare.concat([ok_l, ok_r]))
    side = BShare.public(party, np.concatenate([np.zeros(n_l, U64), np.ones(n_r, U64)]))
    keys = [AShare.concat([a, b]) for a, b in zip(keys_l, keys_r)]
    sort_keys = [(k, False) for k in keys] + [(excluded, False, 1), (side, False, 1)]
    sorted_keys, moved = sort(rt, sort_keys, stack.payload())
    *keys_s, excluded_s, side_s = sorted_keys

    # 2. segments of equal usable keys; is either side unique on its usable keys?
    same = _same_as_previous(rt, keys_s, excluded_s)
    dup_l, dup_r = convert.and_bits_many(rt, [(same[1:], convert.bit_not(side_s[1:])),
                                              (same[1:], side_s[:-1])])
    unique_l, unique_r = _no_duplicates(rt, dup_l, dup_r)

    if how == "inner":
        unique = "left" if unique_l else "right" if unique_r else None
    else:  # a unique right side keeps the output one row per left row
        unique = "right" if unique_r else "left" if unique_l else None
    if unique is None:
        _check_pairs_bound(n_l, n_r, max_rows)
        if n_l * n_r <= ALL_PAIRS_BELOW:
            return _all_pairs_join(rt, left, right, keys_l, keys_r, ok_l, ok_r, how, names,
                                   max_rows)
        return _expanded_join(rt, stack, [keys_s[i] for i in stack.key_pairs], moved,
                              excluded_s, side_s, same, how, names)

    # 3. orient so that the unique side opens each segment, copy its own columns down
    arith, chars, words = stack.unpack([keys_s[i] for i in stack.key_pairs], moved)
    u, m = (stack.left, stack.right) if unique == "left" else (stack.right, stack.left)
    same_o = same
    if unique == "right":
        arith, chars, words = ([c.reversed() for c in cols] for cols in (arith, chars, words))
        same_o = BShare.concat([same[:1], same[1:].reversed()])
    copied_a, copied_w = _copy_down(rt, convert.bit_not(same_o),
                                    [arith[i] for i in u.copy_arith],
                                    [chars[i] for i in u.copy_chars] + words)
    # u's view: its key slots need no copy (an m row's key is its partner's key)
    arith_u, chars_u = list(arith), list(chars)
    for i, c in zip(u.copy_arith, copied_a):
        arith_u[i] = c
    for i, c in zip(u.copy_chars, copied_w):
        chars_u[i] = c
    words_u = copied_w[len(u.copy_chars):]

    # 4. validity and NULLs of the output rows
    present_copied = _bit(words_u, u.present)  # the segment opens with a u row
    present_own = _bit(words, u.present)  # this is a u row (always a segment start)
    if how == "inner":
        valid = present_copied ^ present_own  # an m row with a partner
        out_u, out_m = u.columns(arith_u, chars_u, words_u), m.columns(arith, chars, words)
    elif unique == "right":  # LEFT join, every left row once
        valid = _bit(words, m.valid)
        out_u = u.columns(arith_u, chars_u, words_u, null_xor=convert.bit_not(present_copied))
        out_u = _zero_unless(rt, present_copied, out_u)  # no partner: NULL, value 0
        out_m = m.columns(arith, chars, words)
    else:  # LEFT join, unique left side: matched right rows + left rows without a partner
        next_same = BShare.concat([same_o[1:], BShare.zeros(party, 1)])
        lonely = convert.bit_and(rt, _bit(words, u.valid), convert.bit_not(next_same))
        valid = present_copied ^ present_own ^ lonely
        out_u = u.columns(arith_u, chars_u, words_u)
        out_m = m.columns(arith, chars, words, null_xor=present_own)  # of a u row: NULL
        out_m = _zero_unless(rt, _bit(words, m.present), out_m)
    out_l, out_r = (out_u, out_m) if unique == "left" else (out_m, out_u)
    out = SecretRelation(n, list(names), out_l + out_r, convert.clean_bit(valid))
    n_u, n_m = (n_l, n_r) if unique == "left" else (n_r, n_l)
    if (how == "inner" or unique == "right") and n_u * _DROP_UNIQUE_ROWS_FROM >= n_m:
        # only m's rows can be in the result: drop u's at once, rather than carry them
        # (invalid) through every later step; the count kept is m's, public
        out = _only_rows(rt, out, convert.bit_not(present_own), n_m)
    return out


def _only_rows(rt: Runtime, rel: SecretRelation, keep: BShare, n: int) -> SecretRelation:
    """The ``n`` rows of ``rel`` whose ``keep`` bit is 1, ``n`` known to everyone: shuffled,
    then the bits opened (a random arrangement of ``n`` ones, which tells nothing more)."""
    kept = segment.compact(rt, keep, [rel.valid, *flatten(rel)])
    if len(kept[0]) != n:
        raise InternalError("a join kept another number of rows than its side has")
    return SecretRelation(n, rel.names, unflatten(rel, kept[1:], n), kept[0])


def _join_with_empty(rt: Runtime, left: SecretRelation, right: SecretRelation, how: str,
                     names: list[str]) -> SecretRelation:
    """A join where one side has no rows: no rows, or (LEFT) the left rows with NULLs."""
    if how == "inner" or left.n == 0:
        cols = [c.take(slice(0, 0)) for c in left.columns + right.columns]
        return SecretRelation(0, list(names), cols)
    nulls = [null_column(rt.party, c, left.n) for c in right.columns]
    return SecretRelation(left.n, list(names), list(left.columns) + nulls, left.valid)


def _keyed_exactly(cl: SecretColumn, cr: SecretColumn) -> bool:
    """Whether a pair of float key columns is compared by exact keys (both have them);
    otherwise (a computed key) by fixed point, both sides rounded alike."""
    return cl.key is not None and cr.key is not None


def _key_words(rt: Runtime, left: SecretRelation, right: SecretRelation,
               left_keys: list[str], right_keys: list[str]
               ) -> tuple[list[AShare], list[AShare]]:
    """Each key as ring words on both sides (strings: their keyed hash; bools: 0/1;
    floats: their exact keys when both sides have them)."""
    words_l, words_r = [], []
    for lk, rk in zip(left_keys, right_keys):
        cl, cr = left.column(lk), right.column(rk)
        if (cl.type.kind, cl.type.scale) != (cr.type.kind, cr.type.scale):
            raise InternalError(
                f"join keys {lk} ({cl.type}) and {rk} ({cr.type}) need one type")
        exactly = _keyed_exactly(cl, cr)
        words_l.append(cl.key if exactly else cl.value)
        words_r.append(cr.key if exactly else cr.value)
    bits = [w for w in words_l + words_r if isinstance(w, BShare)]
    if bits:  # bool keys: one batched bit injection
        arith = convert.b2a_bit(rt, BShare.concat(bits))
        at = 0
        for words in (words_l, words_r):
            for i, w in enumerate(words):
                if isinstance(w, BShare):
                    words[i] = arith[at:at + len(w)]
                    at += len(w)
    return words_l, words_r


def _usable_rows(rt: Runtime, *sides: tuple[SecretRelation, list[str]]) -> list[BShare]:
    """Per side, a bit per row: valid and no key component NULL."""
    terms = []
    for rel, keys in sides:
        mine = [] if rel.valid is None else [rel.valid]
        mine += [convert.bit_not(rel.column(k).null) for k in keys
                 if rel.column(k).null is not None]
        terms.append(mine)
    ands = _and_all(rt, terms)
    return [BShare.public(rt.party, np.ones(rel.n, U64)) if bit is None else bit
            for bit, (rel, _) in zip(ands, sides)]


def _and_all(rt: Runtime, groups: list[list[BShare]]) -> list[BShare | None]:
    """The AND of each group of bits (None for an empty group); the groups' trees run
    in the same rounds."""
    groups = [list(g) for g in groups]
    while any(len(g) > 1 for g in groups):
        pairs, layout = [], []
        for g in groups:
            layout.append(len(g) // 2)
            pairs += [(g[i], g[i + 1]) for i in range(0, len(g) - 1, 2)]
        merged = iter(convert.and_bits_many(rt, pairs))
        groups = [[next(merged) for _ in range(k)] + (g[-1:] if len(g) % 2 else [])
                  for g, k in zip(groups, layout)]
    return [convert.clean_bit(g[0]) if g else None for g in groups]


def _same_as_previous(rt: Runtime, keys: list[AShare], excluded: BShare) -> BShare:
    """Bit per sorted row: same usable key as the row before (row 0: 0).

    Rows are sorted by (key, excluded), so an excluded row is never followed by a
    usable row of the same key: ``key[i] == key[i-1] and not excluded[i]`` suffices.
    """
    n = len(excluded)
    m = n - 1
    eq = equality.equal(rt, AShare.concat([k[1:] for k in keys]),
                        AShare.concat([k[:-1] for k in keys]))
    terms = [eq[i * m:(i + 1) * m] for i in range(len(keys))]
    (same,) = _and_all(rt, [terms + [convert.bit_not(excluded[1:])]])
    return BShare.concat([BShare.zeros(rt.party, 1), same])


def _no_duplicates(rt: Runtime, dup_l: BShare, dup_r: BShare) -> tuple[bool, bool]:
    """Reveal, per side, only whether it has no duplicate (not how many)."""
    counts = convert.b2a_bit(rt, BShare.concat([dup_l, dup_r]))
    m = len(dup_l)
    totals = AShare.concat([counts[:m].sum(), counts[m:].sum()])
    none = rss.reveal(rt, equality.equal_zero(rt, totals), what=openings.KEY_UNIQUENESS) & U64(1)
    return bool(none[0]), bool(none[1])


# -- stacking both sides for the sort and the scan ------------------------------------------

@dataclass
class _Slots:
    """Where one column lives in the stack: its value (an arithmetic slot, or a bit
    position for bool), its NULL bit position, its string byte word slots, the
    arithmetic slots of its exact form (``form``: a template of that form)."""

    type: SqlType
    value: int
    null: int | None
    chars: list[int] | None
    exact: list[int] | None = None
    form: Exact | None = None


@dataclass
class _Side:
    """One side's columns in the stack, and the slots that only it fills (what the
    scan copies when it is the unique side)."""

    slots: list[_Slots]
    present: int  # bit: 1 on this side's rows
    valid: int  # bit: the row's validity
    copy_arith: list[int]
    copy_chars: list[int]

    def columns(self, arith: list[AShare], chars: list[BShare], words: list[BShare],
                null_xor: BShare | None = None) -> list[SecretColumn]:
        """The side's columns; ``null_xor`` flips NULL bits (rows where it is 1 had no
        NULL bit set: they become NULL)."""
        out = []
        for s in self.slots:
            value = _bit(words, s.value) if s.type.kind == "bool" else arith[s.value]
            null = None if s.null is None else _bit(words, s.null)
            if null_xor is not None:
                null = null_xor if null is None else null ^ null_xor
            col_chars = None if s.chars is None else [chars[i] for i in s.chars]
            exact = None if s.form is None else s.form.with_words([arith[i] for i in s.exact])
            out.append(SecretColumn(s.type, value, null, col_chars, exact))
        return out


def _bit(words: list[BShare], pos: int) -> BShare:
    word = words[pos // 64]
    s = U64(pos % 64)
    return BShare(word.party, (word.a >> s) & U64(1), (word.b >> s) & U64(1))


class _Stack:
    """Both sides' columns in shared slots, left rows then right rows.

    A slot holds one left column on the left rows and one right column on the right
    rows, so the sort moves ``max(left, right)`` columns, not their sum. Key pairs
    share one slot each, which is their sort key (string keys also share byte words,
    padded to the wider side). Bits of both sides (presence, validity, NULLs,
    bool values) sit at distinct positions of packed words, 64 per word.
    """

    def __init__(self, left: SecretRelation, right: SecretRelation, left_keys: list[str],
                 right_keys: list[str]):
        self.n_l, self.n_r = left.n, right.n
        self.party = (left.columns or right.columns)[0].value.party
        n_key_arith = 0  # key slots: the sort keys themselves, not stacked here
        key_chars: list[BShare] = []
        # a float pair keyed by its exact keys keeps its fixed-point values in a shared
        # slot too: equal keys are equal doubles, so a partner's value is one's own
        key_values: list[AShare] = []
        self.key_pairs: list[int] = []  # the pairs whose key words are the key slots
        # column -> (value slot, exact slots or None, byte word slots or None)
        placed: list[dict[int, tuple[int, list[int] | None, list[int] | None]]] = [{}, {}]
        for pair, (lk, rk) in enumerate(zip(left_keys, right_keys)):
            li, ri = left.names.index(lk), right.names.index(rk)
            cl, cr = left.columns[li], right.columns[ri]
            if cl.type.kind == "bool":
                continue  # a bit: kept with the other bits
            slot = n_key_arith
            n_key_arith += 1
            self.key_pairs.append(pair)
            where = None
            if cl.chars is not None:
                width = max(len(cl.chars), len(cr.chars or []))
                where = list(range(len(key_chars), len(key_chars) + width))
                key_chars += [BShare.concat([_word(cl, t, self.n_l), _word(cr, t, self.n_r)])
                              for t in range(width)]
            value, exact = slot, None
            if _keyed_exactly(cl, cr):
                value, exact = -1 - len(key_values), [slot]  # shared slot, numbered below
                key_values.append(AShare.concat([cl.value, cr.value]))
            placed[0].setdefault(li, (value, exact, where))
            placed[1].setdefault(ri, (value, exact, where))
        self.n_key_arith, n_key_chars = n_key_arith, len(key_chars)
        n_shared = len(key_values)

        own_arith: list[list[AShare]] = [[], []]
        own_chars: list[list[BShare]] = [[], []]
        own_bits: list[list[BShare | None]] = [[], []]

        def own(s: int, word: AShare, copy: list[int]) -> int:
            """A slot only side ``s`` fills (copied down when it is the unique side)."""
            at = n_key_arith + n_shared + len(own_arith[s])
            own_arith[s].append(word)
            copy.append(at)
            return at

        sides = []
        base = 0
        for s, rel in enumerate((left, right)):
            bits: list[BShare | None] = [None, rel.valid]  # presence: a public 1, below
            slots = []
            copy_arith, copy_chars = [], []
            for c, col in enumerate(rel.columns):
                where = exact = None
                if c in placed[s]:
                    value, exact, where = placed[s][c]
                    if value < 0:  # a shared slot after the key slots
                        value = n_key_arith - 1 - value
                elif col.type.kind == "bool":
                    value = base + len(bits)
                    bits.append(col.value)
                else:
                    value = own(s, col.value, copy_arith)
                if col.exact is not None and exact is None:
                    exact = [own(s, w, copy_arith) for w in col.exact.words()]
                if col.chars is not None and where is None:
                    where = [n_key_chars + len(own_chars[s]) + t for t in range(len(col.chars))]
                    own_chars[s] += col.chars
                    copy_chars += where
                null = None
                if col.null is not None:
                    null = base + len(bits)
                    bits.append(col.null)
                slots.append(_Slots(col.type, value, null, where, exact, col.exact))
            sides.append(_Side(slots, base, base + 1, copy_arith, copy_chars))
            own_bits[s] = bits
            base += len(bits)
        self.left, self.right = sides
        self.n_bits = base

        self.arith = key_values + [  # the non-key slots; slot i is self.arith[i - n_key_arith]
            AShare.concat([_nth(own_arith[0], j, AShare, self.party, self.n_l),
                           _nth(own_arith[1], j, AShare, self.party, self.n_r)])
            for j in range(max(len(own_arith[0]), len(own_arith[1])))]
        self.chars = key_chars + [
            BShare.concat([_nth(own_chars[0], j, BShare, self.party, self.n_l),
                           _nth(own_chars[1], j, BShare, self.party, self.n_r)])
            for j in range(max(len(own_chars[0]), len(own_chars[1])))]
        self.words = self._pack_bits(own_bits, [left.valid is None, right.valid is None])

    def _pack_bits(self, own_bits: list[list[BShare | None]], no_valid: list[bool]
                   ) -> list[BShare]:
        """Every side's bits at their positions: per word, left rows then right rows."""
        words = []
        bases = [self.left.present, self.right.present]
        for w in range(-(-self.n_bits // 64)):
            halves = []
            for s, n in enumerate((self.n_l, self.n_r)):
                a, b = np.zeros(n, U64), np.zeros(n, U64)
                constant = 0
                for k, bit in enumerate(own_bits[s]):
                    pos = bases[s] + k
                    if pos // 64 != w:
                        continue
                    shift = U64(pos % 64)
                    if bit is not None:
                        a ^= (bit.a & U64(1)) << shift
                        b ^= (bit.b & U64(1)) << shift
                    elif k == 0 or (k == 1 and no_valid[s]):  # presence; validity if none
                        constant |= 1 << (pos % 64)
                halves.append(BShare(self.party, a, b).xor_public(np.full(n, constant, U64)))
            words.append(BShare.concat(halves))
        return words

    def payload(self) -> list:
        """What the sort moves besides the keys: non-key slots, byte words, bit words."""
        return self.arith + self.chars + self.words

    def unpack(self, key_slots: list[AShare], moved: list) -> tuple[list, list, list]:
        """The sorted slots ``(arith, chars, words)`` from the sorted key slots and the
        moved payload."""
        n_arith, n_chars = len(self.arith), len(self.chars)
        arith = list(key_slots) + moved[:n_arith]
        return arith, moved[n_arith:n_arith + n_chars], moved[n_arith + n_chars:]


def _word(col: SecretColumn, t: int, n: int) -> BShare:
    """Word ``t`` of a string column's bytes (zeros past its width)."""
    chars = col.chars or []
    return chars[t] if t < len(chars) else BShare.zeros(col.value.party, n)


def _nth(cols: list, j: int, cls, party: int, n: int):
    return cols[j] if j < len(cols) else cls.zeros(party, n)


def _zero_unless(rt: Runtime, bit: BShare, cols: list[SecretColumn]) -> list[SecretColumn]:
    """The columns with values and string bytes set to 0 where ``bit`` is 0: there they
    are NULL, and a NULL should not carry another row's data. Bits are left alone
    (those rows hold none of this side's bits)."""
    arith = [w for c in cols for w in ([c.value] if isinstance(c.value, AShare) else [])
             + (c.exact.words() if c.exact is not None else [])]
    words = [w for c in cols for w in c.chars or []]
    if not arith and not words:
        return cols
    mask = mux.broadcast_bit(bit)
    factor = convert.b2a_bit(rt, bit) if arith else None
    prods, ands = rss.mul_and_many(rt, [(factor, a) for a in arith], [(mask, w) for w in words])
    prods, ands = iter(prods), iter(ands)
    out = []
    for c in cols:
        value = next(prods) if isinstance(c.value, AShare) else c.value
        exact = None
        if c.exact is not None:
            exact = c.exact.with_words([next(prods) for _ in c.exact.words()])
        chars = None if c.chars is None else [next(ands) for _ in c.chars]
        out.append(SecretColumn(c.type, value, c.null, chars, exact))
    return out



# -- the copy-down scan ---------------------------------------------------------------------

def _copy_down(rt: Runtime, starts: BShare, arith: list[AShare], words: list[BShare]
               ) -> tuple[list[AShare], list[BShare]]:
    """For each row, the columns of the last row at or above it with a start mark.

    Hillis-Steele scan of ``(F_l, V_l) . (F_r, V_r) = (F_l | F_r, F_r ? V_r : V_l)``:
    1 + ``ceil(log2 n)`` rounds. The flag ``F`` is kept arithmetic; its bit for the
    XOR words is free, as bit 0 of a sum of shares is the XOR of their bits 0.
    """
    n = len(starts)
    flag = convert.b2a_bit(rt, starts)
    d = 1
    while d < n:
        last = 2 * d >= n
        f = flag[d:]
        mask = mux.broadcast_bit(f)
        mul_pairs = [(f, v[d:] - v[:-d]) for v in arith]
        if not last:
            mul_pairs.append((f, flag[:-d]))
        and_pairs = [(mask, w[d:] ^ w[:-d]) for w in words]
        prods, ands = rss.mul_and_many(rt, mul_pairs, and_pairs)
        arith = [AShare.concat([v[:d], v[:-d] + p]) for v, p in zip(arith, prods)]
        words = [BShare.concat([w[:d], w[:-d] ^ q]) for w, q in zip(words, ands)]
        if not last:
            flag = AShare.concat([flag[:d], f + flag[:-d] - prods[-1]])
        d *= 2
    return arith, words


# -- many-to-many ----------------------------------------------------------------------------

def _check_pairs_bound(n_l: int, n_r: int, max_rows: int) -> None:
    """Refuse a many-to-many join whose inputs could pair more rows than ``max_rows``
    (public sizes only: the refusal says nothing about the data)."""
    pairs = n_l * n_r
    if pairs > max_rows:
        raise NotSupportedError(
            f"secret JOIN with duplicate keys on both sides ({n_l:,} x {n_r:,} rows): "
            f"the join may pair up to {pairs:,} row pairs, above the bound of {max_rows:,} "
            f"(max_rows) for many-to-many secret joins; raise that bound ([catalog] max_rows, "
            f"or connect(max_rows=...)), make one side's "
            f"join key unique, or filter the inputs first")


def _expanded_join(rt: Runtime, stack: _Stack, key_slots: list[AShare], moved: list,
                   excluded: BShare, side: BShare, same: BShare, how: str, names: list[str]
                   ) -> SecretRelation:
    """Many-to-many join of the sorted stack by expansion: reveals the number of result
    rows (as the all-pairs join does), in ``O((n + rows) log(n + rows))`` work.

    In a segment of ``a`` usable left and ``b`` usable right rows, left row ``p`` is
    repeated ``b`` times and right row ``q`` ``a`` times (:func:`expansion.expand`), so
    that copy ``k`` of left row ``p`` is at ``offset + p*b + k``; copy ``k`` of right
    row ``q`` is routed to ``offset + k*b + q`` (:func:`expansion.route`), next to its
    partner. LEFT: a valid left row without a partner (no right row in its segment, or
    a NULL key) counts once on both sides, its right columns NULL.
    """
    arith, chars, words = stack.unpack(key_slots, moved)
    n = len(same)
    starts = convert.bit_not(same)
    usable = convert.bit_not(excluded)
    on_left, on_right = convert.and_bits_many(rt, [(usable, convert.bit_not(side)),
                                                    (usable, side)])
    bits = convert.b2a_bit(rt, BShare.concat([on_left, on_right]))
    ul, ur = bits[:n], bits[n:]
    # one scan: running counts of usable left and right rows, and of right rows from the
    # segment's end (left rows come first in a segment, right rows after them)
    runs = segment.segmented_sum(rt, AShare.concat([ul, ur, ur.reversed()]),
                                 BShare.concat([starts, starts,
                                                segment.group_ends(starts).reversed()]))
    lefts, rights, rights_after = runs[:n], runs[n:2 * n], runs[2 * n:].reversed()
    rank = rights - ur  # a right row's rank among its segment's right rows (left: 0)
    n_rights = rights + rights_after - ur  # the segment's usable right rows
    copies_l, copies_r, rank_lefts = rss.mul_many(rt, [(ul, n_rights), (ur, lefts),
                                                       (rank, lefts)])
    if how == "left":  # a valid left row without a partner: once, with NULLs
        alone = convert.bit_and(rt, _bit(words, stack.left.valid),
                                equality.equal_zero(rt, copies_l))
        alone = convert.b2a_bit(rt, alone)
        copies_l, copies_r = copies_l + alone, copies_r + alone
    total = int(rss.reveal(rt, copies_l.sum(), what=openings.ROW_COUNT)[0])
    if total == 0:
        cols = stack.left.columns(arith, chars, words) + stack.right.columns(arith, chars, words)
        return SecretRelation(0, list(names), [c.take(slice(0, 0)) for c in cols])
    # where a right row's copy k goes: its segment's offset + k * n_rights + rank
    offset_rank = segment.prefix_sum(copies_r) - copies_r - rank_lefts + rank
    # both expansions in one: the stack with the left counts, then with the right ones
    twice = [type(c).concat([c, c]) for c in [*arith, *chars, *words, offset_rank, n_rights]]
    out, copy = expansion.expand(rt, AShare.concat([copies_l, copies_r]), 2 * total, twice)
    *slots_x, offset_rank_x, n_rights_x = out
    dest = offset_rank_x[total:] + rss.mul(rt, copy[total:], n_rights_x[total:])
    from_left = [c[:total] for c in slots_x]
    from_right = expansion.route(rt, dest, [c[total:] for c in slots_x])

    def split(cols: list) -> tuple[list, list, list]:
        return (cols[:len(arith)], cols[len(arith):len(arith) + len(chars)],
                cols[len(arith) + len(chars):])

    out_l = stack.left.columns(*split(from_left))
    arith_r, chars_r, words_r = split(from_right)
    if how == "inner":
        out_r = stack.right.columns(arith_r, chars_r, words_r)
    else:  # a copy of a left row without a partner holds left columns: NULL, value 0
        present = _bit(words_r, stack.right.present)
        out_r = stack.right.columns(arith_r, chars_r, words_r,
                                    null_xor=convert.bit_not(present))
        out_r = _zero_unless(rt, present, out_r)
    return SecretRelation(total, list(names), out_l + out_r)


# -- many-to-many: all pairs ----------------------------------------------------------------

def _all_pairs_join(rt: Runtime, left: SecretRelation, right: SecretRelation,
                    keys_l: list[AShare], keys_r: list[AShare], ok_l: BShare, ok_r: BShare,
                    how: str, names: list[str], max_rows: int) -> SecretRelation:
    """Compare every (left, right) pair, then keep the matches (and, for LEFT, the left
    rows without one) by one compaction: reveals the number of result rows."""
    n_l, n_r = left.n, right.n
    pairs = n_l * n_r
    _check_pairs_bound(n_l, n_r, max_rows)
    rows_l = np.repeat(np.arange(n_l), n_r)
    rows_r = np.tile(np.arange(n_r), n_l)
    match_parts = []
    for lo in range(0, pairs, _GRID_CHUNK):
        i, j = rows_l[lo:lo + _GRID_CHUNK], rows_r[lo:lo + _GRID_CHUNK]
        m = len(i)
        eq = equality.equal_zero(rt, AShare.concat([kl[i] - kr[j]
                                                    for kl, kr in zip(keys_l, keys_r)]))
        terms = [eq[k * m:(k + 1) * m] for k in range(len(keys_l))] + [ok_l[i], ok_r[j]]
        match_parts += _and_all(rt, [terms])
    match = BShare.concat(match_parts)
    grid = left.take(rows_l).columns + right.take(rows_r).columns
    rel = SecretRelation(pairs, list(names), grid)
    valid = match
    if how == "left":
        hits = convert.b2a_bit(rt, match)
        per_row = AShare(rt.party, hits.a.reshape(n_l, n_r).sum(axis=1, dtype=U64),
                         hits.b.reshape(n_l, n_r).sum(axis=1, dtype=U64))
        no_match = equality.equal_zero(rt, per_row)
        keep = no_match if left.valid is None else convert.bit_and(rt, left.valid, no_match)
        nulls = [null_column(rt.party, c, n_l) for c in right.columns]
        alone = SecretRelation(n_l, list(names), list(left.columns) + nulls)
        cols = []
        for a, b in zip(rel.columns, alone.columns):
            cols.append(concat_columns(rt.party, [a, b], a.type))
        rel = SecretRelation(pairs + n_l, list(names), cols)
        valid = BShare.concat([match, keep])
    kept = segment.compact(rt, valid, flatten(rel))
    k = len(kept[0]) if kept else 0
    return SecretRelation(k, list(names), unflatten(rel, kept, k))


# -- the PSI join -----------------------------------------------------------------------------

def psi_join(rt: Runtime, left: LocalResult, right: LocalResult, left_party: int,
             right_party: int, left_keys: list[str], right_keys: list[str], how: str,
             names: list[str], left_types: list[str], right_types: list[str],
             string_key: bytes, server: int | None = None) -> SecretRelation:
    """Join two owners' plaintext tables by PSI on their keys, then share the rows.

    ``left.table`` is given on ``left_party`` only, ``right.table`` on ``right_party``.
    The owners learn the intersection (see :mod:`scql_py.mpc.psi`), the other parties
    only the sizes. With a ``server`` (a computing party that is no owner) the PSI is
    server-aided (:mod:`scql_py.mpc.server_psi`): the server also learns each owner's
    number of distinct keys and the intersection's size; without one, ECDH-PSI. Each owner secret-shares its own rows in the join's common order (matched
    pairs, then for LEFT the unmatched left rows, whose right columns are NULL; their
    count is public). All result rows are valid; left columns first, named ``names``.
    """
    if how not in HOWS:
        raise ValueError(f"join type must be one of {HOWS}, got {how!r}")
    if not left_keys or len(left_keys) != len(right_keys):
        raise ValueError("a join needs one or more pairs of key columns")
    n_left = len(left_types)
    if len(names) != n_left + len(right_types):
        raise ValueError("names must name every left column, then every right column")
    if how == "right":
        swapped = psi_join(rt, right, left, right_party, left_party, right_keys, left_keys,
                           "left", names[n_left:] + names[:n_left], right_types, left_types,
                           string_key, server)
        if swapped is None:
            return None
        n_right = len(right_types)
        cols = swapped.columns[n_right:] + swapped.columns[:n_right]
        return SecretRelation(swapped.n, list(names), cols, own_rows=swapped.own_rows)
    types_l = [SqlType.parse(t) for t in left_types]
    types_r = [SqlType.parse(t) for t in right_types]
    me = rt.world.party  # the owners are indices of every party: they may be data parties
    keys = valid = None
    if me in (left_party, right_party):
        mine = left if me == left_party else right
        if mine.table is None:
            raise ValueError("a key owner must hold its table")
        key_names = left_keys if me == left_party else right_keys
        types = types_l if me == left_party else types_r
        columns = list(mine.table.column_names)
        keys, valid = _psi_keys(mine.table, [(k, types[columns.index(k)]) for k in key_names])
    idx = _psi_indices(rt, left_party, right_party, server, keys, valid, how)
    owners = (left_party, right_party)
    if server is None:
        rt.record_world_opening(openings.DISTINCT_KEYS, owners, 1)
    else:
        rt.record_world_opening(openings.MATCHED_MULTIPLICITY, owners, 1)
        rt.record_world_opening(openings.INTERSECTION_SIZE, (server,), 3)
    if not isinstance(idx, tuple):
        idx = None  # the server's answer (the intersection size) or nothing
    rt.record_world_opening(openings.JOIN_MATCHES, owners,
                      len(idx.right) if idx is not None and idx.right is not None else
                      len(idx.left) if idx is not None else 0)
    taken_l = taken_r = None
    if me == left_party:
        rows = idx.left if how == "inner" else np.concatenate([idx.left, idx.unmatched_left])
        taken_l = left.table.take(pa.array(rows, pa.int64()))
    if me == right_party:
        taken_r = right.table.take(pa.array(idx.right, pa.int64()))
    rel_l = share_table(rt, left_party, taken_l, types_l, string_key, names[:n_left])
    rel_r = share_table(rt, right_party, taken_r, types_r, string_key, names[n_left:])
    if not rt.computes:
        return None  # a data party owner: its rows are with the computing parties now
    cols_r = rel_r.columns
    extra = rel_l.n - rel_r.n  # LEFT: the unmatched left rows
    if extra < 0 or (how == "inner" and extra):
        raise InternalError("the PSI join owners shared different row counts")
    if extra:
        party = rt.party
        cols_r = [concat_columns(party, [c, null_column(party, c, extra)], c.type)
                  for c in cols_r]
        if taken_r is not None:  # its columns of the unmatched left rows are NULL
            taken_r = pa.concat_tables([taken_r, pa.Table.from_arrays(
                [pa.nulls(extra, f.type) for f in taken_r.schema], schema=taken_r.schema)])
    own = taken_l if me == left_party else taken_r if me == right_party else None
    return SecretRelation(rel_l.n, list(names), rel_l.columns + cols_r, own_rows=own)


def _psi_indices(rt: Runtime, left_party: int, right_party: int, server: int | None,
                 keys, valid, how: str):
    """The PSI protocol for this join: server-aided when the plan names a server."""
    if server is None:
        run = psi_join_indices if how == "inner" else psi_left_join_indices
        return run(rt.world, left_party, right_party, keys, valid)
    run = server_psi_join_indices if how == "inner" else server_psi_left_join_indices
    return run(rt.world, left_party, right_party, server, keys, valid)


def _psi_keys(table: pa.Table, keys: list[tuple[str, SqlType]]
              ) -> tuple[list[np.ndarray], np.ndarray]:
    """Key columns as PSI inputs: the ring encoding (so that PSI and the secret join
    agree on equality; floats by their exact keys), strings as text; and the mask of
    rows with no NULL component."""
    cols, ok = [], np.ones(table.num_rows, bool)
    for name, t in keys:
        col = as_type(table.column(name), t)
        ok &= ~encoding.null_mask(col)
        if t.kind == "string":
            cols.append(np.asarray(col.to_numpy(zero_copy_only=False), dtype=object))
        elif t.kind == "float64":
            cols.append(encoding.float_join_keys(col))
        else:
            cols.append(encoding.encode(col, t).view(np.int64))
    return cols, ok
