"""Test certificates made on the spot with ``cryptography``: a root CA, and PKCS#12 files for a
body, good, expired, not yet valid, or issued to another body."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSWORD = "mat-khau-ky-so"


def _name(common: str, organisation: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    return x509.Name(attributes)


class LocalCA:
    """A root CA that issues signing certificates."""

    def __init__(self, name: str = "CA thử nghiệm kiemtra") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        start = datetime(2020, 1, 1, tzinfo=UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=365 * 20))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
            )
            .sign(self.key, hashes.SHA256())
        )

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def pkcs12_for(
        self,
        body: str,
        *,
        valid_from: datetime = datetime(2022, 1, 1, tzinfo=UTC),
        valid_to: datetime = datetime(2035, 1, 1, tzinfo=UTC),
        password: str = PASSWORD,
    ) -> bytes:
        """A PKCS#12 file with a key and a certificate naming ``body``."""
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(body, body))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid_from)
            .not_valid_after(valid_to)
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
            )
            .sign(self.key, hashes.SHA256())
        )
        return pkcs12.serialize_key_and_certificates(
            b"ky-so",
            key,
            certificate,
            [self.certificate],
            serialization.BestAvailableEncryption(password.encode()),
        )
