"""The OpenAPI 3.1 document of the API, served at ``/api/v1/openapi.json``.

``tests/api/test_openapi.py`` validates the real answers of every route against the schemas here
(JSON Schema 2020-12, as OpenAPI 3.1 uses it), so the document cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, json, url_for

from app.api.views import DEFAULT_LIMIT, MAX_LIMIT, bp
from workflows.dashboard import CATEGORIES

STR = {"type": "string"}
INT = {"type": "integer"}
DAY = {"type": "string", "format": "date"}
INSTANT = {"type": "string", "format": "date-time"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with exactly these properties, all required but ``optional``."""
    return {
        "type": "object",
        "properties": properties,
        "required": [key for key in properties if key not in optional],
        "additionalProperties": False,
    }


def page_of(item: str) -> dict[str, Any]:
    return obj({"items": {"type": "array", "items": ref(item)}, "next_cursor": nullable(STR)})


ORG = obj({"id": INT, "code": STR, "name": STR})
TASK_ROW_PROPERTIES: dict[str, Any] = {
    "id": INT,
    "title": STR,
    "status": STR,
    "status_label": STR,
    "timeliness": nullable(STR),
    "timeliness_label": nullable(STR),
    "due_on": nullable(DAY),
    "original_due_on": nullable(DAY),
    "days_overdue": INT,
    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
    "lead_org": ref("Organization"),
    "coordinating_orgs": {"type": "array", "items": ref("Organization")},
    "visit": obj({"id": INT, "reference": STR, "title": STR}),
    "directive": obj({"id": INT, "number": INT}),
    "created_at": INSTANT,
    "reported_at": nullable(INSTANT),
    "completed_on": nullable(DAY),
    "version": INT,
    "url": {"type": "string", "format": "uri"},
}
EVENT = obj(
    {
        "at": INSTANT,
        "kind": STR,
        "kind_label": STR,
        "actor": nullable(STR),
        "from_status": nullable(STR),
        "to_status": nullable(STR),
        "progress": nullable(INT),
        "note": nullable(STR),
    }
)
EXTENSION = obj(
    {
        "requested_due_on": DAY,
        "previous_due_on": DAY,
        "reason": STR,
        "status": STR,
        "status_label": STR,
        "requested_at": INSTANT,
        "decided_at": nullable(INSTANT),
    }
)
TASK = obj(
    {
        **TASK_ROW_PROPERTIES,
        "description": nullable(STR),
        "events": {"type": "array", "items": ref("TaskEvent")},
        "extensions": {"type": "array", "items": ref("Extension")},
        "actions": {
            "type": "array",
            "items": {"enum": ["progress", "report", "extension", "verify", "return"]},
            "description": "What the caller may do to the task now.",
        },
    }
)
CITATION_PROPERTIES: dict[str, Any] = {
    "id": INT,
    "code": STR,
    "system": {"enum": ["party", "state"]},
    "type_code": STR,
    "type_name": nullable(STR),
    "issuer_code": STR,
    "issued_on": nullable(DAY),
    "title": nullable(STR),
}
VISIT_ROW_PROPERTIES: dict[str, Any] = {
    "id": INT,
    "reference": STR,
    "title": STR,
    "subject": STR,
    "visited_on": DAY,
    "status": STR,
    "status_label": STR,
    "inspecting_org": ref("Organization"),
    "inspected_org": ref("Organization"),
    "url": {"type": "string", "format": "uri"},
}
MEMBER = obj({"name": STR, "role": STR, "role_label": STR, "position": nullable(STR)})
DIRECTIVE = obj(
    {
        "id": INT,
        "number": INT,
        "title": nullable(STR),
        "body": STR,
        "due_on": nullable(DAY),
        "due_period_label": nullable(STR),
        "citations": {"type": "array", "items": ref("Citation")},
        "tasks": {
            "type": "array",
            "items": obj(
                {
                    "id": INT,
                    "title": STR,
                    "lead_org": ref("Organization"),
                    "status": STR,
                    "status_label": STR,
                    "due_on": nullable(DAY),
                }
            ),
        },
    }
)
STRING_LISTS = {"type": "array", "items": STR}
VISIT = obj(
    {
        **VISIT_ROW_PROPERTIES,
        "period_label": nullable(STR),
        "place": nullable(STR),
        "decision_ref": nullable(STR),
        "summary": nullable(STR),
        "delegation": obj(
            {"inspecting": {"type": "array", "items": MEMBER}, "host": {"type": "array", "items": MEMBER}}
        ),
        "findings": obj(
            {
                kind: STRING_LISTS
                for kind in ("achievement", "limitation", "difficulty", "cause", "host_request")
            }
        ),
        "directives": {"type": "array", "items": ref("Directive")},
    }
)
RATE = nullable({"type": "number", "minimum": 0, "maximum": 1})
COUNT_KEYS = (
    "on_time",
    "late",
    "within",
    "due_soon",
    "overdue",
    "no_deadline",
    "awaiting_on_time",
    "awaiting_late",
    "done",
    "on_time_original",
    "total",
    "open_within",
    "awaiting",
)
TIMELINESS = obj(
    {
        "scope": ref("Organization"),
        "as_of": DAY,
        "assigned_from": nullable(DAY),
        "assigned_to": nullable(DAY),
        "counts": obj({key: {"type": "integer", "minimum": 0} for key in COUNT_KEYS}),
        "completion_rate": {
            **RATE,
            "description": "done / (done + open overdue): the Government Office's 2017 rate.",
        },
        "done_share": {**RATE, "description": "done / every counted task: the 2025 reports' rate."},
        "shares": {"type": "object", "additionalProperties": RATE},
    }
)
NEWS = obj(
    {
        "id": INT,
        "title": STR,
        "slug": STR,
        "lead": nullable(STR),
        "author_line": nullable(STR),
        "published_at": nullable(INSTANT),
        "url": {"type": "string", "format": "uri"},
        "body_html": STR,
    }
)
ME = obj(
    {
        "id": INT,
        "username": STR,
        "display_name": STR,
        "role": STR,
        "organization": ref("Organization"),
        "locale": STR,
    }
)
PROBLEM = {
    "type": "object",
    "properties": {
        "type": STR,
        "title": STR,
        "status": INT,
        "detail": STR,
        "errors": {"type": "object", "additionalProperties": STRING_LISTS},
        "current_version": INT,
    },
    "required": ["type", "title", "status"],
    "additionalProperties": False,
}

SCHEMAS = {
    "Organization": ORG,
    "TaskRow": obj(TASK_ROW_PROPERTIES),
    "Task": TASK,
    "TaskEvent": EVENT,
    "Extension": EXTENSION,
    "TaskPage": page_of("TaskRow"),
    "Citation": obj(CITATION_PROPERTIES),
    "RegistryEntry": obj({**CITATION_PROPERTIES, "cited": {"type": "integer", "minimum": 0}}),
    "RegistryPage": page_of("RegistryEntry"),
    "Directive": DIRECTIVE,
    "VisitRow": obj(VISIT_ROW_PROPERTIES),
    "Visit": VISIT,
    "VisitPage": page_of("VisitRow"),
    "Timeliness": TIMELINESS,
    "NewsPost": NEWS,
    "NewsPage": page_of("NewsPost"),
    "Me": ME,
    "Problem": PROBLEM,
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/problem+json": {"schema": ref("Problem")}}}


ERRORS = {
    "401": _problem("No token, an unknown or revoked token, or a deactivated account."),
    "403": _problem("The account's role may not call this route (the pages' policy table)."),
    "404": _problem("No such record, or outside the account's organisation subtree."),
    "422": _problem("A parameter or field is invalid; `errors` names each."),
    "429": _problem("Too many requests with this token; wait `Retry-After` seconds."),
}


def _ok(schema: str, description: str = "OK", headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ref(schema)}},
    }
    if headers:
        answer["headers"] = headers
    return answer


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or STR,
    }


PAGING = [
    _query(
        "limit",
        f"Rows per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    ),
    _query("cursor", "The `next_cursor` of the previous page."),
]
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": INT}
ETAG = {"ETag": {"description": "The task's version; send it back in `If-Match` to write.", "schema": STR}}


def _write(summary: str, roles: str, fields: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "description": f"Roles: {roles}. Runs the same workflow as the task page.",
            "parameters": [
                TASK_ID,
                {
                    "name": "If-Match",
                    "in": "header",
                    "required": True,
                    "description": "The task's ETag (its version) as last read.",
                    "schema": STR,
                },
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": fields,
                            "required": required,
                            "additionalProperties": False,
                        }
                    }
                },
            },
            "responses": {
                "200": _ok("Task", "The task after the change.", ETAG),
                "400": _problem("The body is not a JSON object."),
                **ERRORS,
                "409": _problem(
                    "Stale `If-Match` (someone changed the task; nothing was done), "
                    "or the task's state does not allow it."
                ),
                "415": _problem("The body is not `application/json`."),
                "428": _problem("`If-Match` is missing."),
            },
        }
    }


NOTE = {"type": "string", "maxLength": 5000}


def document() -> dict[str, Any]:
    """The OpenAPI document, with this server's address."""
    server = url_for("api.me", _external=True).removesuffix("/me")
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "kiemtra API",
            "version": "1",
            "description": (
                "Read visits, tasks, timeliness counts, the registry and news; record progress, report, "
                "verify or return a task, ask for an extension. Every request acts as the account whose "
                "personal token it carries (made on the page /account/api-tokens), with the same roles and "
                "organisation scope as the pages. Errors are application/problem+json in Vietnamese or "
                "English (Accept-Language). Rate limit: "
                f"{current_app.config['API_RATE_LIMIT']} requests per "
                f"{current_app.config['API_RATE_WINDOW_S']} s "
                "per token and worker process."
            ),
        },
        "servers": [{"url": server}],
        "security": [{"token": []}],
        "components": {
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": "kt_… personal token"}
            },
            "schemas": SCHEMAS,
        },
        "paths": {
            "/me": {"get": {"summary": "The token's account", "responses": {"200": _ok("Me"), **ERRORS}}},
            "/tasks": {
                "get": {
                    "summary": "Tasks the account sees, most urgent first (filters as on /tasks)",
                    "description": "Roles: office, inspector, leader.",
                    "parameters": [
                        _query("visit", "Visit id.", INT),
                        _query("status", "A task status, or `open`."),
                        _query("timeliness", "A category.", {"enum": list(CATEGORIES)}),
                        _query("scope", "Organisation id: tasks its subtree answers for.", INT),
                        _query("lead", "Organisation id of the lead unit.", INT),
                        *[
                            _query(key, "yyyy-mm-dd or dd/mm/yyyy.", STR)
                            for key in (
                                "assigned_from",
                                "assigned_to",
                                "completed_from",
                                "completed_to",
                                "open_on",
                            )
                        ],
                        *PAGING,
                    ],
                    "responses": {"200": _ok("TaskPage"), **ERRORS},
                }
            },
            "/tasks/{task_id}": {
                "get": {
                    "summary": "One task with its history and the caller's possible actions",
                    "parameters": [TASK_ID],
                    "responses": {
                        "200": _ok("Task", headers=ETAG),
                        "304": {"description": "Not modified (If-None-Match)."},
                        **ERRORS,
                    },
                }
            },
            "/tasks/{task_id}/progress": _write(
                "Record progress",
                "office of the lead or a coordinating unit",
                {
                    "note": NOTE,
                    "progress": {
                        "anyOf": [{"type": "integer", "minimum": 0, "maximum": 100}, {"type": "null"}]
                    },
                },
                ["note"],
            ),
            "/tasks/{task_id}/report": _write(
                "Report the task done", "office of the lead unit", {"note": NOTE}, ["note"]
            ),
            "/tasks/{task_id}/extension": _write(
                "Ask for a later due date",
                "office of the lead unit",
                {"new_due_on": {"type": "string", "description": "yyyy-mm-dd"}, "reason": NOTE},
                ["new_due_on", "reason"],
            ),
            "/tasks/{task_id}/verify": _write(
                "Accept the report", "inspector of the inspecting body", {"note": NOTE}, []
            ),
            "/tasks/{task_id}/return": _write(
                "Return the report with the reason",
                "inspector of the inspecting body",
                {"note": NOTE},
                ["note"],
            ),
            "/timeliness": {
                "get": {
                    "summary": (
                        "Timeliness counts and both rates of a subtree, as of a day (the dashboard's numbers)"
                    ),
                    "description": "Roles: leader, inspector.",
                    "parameters": [
                        _query("scope", "Organisation id (default: the account's unit).", INT),
                        _query("as_of", "The day counted on (default today)."),
                        _query("assigned_from", "Tasks assigned from this day."),
                        _query("assigned_to", "Tasks assigned up to this day."),
                    ],
                    "responses": {"200": _ok("Timeliness"), **ERRORS},
                }
            },
            "/visits": {
                "get": {
                    "summary": "Visits either side of which is in the account's subtree, newest first",
                    "description": "Roles: inspector, leader, admin.",
                    "parameters": [
                        _query("status", "planned, conducted, concluded or closed."),
                        _query("visited_from", "Visited on or after this day."),
                        _query("visited_to", "Visited on or before this day."),
                        *PAGING,
                    ],
                    "responses": {"200": _ok("VisitPage"), **ERRORS},
                }
            },
            "/visits/{visit_id}": {
                "get": {
                    "summary": (
                        "A visit: delegation, findings by kind, numbered directives with citations and tasks"
                    ),
                    "parameters": [{"name": "visit_id", "in": "path", "required": True, "schema": INT}],
                    "responses": {"200": _ok("Visit"), **ERRORS},
                }
            },
            "/registry": {
                "get": {
                    "summary": "The registry of cited documents",
                    "description": "Roles: inspector, leader, admin.",
                    "parameters": [
                        _query("q", "Search words (tone marks optional)."),
                        _query("type", "Document type code."),
                        _query("issuer", "Issuer code."),
                        _query("system", "party or state."),
                        _query("sort", "code, -issued, issued or -cited."),
                        *PAGING,
                    ],
                    "responses": {"200": _ok("RegistryPage"), **ERRORS},
                }
            },
            "/news": {
                "get": {
                    "summary": "Published news posts, newest first",
                    "parameters": PAGING,
                    "responses": {"200": _ok("NewsPage"), **ERRORS},
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OK"}},
                }
            },
        },
    }


@bp.route("/openapi.json")
def openapi() -> Response:
    """The API's description, for anyone (no token needed)."""
    response = current_app.response_class(
        json.dumps(document(), ensure_ascii=False, indent=1), mimetype="application/json"
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
