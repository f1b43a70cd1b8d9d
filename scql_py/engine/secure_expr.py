"""Evaluate SQL expressions over secret columns, one ``visit_<Node>`` per sqlglot node.

Every party runs the same visits in the same order on its own shares; protocol calls
inside keep them in lockstep. Values are :class:`SecretColumn` (one per row) or
:class:`Const` (a literal). NULLs follow SQL: arithmetic and comparisons with a NULL
give NULL, AND/OR use three-valued logic, division by zero gives NULL (MySQL's rule).
Anything else raises ``NotSupportedError`` naming the construct.
"""

from __future__ import annotations

import datetime as dt
import decimal as dec
import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from sqlglot import exp

from scql_py.catalog.types import BOOL, FLOAT64, INT64, STRING, TIMESTAMP, SqlType
from scql_py.engine.encoding import pack_strings, string_hash
from scql_py.engine.keyed_floats import is_fixed_exact, with_keys
from scql_py.engine.relation import (
    Const,
    FloatBits,
    Quotient,
    SecretColumn,
    SecretRelation,
    common_exact,
)
from scql_py.engine.secure_dates import US_PER_DAY, SecureDates
from scql_py.engine.secure_like import SecureLike
from scql_py.engine.secure_math import SecureMath
from scql_py.errors import DataError, NotSupportedError
from scql_py.mpc import (
    byte_order,
    compare,
    convert,
    division,
    equality,
    float_addition,
    float_division,
    float_keys,
    float_product,
    int_overflow,
    mux,
    sum_range,
)
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.float_parts import RealWords
from scql_py.mpc.rounded_division import divide_rounded
from scql_py.mpc.rss import AShare, BShare, and_, and_many
from scql_py.mpc.rss import mul as rss_mul
from scql_py.mpc.runtime import Runtime
from scql_py.sql.type_inference import (
    NULL_TYPE,
    arithmetic_type,
    cast_target,
    common_type,
    literal_type,
)

QUOTIENT_BITS = 62 - FRAC_BITS  # a quotient is a fixed-point word: below 2^46
Value = SecretColumn | Const


# -- bits (the protocols are mpc.convert's and mpc.mux's) -----------------------------------
bit_not = convert.bit_not


def bit_or(rt: Runtime, a: BShare | None, b: BShare | None) -> BShare | None:
    """OR of two optional NULL bits (None: no row is NULL)."""
    if a is None:
        return b
    if b is None:
        return a
    return convert.bit_or(rt, a, b)


def select_words(rt: Runtime, cond: BShare, a: list[BShare], b: list[BShare]) -> list[BShare]:
    """cond ? a : b for lists of XOR-shared words (string bytes), in one AND round."""
    if not a:
        return []
    n = len(cond)
    chosen = mux.select_words(rt, BShare.concat([cond] * len(a)), BShare.concat(a),
                              BShare.concat(b))
    return [chosen[i * n:(i + 1) * n] for i in range(len(a))]


def const_word(value, t: SqlType) -> int:
    """The ring word of a public value in type ``t``."""
    kind = t.kind
    if kind == "bool":
        return int(bool(value))
    if kind == "int64":
        return int(value)
    if kind == "float64":
        x = float(value)
        if not math.isfinite(x) or abs(x) >= 2.0**47:  # no fixed-point word holds it
            raise NotSupportedError(f"the constant {value} in arithmetic over secret data "
                                    "(reals are fixed point below 2^47 there)")
        return int(round(x * (1 << FRAC_BITS)))
    if kind == "decimal":
        scaled = dec.Decimal(str(value)).scaleb(t.scale).to_integral_value(dec.ROUND_HALF_UP)
        return int(scaled)
    if kind == "date":
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        if isinstance(value, dt.datetime):
            value = value.date()
        return (value - dt.date(1970, 1, 1)).days
    if kind == "timestamp":
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        delta = value - dt.datetime(1970, 1, 1)
        return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    raise NotSupportedError(f"a constant of type {t}")


def _public_word(v: Value, t: SqlType) -> int | None:
    """The ring word of ``v`` in the int64 or decimal type ``t`` it is compared in, where
    it is a non-NULL literal (public to every party), else None. (``materialize`` has
    made that word already, and refused one past the int64 range.)"""
    if not isinstance(v, Const) or v.value is None or isinstance(v.value, bool) \
            or t.kind not in ("int64", "decimal") or v.type.kind not in ("int64", "decimal"):
        return None
    return const_word(v.value, t)


def _literal_key(c: Const) -> int:
    return 0 if c.value is None else float_keys.key_of(float(c.value))


def _exact_with_real_constant(a: Value, b: Value) -> bool:
    """Whether ``a op b`` is an integer or a decimal column with a real constant (a
    ``float64`` one, or a decimal one: DuckDB divides by its double), whose result DuckDB
    computes in doubles: from keys, it is exactly DuckDB's and keeps its bits."""
    for c, v in ((a, b), (b, a)):
        if (isinstance(c, Const) and c.value is not None
                and c.type.kind in ("float64", "decimal") and isinstance(v, SecretColumn)
                and v.type.kind in ("int64", "decimal")):
            return True
    return False


class SecureEvaluator(SecureMath, SecureDates, SecureLike):
    """Evaluates expressions whose column names refer to ``rel``'s columns (the visits
    of math functions are :class:`SecureMath`'s, of date parts :class:`SecureDates`',
    of LIKE :class:`SecureLike`'s)."""

    def __init__(self, rt: Runtime, rel: SecretRelation, string_key: bytes):
        self.rt = rt
        self.rel = rel
        self.n = rel.n
        self.string_key = string_key
        # bits of sums out of range (aggregates add them; the result's reveal opens them)
        self.out_of_range: list[BShare] = []
        # a bit per row of ``rel`` for each value computed out of range, or used out of
        # range (a column's own bits), on rows that are there: the step that evaluates
        # puts them where its rows go (engine/kept_range.py)
        self.row_range: list[BShare] = []
        self._cast_keys: dict[int, tuple[SecretColumn, AShare]] = {}  # see _cast_key

    # -- entry points ---------------------------------------------------------------------
    def evaluate(self, e: exp.Expression, t: SqlType | None = None) -> SecretColumn:
        """Evaluate to a secret column of ``n`` rows (constants are broadcast)."""
        v = self.visit(e)
        if t is not None and v.type != t and not (t.kind == "string" and v.type.kind == "string"):
            v = self.cast(v, t)
        return self.materialize(v)

    def visit(self, e: exp.Expression) -> Value:
        method: Callable | None = getattr(self, f"visit_{type(e).__name__}", None)
        if method is None:
            raise NotSupportedError(f"{e.key.upper()} over secret data ({e.sql()})")
        return method(e)

    # -- leaves ---------------------------------------------------------------------------
    def visit_Column(self, e: exp.Column) -> Value:
        col = self.rel.column(e.name)
        if col.out_of_range is not None and self.n:  # a value out of range is used
            self._check_range(col.out_of_range, None)
        return col

    def visit_Paren(self, e: exp.Paren) -> Value:
        return self.visit(e.this)

    def visit_Alias(self, e: exp.Alias) -> Value:
        return self.visit(e.this)

    def visit_Literal(self, e: exp.Literal) -> Value:
        t = literal_type(e)
        if t.kind == "string":
            return Const(STRING, e.this)
        if t.kind == "int64":
            return Const(INT64, int(e.this))
        if t.kind == "decimal":
            return Const(t, dec.Decimal(e.this))
        return Const(FLOAT64, float(e.this))

    def visit_Null(self, e: exp.Null) -> Value:
        return Const(NULL_TYPE, None)

    def visit_Boolean(self, e: exp.Boolean) -> Value:
        return Const(BOOL, bool(e.this))

    def visit_Cast(self, e: exp.Cast) -> Value:
        v, t = self.visit(e.this), cast_target(e.to)
        out = self.cast(v, t)
        if (isinstance(v, SecretColumn) and v.type.kind in ("int64", "decimal")
                and t.kind == "float64" and isinstance(out, SecretColumn)):
            # the nearest double, as DuckDB casts it, with its key: a real like a stored
            # one (divided, compared, joined on exactly), not only its fixed-point word
            out = SecretColumn(FLOAT64, out.value, out.null, exact=FloatBits(self._cast_key(v)))
        return out

    visit_TryCast = visit_Cast

    # -- materialising and converting -------------------------------------------------------
    def materialize(self, v: Value) -> SecretColumn:
        if isinstance(v, SecretColumn):
            return v
        party, n = self.rt.party, self.n
        t = v.type if v.type.kind != "null" else INT64
        null = None
        if v.value is None:
            null = BShare.public(party, np.ones(n, dtype=np.uint64))
            words = np.zeros(n, dtype=np.uint64)
        elif t.kind == "string":
            words = np.full(n, string_hash([v.value], self.string_key)[0], dtype=np.uint64)
        else:
            word = const_word(v.value, t)
            if not int_overflow.INT64_MIN <= word <= int_overflow.INT64_MAX:
                raise NotSupportedError(f"the constant {v.value} as a {t} in a computation "
                                        "over secret data (past the int64 range unscaled)")
            words = np.full(n, np.int64(word).view(np.uint64), dtype=np.uint64)
        if t.kind == "bool":
            return SecretColumn(t, BShare.public(party, words), null)
        chars = exact = None
        if t.kind == "string":
            packed = pack_strings([v.value or ""] * n, -(-len((v.value or "").encode()) // 8))
            chars = [BShare.public(party, packed[:, j]) for j in range(packed.shape[1])]
        if t.kind == "float64":  # a literal is exact: compare it by its key
            key = np.int64(_literal_key(Const(t, v.value))).view(np.uint64)
            exact = FloatBits(AShare.public(party, np.full(n, key)))
        return SecretColumn(t, AShare.public(party, words), null, chars, exact)

    def cast(self, v: Value, t: SqlType) -> Value:
        """Convert to type ``t`` (the SQL CAST semantics of DuckDB, rounding as noted)."""
        if v.type == t:
            return v
        if isinstance(v, Const):
            return self._cast_const(v, t)
        src = v.type
        rt = self.rt
        if t.kind == "bool":
            if src.kind == "string":
                raise NotSupportedError("CAST of a secret string to BOOLEAN")
            # a float's key is 0 only for 0.0 (fixed point rounds tiny values to 0)
            nz = bit_not(equality.equal_zero(rt, v.key if v.key is not None else v.value))
            return SecretColumn(BOOL, nz, v.null)
        if src.kind == "bool":
            ints = SecretColumn(INT64, convert.b2a_bit(rt, v.value), v.null)
            return self.cast(ints, t) if t != INT64 else ints
        if src.kind == "string" or t.kind == "string":
            raise NotSupportedError(f"CAST of secret {src} to {t}")
        if src.kind == "date" and t.kind == "timestamp":
            return SecretColumn(t, v.value.mul_public(US_PER_DAY), v.null)
        if src.kind == "timestamp" and t.kind == "date":
            return SecretColumn(t, self._floor_div(v.value, US_PER_DAY), v.null)
        if {src.kind, t.kind} & {"date", "timestamp", "interval"}:
            raise NotSupportedError(f"CAST of secret {src} to {t}")
        if src.kind == "int64" and t.kind == "float64" and self.n:
            self._check_fixed_point_range(v)
        if src.kind == "float64" and isinstance(v.exact, FloatBits) and self.n:
            if t.kind == "int64" or t.scale == 0:
                return SecretColumn(t, self._round_stored_real(v, t), v.null)
            if t.scale <= 15:  # DuckDB's x * 10^s as a double, then rounded: exact
                scaled = float_product.multiply_keys(rt, v.exact.key,
                                                     self._public_key(float(10**t.scale)))
                self._check_range(scaled.beyond, v.null)
                whole = SqlType.parse(f"decimal({t.precision},0)")
                product = SecretColumn(FLOAT64, scaled.q, v.null, exact=FloatBits(scaled.key))
                return SecretColumn(t, self._round_stored_real(product, whole), v.null)
            self._refuse_near_ties(v, t)
        if (src.kind in ("int64", "decimal") and t.kind == "decimal" and self.n
                and t.scale > (src.scale or 0)):  # scaled up by 10^k: it may leave int64
            self._check_range(int_overflow.public_product(
                self.rt, v.value, 10 ** (t.scale - (src.scale or 0))), v.null)
        return SecretColumn(t, self._rescale(v.value, src, t), v.null)

    def _check_fixed_point_range(self, v: SecretColumn) -> None:
        """An int64 made a real: its fixed-point word holds it only below 2^47 in
        magnitude; past that the asker gets the out-of-range error (where the row is
        there and not NULL), never a wrapped value."""
        limit = 1 << 47  # reals are fixed point below 2^47
        signs = compare.msb(self.rt, AShare.concat([v.value.add_public(limit - 1),
                                                    (-v.value).add_public(limit - 1)]))
        self._check_range(bit_or(self.rt, signs[:self.n], signs[self.n:]), v.null)

    def _round_stored_real(self, v: SecretColumn, t: SqlType) -> AShare:
        """A stored real to an integer (BIGINT, DECIMAL(p,0)) as DuckDB rounds its double
        ``x``: its fixed-point form ``v`` (within 2^-17) is on ``x``'s side of every tie
        but where ``v`` is a tie itself; there the key of ``x`` against the key of ``v``
        tells whether ``x`` is the tie (rounded as ``v``) or above or below it."""
        rt = self.rt
        rounded = self._rescale(v.value, FLOAT64, t)
        unit = 1 << FRAC_BITS
        r = v.value - division.divide_public(rt, v.value, unit).mul_public(unit)
        ties = equality.equal_public(rt, AShare.concat([r, -r]), unit // 2)
        tie = bit_or(rt, ties[: self.n], ties[self.n:])
        fixed = float_keys.from_fixed(rt, v.value)
        sides = compare.less_than_wide(rt, AShare.concat([fixed, v.exact.key]),
                                       AShare.concat([v.exact.key, fixed]))
        above, below = sides[: self.n], sides[self.n:]
        off_tie = and_(rt, tie, bit_or(rt, above, below))  # x is near, not at, the tie
        side = self._floor_div(v.value, unit) + convert.b2a_bit(rt, above)
        return mux.select(rt, off_tie, side, rounded)

    def _refuse_near_ties(self, v: SecretColumn, t: SqlType) -> None:
        """A stored real cast to an integer or decimal rounds as DuckDB does, the double
        ``x`` times ``10^s`` rounded (a DECIMAL half away from zero, a BIGINT to even),
        except where its fixed-point form (within 2^-17 of ``x``) is too near a tie of
        the last digit to tell the side: then the asker gets the out-of-range error (the
        query's one bit), never the other side. Near means within ``10^s 2^-17`` of a
        unit of the last digit, and ``2^-10`` more for the rounding of DuckDB's product
        (``|x| 10^s`` below 2^43, or it is refused too); at a scale of 5 or more every
        value is near. (Scale 0: :meth:`_round_stored_real`, exact.) Where its owner
        can, the planner casts a stored real there instead (exactly)."""
        rt = self.rt
        scale = t.scale
        unit = 1 << FRAC_BITS  # of the last digit, in x 10^s 2^16
        margin = 10**scale // 2 + 64
        y = v.value.mul_public(10**scale % 2**64)  # its low 16 bits are exact, wrapped or not
        r = y - division.divide_public(rt, y, unit).mul_public(unit)  # y mod 2^16, signed
        sign = convert.b2a_bit(rt, compare.msb(rt, r))
        offset = r - rss_mul(rt, sign, r).mul_public(2) - AShare.public(
            rt.party, np.full(self.n, unit // 2, dtype=np.uint64))  # |r| - 1/2
        near = bit_not(sum_range.beyond(rt, offset, margin + 1))
        large = max(1, (1 << 59) // 10**scale)
        near = bit_or(rt, near, sum_range.beyond(rt, v.value, large))
        if v.null is not None:
            near = and_(rt, near, bit_not(v.null))
        if self.rel.valid is not None:  # the rows a filter left out are no one's answer
            near = and_(rt, near, self.rel.valid)
        self.row_range.append(near)

    def _cast_const(self, v: Const, t: SqlType) -> Const:
        if v.value is None:
            return Const(t, None)
        val = v.value
        try:
            if t.kind == "int64":
                if isinstance(val, str):
                    val = dec.Decimal(val)
                # DuckDB rounds a DOUBLE to even, a DECIMAL half away from zero
                mode = dec.ROUND_HALF_EVEN if isinstance(val, float) else dec.ROUND_HALF_UP
                val = int(dec.Decimal(str(val)).to_integral_value(mode)) if not isinstance(val, bool) else int(val)
            elif t.kind == "float64":
                val = float(val)
            elif t.kind == "decimal":
                val = dec.Decimal(str(val)).quantize(dec.Decimal(1).scaleb(-t.scale), dec.ROUND_HALF_UP)
            elif t.kind == "bool":
                val = val if isinstance(val, bool) else (str(val).lower() in ("true", "t", "1") if isinstance(val, str) else bool(val))
            elif t.kind == "string":
                val = str(val)
            elif t.kind == "date":
                val = dt.date.fromisoformat(str(val)[:10]) if not isinstance(val, dt.date) else val
            elif t.kind == "timestamp":
                val = dt.datetime.fromisoformat(str(val)) if not isinstance(val, dt.datetime) else val
        except (ValueError, dec.InvalidOperation):
            raise DataError(f"cannot cast {v.value!r} to {t}") from None
        return Const(t, val)

    def _rescale(self, x: AShare, src: SqlType, dst: SqlType) -> AShare:
        """Numeric value in ``src`` encoding -> ``dst`` encoding (int, decimal, float)."""
        s_scale = src.scale if src.kind == "decimal" else 0
        if dst.kind == "float64":
            if src.kind == "float64":
                return x
            return self._scaled(x, 1 << FRAC_BITS, 10**s_scale)
        if src.kind == "float64":
            # DuckDB rounds DOUBLE -> DECIMAL half away from zero (any scale, 0 too) but
            # DOUBLE -> BIGINT to even. Both round the fixed-point value x / 2^16 exactly,
            # not the double it came from: a tie is a tie of the fixed-point value (2.5 is
            # exact in both), while a double within 2^-17 of a tie (0.135 at scale 2) was
            # already rounded to a multiple of 2^-16 on input and may fall on either side.
            if dst.kind == "decimal":
                return self._scaled(x, 10**dst.scale, 1 << FRAC_BITS)
            return self._round_half_even(x, 1 << FRAC_BITS)
        d_scale = dst.scale if dst.kind == "decimal" else 0
        if d_scale >= s_scale:
            return x.mul_public(10 ** (d_scale - s_scale)) if d_scale > s_scale else x
        return self._round_div(x, 10 ** (s_scale - d_scale))

    def _round_div(self, x: AShare, d: int) -> AShare:
        """x / d rounded half away from zero (DuckDB's decimal rounding)."""
        neg = compare.msb(self.rt, x)
        half = d // 2
        adjusted = mux.select(self.rt, neg, x.add_public(-half), x.add_public(half))
        return division.divide_public(self.rt, adjusted, d)

    def _round_half_even(self, x: AShare, d: int) -> AShare:
        """x / d rounded to nearest, ties to even (DuckDB's DOUBLE -> BIGINT)."""
        rt = self.rt
        away = self._round_div(x, d)
        # a tie is x = (q +- 1/2) d exactly: then |x - q d| = d/2 and q may be odd
        diff = x - away.mul_public(d)
        tie = equality.equal_public(rt, AShare.concat([diff, -diff]), d // 2)
        tie = bit_or(rt, tie[: len(x)], tie[len(x):])
        odd = convert.a2b(rt, away).and_public(np.uint64(1))
        fix = convert.b2a_bit(rt, and_(rt, tie, odd))
        # move toward zero by one: away has the sign of x
        sign = convert.b2a_bit(rt, compare.msb(rt, away))
        step = fix - rss_mul(rt, fix, sign).mul_public(2)  # +fix for x > 0, -fix below
        return away - step

    def _floor_div(self, x: AShare, d: int) -> AShare:
        q = division.divide_public(self.rt, x, d)  # truncates toward zero
        r = x - q.mul_public(d)
        neg_r = compare.msb(self.rt, r)
        return q - convert.b2a_bit(self.rt, neg_r)

    def align(self, a: Value, b: Value, context: str) -> tuple[SecretColumn, SecretColumn, SqlType]:
        t = common_type(a.type, b.type, context)
        a2 = self.materialize(self.cast(a, t) if a.type.kind != "null" else Const(t, None))
        b2 = self.materialize(self.cast(b, t) if b.type.kind != "null" else Const(t, None))
        return a2, b2, t

    # -- arithmetic -------------------------------------------------------------------------
    def _nulls(self, *vals: SecretColumn) -> BShare | None:
        out = None
        for v in vals:
            out = bit_or(self.rt, out, v.null)
        return out

    def visit_Neg(self, e: exp.Neg) -> Value:
        v = self.visit(e.this)
        if isinstance(v, Const):
            return Const(v.type, None if v.value is None else -v.value)
        self._check_negation(v)
        # -x keeps either exact form: a key negates as a ring word, a quotient's dividend
        exact = None if v.exact is None else v.exact.negated()
        return SecretColumn(v.type, -v.value, v.null, exact=exact)

    def _check_negation(self, v: SecretColumn) -> None:
        """-2^63 has no int64 negation (DuckDB's error, the out-of-range one here)."""
        if v.type.kind in ("int64", "decimal") and self.n:
            self._check_range(int_overflow.negation(self.rt, v.value), v.null)

    # -- ABS, ROUND, FLOOR, CEIL (sql/secure_nodes.py refuses them on floats) -------------
    def visit_Abs(self, e: exp.Abs) -> Value:
        v = self.visit(e.this)
        if isinstance(v, Const):
            return Const(v.type, None if v.value is None else abs(v.value))
        if v.type.kind not in ("int64", "decimal", "float64"):
            raise NotSupportedError(f"ABS of {v.type}")
        # a NULL compares as NULL, which choose takes as false: the NULL itself is kept
        negative = self.compare(v, Const(INT64, 0), "<")
        self._check_negation(v)
        exact = None if v.exact is None else v.exact.negated()
        return self.choose(negative, SecretColumn(v.type, -v.value, v.null, exact=exact), v,
                           v.type)

    def _rounded(self, e: exp.Expression, how: str) -> Value:
        """ROUND (half away from zero, to ``digits``), FLOOR or CEIL of an integer or a
        decimal, exactly: a decimal(p, s) becomes decimal(p, digits) (0 for FLOOR, CEIL)."""
        v = self.visit(e.this)
        digits = 0
        if how == "round" and e.args.get("decimals") is not None:
            digits = int(e.args["decimals"].this)
        if isinstance(v, Const):
            raise NotSupportedError(f"{how.upper()} of a constant under MPC")
        if v.type.kind == "int64":
            # DuckDB's FLOOR and CEIL of an integer are DOUBLE, its ROUND an integer
            return v if how == "round" else self.cast(v, FLOAT64)
        if v.type.kind == "decimal" and digits >= v.type.scale:
            return v
        if v.type.kind != "decimal":
            raise NotSupportedError(f"{how.upper()} of {v.type} over secret data")
        d = 10 ** (v.type.scale - digits)
        t = SqlType("decimal", v.type.precision, digits)
        if how == "round":
            value = self._round_div(v.value, d)
        elif how == "floor":
            value = self._floor_div(v.value, d)
        else:
            value = -self._floor_div(-v.value, d)
        return SecretColumn(t, value, v.null)

    def visit_Round(self, e: exp.Round) -> Value:
        return self._rounded(e, "round")

    def visit_Floor(self, e: exp.Floor) -> Value:
        return self._rounded(e, "floor")

    def visit_Ceil(self, e: exp.Ceil) -> Value:
        return self._rounded(e, "ceil")

    def visit_Add(self, e: exp.Add) -> Value:
        return self._additive(e, "+")

    def visit_Sub(self, e: exp.Sub) -> Value:
        return self._additive(e, "-")

    def _additive(self, e: exp.Expression, op: str) -> Value:
        a, b = self.visit(e.left), self.visit(e.right)
        t = arithmetic_type(op, a.type, b.type)
        if t.kind == "interval":  # the microseconds between them (a date: its midnight)
            a2, b2 = (self.materialize(self.cast(v, TIMESTAMP)) for v in (a, b))
            return SecretColumn(t, a2.value - b2.value, self._nulls(a2, b2))
        if t.kind in ("date", "timestamp") or (a.type.kind == "date" and b.type.kind == "date"):
            a2, b2 = self.materialize(a), self.materialize(b)
            if a2.type.kind == "null":
                a2 = self.materialize(Const(t, None))
            val = a2.value + b2.value if op == "+" else a2.value - b2.value
            return SecretColumn(t, val, self._nulls(a2, b2))
        keys = self._keys_of_reals(a, b) if t.kind == "float64" else None
        if keys is not None:  # IEEE-754's own sum, one rounding (mpc/float_addition.py)
            key_b = keys[1] if op == "+" else -keys[1]  # key(-x) = -key(x)
            return self._real_result(a, b, float_addition.add_keys(self.rt, keys[0], key_b))
        a1, b1 = (self.cast(v, t) if v.type.kind != "null" else Const(t, None) for v in (a, b))
        a2, b2 = self.materialize(a1), self.materialize(b1)
        val = a2.value + b2.value if op == "+" else a2.value - b2.value
        null = self._nulls(a2, b2)
        if t.kind in ("int64", "decimal") and self.n and not any(
                isinstance(v, Const) and v.value is None for v in (a1, b1)):
            if isinstance(b1, Const):  # a public operand: its sign is known
                beyond = int_overflow.additive(self.rt, a2.value, const_word(b1.value, t), val,
                                               op == "-")
            elif isinstance(a1, Const) and op == "+":
                beyond = int_overflow.additive(self.rt, b2.value, const_word(a1.value, t), val,
                                               False)
            else:
                beyond = int_overflow.additive(self.rt, a2.value, b2.value, val, op == "-")
            self._check_range(beyond, null)
        return SecretColumn(t, val, null)

    def visit_Mul(self, e: exp.Mul) -> Value:
        a, b = self.visit(e.left), self.visit(e.right)
        t = arithmetic_type("*", a.type, b.type)
        keys = self._keys_of_reals(a, b) if t.kind == "float64" else None
        if keys is not None:
            return self._real_result(a, b, float_product.multiply_keys(self.rt, *keys))
        if isinstance(a, Const) and not isinstance(b, Const):
            a, b = b, a
        if (t.kind == "float64" and isinstance(b, Const) and b.value is not None
                and b.type.kind == "decimal" and isinstance(a, SecretColumn)):
            # exact: scale by the constant's digits, then one correctly rounded division
            x = self.cast(a, FLOAT64)
            digits = const_word(b.value, b.type)
            return SecretColumn(FLOAT64, self._scaled(x.value, digits, 10**b.type.scale), x.null)
        if t.kind == "float64":
            # an int64 times a fixed-point word is that product in fixed point already
            a, b = (v if v.type.kind == "int64" and isinstance(v, SecretColumn)
                    else self.cast(v, FLOAT64) if v.type.kind not in ("null",)
                    else Const(FLOAT64, None) for v in (a, b))
            if isinstance(b, Const) and b.value is not None and float(b.value).is_integer():
                a, b = a, Const(INT64, int(b.value))  # exact: no truncation needed
            elif isinstance(a, Const) and a.value is not None and float(a.value).is_integer():
                a, b = b, Const(INT64, int(a.value))
        a2, b2 = self.materialize(a), self.materialize(b)
        beyond = None
        exact = t.kind in ("int64", "decimal") and self.n > 0  # (an unscaled integer)
        if isinstance(b, Const) and b.value is not None and b.type.kind in ("int64", "decimal"):
            k = const_word(b.value, b.type)
            val = a2.value.mul_public(k)
            beyond = int_overflow.public_product(self.rt, a2.value, k) if exact else None
        elif isinstance(a, Const) and a.value is not None and a.type.kind in ("int64", "decimal"):
            k = const_word(a.value, a.type)
            val = b2.value.mul_public(k)
            beyond = int_overflow.public_product(self.rt, b2.value, k) if exact else None
        elif t.kind == "float64" and a2.type.kind == "float64" and b2.type.kind == "float64":
            val = self._fixed_product(a2.value, b2.value)
        else:
            val = self._mul(a2.value, b2.value)
            if exact and not any(isinstance(v, Const) and v.value is None for v in (a, b)):
                beyond = int_overflow.product(self.rt, a2.value, b2.value)
        null = self._nulls(a2, b2)
        if beyond is not None:
            self._check_range(beyond, null)
        return SecretColumn(t, val, null)

    def _mul(self, x: AShare, y: AShare) -> AShare:
        return rss_mul(self.rt, x, y)

    def _fixed_product(self, x: AShare, y: AShare) -> AShare:
        """``x y / 2^f`` rounded, for fixed-point words ``x`` and ``y``, wherever the
        result is in range. The product itself carries 2f fractional bits and leaves
        the ring once ``|x y| >= 2^(63 - 2f) = 2^31``; instead each word is split
        exactly as ``h 2^f + l`` (``|l| < 2^f``), and ``x y / 2^f`` is
        ``hx hy 2^f + hx ly + lx hy + lx ly / 2^f``: only the last term is divided
        (exactly, rounded), and no term is larger than the result or ``2^(63 - f)``."""
        n, unit = len(x), 1 << FRAC_BITS
        words = AShare.concat([x, y])
        high = division.divide_public(self.rt, words, unit)
        low = words - high.mul_public(unit)
        hx, hy, lx, ly = high[:n], high[n:], low[:n], low[n:]
        p = self._mul(AShare.concat([hx, hx, lx, lx]), AShare.concat([hy, ly, hy, ly]))
        return (p[:n].mul_public(unit) + p[n:2 * n] + p[2 * n:3 * n]
                + self._round_div(p[3 * n:], unit))

    def _scaled(self, x: AShare, k: int, d: int) -> AShare:
        """``x k / d`` rounded, for a public integer ``k`` and ``d >= 1``, wherever the
        result is in range: ``x = q d + r`` exactly first, so that no term is larger
        than the result or ``|k| d`` (``x k`` itself may leave the ring)."""
        if d == 1:
            return x.mul_public(k)
        if abs(k) * d >= 1 << 62:
            return self._round_div(x.mul_public(k), d)
        q = division.divide_public(self.rt, x, d)
        r = x - q.mul_public(d)
        return q.mul_public(k) + self._round_div(r.mul_public(k), d)

    def visit_Div(self, e: exp.Div) -> Value:
        a, b = self.visit(e.left), self.visit(e.right)
        if any(v.type.kind == "null" or (isinstance(v, Const) and v.value is None)
               for v in (a, b)):
            return Const(FLOAT64, None)
        keys = self._keys_of_reals(a, b, computed=True)
        if keys is not None:
            return self._real_result(a, b, float_division.divide_keys(self.rt, *keys))
        if (isinstance(b, Const) and isinstance(a, SecretColumn)
                and b.type.kind in ("int64", "decimal") and a.type.kind != "bool"):
            return self._divide_by_constant(a, b)
        a2, b2, t = self.align(a, b, "/")
        if t.kind == "bool":
            raise NotSupportedError("division of booleans")
        zero = equality.equal_zero(self.rt, b2.value)
        null = bit_or(self.rt, self._nulls(a2, b2), zero)
        if self.n:  # a quotient past the fixed point's range is an error, not a wrap
            self._check_range(
                sum_range.quotient_beyond(self.rt, a2.value, b2.value, QUOTIENT_BITS), null)
        val = divide_rounded(self.rt, a2.value, b2.value, FRAC_BITS)
        # opened, the quotient shows more bits (see reveal)
        return SecretColumn(FLOAT64, val, null, exact=Quotient(a2.value, b2.value))

    def _keys_of_reals(self, a: Value, b: Value, computed: bool = False
                       ) -> tuple[AShare, AShare] | None:
        """The float keys of ``a`` and ``b`` where ``a op b`` is of doubles known exactly:
        one of them a real with its bits (only moved since it was stored, or computed
        from bits), the other such a real, an integer or a constant; or an integer or a
        decimal with a real constant (``k * 1e-1``, ``k / 0.3``: DuckDB's doubles, which
        fixed point would round). None otherwise: a computed real is fixed point, and
        computed on as such; unless ``computed`` (a quotient), where the other operand is
        then the double of its exact form (:meth:`_computed_key`): dividing by a real with
        bits must not round that real to 2^-16 (``AVG(id) / SUM(f)`` of a sum of 0.001)."""
        if not any(isinstance(v, SecretColumn) and v.key is not None for v in (a, b)) \
                and not _exact_with_real_constant(a, b):
            return None
        keys = []
        for v in (a, b):
            if isinstance(v, Const):
                if v.value is None or v.type.kind not in ("int64", "decimal", "float64"):
                    return None
                if not math.isfinite(float(v.value)):
                    raise NotSupportedError(f"the constant {v.value} (not a finite double) "
                                            "with secret data")
                keys.append(self._public_key(float(v.value)))
            elif v.key is not None:
                keys.append(v.key)
            elif v.type.kind in ("int64", "decimal"):  # the nearest double, as DuckDB casts it
                keys.append(self._cast_key(v))
            elif computed and v.type.kind == "float64":
                keys.append(self._computed_key(v))
            else:
                return None
        return keys[0], keys[1]

    def _computed_key(self, v: SecretColumn) -> AShare:
        """The key of a computed real: of the nearest double to a quotient's exact terms
        (an ``AVG`` of integers is then DuckDB's), else of its fixed-point value."""
        if isinstance(v.exact, Quotient):
            terms = float_keys.from_fixed(self.rt, AShare.concat([v.exact.dividend,
                                                                 v.exact.divisor]), 0)
            return float_division.divide_keys(self.rt, terms[:self.n], terms[self.n:]).key
        return float_keys.from_fixed(self.rt, v.value)

    def _cast_key(self, v: SecretColumn) -> AShare:
        """The key of the double nearest an integer or a decimal column, once per column
        (``k IN (1e0, 2e0)`` compares one column with each item)."""
        made = self._cast_keys.get(id(v))
        if made is None or made[0] is not v:
            key = (float_keys.from_fixed(self.rt, v.value, 0) if v.type.kind == "int64"
                   else self._decimal_key(v))
            made = self._cast_keys[id(v)] = (v, key)  # v kept: its id is not reused
        return made[1]

    def _decimal_key(self, v: SecretColumn) -> AShare:
        """The key of the double nearest a decimal (as DuckDB casts it): its unscaled
        integer, exact as a double below 2^53 (every decimal of 15 digits or fewer, and
        ``k * 1.0`` for ``|k| < 2^53 / 10``), divided by 10^scale from the bits. An
        unscaled integer of 2^53 or more is rounded to a double first: the key may then
        be one unit in the last place from DuckDB's (which rounds the decimal once)."""
        unscaled = float_keys.from_fixed(self.rt, v.value, 0)
        if not v.type.scale:
            return unscaled
        return float_division.divide_keys(self.rt, unscaled,
                                          self._public_key(float(10**v.type.scale))).key

    def _public_key(self, value: float) -> AShare:
        """The float key of a public double, on every row."""
        return AShare.public(self.rt.party, np.full(self.n, float_keys.key_of(value), np.int64))

    def _real_result(self, a: Value, b: Value, out: RealWords) -> Value:
        """The value of ``a op b`` computed from the operands' bits (mpc/float_parts.py):
        the nearest double to the exact result, with its key, as a stored real has."""
        null = bit_or(self.rt, self._nulls(*[v for v in (a, b) if isinstance(v, SecretColumn)]),
                      out.undefined)
        if self.n:
            self._check_range(out.beyond, null)
        return SecretColumn(FLOAT64, out.q, null, exact=FloatBits(out.key))

    def _check_range(self, beyond: BShare, null: BShare | None) -> None:
        """``beyond`` (1 where a row's value is past the range) for the out-of-range
        error, only where the value is one of a row that is there and not NULL: the
        asker must learn nothing of the rows a filter left out."""
        if null is not None:
            beyond = and_(self.rt, beyond, bit_not(null))
        if self.rel.valid is not None:
            beyond = and_(self.rt, beyond, self.rel.valid)
        self.row_range.append(beyond)

    def _divide_by_constant(self, a: SecretColumn, b: Const) -> Value:
        """``a / c`` for a public exact number: one correctly rounded public division.

        With ``c = k / 10^s`` and ``a`` encoded as ``A = a * scale_a``, the fixed-point
        quotient is ``A * 2^f * 10^s / (scale_a * k)``.
        """
        k = const_word(b.value, b.type)
        if k == 0:
            return Const(FLOAT64, None)
        s = b.type.scale if b.type.kind == "decimal" else 0
        src = a.type
        # the quotient's value is dividend / divisor, with a's ring word in the dividend
        if src.kind == "float64":  # a is fixed point already
            num, den = 10**s, k
            dividend, divisor = a.value.mul_public(num), den << FRAC_BITS
        else:
            unit = 10**src.scale if src.kind == "decimal" else 1
            num, den = (1 << FRAC_BITS) * 10**s, k * unit
            dividend, divisor = a.value.mul_public(10**s), den
        x = a.value.mul_public(num)
        if den < 0:
            x, den, dividend, divisor = -x, -den, -dividend, -divisor
        if den == 1:
            return SecretColumn(FLOAT64, x, a.null)
        exact = None
        if divisor < 1 << 62:
            exact = Quotient(dividend, AShare.public(self.rt.party, np.full(
                len(x), divisor, np.int64)))
        return SecretColumn(FLOAT64, self._round_div(x, den), a.null, exact=exact)

    def visit_Mod(self, e: exp.Mod) -> Value:
        a, b = self.visit(e.left), self.visit(e.right)
        if a.type.kind == "null" or b.type.kind == "null":
            return Const(INT64, None)
        a2, b2, t = self.align(a, b, "%")
        if t.kind not in ("int64", "decimal"):
            raise NotSupportedError(f"% on {t}")
        zero = equality.equal_zero(self.rt, b2.value)
        val = division.modulo(self.rt, a2.value, b2.value)
        return SecretColumn(t, val, bit_or(self.rt, self._nulls(a2, b2), zero))

    def visit_IntDiv(self, e: exp.IntDiv) -> Value:
        a, b = self.visit(e.left), self.visit(e.right)
        if a.type.kind == "null" or b.type.kind == "null":
            return Const(INT64, None)
        a2, b2, t = self.align(a, b, "DIV")
        if t.kind == "float64":
            # the quotient of fixed-point values: 7.5 DIV 0.1 would be 74 (0.1 is
            # 0.100006 in fixed point), and no exact form of a real's quotient is opened
            raise NotSupportedError(f"DIV of a float64 value over secret data "
                                    f"({e.sql(dialect='mysql')}); "
                                    "cast it to DECIMAL first")
        zero = equality.equal_zero(self.rt, b2.value)
        val = division.int_divide(self.rt, a2.value, b2.value)
        return SecretColumn(INT64, val, bit_or(self.rt, self._nulls(a2, b2), zero))

    # -- comparisons ------------------------------------------------------------------------
    def _compare(self, e: exp.Expression, op: str) -> Value:
        a, b = self.visit(e.left), self.visit(e.right)
        return self.compare(a, b, op)

    def compare(self, a: Value, b: Value, op: str) -> Value:
        if a.type.kind == "null" or b.type.kind == "null":
            return Const(BOOL, None)
        if a.type.kind == "string" or b.type.kind == "string":
            if a.type.kind != b.type.kind:
                raise NotSupportedError(f"comparing {a.type} with {b.type}")
            if op not in ("=", "<>"):
                return self._string_order(self.materialize(a), self.materialize(b), op)
        if "float64" in (a.type.kind, b.type.kind):
            keys = self._keys_of_reals(a, b)
            if keys is not None:  # a stored real against an integer, a decimal, a constant
                null = self._nulls(*[v for v in (a, b) if isinstance(v, SecretColumn)])
                return SecretColumn(BOOL, self._compare_words(a, keys[0], b, keys[1], op, True),
                                    null)
        a2, b2, t = self.align(a, b, op)
        rt = self.rt
        if t.kind == "bool":
            diff = a2.value ^ b2.value
            if op in ("=", "<>"):
                bit = diff if op == "<>" else bit_not(diff)
                return SecretColumn(BOOL, bit, self._nulls(a2, b2))
            a2 = SecretColumn(INT64, convert.b2a_bit(rt, a2.value), a2.null)
            b2 = SecretColumn(INT64, convert.b2a_bit(rt, b2.value), b2.null)
        x, y = a2.value, b2.value
        # stored values and literals by their keys: fixed point would call floats closer
        # than 2^-16 equal; a computed value against either is compared in fixed point,
        # both sides rounded alike (x = y * 1 holds)
        exactly = a2.key is not None and b2.key is not None
        if exactly:
            x, y = a2.key, b2.key
        words = (None, None) if exactly else (_public_word(a, t), _public_word(b, t))
        return SecretColumn(BOOL, self._compare_words(a, x, b, y, op, exactly, words),
                            self._nulls(a2, b2))

    def _compare_words(self, a: Value, x: AShare, b: Value, y: AShare, op: str,
                       exactly: bool, words: tuple[int | None, int | None] = (None, None)
                       ) -> BShare:
        """``a op b`` from their words ``x``, ``y``: float keys where ``exactly``;
        ``words``: a side's public word where it is a literal."""
        rt = self.rt

        def less(forward: bool) -> BShare:
            """``x < y`` (forward) or ``y < x``."""
            if not exactly:
                # int64 and decimal words span the whole range: x - y may wrap (issue 11);
                # a literal's word is public, so one sign bit fewer
                p_word, q_word = words if forward else words[::-1]
                if q_word is not None and p_word is None:
                    return compare.less_than_wide_public(rt, x if forward else y, q_word)
                if p_word is not None and q_word is None:
                    return compare.greater_than_wide_public(rt, y if forward else x, p_word)
                wide = compare.less_than_wide
                return wide(rt, x, y) if forward else wide(rt, y, x)
            return self._key_less(*((a, x, b, y) if forward else (b, y, a, x)))

        if op == "=":
            bit = equality.equal(rt, x, y)
        elif op == "<>":
            bit = bit_not(equality.equal(rt, x, y))
        elif op == "<":
            bit = less(True)
        elif op == ">":
            bit = less(False)
        elif op == "<=":
            bit = bit_not(less(False))
        elif op == ">=":
            bit = bit_not(less(True))
        else:  # pragma: no cover - the visitors pass only the above
            raise NotSupportedError(op)
        return bit

    def _string_order(self, a: SecretColumn, b: SecretColumn, op: str) -> SecretColumn:
        """``<``, ``>``, ``<=``, ``>=`` of strings by their bytes (:mod:`mpc.byte_order`)."""
        first, second = (a, b) if op in ("<", ">=") else (b, a)
        less = byte_order.less_than(self.rt, first.chars or [], second.chars or [], self.n)
        bit = less if op in ("<", ">") else bit_not(less)
        return SecretColumn(BOOL, bit, self._nulls(a, b))

    def _key_less(self, p: Value, p_key: AShare, q: Value, q_key: AShare) -> BShare:
        """``p < q`` on float keys: they span the int64 range, hence the wide comparison,
        cheaper against a literal (its key's sign is public)."""
        if isinstance(q, Const):
            return compare.less_than_wide_public(self.rt, p_key, _literal_key(q))
        if isinstance(p, Const):
            return compare.greater_than_wide_public(self.rt, q_key, _literal_key(p))
        return compare.less_than_wide(self.rt, p_key, q_key)

    def visit_EQ(self, e):
        return self._compare(e, "=")

    def visit_NEQ(self, e):
        return self._compare(e, "<>")

    def visit_LT(self, e):
        return self._compare(e, "<")

    def visit_LTE(self, e):
        return self._compare(e, "<=")

    def visit_GT(self, e):
        return self._compare(e, ">")

    def visit_GTE(self, e):
        return self._compare(e, ">=")

    def visit_Between(self, e: exp.Between) -> Value:
        x = self.visit(e.this)
        lo = self.compare(x, self.visit(e.args["low"]), ">=")
        hi = self.compare(x, self.visit(e.args["high"]), "<=")
        return self.logic_and(lo, hi)

    def visit_In(self, e: exp.In) -> Value:
        if e.args.get("query") is not None:
            raise NotSupportedError("IN (subquery)")
        x = self.visit(e.this)
        result: Value = Const(BOOL, False)
        for item in e.expressions:
            result = self.logic_or(result, self.compare(x, self.visit(item), "="))
        return result

    def visit_Is(self, e: exp.Is) -> Value:
        if not isinstance(e.expression, exp.Null):
            raise NotSupportedError(f"IS {e.expression.sql()}")
        v = self.visit(e.this)
        if isinstance(v, Const):
            return Const(BOOL, v.value is None)
        if v.null is None:
            return Const(BOOL, False)
        return SecretColumn(BOOL, v.null, None)

    # -- logic ------------------------------------------------------------------------------
    def _as_bool(self, v: Value) -> Value:
        if v.type.kind == "null":
            return Const(BOOL, None)
        if v.type.kind != "bool":
            return self.cast(v, BOOL)
        return v

    def _truth(self, v: SecretColumn) -> tuple[BShare, BShare]:
        """(definitely true, definitely false) bits of a boolean value."""
        if v.null is None:
            return v.value, bit_not(v.value)
        not_null = bit_not(v.null)
        t, f = and_many(self.rt, [(v.value, not_null), (bit_not(v.value), not_null)])
        return t, f

    def logic_and(self, a: Value, b: Value) -> Value:
        return self._logic(a, b, is_and=True)

    def logic_or(self, a: Value, b: Value) -> Value:
        return self._logic(a, b, is_and=False)

    def _logic(self, a: Value, b: Value, is_and: bool) -> Value:
        a, b = self._as_bool(a), self._as_bool(b)
        for c, other in ((a, b), (b, a)):
            if isinstance(c, Const):
                if c.value is None:
                    break
                if c.value is (not is_and):  # TRUE OR x, FALSE AND x
                    return Const(BOOL, c.value)
                return other  # TRUE AND x, FALSE OR x
        a2, b2 = self.materialize(a), self.materialize(b)
        if a2.null is None and b2.null is None:
            if is_and:
                return SecretColumn(BOOL, and_(self.rt, a2.value, b2.value))
            return SecretColumn(BOOL, bit_or(self.rt, a2.value, b2.value))
        ta, fa = self._truth(a2)
        tb, fb = self._truth(b2)
        if is_and:
            both_true, both_false = and_many(self.rt, [(ta, tb), (fa, fb)])
            any_false = fa ^ fb ^ both_false
            value, decided = both_true, both_true ^ any_false
        else:
            both_true, both_false = and_many(self.rt, [(ta, tb), (fa, fb)])
            any_true = ta ^ tb ^ both_true
            value, decided = any_true, any_true ^ both_false
        return SecretColumn(BOOL, value, bit_not(decided))

    def visit_And(self, e: exp.And) -> Value:
        return self.logic_and(self.visit(e.left), self.visit(e.right))

    def visit_Or(self, e: exp.Or) -> Value:
        return self.logic_or(self.visit(e.left), self.visit(e.right))

    def visit_Not(self, e: exp.Not) -> Value:
        v = self._as_bool(self.visit(e.this))
        if isinstance(v, Const):
            return Const(BOOL, None if v.value is None else not v.value)
        return SecretColumn(BOOL, bit_not(v.value), v.null)

    # -- conditionals -------------------------------------------------------------------------
    def choose(self, cond: Value, if_true: Value, if_false: Value, t: SqlType) -> Value:
        """``cond ? if_true : if_false`` where a NULL condition counts as false."""
        cond = self._as_bool(cond)
        if isinstance(cond, Const):
            chosen = if_true if cond.value else if_false
            return self.cast(chosen, t) if chosen.type.kind != "null" else Const(t, None)
        take, _ = self._truth(self.materialize(cond))
        a = self.materialize(self.cast(if_true, t) if if_true.type.kind != "null" else Const(t, None))
        b = self.materialize(self.cast(if_false, t) if if_false.type.kind != "null" else Const(t, None))
        if t.kind == "float64":
            a, b = self._meet([if_true, if_false], [a, b])
        return self.select(take, a, b)

    def _meet(self, values: list[Value], columns: list[SecretColumn]) -> list[SecretColumn]:
        """Float ``columns`` (``values`` materialized) that become one column, in one
        form: all with keys when a stored value (one with a key) or a literal that fixed
        point cannot hold is among them (computed values get the key of their fixed
        point), else all fixed point (literals such as 0 or 0.5 are exact in it)."""
        exact = any(
            (isinstance(v, Const) and v.value is not None and not is_fixed_exact(v.value))
            or (isinstance(v, SecretColumn) and c.key is not None)
            for v, c in zip(values, columns))
        if exact:
            return with_keys(self.rt, columns)
        return [replace(c, exact=None) if c.key is not None else c for c in columns]

    def select(self, bit: BShare, a: SecretColumn, b: SecretColumn) -> SecretColumn:
        rt = self.rt
        exact = common_exact([a, b])
        if a.type.kind == "bool":
            value = mux.select_bits(rt, bit, a.value, b.value)
        elif exact is not None:  # the exact words in the same select as the value
            value, *words = mux.select_many(rt, [(bit, x, y) for x, y in zip(
                [a.value, *a.exact.words()], [b.value, *b.exact.words()])])
            exact = exact.with_words(words)
        else:
            value = mux.select(rt, bit, a.value, b.value)
        null = None
        if a.null is not None or b.null is not None:
            zeros = BShare.zeros(rt.party, len(bit))
            null = mux.select_bits(rt, bit, a.null or zeros, b.null or zeros)
        chars = None
        if a.chars is not None and b.chars is not None:
            width = max(len(a.chars), len(b.chars))
            pad = BShare.zeros(rt.party, len(bit))
            ac = a.chars + [pad] * (width - len(a.chars))
            bc = b.chars + [pad] * (width - len(b.chars))
            chars = select_words(rt, bit, ac, bc)
        return SecretColumn(a.type, value, null, chars, exact)

    def visit_Case(self, e: exp.Case) -> Value:
        if e.this is not None:
            raise NotSupportedError("CASE <expr> WHEN ... (use CASE WHEN <condition>)")
        ifs = [(i.this, i.args["true"]) for i in e.args.get("ifs") or []]
        return self._branches(ifs, e.args.get("default"), "CASE")

    def _branches(self, ifs: list[tuple[exp.Expression, exp.Expression]],
                  default: exp.Expression | None, context: str) -> Value:
        """``CASE WHEN c1 THEN v1 ... ELSE d END`` (an IF too), its range checks where
        DuckDB evaluates what they check: a condition where no earlier one is true, a
        value (and its cast to the CASE's type) where its branch is taken."""
        conditions: list[Value] = []
        values: list[Value] = []
        reached: list[tuple[int, int]] = []  # the checks of each condition
        taken: list[list[tuple[int, int]]] = []  # of each value (the last: the ELSE's)
        for cond, value in ifs:
            start = len(self.row_range)
            conditions.append(self.visit(cond))
            reached.append((start, len(self.row_range)))
            start = len(self.row_range)
            values.append(self.visit(value))
            taken.append([(start, len(self.row_range))])
        start = len(self.row_range)
        values.append(self.visit(default) if default is not None else Const(NULL_TYPE, None))
        taken.append([(start, len(self.row_range))])
        t = NULL_TYPE
        for v in values:
            t = common_type(t, v.type, context)
        if t.kind != "null":
            for k, v in enumerate(values):
                start = len(self.row_range)
                values[k] = self.cast(v, t) if v.type.kind != "null" else Const(t, None)
                taken[k].append((start, len(self.row_range)))
        self._only_where_taken(conditions, reached, taken)
        if t.kind == "null":
            return Const(NULL_TYPE, None)
        result = values[-1]
        for cond, value in reversed(list(zip(conditions, values))):
            result = self.choose(cond, value, result, t)
        return result

    def _only_where_taken(self, conditions: list[Value], reached: list[tuple[int, int]],
                          taken: list[list[tuple[int, int]]]) -> None:
        """The range checks of a CASE's conditions (``reached[k]``: those of condition
        ``k``, a range of ``row_range``) only on the rows where no earlier condition
        is true, and of its values (``taken[k]``, the last the ELSE's) only on the rows
        that branch is taken for: a value not taken is not computed for the asker, in
        range or not (DuckDB's CASE evaluates it only there)."""
        spans = [(lo, hi, k, False) for k, (lo, hi) in enumerate(reached) if k > 0]
        spans += [(lo, hi, k, True) for k, ranges in enumerate(taken) for lo, hi in ranges]
        if not self.n or all(lo == hi for lo, hi, _, _ in spans):
            return
        rt, n = self.rt, self.n
        none_before = BShare.public(rt.party, np.ones(n, np.uint64))
        masks = {}
        for k, cond in enumerate(conditions):
            masks[k, False] = none_before
            true = self._true_bits(cond)
            masks[k, True] = and_(rt, none_before, true)
            none_before = and_(rt, none_before, bit_not(true))
        masks[len(conditions), True] = none_before
        at = [(j, masks[k, is_value]) for lo, hi, k, is_value in spans for j in range(lo, hi)
              if len(self.row_range[j]) == n]
        masked = and_many(rt, [(self.row_range[j], mask) for j, mask in at])
        for (j, _), bits in zip(at, masked):
            self.row_range[j] = bits

    def _true_bits(self, cond: Value) -> BShare:
        """1 where a condition is TRUE (not FALSE, not NULL), for every row."""
        cond = self._as_bool(cond)
        if isinstance(cond, Const):
            return BShare.public(self.rt.party, np.full(self.n, int(bool(cond.value)), np.uint64))
        return self._truth(self.materialize(cond))[0]

    def visit_If(self, e: exp.If) -> Value:
        return self._branches([(e.this, e.args["true"])], e.args.get("false"), "IF")

    def visit_Nullif(self, e: exp.Nullif) -> Value:
        value = self.visit(e.this)
        other = self.visit(e.expression)
        if isinstance(value, Const) and isinstance(other, Const):
            # folded: x / NULLIF(3, 0), as the dialect writes x / 3, stays a division
            # by a constant
            if value.value is None or other.value is None:
                return value
            t = common_type(value.type, other.type, "NULLIF")
            equal = self._cast_const(value, t).value == self._cast_const(other, t).value
            return Const(value.type, None) if equal else value
        same = self.compare(value, other, "=")
        return self.choose(same, Const(NULL_TYPE, None), value, value.type)

    def visit_Coalesce(self, e: exp.Coalesce) -> Value:
        values = [self.visit(e.this)] + [self.visit(x) for x in e.expressions]
        t = NULL_TYPE
        for v in values:
            t = common_type(t, v.type, "COALESCE")
        if t.kind == "null":
            return Const(NULL_TYPE, None)
        result: Value = values[-1]
        for v in reversed(values[:-1]):
            if isinstance(v, Const):
                result = v if v.value is not None else result
                continue
            if v.null is None:
                result = v
                continue
            present = SecretColumn(BOOL, bit_not(v.null))
            result = self.choose(present, v, result, t)
        return self.cast(result, t) if result.type.kind != "null" else Const(t, None)

