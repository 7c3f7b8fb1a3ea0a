"""Hostile input never makes a 500: every route, as every role, with the odd classes of input an attacker
(or a confused keyboard) sends: superscript, fullwidth and Arabic-Indic digits, ids past what a column
holds, NUL bytes, huge counts and long text, in the path, the query string and every form field."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from models import LegalDocument, Notification, Visit, db
from tests.conftest import VISIT_DAY, at
from workflows import news as news_flow
from workflows import tasks as task_flow
from workflows import visits as visit_flow

# One value per class; each request sends one class in every parameter at once.
HOSTILE = {
    "superscript": "²",
    "fullwidth": "１４/０６/２０２３",
    "arabic-indic": "٣",
    "huge number": "99999999999999999999",
    "nul": "a\x00b",
    # Past every bounded column (the longest holds 700 characters) and every filter's limit; the text
    # areas' own limit of 20,000 is tested field by field below (sent here in every parameter of every
    # route it made the walk 12 minutes of URL decoding).
    "long text": "ư" * 2_000,
}
HUGE_IDS = (2**31, 10**20)
# Query parameters read by some page; form fields are gathered from the pages themselves.
QUERY_KEYS = (
    "page", "per_page", "trang", "visit", "scope", "lead", "unit", "status", "timeliness", "q", "don_vi",
    "parent", "org", "next", "from", "to", "assigned_from", "assigned_to", "completed_from", "completed_to",
    "open_on", "tu_ngay", "den_ngay", "period", "year", "kind", "role",
)  # fmt: skip
# Row fields of the repeated lists, with odd row numbers.
ROW_KEYS = (
    "directives-²-body", "directives-0-tasks-²-title", "inspecting-１-new_name", "findings-٣-text",
    "directives-99999999999999999999-body", "people-²-name",
)  # fmt: skip
SLOW_OUTPUT = re.compile(r"\.pdf$|/pdf")


def _world_ids(world, full_visit, elsewhere) -> dict[str, int]:
    visit = full_visit(directives=2)
    task = visit.directives[0].tasks[0]
    extension = task_flow.request_extension(
        task, world.office, new_due_on=date(2024, 3, 31), reason="Chờ kinh phí.", now=at(VISIT_DAY)
    )
    visit_flow.mark_conducted(visit, world.inspector)
    post = news_flow.create_draft(visit, world.inspector)
    db.session.commit()
    notification = db.session.scalar(select(Notification.id).limit(1))
    return {
        "visit_id": visit.id,
        "directive_id": visit.directives[0].id,
        "task_id": task.id,
        "org_id": world.district.id,
        "user_id": world.office.id,
        "document_id": db.session.scalar(select(LegalDocument.id).limit(1)) or 1,
        "notification_id": notification or 1,
        "extension_id": extension.id,
        "post_id": post.id,
        "attachment_id": 1,
        "image_id": 1,
    }


def _fill(rule, ids: dict[str, int], override: object | None = None) -> str | None:
    """The rule's path with real ids (or ``override`` in every int argument, or in every other one)."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, IntegerConverter):
            values[name] = override if override is not None else ids.get(name, 1)
        elif name == "fmt":
            values[name] = "docx"
        elif name == "kind":
            values[name] = "bao-cao"
        else:
            values[name] = "x" if override is None else str(override)
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), path)
    return path


def _field_names(html: str) -> set[str]:
    return set(re.findall(r'name="([^"]+)"', html)) - {"csrf_token", "once"}


@pytest.mark.slow
def test_no_route_answers_500_to_hostile_input_whatever_the_role(
    app, client, login_as, world, full_visit, elsewhere
):
    ids = _world_ids(world, full_visit, elsewhere)
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and not rule.endpoint.endswith(".static")
        and rule.endpoint != "auth.logout"
    ]
    fields: set[str] = set()
    outcomes: Counter[str] = Counter()
    failures: list[str] = []

    def send(method: str, path: str, **kwargs: object) -> None:
        response = client.open(path, method=method, **kwargs)
        outcomes[str(response.status_code)] += 1
        if response.status_code >= 500:
            failures.append(f"{method} {path[:120]} {str(kwargs)[:200]} -> {response.status_code}")
        db.session.rollback()

    users = [world.inspector, world.office, world.admin, None]
    for user in users:
        # Pages first, so that their form fields are known when the posts come.
        for rule in sorted(rules, key=lambda r: "POST" in r.methods):
            if user is not None:
                login_as(user)
            else:
                client.delete_cookie("session")
            path = _fill(rule, ids)
            if "GET" in rule.methods and not SLOW_OUTPUT.search(path):
                page = client.get(path)
                outcomes[str(page.status_code)] += 1
                if page.status_code >= 500:
                    failures.append(f"GET {path} -> {page.status_code}")
                if page.mimetype == "text/html":
                    fields |= _field_names(page.get_data(as_text=True))
                db.session.rollback()
            for huge in HUGE_IDS:
                if any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
                    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                        send(method, _fill(rule, ids, huge))
            for value in HOSTILE.values():
                if "GET" in rule.methods and not SLOW_OUTPUT.search(path):
                    send("GET", path, query_string={key: value for key in QUERY_KEYS})
                if "POST" in rule.methods:
                    form = {name: value for name in fields | set(ROW_KEYS)}
                    send("POST", path, data=form)
    counts = dict(sorted(outcomes.items()))
    print(f"\nhostile-input suite: {sum(outcomes.values())} requests, by status {counts}")
    assert not failures, "\n".join(failures[:40])


@pytest.mark.parametrize("path", ["/tasks/2147483648", "/visits/2147483648", "/tasks/9223372036854775808"])
def test_ids_past_what_a_column_holds_are_not_found(login_as, world, path):
    assert login_as(world.inspector).get(path).status_code == 404


@pytest.mark.parametrize(
    "query", ["page=²", "visit=²", "scope=²", "lead=２", "page=99999999999999999999", "visit=2147483648"]
)
def test_odd_digits_in_the_task_list_filters_are_dropped_with_a_message(login_as, world, query):
    response = login_as(world.office).get(f"/tasks?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=²", "page=٣"])
def test_the_public_news_list_takes_any_page_number(client, query):
    assert client.get(f"/tin-tuc/?{query}").status_code == 200


@pytest.mark.parametrize("query", ["trang=²", "trang=99999999999999999999"])
def test_the_inbox_takes_any_page_number(login_as, world, query):
    assert login_as(world.office).get(f"/inbox?{query}").status_code == 200


def test_a_nul_byte_in_a_field_is_refused_with_a_message_and_saves_nothing(login_as, world):
    from tests.workspace.forms import visit_form

    client = login_as(world.inspector)
    before = db.session.scalar(select(func.count(Visit.id)))
    response = client.post("/visits/new", data=visit_form(world, title="Kiểm tra\x00 tuyên giáo"))
    assert response.status_code == 400
    assert "ký tự NUL" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Visit.id))) == before


@pytest.mark.parametrize("field", ["summary", "findings-0-text", "directives-0-body"])
def test_a_text_past_its_limit_is_refused_with_a_message_and_saves_nothing(login_as, world, field):
    from tests.workspace.forms import visit_form

    client = login_as(world.inspector)
    before = db.session.scalar(select(func.count(Visit.id)))
    response = client.post("/visits/new", data=visit_form(world, **{field: "ư" * 20_001}))
    assert response.status_code == 200
    assert "Tối đa 20000 ký tự." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Visit.id))) == before


def test_a_text_at_its_limit_is_kept_whole(login_as, world):
    from tests.workspace.forms import visit_form

    client = login_as(world.inspector)
    response = client.post("/visits/new", data=visit_form(world, summary="ư" * 20_000))
    assert response.status_code == 302
    visit = db.session.scalar(select(Visit).order_by(Visit.id.desc()).limit(1))
    assert visit.summary == "ư" * 20_000


def test_a_nul_byte_in_the_sign_in_name_is_refused(client, world):
    response = client.post("/login", data={"username": "office\x00", "password": "x"})
    assert response.status_code == 400


def test_fullwidth_and_arabic_indic_digits_are_not_dates(login_as, world, full_visit):
    from workflows.clock import parse_date
    from workflows.errors import ValidationFailed

    for text in ("１４/０６/２０２３", "١٤/٠٦/٢٠٢٣", "2023-06-１4"):
        with pytest.raises(ValidationFailed):
            parse_date(text)
    assert parse_date("14/06/2023") == date(2023, 6, 14)


def test_a_task_list_filtered_by_a_unit_of_another_tree_does_not_name_it(login_as, world, elsewhere):
    page = login_as(world.office).get(f"/tasks?lead={elsewhere.district.id}").get_data(as_text=True)
    assert elsewhere.district.name not in page


def test_a_task_list_filtered_by_a_lead_unit_of_a_visible_task_names_it(login_as, world, create_task):
    create_task()
    db.session.commit()
    page = login_as(world.inspector).get(f"/tasks?lead={world.district_office.id}").get_data(as_text=True)
    assert world.district_office.name in page


def test_a_coordinating_office_sees_the_lead_unit_of_its_task_named(login_as, world, create_task):
    # The other district's office coordinates a task the district office leads: the lead unit lies outside
    # its tree, yet the task is one it sees, so the filter names the unit (and lists the task).
    create_task(coordinating=[world.other_office], title="Phối hợp tổng kết Quy định 85")
    db.session.commit()
    page = (
        login_as(world.other_office_user)
        .get(f"/tasks?lead={world.district_office.id}")
        .get_data(as_text=True)
    )
    assert "Phối hợp tổng kết Quy định 85" in page
    assert f"Đơn vị chủ trì: {world.district_office.name}" in page  # the filter's own words
