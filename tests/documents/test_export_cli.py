"""``kiemtra export`` writes the four documents to files, as drafts or numbered."""

from __future__ import annotations

from sqlalchemy import select

from models import IssuedDocument, db
from tests.documents.conftest import body_texts, open_docx, tables
from workflows.demo import SEED_REFERENCE


def test_the_seed_visit_report_is_exported_as_a_draft(runner, demo, tmp_path):
    output = tmp_path / "bao-cao.docx"
    result = runner.invoke(
        args=["export", "visit-report", SEED_REFERENCE, "--date", "2023-06-14", "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert "bản dự thảo" in result.output
    document = open_docx(output.read_bytes())
    assert tables(document)[0][1][1] == "Bình Phước, ngày 14 tháng 6 năm 2023"
    assert "Chín là, " in " ".join(body_texts(document))


def test_issuing_from_the_command_line_checks_the_user_and_prints_the_number(runner, demo, tmp_path):
    output = tmp_path / "thong-bao.docx"
    args = ["export", "conclusion", SEED_REFERENCE, "--date", "2023-06-20", "--report-due", "2023-07-20"]
    refused = runner.invoke(args=[*args, "-o", str(output), "--issue", "--user", "leader"])
    assert refused.exit_code != 0
    assert "Chỉ cán bộ của cơ quan kiểm tra được cấp số" in refused.output
    assert not output.exists()
    result = runner.invoke(
        args=[*args, "-o", str(output), "--issue", "--user", "inspector", "--reason", "Vào sổ năm 2023"]
    )
    assert result.exit_code == 0, result.output
    assert "Số 01-TB/BTGTU" in result.output
    assert tables(open_docx(output.read_bytes()))[0][1][0] == "Số 01-TB/BTGTU"
    assert db.session.scalar(select(IssuedDocument.number)) == 1


def test_the_summary_and_the_follow_up_letter_are_exported(runner, demo, tmp_path):
    summary = tmp_path / "tong-hop.docx"
    result = runner.invoke(
        args=[
            "export",
            "summary",
            "--org",
            "TU-BP",
            "--from",
            "2023-01-01",
            "--to",
            "2025-12-01",
            "--today",
            "2025-12-01",
            "-o",
            str(summary),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Đảng ủy xã Thiện Hưng" in " ".join(body_texts(open_docx(summary.read_bytes())))
    letter = tmp_path / "don-doc.docx"
    result = runner.invoke(
        args=["export", "followup", "--org", "DU-THIENHUNG", "--today", "2025-12-01", "-o", str(letter)]
    )
    assert result.exit_code == 0, result.output
    document = open_docx(letter.read_bytes())
    assert "Kính gửi: Ban Thường vụ Đảng ủy xã Thiện Hưng" in body_texts(document)
    assert len(tables(document)[1]) == 3  # heading and the two overdue tasks of the demo


def test_unknown_records_and_missing_users_get_clear_messages(runner, world, tmp_path):
    output = str(tmp_path / "x.docx")
    result = runner.invoke(args=["export", "visit-report", "KT-KHONG-CO", "-o", output])
    assert result.exit_code != 0 and "Không có đợt kiểm tra «KT-KHONG-CO»" in result.output
    result = runner.invoke(args=["export", "followup", "--org", "XYZ", "-o", output])
    assert "Không có cơ quan, đơn vị mã «XYZ»" in result.output
    result = runner.invoke(
        args=[
            "export",
            "summary",
            "--org",
            "TU-BP",
            "--from",
            "2023-01-01",
            "--to",
            "2023-12-31",
            "-o",
            output,
            "--issue",
        ]
    )
    assert "Cần --user để cấp số văn bản." in result.output
