"""Build the form data a browser would send for the visit form."""

from __future__ import annotations

from typing import Any

from tests.conftest import World


def visit_form(world: World, **overrides: Any) -> dict[str, Any]:
    """A complete new visit: two people on each side, two findings, three directives with tasks."""
    data: dict[str, Any] = {
        "action": "save",
        "title": "Kiểm tra công tác tuyên giáo tại huyện Bù Đốp",
        "subject": "công tác tuyên giáo",
        "visited_on": "14/06/2023",
        "day_part": "morning",
        "place": "Hội trường Huyện ủy Bù Đốp",
        "period_label": "6 tháng đầu năm 2023",
        "period_start_on": "01/01/2023",
        "period_end_on": "30/06/2023",
        "inspecting_org_id": str(world.board.id),
        "inspected_org_id": str(world.district.id),
        "summary": "Buổi làm việc nghe báo cáo 6 tháng.",
        "inspecting-0-person_id": str(world.head.id),
        "inspecting-0-position_on_day": "Phó Trưởng Ban Tuyên giáo Tỉnh ủy",
        "inspecting-0-role": "head",
        "inspecting-1-new_name": "Phan Duy Khiêm",
        "inspecting-1-position_on_day": "Trưởng phòng Thông tin - Khoa giáo",
        "inspecting-1-role": "member",
        "hosts-0-person_id": str(world.host.id),
        "hosts-0-position_on_day": "Bí thư Huyện ủy",
        "hosts-0-role": "host_chair",
        "hosts-1-new_name": "Lê Thị Hoa",
        "hosts-1-position_on_day": "Trưởng Ban Tuyên giáo Huyện ủy",
        "hosts-1-role": "host_participant",
        "findings-0-kind": "achievement",
        "findings-0-text": "Quán triệt kịp thời các nghị quyết của Trung ương và Tỉnh ủy.",
        "findings-0-is_public": "y",
        "findings-1-kind": "limitation",
        "findings-1-text": "Việc cập nhật trang thông tin điện tử của huyện còn chậm.",
    }
    directives = [
        ("Bám sát chương trình công tác tuyên giáo năm 2023.", "", "31/12/2023"),
        (
            "Triển khai sâu rộng Quy định 85-QĐ/TW về trang thông tin cá nhân.",
            "85-QĐ/TW; 99-HD/BTGTW",
            "30/09/2023",
        ),
        ("Thành lập tổ tuyên truyền viên ở các chi bộ.", "Quy chế số 04-QC/BTGTU ngày 20/3/2023", ""),
    ]
    for n, (body, citations, due) in enumerate(directives):
        data[f"directives-{n}-body"] = body
        data[f"directives-{n}-citations"] = citations
        data[f"directives-{n}-due_on"] = due
        data[f"directives-{n}-tasks-0-lead_org_id"] = str(world.district_office.id)
        data[f"directives-{n}-tasks-0-coordinating_ids"] = [str(world.district_culture.id)]
        data[f"directives-{n}-tasks-0-due_on"] = due or "31/12/2023"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def edit_form(page_html: str) -> dict[str, Any]:
    """The values an edit form was rendered with, as the browser would send them back."""
    import re
    from html import unescape

    data: dict[str, Any] = {}
    for match in re.finditer(r"<input ([^>]*)>", page_html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', match.group(1)))
        name = attrs.get("name")
        if not name or name in ("csrf_token", "locale", "next"):
            continue
        if attrs.get("type") == "checkbox":
            if "checked" in match.group(1):
                data[name] = "y"
            continue
        data[name] = unescape(attrs.get("value", ""))
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page_html, re.S):
        data[match.group(1)] = unescape(match.group(2)).removeprefix("\r\n").removeprefix("\n")
    for match in re.finditer(r'<select([^>]*)name="([^"]+)"([^>]*)>(.*?)</select>', page_html, re.S):
        name = match.group(2)
        selected = re.findall(
            r'<option[^>]*selected[^>]*value="([^"]*)"|<option value="([^"]*)"[^>]*selected', match.group(4)
        )
        values = [a or b for a, b in selected]
        if "multiple" in match.group(1) + match.group(3):
            data[name] = values
        elif values:
            data[name] = values[0]
    data["action"] = "save"
    return data
