"""A self-signed certificate for serving HTTPS on this machine (`mockgraph serve --tls`, `MockGraph(tls=True)`).

Clients trust it by pointing at the certificate file (`requests.get(..., verify=cert)`,
`httpx.Client(verify=...)`). It names localhost, 127.0.0.1 and ::1, plus the host it is made for.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
VALIDITY = dt.timedelta(days=365)


@dataclass(frozen=True)
class CertificateFiles:
    cert: Path  # PEM certificate: what clients verify against
    key: Path  # PEM private key, unencrypted
    temporary: bool = False  # made by `self_signed`: `remove()` deletes its folder

    def remove(self) -> None:
        if self.temporary:
            shutil.rmtree(self.cert.parent, ignore_errors=True)

    def export(self, path: str | Path) -> Path:
        """Copy the certificate (never the key) to `path`, where a client can find it (`--cert-out`).
        Written beside the target and renamed into place: a client never reads half a file."""
        target = Path(path)
        partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            partial.write_bytes(self.cert.read_bytes())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return target


def self_signed(host: str | None = None) -> CertificateFiles:
    """A new key and certificate in a private temporary folder (an EC P-256 key: made in milliseconds)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    names = list(LOCAL_NAMES)
    if host and host not in names and host not in ("0.0.0.0", "::"):
        names.append(host)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mockgraph local certificate")])
    now = dt.datetime.now(dt.UTC)
    public_key = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))  # tolerate a client clock a little behind
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName([_general_name(name) for name in names]), critical=False)
        # A self-signed end-entity certificate: clients that check strictly (Python 3.13's
        # VERIFY_X509_STRICT) want these extensions present.
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, content_commitment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="mockgraph-tls-"))  # mode 0700: the key stays private
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return CertificateFiles(cert_path, key_path, temporary=True)


def _general_name(name: str):
    from cryptography import x509

    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)
