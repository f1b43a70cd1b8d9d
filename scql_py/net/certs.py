"""Certificates for the networked parties: a development CA, per-party keys, checks.

Every party holds the CA certificate, its own key and its own certificate, whose common
name is the party's catalog name. A party proves who it is by presenting that
certificate (mutual TLS, then a signed handshake, see :mod:`scql_py.net.flight_auth`);
a peer maps the certificate back to a party name with :func:`party_of_certificate`.

:func:`make_dev_certs` writes such a set for tests and local demos. It is a development
CA: its key sits in the same directory as the party keys, so whoever can read that
directory can mint identities. Real deployments bring their own CA and certificates.

>>> import tempfile
>>> out = tempfile.mkdtemp()
>>> tls = make_dev_certs(out, ["alice", "bob"])
>>> party_of_certificate(tls["bob"].cert, tls["alice"].ca_cert, ["alice", "bob"])
'bob'
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_HOSTS = ("127.0.0.1", "localhost")
CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca.key"
_VALIDITY = dt.timedelta(days=825)


@dataclass(frozen=True)
class TLSConfig:
    """One party's TLS material, PEM-encoded: the CA it trusts, its certificate and key."""

    ca_cert: bytes
    cert: bytes
    key: bytes

    @classmethod
    def from_files(cls, ca_cert: str | Path, cert: str | Path, key: str | Path) -> TLSConfig:
        return cls(Path(ca_cert).read_bytes(), Path(cert).read_bytes(), Path(key).read_bytes())

    @classmethod
    def from_dir(cls, directory: str | Path, party: str) -> TLSConfig:
        """The files written by :func:`make_dev_certs` for ``party``."""
        d = Path(directory)
        return cls.from_files(d / CA_CERT_FILE, d / f"{party}.pem", d / f"{party}.key")

    @property
    def party(self) -> str:
        """The party name in this configuration's own certificate (its common name)."""
        return common_name(x509.load_pem_x509_certificate(self.cert))

    def private_key(self) -> ec.EllipticCurvePrivateKey:
        key = serialization.load_pem_private_key(self.key, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("party keys must be elliptic-curve keys")
        return key


def common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if len(names) != 1:
        raise ValueError("certificate must have exactly one common name")
    return str(names[0].value)


def party_of_certificate(cert_pem: bytes, ca_cert_pem: bytes, party_names: Iterable[str],
                         now: dt.datetime | None = None) -> str:
    """The catalog party a certificate belongs to; ``ValueError`` if it is not one.

    Checks that the CA signed it, that it is within its validity period and that its
    common name is one of ``party_names``.
    """
    cert = x509.load_pem_x509_certificate(cert_pem)
    ca = x509.load_pem_x509_certificate(ca_cert_pem)
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        raise ValueError("certificate is not signed by the catalog's CA") from None
    now = now or dt.datetime.now(dt.timezone.utc)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise ValueError("certificate is expired or not yet valid")
    name = common_name(cert)
    if name not in set(party_names):
        raise ValueError(f"certificate names '{name}', which is not a party of the catalog")
    return name


def _write_private(path: Path, data: bytes) -> None:
    """Write a key readable only by its owner."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _san(hosts: Sequence[str]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def _new_ca(out: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "scql_py development CA")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(out / CA_KEY_FILE, _key_pem(key))
    (out / CA_CERT_FILE).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def issue_party_cert(ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey,
                     party: str, hosts: Sequence[str] = DEFAULT_HOSTS
                     ) -> tuple[bytes, bytes]:
    """A new key and a certificate for ``party`` signed by the CA, both PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, party)]))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_san(hosts), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                              ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM), _key_pem(key)


def make_dev_certs(out_dir: str | Path, party_names: Sequence[str],
                   hosts: Sequence[str] = DEFAULT_HOSTS) -> dict[str, TLSConfig]:
    """Write a development CA and a key + certificate per party into ``out_dir``.

    Files: ``ca.pem``, ``ca.key``, ``<party>.pem``, ``<party>.key``. Existing files are
    kept (running it again only adds missing parties), so a catalog directory can be
    set up once. Every certificate carries ``hosts`` as subject alternative names.
    Returns each party's :class:`TLSConfig`.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if (out / CA_CERT_FILE).exists() and (out / CA_KEY_FILE).exists():
        ca_cert = x509.load_pem_x509_certificate((out / CA_CERT_FILE).read_bytes())
        ca_key = serialization.load_pem_private_key((out / CA_KEY_FILE).read_bytes(), None)
        if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{out / CA_KEY_FILE}: not an elliptic-curve key")
    else:
        ca_cert, ca_key = _new_ca(out)
    for party in party_names:
        if "/" in party or party.startswith(".") or party in ("ca",):
            raise ValueError(f"party name '{party}' cannot name a certificate file")
        cert_path, key_path = out / f"{party}.pem", out / f"{party}.key"
        if not (cert_path.exists() and key_path.exists()):
            cert_pem, key_pem = issue_party_cert(ca_cert, ca_key, party, hosts)
            _write_private(key_path, key_pem)
            cert_path.write_bytes(cert_pem)
    return {p: TLSConfig.from_dir(out, p) for p in party_names}
