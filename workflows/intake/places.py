"""Dates and places: the visit date and time of day, the inspecting body, the inspected unit,
the subject and the period of the lead; due dates and periods of requests.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import cast

from models.enums import DayPart
from models.vntext import search_key
from workflows.intake.draft import DraftPeriod
from workflows.intake.names import _NOT_NAMES_KEYS, _SURNAMES
from workflows.intake.normalise import _State
from workflows.intake.text import LOWER, UPPER, _safe_date, _sentence_end

_DAY_PARTS = {
    "sáng": DayPart.MORNING,
    "trưa": DayPart.MORNING,
    "chiều": DayPart.AFTERNOON,
    "tối": DayPart.EVENING,
}


_INSPECTION = re.compile(r"kiểm\s+tra|giám\s+sát|làm\s+việc\s+với|khảo\s+sát", re.I)


_DELEGATION = re.compile(
    r"\b(?:đoàn|tổ)\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát|khảo\s+sát)|trưởng\s+đoàn"
    r"|\bđoàn\b.{0,120}?làm\s+việc\s+với",
    re.I,
)


_VISIT_DATE = re.compile(
    r"(?P<part>(?:(?:vào\s+)?(?:buổi\s+)?(?:sáng|chiều|tối|trưa))(?:\s+(?:nay|qua|hôm\s+nay|hôm\s+qua))?)?"
    r"(?:\s*(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|chủ\s+nhật))?\s*,?\s*(?P<paren>\()?\s*"
    r"(?P<ngay>(?:vào\s+)?(?:trong\s+(?:hai|ba|\d)\s+)?ngày\s*)?"
    r"(?<![\d/.])(?P<date>(?:(?P<first>\d{1,2})\s*(?:và|đến|,|-|–)\s*(?:ngày\s+)?(?=\d{1,2}\s*[/.\-–]\s*\d{1,2}))?"
    r"(?:(?P<d>\d{1,2})\s*[/.\-–]\s*(?P<m>\d{1,2})(?:\s*[/.\-–]\s*(?P<y>(?:19|20)\d{2}))?"
    r"|(?P<dw>\d{1,2})\s+tháng\s+(?P<mw>\d{1,2})(?:\s*(?:năm|,)\s*(?P<yw>(?:19|20)\d{2}))?))"
    r"(?![\d/])",
    re.I,
)


# "trước ngày 30/6", "chậm nhất ngày 10/10": the date that follows is a deadline.
_DEADLINE_BEFORE = re.compile(
    r"(?:trước|chậm\s+nhất(?:\s+là)?|hạn(?:\s+chót)?|đến\s+hết|hết|đến|kể\s+từ|sau)\s*(?:ngày\s*)?$", re.I
)
_INSPECTING_BODY = re.compile(
    r"\b(?:đoàn|tổ)\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát|khảo\s+sát)(?:\s+(?:số\s+)?\d+)?"
    # "Đoàn kiểm tra cải cách hành chính của …": what the team checks may stand before its body.
    rf"(?:(?:\s+(?-i:{LOWER})[^\W\d]*){{1,8}}?(?=\s+(?:của|thuộc)\s))?"
    r"(?:\s+(?:của|thuộc))?\s+"
    rf"(?P<org>(?-i:{UPPER})[^,.;()]{{2,120}}?)(?=(?-i:\s+(?:do|đã|làm\s+việc|tiến\s+hành|kiểm\s+tra|giám\s+sát|về"
    r"|tại|với|có|vừa|đến|trong)\b)|\s*[,.;(])",
    re.I,
)


_BODY_IN_TITLE = re.compile(
    rf"(?P<org>{UPPER}[^,.;:]{{2,100}}?)\s+(?:đã\s+)?(?:tiến\s+hành\s+|tổ\s+chức\s+)?"
    r"(?:kiểm\s+tra|giám\s+sát|làm\s+việc\s+với|khảo\s+sát)\b"
)


# What may open a clause before "kiểm tra" without being the inspecting body ("Tiếp và làm việc với").
_NOT_A_BODY = re.compile(
    r".*(?:trưởng\s+đoàn|tổ\s+trưởng|dẫn\s+đầu)|(?:phó|chủ\s+tịch|bí\s+thư|trưởng|giám\s+đốc|đồng\s+chí|ông|bà)\b"
    r"|(?:tiếp|đón|cùng|sau|trước|qua|theo|tại|trong|đoàn|tổ)\b(?!\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát)\s+\S)"
    r"|(?:đoàn|tổ)\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát)\s*$",
    re.I,
)
_HOST_SUBJECT = re.compile(
    rf"(?:^|(?<=[,:])\s+|(?<=\s[-–])\s+)(?P<org>{UPPER}[^,.;:]{{2,100}}?)\s+(?:đã\s+)?(?:có\s+buổi\s+)?"
    r"(?:tiếp(?:\s+và\s+làm\s+việc\s+với|\s+đón)?|làm\s+việc\s+với|đón(?:\s+tiếp)?)\s+(?:các\s+)?"
    r"(?:[Đđ]oàn|[Tt]ổ)\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát|khảo\s+sát)\b"
)
# "giám sát hoạt động của Thường trực HĐND và các Ban HĐND 11 xã, thị trấn": the unit follows "của".
_UNIT_OF = re.compile(
    r"(?<![Đđ]oàn\s)(?<![Tt]ổ\s)(?<![Bb]an\s)(?P<verb>kiểm\s+tra|giám\s+sát|khảo\s+sát)\s+"
    rf"(?P<what>(?-i:{LOWER})[^,.;:()]{{1,80}}?)\s+của\s+"
    rf"(?P<org>(?-i:{UPPER})(?:[^,.;:()]|,\s*(?=(?:xã|phường|thị\s+trấn)\b))+)",
)
_DOCUMENT_WORDS = re.compile(
    r"\b(?:số|nghị\s+quyết|chỉ\s+thị|kết\s+luận|quy\s+định|quyết\s+định|nghị\s+định|thông\s+tư|luật|đề\s+án"
    r"|chương\s+trình|kế\s+hoạch|hướng\s+dẫn)\b|\d",
    re.I,
)
_INSPECTED_UNIT = re.compile(
    r"(?<!\w)(?P<conn>với|tại|đối\s+với)\s+"
    r"(?P<org>(?:(?:Ban\s+Thường\s+vụ|BTV|Thường\s+trực|Đảng\s+bộ|Đảng\s+ủy|Chi\s+bộ|UBND|HĐND)\s+)?"
    rf"(?:huyện|xã|tỉnh|thị\s+xã|thị\s+trấn|thành\s+phố|phường|quận|{UPPER})[^,.;()]{{1,100}})",
)


_SUBJECT = re.compile(
    r"(?:kiểm\s+tra|giám\s+sát|khảo\s+sát|làm\s+việc)(?:\s+chuyên\s+đề)?(?:\s+(?:với|tại|đối\s+với)\s+[^,.;]{2,160}?)?"
    r"(?:\s+(?:về|kết\s+quả|tình\s+hình|chuyên\s+đề))*\s+"
    r"(?:kết\s+quả\s+)?(?:\d+\s+năm\s+)?(?:(?:thực\s+hiện|triển\s+khai)\s+(?=công\s+tác))?"
    r"(?P<subject>(?:việc\s+|công\s+tác\s+|thực\s+hiện\s+|triển\s+khai\s+|lãnh\s+đạo,?\s+chỉ\s+đạo))",
    re.I,
)


_ANY_SUBJECT = re.compile(
    r"(?<![Đđ]oàn\s)(?<!ban\s)(?P<verb>kiểm\s+tra|giám\s+sát)(?:\s+(?:về|chuyên\s+đề))?\s+"
    r"(?!(?:đối\s+với|tại|với|của|do|đã|ngày|số|và|thì|là)\b)(?P<subject>[^\W\d]\w*)"
)


_SUBJECT_STOP = re.compile(
    r"\s+(?=(?:\d+|sáu|chín|ba)\s+tháng|năm\s+(?:19|20)\d{2}|quý\s+[IV1-4]|giai\s+đoạn|nhiệm\s+kỳ|từ\s+đầu\s+năm)"
    r"|\s+(?:tại|ở|đối\s+với|với|trên\s+địa\s+bàn|cho|do|đã|từ|theo|nhằm|vào|trong|và\s+(?:làm|công\s+bố))\s"
    rf"|\s+của\s+(?-i:(?={UPPER}))|\s+ngày\s+\d|\s*[.;:(]"
    r"|,\s+(?=đồng\s+thời|qua\s+đó|nhằm|theo|trong\s+đó|sau|tại|ngày|do|đã|từ|huyện|tỉnh|xã|thành\s+phố|thị\s+xã)",
    re.I,
)


_PERIOD = re.compile(
    r"(?:(?P<n>\d{1,2}|sáu|chín|ba)\s+tháng\s+(?:(?P<half>đầu|cuối)\s+)?năm(?:\s+(?P<y>(?:19|20)\d{2}))?"
    r"|quý\s+(?P<q>IV|I{1,3}|[1-4])(?:\s*(?:năm|/)\s*(?P<qy>(?:19|20)\d{2}))?"
    r"|(?:giai\s+đoạn|nhiệm\s+kỳ)\s+(?P<a>(?:19|20)\d{2})\s*[-–]\s*(?P<b>(?:19|20)\d{2})"
    r"|(?<![\d/])năm\s+(?P<year>(?:19|20)\d{2}))",
    re.I,
)


# "tháng 6 năm 2023", "14/6 năm 2023": the year of a date, not a period.
_DATE_BEFORE_YEAR = re.compile(r"(?:tháng\s*\d{1,2}|\d{1,2}\s*/\s*\d{1,2})\s*,?\s*$", re.I)


def _inside_citation(text: str, position: int) -> bool:
    before = text[max(0, position - 40) : position]
    return bool(
        re.search(
            r"\d+\s*[-/]\s*[A-ZĐa-zđ]{1,6}\s*[/-]\s*[A-ZĐa-zđ]{1,12}[^.;]{0,12}$|\bsố\s+\S+\s*$", before
        )
    )


def _at_clause_start(text: str, position: int) -> bool:
    before = text[max(0, position - 3) : position]
    return position == 0 or bool(re.search(r"(?:^|[.,;:\n])\s*$", before))


def _unit_score(text: str, unit: re.Match[str], sentence: int, delegation: int) -> int:
    """How surely "với/tại/đối với <unit>" names the inspected unit: 3 sure, 0 only the meeting place."""
    connector = " ".join(unit["conn"].lower().split())
    before = text[max(sentence, delegation) : unit.start()]
    verb = re.search(r"(?:làm\s+việc|kiểm\s+tra|giám\s+sát|khảo\s+sát|công\s+bố|thông\s+qua)\b", before, re.I)
    if connector == "đối với":
        return 3
    if connector == "với":
        return 3 if re.search(r"làm\s+việc\s*$", before, re.I) else 2 if verb else 1
    # "tại": the unit when it follows what the delegation did, the place of the meeting before that.
    return 2 if verb and unit.start() > delegation else 0


def _due_date(text: str, year: int | None, visited: date | None) -> date | None:
    match = re.search(
        r"(?:trước|chậm\s+nhất(?:\s+là)?|hạn\s+chót|hoàn\s+thành\s+trước)\s+ngày\s+(\d{1,2})\s*[/.-]\s*(\d{1,2})"
        r"(?:\s*[/.-]\s*((?:19|20)\d{2}))?",
        text,
        re.I,
    )
    if not match:
        return None
    day = _safe_date(int(match[3]) if match[3] else (year or 0) or 1, int(match[2]), int(match[1]))
    if day and not match[3] and visited and day < visited:
        day = _safe_date(day.year + 1, day.month, day.day)
    if day and visited and day < visited:
        return None
    return day if (match[3] or year) else None


def _period_dates(match: re.Match[str], year: int | None) -> tuple[date | None, date | None]:
    words = {"sáu": 6, "chín": 9, "ba": 3}
    if match["n"]:
        if year is None:
            return None, None
        months = int(match["n"]) if match["n"].isdigit() else words[match["n"].lower()]
        months = min(max(months, 1), 12)
        if (match["half"] or "đầu").lower() == "đầu":
            return date(year, 1, 1), _month_end(year, months)
        return date(year, 13 - months, 1), date(year, 12, 31)
    if match["q"]:
        year = int(match["qy"]) if match["qy"] else year
        if year is None:
            return None, None
        quarter = {"I": 1, "II": 2, "III": 3, "IV": 4}.get(match["q"].upper()) or int(match["q"])
        return date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    if match["a"]:
        return date(int(match["a"]), 1, 1), date(int(match["b"]), 12, 31)
    if match["year"]:
        return date(int(match["year"]), 1, 1), date(int(match["year"]), 12, 31)
    return None, None


def _month_end(year: int, month: int) -> date:
    return (
        (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
        if month < 12
        else date(year, 12, 31)
    )


def _org_extent(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim an organisation name: stop at a verb, a date, a subject word or a person, and at 14 words."""
    piece = text[start:end]
    for stop in _ORG_STOP.finditer(piece):
        if stop["number"] and (
            _NUMBERED_UNIT.search(piece, 0, stop.start()) or _COUNTED_UNITS.match(piece, stop.start("number"))
        ):
            continue  # "Quân khu 5", "phường 3": the number is part of the name
        piece = piece[: stop.start()]
        break
    person = _PERSON_IN_ORG.search(piece)
    if person and search_key(person["name"]) not in _NOT_NAMES_KEYS and not _place_at_end(person["name"]):
        piece = piece[: person.start()]
    words = piece.split()
    piece = " ".join(words[:14]) if len(words) > 14 else piece
    piece = re.sub(r"\s+(?:và|cùng|với|của)$", "", piece.rstrip(" ,;:-–")).rstrip(" ,;:-–")
    return start, start + len(piece)


_ORG_STOP = re.compile(
    r"\s+(?:do|đã|đang|sẽ|vừa|về|làm\s+việc|kiểm\s+tra|giám\s+sát|tiến\s+hành|có|để|nhằm|theo|trong|ngày|sáng"
    r"|chiều|từ|cùng|gồm|thông\s+qua|công\s+bố|tổ\s+chức|nhiệm\s+kỳ|giai\s+đoạn)\b|\s+năm\s+\d|\s+(?P<number>\d)|\s+-\s"
    r"|\s+và\s+(?:các|những)\s+(?:đồng\s+chí|thành\s+viên|cán\s+bộ|lãnh\s+đạo|đại\s+biểu)\b"
)
_COUNTED_UNITS = re.compile(r"\d+\s+(?:xã|phường|thị\s+trấn|huyện|quận|đơn\s+vị)\b")
_NUMBERED_UNIT = re.compile(
    r"(?:quân\s+khu|quân\s+đoàn|sư\s+đoàn|lữ\s+đoàn|trung\s+đoàn|binh\s+đoàn|vùng|khu\s+vực|phường|quận|tổ"
    r"|cụm|khối|đội)\s*$",
    re.I,
)
# A person's name of three or more words closing what looked like a body ("… của Ban Bí thư Nguyễn Văn A").
_PERSON_IN_ORG = re.compile(
    r"\s(?P<name>(?:"
    + "|".join(sorted(_SURNAMES, key=len, reverse=True))
    + rf")(?:\s+{UPPER}{LOWER}*){{2,3}})\s*$"
)


def _place_at_end(name: str) -> bool:
    words = search_key(name).split()
    return any(" ".join(words[k:]) in _NOT_NAMES_KEYS for k in range(1, len(words) - 1))


def _subject_end(text: str, start: int, limit: int) -> int:
    match = _SUBJECT_STOP.search(text, start, limit)
    return match.start() if match else limit


class _LeadReader(_State):
    """Reads the lead: visit date and time of day, bodies, subject and period."""

    def _read_lead(self) -> None:
        assert self.lead is not None
        lead = self.paras[self.lead]
        self.draft.summary = self.found(lead.text, lead.start, lead.end)
        first_sentence_end = _sentence_end(self.work, lead.start, lead.end)
        self._read_visit_date()
        self._read_bodies(lead.start, first_sentence_end)
        self._read_subject_and_period(lead.start, first_sentence_end)

    def _read_visit_date(self) -> None:
        assert self.lead is not None
        places = [self.paras[i] for i in self.body()[:3]]
        if self.draft.title and self.draft.title.span:
            places.append(next(p for p in self.paras if p.kind == "title"))
        for para in places:
            for match in _VISIT_DATE.finditer(self.work, para.start, para.end):
                if _inside_citation(self.work, match.start()) or _DEADLINE_BEFORE.search(
                    self.work, max(0, match.start() - 30), match.start() + len(match["part"] or "")
                ):
                    continue  # a cited document's date, or a deadline: never the visit date
                if not (
                    match["part"]
                    or match["ngay"]
                    or match["paren"]
                    or _at_clause_start(self.work, match.start())
                ):
                    continue
                self._set_visit_date(match)
                return
        self.warn("Không thấy ngày kiểm tra trong bài; hãy nhập ngày.")

    def _set_visit_date(self, match: re.Match[str]) -> None:
        day = int(match["d"] or match["dw"])
        month = int(match["m"] or match["mw"])
        written_year = match["y"] or match["yw"]
        year = int(written_year) if written_year else None
        published = self.draft.published_on.value if self.draft.published_on else None
        if year is None:
            if published:
                year = published.year
                candidate = _safe_date(year, month, day)
                if candidate and candidate > published + timedelta(days=7):
                    year -= 1
                self.warn(
                    "Bài chỉ ghi ngày «%(day)s»; năm %(year)s lấy theo ngày đăng bài %(published)s.",
                    day=match.group("date").strip(),
                    year=year,
                    published=published.strftime("%d/%m/%Y"),
                )
            else:
                years = [int(y) for y in re.findall(r"năm\s+((?:19|20)\d{2})", self.work, re.I)]
                if not years:
                    self.warn("Bài không ghi năm của ngày kiểm tra và không có ngày đăng bài; hãy nhập ngày.")
                    return
                year = years[0]
                self.warn("Bài không ghi năm của ngày kiểm tra; năm %(year)s lấy từ nội dung bài.", year=year)
        visited = _safe_date(year, month, day)
        if visited is None:
            self.warn("Ngày kiểm tra «%(day)s» không có trên lịch.", day=match.group("date").strip())
            return
        sure = 0.95 if written_year else 0.8 if published else 0.6
        how = (
            "ngày trong câu mở đầu"
            if self.paras[cast(int, self.lead)].start <= match.start()
            else "ngày trong bài"
        )
        self.draft.visited_on = self.found(visited, match.start("date"), match.end("date"), how, sure)
        if match["first"]:
            self.warn("Đợt kiểm tra kéo dài nhiều ngày; lấy ngày đầu tiên.")
            first = _safe_date(year, month, int(match["first"]))
            if first and first < visited:
                self.draft.visited_on = self.found(first, match.start("date"), match.end("date"), how, 0.7)
        part = next((w for w in (match["part"] or "").lower().split() if w in _DAY_PARTS), None)
        if part:
            self.draft.day_part = self.found(_DAY_PARTS[part], match.start("part"), match.end("part"))

    def _read_bodies(self, start: int, end: int) -> None:
        work = self.work
        title = next((p for p in self.paras if p.kind == "title"), None) if self.draft.title else None
        match = _INSPECTING_BODY.search(work, start, end)
        how, sure = "«Đoàn kiểm tra … của <cơ quan>» trong câu mở đầu", 0.9
        if match is None and title is not None:
            match = _INSPECTING_BODY.search(work, title.start, title.end)
            how, sure = "«Đoàn kiểm tra … của <cơ quan>» trong tiêu đề", 0.85
        if match is None:
            how, sure = "«<cơ quan> kiểm tra …» (chủ ngữ của câu)", 0.6
            for clause in re.finditer(r"(?:^|[,:]\s+|\s[-–]\s+)", work[start:end]):
                match = _BODY_IN_TITLE.match(work, start + clause.end(), end)
                if match and not _VISIT_DATE.match(match["org"]) and not _NOT_A_BODY.match(match["org"]):
                    break
                match = None
        if match is None and self.draft.title and self.draft.title.span:
            title = next(p for p in self.paras if p.kind == "title")
            match = _BODY_IN_TITLE.match(work, title.start, title.end)
            if match and _NOT_A_BODY.match(match["org"]):
                match = None
        if match:
            org_start, org_end = _org_extent(work, match.start("org"), match.end("org"))
            self.draft.inspecting_body = self.found(work[org_start:org_end], org_start, org_end, how, sure)
            if sure < 0.7:
                self.warn(
                    "Cơ quan kiểm tra «%(body)s» đoán từ chủ ngữ của câu; hãy kiểm tra lại.",
                    body=work[org_start:org_end],
                )
        places = [(start, end)]
        if self.draft.title and self.draft.title.span:
            title = next(p for p in self.paras if p.kind == "title")
            places.append((title.start, title.end))
        body_key = search_key(self.draft.inspecting_body.value) if self.draft.inspecting_body else None
        for place_start, place_end in places:
            host = _HOST_SUBJECT.search(work, place_start, place_end)
            if host:  # "<Đơn vị> (tiếp và) làm việc với Đoàn …": the host opens the sentence
                org_start, org_end = _org_extent(work, host.start("org"), host.end("org"))
                how = "«<đơn vị> làm việc với Đoàn …» (đơn vị đứng đầu câu)"
                self.draft.inspected_unit = self.found(work[org_start:org_end], org_start, org_end, how, 0.85)
                return
        for place_start, place_end in places:
            delegation = _DELEGATION.search(work, place_start, place_end)
            candidates = []
            position = place_start
            while unit := _INSPECTED_UNIT.search(work, position, place_end):
                org_start, org_end = _org_extent(work, unit.start("org"), min(unit.end("org"), place_end))
                position = max(org_end, unit.start("org") + 1)  # "với A và làm việc với B": B is one too
                text = work[org_start:org_end]
                if len(text.split()) < 2 or search_key(text) == body_key:
                    continue
                score = _unit_score(
                    work, unit, place_start, delegation.start() if delegation else place_start
                )
                candidates.append((score, -org_start, org_start, org_end))
            if not candidates:
                continue
            score, _, org_start, org_end = max(candidates)
            if score == 0 and self.draft.place is None:
                self.draft.place = self.found(work[org_start:org_end], org_start, org_end)
                continue  # where the meeting was held, not who was inspected
            sure = {3: 0.9, 2: 0.75}.get(score, 0.5)
            others = tuple(
                dict.fromkeys(
                    work[c[2] : c[3]] for c in sorted(candidates, reverse=True) if c[2] != org_start and c[0]
                )
            )
            self.draft.inspected_unit = self.found(
                work[org_start:org_end], org_start, org_end, "«… với/tại <đơn vị>»", sure, others
            )
            if sure < 0.7 or others:
                self.warn(
                    "Đơn vị được kiểm tra «%(unit)s» được chọn trong số: %(others)s; hãy kiểm tra lại.",
                    unit=work[org_start:org_end],
                    others="; ".join(others) or "—",
                )
            places_only = [c for c in candidates if c[0] == 0 and c[2] < org_start]
            if places_only and self.draft.place is None:
                _, _, place_s, place_e = places_only[0]
                self.draft.place = self.found(work[place_s:place_e], place_s, place_e)
            return
        for place_start, place_end in places:
            unit = _UNIT_OF.search(work, place_start, place_end)
            if unit and not _DOCUMENT_WORDS.search(unit["what"]):
                org_start, org_end = _org_extent(work, unit.start("org"), unit.end("org"))
                if len(work[org_start:org_end].split()) >= 2:
                    how = "«kiểm tra … của <đơn vị>»"
                    self.draft.inspected_unit = self.found(
                        work[org_start:org_end], org_start, org_end, how, 0.5
                    )
                    self.warn(
                        "Đơn vị được kiểm tra «%(unit)s» đọc từ «%(what)s của …»; hãy kiểm tra lại.",
                        unit=work[org_start:org_end],
                        what=work[unit.start("verb") : unit.end("what")],
                    )
                    return
        self.warn("Không thấy đơn vị được kiểm tra trong bài; hãy chọn đơn vị.")

    def _read_subject_and_period(self, start: int, end: int) -> None:
        places = [(start, end)]
        if self.draft.title and self.draft.title.span:
            title = next(p for p in self.paras if p.kind == "title")
            places.append((title.start, title.end))
        for place_start, place_end in places:
            match = _SUBJECT.search(self.work, place_start, place_end)
            if match:
                s, e = match.start("subject"), _subject_end(self.work, match.start("subject"), place_end)
                text = self.work[s:e].strip(" ,;")
                if 1 < len(text.split()) <= 20:
                    self.draft.subject = self.found(
                        text, s, s + len(text), "«kiểm tra công tác/việc …»", 0.85
                    )
                    break
        for place_start, place_end in places if self.draft.subject is None else []:
            # Any other object of "kiểm tra": "kiểm tra khi có dấu hiệu vi phạm", "kiểm tra tổ chức đảng …".
            for match in _ANY_SUBJECT.finditer(self.work, place_start, place_end):
                s, e = match.start("subject"), _subject_end(self.work, match.start("subject"), place_end)
                text = self.work[s:e].strip(" ,;")
                if not 1 < len(text.split()) <= 14:
                    continue
                if text.startswith("khi "):
                    s = match.start("verb")
                    text = self.work[s:e].strip(" ,;")
                self.draft.subject = self.found(text, s, s + len(text), "«kiểm tra <nội dung>»", 0.6)
                self.warn("Nội dung kiểm tra «%(subject)s» chưa chắc chắn; hãy kiểm tra lại.", subject=text)
                break
            if self.draft.subject is not None:
                break
        if self.draft.subject is None:
            self.warn("Không thấy nội dung kiểm tra (công tác…); hãy nhập.")
        for place_start, place_end in places + [
            (self.paras[i].start, self.paras[i].end) for i in self.body()[:3]
        ]:
            after = (
                self.draft.subject.span[0] if self.draft.subject and self.draft.subject.span else place_start
            )
            candidates = [
                m
                for m in _PERIOD.finditer(self.work, place_start, place_end)
                if not _DATE_BEFORE_YEAR.search(self.work, max(0, m.start() - 14), m.start())
            ]
            candidates.sort(key=lambda m: (m.start() < after - place_start + place_start, m.start()))
            if candidates:
                self._set_period(candidates[0])
                return

    def _set_period(self, match: re.Match[str]) -> None:
        label = " ".join(match.group(0).split())
        year = int(match["y"]) if match["y"] else None
        if year is None and self.draft.visited_on:
            year = self.draft.visited_on.value.year
        start_on, end_on = _period_dates(match, year)
        self.draft.period = DraftPeriod(label, start_on, end_on, self.doc.span(match.start(), match.end()))


def period_end_on(label: str | None, year: int | None) -> date | None:
    """The last day of a period as the article writes it ("6 tháng cuối năm 2023", "quý III/2023")."""
    match = _PERIOD.search(label or "")
    if match is None:
        return None
    return _period_dates(match, int(match["y"]) if match["y"] else year)[1]
