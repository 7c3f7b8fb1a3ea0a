"""Follow-up letters go out from the inspecting Board, cite the conclusion notice, and are refused
when there is nothing overdue or nobody left to write to."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from models import IssuedDocument, User, db
from models.enums import Role
from tests.conftest import PASSWORD_HASH
from tests.documents.conftest import body_texts, open_docx, tables
from workflows import visits as visit_flow
from workflows.documents import DocumentKind
from workflows.issuing import issue_document


def _board_leader(world) -> User:
    leader = User(
        username="truongban",
        role=Role.LEADER,
        organization=world.board,
        display_name="Nguyễn Văn Bảng",
        password_hash=PASSWORD_HASH,
    )
    db.session.add(leader)
    db.session.commit()
    return leader


def test_the_boards_leader_finds_the_units_its_visits_gave_overdue_tasks_and_writes_to_them(
    world, login_as, create_task
):
    task = create_task(due_on=date(2023, 9, 30), title="Báo cáo dư luận xã hội")
    visit = task.directive.visit
    visit_flow.conclude_visit(visit, world.inspector)
    notice = issue_document(
        world.inspector,
        DocumentKind.CONCLUSION,
        issuer=world.board,
        issued_on=date(2023, 6, 20),
        visit=visit,
        build=lambda symbol: symbol.encode(),
        today=date(2023, 6, 20),
    )
    db.session.commit()
    client = login_as(_board_leader(world))
    page = client.get("/van-ban/").get_data(as_text=True)
    assert f"/van-ban/don-doc/{world.district_office.id}.docx" in page
    draft = client.get(f"/van-ban/don-doc/{world.district_office.id}.docx")
    assert draft.status_code == 200
    document = open_docx(draft.data)
    texts = body_texts(document)
    cited = f"Thông báo kết luận số {notice.symbol} ngày 20/06/2023"
    assert notice.symbol == "01-TB/BTGTU" and any(t.startswith(f"Thực hiện {cited}") for t in texts)
    assert tables(document)[1][1][2] == f"Một là – {cited}"
    signature = [line for line in tables(document)[-1][0][1].splitlines() if line]
    assert signature == ["TRƯỞNG BAN", "Nguyễn Văn Bảng"]
    issued = client.post(f"/van-ban/don-doc/{world.district_office.id}/cap-so", data={})
    assert issued.status_code == 200
    assert tables(open_docx(issued.data))[0][1][0].startswith("Số 01-CV/BTGTU")


def test_a_letter_about_overdue_tasks_is_refused_to_a_unit_with_none(world, login_as, create_task):
    create_task(due_on=date(2099, 9, 30))  # not yet due
    db.session.commit()
    client = login_as(world.leader)
    refused = client.post(f"/van-ban/don-doc/{world.district_office.id}/cap-so", data={})
    assert refused.status_code == 302
    message = client.get(refused.location).get_data(as_text=True)
    assert "không có nhiệm vụ quá hạn" in message
    assert client.get(f"/van-ban/don-doc/{world.district_office.id}.docx").status_code == 302
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 0


def test_no_letter_goes_to_a_body_that_has_ceased_to_exist(world, login_as, create_task):
    create_task(due_on=date(2023, 9, 30))
    world.district_office.valid_to = date(2025, 6, 30)
    db.session.commit()
    client = login_as(world.leader)
    refused = client.get(f"/van-ban/don-doc/{world.district_office.id}.docx")
    assert refused.status_code == 302
    assert "đã thôi hoạt động từ ngày 30/06/2025" in client.get(refused.location).get_data(as_text=True)


def test_a_board_leader_cannot_write_to_a_unit_its_visits_gave_nothing(world, login_as):
    client = login_as(_board_leader(world))
    assert client.get(f"/van-ban/don-doc/{world.other_office.id}.docx").status_code == 404
