"""Findings: the sentences before the requests sorted into achievements, difficulties, limitations
and causes.
"""

from __future__ import annotations

import re

from models.enums import FindingKind
from workflows.intake.directives import _SECTION_HEADER, _List
from workflows.intake.draft import DraftFinding
from workflows.intake.markers import _first_marker
from workflows.intake.normalise import _State
from workflows.intake.text import _last_sentence_start, _sentences

_INLINE_HEADER = re.compile(
    r"(?:\d+[.)]\s*|[a-zđ]\)\s*|[-•+]\s*)?(?P<header>(?:về\s+)?(?:ưu\s+điểm|kết\s+quả(?:\s+đạt\s+được)?|hạn\s+chế"
    r"(?:,\s*khuyết\s+điểm)?|khuyết\s+điểm|tồn\s+tại|khó\s+khăn(?:,\s*vướng\s+mắc)?|nguyên\s+nhân))\s*:\s*",
    re.I,
)


_LIMITATION_CUE = re.compile(
    r"hạn\s+chế|khuyết\s+điểm|tồn\s+tại|yếu\s+kém|bất\s+cập|thiếu\s+sót|sai\s+sót|sai\s+phạm|\bchưa\b"
    r"|(?:có|đã|để\s+xảy\s+ra|còn|nhiều)\s+(?:\w+\s+)?vi\s+phạm"
    r"|còn\s+(?:chậm|thấp|ít|yếu|thiếu|nặng|lúng\s+túng|hình\s+thức|dàn\s+trải|chung\s+chung|mỏng|hạn\s+chế"
    r"|bất\s+cập|nể\s+nang|sơ\s+sài|đơn\s+điệu|manh\s+mún|xảy\s+ra)|lúng\s+túng"
    r"|chậm\s+(?:trễ|được)",
    re.I,
)


_DIFFICULTY_CUE = re.compile(
    r"khó\s+khăn|vướng\s+mắc|thách\s+thức|phức\s+tạp|dịch\s+bệnh|thiên\s+tai|bão\s+lũ|hạn\s+hán|biến\s+đổi\s+khí"
    r"|thiếu\s+(?:kinh\s+phí|nguồn\s+lực|biên\s+chế|nhân\s+lực|cán\s+bộ)|địa\s+bàn\s+rộng",
    re.I,
)


_ACHIEVEMENT_CUE = re.compile(
    r"đạt\s+được|\bđạt\b|ghi\s+nhận|đánh\s+giá\s+cao|biểu\s+dương|\btốt\b|hiệu\s+quả|nổi\s+bật|ưu\s+điểm"
    r"|sáng\s+tạo|tích\s+cực|chuyển\s+biến|hoàn\s+thành|\bvượt\b|kịp\s+thời|nghiêm\s+túc|chặt\s+chẽ"
    r"|đúng\s+quy\s+định|bài\s+bản|đồng\s+bộ|thành\s+công|xuất\s+sắc|quyết\s+liệt|sâu\s+rộng|thiết\s+thực"
    r"|khởi\s+sắc|cơ\s+bản\s+tốt|phát\s+huy|thành\s+tích|đổi\s+mới|\bnghiêm\b|đoàn\s+kết|thống\s+nhất\s+cao"
    r"|nền\s+nếp|nề\s+nếp|khen\s+thưởng|điển\s+hình|đầy\s+đủ|đúng\s+tiến\s+độ|vững\s+mạnh|ổn\s+định",
    re.I,
)


_REMEDY = re.compile(
    r"(?:khắc\s+phục|sửa\s+chữa|chấn\s+chỉnh|giải\s+quyết|vượt\s+qua)(?:\s+(?:những|các|một\s+số|có\s+hiệu\s+quả))*"
    r"\s+(?:hạn\s+chế|khuyết\s+điểm|tồn\s+tại|khó\s+khăn|vướng\s+mắc|thiếu\s+sót)(?:,\s*(?:hạn\s+chế|khuyết\s+điểm|tồn\s+tại|khó\s+khăn|vướng\s+mắc|thiếu\s+sót))*",
    re.I,
)


_CAUSE_START = re.compile(r"^(?:về\s+)?nguyên\s+nhân\b|\bnguyên\s+nhân\s+(?:của|là|do|chủ\s+yếu)", re.I)


_CONCESSIVE_LEAD = re.compile(
    r"^(?:tuy\s+nhiên|tuy\s+vậy|bên\s+cạnh\s+(?:đó|(?:những|các)?\s*(?:kết\s+quả|mặt|ưu\s+điểm)[^,]{0,40})|mặt\s+khác"
    r"|ngoài\s+ra|song|nhưng)\s*,?\s*",
    re.I,
)


_TURN = re.compile(
    r"\s*(?:hạn\s+chế\s+là|tồn\s+tại\s+là|tuy\s+nhiên|tuy\s+vậy|song|nhưng|bên\s+cạnh\s+đó|mặt\s+khác)\b",
    re.I,
)
# "… như:", "… gồm:": the items of a listed finding follow.
_LIST_INTRO = re.compile(r"\s(?:như|gồm|là|cụ\s+thể)\s*:\s*", re.I)
# A sentence that only says there were some ("chỉ ra nhiều khó khăn, hạn chế như đã nêu trong báo cáo").
_ONLY_SAYS_THERE_WERE = re.compile(
    r"^(?:[^.;:]{0,60}?\s)?(?:chỉ\s+ra|nêu\s+(?:rõ|ra|lên)|nhìn\s+nhận|thừa\s+nhận|đánh\s+giá)\s+(?:\w+\s+){0,2}"
    r"(?:những|các|một\s+số|nhiều)\s+(?:kết\s+quả|ưu\s+điểm|khó\s+khăn|hạn\s+chế|tồn\s+tại|vướng\s+mắc|khuyết\s+điểm)"
    r"(?:\s*,\s*(?:khó\s+khăn|hạn\s+chế|tồn\s+tại|vướng\s+mắc|khuyết\s+điểm))*\s*(?:…|\.\.\.)?"
    r"\s*(?:(?:như|đã\s+được)\s+(?:đã\s+)?nêu(?:\s+trong\s+báo\s+cáo)?|trong\s+báo\s+cáo|cần\s+khắc\s+phục)?\s*\.?$",
    re.I,
)
_CONCESSIVE_SPLIT = re.compile(
    r"^(?:tuy|mặc\s+dù|dù|dẫu|tuy\s+rằng)\s+(?P<a>.+?),?\s+(?:nhưng|song)\s+(?P<b>.+)$", re.I
)


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A concessive sentence ("Tuy … nhưng …") is two findings; any other sentence is one."""
    sentence = text[start:end]
    match = _CONCESSIVE_SPLIT.match(sentence)
    if not match:
        return [(start, end)]
    return [
        (start + match.start("a"), start + match.end("a")),
        (start + match.start("b"), start + match.end("b")),
    ]


def _classify(text: str, section: FindingKind | None) -> FindingKind | None:
    plain = _CONCESSIVE_LEAD.sub("", text.strip())
    # The main clause decides, not the examples after "như:"; fixing shortcomings is an achievement.
    plain = re.split(r",?\s+(?:như|gồm|bao\s+gồm)\s*:", plain, maxsplit=1)[0]
    plain = _REMEDY.sub(" ", plain)
    cue: FindingKind | None = None
    contrast = re.match(r"(?:tuy\s+nhiên|tuy\s+vậy|song|nhưng)\b", text.strip(), re.I)
    if _CAUSE_START.search(plain[:80]):
        cue = FindingKind.CAUSE
    elif _LIMITATION_CUE.search(plain):
        cue = FindingKind.LIMITATION
    elif _DIFFICULTY_CUE.search(plain):
        cue = FindingKind.DIFFICULTY
    elif contrast:
        cue = FindingKind.LIMITATION  # "Tuy nhiên, …" after the results turns to the shortcomings
    elif _ACHIEVEMENT_CUE.search(plain) or re.match(r"(?:theo|qua)\s+báo\s+cáo\b", plain, re.I):
        cue = FindingKind.ACHIEVEMENT
    if section is None or cue is FindingKind.CAUSE:
        return cue
    if section is FindingKind.ACHIEVEMENT and cue in (FindingKind.LIMITATION, FindingKind.DIFFICULTY):
        return cue  # "Tuy nhiên, …" inside a list of results
    return section


def _kind_of_intro(text: str) -> FindingKind | None:
    tail = text[-200:]
    if re.search(r"nguyên\s+nhân", tail, re.I):
        return FindingKind.CAUSE
    if re.search(r"hạn\s+chế|khuyết\s+điểm|tồn\s+tại|yếu\s+kém", tail, re.I):
        return FindingKind.LIMITATION
    if re.search(r"khó\s+khăn|vướng\s+mắc", tail, re.I):
        return FindingKind.DIFFICULTY
    if re.search(r"kiến\s+nghị|đề\s+xuất|đề\s+đạt", tail, re.I):
        return FindingKind.HOST_REQUEST
    if re.search(r"ưu\s+điểm|kết\s+quả|mặt\s+(?:được|làm\s+được)|thành\s+tựu|ghi\s+nhận", tail, re.I):
        return FindingKind.ACHIEVEMENT
    return None


class _FindingsReader(_State):
    """Sorts the sentences before the requests into achievements, limitations and causes."""

    def _read_findings(self, chosen: _List | None, lists: list[_List]) -> None:
        assert self.lead is not None
        if chosen is not None:
            stop_para = chosen.intro_para if chosen.intro_para is not None else chosen.markers[0][0]
            stop_at = chosen.markers[0][1] if chosen.intro_para == chosen.markers[0][0] else None
        else:
            stop_para, stop_at = self.body_end, None
        skipped: set[int] = set()
        section_of: dict[int, FindingKind] = {}
        for lst in lists:
            if lst is chosen:
                continue
            kind = _kind_of_intro(lst.intro)
            lesson = bool(re.search(r"bài\s+học|kinh\s+nghiệm", lst.intro[-300:], re.I))
            for k in range(len(lst.markers)):
                for j in range(lst.markers[k][0], self._item_end(lst, k)):  # type: ignore[attr-defined]  # _ListReader, mixed into _Parser
                    if lesson:
                        skipped.add(j)
                    elif kind is not None:
                        section_of.setdefault(j, kind)
        section: FindingKind | None = None
        for i in self.body():
            if i > stop_para or i in skipped:
                continue
            para = self.paras[i]
            start, end = para.start, para.end
            if i == stop_para:
                end = _last_sentence_start(self.work, start, stop_at if stop_at is not None else end)
            header = _SECTION_HEADER.match(
                re.sub(r"^(?:\d+[.)]|[a-zđ]\)|[IVX]+[.\-–]|[-•+])\s*", "", para.text)
            )
            if header and len(para.text.split()) <= 12:
                section = _kind_of_intro(para.text) or section
                continue
            inline = _INLINE_HEADER.match(self.work, start, end)
            if inline and i not in section_of:
                section = _kind_of_intro(inline["header"]) or section
                start = inline.end()
            if i in section_of:
                marker = _first_marker(para.text)
                offset = marker[2] if marker else 0
                text = " ".join(self.work[start + offset : end].split())
                if text:
                    self.draft.findings.append(
                        DraftFinding(section_of[i], text[:1].upper() + text[1:], self.doc.span(start, end))
                    )
                continue
            sentences = _sentences(self.work, start, end)
            if i == self.lead:
                sentences = sentences[1:]
            self._findings_in(sentences, section)

    def _findings_in(self, sentences: list[tuple[int, int]], section: FindingKind | None) -> None:
        run: list[tuple[int, int]] = []
        run_kind: FindingKind | None = None

        def close() -> None:
            nonlocal run, run_kind
            if run and run_kind is not None:
                text = " ".join(" ".join(self.work[s:e].split()) for s, e in run)
                marker = _first_marker(text)
                if marker is not None:
                    text = text[marker[2] :]
                text = _CONCESSIVE_LEAD.sub("", text)
                text = text[:1].upper() + text[1:]
                items = self._listed_items(run[0][0], run[-1][1])
                if items:  # "… như: A; B; C": one finding each
                    for start, end in items:
                        item = " ".join(self.work[start:end].split())
                        item = item[:1].upper() + item[1:]
                        self.draft.findings.append(DraftFinding(run_kind, item, self.doc.span(start, end)))
                elif len(text.split()) >= 4 and not _ONLY_SAYS_THERE_WERE.search(text):
                    self.draft.findings.append(
                        DraftFinding(run_kind, text, self.doc.span(run[0][0], run[-1][1]))
                    )
            run, run_kind = [], None

        unclassified: tuple[int, int] | None = None
        for s, e in sentences:
            for cs, ce in _clauses(self.work, s, e):
                if self.work[cs:ce].rstrip().endswith(":"):
                    close()  # a sentence introducing a list is not a finding
                    continue
                kind = _classify(self.work[cs:ce], section)
                if self._is_about_people_only(cs, ce):
                    kind = None
                if kind is None:
                    if run:
                        run.append((cs, ce))
                    else:
                        unclassified = (cs, ce)
                    continue
                if (
                    not run
                    and unclassified is not None
                    and kind in (FindingKind.LIMITATION, FindingKind.DIFFICULTY)
                    and _TURN.match(self.work, cs)
                    and not self._is_about_people_only(*unclassified)
                ):
                    # "<a plain statement>. Tuy nhiên, <a shortcoming>": the statement was a result.
                    run, run_kind = [unclassified], FindingKind.ACHIEVEMENT
                unclassified = None
                if kind is not run_kind:
                    close()
                    run_kind = kind
                run.append((cs, ce))
        close()

    def _listed_items(self, start: int, end: int) -> list[tuple[int, int]]:
        """The items of "<kind> như: A; B; C" (or "gồm:", "là:") between start and end, if two or more."""
        colon = _LIST_INTRO.search(self.work, start, end)
        if colon is None or len(_CONCESSIVE_LEAD.sub("", self.work[start : colon.start()]).split()) > 12:
            return []  # a long sentence around the list says more than its items
        items = []
        position = colon.end()
        for separator in [*re.finditer(r"\s*;\s*", self.work[colon.end() : end]), None]:
            item_end = colon.end() + separator.start() if separator else end
            text = self.work[position:item_end].strip(" .;")
            if text:
                item_start = position + self.work[position:item_end].index(text)
                items.append((item_start, item_start + len(text)))
            position = colon.end() + separator.end() if separator else end
        return items if len(items) >= 2 and all(len(self.work[a:b].split()) >= 3 for a, b in items) else []

    def _is_about_people_only(self, start: int, end: int) -> bool:
        text = self.work[start:end]
        return bool(
            re.match(
                r"(?:tiếp\s+(?:và\s+làm\s+việc\s+với\s+)?đoàn|cùng\s+(?:đi|dự|tham\s+dự)|tham\s+dự)",
                text,
                re.I,
            )
        )
