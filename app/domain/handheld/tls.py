"""A self-signed certificate for serving the handheld app on a LAN name over HTTPS.

Service workers and the camera work only on a secure origin: https://, or http://localhost. Floor
devices reach the server by a LAN name (``wms.local``), so the server needs a certificate for that
name. ``wms serve --self-signed NAME`` makes one (or reuses a valid one) and serves with it; each
device then trusts that certificate once (see README, "Handhelds on the warehouse network").
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = ["SelfSigned", "ensure_self_signed"]

VALID_DAYS = 825  # the maximum TLS server certificate lifetime iOS 13 and macOS 10.15 accept (Apple, HT210176)


@dataclass(frozen=True)
class SelfSigned:
    certfile: Path
    keyfile: Path
    fingerprint_sha256: str
    created: bool


def _valid_for(certfile: Path, name: str) -> str | None:
    """Return the SHA-256 fingerprint of ``certfile`` if it names ``name`` and is valid for 30+ days."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        cert = x509.load_pem_x509_certificate(certfile.read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return None
    listed = set(names.get_values_for_type(x509.DNSName)) | {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}
    if name not in listed or cert.not_valid_after_utc < datetime.now(UTC) + timedelta(days=30):
        return None
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def ensure_self_signed(name: str, directory: Path) -> SelfSigned:
    """Create (or reuse) ``directory/NAME.crt`` and ``NAME.key`` for the host name or IP ``name``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    name = name.strip().lower()
    if not name or "/" in name or " " in name:
        raise ValueError(f"{name!r} is not a host name: use the name devices type, such as wms.local")
    directory.mkdir(parents=True, exist_ok=True)
    certfile, keyfile = directory / f"{name}.crt", directory / f"{name}.key"
    if keyfile.exists():
        fingerprint = _valid_for(certfile, name)
        if fingerprint:
            return SelfSigned(certfile, keyfile, fingerprint, created=False)

    key = ec.generate_private_key(ec.SECP256R1())
    try:
        alt: list[x509.GeneralName] = [x509.IPAddress(ipaddress.ip_address(name))]
    except ValueError:
        alt = [x509.DNSName(name)]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "WMS handheld (self-signed)")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        # CA:TRUE lets a device install this one certificate as its own trusted root.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    keyfile.chmod(0o600)
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return SelfSigned(certfile, keyfile, cert.fingerprint(hashes.SHA256()).hex(":").upper(), created=True)
