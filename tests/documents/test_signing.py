"""PAdES signatures: an issuing body's certificate signs the issued PDF; a signed PDF uploaded back
is checked for its signer, its validity and changes; bad certificates and files are refused."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest

from exports.signing import SigningError, load_signer, sign_pdf, verify_pdf
from tests.documents.signing_keys import PASSWORD, LocalCA

BODY = "Ban Tuyên giáo Tỉnh ủy"
ON = date(2023, 6, 20)


@pytest.fixture(scope="module")
def ca() -> LocalCA:
    return LocalCA()


@pytest.fixture(scope="module")
def one_page_pdf() -> bytes:
    """A one-page PDF (matplotlib draws it in milliseconds; no LibreOffice needed)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.27, 11.69))
    figure.text(0.1, 0.9, "Báo cáo thử")
    out = io.BytesIO()
    figure.savefig(out, format="pdf", metadata={"CreationDate": None})
    return out.getvalue()


def test_a_body_signs_and_the_signature_checks_out_valid_and_unchanged(ca, one_page_pdf):
    credentials = load_signer(ca.pkcs12_for(BODY), PASSWORD, body_names=(BODY,), on=ON)
    signed = sign_pdf(one_page_pdf, credentials, signer_name="Mạc Đình Huấn")
    result = verify_pdf(signed, [ca.pem])
    assert (result.signer, result.valid, result.intact) == (BODY, True, True)
    assert "hợp lệ" in result.summary and "không bị sửa" in result.summary


@pytest.mark.parametrize(
    ("options", "body", "password", "message"),
    [
        ({"valid_to": datetime(2023, 1, 1, tzinfo=UTC)}, BODY, PASSWORD, "đã hết hạn"),
        ({"valid_from": datetime(2024, 1, 1, tzinfo=UTC)}, BODY, PASSWORD, "chưa có hiệu lực"),
        ({}, "Ủy ban Kiểm tra Tỉnh ủy", PASSWORD, "không phải cho Ban Tuyên giáo Tỉnh ủy"),
        ({}, BODY, "sai-mat-khau", "sai mật khẩu"),
    ],
    ids=["expired", "not-yet-valid", "another-body", "wrong-password"],
)
def test_a_certificate_that_may_not_sign_is_refused_with_a_clear_message(
    ca, options, body, password, message
):
    p12 = ca.pkcs12_for(body, **options)
    with pytest.raises(SigningError, match=message):
        load_signer(p12, password, body_names=(BODY,), on=ON)


def test_an_unsigned_pdf_is_refused(ca, one_page_pdf):
    with pytest.raises(SigningError, match="không có chữ ký số"):
        verify_pdf(one_page_pdf, [ca.pem])


def test_a_pdf_changed_after_signing_checks_out_as_changed(ca, one_page_pdf):
    credentials = load_signer(ca.pkcs12_for(BODY), PASSWORD, body_names=(BODY,), on=ON)
    signed = sign_pdf(one_page_pdf, credentials, signer_name="Mạc Đình Huấn")
    altered = signed.replace(b"/Producer", b"/Produc3r", 1)
    assert altered != signed
    assert verify_pdf(altered, [ca.pem]).intact is False


def test_a_signature_from_an_untrusted_ca_is_not_valid(ca, one_page_pdf):
    stranger = LocalCA("CA lạ")
    credentials = load_signer(stranger.pkcs12_for(BODY), PASSWORD, body_names=(BODY,), on=ON)
    signed = sign_pdf(one_page_pdf, credentials, signer_name="Mạc Đình Huấn")
    result = verify_pdf(signed, [ca.pem])
    assert result.intact is True and result.valid is False


def test_a_signed_copy_uploaded_to_the_register_shows_who_signed_and_bad_files_record_nothing(
    ca, one_page_pdf, app, world, login_as, conducted_visit, tmp_path
):
    from sqlalchemy import select

    from models import IssuedDocument, db
    from workflows.documents import DocumentKind
    from workflows.issuing import issue_document

    roots = tmp_path / "roots.pem"
    roots.write_bytes(ca.pem)
    app.config["SIGNING_TRUST_ROOTS"] = str(roots)
    visit = conducted_visit()
    document = issue_document(
        world.inspector,
        DocumentKind.VISIT_REPORT,
        issuer=visit.inspecting_org,
        issued_on=ON,
        visit=visit,
        build=lambda symbol: symbol.encode(),
        today=ON,
    )
    db.session.commit()
    client = login_as(world.inspector)
    url = f"/van-ban/so-van-ban/{document.id}/ky-so"

    def upload(data: bytes) -> str:
        response = client.post(
            url, data={"tep": (io.BytesIO(data), "ky.pdf")}, content_type="multipart/form-data"
        )
        assert response.status_code == 302
        return client.get(response.location).get_data(as_text=True)

    try:
        assert "Tệp PDF không có chữ ký số." in upload(one_page_pdf)
        credentials = load_signer(ca.pkcs12_for(BODY), PASSWORD, body_names=(BODY,), on=ON)
        signed = sign_pdf(one_page_pdf, credentials, signer_name="Mạc Đình Huấn")
        assert "đã bị sửa sau khi ký" in upload(signed.replace(b"/Producer", b"/Produc3r", 1))
        assert db.session.get(IssuedDocument, document.id).signer is None
        page = upload(signed)
        assert f"Ký bởi {BODY}; chữ ký hợp lệ; văn bản không bị sửa sau khi ký." in page
        kept = db.session.scalar(select(IssuedDocument).where(IssuedDocument.id == document.id))
        assert (kept.signer, kept.signature_valid, kept.signature_intact) == (BODY, True, True)
        assert client.get(f"/van-ban/so-van-ban/{document.id}.signed").data == signed
        register = client.get("/van-ban/so-van-ban").get_data(as_text=True)
        assert f"Ký số: {BODY}" in register and "chữ ký hợp lệ" in register
    finally:
        app.config.pop("SIGNING_TRUST_ROOTS", None)


def test_the_command_line_says_who_signed_or_why_not(ca, one_page_pdf, app, runner, tmp_path):
    roots = tmp_path / "roots.pem"
    roots.write_bytes(ca.pem)
    app.config["SIGNING_TRUST_ROOTS"] = str(roots)
    try:
        unsigned = tmp_path / "unsigned.pdf"
        unsigned.write_bytes(one_page_pdf)
        result = runner.invoke(args=["verify-signature", str(unsigned)])
        assert result.exit_code != 0 and "Tệp PDF không có chữ ký số." in result.output
        credentials = load_signer(ca.pkcs12_for(BODY), PASSWORD, body_names=(BODY,), on=ON)
        signed = tmp_path / "signed.pdf"
        signed.write_bytes(sign_pdf(one_page_pdf, credentials, signer_name="Mạc Đình Huấn"))
        result = runner.invoke(args=["verify-signature", str(signed)])
        assert result.exit_code == 0 and "chữ ký hợp lệ" in result.output
    finally:
        app.config.pop("SIGNING_TRUST_ROOTS", None)


@pytest.mark.slow
def test_issuing_signs_the_kept_pdf_in_the_signing_block_with_the_bodys_certificate(
    ca, app, world, login_as, conducted_visit, tmp_path
):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from sqlalchemy import func, select

    from exports.signing import signature_box
    from models import IssuedDocument, db

    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / f"{world.board.code}.p12").write_bytes(
        ca.pkcs12_for(world.board.name, valid_to=datetime(2023, 6, 1, tzinfo=UTC))
    )
    (keys / f"{world.board.code}.password").write_text(PASSWORD)
    app.config["SIGNING_KEYS_DIR"] = str(keys)
    try:
        visit = conducted_visit()
        client = login_as(world.inspector)
        url = f"/van-ban/dot-kiem-tra/{visit.id}/bao-cao/cap-so"
        form = {"ngay": "20/06/2023", "ly_do": "Vào sổ năm 2023", "dinh_dang": "pdf"}
        refused = client.post(url, data=form)
        assert refused.status_code == 302
        assert "đã hết hạn ngày 01/06/2023" in client.get(refused.location).get_data(as_text=True)
        assert db.session.scalar(select(func.count(IssuedDocument.id))) == 0
        (keys / f"{world.board.code}.p12").write_bytes(ca.pkcs12_for(world.board.name))
        response = client.post(url, data=form)
        assert response.status_code == 200
        document = db.session.scalar(select(IssuedDocument))
        assert document.symbol == "01-BC/BTGTU" and document.signer == world.board.name
        result = verify_pdf(document.file("pdf").data, [ca.pem])
        assert (result.valid, result.intact) == (True, True)
        # The visible field sits in the signing block: right half of the last page, under the title.
        signature = PdfFileReader(io.BytesIO(response.data)).embedded_signatures[0]
        rect = (
            [float(v) for v in signature.sig_field["/Kids"][0]["/Rect"]]
            if "/Kids" in signature.sig_field
            else [float(v) for v in signature.sig_field["/Rect"]]
        )
        unsigned_box = signature_box(document.file("pdf").data)[1]
        assert rect[0] > 297 and rect[2] <= 595
        assert rect[1] >= unsigned_box[1] - 1 and rect[3] <= unsigned_box[3] + 1
    finally:
        app.config.pop("SIGNING_KEYS_DIR", None)


# SQLite's single writer: on PostgreSQL (the other leg of CI) this does not apply and skips.
@pytest.mark.slow  # a deliberate wait
@pytest.mark.may_skip
def test_a_signed_copy_is_checked_before_the_write_lock(
    ca, one_page_pdf, app, world, login_as, conducted_visit, tmp_path
):
    import time

    from models import IssuedDocument, db
    from tests.test_write_lock import HELD_FOR, someone_writing
    from workflows.documents import DocumentKind
    from workflows.issuing import issue_document

    if db.engine.url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock")
    roots = tmp_path / "roots.pem"
    roots.write_bytes(ca.pem)
    app.config["SIGNING_TRUST_ROOTS"] = str(roots)
    visit = conducted_visit()
    document = issue_document(
        world.inspector,
        DocumentKind.VISIT_REPORT,
        issuer=visit.inspecting_org,
        issued_on=ON,
        visit=visit,
        build=lambda symbol: symbol.encode(),
        today=ON,
    )
    db.session.commit()
    document_id = document.id
    client = login_as(world.inspector)
    credentials = load_signer(ca.pkcs12_for(BODY), PASSWORD, body_names=(BODY,), on=ON)
    signed = sign_pdf(one_page_pdf, credentials, signer_name="Mạc Đình Huấn")

    def upload(data: bytes) -> float:
        began = time.monotonic()
        response = client.post(
            f"/van-ban/so-van-ban/{document_id}/ky-so",
            data={"tep": (io.BytesIO(data), "ky.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        return time.monotonic() - began

    try:
        with someone_writing():
            # Refused by its signature check alone: no reason to wait for another writer.
            assert upload(signed.replace(b"/Producer", b"/Produc3r", 1)) < HELD_FOR - 1
        with someone_writing():
            assert upload(signed) >= HELD_FOR - 0.5  # kept once the other writer is done
        db.session.rollback()
        kept = db.session.get(IssuedDocument, document_id)
        assert kept.signer == BODY and kept.file("signed").data == signed
    finally:
        app.config.pop("SIGNING_TRUST_ROOTS", None)
