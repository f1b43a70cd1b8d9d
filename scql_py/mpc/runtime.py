"""One party's protocol runtime: its index, its channel and its randomness.

Key set-up (once per session, never fixed): party *i* draws a key ``k_i`` and sends it
to party *i-1*. Party *i* then holds ``k_i`` (shared with its previous party) and
``k_{i+1}`` (shared with its next party), plus a private key of its own. From those:

* zero shares ``alpha_i = F(k_i) - F(k_{i+1})`` sum to zero over the three parties;
* a random secret ``r`` nobody knows has shares ``r_i = F(k_i)``;
* a pair of parties can draw the same random values (e.g. permutations for shuffles).
"""

from __future__ import annotations

import os

from scql_py.mpc.openings import Opening
from scql_py.mpc.prg import KEY_BYTES, PRG
from scql_py.net.channel import Communicator

N_PARTIES = 3


class Runtime:
    """What a party needs to run protocols. One per party per session.

    Construct it on every party at the same time: the constructor runs the key set-up
    round over ``comm``.
    """

    def __init__(self, comm: Communicator):
        if comm.n_parties != N_PARTIES:
            raise ValueError("rss3 needs exactly three computing parties")
        self.comm = comm
        self.party = comm.party
        own_key = os.urandom(KEY_BYTES)
        (next_key,) = comm.exchange({comm.prev: own_key}, [comm.next])
        self.prg_prev = PRG(own_key)  # k_i, also held by party i-1
        self.prg_next = PRG(bytes(next_key))  # k_{i+1}, also held by party i+1
        self.prg_own = PRG()
        self.openings: list[Opening] = []

    def record_opening(self, what: str, to: tuple[int, ...] | None, values: int) -> None:
        """Note that ``values`` values of kind ``what`` were opened ``to`` those parties
        (None: every party). Protocols that open call this; nothing else does."""
        self.openings.append(Opening(what, tuple(range(N_PARTIES)) if to is None
                                     else tuple(sorted(to)), int(values)))

    @property
    def next(self) -> int:
        return (self.party + 1) % N_PARTIES

    @property
    def prev(self) -> int:
        return (self.party - 1) % N_PARTIES

    def pair_prg(self, other: int) -> PRG:
        """The generator this party shares with ``other``."""
        if other == self.next:
            return self.prg_next
        if other == self.prev:
            return self.prg_prev
        raise ValueError(f"party {self.party} shares no key with {other}")
