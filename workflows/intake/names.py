"""People and roles, part 1: reading one person's mention (name, Party titles, position, role)."""

from __future__ import annotations

import re
from dataclasses import replace

from models.enums import DelegationRole
from models.vntext import search_key
from workflows.intake.draft import DraftPerson
from workflows.intake.normalise import _Doc
from workflows.intake.text import _HONORIFIC, UPPER, _phrases, _words

_SURNAMES = _words(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Mạc Đinh Lâm Trịnh Đoàn "
    "Cao Lương Mai Tạ Hà Chu Thái Tô Tôn Quách La Lưu Kiều Đào Triệu Vương Văn Lục Nông Hứa Từ Châu "
    "Phùng Giang Diệp Khổng Đàm Tăng Lại Thân Tống Kim Lò Điểu Hầu Sùng Giàng Vàng Thào Lầu Mùa Ksor "
    "Siu Nay Rah Lăng Âu Ông Ninh Mẫn Nghiêm Cù Trương Đồng Doãn Hàn Khúc Khương Lạc Liêu Lã Lữ Mã "
    "Mông Quan Quản Tiêu Trình Trà Ứng Viên Vi Yên Bạch Biện Bế Cấn Chung Danh Đường Giáp Hồng Kha "
    "Mạch Nhữ Phí Sầm Tiết Tòng Vòng Xa Y H Rơ Kpă Đặng Âu Thạch Sơn Đới Ma Hoàng Lường Cầm Lộc Mạc "
    "Nguyên Tào Thiều Triệu Ưng Vy Hứa Dư Du Đậu"
)


# The words that open a position or title; a capitalised word that opens one ends a name before it.
_TITLE_START = re.compile(
    r"(?:Phó|Trưởng|Bí\s+thư|Chủ\s+(?:tịch|nhiệm)|Giám\s+đốc|Chánh|[ỦU][ỷy]\s+viên|(?:Tỉnh|Huyện|Thành|Quận|Thị|Đảng)"
    r"\s+[ủu][ỷy]\s+viên|Thường\s+trực|Thứ\s+trưởng|Bộ\s+trưởng|Tổng\s+(?:Bí|Biên|Giám|Thư|Cục)|Chuyên\s+viên"
    r"|Cán\s+bộ|Đại\s+(?:tá|úy|tướng|biểu|diện)|Thượng\s+(?:tá|úy|tướng)|Trung\s+(?:tá|úy|tướng)|Thiếu\s+(?:tá|úy|tướng)"
    r"|Tiến\s+sĩ|Thạc\s+sĩ|Hiệu\s+(?:trưởng|phó)|Viện\s+trưởng|Ban|Nguyên|Quyền|Thư\s+ký|Tổ\s+(?:trưởng|phó)"
    r"|Kế\s+toán|Phụ\s+trách|Thành\s+viên|Trợ\s+lý|Thẩm\s+phán|Kiểm\s+sát\s+viên|Giảng\s+viên|Bác\s+sĩ|Chỉ\s+huy"
    r"|Văn\s+phòng|Phòng|Sở|Bộ|Ủy\s+ban|Huyện\s+[ủu]|Tỉnh\s+[ủu]|Đảng\s+[ủu]|Đồng\s+chí)(?!\w)"
    r"|[A-ZĐƯ]{2,}(?!\w)"
)


# Historical figures and places whose first word is also a surname ("Thái Bình", "Lâm Đồng").
_NOT_NAMES = _phrases(
    "hồ chí minh|tôn đức thắng|võ nguyên giáp|trần phú|lê duẩn|thái bình|thái nguyên|lâm đồng|hà nội"
    "|hà tĩnh|hà giang|hà nam|cao bằng|đồng nai|đồng tháp|trà vinh|châu thành|châu đốc|đồng xoài"
    "|lạng sơn|kim bôi|đồng hới|hồng ngự|quan sơn|mai sơn|đồng hỷ|cao lãnh|đồng văn|văn lâm|văn giang"
    "|hà đông|mê linh|lâm hà|vĩnh long|tô hiệu|lê lợi|trần hưng đạo|nguyễn huệ|quang trung"
)


_PARTY_TITLE = re.compile(
    r"(?:TUV|HUV|ThUV|QUV|ĐUV|UVTV|TVTU|TVHU|UVBTV(?:TU|HU)?|BTVTU|BTVHU|UVTW|UVTƯ|UVBCH\w*|ĐBQH"
    r"|(?:Tỉnh|Huyện|Thành|Quận|Thị|Đảng)\s+ủy\s+viên"
    r"|Ủy\s+viên\s+(?:Ban\s+Thường\s+vụ|BTV|Trung\s+ương(?:\s+Đảng)?|Ban\s+Chấp\s+hành|BCH|Bộ\s+Chính\s+trị)"
    r"(?:\s+[^,;]{0,60})?"
    r"|Đại\s+biểu\s+Quốc\s+hội(?:\s+[^,;]{0,40})?)",
    re.I,
)


# "Tổ trưởng Tổ công tác" leads a small team; "Tổ trưởng tổ dân phố" is a host's position.
_TEAM_ONLY = r"(?=\s+(?:công\s+tác|kiểm\s+tra|giám\s+sát)|\s*(?:[,;.]|$))"
# Military and police ranks and academic degrees stand before a name but are not positions.
_RANK = re.compile(
    r"(?:(?:(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá|úy|uý)|Chuẩn\s+(?:đô\s+đốc|úy)|Đô\s+đốc"
    r"|(?:Phó\s+)?Giáo\s+sư|Tiến\s+sĩ|Thạc\s+sĩ|(?:GS|PGS|TS|ThS|BS)\.?)[\s.,]*)+",
    re.I,
)
_ROLE_MARKERS: list[tuple[DelegationRole, re.Pattern[str]]] = [
    (
        role,
        re.compile(
            r"(?:\s*[-–,]\s*|\s+)?(?:(?:làm|là)\s+)?"
            + pattern
            + r"(?:\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát))?"
            r"(?!\s+(?:đại\s+biểu|ĐBQH|thanh\s+niên))"
            # "Trưởng Đoàn Kiểm tra số 714 của Ban Bí thư": the team's number and body are not a position.
            r"(?:\s+(?:số\s+)?\d+(?!\s*[-/]))?(?:\s+(?:của|thuộc)\s+[^,;]*)?",
            re.I,
        ),
    )
    for role, pattern in (
        (DelegationRole.DEPUTY_HEAD, r"phó\s+trưởng\s+đoàn"),
        (DelegationRole.HEAD, r"(?<!phó\s)trưởng\s+đoàn"),
        (DelegationRole.SECRETARY, r"thư\s+ký\s+(?:của\s+)?đoàn"),
        (DelegationRole.DEPUTY_HEAD, r"(?:tổ\s+phó|phó\s+tổ\s+trưởng)(?:\s+tổ)?" + _TEAM_ONLY),
        (DelegationRole.HEAD, r"(?<!phó\s)tổ\s+trưởng(?:\s+tổ)?" + _TEAM_ONLY),
        (
            DelegationRole.MEMBER,
            r"(?:thành\s+viên|tổ\s+viên)\s+(?:của\s+)?(?:đoàn|tổ\s+(?=công\s+tác|kiểm\s+tra))",
        ),
    )
]


# Words after which a position has ended ("... Bí thư Huyện ủy phát biểu").
_POSITION_STOP = re.compile(
    r"\s+(?:phát\s+biểu|cho\s+biết|báo\s+cáo|trao\s+đổi|(?:đồng\s+)?chủ\s+trì|làm\s+việc|tham\s+dự|dự\s+(?:buổi|hội)"
    r"|kết\s+luận|nhấn\s+mạnh|đề\s+nghị|yêu\s+cầu|chỉ\s+đạo|đánh\s+giá|ghi\s+nhận|khẳng\s+định|tiếp\s+thu"
    r"|cảm\s+ơn|chúc\s+mừng|trao\s+(?:quà|tặng)|tặng|thăm|đã|sẽ|đang|tại\s+buổi|tại\s+hội|thay\s+mặt|chia\s+sẻ"
    r"|mong\s+muốn|lưu\s+ý|quán\s+triệt|giải\s+trình|thông\s+tin|dẫn\s+đầu|cùng\s+(?:với\s+)?(?:các|lãnh|đại)"
    r"|và\s+(?=(?:các|lãnh\s+đạo|đại\s+diện|chuyên\s+viên|cán\s+bộ|thành\s+viên|một\s+số|những|đông)\b))"
    r"|\s*[;:.!?](?:\s|$)|\s*\n|\s*\((?:[Ảả]nh|giữa|trái|phải|thứ)",
)


_TITLED_NAME = re.compile(
    r"(?<![\w,])(?:Phó\s+)?(?:Bí\s+thư|Chủ\s+tịch|Trưởng\s+[Bb]an|Giám\s+đốc|Chánh\s+[Vv]ăn\s+phòng|Trưởng\s+phòng"
    r"|Ủy\s+viên|Tỉnh\s+ủy\s+viên|Huyện\s+ủy\s+viên|Bộ\s+trưởng|Thứ\s+trưởng|Tổng\s+Bí\s+thư|Thủ\s+tướng"
    r"|Chánh\s+án|Viện\s+trưởng|(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá))\b[^.;:\n]{0,140}?"
    r"(?=\b(?:" + "|".join(sorted(_SURNAMES, key=len, reverse=True)) + rf")\s+{UPPER})",
)


def _phrase_end(text: str, start: int, limit: int, skip_first: bool = False) -> int:
    """Where a person's phrase (name and titles) ends: a verb, a full stop, the next person."""
    search_from = start
    if skip_first:
        honorific = re.match(rf"{_HONORIFIC}\s+", text[start:limit], re.I)
        search_from = start + (honorific.end() if honorific else 0)
    end = limit
    stop = _POSITION_STOP.search(text, search_from, limit)
    if stop:
        end = stop.start()
    following = re.search(rf"[,;]?\s+(?:và\s+)?(?:các\s+)?(?i:{_HONORIFIC})\s+{UPPER}", text[search_from:end])
    if following:
        end = search_from + following.start()
    return min(end, start + 300)


def _explicit_member(person: DraftPerson, source: str) -> bool:
    """Whether the mention itself says "thành viên Đoàn" (``person.span`` indexes the shown text)."""
    mention = source[person.span[0] : person.span[1]] if person.span else ""
    return bool(dict(_ROLE_MARKERS)[DelegationRole.MEMBER].search(mention))


def _replace_person(
    person: DraftPerson, role: DelegationRole, position: str | None, titles: str | None
) -> DraftPerson:
    return replace(person, role=role, position=position, party_titles=titles)


_NAME_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def _name_words(text: str, start: int = 0) -> list[re.Match[str]]:
    return list(_NAME_WORD.finditer(text, start))


def _capitalised_run(
    text: str, words: list[re.Match[str]], first: int, stop_at_titles: bool
) -> list[re.Match[str]]:
    run: list[re.Match[str]] = []
    for k in range(first, len(words)):
        word = words[k].group(0)
        if not word[0].isupper() or (len(word) > 1 and word.isupper()):
            break
        if stop_at_titles and run and _TITLE_START.match(text, words[k].start()):
            break
        gap = text[run[-1].end() : words[k].start()] if run else ""
        if run and (gap.strip() or "\n" in gap or not gap):
            break
        run.append(words[k])
        if len(run) == (5 if stop_at_titles else 9):
            break
    return run


def _leading_name(text: str) -> str | None:
    """The name at the start of ``text`` ("Mạc Đình Huấn- Phó Trưởng Ban …" -> "Mạc Đình Huấn")."""
    words = _name_words(text)
    if not words or words[0].start() != 0 or _TITLE_START.match(text):
        return None
    run = _capitalised_run(text, words, 0, stop_at_titles=True)
    if len(run) < 2 or len(run) > 5:
        return None
    name = text[run[0].start() : run[-1].end()]
    return None if search_key(name) in _NOT_NAMES_KEYS else name


def _name_after_title(text: str) -> str | None:
    """The name that closes a title ("Bí thư Huyện ủy Dương Thanh Huân" -> "Dương Thanh Huân")."""
    best = _titled_name_span(text)
    return text[best[0] : best[1]] if best else None


def _titled_name_span(text: str) -> tuple[int, int] | None:
    words = _name_words(text)
    best: tuple[int, int] | None = None
    k = 0
    while k < len(words):
        run = _capitalised_run(text, words, k, stop_at_titles=False)
        if not run:
            k += 1
            continue
        choice = None
        for length in (3, 4, 2):
            for offset in range(len(run)):
                if any(w.group(0) in _NEVER_IN_NAMES for w in run[offset:]):
                    continue
                if len(run) - offset == length and run[offset].group(0) in _SURNAMES:
                    choice = (run[offset].start(), run[-1].end())
                    break
            if choice:
                break
        if choice and search_key(text[choice[0] : choice[1]]) not in _NOT_NAMES_KEYS and choice[0] > 0:
            best = choice
        k += len(run)
    return best


_NOT_NAMES_KEYS = frozenset(search_key(n) for n in _NOT_NAMES)


# Words of bodies and titles that never stand in a person's name ("Thành viên Đoàn Kiểm tra").
_NEVER_IN_NAMES = _words(
    "Kiểm Tra Ban Đảng Tỉnh Huyện Ủy Uỷ Giám Sở Bộ Phòng Viện Cục Vụ Tuyên Giáo Dân Vận Tổ Chức Thường Trực "
    "Chủ Tịch Bí Thư Phó Trưởng"
)


def _parse_person(
    doc: _Doc,
    start: int,
    end: int,
    default_role: DelegationRole,
    name_first_only: bool = False,
) -> DraftPerson | None:
    """Read "đồng chí <name>, <titles>, <position>" or "<position> <name>" between start and end."""
    work = doc.work
    segment = work[start:end]
    lead = re.match(rf"\s*(?:các\s+)?(?:{_HONORIFIC})?\s*:?\s*", segment, re.I)
    offset = lead.end() if lead else 0
    name = _leading_name(segment[offset:])
    if name:
        name_start = start + offset
        name_end = name_start + len(name)
        title_text, title_start = work[name_end:end], name_end
    else:
        if name_first_only and not re.match(rf"\s*(?i:{_HONORIFIC})\s+{UPPER}", segment):
            return None
        span = _titled_name_span(segment[offset:])
        if span is None:
            return None
        name_start, name_end = start + offset + span[0], start + offset + span[1]
        name = work[name_start:name_end]
        title_text, title_start = work[start + offset : name_start], start + offset
        after = work[name_end:end]
        if not title_text.strip(" ,:-–") or _RANK.fullmatch(title_text.strip(" ,:-–")):
            title_text, title_start = after, name_end  # "Đại tướng <name>, <titles>, <position>"
        elif re.search(r"[-–,]\s*(?:phó\s+)?(?:trưởng|thành\s+viên|thư\s+ký)\s+đoàn", after, re.I):
            title_text += " - " + after
    role, titles, position, position_span = _split_titles(title_text, title_start, default_role)
    mention_end = max(name_end, position_span[1] if position_span else name_end)
    return DraftPerson(
        name=" ".join(name.split()),
        position=position,
        party_titles=titles,
        role=role,
        span=doc.span(min(start + offset, name_start), mention_end),
        name_span=doc.span(name_start, name_end),
    )


def _split_titles(
    text: str, offset: int, default_role: DelegationRole
) -> tuple[DelegationRole, str | None, str | None, tuple[int, int] | None]:
    """Role in the delegation, Party titles and position from the words around a name."""
    role = default_role
    cleaned = text
    lowered = text.lower()
    markers = _ROLE_MARKERS if ("đoàn" in lowered or "tổ" in lowered) else []  # the patterns are slow
    for marker_role, pattern in markers:
        match = pattern.search(cleaned)
        if match:
            if (
                role in (DelegationRole.MEMBER, DelegationRole.HOST_PARTICIPANT)
                or default_role is DelegationRole.MEMBER
            ):
                role = marker_role
            cleaned = cleaned[: match.start()] + " " * (match.end() - match.start()) + cleaned[match.end() :]
    parts: list[tuple[int, int]] = []
    for match in re.finditer(r"[^,;]+", cleaned):
        piece = match.group(0)
        stripped = piece.strip(" -–:()")
        if stripped:
            left = match.start() + piece.index(stripped)
            parts.append((left, left + len(stripped)))
    titles: list[str] = []
    while parts and _PARTY_TITLE.fullmatch(cleaned[parts[0][0] : parts[0][1]]):
        titles.append(" ".join(cleaned[parts[0][0] : parts[0][1]].split()))
        parts.pop(0)
    # "TUV - Bí thư Huyện ủy": a title glued to the position with a dash.
    if parts:
        glued = re.match(r"(?P<t>[A-ZĐƯ]{2,8})\s*[-–]\s*(?=\S)", cleaned[parts[0][0] : parts[0][1]])
        if glued and _PARTY_TITLE.fullmatch(glued["t"]):
            titles.append(glued["t"])
            parts[0] = (parts[0][0] + glued.end(), parts[0][1])
    if not parts:
        return role, ", ".join(titles) or None, None, None
    start, end = parts[0][0], parts[-1][1]
    position = " ".join(cleaned[start:end].split()).strip(" -–,")
    position = re.sub(r"(?:\s*[-–]|\s+(?:và|cùng|cùng\s+với|với))\s*$", "", position)
    if not re.search(UPPER, position) or len(position) < 3:
        return role, ", ".join(titles) or None, None, None
    return role, ", ".join(titles) or None, position, (offset + start, offset + end)


def _people_in_list(doc: _Doc, start: int, end: int, default_role: DelegationRole) -> list[DraftPerson]:
    """Split "đồng chí A, <chức vụ>; đồng chí B, <chức vụ> và …" into people."""
    work = doc.work
    text = work[start:end]
    bounds = [
        m.start()
        for m in re.finditer(rf"(?:^|(?<=[,;:]\s)|(?<=\svà\s)|(?<=\s))(?i:{_HONORIFIC})\s+{UPPER}", text)
    ]
    bounds += [0] + [m.end() for m in re.finditer(r";\s*", text)]
    bounds = sorted(set(bounds))
    people = []
    for k, b in enumerate(bounds):
        stop = bounds[k + 1] if k + 1 < len(bounds) else len(text)
        piece_end = start + stop
        phrase_end = _phrase_end(work, start + b, piece_end, skip_first=True)
        person = _parse_person(doc, start + b, phrase_end, default_role)
        if person:
            people.append(person)
    return people
