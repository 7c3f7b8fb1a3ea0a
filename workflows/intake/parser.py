"""The parser's driver: page structure (title, date line, lead, author) and the order of the steps."""

from __future__ import annotations

import re

from workflows.errors import ValidationFailed
from workflows.intake.citing import _CitationReader
from workflows.intake.directives import _ListReader
from workflows.intake.draft import DraftVisit, Found
from workflows.intake.findings import _FindingsReader
from workflows.intake.markers import _first_marker
from workflows.intake.names import _TITLED_NAME, _leading_name, _name_after_title
from workflows.intake.normalise import (
    _BOILERPLATE,
    _END_MARKER,
    _ISO_DATE,
    _date_in,
    _is_dateline,
    _refuse_foreign,
)
from workflows.intake.people import _PeopleReader
from workflows.intake.places import _DELEGATION, _INSPECTION, _VISIT_DATE, _LeadReader
from workflows.intake.text import _HONORIFIC, LOWER, UPPER, _safe_date


class _Parser(_LeadReader, _PeopleReader, _ListReader, _FindingsReader, _CitationReader):
    """One article's parse; ``run`` returns the draft."""

    def run(self) -> DraftVisit:
        _refuse_foreign(self.work)
        self._classify_paragraphs()
        self._find_lead_and_end()
        self._find_title()
        self._find_dateline()
        self._find_author()
        if self.lead is None or not _INSPECTION.search(self.work):
            raise ValidationFailed(_NOT_AN_INSPECTION)
        self._read_lead()
        self._find_people()
        if not (self.draft.head or self.draft.inspecting_body or _DELEGATION.search(self.work)):
            raise ValidationFailed(_NOT_AN_INSPECTION)
        lists = self._find_lists()
        chosen = self._choose_list(lists)
        self._read_directives(chosen, lists)
        self._read_findings(chosen, lists)
        self._read_citations()
        self._final_warnings()
        self.warn_uncertain()
        return self.draft

    def _classify_paragraphs(self) -> None:
        for para in self.paras:
            text = para.text
            if _is_dateline(text):
                para.kind = "dateline"
            elif _END_MARKER.match(text) and len(text.split()) <= 8:
                para.kind = "end"
            elif _BOILERPLATE.search(text) and (len(text.split()) <= 25 or _BOILERPLATE.match(text)):
                para.kind = "boiler"
            elif self._is_caption(text):
                para.kind = "caption"

    def _is_caption(self, text: str) -> bool:
        words = text.split()
        if len(words) > 35 or text.endswith(":") or _first_marker(text) is not None:
            return False
        if re.search(
            r"\b(?:do|dẫn\s+đầu)\b.*trưởng\s+đoàn|(?<![\d/])\d{1,2}\s*[/-]\s*\d{1,2}(?![\d/])", text, re.I
        ):
            return False
        if re.search(r"\((?:ảnh|nguồn)\s*:[^)]*\)\s*\.?$|\bảnh\s*:\s*\S+(?:\s+\S+){0,4}\s*\.?$", text, re.I):
            return True
        if re.search(rf"[.!?]\s+{UPPER}", text) or re.search(r"đề\s+nghị|yêu\s+cầu|như\s+sau", text, re.I):
            return False
        if (
            _CAPTION_START.match(text)
            and len(words) <= 20
            and not re.search(r"\bdo\b.+trưởng\s+đoàn", text, re.I)
        ):
            return not re.search(r"\d{1,2}\s*[/-]\s*\d{1,2}", text)
        honorific = re.match(rf"{_HONORIFIC}\s+(?P<rest>.+)", text, re.I)
        if honorific:
            rest = honorific["rest"]
            name = _leading_name(rest) or (_name_after_title(rest) if _TITLED_NAME.match(rest) else None)
        else:
            titled = _TITLED_NAME.match(text)
            name = _name_after_title(text) if titled else None
        return bool(name and _CAPTION_VERB.search(text))

    def _find_lead_and_end(self) -> None:
        for i, para in enumerate(self.paras):
            if para.kind != "body" or len(para.text.split()) < 12:
                continue
            if not re.search(r"[.!?…:\"')]$|[.!?]\s", para.text) and len(para.text.split()) < 40:
                continue  # a headline, not the lead
            if _DELEGATION.search(para.text) or (
                _VISIT_DATE.search(para.text) and _INSPECTION.search(para.text)
            ):
                self.lead = i
                break
        if self.lead is None:
            return
        for i in range(self.lead + 1, len(self.paras)):
            para = self.paras[i]
            if para.kind == "end" or _AUTHOR_LINE.match(para.text):
                self.body_end = i
                return

    def _find_title(self) -> None:
        h1 = self.hints.get("h1") or self.hints.get("og:title")
        if h1:
            position = self.work.find(" ".join(h1.split()))
            if position >= 0:
                end = position + len(" ".join(h1.split()))
                self.draft.title = self.found(_clean_title(h1), position, end)
                for para in self.paras:
                    if para.start <= position < para.end:
                        para.kind = "title"
                return
        candidates = []
        for i in range(self.lead if self.lead is not None else min(len(self.paras), 12)):
            para = self.paras[i]
            words = para.text.split()
            if para.kind not in ("body", "caption") or not 4 <= len(words) <= 45:
                continue
            if para.text.endswith((".", ":", ";")):
                continue
            candidates.append((len(words), i))
        if candidates:
            _, index = max(candidates)
            para = self.paras[index]
            para.kind = "title"
            for other in self.paras[:index]:
                if other.kind == "body":
                    other.kind = "boiler"  # menus above the headline
            self.draft.title = self.found(_clean_title(para.text), para.start, para.end)
            self.body_start = index + 1
        elif self.hints.get("title"):
            self.draft.title = Found(_clean_title(self.hints["title"]), None)

    def _find_dateline(self) -> None:
        limit = self.lead if self.lead is not None else len(self.paras)
        order = list(range(limit)) + list(range(self.body_end, len(self.paras)))
        for i in order:
            para = self.paras[i]
            if para.kind != "dateline":
                continue
            day = _date_in(para.text)
            if day:
                self.draft.published_on = self.found(day, para.start, para.end)
                return
        match = _ISO_DATE.search(self.hints.get("published", ""))
        day = _safe_date(*map(int, match.groups())) if match else None
        if day:
            self.draft.published_on = Found(day, None)

    def _find_author(self) -> None:
        explicit = [i for i, p in enumerate(self.paras) if _AUTHOR_LINE.match(p.text) and p.kind != "end"]
        if explicit:
            para = self.paras[explicit[0]]
            match = _AUTHOR_LINE.match(para.text)
            assert match is not None
            start = para.start + match.start("name")
            self.draft.author = self.found(
                match["name"].strip(" ."), start, start + len(match["name"].strip(" ."))
            )
            para.kind = "author"
            return
        if self.lead is None:
            return
        for i in range(self.body_end - 1, self.lead, -1):
            para = self.paras[i]
            if para.kind in ("boiler", "dateline"):
                continue
            if para.kind == "body" and _looks_like_byline(para.text):
                name = para.text.rstrip(" .")
                self.draft.author = self.found(name, para.start, para.start + len(name))
                para.kind = "author"
                self.body_end = i
            return

    def _final_warnings(self) -> None:
        skipped = sum(1 for p in self.paras if p.kind in ("boiler", "end")) + sum(
            1 for p in self.paras[self.body_end :] if p.kind == "body"
        )
        if self.draft.title is None:
            self.warn("Không thấy tiêu đề bài viết; hãy nhập tiêu đề.")
        if skipped:
            self.warn(
                "Đã bỏ qua %(count)d dòng ngoài nội dung bài (menu, lượt xem, bình luận, liên kết).",
                count=skipped,
            )
        body = [self.paras[i] for i in self.body()]
        if body and len(body[-1].text.split()) >= 8 and not _FINISHED.search(body[-1].text):
            self.warn(
                "Bài viết có vẻ bị cắt ở cuối («…%(end)s»); hãy dán đủ bài để không sót yêu cầu.",
                end=" ".join(body[-1].text.split()[-6:]),
            )
        first = next((p for p in self.paras if p.kind in ("body", "title")), None)
        if first is not None and _UNFINISHED_START.match(first.text):
            start = " ".join(first.text.split()[:6])
            self.warn("Bài viết có vẻ bắt đầu giữa chừng («%(start)s…»).", start=start)


# How a paragraph that was not cut short ends, and how text pasted from the middle of an article starts.
_FINISHED = re.compile(r"""[.!?…:;"'”»)\]]\s*$""")
_UNFINISHED_START = re.compile(rf"(?:…|\.\.\.|[,;]|{LOWER})")
_CAPTION_START = re.compile(
    r"^(?:toàn\s+cảnh|quang\s+cảnh|các\s+đại\s+biểu|đại\s+biểu|đoàn\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát)"
    r"|lãnh\s+đạo|buổi\s+làm\s+việc|hình\s+ảnh|ảnh|cảnh|một\s+góc|không\s+khí)\b",
    re.I,
)


_CAPTION_VERB = re.compile(
    r"phát\s+biểu|trao\s+đổi|chủ\s+trì|báo\s+cáo|kết\s+luận|chỉ\s+đạo|tặng|\btrao\b|thăm|làm\s+việc|tham\s+quan"
    r"|kiểm\s+tra|\bdự\b|chúc\s+mừng|\btiếp\b|giải\s+trình|thông\s+qua",
    re.I,
)


_AUTHOR_LINE = re.compile(
    r"^(?:tác\s+giả(?:\s+bài\s+viết)?|người\s+viết|bài(?:\s+và|\s*,)?\s+ảnh|tin(?:\s+và|\s*,)?\s+ảnh|tin\s+bài"
    r"|phóng\s+viên|nhóm\s+(?:pv|phóng\s+viên)|người\s+đưa\s+tin|cộng\s+tác\s+viên|ctv|bài|tin)\s*:\s*"
    r"(?P<name>\S.{0,80}?)\s*\.?$",
    re.I,
)


_NOT_AN_INSPECTION = (
    "Bài viết không nói về một đợt kiểm tra, giám sát: không thấy Đoàn kiểm tra, Trưởng đoàn hay đơn vị "
    "được kiểm tra."
)


def _clean_title(text: str) -> str:
    text = " ".join(text.split())
    return re.sub(r"\s+[|–-]\s+[^|–-]{2,40}$", "", text) if re.search(r"\s[|]\s", text) else text


def _looks_like_byline(text: str) -> bool:
    words = text.rstrip(" .").split()
    if not 1 <= len(words) <= 7 or len(text) > 70 or re.match(r"(?:theo|nguồn)\b", text, re.I):
        return False
    bare = re.sub(r"\([^)]*\)", "", text.rstrip(" ."))
    tokens = re.findall(r"[^\W\d_]+", bare)
    return bool(tokens) and all(t[0].isupper() for t in tokens) and not _date_in(text)
