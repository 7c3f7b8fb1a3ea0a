"""An issue button clicked twice gives one number; the second click is answered with a message."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from models import IssuedDocument, db
from models.enums import FindingKind


def test_issuing_a_report_twice_with_the_same_form_gives_one_number(world, login_as, conducted_visit):
    visit = conducted_visit(
        findings={FindingKind.ACHIEVEMENT: ["Duy trì sinh hoạt chi bộ chuyên đề."]},
        directives=[("Quán triệt Quy định 85-QĐ/TW", "Tổ chức hội nghị quán triệt cho đảng viên.")],
    )
    client = login_as(world.inspector)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    form = page[page.index('id="doc-issue-bao-cao"') :]
    token = re.search(r'name="once" value="([^"]+)"', form).group(1)
    url = f"/van-ban/dot-kiem-tra/{visit.id}/bao-cao/cap-so"
    data = {"ngay": "14/06/2023", "ly_do": "Vào sổ năm 2023", "once": token}
    assert client.post(url, data=data).status_code == 200
    again = client.post(url, data=data, headers={"Referer": f"http://localhost/visits/{visit.id}"})
    assert again.status_code == 302 and again.location.endswith(f"/visits/{visit.id}")
    assert "Yêu cầu này đã được gửi; không thực hiện lại." in client.get(again.location).get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 1


def test_the_summary_issue_form_sent_twice_gives_one_number(world, login_as, create_task):
    from datetime import date

    create_task(due_on=date(2023, 9, 30))
    db.session.commit()
    client = login_as(world.leader)
    page = client.get(f"/van-ban/?don_vi={world.district.id}&tu=01/01/2023&den=31/12/2023").get_data(
        as_text=True
    )
    form = page[page.index('id="summary-issue"') :]
    token = re.search(r'name="once" value="([^"]+)"', form).group(1)
    data = {"don_vi": world.district.id, "tu": "01/01/2023", "den": "31/12/2023", "once": token}
    assert client.post("/van-ban/tong-hop/cap-so", data=data).status_code == 200
    assert client.post("/van-ban/tong-hop/cap-so", data=data).status_code == 302
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 1
