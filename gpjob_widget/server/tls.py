"""A self-signed certificate for the loopback server's HTTPS mode (needs ``cryptography``)."""

from __future__ import annotations

import datetime
import ipaddress
import tempfile
from pathlib import Path


def self_signed(directory: str | Path | None = None) -> tuple[Path, Path]:
    """Write a fresh certificate + key for ``localhost`` / ``127.0.0.1``; return their paths.

    The certificate is its own CA: pass its path as ``verify=`` (or ``REQUESTS_CA_BUNDLE``) to
    trust it.
    """
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError as exc:  # pragma: no cover - a dev dependency
        raise RuntimeError("HTTPS mode needs the 'cryptography' package "
                           "(pip install cryptography)") from exc

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gpjob_widget loopback")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = Path(directory or tempfile.mkdtemp(prefix="gpjob-tls-"))
    cert_path, key_path = folder / "loopback-cert.pem", folder / "loopback-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path
