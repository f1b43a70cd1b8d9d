"""SQRT, EXP, LN, LOG, POWER and the trigonometric functions on secret values.

The visits of :class:`engine.secure_expr.SecureEvaluator` for these nodes (it inherits
this mixin, which uses its ``cast``, ``compare``, ``materialize``, ``_scaled`` ...).
The protocols are :mod:`mpc.exp_log`, :mod:`mpc.trig`, :mod:`mpc.sqrt`; here the SQL
types meet them: an argument is its ring word ``W`` and the public scale ``S`` of its
type (1 for integers, ``10^s`` for decimals, ``2^16`` for floats), so integers and
decimals enter exactly, floats as their fixed-point value.

Results are DOUBLE as in DuckDB. Where DuckDB gives NaN or an infinity (``LN(0)``,
``SQRT(-1)``, ``ASIN(2)``, ``POWER(-8, 1/3)``, ``LOG(1, x)``) or a value fixed point
cannot hold (``|result| >= 2^47``, ``EXP(33)``), the result is NULL: a secret value
cannot be NaN, and an error would tell every party that such a row exists. The README
(float and fixed-point section) states each function's error bound.
"""

from __future__ import annotations

import math

import numpy as np
from sqlglot import exp

from scql_py.catalog.types import FLOAT64, INT64, SqlType
from scql_py.engine.relation import Const, SecretColumn
from scql_py.errors import NotSupportedError
from scql_py.mpc import compare, convert, equality, exp_log, mux, rss, trig
from scql_py.mpc.exact_shift import floor_shift, round_shift
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.polynomial import FRAC, ONE
from scql_py.mpc.rounded_division import divide_rounded
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.sqrt import isqrt, sqrt_fixed

U64 = np.uint64
_TO_OUTPUT = FRAC - FRAC_BITS  # 28-bit results are rounded to the 16 bits of a DOUBLE
_MAX_DECIMAL_SCALE = 10  # 10^s 2^28 < 2^62: the exact conversion to 28 bits
_EXP_LOW = -11.09  # below: EXP is less than 2^-16 (one unit), and 0 is returned
_EXP_HIGH = 32.5  # above: EXP is 2^47 or more, beyond fixed point: NULL
_POWER_EXPONENT_BOUND = 1 << 24  # |y| of a secret exponent is clamped to this
_EXPONENT_DECIMAL_SCALE = 8  # 10^s 2^35 < 2^62: the exponent's fraction times a log


def _python_math(name: str, *args: float) -> float | None:
    """DuckDB's function on public values, NULL where it gives NaN or an infinity."""
    try:
        value = {
            "sqrt": lambda x: math.sqrt(x), "exp": lambda x: math.exp(x),
            "ln": lambda x: math.log(x), "log": lambda b, x: math.log(x) / math.log(b),
            "pow": lambda x, y: math.pow(x, y), "sin": math.sin, "cos": math.cos,
            "tan": math.tan, "asin": math.asin, "acos": math.acos, "atan": math.atan,
        }[name](*args)
    except (ValueError, OverflowError, ZeroDivisionError):
        return None
    return value if math.isfinite(value) else None


class SecureMath:
    """Mixin: the math visits of the secure evaluator (module doc)."""

    # -- arguments ------------------------------------------------------------------------
    def _math_argument(self, e: exp.Expression, what: str):
        v = self.visit(e)
        if v.type.kind == "bool":
            v = self.cast(v, INT64)
        if v.type.kind not in ("int64", "decimal", "float64", "null"):
            raise NotSupportedError(f"{what} of a {v.type} value")
        return v

    def _scale(self, v) -> int:
        if v.type.kind == "float64":
            return 1 << FRAC_BITS
        return 10 ** v.type.scale if v.type.kind == "decimal" else 1

    def _native(self, v, value: float) -> int:
        """The ring word of a public real in ``v``'s encoding, rounded toward zero."""
        return int(value * self._scale(v))

    def _fixed28(self, v: SecretColumn, word: AShare) -> AShare:
        """``word`` (in ``v``'s encoding, a value below 2^34) at 28 fractional bits,
        exactly for integers and floats, rounded to 2^-28 for decimals."""
        if v.type.kind == "float64":
            return word.mul_public(U64(1 << (FRAC - FRAC_BITS)))
        if v.type.kind == "int64":
            return word.mul_public(U64(ONE))
        return self._scaled(word, ONE, 10 ** v.type.scale)

    def _decimal_in_range(self, v: SecretColumn, digits: int = _MAX_DECIMAL_SCALE
                          ) -> SecretColumn:
        """A decimal rounded to at most ``digits`` after the point, so that ``10^s``
        times a 28-bit value stays in the ring."""
        if v.type.kind != "decimal" or v.type.scale <= digits:
            return v
        t = SqlType("decimal", v.type.precision, digits)
        return SecretColumn(t, self._round_div(v.value, 10 ** (v.type.scale - digits)), v.null)

    def _outside(self, word: AShare, low: int, high: int) -> BShare:
        """The bits ``word < low`` and ``word > high``, concatenated (one comparison)."""
        return compare.msb(self.rt, AShare.concat([word.add_public(np.int64(-low)),
                                                   (-word).add_public(np.int64(high))]))

    def _clamp(self, word: AShare, low: int, high: int) -> tuple[AShare, BShare, BShare]:
        """``word`` clamped to ``[low, high]``, and the bits ``word < low``, ``word >
        high`` (one batched comparison, one batched product)."""
        n = len(word)
        signs = self._outside(word, low, high)
        below, above = signs[:n], signs[n:]
        bits = convert.b2a_bit(self.rt, signs)
        target = AShare.concat([(-word).add_public(np.int64(low)),
                                (-word).add_public(np.int64(high))])
        moved = rss.mul(self.rt, bits, target)
        return word + moved[:n] + moved[n:], below, above

    def _result(self, value: AShare, *nulls: BShare | None) -> SecretColumn:
        null = None
        for b in nulls:
            null = self._or_null(null, b)
        return SecretColumn(FLOAT64, value, null)

    def _or_null(self, a: BShare | None, b: BShare | None) -> BShare | None:
        if a is None:
            return b
        if b is None:
            return a
        return convert.bit_or(self.rt, a, b)

    def _unary(self, e: exp.Expression, name: str):
        """The argument, or the folded result of a constant one."""
        v = self._math_argument(e.this, name.upper())
        if isinstance(v, Const):
            if v.value is None:
                return None, Const(FLOAT64, None)
            return None, Const(FLOAT64, _python_math(name, float(v.value)))
        return self.materialize(v), None

    # -- SQRT -----------------------------------------------------------------------------
    def visit_Sqrt(self, e: exp.Sqrt):
        v, folded = self._unary(e, "sqrt")
        if folded is not None:
            return folded
        negative = self.compare(v, Const(INT64, 0), "<").value
        if v.type.kind == "decimal":
            return self._result(self._decimal_sqrt(self._decimal_in_range(v)), v.null, negative)
        x = self.materialize(self.cast(v, FLOAT64))
        return self._result(sqrt_fixed(self.rt, x.value), x.null, negative)

    def _decimal_sqrt(self, v: SecretColumn) -> AShare:
        """The root at 16 bits of a decimal: of ``x 2^32`` (exactly rounded from the
        decimal, not from its 16-bit fixed point) below ``2^30``, as sqrt_fixed above."""
        rt, scale = self.rt, self._scale(v)
        limit = (1 << 30) * scale
        fine = self._scaled(v.value, 1 << (2 * FRAC_BITS), scale)
        if limit >= 1 << 62:
            return isqrt(rt, fine)
        small = compare.less_than_public(rt, v.value, limit)
        coarse = self._scaled(v.value, 1 << FRAC_BITS, scale)
        root = isqrt(rt, mux.select(rt, small, fine, coarse))
        return mux.select(rt, small, root, root.mul_public(U64(1 << (FRAC_BITS // 2))))

    # -- EXP, LN, LOG, POWER ----------------------------------------------------------------
    def visit_Exp(self, e: exp.Exp):
        v, folded = self._unary(e, "exp")
        if folded is not None:
            return folded
        v = self._decimal_in_range(v)
        low, high = -math.floor(-_EXP_LOW * self._scale(v)), self._native(v, _EXP_HIGH)
        word, below, above = self._clamp(v.value, low, high)
        x28 = self._fixed28(v, word)
        t = floor_shift(self.rt, x28.mul_public(U64(round(exp_log.LOG2_E * ONE))), FRAC)
        value = self._exp2_or_zero(t, below)
        return self._result(value, v.null, above)

    def _exp2_or_zero(self, t: AShare, zero: BShare | None) -> AShare:
        """``2^t`` (``t`` at 28 bits, within exp2's range), 0 where ``zero``."""
        value = exp_log.exp2(self.rt, t)
        if zero is None:
            return value
        return mux.select(self.rt, zero, AShare.zeros(self.rt.party, len(t)), value)

    def _log2_28(self, *values: SecretColumn) -> tuple[AShare, BShare]:
        """``log2 x`` at 28 bits and the bit ``x <= 0`` (where the log is garbage), of
        each of ``values`` (concatenated, in one batch; each in its own encoding)."""
        words = AShare.concat([v.value for v in values])
        invalid = compare.less_equal_public(self.rt, words, 0)
        scale_logs = np.concatenate([np.full(len(v), -round(math.log2(self._scale(v)) * ONE),
                                             np.int64) for v in values])
        return exp_log.log2(self.rt, words).add_public(scale_logs), invalid

    def _times_constant(self, l28: AShare, factor: float) -> AShare:
        """``l28 factor`` at 16 fractional bits, rounded; ``|l28| < 2^35``."""
        if factor == 0:
            return AShare.zeros(self.rt.party, len(l28))
        m = 27 - max(0, math.ceil(math.log2(abs(factor))))
        c = round(factor * (1 << m))
        return round_shift(self.rt, l28.mul_public(np.int64(c).view(U64)), FRAC + m - FRAC_BITS)

    def visit_Ln(self, e: exp.Ln):
        v, folded = self._unary(e, "ln")
        if folded is not None:
            return folded
        l2, invalid = self._log2_28(v)
        return self._result(self._times_constant(l2, exp_log.LN2), v.null, invalid)

    def visit_Log(self, e: exp.Log):
        if e.expression is None:  # LOG(x) in a dialect where it is the natural log
            return self.visit_Ln(exp.Ln(this=e.this))
        base = self._math_argument(e.this, "LOG")
        x = self._math_argument(e.expression, "LOG")
        if isinstance(x, Const) and isinstance(base, Const):
            if x.value is None or base.value is None:
                return Const(FLOAT64, None)
            return Const(FLOAT64, _python_math("log", float(base.value), float(x.value)))
        if isinstance(base, Const):
            if base.value is None or float(base.value) <= 0 or float(base.value) == 1:
                return Const(FLOAT64, None)  # DuckDB: NaN or an infinity
            x = self.materialize(x)
            l2, invalid = self._log2_28(x)
            factor = 1 / math.log2(float(base.value))
            return self._result(self._times_constant(l2, factor), x.null, invalid)
        base, x = self.materialize(base), self.materialize(x)
        n = len(x)
        l2, invalid = self._log2_28(x, base)
        one = equality.equal_zero(self.rt, l2[n:])  # base 1: an infinity in DuckDB
        value = divide_rounded(self.rt, l2[:n], l2[n:], FRAC_BITS, quotient_bits=47)
        return self._result(value, x.null, base.null, invalid[:n], invalid[n:], one)

    def visit_Pow(self, e: exp.Pow):
        x = self._math_argument(e.this, "POWER")
        y = self._math_argument(e.expression, "POWER")
        if isinstance(x, Const) and isinstance(y, Const):
            if x.value is None or y.value is None:
                return Const(FLOAT64, None)
            return Const(FLOAT64, _python_math("pow", float(x.value), float(y.value)))
        if isinstance(y, Const) and y.value is None or isinstance(x, Const) and x.value is None:
            return Const(FLOAT64, None)
        if (isinstance(y, Const) and float(y.value).is_integer() and 0 <= float(y.value) <= 64
                and x.type.kind == "int64"):
            return self._integer_power(self.materialize(x), int(float(y.value)))
        return self._power_by_logarithm(self.materialize(x), self.materialize(y))

    def _integer_power(self, x: SecretColumn, n: int) -> SecretColumn:
        """``x^n`` of an integer, exactly (NULL where ``|x^n| >= 2^47``)."""
        rt = self.rt
        if n == 0:
            one = AShare.public(rt.party, np.full(len(x), 1 << FRAC_BITS, np.int64))
            return self._result(one, x.null)
        bound = _integer_root((1 << 47) - 1, n)
        outside = self._outside(x.value, -bound, bound)
        below, above = outside[:len(x)], outside[len(x):]
        result, base, k = None, x.value, n
        while k:
            if k & 1:
                result = base if result is None else rss.mul(rt, result, base)
            k >>= 1
            if k:
                base = rss.mul(rt, base, base)
        return self._result(result.mul_public(U64(1 << FRAC_BITS)), x.null, below, above)

    def _power_by_logarithm(self, x: SecretColumn, y: SecretColumn) -> SecretColumn:
        """``x^y = 2^(y log2 |x|)``; ``x = 0``: 0, 1 or NULL by the sign of ``y``; ``x < 0``:
        the sign of an odd integer ``y``, NULL for a ``y`` that is not an integer."""
        rt = self.rt
        n = len(x)
        x_neg = compare.msb(rt, x.value)
        x_abs = x.value - mux.mul_bit(rt, x_neg, x.value).mul_public(U64(2))
        x_zero = equality.equal_zero(rt, x.value)
        l2, _ = self._log2_28(SecretColumn(x.type, x_abs))
        y = self._decimal_in_range(y, _EXPONENT_DECIMAL_SCALE)
        bound = _POWER_EXPONENT_BOUND * self._scale(y)
        y_word, _, _ = self._clamp(y.value, -bound, bound)
        t, y_integer, y_odd = self._times_exponent(y, y_word, l2)
        t_clamped, below, above = self._clamp(t, exp_log.EXP2_MIN * ONE,
                                              exp_log.EXP2_MAX * ONE - 1)
        magnitude = self._exp2_or_zero(t_clamped, below)
        y_sign = compare.msb(rt, y_word)
        y_zero = equality.equal_zero(rt, y_word)
        # x = 0: y > 0 gives 0, y = 0 gives 1, y < 0 an infinity
        one = AShare.public(rt.party, np.full(n, 1 << FRAC_BITS, np.int64))
        zero_case = mux.select(rt, y_zero, one, AShare.zeros(rt.party, n))
        negated = -magnitude
        odd_negative = convert.bit_and(rt, x_neg, y_odd)
        value = mux.select(rt, odd_negative, negated, magnitude)
        value = mux.select(rt, x_zero, zero_case, value)
        not_integer = convert.bit_not(y_integer)
        invalid = self._or_null(convert.bit_and(rt, x_neg, not_integer),
                                convert.bit_and(rt, x_zero, y_sign))
        overflow = convert.bit_and(rt, above, convert.bit_not(x_zero))
        return self._result(value, x.null, y.null, invalid, overflow)

    def _times_exponent(self, y: SecretColumn, y_word: AShare, l2: AShare):
        """``y l2`` at 28 bits for a clamped exponent word, and the bits "``y`` is an
        integer" and "``y`` is odd"."""
        rt = self.rt
        scale = self._scale(y)
        if scale == 1:
            bits = convert.a2b(rt, y_word)
            odd = bits.and_public(U64(1))
            integer = BShare.public(rt.party, np.ones(len(y_word), np.uint64))
            return rss.mul(rt, y_word, l2), integer, odd
        if y.type.kind == "float64":
            whole = floor_shift(rt, y_word, FRAC_BITS)
        else:
            whole = self._floor_div(y_word, scale)
        part = y_word - whole.mul_public(U64(scale))  # [0, scale)
        products = rss.mul(rt, AShare.concat([whole, part]), AShare.concat([l2, l2]))
        n = len(y_word)
        if y.type.kind == "float64":
            fraction = floor_shift(rt, products[n:], FRAC_BITS)
        else:
            fraction = self._floor_div(products[n:], scale)
        integer = equality.equal_zero(rt, part)
        odd = convert.a2b(rt, whole).and_public(U64(1))
        return products[:n] + fraction, integer, odd

    # -- trigonometry -------------------------------------------------------------------------
    def _sin_cos(self, v: SecretColumn) -> tuple[AShare, AShare]:
        phase = v.value.mul_public(U64(trig.phase_constant(self._scale(v))))
        return trig.sin_cos(self.rt, phase)

    def _output(self, x28: AShare) -> AShare:
        return round_shift(self.rt, x28, _TO_OUTPUT)

    def visit_Sin(self, e: exp.Sin):
        v, folded = self._unary(e, "sin")
        if folded is not None:
            return folded
        sin, _ = self._sin_cos(v)
        return self._result(self._output(sin), v.null)

    def visit_Cos(self, e: exp.Cos):
        v, folded = self._unary(e, "cos")
        if folded is not None:
            return folded
        _, cos = self._sin_cos(v)
        return self._result(self._output(cos), v.null)

    def visit_Tan(self, e: exp.Tan):
        v, folded = self._unary(e, "tan")
        if folded is not None:
            return folded
        sin, cos = self._sin_cos(v)
        pole = equality.equal_zero(self.rt, cos)
        value = divide_rounded(self.rt, sin, cos, FRAC_BITS, quotient_bits=47)
        return self._result(value, v.null, pole)

    def _signed(self, negative: BShare, x: AShare) -> AShare:
        return x - mux.mul_bit(self.rt, negative, x).mul_public(U64(2))

    def _atan_folded(self, numerator: AShare, denominator: AShare, swapped: BShare,
                     negative: BShare) -> AShare:
        """``+-(atan(a/b) or pi/2 - atan(a/b))`` at 28 bits."""
        a = trig.atan_ratio(self.rt, numerator, denominator)
        complement = (-a).add_public(np.int64(trig.HALF_PI))
        return self._signed(negative, mux.select(self.rt, swapped, complement, a))

    def _ordered(self, x: AShare, y: AShare, swap: BShare) -> tuple[AShare, AShare]:
        """``(min, max)`` of two values by the bit ``swap`` (= ``x > y``)."""
        lo, hi = mux.select_many(self.rt, [(swap, y, x), (swap, x, y)])
        return lo, hi

    def visit_Atan(self, e: exp.Atan):
        v, folded = self._unary(e, "atan")
        if folded is not None:
            return folded
        v = self._decimal_in_range(v)
        rt, scale = self.rt, self._scale(v)
        negative = compare.msb(rt, v.value)
        magnitude = self._signed(negative, v.value)
        # atan(2^61 / scale) is pi/2 to 2^-44: larger magnitudes change nothing
        magnitude, _, _ = self._clamp(magnitude, 0, 1 << 61)
        big = compare.greater_than_public(rt, magnitude, scale)
        public_scale = AShare.public(rt.party, np.full(len(v), scale, np.int64))
        numerator, denominator = self._ordered(magnitude, public_scale, big)
        angle = self._atan_folded(numerator, denominator, big, negative)
        return self._result(self._output(angle), v.null)

    def _asin(self, v: SecretColumn) -> tuple[AShare, tuple]:
        """``asin x`` at 28 bits and the NULL bits (``x`` NULL or outside [-1, 1])."""
        v = self._decimal_in_range(v)
        rt, scale = self.rt, self._scale(v)
        word, below, above = self._clamp(v.value, -scale, scale)
        x28 = self._fixed28(v, word)  # [-1, 1] at 28 bits
        negative = compare.msb(rt, x28)
        magnitude = self._signed(negative, x28)
        cosine = isqrt(rt, (-rss.mul(rt, magnitude, magnitude)).add_public(U64(1 << (2 * FRAC))))
        swapped = compare.greater_than(rt, magnitude, cosine)
        numerator, denominator = self._ordered(magnitude, cosine, swapped)
        return (self._atan_folded(numerator, denominator, swapped, negative),
                (v.null, below, above))

    def visit_Asin(self, e: exp.Asin):
        v, folded = self._unary(e, "asin")
        if folded is not None:
            return folded
        angle, nulls = self._asin(v)
        return self._result(self._output(angle), *nulls)

    def visit_Acos(self, e: exp.Acos):
        v, folded = self._unary(e, "acos")
        if folded is not None:
            return folded
        angle, nulls = self._asin(v)
        return self._result(self._output((-angle).add_public(np.int64(trig.HALF_PI))), *nulls)


def _integer_root(value: int, n: int) -> int:
    """The largest integer ``r >= 0`` with ``r^n <= value``."""
    r = int(round(value ** (1 / n)))
    while r ** n > value:
        r -= 1
    while (r + 1) ** n <= value:
        r += 1
    return r


__all__ = ["SecureMath"]
