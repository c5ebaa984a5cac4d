"""The self-signed certificate for a LAN name."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509

from app.domain.handheld.tls import ensure_self_signed


def test_tls_names_host(tmp_path: Path) -> None:
    created = ensure_self_signed("WMS.local", tmp_path)
    cert = x509.load_pem_x509_certificate(created.certfile.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["wms.local"]
    assert created.created
    assert created.keyfile.stat().st_mode & 0o777 == 0o600


def test_tls_reused(tmp_path: Path) -> None:
    first = ensure_self_signed("wms.local", tmp_path)
    again = ensure_self_signed("wms.local", tmp_path)
    assert not again.created
    assert again.fingerprint_sha256 == first.fingerprint_sha256
    other = ensure_self_signed("dock.local", tmp_path)
    assert other.created
    assert other.fingerprint_sha256 != first.fingerprint_sha256


def test_tls_ip_address(tmp_path: Path) -> None:
    created = ensure_self_signed("192.168.1.20", tmp_path)
    cert = x509.load_pem_x509_certificate(created.certfile.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["192.168.1.20"]


def test_tls_bad_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a host name"):
        ensure_self_signed("wms local", tmp_path)
