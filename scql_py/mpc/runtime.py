"""One party's protocol runtime: its index, its channel and its randomness.

Key set-up (once per session, never fixed): party *i* draws a key ``k_i`` and sends it
to party *i-1*. Party *i* then holds ``k_i`` (shared with its previous party) and
``k_{i+1}`` (shared with its next party), plus a private key of its own. From those:

* zero shares ``alpha_i = F(k_i) - F(k_{i+1})`` sum to zero over the three parties;
* a random secret ``r`` nobody knows has shares ``r_i = F(k_i)``;
* a pair of parties can draw the same random values (e.g. permutations for shuffles).

A query may have more parties than the three that compute (data parties, which only
share inputs in and receive results). The runtime is then built on every party of the
query with the global indices of the three: on a computing party ``comm`` is the view
of the three (numbered 0, 1, 2, what every protocol uses) and ``world`` every party;
on a data party ``party`` and ``comm`` are None (it runs no protocol among the three)
and only the protocols with the outside (:mod:`scql_py.mpc.outside`) use ``world``.
"""

from __future__ import annotations

import os

from scql_py.mpc.openings import Opening
from scql_py.mpc.prg import KEY_BYTES, PRG
from scql_py.net.channel import Communicator
from scql_py.net.members import MembersChannel

N_PARTIES = 3


class Runtime:
    """What a party needs to run protocols. One per party per session.

    Construct it on every party at the same time: the constructor runs the key set-up
    round over ``comm`` among the computing parties ``compute`` (indices of ``comm``;
    default: all of its parties), unless ``keys`` is False.
    """

    def __init__(self, comm: Communicator, compute: tuple[int, ...] | None = None,
                 keys: bool = True):
        if compute is None:
            compute = tuple(range(comm.n_parties))
        if len(compute) != N_PARTIES or len(set(compute)) != N_PARTIES:
            raise ValueError("rss3 needs exactly three computing parties")
        self.world = comm
        self.compute = tuple(compute)
        self.openings: list[Opening] = []
        if comm.party not in self.compute:
            self.comm: Communicator | None = None
            self.party: int | None = None
            return
        if self.compute != tuple(range(comm.n_parties)):
            comm = MembersChannel(comm, self.compute)
        self.comm = comm
        self.party = comm.party
        if not keys:  # a plan without secure steps: the three draw no keys
            return
        own_key = os.urandom(KEY_BYTES)
        (next_key,) = comm.exchange({comm.prev: own_key}, [comm.next])
        self.prg_prev = PRG(own_key)  # k_i, also held by party i-1
        self.prg_next = PRG(bytes(next_key))  # k_{i+1}, also held by party i+1
        self.prg_own = PRG()

    @property
    def computes(self) -> bool:
        """Whether this party is one of the three computing parties."""
        return self.party is not None

    def computing_index(self, world_party: int) -> int | None:
        """The protocol index (0-2) of party ``world_party``; None for a data party."""
        return self.compute.index(world_party) if world_party in self.compute else None

    def record_opening(self, what: str, to: tuple[int, ...] | None, values: int) -> None:
        """Note that ``values`` values of kind ``what`` were opened ``to`` those
        computing parties (protocol indices; None: all three). Protocols that open call
        this (or :meth:`record_world_opening`); nothing else does."""
        parties = self.compute if to is None else tuple(self.compute[i] for i in to)
        self.record_world_opening(what, parties, values)

    def record_world_opening(self, what: str, to: tuple[int, ...], values: int) -> None:
        """As :meth:`record_opening`, ``to`` given as indices of every party (``world``):
        for openings to data parties. Openings are kept in those indices."""
        self.openings.append(Opening(what, tuple(sorted(to)), int(values)))

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
