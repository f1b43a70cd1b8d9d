"""What party servers and their clients say to each other, beyond the MPC messages.

Every exchange is a Flight action on a party's :class:`~scql_py.net.flight.FlightNetwork`
server, over the same mutually authenticated TLS connections as the MPC traffic:

==============  =========================  =========================  =============================================
action            from                       body -> results
================  =========================  =============================================
``query``         the party's own programs   ``{"sql", "pushdown", "id", "timeout",
                                             "max_rows"}`` -> heartbeats and progress
                                             reports while it runs, then one outcome and
                                             the result table's chunks
``cancel_query``  the party's own programs   ``{"id"}`` -> one outcome ``{"ok"}``: the
                                             query of that id is cancelled on every party
``explain``       the party's own programs   ``{"sql", "pushdown", "max_rows"}`` -> one
                                             outcome ``{"text"}``
``run``           the asker's server         ``{"session", "plan", "timeout"}`` -> one
                                             outcome: the plan is verified and this
                                             party's engine started, or refused
``cancel``        the asker's server         ``{"session"}`` -> one outcome: this party
                                             dropped the session (the query failed or
                                             was cancelled elsewhere)
``ping``          anyone authenticated       ``{"peers"}`` -> one outcome ``{"party",
                                             "catalog"}``, with ``"peers"`` (party -> "up"
                                             or why not) when asked for
================  =========================  =============================================

A query's ``id`` is chosen by the client (so that it can cancel it); ``timeout`` is how
long the client is prepared to wait for any party: the servers use it for this query
when it is shorter than their own. ``timeout``, ``id`` and ``max_rows`` may be absent.

A result body starts with a tag byte: :data:`HEARTBEAT`, :data:`PROGRESS` (then the JSON
of an :class:`~scql_py.engine.progress.Progress`), :data:`OUTCOME` (then JSON) or
:data:`TABLE` (then a piece of the Arrow IPC stream of the result table). Errors travel
as ``{"class", "message"}`` and are raised again as the same PEP 249 class; only classes
of :mod:`scql_py.errors` are ever built from what a peer sent.

When a peer's engine has finished its part of a query, it reports the outcome (and its
channel counters, ``stats``, and its seconds and counters per step, ``profile``) to the
asker on the query's control session ``<session>.ctl``; the asker's outcome to its
client carries every party's ``stats`` and ``profile`` (EXPLAIN ANALYZE prints them).

>>> err = error_from_json(error_to_json(SecurityError("no", party="bob")))
>>> type(err).__name__, str(err), err.party
('SecurityError', 'no', 'bob')
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from scql_py import errors
from scql_py.engine.progress import Progress
from scql_py.errors import Error, InternalError, OperationalError, SecurityError
from scql_py.net.certs import CA_CERT_FILE, TLSConfig

QUERY, EXPLAIN, RUN, CANCEL, PING = "query", "explain", "run", "cancel", "ping"
CANCEL_QUERY = "cancel_query"
CTL_SUFFIX = ".ctl"

HEARTBEAT = b"h"
PROGRESS = b"p"
OUTCOME = b"o"
TABLE = b"t"

TABLE_CHUNK_BYTES = 1 << 20  # result table pieces: well under gRPC's message limits
MAX_MESSAGE_CHARS = 4000  # an error message from a peer is cut to this length
CERTS_DIR = "certs"


# -- errors ---------------------------------------------------------------------------------

def error_to_json(exc: BaseException) -> dict[str, Any]:
    """An error as JSON: its PEP 249 class name (``InternalError`` for anything else)."""
    if isinstance(exc, Error):
        out: dict[str, Any] = {"class": type(exc).__name__, "message": str(exc)}
        if isinstance(exc, SecurityError):
            out.update(column=exc.column, party=exc.party, level=exc.level)
        return out
    return {"class": "InternalError", "message": f"{type(exc).__name__}: {exc}"}


def error_from_json(obj: object) -> Error:
    """The :class:`~scql_py.errors.Error` that ``obj`` describes (never another class)."""
    if not isinstance(obj, dict):
        return InternalError(f"malformed error report: {str(obj)[:200]!r}")
    name, message = obj.get("class"), str(obj.get("message", ""))[:MAX_MESSAGE_CHARS]
    cls = getattr(errors, name, None) if isinstance(name, str) else None
    if not (isinstance(cls, type) and issubclass(cls, Error)):
        return InternalError(f"{name}: {message}")
    if cls is SecurityError or issubclass(cls, SecurityError):
        extra = {k: obj[k] if isinstance(obj.get(k), str) else None
                 for k in ("column", "party", "level")}
        return cls(message, **extra)
    try:
        return cls(message)
    except TypeError:  # a subclass with another constructor
        return InternalError(f"{name}: {message}")


def naming(party: str, exc: Error) -> Error:
    """``exc`` with a message that names ``party`` (where it happened), same class."""
    text = str(exc)
    if f"'{party}'" in text or f"party {party}" in text:
        return exc
    out = error_from_json({**error_to_json(exc), "message": f"party '{party}': {text}"})
    out.__cause__ = exc
    return out


# -- progress ------------------------------------------------------------------------------

def progress_item(report: Progress) -> bytes:
    return PROGRESS + json.dumps(report.to_json()).encode()


def read_progress(body: bytes) -> Progress:
    """The progress report of a :data:`PROGRESS` body (``ValueError`` if malformed)."""
    try:
        obj = json.loads(body[1:])
    except (UnicodeDecodeError, ValueError):
        raise ValueError("malformed progress report") from None
    if not isinstance(obj, dict):
        raise ValueError("malformed progress report")
    return Progress.from_json(obj)


def positive_number(request: dict, key: str) -> float | None:
    """``request[key]`` if it is a positive number, None if absent; else ``InternalError``."""
    value = request.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InternalError(f"malformed request: {key} must be a positive number")
    return float(value)


# -- outcomes and tables --------------------------------------------------------------------

def outcome(obj: dict[str, Any]) -> bytes:
    return OUTCOME + json.dumps(obj).encode()


def read_outcome(body: bytes) -> dict[str, Any]:
    """The JSON of an outcome body; ``InternalError`` if it is not one."""
    if not body.startswith(OUTCOME):
        raise InternalError("malformed answer from a party server")
    try:
        obj = json.loads(body[1:])
    except (UnicodeDecodeError, ValueError):
        raise InternalError("malformed answer from a party server") from None
    if not isinstance(obj, dict):
        raise InternalError("malformed answer from a party server")
    return obj


def table_chunks(table: pa.Table, chunk_bytes: int = TABLE_CHUNK_BYTES) -> list[bytes]:
    """``table`` as Arrow IPC stream pieces of at most ``chunk_bytes``, each tagged."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    data = sink.getvalue()
    return [TABLE + data.slice(i, min(chunk_bytes, data.size - i)).to_pybytes()
            for i in range(0, max(data.size, 1), chunk_bytes)]


def table_from_chunks(pieces: list[bytes]) -> pa.Table:
    data = b"".join(p[1:] for p in pieces)
    try:
        return pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    except pa.ArrowException as exc:
        raise InternalError(f"malformed result table from the party server: {exc}") from None


# -- certificates ---------------------------------------------------------------------------

def default_cert_dir(catalog_path: str | Path) -> Path:
    """Where ``scql certs`` puts a catalog's certificates: ``certs/`` beside it."""
    return Path(catalog_path).resolve().parent / CERTS_DIR


def load_tls(catalog_path: str | Path, party: str, certs: str | Path | None = None,
             insecure: bool = False) -> TLSConfig | None:
    """``party``'s TLS material from ``certs`` (default: beside the catalog); None when
    ``insecure``. A missing file is an ``OperationalError`` saying how to make them."""
    if insecure:
        return None
    directory = Path(certs) if certs is not None else default_cert_dir(catalog_path)
    try:
        return TLSConfig.from_dir(directory, party)
    except FileNotFoundError as exc:
        raise OperationalError(
            f"no TLS certificate for party '{party}': {exc.filename} is missing (make "
            f"development ones with `scql certs --catalog {catalog_path}`, or use --insecure "
            f"for plain TCP)") from None
    except OSError as exc:
        raise OperationalError(f"cannot read the TLS files of party '{party}' in "
                               f"{directory}: {exc}") from None


__all__ = [
    "CANCEL", "CANCEL_QUERY", "CA_CERT_FILE", "CTL_SUFFIX", "EXPLAIN", "HEARTBEAT", "OUTCOME",
    "PING", "PROGRESS", "QUERY", "RUN", "TABLE", "default_cert_dir", "error_from_json",
    "error_to_json", "load_tls", "naming", "outcome", "positive_number", "progress_item",
    "read_outcome", "read_progress", "table_chunks", "table_from_chunks",
]
