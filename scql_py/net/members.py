"""A communicator restricted to some of a query's parties, renumbered from 0.

The three computing parties run the protocol among themselves while data parties
only send inputs in and receive results: protocols get this view, in which party
``i`` is the ``i``-th computing party, and never address a party outside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from scql_py.net.channel import Communicator, Payload


class MembersChannel(Communicator):
    """The parties ``members`` (indices of ``parent``) of ``parent``, as parties
    ``0 .. len(members) - 1``. Messages and counters are the parent's."""

    def __init__(self, parent: Communicator, members: Sequence[int]):
        members = list(members)
        if parent.party not in members:
            raise ValueError(f"party {parent.party} is not one of {members}")
        super().__init__(members.index(parent.party),
                         [parent.name_of(m) for m in members], parent.timeout)
        self.parent = parent
        self.members = members
        self.stats = parent.stats  # one party, one set of counters

    def _send(self, to: int, payload: Payload) -> None:
        self.parent._send(self.members[to], payload)

    def _recv(self, frm: int, timeout: float) -> Payload:
        return self.parent._recv(self.members[frm], self.parent.timeout)

    def send(self, to: int, payload: Payload) -> None:
        if to == self.party:
            raise ValueError("a party cannot send to itself")
        self.parent.send(self.members[to], payload)

    def recv(self, frm: int) -> Payload:
        return self.parent.recv(self.members[frm])

    def peer_alive(self, frm: int) -> bool:
        return self.parent.peer_alive(self.members[frm])
