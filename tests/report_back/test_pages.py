"""The report-back pages: the inspector concludes with a date, the unit's office drafts, downloads and
submits, the inspector accepts; run on SQLite and PostgreSQL alike."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import docx

from models import Task, Visit, db
from models.enums import TaskStatus, VisitStatus
from workflows import report_back
from workflows.clock import local_today


def _conclude(client, visit, due_text):
    return client.post(
        f"/visits/{visit.id}/conclude",
        data={"version": str(visit.version), "report_due_on": due_text},
        follow_redirects=True,
    )


def test_the_dossier_proposes_a_month_and_concluding_records_the_report_back(login_as, world, full_visit):
    visit = full_visit(directives=2)
    client = login_as(world.inspector)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    proposed = (local_today() + timedelta(days=30)).strftime("%d/%m/%Y")
    assert "Hạn báo cáo kết quả thực hiện" in page and f'value="{proposed}"' in page

    due = local_today() + timedelta(days=20)
    page = _conclude(client, visit, due.strftime("%d/%m/%Y")).get_data(as_text=True)
    assert "Đã kết luận đợt kiểm tra" in page
    assert 'id="report-back"' in page and due.strftime("%d/%m/%Y") in page
    # the conclusion notice's "report by" field starts from the recorded date
    assert re.search(rf'name="han"\s+value="{due.strftime("%d/%m/%Y")}"', page)
    db.session.expire_all()
    task = report_back.task_of(db.session.get(Visit, visit.id))
    assert task is not None and task.due_on == due and task.lead_org_id == world.district.id


def test_a_report_date_before_the_conclusion_is_explained_and_nothing_is_concluded(
    login_as, world, full_visit
):
    visit = full_visit(directives=1)
    client = login_as(world.inspector)
    page = _conclude(client, visit, local_today().strftime("%d/%m/%Y")).get_data(as_text=True)
    assert "Hạn báo cáo kết quả thực hiện phải sau ngày kết luận." in page
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status is not VisitStatus.CONCLUDED
    page = _conclude(client, visit, "31/02/2027").get_data(as_text=True)
    assert "không có ngày 31/02/2027" in page or "31/02/2027" in page
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status is not VisitStatus.CONCLUDED


def test_the_office_drafts_downloads_and_submits_and_the_inspector_accepts(
    login_as, world, full_visit, unit_office
):
    visit = full_visit(directives=2)
    client = login_as(world.inspector)
    _conclude(client, visit, (local_today() + timedelta(days=30)).strftime("%d/%m/%Y"))
    db.session.expire_all()
    visit = db.session.get(Visit, visit.id)
    task = report_back.task_of(visit)
    first = visit.directives[0]
    first.tasks[0].progress = 35
    db.session.commit()

    client = login_as(unit_office)
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="open-report-back"' in page
    page = client.get(f"/tasks/{task.id}/bao-cao-ket-qua").get_data(as_text=True)
    assert "Một là," in page and "Hai là," in page and "Yêu cầu thứ 2" in page
    assert "Ban Tuyên giáo Huyện ủy Bù Đốp" in page  # the tasks of each directive, with their lead
    assert 'aria-valuenow="35"' in page and ">35%</span>" in page  # each task's progress, as its bar
    assert 'id="save-draft"' in page

    form = {"general": "Đã quán triệt Thông báo kết luận.", f"text-{first.id}": "Đã tổ chức hội nghị."}
    page = client.post(
        f"/tasks/{task.id}/bao-cao-ket-qua", data={**form, "action": "save"}, follow_redirects=True
    )
    text = page.get_data(as_text=True)
    assert "Đã lưu bản nháp báo cáo." in text and "Đã tổ chức hội nghị." in text

    # the draft is kept: another visit to the page shows it
    assert "Đã quán triệt Thông báo kết luận." in client.get(f"/tasks/{task.id}/bao-cao-ket-qua").get_data(
        as_text=True
    )
    response = client.post(f"/tasks/{task.id}/bao-cao-ket-qua", data={**form, "action": "download"})
    assert response.status_code == 302
    response = client.get(response.headers["Location"])
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    words = "\n".join(p.text for p in docx.Document(BytesIO(response.data)).paragraphs)
    assert "Kính gửi: Ban Tuyên giáo Tỉnh ủy" in words and "Đã tổ chức hội nghị." in words

    page = client.post(
        f"/tasks/{task.id}/bao-cao-ket-qua", data={**form, "action": "submit"}, follow_redirects=True
    )
    assert "Đã gửi báo cáo; chờ cơ quan kiểm tra xác nhận." in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Task, task.id).status is TaskStatus.REPORTED

    client = login_as(world.inspector)
    page = client.get(f"/tasks/{task.id}/bao-cao-ket-qua").get_data(as_text=True)
    assert "Đã tổ chức hội nghị." in page and 'id="save-draft"' not in page
    assert "Xác nhận hoặc trả lại" in page
    queue = client.get("/verification").get_data(as_text=True)
    assert "Báo cáo kết quả thực hiện Thông báo kết luận kiểm tra" in queue
    version = db.session.get(Task, task.id).version
    response = client.post(
        f"/tasks/{task.id}/verify",
        data={"verify-version": str(version), "verify-note": ""},
        follow_redirects=True,
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Task, task.id).status is TaskStatus.DONE


def test_an_empty_report_is_not_sent(login_as, world, full_visit, unit_office):
    visit = full_visit(directives=1)
    _conclude(login_as(world.inspector), visit, (local_today() + timedelta(days=30)).strftime("%d/%m/%Y"))
    db.session.expire_all()
    task = report_back.task_of(db.session.get(Visit, visit.id))
    client = login_as(unit_office)
    response = client.post(f"/tasks/{task.id}/bao-cao-ket-qua", data={"general": "", "action": "submit"})
    assert response.status_code == 400
    assert "Chưa viết nội dung báo cáo" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Task, task.id).status is TaskStatus.ASSIGNED


def test_another_unit_sees_nothing_and_an_ordinary_task_has_no_report_page(login_as, world, full_visit):
    visit = full_visit(directives=1)
    _conclude(login_as(world.inspector), visit, (local_today() + timedelta(days=30)).strftime("%d/%m/%Y"))
    db.session.expire_all()
    visit = db.session.get(Visit, visit.id)
    task = report_back.task_of(visit)
    client = login_as(world.other_office_user)
    assert client.get(f"/tasks/{task.id}/bao-cao-ket-qua").status_code == 404
    assert client.post(f"/tasks/{task.id}/bao-cao-ket-qua", data={"general": "x"}).status_code == 404
    assert client.get(f"/tasks/{task.id}/bao-cao-ket-qua.docx").status_code == 404
    ordinary = visit.directives[0].tasks[0]
    assert login_as(world.office).get(f"/tasks/{ordinary.id}/bao-cao-ket-qua").status_code == 404
