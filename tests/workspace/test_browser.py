"""An inspector at work in a real browser (Debian's Chromium through Playwright)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Visit, db
from tests.conftest import PASSWORD, at
from workflows import tasks as task_flow

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")

# Screenshots to look at after a run: /tmp/workspace-*.png
SHOTS = str(Path(tempfile.gettempdir()) / "workspace-{}.png")


def _sign_in(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server}/")


def test_an_inspector_records_concludes_and_finds_a_visit_again(live_server, page, world):
    ids = {
        "district": str(world.district.id),
        "office": str(world.district_office.id),
        "culture": str(world.district_culture.id),
        "head": str(world.head.id),
        "host": str(world.host.id),
    }
    db.session.commit()  # the server thread must see the data, and no transaction of ours may hold the lock

    _sign_in(page, live_server, "inspector")
    page.click("text=Ghi đợt kiểm tra mới")
    page.wait_for_url(f"{live_server}/visits/new")

    page.fill("input[name=title]", "Kiểm tra công tác tuyên giáo 6 tháng đầu năm 2023 tại Bù Đốp")
    page.fill("input[name=subject]", "công tác tuyên giáo")
    page.fill("input[name=visited_on]", "14/06/2023")
    page.select_option("select[name=day_part]", "morning")
    page.select_option("select[name=inspected_org_id]", ids["district"])
    page.fill("input[name=period_label]", "6 tháng đầu năm 2023")

    page.select_option("select[name=inspecting-0-person_id]", ids["head"])
    page.fill("input[name=inspecting-0-position_on_day]", "Phó Trưởng Ban Tuyên giáo Tỉnh ủy")
    page.fill("input[name=inspecting-1-new_name]", "Phan Duy Khiêm")
    page.fill("input[name=inspecting-1-position_on_day]", "Trưởng phòng Thông tin - Khoa giáo")
    page.select_option("select[name=hosts-0-person_id]", ids["host"])
    page.fill("input[name=hosts-0-position_on_day]", "TUV, Bí thư Huyện ủy")
    page.fill("input[name=hosts-1-new_name]", "Lê Thị Hoa")
    page.fill("input[name=hosts-1-position_on_day]", "Trưởng Ban Tuyên giáo Huyện ủy")

    page.fill("textarea[name=findings-0-text]", "Tham mưu kịp thời việc học tập, quán triệt nghị quyết.")
    page.fill("textarea[name=findings-1-text]", "Trang thông tin điện tử của huyện cập nhật còn chậm.")

    page.fill("textarea[name=directives-0-body]", "Bám sát chương trình công tác tuyên giáo năm 2023.")
    page.select_option("select[name=directives-0-tasks-0-lead_org_id]", ids["office"])
    page.fill("input[name=directives-0-tasks-0-due_on]", "31/12/2023")
    page.fill(
        "textarea[name=directives-1-body]", "Triển khai Quy định về trang thông tin cá nhân của đảng viên."
    )
    page.fill("input[name=directives-1-citations]", "85-QĐ/TW")
    page.fill("input[name=directives-1-citation_pick]", "99-HD/BTGTW")
    page.click("button[data-pick='directives-1-citation_pick']")  # the picker adds the code to the field
    assert page.input_value("input[name=directives-1-citations]") == "85-QĐ/TW; 99-HD/BTGTW"
    page.select_option("select[name=directives-1-tasks-0-lead_org_id]", ids["office"])
    # The coordinating units: typed into a search box (without tone marks), Enter ticks the first match.
    page.fill("#directives-1-tasks-0-coordinating_ids-find", "phong van hoa")
    page.press("#directives-1-tasks-0-coordinating_ids-find", "Enter")
    assert page.eval_on_selector(
        "select[name=directives-1-tasks-0-coordinating_ids]", "s => [...s.selectedOptions].map(o => o.value)"
    ) == [ids["culture"]]
    page.fill("input[name=directives-1-tasks-0-due_on]", "30/09/2023")
    page.screenshot(path=SHOTS.format("form-filled"), full_page=True)

    page.evaluate("window.kiemtraSamePage = true")
    page.click("button[value='add:directives']")  # a third directive row, in place; what was typed stays
    page.wait_for_selector("textarea[name=directives-2-body]")
    assert page.evaluate("window.kiemtraSamePage === true")  # no page load
    assert page.evaluate("document.activeElement.name") == "directives-2-title"  # the new row has the focus
    assert page.input_value("textarea[name=directives-0-body]").startswith("Bám sát")
    page.fill("textarea[name=directives-2-body]", "Thành lập tổ tuyên truyền viên ở các chi bộ.")
    page.fill("input[name=directives-2-citations]", "Quy chế số 04-QC/BTGTU ngày 20/3/2023")
    page.select_option("select[name=directives-2-tasks-0-lead_org_id]", ids["culture"])
    page.fill("input[name=directives-2-tasks-0-due_on]", "31/03/2024")
    page.click("#save")

    page.wait_for_selector("text=Đã lưu đợt kiểm tra")
    body = page.inner_text("main")
    for text in ("Một là,", "Hai là,", "Ba là,", "Phan Duy Khiêm", "Lê Thị Hoa", "85-QĐ/TW", "04-QC/BTGTU"):
        assert text in body, text
    page.screenshot(path=SHOTS.format("dossier-saved"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#conclude")
    page.wait_for_selector("text=Đã kết luận đợt kiểm tra")
    assert "Đã kết luận" in page.inner_text(".kt-dossier-head")

    page.click("nav >> text=Đợt kiểm tra")
    page.fill("input[name=q]", "bu dop")
    page.click("form[role=search] button:has-text('Lọc')")
    page.wait_for_url("**/visits?q=bu+dop**")
    page.screenshot(path=SHOTS.format("list-search"), full_page=True)
    page.click("#visit-list >> text=Kiểm tra công tác tuyên giáo 6 tháng đầu năm 2023 tại Bù Đốp")
    page.wait_for_selector(".kt-dossier-head")
    assert "Đã kết luận" in page.inner_text(".kt-dossier-head")

    visit = db.session.scalars(select(Visit)).one()
    assert visit.status.value == "concluded"
    assert [len(d.tasks) for d in visit.directives] == [1, 1, 1]
    assert len(visit.members) == 4
    db.session.commit()


def test_the_main_pages_read_well_on_a_laptop_and_a_phone(live_server, page, world, full_visit):
    visit = full_visit()
    task = visit.directives[0].tasks[0]
    task_flow.report_task_done(
        task, world.office, note="Đã tổ chức hội nghị quán triệt ở 14 chi bộ.", now=at(date(2023, 9, 1))
    )
    task_flow.request_extension(
        visit.directives[1].tasks[0],
        world.office,
        new_due_on=date(2024, 3, 31),
        reason="Cần thêm thời gian để hoàn thiện đề án.",
        now=at(date(2023, 9, 1)),
    )
    visit_id, document_id = visit.id, visit.directives[0].citations[0].id
    db.session.commit()

    pages = {
        "list": ("/visits", "Đợt kiểm tra"),
        "dossier": (f"/visits/{visit_id}", "Một là,"),
        "form": (f"/visits/{visit_id}/edit", "Sửa đợt kiểm tra"),
        "verification": ("/verification", "Đã tổ chức hội nghị quán triệt ở 14 chi bộ."),
        "registry": ("/registry", "85-QĐ/TW"),
        "document": (f"/registry/{document_id}", "Các yêu cầu trích dẫn văn bản này"),
    }
    admin_pages = {
        "organizations": ("/admin/organizations", "Ban Tuyên giáo Huyện ủy Bù Đốp"),
        "users": ("/admin/users", "locninh"),
    }
    _sign_in(page, live_server, "inspector")
    for viewport, width, height in (("", 1280, 900), ("phone-", 390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for name, (url, expected) in pages.items():
            page.goto(live_server + url)
            assert expected in page.inner_text("main"), (name, expected)
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, (
                f"{name} scrolls sideways"
            )
            page.screenshot(path=SHOTS.format(viewport + name), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("button:has-text('Đăng xuất')")
    _sign_in(page, live_server, "admin")
    for name, (url, expected) in admin_pages.items():
        page.goto(live_server + url)
        assert expected in page.inner_text("main")
        page.screenshot(path=SHOTS.format(name), full_page=True)
    page.click("button[name=locale][value=en]")
    page.goto(f"{live_server}/visits/{visit_id}")
    assert "Head of delegation" in page.inner_text("main")
    page.screenshot(path=SHOTS.format("dossier-en"), full_page=True)
