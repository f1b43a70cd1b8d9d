"""The abstract communicator every protocol talks through.

A party sends *payloads* to its peers: numpy arrays (the shares), ``bytes``, or small
JSON-able control objects (plans, sizes, errors). Every implementation counts what it
sends and receives, and the number of communication rounds, so the cost of a query is
visible (``Communicator.stats``).

Round accounting: a protocol step that sends and then waits for the answers is one
round, whatever the number of peers; :meth:`Communicator.exchange` is that step and
the only place rounds are counted.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scql_py.errors import OperationalError

Payload = Any  # np.ndarray | bytes | JSON-able object

DEFAULT_TIMEOUT = 30.0


@dataclass
class ChannelStats:
    """Bytes, messages and rounds of one party, since the last :meth:`reset`."""

    bytes_sent: int = 0
    bytes_received: int = 0
    messages_sent: int = 0
    rounds: int = 0
    per_peer_sent: dict[int, int] = field(default_factory=dict)

    def reset(self) -> None:
        self.bytes_sent = self.bytes_received = self.messages_sent = self.rounds = 0
        self.per_peer_sent.clear()

    def snapshot(self) -> dict[str, int]:
        return {
            "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received,
            "messages_sent": self.messages_sent,
            "rounds": self.rounds,
        }


def peer_silent(name: str, timeout: float) -> OperationalError:
    """The error for a peer that sent nothing within the timeout (it may be down, or
    still computing): an OperationalError like any other for the user, marked
    ``silent`` for :meth:`Communicator.exchange` with ``patient``."""
    err = OperationalError(f"party '{name}' did not answer within {timeout:g} s")
    err.silent = True
    return err


def payload_size(payload: Payload) -> int:
    """The number of bytes a payload occupies on the wire (its data, not framing)."""
    if isinstance(payload, np.ndarray):
        return int(payload.nbytes)
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return len(payload)
    if isinstance(payload, (list, tuple)) and payload and all(
        isinstance(p, np.ndarray) for p in payload
    ):
        return sum(int(p.nbytes) for p in payload)
    return len(json.dumps(payload, default=str).encode())


class Communicator(ABC):
    """One party's end of the channels to every other party.

    Args:
        party: this party's index, 0-based.
        party_names: the catalog names of all parties, by index (for error messages).
        timeout: seconds to wait for a peer before raising ``OperationalError``.
    """

    def __init__(self, party: int, party_names: list[str], timeout: float = DEFAULT_TIMEOUT):
        self.party = party
        self.party_names = list(party_names)
        self.n_parties = len(party_names)
        self.timeout = timeout
        self.stats = ChannelStats()

    @property
    def next(self) -> int:
        return (self.party + 1) % self.n_parties

    @property
    def prev(self) -> int:
        return (self.party - 1) % self.n_parties

    def name_of(self, party: int) -> str:
        return self.party_names[party]

    # -- what implementations provide ---------------------------------------------------
    @abstractmethod
    def _send(self, to: int, payload: Payload) -> None:
        """Deliver one payload to ``to`` without waiting for it to be read."""

    @abstractmethod
    def _recv(self, frm: int, timeout: float) -> Payload:
        """Return the next payload from ``frm``; raise ``OperationalError`` on timeout."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources; further use is an error."""

    def peer_alive(self, frm: int) -> bool:
        """Whether peer ``frm`` is still there (asked after it was silent for a
        timeout, by a party that waits patiently); False unless an implementation can
        tell."""
        return False

    # -- the API protocols use ------------------------------------------------------------
    def send(self, to: int, payload: Payload) -> None:
        """Send without counting a round (use :meth:`exchange` for protocol steps)."""
        if to == self.party:
            raise ValueError("a party cannot send to itself")
        if isinstance(payload, np.ndarray):
            payload = payload.view()
            payload.flags.writeable = False  # the receiver gets the same memory in-process
        n = payload_size(payload)
        self.stats.bytes_sent += n
        self.stats.messages_sent += 1
        self.stats.per_peer_sent[to] = self.stats.per_peer_sent.get(to, 0) + n
        self._send(to, payload)

    def recv(self, frm: int) -> Payload:
        payload = self._recv(frm, self.timeout)
        self.stats.bytes_received += payload_size(payload)
        return payload

    def exchange(self, sends: dict[int, Payload], recv_from: list[int] | tuple[int, ...],
                 patient: bool = False) -> list:
        """One round: send every payload in ``sends``, then receive one from each peer.

        Returns the received payloads in the order of ``recv_from``. ``patient``: a peer
        silent for a timeout is waited for again while it is still there
        (:meth:`peer_alive`): for a party that waits while others compute, e.g. a data
        party for its result.
        """
        self.stats.rounds += 1
        for to, payload in sends.items():
            self.send(to, payload)
        return [self._recv_patiently(frm) if patient else self.recv(frm)
                for frm in recv_from]

    def _recv_patiently(self, frm: int) -> Payload:
        while True:
            try:
                return self.recv(frm)
            except OperationalError as err:
                if not getattr(err, "silent", False) or not self.peer_alive(frm):
                    raise

    def idle_round(self) -> None:
        """A round in which this party sends and receives nothing while the others
        exchange: counted, so that every party of a protocol counts the same rounds."""
        self.exchange({}, [])
