"""A visit's directives with their tasks, the registry and the issued-document register as .xlsx."""

from __future__ import annotations

from datetime import datetime

from models import db
from models.labels import label
from tests.board.test_downloads import download, sheet_rows
from workflows import visits as visit_flow
from workflows.clock import local_today
from workflows.timeliness import timeliness_of


def test_a_visit_sheet_lists_its_numbered_directives_with_their_tasks(login_as, world, full_visit):
    visit = full_visit(directives=3)
    db.session.commit()
    client = login_as(world.leader)
    assert f'href="/visits/{visit.id}/tasks.xlsx"' in client.get(f"/visits/{visit.id}").get_data(as_text=True)
    above, header, rows, _ = sheet_rows(download(client, f"/visits/{visit.id}/tasks.xlsx"))
    assert any(visit.title in line and visit.reference in line for line in above)
    tasks = [task for directive in visit.directives for task in directive.tasks]
    assert [row[header.index("Mã nhiệm vụ")] for row in rows] == [task.id for task in tasks]
    for row, task in zip(rows, tasks, strict=True):
        assert row[0] == task.directive.number
        assert row[header.index("Đơn vị chủ trì")] == task.lead_org.name
        assert row[header.index("Trạng thái")] == label(task.status)
        assert row[header.index("Thời hạn")] == label(timeliness_of(task, local_today()))
        if task.due_on:
            assert isinstance(row[header.index("Hạn")], datetime)
            assert row[header.index("Hạn")].date() == task.due_on
    citations = {row[header.index("Văn bản trích dẫn")] for row in rows}
    assert any(text and "85-QĐ/TW" in text for text in citations)


def test_a_visit_sheet_of_another_tree_answers_404(login_as, world, full_visit):
    visit = full_visit()
    db.session.commit()
    assert login_as(world.other_inspector).get(f"/visits/{visit.id}/tasks.xlsx").status_code == 404


def test_the_registry_sheet_has_every_document_the_search_selects(login_as, world, full_visit):
    full_visit()
    full_visit()
    visit_flow.resolve_document("Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị")
    db.session.commit()
    client = login_as(world.inspector)
    assert 'id="registry-xlsx"' in client.get("/registry?sort=-cited").get_data(as_text=True)
    _, header, rows, _ = sheet_rows(download(client, "/registry.xlsx?sort=-cited"))
    codes = [row[0] for row in rows]
    assert codes.index("85-QĐ/TW") < codes.index("05-CT/TW")
    cited = {row[0]: row[header.index("Số chỉ đạo trích dẫn")] for row in rows}
    assert cited["85-QĐ/TW"] == 2 and cited["05-CT/TW"] == 0
    issued = {row[0]: row[header.index("Ngày ban hành")] for row in rows}
    assert isinstance(issued["05-CT/TW"], datetime) and issued["05-CT/TW"].date().isoformat() == "2016-05-15"
    _, _, rows, _ = sheet_rows(download(client, "/registry.xlsx?type=CT"))
    assert [row[0] for row in rows] == ["05-CT/TW"]
    assert "Bộ lọc: Loại: CT" in sheet_rows(download(client, "/registry.xlsx?type=CT"))[0][1]
