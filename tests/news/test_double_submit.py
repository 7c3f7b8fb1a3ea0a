"""The "write news" button clicked twice writes one draft."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from models import NewsPost, db


def test_the_write_button_sent_twice_writes_one_draft(login_as, world, held_visit):
    client = login_as(world.inspector)
    page = client.get(f"/visits/{held_visit.id}").get_data(as_text=True)
    form = page[page.index(f'action="/bai-viet/tu-dot-kiem-tra/{held_visit.id}"') :]
    data = {"once": re.search(r'name="once" value="([^"]+)"', form).group(1)}
    assert client.post(f"/bai-viet/tu-dot-kiem-tra/{held_visit.id}", data=data).status_code == 302
    again = client.post(f"/bai-viet/tu-dot-kiem-tra/{held_visit.id}", data=data, follow_redirects=True)
    assert "Yêu cầu này đã được gửi; không thực hiện lại." in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(NewsPost.id))) == 1
