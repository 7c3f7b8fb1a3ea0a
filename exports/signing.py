"""Digital signatures (PAdES) on issued PDFs, with pyHanko: signing with an issuing body's PKCS#12
file, and checking a signed PDF uploaded back.

Party bodies sign under the Party's rules on digital signatures with certificates of the Government
cipher CA; production keeps the key on a hardware token (pyHanko's PKCS#11 signer takes the place of
``load_signer``). Every refusal is a ``SigningError`` whose message can be shown as it is, and
nothing is signed or recorded when one is raised. pyHanko is imported inside the functions: it costs
seconds at start, and only issuing bodies with a certificate need it.
"""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from exports.errors import ExportError

T = TypeVar("T")
FIELD_NAME = "ChuKySo"
STAMP_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
)
# Where the signature goes when the signing block cannot be found on the last page (PDF points).
FALLBACK_BOX = (320, 90, 540, 170)
_TITLE = re.compile(r"^(T/M|K/T|T/L|TRƯỞNG|PHÓ|BÍ|CHÁNH|THỦ|CHỦ|GIÁM)")


class SigningError(ExportError):
    """The PDF could not be signed or checked; ``message`` is safe to show to the user."""


@dataclass(frozen=True)
class Credentials:
    """A loaded signing key and its certificate chain (pyHanko's ``SimpleSigner``)."""

    signer: Any
    subject: str
    not_before: datetime
    not_after: datetime


@dataclass(frozen=True)
class Verification:
    """What the register says about a signed PDF."""

    signer: str
    signed_at: datetime | None
    valid: bool  # the certificate chains to a trusted root and was in force when it signed
    intact: bool  # the file is unchanged since it was signed

    @property
    def summary(self) -> str:
        """One sentence for the register."""
        state = "hợp lệ" if self.valid else "không hợp lệ (chứng thư không được tin cậy hoặc hết hiệu lực)"
        unchanged = "văn bản không bị sửa sau khi ký" if self.intact else "văn bản đã bị sửa sau khi ký"
        return f"Ký bởi {self.signer}; chữ ký {state}; {unchanged}."


def _quiet_import() -> None:
    # cryptography warns that DSA is deprecated when pyHanko imports it; pyHanko does not use it here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from cryptography.utils import CryptographyDeprecationWarning

        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        import pyhanko.sign.signers
        import pyhanko.sign.validation  # noqa: F401


def load_signer(
    pkcs12: bytes, passphrase: str | None, *, body_names: tuple[str, ...], on: date
) -> Credentials:
    """Open a PKCS#12 file and check that its certificate may sign for the body on ``on``: the
    password opens it, it is in force that day, and its subject names the body."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12 as p12
    from cryptography.x509.oid import NameOID

    _quiet_import()
    from asn1crypto import keys, x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        key, certificate, extra = p12.load_key_and_certificates(
            pkcs12, passphrase.encode() if passphrase else None
        )
    except ValueError:
        raise SigningError(
            "Không mở được tệp chứng thư số: sai mật khẩu hoặc tệp không phải PKCS#12."
        ) from None
    if key is None or certificate is None:
        raise SigningError("Tệp chứng thư số không có khóa ký hoặc chứng thư.")
    subject_parts = [
        attribute.value
        for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME)
        for attribute in certificate.subject.get_attributes_for_oid(oid)
    ]
    subject = (
        ", ".join(dict.fromkeys(str(part) for part in subject_parts)) or certificate.subject.rfc4514_string()
    )
    moment = datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
    if certificate.not_valid_before_utc > moment:
        raise SigningError(
            f"Chứng thư số của «{subject}» chưa có hiệu lực (từ ngày "
            f"{certificate.not_valid_before_utc:%d/%m/%Y}); chưa ký được."
        )
    if certificate.not_valid_after_utc < moment:
        raise SigningError(
            f"Chứng thư số của «{subject}» đã hết hạn ngày {certificate.not_valid_after_utc:%d/%m/%Y}; "
            "không ký được."
        )
    folded = [str(part).casefold() for part in subject_parts]
    if not any(name.casefold() in folded for name in body_names if name):
        raise SigningError(
            f"Chứng thư số cấp cho «{subject}», không phải cho {body_names[0]}; không ký được."
        )
    der = serialization.Encoding.DER
    signer = signers.SimpleSigner(
        signing_cert=x509.Certificate.load(certificate.public_bytes(der)),
        signing_key=keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        cert_registry=SimpleCertificateStore.from_certs(
            [x509.Certificate.load(c.public_bytes(der)) for c in extra or ()]
        ),
    )
    return Credentials(
        signer=signer,
        subject=subject,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def sign_pdf(
    pdf: bytes, credentials: Credentials, *, signer_name: str, location: str = "", tsa_url: str | None = None
) -> bytes:
    """Sign ``pdf`` (PAdES) in a visible field over the signing block of its last page, with a
    timestamp from ``tsa_url`` when one is configured."""
    _quiet_import()
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko.stamp import TextStampStyle

    page, box = signature_box(pdf)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        # pyHanko draws the box at any coordinates; its annotation says int where PDF takes numbers.
        spec = fields.SigFieldSpec(FIELD_NAME, on_page=page, box=box)  # type: ignore[arg-type]
        fields.append_signature_field(writer, spec)
        style = TextStampStyle(
            stamp_text="Ký số bởi: %(signer)s\nThời gian: %(ts)s",
            text_box_style=TextBoxStyle(font=_stamp_font(), font_size=9),
            border_width=0,
        )
        metadata = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            name=signer_name or credentials.subject,
            location=location or None,
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        timestamper = timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None
        signer = signers.PdfSigner(
            metadata, signer=credentials.signer, timestamper=timestamper, stamp_style=style
        )
        signed = _without_event_loop(signer.sign_pdf, writer)
    except SigningError:
        raise
    except Exception as error:  # pyHanko raises many kinds; the message names the cause
        raise SigningError(f"Không ký được văn bản: {error}") from error
    return signed.getvalue()


def verify_pdf(pdf: bytes, trust_roots: list[bytes]) -> Verification:
    """Check the last signature of an uploaded PDF against the trusted roots (PEM or DER)."""
    _quiet_import()
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError) as error:
        raise SigningError(f"Tệp tải lên không đọc được như một tệp PDF ({error}).") from None
    if not signatures:
        raise SigningError("Tệp PDF không có chữ ký số.")
    roots = []
    for data in trust_roots:
        der = pem.unarmor(data)[2] if pem.detect(data) else data
        roots.append(x509.Certificate.load(der))
    signature = signatures[-1]
    signed_at = signature.self_reported_timestamp
    context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=signed_at)
    try:
        status = _without_event_loop(validate_pdf_signature, signature, context)
    except Exception as error:  # a damaged signature dictionary
        raise SigningError(f"Không kiểm tra được chữ ký số: {error}") from error
    cert = status.signing_cert
    return Verification(
        signer=cert.subject.native.get("common_name") or cert.subject.human_friendly,
        signed_at=signed_at,
        valid=bool(status.valid and status.trusted),
        intact=bool(status.intact and status.coverage is not None and status.coverage.name == "ENTIRE_FILE"),
    )


def _without_event_loop(function: Callable[..., T], *args: Any) -> T:
    """Call one of pyHanko's synchronous entry points, which run ``asyncio.run()`` inside: in a thread of its
    own when this thread already runs an event loop (a server or a test harness built on asyncio), where
    ``asyncio.run()`` would refuse."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def signature_box(pdf: bytes) -> tuple[int, tuple[float, float, float, float]]:
    """The last page, and a box between the signing block's title and the signer's name, found in
    the printed text (``pdftotext -bbox``); a bottom-right box when the block is not found."""
    try:
        html = subprocess.run(
            ["pdftotext", "-bbox", "-", "-"],  # noqa: S607 - poppler-utils on the PATH, as for LibreOffice
            input=pdf,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return -1, FALLBACK_BOX
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S)
    if not pages:
        return -1, FALLBACK_BOX
    width, height, body = pages[-1]
    words = [
        (float(x1), float(y1), float(x2), float(y2), text)
        for x1, y1, x2, y2, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', body
        )
    ]
    right = [w for w in words if w[0] > float(width) / 2]
    titles = [w for w in right if _TITLE.match(w[4])]
    if not titles:
        return -1, FALLBACK_BOX
    title_bottom = max(w[3] for w in titles)
    below = [w for w in right if w[1] > title_bottom + 30]
    name_top = min((w[1] for w in below), default=title_bottom + 90)
    top, bottom = title_bottom + 4, max(name_top - 4, title_bottom + 40)
    page_height = float(height)
    left = float(width) / 2 + 20
    return -1, (left, page_height - bottom, float(width) - 50, page_height - top)


def _stamp_font() -> Any:
    """The stamp's face (Liberation Serif: Vietnamese letters), read into memory: pyHanko's own
    factory opens the file and never closes it."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    class InMemoryFont(GlyphAccumulatorFactory):
        def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(
                writer=writer,
                font_handle=io.BytesIO(Path(self.font_file).read_bytes()),
                font_size=self.font_size,
                obj_stream=obj_stream,
            )

    for path in STAMP_FONT_CANDIDATES:
        if Path(path).is_file():
            return InMemoryFont(path)
    raise SigningError("Máy chủ thiếu phông chữ Liberation Serif (gói fonts-liberation2) để in dấu chữ ký.")
