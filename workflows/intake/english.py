# mypy: allow-redefinition-new
"""English editions: Vietnamese outlets' English reports of inspection visits, read into the same draft.

The words differ ("Inspection Team No. 1909 of the Politburo, led by …, worked with …", "First, …",
"(1) …") but the draft, its spans and its warnings are the ones the Vietnamese reader gives, so the
review page shows them in the user's language like any other article.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from models.enums import DayPart, DelegationRole, FindingKind
from workflows.citations import find_citations
from workflows.errors import ValidationFailed
from workflows.intake.citing import _code_span, _trim_issuer
from workflows.intake.draft import DraftCitation, DraftDirective, DraftFinding, DraftPeriod, DraftPerson
from workflows.intake.normalise import _is_dateline, _State
from workflows.intake.text import _safe_date, _sentences

_FUNCTION_WORDS = re.compile(r"\b(?:the|of|and|with|was|were|on|in|to|by|for)\b", re.I)
_MARKED = re.compile(r"[^\W\d_a-zA-Z]")


def is_english(text: str) -> bool:
    """Whether the text reads as English: few marked letters and many English function words."""
    sample = text[:20000]
    words = re.findall(r"[^\W\d_]+", sample)
    if len(words) < 20:
        return False
    marked = len(_MARKED.findall(sample))
    return marked < len(sample) * 0.01 and len(_FUNCTION_WORDS.findall(sample)) >= len(words) * 0.12


_MONTHS = {
    m: n
    for n, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}
_MONTH = "|".join(_MONTHS) + r"|(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?"
_DATE = re.compile(
    rf"(?:(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?"
    rf"(?P<month2>{_MONTH}))(?:,?\s+(?P<year>(?:19|20)\d{{2}}))?(?![\d/])",
    re.I,
)
_PART = re.compile(r"(?P<part>morning|afternoon|evening)\s+of\s+(?:\w+day,?\s+)?$", re.I)
_DEADLINE = re.compile(r"(?:before|by|until|no\s+later\s+than|deadline\s+(?:of|is))\s+$", re.I)
_NUMERIC_DATE = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*((?:19|20)\d{2})(?![\d/])")
_TEAM = re.compile(
    r"\b(?:inspection|supervision|working|examination|monitoring)\s+(?:team|delegation|group|mission|taskforce)\b",
    re.I,
)
_BODY = re.compile(
    r"\b(?:inspection|supervision|working|examination|monitoring)\s+(?:team|delegation|group|mission)"
    r"(?:\s+No\.?\s*\d+)?\s+of\s+(?:the\s+)?(?P<org>[A-Z][^,;.()]*?)"
    r"(?=\s*,|\s+(?:led|headed|chaired|worked|inspected|visited|has|had|held|on|at|in|paid)\b)",
    re.I,
)
_LED_BY = re.compile(r"\b(?:led|headed|chaired)\s+by\s+", re.I)
_HONORIFIC = re.compile(r"(?:(?:Mr|Ms|Mrs|Madam|Dr|Prof|Assoc)\.?\s+)+")
_RANK = re.compile(r"(?:(?:Senior\s+|Major\s+|Lieutenant\s+)?(?:General|Colonel)|Admiral|Major)\s+")
_NAME = re.compile(r"(?P<name>[A-Z][a-zA-Z'’-]+(?:\s+[A-Z][a-zA-Z'’-]+){1,4})")
_ABBREVIATED = r"(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bDr)(?<!\bNo)(?<!\bProf)"
_PEOPLE_STOP = re.compile(
    r",?\s+(?:worked|inspected|visited|had|held|has|paid|chaired|examined|supervised|said|asked|requested|"
    r"announced|presented|on\s+(?:the\s+)?(?:morning|afternoon|evening|[A-Z]))\b|"
    + _ABBREVIATED
    + r"[.;](?:\s|$)"
)
_PARTY_TITLE = re.compile(
    r"(?:alternate\s+)?(?:Politburo\s+member|member\s+of\s+the\s+Politburo|(?:Party\s+)?Central\s+Committee\s+member"
    r"|member\s+of\s+the\s+(?:Party\s+)?Central\s+Committee|member\s+of\s+the\s+[\w\s']*Standing\s+(?:Board|Committee)"
    r"|National\s+Assembly\s+deputy|deputy\s+to\s+the\s+National\s+Assembly)",
    re.I,
)
_HEAD_ROLE = re.compile(r"(?:the\s+)?head\s+of\s+the\s+(?:\w+\s+)?(?:team|delegation|group)", re.I)
_UNIT = re.compile(
    r"\b(?:worked\s+with|inspected\s+[^,.;]{0,120}?\s+at|supervised\s+[^,.;]{0,120}?\s+at|inspection\s+at"
    r"|visited)\s+(?:the\s+)?(?P<org>[A-Z][^,;.()]*?)(?=\s+(?:on|about|regarding|over|in|to|for|from)\b|\s*[,.;(])",
)
_SUBJECT = re.compile(
    r"\b(?:on|about|regarding|inspected|supervised|examined)\s+(?P<subject>the\s+(?:leadership|implementation|"
    r"direction|performance|work|results|inspection|enforcement|management)\b[^,;.]*?)"
    r"(?=\s+(?:in\s+the\s+\d{4}|in\s+\d{4}|at\s+the|during|from|for\s+the\s+\d{4})\b|\s*[,.;]|$)",
    re.I,
)
_PERIOD = re.compile(
    r"(?:the\s+)?(?P<a>(?:19|20)\d{2})\s*[-–]\s*(?P<b>(?:19|20)\d{2})\s+(?:tenure|term|period)"
    r"|\b(?:in|of|for)\s+(?P<year>(?:19|20)\d{2})\b",
    re.I,
)
_HOST_LINE = re.compile(
    r"(?:receiving\s+the\s+(?:\w+\s+)?(?:team|delegation|group)\s+(?:was|were)|on\s+the\s+side\s+of\s+[^,]{2,60}?"
    r"\s+(?:was|were)|welcoming\s+the\s+(?:team|delegation)\s+(?:was|were))\s+",
    re.I,
)
_ORDINALS = {
    w: n
    for n, w in enumerate(
        ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"], 1
    )
}
_ORDINAL = re.compile(
    r"(?:(?<=[.:;])[ \t]+|^)"
    r"(?P<word>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)(?:ly)?,\s*",
    re.I | re.M,
)
_PAREN = re.compile(r"\(\s*(?P<n>\d{1,2})\s*\)\s*")
_REQUEST = re.compile(
    r"\b(?:asked|requested|urged|proposed|suggested|called\s+on|directed|instructed)\b", re.I
)
_LIMITATION = re.compile(
    r"\b(?:however|shortcoming|limitation|remain(?:s|ed)?\s+(?:high|low|slow|limited)|not\s+yet|still|slow|weak)\b",
    re.I,
)
_AUTHOR = re.compile(r"^(?:by|story\s+by|reported\s+by)\s+(?P<name>[A-Z][\w .'-]{1,60}?)\s*\.?$", re.I)


class _EnglishParser(_State):
    """One English article's parse into the draft the Vietnamese reader would give."""

    def run(self):
        self._find_lead()
        if self.lead is None:
            raise ValidationFailed(
                "Bài viết không nói về một đợt kiểm tra, giám sát: không thấy Đoàn kiểm tra, Trưởng đoàn hay "
                "đơn vị được kiểm tra."
            )
        self._find_header()
        lead = self.paras[self.lead]
        self.draft.summary = self.found(lead.text, lead.start, lead.end)
        self._read_date(lead.start, lead.end)
        self._read_bodies(lead.start, lead.end)
        self._read_people()
        requests_at = self._read_directives()
        self._read_findings(requests_at)
        self._read_citations()
        if self.draft.head is None:
            self.warn("Không thấy Trưởng đoàn trong bài; hãy nhập.")
        if self.draft.title is None:
            self.warn("Không thấy tiêu đề bài viết; hãy nhập tiêu đề.")
        self.warn_uncertain()
        return self.draft

    def _find_lead(self) -> None:
        for i, para in enumerate(self.paras):
            if len(para.text.split()) >= 12 and _TEAM.search(para.text) and re.search(r"[.!?]", para.text):
                self.lead = i
                return

    def _find_header(self) -> None:
        assert self.lead is not None
        for i in range(self.lead - 1, -1, -1):
            para = self.paras[i]
            if _is_dateline(para.text) or (_DATE.search(para.text) and len(para.text.split()) <= 8):
                para.kind = "dateline"
                day = self._date_of(para.text, None)
                if day and self.draft.published_on is None:
                    self.draft.published_on = self.found(day, para.start, para.end)
            elif (
                self.draft.title is None and 4 <= len(para.text.split()) <= 30 and not para.text.endswith(".")
            ):
                para.kind = "title"
                self.draft.title = self.found(para.text, para.start, para.end)
            else:
                para.kind = "boiler"
        for para in self.paras[self.lead + 1 :]:
            author = _AUTHOR.match(para.text)
            if author:
                start = para.start + author.start("name")
                self.draft.author = self.found(author["name"], start, start + len(author["name"]))
                para.kind = "author"

    def _date_of(self, text: str, year: int | None) -> date | None:
        numeric = _NUMERIC_DATE.search(text)
        if numeric:
            return _safe_date(int(numeric[3]), int(numeric[2]), int(numeric[1]))
        match = _DATE.search(text)
        if not match:
            return None
        return self._date(match, year)

    def _date(self, match: re.Match[str], year: int | None) -> date | None:
        month = _MONTHS.get((match["month"] or match["month2"]).lower().rstrip(".")[:3], 0)
        month = month or next(
            n for m, n in _MONTHS.items() if m.startswith((match["month"] or match["month2"])[:3].lower())
        )
        written = int(match["year"]) if match["year"] else year
        return _safe_date(written, month, int(match["day"] or match["day2"])) if written else None

    def _read_date(self, start: int, end: int) -> None:
        published = self.draft.published_on.value if self.draft.published_on else None
        for match in _DATE.finditer(self.work, start, end):
            if _DEADLINE.search(self.work, max(0, match.start() - 20), match.start()):
                continue
            visited = self._date(match, published.year if published else None)
            if visited is None:
                continue
            if not match["year"]:
                if published and visited > published + timedelta(days=7):
                    visited = _safe_date(visited.year - 1, visited.month, visited.day) or visited
                self.warn(
                    "Bài chỉ ghi ngày «%(day)s»; năm %(year)s lấy theo ngày đăng bài %(published)s.",
                    day=match.group(0),
                    year=visited.year,
                    published=published.strftime("%d/%m/%Y") if published else "",
                )
            sure = 0.95 if match["year"] else 0.8
            self.draft.visited_on = self.found(visited, match.start(), match.end(), "date in the lead", sure)
            part = _PART.search(self.work, max(start, match.start() - 40), match.start())
            if part:
                value = DayPart.MORNING if part["part"].lower() == "morning" else DayPart.AFTERNOON
                value = DayPart.EVENING if part["part"].lower() == "evening" else value
                self.draft.day_part = self.found(value, part.start("part"), part.end("part"))
            return
        self.warn("Không thấy ngày kiểm tra trong bài; hãy nhập ngày.")

    def _read_bodies(self, start: int, end: int) -> None:
        body = _BODY.search(self.work, start, end)
        if body:
            org, how = body["org"].strip(), "«Inspection Team … of <body>»"
            self.draft.inspecting_body = self.found(org, body.start("org"), body.end("org"), how, 0.9)
        unit = _UNIT.search(self.work, start, end)
        if unit and not _TEAM.search(unit["org"]):
            org, how = unit["org"].strip(), "«worked with / at <unit>»"
            self.draft.inspected_unit = self.found(org, unit.start("org"), unit.end("org"), how, 0.85)
        else:
            self.warn("Không thấy đơn vị được kiểm tra trong bài; hãy chọn đơn vị.")
        subject = _SUBJECT.search(self.work, start, end)
        if subject:
            text = re.sub(r"^the\s+", "", subject["subject"].strip())
            s = subject.end("subject") - len(text)
            self.draft.subject = self.found(text, s, subject.end("subject"))
        else:
            self.warn("Không thấy nội dung kiểm tra (công tác…); hãy nhập.")
        period = _PERIOD.search(self.work, subject.end() if subject else start, end) or _PERIOD.search(
            self.work, start, end
        )
        if period:
            label = " ".join(period.group(0).split())
            label = re.sub(r"^(?:in|of|for|the)\s+", "", label, flags=re.I)
            if period["a"]:
                start_on, end_on = date(int(period["a"]), 1, 1), date(int(period["b"]), 12, 31)
            else:
                start_on, end_on = date(int(period["year"]), 1, 1), date(int(period["year"]), 12, 31)
            self.draft.period = DraftPeriod(
                label, start_on, end_on, self.doc.span(period.start(), period.end())
            )

    def _person(self, start: int, end: int, role: DelegationRole) -> DraftPerson | None:
        """Read "[Mr.] <Name>, <titles and positions>" between start and end."""
        honorific = _HONORIFIC.match(self.work, start, end)
        start = honorific.end() if honorific else start
        rank = _RANK.match(self.work, start, end)
        start = rank.end() if rank else start
        name = _NAME.match(self.work, start, end)
        if name is None:
            return None
        rest = re.sub(r"(?:[\s;,]|\band\b)*$", "", self.work[name.end() : end])
        pieces = [p.strip(" ,") for p in re.split(r",|\s+and\s+(?=[A-Z])", rest) if p.strip(" ,")]
        titles = [p for p in pieces if _PARTY_TITLE.fullmatch(p)]
        if any(_HEAD_ROLE.fullmatch(p) for p in pieces):
            role = DelegationRole.HEAD
        positions = [p for p in pieces if p not in titles and not _HEAD_ROLE.fullmatch(p)]
        position = ", ".join(positions) or None
        mention_end = name.end() + len(rest.rstrip(" ,."))
        return DraftPerson(
            name=" ".join(name["name"].split()),
            position=" ".join(position.split()) if position else None,
            party_titles=" ".join(", ".join(titles).split()) or None,
            role=role,
            span=self.doc.span(start, mention_end),
            name_span=self.doc.span(name.start(), name.end()),
        )

    def _read_people(self) -> None:
        for i in self.body():
            para = self.paras[i]
            led = _LED_BY.search(self.work, para.start, para.end)
            if led and self.draft.head is None:
                stop = _PEOPLE_STOP.search(self.work, led.end(), para.end)
                head = self._person(led.end(), stop.start() if stop else para.end, DelegationRole.HEAD)
                self.draft.head = replace(head, how="«led by <person>»", confidence=0.9) if head else None
            host = _HOST_LINE.search(self.work, para.start, para.end)
            if host:
                end = re.search(_ABBREVIATED + r"\.(?:\s|$)", self.work[host.end() : para.end])
                stop = host.end() + end.start() if end else para.end
                bounds = [host.end()] + [
                    host.end() + m.end()
                    for m in re.finditer(r";\s*(?:and\s+)?|,\s+and\s+", self.work[host.end() : stop])
                ]
                for k, b in enumerate(bounds):
                    piece_end = bounds[k + 1] if k + 1 < len(bounds) else stop
                    role = (
                        DelegationRole.HOST_CHAIR if not self.draft.hosts else DelegationRole.HOST_PARTICIPANT
                    )
                    person = self._person(b, piece_end, role)
                    if person:
                        self.draft.hosts.append(person)

    def _read_directives(self) -> int | None:
        """The numbered requests ("First, …", "(1) …") after a sentence that asks; where they start."""
        for i in self.body():
            para = self.paras[i]
            ask = _REQUEST.search(self.work, para.start, para.end)
            if not ask:
                continue
            markers = [
                (m.start("word"), m.end(), _ORDINALS[m["word"].lower()], m.group(0).strip(" ,"))
                for m in _ORDINAL.finditer(self.work, ask.end(), para.end)
            ] or [
                (m.start(), m.end(), int(m["n"]), m.group(0).strip())
                for m in _PAREN.finditer(self.work, ask.end(), para.end)
            ]
            if len(markers) < 2:
                continue
            year = self.draft.visited_on.value.year if self.draft.visited_on else None
            for k, (start, text_start, number, marker) in enumerate(markers):
                end = markers[k + 1][0] if k + 1 < len(markers) else para.end
                text = " ".join(self.work[text_start:end].split()).strip(" ;,")
                text = re.sub(r"[;,]?\s*and$", "", text).strip(" ;,")
                due = _DEADLINE_DATE.search(text)
                citations = tuple(self._citations_in(text_start, end))
                self.draft.directives.append(
                    DraftDirective(
                        number=number,
                        marker=marker,
                        text=text[:1].upper() + text[1:],
                        span=self.doc.span(start, end),
                        citations=citations,
                        due_on=self._date(due, year) if due else None,
                    )
                )
            return i
        self.warn("Bài không có yêu cầu được đánh số (Một là…, Thứ nhất…, 1., a)…); chưa tạo yêu cầu nào.")
        return None

    def _read_findings(self, requests_at: int | None) -> None:
        assert self.lead is not None
        for i in self.body():
            if (
                i == self.lead
                or (requests_at is not None and i >= requests_at)
                or self.paras[i].kind != "body"
            ):
                continue
            if _HOST_LINE.search(self.paras[i].text) or _LED_BY.search(self.paras[i].text):
                continue
            para = self.paras[i]
            for s, e in _sentences(self.work, para.start, para.end):
                text = " ".join(self.work[s:e].split())
                kind = FindingKind.LIMITATION if _LIMITATION.search(text) else FindingKind.ACHIEVEMENT
                text = re.sub(r"^(?:however|according\s+to\s+the\s+report),\s*", "", text, flags=re.I)
                if len(text.split()) >= 4:
                    self.draft.findings.append(
                        DraftFinding(kind, text[:1].upper() + text[1:], self.doc.span(s, e))
                    )

    def _citations_in(self, start: int, end: int) -> list[DraftCitation]:
        text = self.work[start:end]
        result = []
        for citation in find_citations(text):
            citation = _trim_issuer(citation)
            span = _code_span(text, citation)
            if span is not None:
                result.append(DraftCitation(citation, self.doc.span(start + span[0], start + span[1])))
        return result

    def _read_citations(self) -> None:
        seen: dict[str, DraftCitation] = {}
        for i in self.body():
            for citation in self._citations_in(self.paras[i].start, self.paras[i].end):
                seen.setdefault(citation.code, citation)
        self.draft.citations = list(seen.values())


_DEADLINE_DATE = re.compile(
    rf"(?:before|by|no\s+later\s+than)\s+(?:(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})|(?P<day2>\d{{1,2}})\s+"
    rf"(?P<month2>{_MONTH}))(?:,?\s+(?P<year>(?:19|20)\d{{2}}))?",
    re.I,
)
