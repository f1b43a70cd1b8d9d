"""In-process channels: every party is a thread, every directed pair a queue.

The engines share nothing but these queues, so a party holds only what was sent to it.
Arrays are passed by reference but made read-only by :meth:`Communicator.send`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any

from scql_py.errors import OperationalError
from scql_py.net.channel import DEFAULT_TIMEOUT, Communicator, Payload, peer_silent

_CLOSED = object()
_CANCELLED = object()


class InProcessNetwork:
    """The queues between ``len(party_names)`` parties living in one process.

    >>> net = InProcessNetwork(["alice", "bob", "carol"])
    >>> a, b = net.communicator(0), net.communicator(1)
    >>> a.send(1, {"hello": 1}); b.recv(0)
    {'hello': 1}
    """

    def __init__(self, party_names: list[str], timeout: float = DEFAULT_TIMEOUT,
                 record: bool = False):
        self.party_names = list(party_names)
        self.timeout = timeout
        self.record = record  # keep what each party receives (for view tests)
        self.cancelled = False
        self.running: set[int] = set()  # the parties whose thread runs now
        n = len(party_names)
        self.queues = {(s, d): queue.Queue() for s in range(n) for d in range(n) if s != d}
        self._comms = [InProcessCommunicator(self, i) for i in range(n)]

    def communicator(self, party: int) -> InProcessCommunicator:
        return self._comms[party]

    def abort(self, party: int) -> None:
        """Make every peer of ``party`` see it as gone (for failures mid-query)."""
        for (src, _dst), q in self.queues.items():
            if src == party:
                q.put(_CLOSED)

    def cancel(self) -> None:
        """Stop the query on every party: each one's next send or receive fails."""
        self.cancelled = True
        for q in self.queues.values():
            q.put(_CANCELLED)

    def run(self, fn: Callable[[int], Any], prefer: int | None = None,
            parties: Sequence[int] | None = None) -> list[Any]:
        """Run ``fn(party)`` for every party (or those of ``parties``) at once, each in
        its own thread; return the results by party (None for a party not run). A party that fails is seen as gone by the others (who then
        fail too); the root cause is raised: a party's own error, then a party that is
        down (an OperationalError of its own), then a peer that did not answer, then
        "left the query"; among equals, party ``prefer``'s (the asker's: the others'
        errors are terse) before the others'.

        Ctrl-C (``KeyboardInterrupt`` in the calling thread) cancels the query on every
        party and waits until all of them have stopped before it is raised again, so
        that nothing of the query goes on running behind the next one."""
        n = len(self.party_names)
        results: list[Any] = [None] * n
        errors: list[BaseException | None] = [None] * n

        def body(i: int) -> None:
            try:
                results[i] = fn(i)
            except BaseException as exc:  # re-raised below, in the caller's thread
                errors[i] = exc
                self.abort(i)
            finally:
                self.running.discard(i)

        run = range(n) if parties is None else parties
        self.running = set(run)
        threads = [threading.Thread(target=body, args=(i,), daemon=True,
                                    name=f"party-{self.party_names[i]}") for i in run]
        for t in threads:
            t.start()
        try:
            for t in threads:
                t.join()
        except KeyboardInterrupt:
            self.cancel()
            _join_through_interrupts(threads)
            raise
        failed = [(i, e) for i, e in enumerate(errors) if e is not None]
        if failed:
            _, root = min(failed, key=lambda f: (_echo_rank(f[1]), f[0] != prefer, f[0]))
            raise root
        return results


def _echo_rank(err: BaseException) -> int:
    """How far an error is from a root cause: 0 a party's own, 3 a mere echo."""
    if not isinstance(err, OperationalError):
        return 0
    text = str(err)
    if "left the query" in text:
        return 3
    return 2 if "did not answer" in text else 1


def _join_through_interrupts(threads: list[threading.Thread]) -> None:
    """Wait for ``threads`` even if Ctrl-C is pressed again meanwhile."""
    for t in threads:
        while t.is_alive():
            try:
                t.join()
            except KeyboardInterrupt:
                continue


class InProcessCommunicator(Communicator):
    def __init__(self, network: InProcessNetwork, party: int):
        super().__init__(party, network.party_names, network.timeout)
        self.network = network
        self.received: list[tuple[int, Payload]] = []  # filled only when recording

    def _send(self, to: int, payload: Payload) -> None:
        if self.network.cancelled:
            raise OperationalError("the query was cancelled")
        self.network.queues[(self.party, to)].put(payload)

    def _recv(self, frm: int, timeout: float) -> Payload:
        try:
            item = self.network.queues[(frm, self.party)].get(timeout=timeout)
        except queue.Empty:
            raise peer_silent(self.name_of(frm), timeout) from None
        if item is _CLOSED:
            raise OperationalError(f"party '{self.name_of(frm)}' left the query")
        if item is _CANCELLED:
            raise OperationalError("the query was cancelled")
        if self.network.record:
            self.received.append((frm, item))
        return item

    def peer_alive(self, frm: int) -> bool:
        return frm in self.network.running and not self.network.cancelled
