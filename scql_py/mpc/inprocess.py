"""Run one protocol on three in-process parties, each in its own thread.

Used by tests and benchmarks: every party gets its own :class:`Runtime` over the
in-process network and runs ``fn(rt, *its_args)``; the three results come back in party
order. An exception on any party is re-raised (the others are released by timeout).

>>> import numpy as np
>>> from scql_py.mpc import rss
>>> def prog(rt, x):
...     s = rss.share_input(rt, 0, x, 3)
...     return rss.reveal(rt, rss.mul(rt, s, s), to=1)
>>> run_parties(prog, [np.array([1, 2, 3]), None, None])[1].tolist()
[1, 4, 9]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from scql_py.mpc.runtime import N_PARTIES, Runtime
from scql_py.net.inprocess import InProcessNetwork

PARTY_NAMES = ["p0", "p1", "p2"]


def run_parties(
    fn: Callable[..., Any],
    per_party_args: Sequence[Any] | None = None,
    *,
    timeout: float = 60.0,
    with_runtimes: list | None = None,
) -> list[Any]:
    """Run ``fn(rt, arg)`` on each party concurrently; return the results by party.

    ``per_party_args[i]`` is party *i*'s private argument (``None`` if omitted).
    If ``with_runtimes`` is a list, the three runtimes are appended to it (for stats).
    """
    net = InProcessNetwork(PARTY_NAMES, timeout=timeout)
    args = list(per_party_args) if per_party_args is not None else [None] * N_PARTIES
    runtimes: list[Runtime | None] = [None] * N_PARTIES

    def body(i: int) -> Any:
        runtimes[i] = Runtime(net.communicator(i))
        return fn(runtimes[i], args[i])

    try:
        return net.run(body)
    finally:
        if with_runtimes is not None:
            with_runtimes.extend(runtimes)
