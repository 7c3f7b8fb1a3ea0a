"""Reading through the API: the same rows, filters, scope and numbers as the pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask_login import login_user

from app.board.dashboard import dashboard_facts
from app.jinja import percent
from models import Visit, db
from tests.conftest import World
from workflows import news as news_flow
from workflows.clock import local_today


def _all_pages(api: Any, path: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    rows: list[dict[str, Any]] = []
    pages = 0
    url = f"{path}{'&' if '?' in path else '?'}limit={limit}"
    cursor = None
    while True:
        answer = api.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        rows += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return rows, pages


def _ids_on_page(client: Any, path: str) -> list[int]:
    html = client.get(path).get_data(as_text=True)
    return [int(n) for n in dict.fromkeys(re.findall(r'href="/tasks/(\d+)"', html))]


def test_the_task_list_walks_every_page_in_the_pages_order(
    world: World, mixed_tasks: dict[str, Any], api_as: Callable[..., Any], login_as: Callable[..., Any]
) -> None:
    api = api_as(world.leader)
    rows, pages = _all_pages(api, "/tasks", 2)
    assert pages == 4  # 7 tasks (the cancelled none), two a page
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) == 7
    page = login_as(world.leader)
    assert ids == _ids_on_page(page, "/tasks"), "the same tasks in the same order as /tasks"
    first = rows[0]
    assert first["timeliness"] == "overdue"
    assert first["timeliness_label"] == "Quá hạn"
    assert first["lead_org"]["code"] in ("BTGHU-BUDOP", "BTGHU-LOCNINH")


@pytest.mark.parametrize(
    "query",
    [
        "status=open",
        "timeliness=overdue",
        "timeliness=on_time",
        "timeliness=late",
        "timeliness=open_within",
        "status=reported",
        "open_on=2023-09-30&timeliness=overdue",
        "assigned_from=2023-06-14&assigned_to=2023-06-14&status=done",
    ],
)
def test_each_filter_selects_what_the_page_selects(
    query: str,
    world: World,
    mixed_tasks: dict[str, Any],
    api_as: Callable[..., Any],
    login_as: Callable[..., Any],
) -> None:
    rows, _pages = _all_pages(api_as(world.leader), f"/tasks?{query}", 50)
    assert [row["id"] for row in rows] == _ids_on_page(login_as(world.leader), f"/tasks?{query}")


def test_an_office_sees_its_own_units_tasks_only(
    world: World, mixed_tasks: dict[str, Any], api_as: Callable[..., Any]
) -> None:
    rows, _pages = _all_pages(api_as(world.office), "/tasks", 50)
    assert mixed_tasks["elsewhere"].id not in {row["id"] for row in rows}
    assert len(rows) == 6
    other = api_as(world.other_office_user)
    assert other.get(f"/tasks/{mixed_tasks['overdue'].id}").status_code == 404
    assert other.get(f"/tasks?scope={world.district.id}").status_code == 404


def test_bad_list_parameters_are_422_with_the_pages_words(
    world: World, mixed_tasks: dict[str, Any], api_as: Callable[..., Any]
) -> None:
    api = api_as(world.leader)
    bad_status = api.get("/tasks?status=finished")
    assert bad_status.status_code == 422
    assert bad_status.get_json()["errors"]["filters"] == [
        "Trạng thái «finished» không có nên đã được bỏ qua."
    ]
    assert api.get("/tasks?open_on=31/02/2023").status_code == 422
    assert api.get("/tasks?page=2").status_code == 422
    assert api.get("/tasks?limit=500").status_code == 422
    assert api.get("/tasks?cursor=bm90LWEtY3Vyc29y").status_code == 422


def test_a_visit_comes_with_its_delegation_findings_directives_and_citations(
    world: World, full_visit: Callable[..., Visit], api_as: Callable[..., Any]
) -> None:
    visit = full_visit()
    api = api_as(world.inspector)
    body = api.get(f"/visits/{visit.id}").get_json()
    assert body["title"] == visit.title
    assert [m["name"] for m in body["delegation"]["inspecting"]] == ["Mạc Đình Huấn", "Phan Duy Khiêm"]
    assert body["delegation"]["inspecting"][0]["role_label"] == "Trưởng Đoàn"
    assert [m["role"] for m in body["delegation"]["host"]] == ["host_chair", "host_participant"]
    assert body["findings"]["achievement"] == ["Tổ chức tốt việc học tập nghị quyết."]
    assert body["findings"]["limitation"] == ["Trang thông tin của huyện cập nhật chậm."]
    assert [d["number"] for d in body["directives"]] == [1, 2, 3]
    assert [c["code"] for c in body["directives"][0]["citations"]] == ["85-QĐ/TW"]
    assert body["directives"][0]["tasks"][0]["lead_org"]["code"] == "BTGHU-BUDOP"
    listed = api.get("/visits").get_json()
    assert [v["id"] for v in listed["items"]] == [visit.id]
    # Outside the user's tree, as on the page: 404.
    assert api_as(world.other_inspector).get(f"/visits/{visit.id}").status_code == 404


def _dashboard_numbers(app: Flask, leader: Any, query: str) -> Any:
    with app.test_request_context(f"/dashboard?{query}"):
        login_user(leader)
        return dashboard_facts().total


@pytest.mark.parametrize(
    ("api_query", "page_query"),
    [
        ("", ""),
        ("as_of=2023-09-30", "as_of=30/09/2023"),
        ("as_of=2023-12-25", "as_of=25/12/2023"),
        ("assigned_from=2023-06-01&assigned_to=2023-06-30", "period_from=01/06/2023&period_to=30/06/2023"),
        ("scope={district}", "org={district}"),
        ("scope={district}&as_of=2023-11-15", "org={district}&as_of=15/11/2023"),
    ],
)
def test_timeliness_gives_the_dashboards_numbers(
    api_query: str,
    page_query: str,
    app: Flask,
    world: World,
    mixed_tasks: dict[str, Any],
    api_as: Callable[..., Any],
    login_as: Callable[..., Any],
) -> None:
    api_query, page_query = (q.format(district=world.district.id) for q in (api_query, page_query))
    answer = api_as(world.leader).get(f"/timeliness?{api_query}")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    shown = _dashboard_numbers(app, world.leader, page_query)
    assert shown.total > 0
    assert body["counts"] == {k: v for k, v in shown.as_dict().items() if isinstance(v, int)}
    assert body["completion_rate"] == shown.completion_rate
    assert body["done_share"] == shown.share("done")
    # And the page itself prints the same two rates.
    html = login_as(world.leader).get(f"/dashboard?{page_query}").get_data(as_text=True)
    assert f'id="rate-due">{percent(body["completion_rate"])}<' in html
    assert f'id="rate-all">{percent(body["done_share"])}<' in html


def test_timeliness_refuses_what_the_dashboard_refuses(
    world: World, mixed_tasks: dict[str, Any], api_as: Callable[..., Any]
) -> None:
    api = api_as(world.leader)
    future = api.get(f"/timeliness?as_of={date(local_today().year + 1, 1, 1).isoformat()}")
    assert future.status_code == 422
    assert "tương lai" in future.get_json()["errors"]["as_of"][0]
    assert api.get("/timeliness?as_of=2023-02-31").status_code == 422
    office = api_as(world.office)
    assert office.get("/timeliness").status_code == 403  # offices have no dashboard either
    inspector = api_as(world.other_inspector)
    assert inspector.get(f"/timeliness?scope={world.district.id}").status_code == 404


def test_registry_and_news(
    world: World, full_visit: Callable[..., Visit], api_as: Callable[..., Any]
) -> None:
    visit = full_visit()
    visit_flow_mark(visit, world)
    post = news_flow.create_draft(visit, world.inspector)
    news_flow.publish_post(post, world.leader)
    draft = news_flow.create_draft(visit, world.inspector)
    db.session.commit()
    api = api_as(world.inspector)
    registry = api.get("/registry?q=85").get_json()
    assert [(d["code"], d["cited"]) for d in registry["items"]] == [("85-QĐ/TW", 1)]
    news = api_as(world.office).get("/news").get_json()
    assert [p["id"] for p in news["items"]] == [post.id]
    assert draft.id not in [p["id"] for p in news["items"]]


def visit_flow_mark(visit: Visit, world: World) -> None:
    from workflows import visits as visit_flow

    visit_flow.mark_conducted(visit, world.inspector)


def test_a_task_read_again_unchanged_is_304(
    world: World, mixed_tasks: dict[str, Any], api_as: Callable[..., Any]
) -> None:
    api = api_as(world.office)
    task_id = mixed_tasks["overdue"].id
    first = api.get(f"/tasks/{task_id}")
    assert first.status_code == 200
    again = api.get(f"/tasks/{task_id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    etag = {"If-Match": first.headers["ETag"]}
    wrote = api.post(f"/tasks/{task_id}/progress", {"note": "Thêm"}, headers=etag)
    assert wrote.status_code == 200, wrote.get_json()
    changed = api.get(f"/tasks/{task_id}", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]
