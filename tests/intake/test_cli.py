"""``kiemtra import-article FILE [--json] [--save --as USERNAME]``."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from models import Visit, db
from tests.intake.expected import article_paths

ARTICLES = article_paths()


@pytest.fixture
def article_file(tmp_path, article_text):
    path = tmp_path / "bai-viet.txt"
    path.write_text(article_text, encoding="utf-8")
    return path


def _visits() -> int:
    count = db.session.scalar(select(func.count(Visit.id)))
    db.session.rollback()  # end the read transaction before the command opens its own
    return count


def test_json_output_carries_every_field_with_its_span(runner):
    path = ARTICLES[0]
    result = runner.invoke(args=["import-article", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    start, end = data["head"]["name_span"]
    assert data["text"][start:end] == data["head"]["name"] == "Nguyễn Thị Thu Hương"
    assert [d["number"] for d in data["directives"]] == [1, 2, 3, 4, 5]
    assert data["directives"][0]["citations"][0]["code"] == "114-KL/TW"
    assert data["visited_on"]["value"] == "2023-07-19"


def test_the_plain_output_lists_the_requests_and_the_warnings(runner):
    result = runner.invoke(args=["import-article", str(ARTICLES[0])])
    assert result.exit_code == 0, result.output
    assert "Ngày kiểm tra: 19/07/2023 (buổi chiều)" in result.output
    assert "Trưởng đoàn: Nguyễn Thị Thu Hương — Phó Trưởng Ban Dân vận Tỉnh ủy" in result.output
    assert "Yêu cầu (5):" in result.output
    assert "  Một là: Tiếp tục quán triệt" in result.output and "[114-KL/TW]" in result.output
    assert "Lưu ý:" in result.output


def test_save_stores_a_planned_visit_as_the_inspector(runner, world, article_file):
    result = runner.invoke(args=["import-article", str(article_file), "--save", "--as", "inspector"])
    assert result.exit_code == 0, result.output
    visit = db.session.scalar(select(Visit))
    assert f"Đã lưu đợt kiểm tra {visit.reference} (3 yêu cầu)." in result.output
    assert visit.created_by.username == "inspector"
    assert visit.inspected_org.name == "Huyện ủy Bù Đốp"


def test_save_with_json_keeps_standard_output_valid_json(runner, world, article_file):
    result = runner.invoke(
        args=["import-article", str(article_file), "--json", "--save", "--as", "inspector"]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["head"]["name"] == "Mạc Đình Huấn"
    assert "Đã lưu đợt kiểm tra" in result.stderr


def test_save_needs_an_inspector_account(runner, world, article_file):
    missing = runner.invoke(args=["import-article", str(article_file), "--save"])
    assert missing.exit_code == 2 and "Cần --as" in missing.output
    office = runner.invoke(args=["import-article", str(article_file), "--save", "--as", "office"])
    assert office.exit_code == 1 and "không phải cán bộ kiểm tra" in office.output
    unknown = runner.invoke(args=["import-article", str(article_file), "--save", "--as", "ai-do"])
    assert unknown.exit_code == 1 and "Không có tài khoản «ai-do»" in unknown.output
    assert _visits() == 0


def test_an_unknown_unit_stops_the_save_with_the_reason(runner, world, tmp_path, article_text):
    path = tmp_path / "bai.txt"
    path.write_text(article_text.replace("huyện Bù Đốp.", "huyện Đồng Phú."), encoding="utf-8")
    result = runner.invoke(args=["import-article", str(path), "--save", "--as", "inspector"])
    assert result.exit_code == 1
    assert "Chưa lưu được" in result.output and "huyện Đồng Phú" in result.output
    assert _visits() == 0


def test_saving_twice_needs_allow_duplicate(runner, world, article_file):
    args = ["import-article", str(article_file), "--save", "--as", "inspector"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code == 1 and "có thể đã được nhập" in again.output
    assert runner.invoke(args=[*args, "--allow-duplicate"]).exit_code == 0
    assert _visits() == 2


def test_a_file_that_is_not_an_article_gets_a_message_not_a_traceback(runner, tmp_path):
    path = tmp_path / "anh.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00" * 40)
    result = runner.invoke(args=["import-article", str(path)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "nhị phân" in result.output
    assert "Traceback" not in result.output
