"""The issued-document register as .xlsx: the page's documents, cancelled numbers with their reason."""

from __future__ import annotations

from datetime import datetime

from models import db
from tests.board.test_downloads import download, sheet_rows
from tests.documents.test_register import ISSUED_ON, _issue
from workflows.issuing import cancel_document


def test_the_register_sheet_lists_the_page_documents(world, login_as, conducted_visit):
    visit = conducted_visit()
    first = _issue(visit, world.inspector)
    second = _issue(visit, world.inspector)
    cancel_document(first, world.inspector, reason="Trùng nội dung")
    db.session.commit()
    client = login_as(world.inspector)
    assert 'id="register-xlsx"' in client.get("/van-ban/so-van-ban").get_data(as_text=True)
    above, header, rows, _ = sheet_rows(download(client, "/van-ban/so-van-ban.xlsx"))
    assert [row[0] for row in rows] == [second.symbol, first.symbol] == ["02-BC/BTGTU", "01-BC/BTGTU"]
    assert isinstance(rows[0][1], datetime) and rows[0][1].date() == ISSUED_ON
    status = header.index("Tình trạng")
    assert rows[0][status] == "Có hiệu lực" and rows[1][status] == "Đã hủy"
    assert rows[1][header.index("Lý do hủy")] == "Trùng nội dung"
    assert rows[0][header.index("SHA-256 bản Word")] == second.file_sha256
    assert any(line.startswith("Số liệu tính đến ngày") for line in above)


def test_the_register_sheet_hides_documents_outside_the_readers_scope(world, login_as, conducted_visit):
    _issue(conducted_visit(), world.inspector)
    db.session.commit()
    _, _, rows, _ = sheet_rows(download(login_as(world.other_inspector), "/van-ban/so-van-ban.xlsx"))
    assert rows == []
