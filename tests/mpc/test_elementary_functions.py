"""The protocols behind the math, date and LIKE functions under MPC, each against its
stated bound (or exactly) on dense grids with the edge values, computed by numpy,
mpmath-free Python integers or datetime on the plaintext; and none opens anything.

Bounds (module docs of mpc/exact_shift, exp_log, trig, civil_dates, byte_match):
``floor_shift`` exact; ``exp2`` below ``2^t 2^16`` by less than ``1 + 2^-25 2^t 2^16``
units and above it by at most ``2^-25 2^t 2^16``; ``log2`` within ``2^-24``;
``sin_cos`` within ``2^-24 + |x| 2^-46``; ``atan_ratio`` within ``2^-25``; the
calendar exact; LIKE exact.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import numpy as np
import pytest
from sqlglot import exp

from scql_py.mpc import (
    byte_match,
    byte_order,
    civil_dates,
    exp_log,
    like_automaton,
    polynomial,
    rss,
    trig,
)
from scql_py.mpc.exact_shift import floor_shift, round_shift
from scql_py.mpc.inprocess import run_parties
from scql_py.mpc.polynomial import FRAC, ONE
from scql_py.sql.secure_nodes import like_tokens

RNG = np.random.default_rng(12)


def _run(fn, *inputs: np.ndarray):
    """Share ``inputs`` from party 0, run ``fn(rt, *shares)``, check that it opened
    nothing, open its outputs (a share or a tuple of shares) as int64 arrays."""

    def party(rt, _):
        shares = [rss.share_input(rt, 0, x if rt.party == 0 else None, len(x)) for x in inputs]
        out = fn(rt, *shares)
        opened = list(rt.openings)
        outs = out if isinstance(out, tuple) else (out,)
        return [rss.reveal(rt, o).view(np.int64) for o in outs], opened

    results = run_parties(party)
    for _, opened in results:
        assert opened == [], f"the protocol opened {opened}"
    values = results[0][0]
    for other, _ in results[1:]:
        for a, b in zip(values, other, strict=True):
            np.testing.assert_array_equal(a, b)
    return values if len(values) > 1 else values[0]


def test_floor_shift_is_exact_on_every_int64():
    x = np.concatenate([RNG.integers(-2**63, 2**63 - 1, 2000, dtype=np.int64),
                        np.array([-2**63, 2**63 - 1, 0, -1, 1, 2**40, -2**40 - 1], np.int64)])
    for k in (1, 12, 28, 35, 63):
        np.testing.assert_array_equal(_run(lambda rt, s, k=k: floor_shift(rt, s, k), x), x >> k)
    ks = RNG.integers(1, 64, len(x))  # one shift per element, in the same rounds
    np.testing.assert_array_equal(_run(lambda rt, s: floor_shift(rt, s, ks), x), x >> ks)
    small = np.arange(-1000, 1000, dtype=np.int64)
    np.testing.assert_array_equal(_run(lambda rt, s: round_shift(rt, s, 3), small),
                                  np.floor(small / 8 + 0.5).astype(np.int64))


def test_exp2_bound():
    t = np.concatenate([np.linspace(exp_log.EXP2_MIN, exp_log.EXP2_MAX - 1e-6, 3000),
                        [exp_log.EXP2_MIN, 0, 1, -1, 0.5, 46.999, 30]])
    words = np.floor(t * ONE).astype(np.int64)
    got = _run(exp_log.exp2, words).astype(np.float64)
    exact = np.exp2(words / ONE) * 2**16  # in units of 2^-16
    assert np.all(got >= exact - 1 - exact * 2**-25)
    assert np.all(got <= exact + exact * 2**-25)


def test_log2_bound():
    w = np.concatenate([np.arange(1, 1500), 2 ** np.arange(0, 63, dtype=np.uint64).astype(np.int64),
                        RNG.integers(1, 2**62, 1500), [2**63 - 1, 3, 2**62 + 1]]).astype(np.int64)
    got = _run(exp_log.log2, w) / ONE
    exact = np.array([math.log2(int(v)) for v in w])
    assert np.abs(got - exact).max() < 2**-24


@pytest.mark.parametrize("scale", [1 << 16, 1, 10**4])
def test_sin_cos_bound(scale):
    x = np.concatenate([np.linspace(-60, 60, 2001), [0, math.pi, -math.pi, math.pi / 2, 1e5, -3e5]])
    words = np.round(x * scale).astype(np.int64)
    value = words / scale
    c = np.uint64(trig.phase_constant(scale))
    sin, cos = _run(lambda rt, w: trig.sin_cos(rt, w.mul_public(c)), words)
    bound = 2**-24 + np.abs(value) * 2**-46
    assert np.all(np.abs(sin / ONE - np.sin(value)) <= bound)
    assert np.all(np.abs(cos / ONE - np.cos(value)) <= bound)


def test_atan_ratio_bound():
    b = np.concatenate([RNG.integers(1, 2**34, 1500), [1, 1, 2**34, 7, 2**16]])
    a = np.concatenate([(RNG.random(1500) * b[:1500]).astype(np.int64), [0, 1, 2**34, 7, 0]])
    got = _run(trig.atan_ratio, a.astype(np.int64), b.astype(np.int64)) / ONE
    assert np.abs(got - np.arctan(a / b)).max() < 2**-25


def test_civil_from_days_is_exact_from_year_1_to_9999():
    first = (dt.date(1, 1, 1) - dt.date(1970, 1, 1)).days
    last = (dt.date(9999, 12, 31) - dt.date(1970, 1, 1)).days
    edges = [dt.date(2000, 2, 29), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(2100, 3, 1),
             dt.date(1600, 2, 29), dt.date(1969, 12, 31), dt.date(1970, 1, 1), dt.date(2024, 12, 31)]
    days = np.concatenate([RNG.integers(first, last, 2000), [first, last],
                           [(d - dt.date(1970, 1, 1)).days for d in edges]]).astype(np.int64)
    year, month, day = _run(civil_dates.civil_from_days, days)
    dates = [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in days]
    assert year.tolist() == [d.year for d in dates]
    assert month.tolist() == [d.month for d in dates]
    assert day.tolist() == [d.day for d in dates]


def test_day_of_year_and_iso_week_are_exact_from_year_1_to_9999():
    first = (dt.date(1, 1, 1) - dt.date(1970, 1, 1)).days
    last = (dt.date(9999, 12, 31) - dt.date(1970, 1, 1)).days
    # ISO weeks 52/53 and 1 around new year, leap days, centuries
    edges = [dt.date(y, m, d) for y in (1, 1600, 1900, 1969, 1970, 2000, 2004, 2020, 2021,
                                         2026, 9999)
             for m, d in ((1, 1), (1, 3), (1, 4), (2, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0)
                                                  else 28), (3, 1), (12, 28), (12, 31))]
    days = np.concatenate([RNG.integers(first, last, 1000), [first, last],
                           [(d - dt.date(1970, 1, 1)).days for d in edges]]).astype(np.int64)
    dates = [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in days]
    assert _run(civil_dates.day_of_year, days).tolist() == [d.timetuple().tm_yday for d in dates]
    assert _run(civil_dates.iso_week, days).tolist() == [d.isocalendar()[1] for d in dates]
    assert _run(civil_dates.iso_weekday, days).tolist() == [d.isoweekday() for d in dates]


def _packed(strings: list[str], width: int) -> np.ndarray:
    raw = np.array([s.encode() for s in strings], dtype=f"S{8 * width}")
    return raw.view(np.uint64).reshape(len(strings), width)


def test_like_tests_are_exact():
    words = ["apple", "app", "", "application", "pineapple", "naïve café", "a", "pp", "xapp",
             "apples and pears!", "é", "ppa", "aaaaaaaaaaaaaaaa",
             # the full width: a suffix that ends one byte early must not match
             "a" * 21 + "lex", "a" * 22 + "le"]
    width = 3
    packed = _packed(words, width)
    cases = [("starts", b"app"), ("starts", b"applications"), ("ends", b"ple"), ("ends", b"p"), ("ends", b"le"),
             ("ends", "é".encode()), ("contains", b"pp"), ("contains", b"ve c"),
             ("equals", b"app"), ("equals", b""), ("equals", b"aaaaaaaaaaaaaaaa"),
             ("ends", b"aaaaaaaaaaaaaaaaaaaaaaaaa")]

    fns = {"starts": byte_match.starts_with, "ends": byte_match.ends_with,
           "contains": byte_match.contains, "equals": byte_match.equals}

    def party(rt, _):
        cols = [rss.share_input_bool(rt, 0, packed[:, j] if rt.party == 0 else None, len(words))
                for j in range(width)]
        bits = [fns[kind](rt, cols, text, len(words)) for kind, text in cases]
        opened = list(rt.openings)
        return [rss.reveal(rt, b) & np.uint64(1) for b in bits], opened

    results = run_parties(party)
    assert all(opened == [] for _, opened in results)
    for (kind, text), got in zip(cases, results[0][0], strict=True):
        t = text.decode()
        expected = {"starts": [w.startswith(t) for w in words],
                    "ends": [w.endswith(t) for w in words],
                    "contains": [t in w for w in words],
                    "equals": [w == t for w in words]}[kind]
        assert got.astype(bool).tolist() == expected, (kind, text)
    # a suffix with a minimum length (LIKE 'ap%le': both pieces must fit, without overlap)
    def suffix_of_length(rt, min_length):
        cols = [rss.share_input_bool(rt, 0, _packed(["aple", "apple"], 1)[:, 0]
                                     if rt.party == 0 else None, 2)]
        bit = byte_match.ends_with(rt, cols, b"le", 2, min_length=min_length)
        return (rss.reveal(rt, bit) & np.uint64(1)).tolist()

    assert run_parties(suffix_of_length, [4, 4, 4])[0] == [1, 1]
    assert run_parties(suffix_of_length, [5, 5, 5])[0] == [0, 1]


def test_string_order_is_bytewise():
    words = ["", "a", "app", "apple", "apples", "b", "Apple", "naïve", "naive", "zz" * 9,
             "zz" * 9 + "a", "applf", "é", "e", "a" * 16, "a" * 15 + "b"]
    pairs = [(x, y) for x in words for y in words]
    left = _packed([x for x, _ in pairs], 3)
    right = _packed([y for _, y in pairs], 3)

    def party(rt, _):
        a = [rss.share_input_bool(rt, 0, left[:, j] if rt.party == 0 else None, len(pairs))
             for j in range(3)]
        b = [rss.share_input_bool(rt, 1, right[:, j] if rt.party == 1 else None, len(pairs))
             for j in range(3)]
        bit = byte_order.less_than(rt, a, b[:2], len(pairs))  # widths 3 and 2
        opened = list(rt.openings)
        return rss.reveal(rt, bit) & np.uint64(1), opened

    results = run_parties(party)
    assert all(opened == [] for _, opened in results)
    # b keeps two words only (16 bytes): compare with the strings cut there
    expected = [x.encode() < y.encode()[:16] for x, y in pairs]
    assert results[0][0].astype(bool).tolist() == expected


def test_polynomial_coefficients_are_small_and_fit():
    """The fits the protocols evaluate: below 8 (no wrap) and within their stated error."""
    s = np.linspace(-1, 1, 20001)
    fits = [(exp_log._EXP2, np.exp2((s + 1) / 2), 2**-36),
            (exp_log._LOG2, np.log2(1 + (s + 1) / 2), 2**-34),
            (trig._SIN, np.sin(np.pi * s), 2**-35), (trig._COS, np.cos(np.pi * s), 2**-35),
            (trig._ATAN, np.arctan((s + 1) / 2), 2**-35)]
    for coefficients, exact, bound in fits:
        assert max(abs(c) for c in coefficients) < 8
        assert np.abs(np.polynomial.polynomial.polyval(s, coefficients) - exact).max() < bound
    assert polynomial.FRAC == FRAC


def test_like_automaton_matches_duckdb():
    """Every pattern form (mpc/like_automaton.py) against DuckDB's LIKE and ILIKE on the
    same strings: '_' is a character of one to four bytes, several '%', escapes, case
    folding with the two non-ASCII characters that lowercase to ASCII letters, strings
    that fill the width."""
    words = ["apple", "app", "", "application", "pineapple", "naïve café", "a", "pp", "Apple",
             "APPLE", "a_b", "a%b", "a!b", "ab", "İi", "Kk", "KILO", "kilo", "é", "aé", "€",
             "a" * 24, "a" * 23 + "b", "abcabc", "abab", "mississippi", "Ǆ"]
    patterns = [("a_p%", "", False), ("%a%b%", "", False), ("_", "", False), ("__", "", False),
                ("%_", "", False), ("_%_", "", False), ("na_ve%", "", False), ("%é", "", False),
                ("a!_b", "!", False), ("a!%b", "!", False), ("a!!b", "!", False),
                ("%!%%", "!", False), ("a!b", "!", False), ("", "", False), ("%", "", False),
                ("%%", "", False), ("ab%cd%", "", False), ("a%a%a%", "", False),
                ("%ss%ss%", "", False), ("m%i", "", False), ("%ab", "", False),
                ("a%b%", "", False), ("a" * 23 + "_", "", False), ("%b", "", False),
                ("app%", "", True), ("%IL%", "", True), ("k%", "", True), ("%i%", "", True),
                ("i_", "", True), ("A%E", "", True), ("%s_s%", "", True), ("_", "", True),
                ("A!%b", "!", True), ("%1%", "", True)]
    width = 3
    packed = _packed(words, width)
    tokens = []
    for pattern, escape, fold in patterns:
        node = (exp.ILike if fold else exp.Like)(this=exp.column("s"),
                                                 expression=exp.Literal.string(pattern))
        tokens.append(like_tokens(node, escape))

    def party(rt, _):
        cols = [rss.share_input_bool(rt, 0, packed[:, j] if rt.party == 0 else None, len(words))
                for j in range(width)]
        bits = [like_automaton.match(rt, cols, t, len(words)) for t in tokens]
        opened = list(rt.openings)
        return [rss.reveal(rt, b) for b in bits], opened

    results = run_parties(party)
    assert all(opened == [] for _, opened in results)
    con = duckdb.connect()
    for (pattern, escape, fold), t, got in zip(patterns, tokens, results[0][0], strict=True):
        expected = [row[0] for row in con.execute(
            f"SELECT s {'ILIKE' if fold else 'LIKE'} $p ESCAPE $e FROM "
            "(SELECT UNNEST($w::VARCHAR[]) AS s)", {"p": pattern, "e": escape, "w": words}
        ).fetchall()]
        assert got.tolist() == [int(e) for e in expected], (pattern, escape, fold)
        assert [like_automaton.matches_plain(w.encode(), t) for w in words] == expected


def test_like_automaton_of_a_column_of_empty_strings():
    """A column whose strings are all empty has no byte: each pattern matches or not."""

    def party(rt, _):
        return [rss.reveal(rt, like_automaton.match(rt, [], t, 2)).tolist()
                for t in (["%"], [(b"a",), "%"], [], ["_"])]

    assert run_parties(party)[0] == [[1, 1], [0, 0], [1, 1], [0, 0]]
