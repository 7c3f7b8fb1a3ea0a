"""The OpenAPI 3.1 document at /api/v1/openapi.json describes the real answers: every documented
path is called, and each answer is validated against the schema the document gives for its status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator

from models import Visit, db
from tests.conftest import World
from workflows import news as news_flow
from workflows import tasks as task_flow
from workflows import visits as visit_flow


def _schema_of(document: dict[str, Any], path: str, method: str, status: int, mimetype: str) -> Any:
    answers = document["paths"][path][method]["responses"]
    answer = answers.get(str(status))
    assert answer is not None, f"{method.upper()} {path} answered {status}, which the document does not list"
    return answer["content"][mimetype]["schema"]


def _validate(document: dict[str, Any], path: str, method: str, response: Any) -> None:
    schema = {**_schema_of(document, path, method, response.status_code, response.mimetype)}
    schema["components"] = document["components"]
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.get_json())]
    assert errors == [], f"{method.upper()} {path} {response.status_code}"


def test_every_documented_answer_matches_its_schema(
    world: World,
    full_visit: Callable[..., Visit],
    mixed_tasks: dict[str, Any],
    api_as: Callable[..., Any],
    app: Any,
) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    visit = full_visit(directives=2)
    visit_flow.mark_conducted(visit, world.inspector)
    news_flow.publish_post(news_flow.create_draft(visit, world.inspector), world.leader)
    working, to_verify = (d.tasks[0] for d in visit.directives)
    task_flow.report_task_done(to_verify, world.office, note="Đã xong")
    db.session.commit()
    office, inspector, leader = api_as(world.office), api_as(world.inspector), api_as(world.leader)
    called: set[tuple[str, str]] = set()

    def check(
        api: Any, method: str, path: str, template: str, body: Any = None, version: int | None = None
    ) -> Any:
        response = api.get(path) if method == "get" else api.post(path, body, version=version)
        _validate(document, template, method, response)
        called.add((template, method))
        return response

    check(office, "get", "/me", "/me")
    listing = check(leader, "get", "/tasks?limit=3", "/tasks")
    check(leader, "get", f"/tasks?limit=3&cursor={listing.get_json()['next_cursor']}", "/tasks")
    check(leader, "get", "/tasks?status=nonsense", "/tasks")  # 422
    check(office, "get", f"/tasks/{working.id}", "/tasks/{task_id}")
    check(office, "get", f"/tasks/{mixed_tasks['on_time'].id}", "/tasks/{task_id}")
    check(api_as(world.other_office_user), "get", f"/tasks/{working.id}", "/tasks/{task_id}")  # 404
    check(api_as(None), "get", "/tasks", "/tasks")  # 401
    task_path = f"/tasks/{working.id}"
    v = working.version
    check(
        office,
        "post",
        f"{task_path}/progress",
        "/tasks/{task_id}/progress",
        {"note": "Đang làm", "progress": 50},
        v,
    )
    check(office, "post", f"{task_path}/progress", "/tasks/{task_id}/progress", {"note": "x"}, v)  # 409 stale
    check(office, "post", f"{task_path}/progress", "/tasks/{task_id}/progress", {"note": "x"})  # 428
    check(
        office, "post", f"{task_path}/progress", "/tasks/{task_id}/progress", {"progress": 150}, v + 2
    )  # 422
    check(
        inspector, "post", f"{task_path}/progress", "/tasks/{task_id}/progress", {"note": "x"}, v + 2
    )  # 403
    v = working.version + 2
    check(
        office,
        "post",
        f"{task_path}/extension",
        "/tasks/{task_id}/extension",
        {"new_due_on": "2024-06-30", "reason": "Chờ kinh phí"},
        v,
    )
    check(office, "post", f"{task_path}/report", "/tasks/{task_id}/report", {"note": "Xong"}, v + 1)
    report_path = f"/tasks/{to_verify.id}"
    check(
        inspector,
        "post",
        f"{report_path}/return",
        "/tasks/{task_id}/return",
        {"note": "Thiếu"},
        to_verify.version,
    )
    check(
        office,
        "post",
        f"{report_path}/report",
        "/tasks/{task_id}/report",
        {"note": "Bổ sung"},
        to_verify.version + 1,
    )
    check(inspector, "post", f"{report_path}/verify", "/tasks/{task_id}/verify", {}, to_verify.version + 2)
    check(
        inspector, "post", f"{report_path}/verify", "/tasks/{task_id}/verify", {}, to_verify.version + 3
    )  # 409
    check(leader, "get", "/timeliness", "/timeliness")
    check(leader, "get", "/timeliness?as_of=2023-09-30", "/timeliness")
    check(leader, "get", "/timeliness?as_of=3023-01-01", "/timeliness")  # 422
    check(office, "get", "/timeliness", "/timeliness")  # 403
    check(inspector, "get", "/visits?limit=1", "/visits")
    check(inspector, "get", f"/visits/{visit.id}", "/visits/{visit_id}")
    check(inspector, "get", "/registry", "/registry")
    check(office, "get", "/news", "/news")
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert documented - called == {("/openapi.json", "get")}
