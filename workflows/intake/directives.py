"""Directives: the enumerations of the article, the one introduced as requests, and its items."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflows.intake.draft import DraftDirective
from workflows.intake.markers import _MARKERS, _first_marker, _marker_label, _marker_number
from workflows.intake.normalise import _State
from workflows.intake.places import _PERIOD, _due_date
from workflows.intake.text import UPPER, _phrases

_STYLE_BONUS = {"la": 3, "thu": 1, "paren": 1, "sub": 1, "digit": 0, "letter": 0, "roman": -2, "dash": -1}


_INLINE_STYLES = ("la", "thu", "paren")


_INLINE_STOP = re.compile(r"[.:;]\s*")  # an enumeration inside a paragraph follows a stop


_REQUEST_CUE = re.compile(
    r"đề\s+nghị|yêu\s+cầu|nhiệm\s+vụ|giải\s+pháp|lưu\s+ý|chỉ\s+đạo|mong\s+muốn|tập\s+trung|thời\s+gian\s+tới"
    r"|kiến\s+nghị|phương\s+hướng|cần\s+(?:phải\s+)?(?:tiếp\s+tục|thực\s+hiện|quan\s+tâm|chú\s+trọng|làm\s+tốt)"
    r"|sau\s+đây|nội\s+dung\s+sau|việc\s+sau|vấn\s+đề\s+sau|trọng\s+tâm|khắc\s+phục|quán\s+triệt|nhắc\s+nhở",
    re.I,
)


_LESSON_CUE = re.compile(
    r"bài\s+học|kinh\s+nghiệm|nguyên\s+nhân|kết\s+quả\s+(?:đạt\s+được|nổi\s+bật|quan\s+trọng)|ưu\s+điểm"
    r"|hạn\s+chế|khuyết\s+điểm|tồn\s+tại|khó\s+khăn|thành\s+tựu|ghi\s+nhận|đạt\s+được|lý\s+do",
    re.I,
)


_SECTION_HEADER = re.compile(
    r"^(?:ưu\s+điểm|(?:những\s+)?kết\s+quả(?:\s+đạt\s+được)?|mặt\s+(?:được|làm\s+được)|hạn\s+chế|khuyết\s+điểm"
    r"|tồn\s+tại|khó\s+khăn|vướng\s+mắc|nguyên\s+nhân|bài\s+học(?:\s+kinh\s+nghiệm)?)\b",
    re.I,
)


_IMPERATIVES = _phrases(
    "tiếp tục|tăng cường|đẩy mạnh|nâng cao|tập trung|chú trọng|quan tâm|thực hiện|tổ chức|làm tốt"
    "|rà soát|kiện toàn|xây dựng|chỉ đạo|phát huy|đổi mới|bám sát|nắm chắc|triển khai|thường xuyên"
    "|khẩn trương|sớm|chủ động|đẩy nhanh|phối hợp|lãnh đạo|quán triệt|tuyên truyền|đôn đốc|kiểm tra"
    "|thành lập|củng cố|hoàn thiện|bổ sung|khắc phục|đảm bảo|bảo đảm|nghiên cứu|tham mưu|ban hành|cần"
    "|phải|duy trì|ưu tiên|huy động|cải thiện|giữ vững|phấn đấu|tạo|làm|gắn|đưa|xử lý|giải quyết"
    "|nắm bắt|theo dõi|rà|hướng dẫn|cập nhật|lựa chọn|đề cao|coi trọng|siết chặt|nâng|mở rộng"
    "|đa dạng hóa|số hóa|ứng dụng|vận động|chăm lo|giữ|xác định|thống nhất|tiếp tục thực hiện"
    "|quyết liệt|kịp thời|định kỳ|nhân rộng|biểu dương|nghiêm túc|sửa đổi|báo cáo|kiểm điểm|rút kinh nghiệm"
    "|chấn chỉnh|xem xét|giao|hoàn thành|đề xuất|tăng|thu hồi|bố trí|bồi dưỡng|đào tạo|phát triển"
)


@dataclass
class _List:
    style: str
    markers: list[tuple[int, int, int, int, str]]  # (paragraph, start, text start, number, marker text)
    score: float = 0.0
    intro: str = ""
    intro_para: int | None = None


def _starts_imperative(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text.lower())[:4]
    return any(" ".join(words[:n]) in _IMPERATIVES for n in (1, 2, 3))


class _ListReader(_State):
    """Finds the enumerations and reads the one introduced as requests into directives."""

    def _find_lists(self) -> list[_List]:
        markers: list[tuple[str, int, int, int, int, str]] = []  # style, para, start, text start, n, marker
        body = self.body()
        for i in body:
            para = self.paras[i]
            first = _first_marker(para.text)
            if first is not None:
                style, number, length, parent = first
                key = f"sub:{parent}" if style == "sub" else style
                marker = para.text[:length].strip(" ,:.;–-")
                markers.append((key, i, para.start, para.start + length, number, marker))
            for stop in _INLINE_STOP.finditer(self.work, para.start + 1, para.end):
                for style in _INLINE_STYLES:
                    match = _MARKERS[style].match(self.work, stop.end(), para.end)
                    if match is None:
                        continue
                    before = self.work[max(para.start, match.start() - 3) : match.start()]
                    number = _marker_number(style, match)
                    marker = match.group(0).strip(" ,:.;–-")
                    if marker[:1].islower() and not re.search(r"[:;]\s*$", before):
                        continue
                    markers.append((style, i, match.start(), match.end(), number, marker))
        markers.sort(key=lambda m: m[2])
        lists: list[_List] = []
        open_lists: dict[str, _List] = {}
        for style, i, start, text_start, number, marker in markers:
            current = open_lists.get(style)
            if style == "dash" and current is not None:
                between = [j for j in body if current.markers[-1][0] < j < i]
                if not between:
                    number = current.markers[-1][3] + 1  # dashes count on from the dash just above
            if current is None or number <= current.markers[-1][3] or number > current.markers[-1][3] + 3:
                restarts = current is None or number <= current.markers[-1][3]
                if style in _INLINE_STYLES and number != 1 and restarts and start != self.paras[i].start:
                    continue  # an inline "hai là" that continues nothing
                current = _List(style, [])
                lists.append(current)
                open_lists[style] = current
            current.markers.append((i, start, text_start, number, marker))
        return [
            lst
            for lst in lists
            if len(lst.markers) >= 2 or (lst.style in ("la", "thu", "dash") and lst.markers[0][3] == 1)
        ]

    def _choose_list(self, lists: list[_List]) -> _List | None:
        for lst in lists:
            lst.intro, lst.intro_para = self._intro(lst)
            lst.score = self._score(lst)
        eligible = [lst for lst in lists if lst.score >= 3]
        if not eligible:
            return None
        best = max(eligible, key=lambda lst: (lst.score, lst.markers[0][1]))
        for outer in eligible:
            if outer is best or outer.score < best.score - 1:
                continue
            first, last = outer.markers[0][1], self._item_end(outer, len(outer.markers) - 1)
            if first < best.markers[0][1] < last and outer.style in ("la", "thu", "digit", "paren"):
                best = outer
        return best

    def _intro(self, lst: _List) -> tuple[str, int | None]:
        paragraph, start = lst.markers[0][0], lst.markers[0][1]
        para = self.paras[paragraph]
        if start > para.start:
            return self.work[para.start : start], paragraph
        for j in range(paragraph - 1, (self.lead or 0) - 1, -1):
            if self.paras[j].kind == "body":
                return self.paras[j].text, j
            if self.paras[j].kind not in ("caption", "boiler"):
                break
        return "", None

    def _score(self, lst: _List) -> float:
        intro = lst.intro[-400:]
        last_sentence = re.split(rf"[.!?]\s+(?={UPPER})", intro)[-1] if intro else ""
        score = float(_STYLE_BONUS.get(lst.style.split(":")[0], 0))
        requested = bool(_REQUEST_CUE.search(last_sentence))
        lesson = bool(_LESSON_CUE.search(last_sentence))
        if requested:
            score += 3
        if lesson and not requested:
            score -= 4
        if re.search(r"bài\s+học|kinh\s+nghiệm", last_sentence, re.I):
            score -= 3
        if re.search(r"(?:kiến\s+nghị|đề\s+xuất|đề\s+đạt)\s+(?:với|lên)", last_sentence, re.I):
            score -= 6  # what the host asks of the delegation
        texts = [self._item_first_words(lst, k) for k in range(len(lst.markers))]
        if sum(1 for t in texts if _SECTION_HEADER.match(t)) >= max(1, len(texts) // 2):
            score -= 4
        imperative = sum(1 for t in texts if _starts_imperative(t))
        if imperative * 2 >= len(texts):
            score += 2
        if lst.style == "dash":
            # Unnumbered lines are requests only right after a request ending with a colon.
            score += 1 if requested and last_sentence.rstrip().endswith(":") else -10
        numbers = [m[3] for m in lst.markers]
        if numbers[0] != 1:
            score -= 1
        return score

    def _item_first_words(self, lst: _List, k: int) -> str:
        text_start = lst.markers[k][2]
        return self.work[text_start : text_start + 60]

    def _item_end(self, lst: _List, k: int) -> int:
        """The index of the first paragraph after item ``k`` (its continuation included)."""
        paragraph = lst.markers[k][0]
        if k + 1 < len(lst.markers):
            return lst.markers[k + 1][0] + (1 if lst.markers[k + 1][0] == paragraph else 0)
        body = self.body()
        end = paragraph + 1
        opens_sublist = self.paras[paragraph].text.rstrip().endswith(":")
        # A marker alone on its line ("Một là," in bold) has its text in the next paragraph.
        bare = not self.work[lst.markers[k][2] : self.paras[paragraph].end].strip()
        for j in [b for b in body if b > paragraph]:
            text = self.paras[j].text
            marker = _first_marker(text)
            continues = (
                bare
                or text[:1].islower()
                or re.match(r"(?:đối\s+với|trong\s+đó|cụ\s+thể|riêng|đặc\s+biệt|nhất\s+là)\b", text, re.I)
                or (opens_sublist and marker is not None and marker[0] != lst.style)
            )
            if not continues:
                break
            bare = False
            end = j + 1
        return end

    def _read_directives(self, chosen: _List | None, lists: list[_List]) -> None:
        for lst in lists:
            if lst is chosen or lst.style not in ("la", "thu") or (chosen and self._nested(lst, chosen)):
                continue
            self.warn(
                "Danh sách «%(first)s … %(last)s» không được lấy làm yêu cầu (có vẻ là bài học, nguyên nhân "
                "hay kết quả).",
                first=lst.markers[0][4][:1].upper() + lst.markers[0][4][1:],
                last=lst.markers[-1][4],
            )
        if chosen is None:
            self.warn(
                "Bài không có yêu cầu được đánh số (Một là…, Thứ nhất…, 1., a)…); chưa tạo yêu cầu nào."
            )
            return
        due_label = None
        intro_sentences = re.split(rf"[.!?]\s+(?={UPPER})", chosen.intro) if chosen.intro else [""]
        period = _PERIOD.search(intro_sentences[-1])
        if period and re.search(r"cuối\s+năm|năm\s+\d{4}|quý|tháng", period.group(0), re.I):
            due_label = " ".join(period.group(0).split())
        year = self.draft.visited_on.value.year if self.draft.visited_on else None
        for k, (_paragraph, start, text_start, number, marker) in enumerate(chosen.markers):
            segments = self._item_segments(chosen, k)
            if not segments:
                self.warn("«%(marker)s» trong bài không có nội dung; đã bỏ qua.", marker=marker)
                continue
            text = "\n".join(" ".join(self.work[s:e].split()) for s, e in segments).strip(" ;")
            text = text[:1].upper() + text[1:]
            title = None
            heading = re.match(r"(?P<title>[^:.;!?\n]{3,120}?):[ \t]+(?P<rest>\S.*)", text, re.S)
            if (
                heading
                and len(heading["title"].split()) <= 12
                and len(heading["rest"].split()) >= 3
                and _first_marker(heading["rest"]) is None
                and not re.search(
                    r"\b(?:trong\s+đó|như\s+sau|gồm|sau\s+đây|cụ\s+thể|như)$", heading["title"], re.I
                )
            ):
                title, text = heading["title"].strip(), heading["rest"]
                text = text[:1].upper() + text[1:]
            end = segments[-1][1]
            citations = tuple(self._citations_in(text_start, end))  # type: ignore[attr-defined]  # _CitationReader, mixed into _Parser
            due_on = _due_date(text, year, self.draft.visited_on.value if self.draft.visited_on else None)
            own_period = re.search(
                r"(?:trong|trước|hết|đến\s+hết|hoàn\s+thành\s+trong)\s+(?P<p>" + _PERIOD.pattern + ")",
                text,
                re.I,
            )
            self.draft.directives.append(
                DraftDirective(
                    number=number,
                    marker=_marker_label(chosen.style, number, marker),
                    text=text,
                    span=self.doc.span(start, end),
                    citations=citations,
                    due_on=due_on,
                    due_period_label=" ".join(own_period["p"].split()) if own_period else due_label,
                    title=title,
                )
            )
        self._check_numbering(chosen)

    def _nested(self, inner: _List, outer: _List) -> bool:
        first, last = outer.markers[0][1], self._item_end(outer, len(outer.markers) - 1)
        return first <= inner.markers[0][0] < last

    def _item_segments(self, lst: _List, k: int) -> list[tuple[int, int]]:
        paragraph, _start, text_start, _n, _m = lst.markers[k]
        para = self.paras[paragraph]
        if k + 1 < len(lst.markers) and lst.markers[k + 1][0] == paragraph:
            return [(text_start, lst.markers[k + 1][1])]
        segments = [(text_start, para.end)]
        end = self._item_end(lst, k)
        for j in range(paragraph + 1, end):
            other = self.paras[j]
            if other.kind != "body":
                continue
            if k + 1 < len(lst.markers) and j == lst.markers[k + 1][0]:
                segments.append((other.start, lst.markers[k + 1][1]))
                break
            segments.append((other.start, other.end))
        return [(s, e) for s, e in segments if self.work[s:e].strip()]

    def _check_numbering(self, lst: _List) -> None:
        numbers = [m[3] for m in lst.markers]
        labels = [_marker_label(lst.style, m[3], m[4]) for m in lst.markers]
        if numbers[0] != 1:
            self.warn("Danh sách yêu cầu bắt đầu từ «%(first)s», không phải số 1.", first=labels[0])
        for k in range(1, len(numbers)):
            if numbers[k] != numbers[k - 1] + 1:
                self.warn(
                    "Thứ tự yêu cầu không liên tục: sau «%(a)s» là «%(b)s»; giữ nguyên số thứ tự như "
                    "trong bài.",
                    a=labels[k - 1],
                    b=labels[k],
                )
