"""Secure division: fixed-point quotients, exact integer DIV/MOD, division by a public int.

:func:`divide` (fixed point, approximate). ``a`` and ``b`` are signed integers in the same
scale; the result is ``a / b`` scaled by ``2^frac_bits``:

1. signs by one batched :func:`compare.msb`; absolute values by bit injection + product;
2. bit decomposition (:func:`convert.a2b`) of ``|a|`` and ``|b|``, highest set bit by a
   prefix OR (6 AND rounds), its index ``k`` by local parities of the one-hot word;
3. normalisation: an exact boolean barrel shifter moves the top bit to bit 63; the top
   ``P = 20`` bits of ``|b|`` and ``PA = 42`` bits of ``|a|`` become arithmetic
   mantissas ``mb``, ``ma`` (:func:`convert.b2a`);
4. Goldschmidt: ``w0 = 2.9142 - 2d`` for ``d = mb / 2^P`` in [0.5, 1), then 3 rounds of
   ``w *= 1 + e; e *= e`` with ``P`` fractional bits, each product (non-negative, below
   2^43) shifted exactly by P bits (:func:`exact_shift.floor_shift`: the one-round
   truncation of :mod:`trunc` failed with probability up to 2^-21 each, six times per
   quotient);
5. ``Q = ma * w``; the result ``Q * 2^(ka - kb + f - P - PA)`` is shifted exactly in the
   boolean domain on a 128-bit register (left by ``ka``, right by ``kb``), converted back
   with :func:`convert.b2a`, and given the sign of ``a * b``.

Error bound (tested): ``|q - 2^f a/b| <= 2^-16 * |2^f a/b| + 1`` for ``|a| < 2^62``,
``1 <= |b| < 2^62`` and a quotient that fits (``|2^f a/b| < 2^62``), always. About 110
rounds. ``b == 0``
gives an unspecified value: the caller must mask it.

:func:`int_divide` / :func:`modulo` are exact (SQL semantics: the quotient truncates
toward zero, the remainder takes the dividend's sign, ``-7 % 3 == -1``) by restoring long
division, two quotient bits per step (base 4, 11 rounds per step): slow, for small
vectors.

:func:`divide_public` is exact ``trunc(x / d)`` for a public ``d``: local division of the
two addends ``u``, ``v`` of ``|x|``, a correction by the secret carry of ``u + v``, and a
final +-1 fix from the remainder. About 30 rounds; 20 for a power of two (exact shifts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scql_py.mpc import compare, convert, mux, rss
from scql_py.mpc.exact_shift import floor_shift
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64
P_DIVISOR = 20  # mantissa bits of |b|, and fractional bits of the Goldschmidt iteration
P_DIVIDEND = 42  # mantissa bits of |a|
GOLDSCHMIDT_ROUNDS = 3
MAX_FRAC_BITS = 40

# bit i of a position index: the positions p with that bit set (parity gives k's bits)
_INDEX_BIT_MASKS = [np.uint64(sum(1 << p for p in range(64) if (p >> i) & 1))
                    for i in range(6)]


# -- helpers ----------------------------------------------------------------------------------

def _abs_with_signs(rt: Runtime, x: AShare) -> tuple[AShare, BShare, AShare]:
    """(|x|, sign bit, sign as arithmetic 0/1). |INT64_MIN| comes out as 2^63."""
    s = compare.msb(rt, x)
    s_arith = convert.b2a_bit(rt, s)
    return x - rss.mul(rt, s_arith, x).mul_public(2), s, s_arith


def _apply_sign(rt: Runtime, pairs: list[tuple[AShare, AShare]]) -> list[AShare]:
    """``v * (1 - 2 s)`` for arithmetic sign bits ``s``, batched in one round."""
    prods = rss.mul_many(rt, pairs)
    return [v - p.mul_public(2) for (_, v), p in zip(pairs, prods)]


def _or(rt: Runtime, x: BShare, y: BShare) -> BShare:
    return x ^ y ^ rss.and_(rt, x, y)


def _parity_bit(w: np.ndarray) -> np.ndarray:
    w = w.copy()
    for s in (32, 16, 8, 4, 2, 1):
        w ^= w >> np.uint64(s)
    return w & np.uint64(1)


def top_bit_index_bits(rt: Runtime, bits: BShare) -> tuple[list[BShare], BShare]:
    """The 6 bits of ``k = floor(log2 x)`` (0 for x = 0) and the prefix-OR word."""
    q = bits
    for s in (1, 2, 4, 8, 16, 32):
        q = _or(rt, q, q >> s)
    onehot = q ^ (q >> 1)
    k_bits = []
    for mask in _INDEX_BIT_MASKS:
        k_bits.append(BShare(rt.party, _parity_bit(onehot.a & mask),
                             _parity_bit(onehot.b & mask)))
    return k_bits, q


def shift_left_by_bits(rt: Runtime, x: BShare, bits: list[BShare]) -> BShare:
    """Exact ``x << sum(bit_i * 2^i)`` on boolean words (one AND round per bit)."""
    for i, b in enumerate(bits):
        x = mux.select_words(rt, b, x << (1 << i), x)
    return x


def _shift_pair(hi: BShare, lo: BShare, s: int, left: bool) -> tuple[BShare, BShare]:
    """A 128-bit register (hi, lo) shifted by 0 < s < 64 (local)."""
    if left:
        return (hi << s) ^ (lo >> (64 - s)), lo << s
    return hi >> s, (lo >> s) ^ (hi << (64 - s))


def _barrel_pair(rt: Runtime, hi: BShare, lo: BShare, bits: list[BShare], left: bool):
    n = len(hi)
    for i, b in enumerate(bits):
        new_hi, new_lo = _shift_pair(hi, lo, 1 << i, left)
        both = mux.select_words(rt, BShare.concat([b, b]), BShare.concat([new_hi, new_lo]),
                                BShare.concat([hi, lo]))
        hi, lo = both[:n], both[n:]
    return hi, lo


# -- fixed-point division ------------------------------------------------------------------

@dataclass
class Divisor:
    """A positive divisor prepared for divisions by it (:func:`divide_by`): the bits of
    its top bit's index and the Goldschmidt reciprocal of its mantissa."""

    k_bits: list[BShare]
    w: AShare


def divide(rt: Runtime, a: AShare, b: AShare, frac_bits: int = FRAC_BITS) -> AShare:
    """``a / b * 2^frac_bits`` for signed integers ``a``, ``b`` in the same scale
    (module doc: method, error bound, ranges). ``b == 0`` gives an unspecified value."""
    a_abs, b_abs, negative = magnitudes(rt, a, b)
    q, _ = divide_unsigned(rt, a_abs, b_abs, frac_bits)
    return q - rss.mul(rt, negative, q).mul_public(2)


def magnitudes(rt: Runtime, a: AShare, b: AShare) -> tuple[AShare, AShare, AShare]:
    """``|a|``, ``|b|`` and the sign of ``a / b`` (1 where exactly one is negative, a
    ring word), in one comparison."""
    n = len(a)
    ab = AShare.concat([a, b])
    signs = compare.msb(rt, ab)
    s = convert.b2a_bit(rt, BShare.concat([signs, convert.bit_xor(signs[:n], signs[n:])]))
    ab_abs = ab - rss.mul(rt, s[:2 * n], ab).mul_public(2)
    return ab_abs[:n], ab_abs[n:], s[2 * n:]


def divide_unsigned(rt: Runtime, a: AShare, b: AShare, frac_bits: int = FRAC_BITS
                    ) -> tuple[AShare, Divisor]:
    """:func:`divide` for ``a >= 0`` and ``b > 0`` (no signs: 10 rounds fewer), and
    ``b`` prepared for further divisions by it."""
    if not 0 <= frac_bits <= MAX_FRAC_BITS:
        raise ValueError(f"frac_bits must be in [0, {MAX_FRAC_BITS}]")
    n = len(a)
    k_bits, m = _normalize(rt, AShare.concat([a, b]), np.repeat([P_DIVIDEND, P_DIVISOR], n))
    divisor = Divisor([kb[n:] for kb in k_bits], _reciprocal(rt, m[n:]))
    return _scaled_quotient(rt, m[:n], [kb[:n] for kb in k_bits], divisor, frac_bits), divisor


def divide_by(rt: Runtime, a: AShare, divisor: Divisor | AShare, frac_bits: int = FRAC_BITS
              ) -> tuple[AShare, Divisor]:
    """:func:`divide` of signed ``a`` by a positive divisor, prepared (its normalisation
    and reciprocal are not computed again: about 70 rounds instead of 110) or not (then
    prepared here, in the rounds of ``a``'s normalisation); returns it prepared."""
    n = len(a)
    sign = convert.b2a_bit(rt, compare.msb(rt, a))
    a_abs = a - rss.mul(rt, sign, a).mul_public(2)
    if isinstance(divisor, Divisor):
        k_bits, ma = _normalize(rt, a_abs, np.full(n, P_DIVIDEND))
    else:
        k_bits, m = _normalize(rt, AShare.concat([a_abs, divisor]),
                               np.repeat([P_DIVIDEND, P_DIVISOR], n))
        divisor = Divisor([kb[n:] for kb in k_bits], _reciprocal(rt, m[n:]))
        k_bits, ma = [kb[:n] for kb in k_bits], m[:n]
    q = _scaled_quotient(rt, ma, k_bits, divisor, frac_bits)
    return q - rss.mul(rt, sign, q).mul_public(2), divisor


def _normalize(rt: Runtime, x: AShare, widths: np.ndarray) -> tuple[list[BShare], AShare]:
    """For ``x > 0``: the bits of ``k = floor(log2 x)`` and the mantissa, the top
    ``widths`` bits of ``x`` from its top bit on, as an arithmetic share."""
    bits = convert.a2b(rt, x)
    k_bits, _ = top_bit_index_bits(rt, bits)
    # shift left by 63 - k: the bits of 63 - k are those of k flipped
    norm = shift_left_by_bits(rt, bits, [convert.bit_not(kb) for kb in k_bits])
    shift = (64 - widths).astype(np.uint64)
    return k_bits, convert.b2a(rt, BShare(rt.party, norm.a >> shift, norm.b >> shift))


def _reciprocal(rt: Runtime, mb: AShare) -> AShare:
    """Goldschmidt: ``w ~ 2^(2 P) / mb`` for a mantissa ``mb`` in ``[2^(P-1), 2^P)``."""
    n, p_b = len(mb), P_DIVISOR
    one = 1 << p_b
    w = (-mb.mul_public(2)).add_public(np.full(n, round(2.9142 * one), dtype=np.int64))
    # every truncated product is non-negative and below 2^43: shifted exactly (the
    # one-round truncation fails with probability 2^(43 - 64) each, six per quotient,
    # and a failure is a wrong quotient that no later correction repairs)
    e = (-floor_shift(rt, rss.mul(rt, mb, w), p_b)).add_public(np.full(n, one, np.int64))
    for i in range(GOLDSCHMIDT_ROUNDS):
        one_plus_e = e.add_public(np.full(n, one, dtype=np.int64))
        if i == GOLDSCHMIDT_ROUNDS - 1:
            w = floor_shift(rt, rss.mul(rt, w, one_plus_e), p_b)
        else:
            w_e = floor_shift(
                rt, AShare.concat(rss.mul_many(rt, [(w, one_plus_e), (e, e)])), p_b)
            w, e = w_e[:n], w_e[n:]
    return w


def _scaled_quotient(rt: Runtime, ma: AShare, ka_bits: list[BShare], divisor: Divisor,
                     frac_bits: int) -> AShare:
    """``Q = ma * w`` shifted by ``ka - kb + f - P - PA``: exact shifts on a 128-bit
    boolean register, left by ``ka``, right by ``kb``."""
    n = len(ma)
    big_q = rss.mul(rt, ma, divisor.w)  # ~ 2^(2 P) ma / mb, below 2^64
    hi = BShare.zeros(rt.party, n)
    lo = convert.a2b(rt, big_q)
    hi, lo = _barrel_pair(rt, hi, lo, ka_bits, left=True)
    hi, lo = _barrel_pair(rt, hi, lo, divisor.k_bits, left=False)
    _, lo = _shift_pair(hi, lo, P_DIVISOR + P_DIVIDEND - frac_bits, left=False)
    return convert.b2a(rt, lo)


# -- exact division by a public integer -------------------------------------------------------

def divide_public(rt: Runtime, x: AShare, d: int) -> AShare:
    """``trunc(x / d)`` exactly (toward zero, like SQL) for a public ``1 <= d < 2^62``.

    ``|x| = u + v - k 2^64`` with ``u`` known to party 0, ``v`` to parties 1 and 2 and the
    carry ``k`` secret; ``floor(u/d) + floor(v/d) - k floor(2^64/d)`` is within 1 of
    ``floor(|x|/d)``, and the remainder's two comparisons fix it. Any int64 ``x``.
    """
    if not 1 <= d < 1 << 62:
        raise ValueError("the public divisor must be in [1, 2^62)")
    if d & (d - 1) == 0:
        return _truncate_shift(rt, x, d.bit_length() - 1)
    ax, _, s_arith = _abs_with_signs(rt, x)
    return _apply_sign(rt, [(s_arith, floor_nonnegative(rt, ax, d))])[0]


def _truncate_shift(rt: Runtime, x: AShare, k: int) -> AShare:
    """``trunc(x / 2^k)``: ``floor(x / 2^k)`` (which has the sign of ``x``) where
    ``x >= 0``, else the ceiling ``floor((x + 2^k - 1) / 2^k)``, both from one exact
    shift (about 20 rounds)."""
    if k == 0:
        return x
    n = len(x)
    floors = floor_shift(rt, AShare.concat([x, x.add_public(U64((1 << k) - 1))]), k)
    down, up = floors[:n], floors[n:]
    return down + mux.mul_bit(rt, compare.msb(rt, down), up - down)


def floor_nonnegative(rt: Runtime, ax: AShare, d: int) -> AShare:
    """``floor(x / d)`` exactly for a public ``1 <= d < 2^62`` and ``0 <= x < 2^64``
    (:func:`divide_public` without the signs): about 20 rounds."""
    n = len(ax)
    me = rt.party
    carry = compare.addend_carry(rt, ax)
    fu = rss.share_input(rt, 0, (ax.a + ax.b) // U64(d) if me == 0 else None, n)
    # floor(v / d) is known to parties 1 and 2: it is share 2 of a sharing
    zero = np.zeros(n, U64)
    if me == 0:
        fv = AShare(me, zero, zero)
    elif me == 1:
        fv = AShare(me, zero, ax.b // U64(d))
    else:
        fv = AShare(me, ax.a // U64(d), zero)
    k = convert.b2a_bit(rt, carry)
    wrap_quotient = U64(((1 << 64) // d) & 0xFFFF_FFFF_FFFF_FFFF)
    q0 = fu + fv - k.mul_public(wrap_quotient)
    r = ax - q0.mul_public(U64(d))  # in [-d, 2d)
    below = compare.msb(rt, AShare.concat([r, r.add_public(U64(-d & 0xFFFF_FFFF_FFFF_FFFF))]))
    fix = convert.b2a_bit(rt, below)  # [r < 0], [r < d]
    return (q0 - fix[:n] - fix[n:]).add_public(U64(1))


# -- exact integer division -------------------------------------------------------------------

def long_divide_base4(rt: Runtime, r: AShare, b: AShare, digits: int,
                      incoming: list[AShare] | None = None, top_3b: BShare | None = None
                      ) -> tuple[AShare, AShare]:
    """Restoring long division in base 4, two quotient bits per step: for
    ``0 <= r < b < 2^62``, each of ``digits`` steps takes ``X = 4 r + incoming[step]``
    (a value in 0..3; 0 without ``incoming``), its digit ``#{j in 1..3: X >= j b}`` and
    ``r = X - digit b``. Returns the digits as one number and the last ``r``.

    ``X < 4 b`` and ``3 b`` fit in 64 bits unsigned: ``X >= j b`` is an unsigned test,
    from the signs of ``X``, ``j b`` and ``X - j b`` (``b`` and ``2 b`` are below 2^63).
    11 rounds per step (and 8 once, for the top bit of ``3 b`` unless given:
    :func:`signs_and_top_of_3b`), twice the words of two binary steps."""
    n = len(r)
    if top_3b is None:
        top_3b = compare.msb(rt, b.mul_public(3))
    q = AShare.zeros(rt.party, n)
    for step in range(digits):
        x = r.mul_public(4)
        if incoming is not None:
            x = x + incoming[step]
        signs = compare.msb(rt, AShare.concat([x, x - b, x - b.mul_public(2),
                                               x - b.mul_public(3)]))
        top_x, below = signs[:n], [signs[k * n:(k + 1) * n] for k in (1, 2, 3)]
        # X < j b: the sign of X - j b where X and j b have the same top bit, else j b's
        lt1, lt2, mixed = convert.and_bits_many(rt, [
            (below[0], convert.bit_not(top_x)), (below[1], convert.bit_not(top_x)),
            (convert.bit_xor(top_x, top_3b), convert.bit_xor(below[2], top_3b))])
        lt3 = convert.bit_xor(below[2], mixed)
        ge = convert.b2a_bit(rt, convert.bit_not(BShare.concat([lt1, lt2, lt3])))
        digit = ge[:n] + ge[n:2 * n] + ge[2 * n:]
        r = x - rss.mul(rt, digit, b)
        q = q.mul_public(4) + digit
    return q, r


# |b| >= this iff 3 |b| >= 2^63 (for |b| < 2^62)
_THIRD = -(-(1 << 63) // 3)


def signs_and_top_of_3b(rt: Runtime, x: AShare, b: AShare) -> tuple[BShare, BShare]:
    """The signs of ``x`` and ``b`` (concatenated) and, in the same comparison, the top
    bit of ``3 |b|`` for :func:`long_divide_base4` (``|b| < 2^62``): ``|b| >= 2^63 / 3``
    iff exactly one of ``b < C``, ``-b < C`` is false."""
    m = len(x) + len(b)
    c = U64(-_THIRD & 0xFFFF_FFFF_FFFF_FFFF)
    signs = compare.msb(rt, AShare.concat([x, b, b.add_public(c), (-b).add_public(c)]))
    return signs[:m], convert.bit_xor(signs[m:m + len(b)], signs[m + len(b):])


def _long_divide(rt: Runtime, a_abs: AShare, b_abs: AShare, bits: int,
                 top_3b: BShare | None = None) -> tuple[AShare, AShare]:
    """floor and remainder of ``a_abs / b_abs`` (``0 <= a_abs < 2^bits``, unsigned;
    ``1 <= b_abs < 2^62``) by restoring division, most significant bits first, two at a
    time (:func:`long_divide_base4`)."""
    n = len(a_abs)
    digits = (bits + 1) // 2
    a_bits = convert.a2b(rt, a_abs)
    one = np.uint64(1)
    stacked = BShare.concat([BShare(rt.party, (a_bits.a >> U64(j)) & one,
                                    (a_bits.b >> U64(j)) & one)
                             for j in reversed(range(2 * digits))])
    a_arith = convert.b2a_bit(rt, stacked)
    pairs = [a_arith[2 * k * n:(2 * k + 1) * n].mul_public(2) + a_arith[(2 * k + 1) * n:
                                                                        (2 * k + 2) * n]
             for k in range(digits)]
    return long_divide_base4(rt, AShare.zeros(rt.party, n), b_abs, digits, pairs, top_3b)


def divmod_(rt: Runtime, a: AShare, b: AShare, bits: int = 64) -> tuple[AShare, AShare]:
    """Exact SQL ``(a DIV b, a % b)``: quotient toward zero, remainder with the sign of
    ``a``. ``|a| < 2^bits`` (default: any int64), ``1 <= |b| < 2^62``; ``b == 0`` gives
    unspecified values. About ``5.5 * bits + 30`` rounds."""
    n = len(a)
    ab = AShare.concat([a, b])
    signs, top_3b = signs_and_top_of_3b(rt, a, b)
    sign_q = convert.bit_xor(signs[:n], signs[n:])
    s_arith = convert.b2a_bit(rt, BShare.concat([signs, sign_q]))
    ab_abs = ab - rss.mul(rt, s_arith[:2 * n], ab).mul_public(2)
    q, r = _long_divide(rt, ab_abs[:n], ab_abs[n:], bits, top_3b)
    q, r = _apply_sign(rt, [(s_arith[2 * n:], q), (s_arith[:n], r)])
    return q, r


def int_divide(rt: Runtime, a: AShare, b: AShare, bits: int = 64) -> AShare:
    """Exact integer division truncating toward zero (SQL ``DIV``; ``-7 DIV 2 = -3``)."""
    return divmod_(rt, a, b, bits)[0]


def modulo(rt: Runtime, a: AShare, b: AShare, bits: int = 64) -> AShare:
    """Exact remainder with the dividend's sign (SQL/DuckDB ``%``: ``-7 % 3 = -1``)."""
    return divmod_(rt, a, b, bits)[1]
