"""Rows written by the views (task list, visit list, dossier) escape what users typed, in both languages.

The task list, the visit list and the dossier write their rows in Python, once per row, instead of in
Jinja (issue 14): every value a user can type (a task's title, a unit's or person's name, a visit's
title, a progress note) must come out as text, never as markup.
"""

from __future__ import annotations

import pytest

from models import db
from workflows import tasks as task_flow

HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)> & «ok»"


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_typed_values_are_text_in_the_rows_of_lists_and_dossier(
    world, create_visit, create_task, login_as, locale
):
    visit = create_visit(title=f"Đoàn {HOSTILE}")
    world.district_culture.name = f"Phòng {HOSTILE}"
    world.head.full_name = f"Ông {HOSTILE}"
    task = create_task(title=f"Nhiệm vụ {HOSTILE}", coordinating=[world.district_culture])
    task_flow.record_progress(task, world.office, note=f"Ghi chú {HOSTILE}")
    for user in (world.leader, world.office, world.inspector):
        user.locale = locale
    db.session.commit()

    pages = []
    for user, path in (
        (world.office, "/tasks"),
        (world.leader, "/tasks"),
        (world.leader, "/visits"),
        (world.inspector, "/visits"),
        (world.inspector, f"/visits/{task.directive.visit_id}"),
        (world.leader, f"/visits/{visit.id}"),
    ):
        response = login_as(user).get(path)
        assert response.status_code == 200, (user.username, path)
        page = response.get_data(as_text=True)
        assert "<script>alert" not in page, (user.username, path)
        assert "<img src=x" not in page, (user.username, path)
        assert "&lt;script&gt;" in page, (user.username, path)  # the typed words are shown, as text
        pages.append(page)
    assert any("Nhiệm vụ &lt;script&gt;" in page for page in pages)
