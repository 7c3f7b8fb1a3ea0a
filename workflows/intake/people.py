"""People and roles, part 2: the head of delegation, the members and the hosts of an article."""

from __future__ import annotations

import re
from dataclasses import replace

from models.enums import INSPECTING_ROLES, DelegationRole
from models.vntext import search_key
from workflows.intake.draft import DraftPerson
from workflows.intake.names import (
    _TITLED_NAME,
    _explicit_member,
    _parse_person,
    _people_in_list,
    _phrase_end,
    _replace_person,
)
from workflows.intake.normalise import _Para, _State
from workflows.intake.text import _HONORIFIC, UPPER, _sentence_end, _sentence_start

# "… do đồng chí X, <chức vụ> làm Trưởng đoàn", "… làm Tổ trưởng" (a small team), "… dẫn đầu".
_HEAD_AFTER = re.compile(
    r"(?:(?:làm|là)\s+(?<!phó\s)(?:trưởng\s+đoàn|tổ\s+trưởng(?:\s+tổ)?)|\bdẫn\s+đầu\b)", re.I
)


# "Trưởng đoàn là đồng chí X", "Trưởng đoàn kiểm tra, đồng chí X, …".
_HEAD_BEFORE = re.compile(
    r"(?<!phó\s)\btrưởng\s+đoàn(?:\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát))?\s*"
    rf"(?:(?:là|:)\s*|,\s*(?={_HONORIFIC}\s))",
    re.I,
)


_HOST_LINE = re.compile(
    r"(?:tiếp\s+(?:và\s+làm\s+việc\s+với|đón\s+và\s+làm\s+việc\s+với)?\s*(?:đoàn|đoàn\s+kiểm\s+tra)|làm\s+việc\s+với\s+đoàn"
    r"|về\s+phía\s+[^,.;:]{2,80}?|dự\s+(?:buổi\s+)?(?:làm\s+việc|tiếp)[^,.;:]{0,40}?)[^.;:]{0,120}?\s(?:có|gồm)\s*:?\s*",
    re.I,
)


# "Cùng dự có …", "Tham dự buổi làm việc có …": people of either side, or guests.
_PARTICIPANT_LINE = re.compile(
    r"(?:cùng\s+(?:tham\s+)?dự|tham\s+dự|dự\s+buổi\s+(?:làm\s+việc|kiểm\s+tra|công\s+bố))[^.;:]{0,80}?"
    r"\s(?:có|gồm)\s*(?:các\s+)?(?:đồng\s+chí)?\s*:?\s*",
    re.I,
)


# "Phó Trưởng Đoàn là …", "Thành viên Đoàn gồm …", "Cùng đi với Đoàn có …": the role comes first.
_MEMBER_LINE = re.compile(
    r"(?:(?P<deputy>phó\s+trưởng\s+đoàn|tổ\s+phó|phó\s+tổ\s+trưởng)|(?P<secretary>thư\s+ký\s+(?:của\s+)?đoàn)"
    r"|cùng\s+đi(?:\s+với\s+(?:đoàn|tổ))?|tham\s+gia\s+(?:đoàn|tổ)|thành\s+viên\s+(?:của\s+)?(?:đoàn|tổ)|đoàn\s+(?:kiểm\s+tra\s+)?gồm|thành\s+phần\s+đoàn)"
    r"(?:\s+(?:kiểm\s+tra|công\s+tác|giám\s+sát))?[^.;:]{0,60}?\s*(?:có|gồm|là|:)\s*:?\s*",
    re.I,
)


def _split_level(unit_key: str) -> tuple[str, str, str]:
    """("huyen", "uy"?, "bu dop") from a folded unit name such as "huyen bu dop" or "huyen uy bu dop"."""
    match = re.match(
        r"(?:ban thuong vu |btv |thuong truc |dang bo |dang uy |chi bo |ubnd |hdnd |uy ban nhan dan )?"
        r"(?P<level>huyen|xa|tinh|thi xa|thi tran|thanh pho|phuong|quan)(?: uy)? (?P<place>.+)$",
        unit_key,
    )
    if not match:
        return "", "", ""
    return match["level"], "", match["place"]


class _PeopleReader(_State):
    """Finds the head, the members and the hosts with their positions and titles."""

    def _find_people(self) -> None:
        people: dict[str, tuple[int, DraftPerson]] = {}  # name key -> (priority, person)
        order: list[str] = []

        def add(person: DraftPerson | None, priority: int) -> None:
            if person is None:
                return
            key = search_key(person.name)
            if key in people:
                old_priority, old = people[key]
                position = old.position or person.position
                titles = old.party_titles or person.party_titles
                role = old.role if old_priority >= priority else person.role
                people[key] = (max(old_priority, priority), _replace_person(old, role, position, titles))
                return
            people[key] = (priority, person)
            order.append(key)

        paragraphs = [i for i in range(len(self.paras)) if self.paras[i].kind in ("body", "caption", "title")]
        paragraphs = [i for i in paragraphs if (self.lead or 0) <= i < self.body_end]
        head = self._find_head(paragraphs)
        add(head, 3)
        for person in self._find_hosts(paragraphs):
            add(person, 2)
        for person in self._find_member_lists(paragraphs):
            add(person, 2)
        unplaced: list[DraftPerson] = []
        for person in self._find_participants(paragraphs):
            placed = person if person.role in INSPECTING_ROLES else self._place_by_position(person)
            if placed is None:
                unplaced.append(person)
            else:
                add(placed, 2)
        for i in paragraphs:
            for person in self._mentions(self.paras[i]):
                key = search_key(person.name)
                if key in people:
                    add(person, 0)
                    continue
                placed = self._place(person)
                if placed is None:
                    unplaced.append(person)
                else:
                    add(placed, 1)
        for key in order:
            person = people[key][1]
            if person.role is DelegationRole.HEAD:
                self.draft.head = person
            elif person.role in (DelegationRole.HOST_CHAIR, DelegationRole.HOST_PARTICIPANT):
                self.draft.hosts.append(person)
            else:
                self.draft.members.append(person)
        if self.draft.hosts and not any(h.role is DelegationRole.HOST_CHAIR for h in self.draft.hosts):
            first = self.draft.hosts[0]
            self.draft.hosts[0] = _replace_person(
                first, DelegationRole.HOST_CHAIR, first.position, first.party_titles
            )
        if self.draft.head is None:
            self.warn("Không thấy Trưởng đoàn trong bài; hãy nhập.")
        for person in unplaced:
            if search_key(person.name) not in people:
                self.warn(
                    "Chưa xếp được %(name)s (%(position)s) vào đoàn kiểm tra hay phía đơn vị; "
                    "thêm tay nếu cần.",
                    name=person.name,
                    position=person.position or "không rõ chức vụ",
                )

    def _find_head(self, paragraphs: list[int]) -> DraftPerson | None:
        work = self.work
        ordered = [i for i in paragraphs if self.paras[i].kind == "body"] + [
            i for i in paragraphs if self.paras[i].kind == "caption"
        ]
        for i in ordered:
            para = self.paras[i]
            for match in _HEAD_AFTER.finditer(work, para.start, para.end):
                sentence = _sentence_start(work, para.start, match.start())
                window_start = max(sentence, match.start() - 320)
                dos = list(re.finditer(r"\bdo\b", work[window_start : match.start()], re.I))
                if dos:
                    start = window_start + dos[-1].end()
                    how, sure = "«do <người> làm Trưởng đoàn / dẫn đầu»", 0.95
                else:
                    # "Đồng chí X, <chức vụ>, dẫn đầu đoàn kiểm tra, đã …": the head is the subject.
                    subject = _SUBJECT_PERSON.match(work, sentence, match.start())
                    following = work[match.end() : match.end() + 12]
                    leads = re.match(r"(?:\s+(?:đoàn|tổ)\b|[\s,]*$)", following, re.I)
                    if subject is None or leads is None:
                        continue
                    start = subject.start("person")
                    how, sure = "«<người>, <chức vụ>, dẫn đầu đoàn» (chủ ngữ của câu)", 0.8
                person = _parse_person(self.doc, start, match.start(), DelegationRole.HEAD)
                if person:
                    return replace(person, how=how, confidence=sure)
            for match in _HEAD_BEFORE.finditer(work, para.start, para.end):
                end = _phrase_end(work, match.end(), para.end)
                person = _parse_person(self.doc, match.end(), end, DelegationRole.HEAD)
                if person:
                    return replace(person, how="«Trưởng đoàn là <người>»", confidence=0.9)
        for i in ordered:
            for person in self._mentions(self.paras[i]):
                if person.role is DelegationRole.HEAD:
                    return replace(person, how="«<người>, …, Trưởng đoàn» bên tên người", confidence=0.75)
        return None

    def _find_hosts(self, paragraphs: list[int]) -> list[DraftPerson]:
        hosts: list[DraftPerson] = []
        for i in paragraphs:
            para = self.paras[i]
            if para.kind != "body":
                continue
            for match in _HOST_LINE.finditer(self.work, para.start, para.end):
                end = _sentence_end(self.work, match.end(), para.end)
                for person in _people_in_list(self.doc, match.end(), end, DelegationRole.HOST_PARTICIPANT):
                    if person.role in (DelegationRole.HOST_PARTICIPANT, DelegationRole.HOST_CHAIR):
                        role = DelegationRole.HOST_CHAIR if not hosts else DelegationRole.HOST_PARTICIPANT
                        hosts.append(_replace_person(person, role, person.position, person.party_titles))
            if hosts:
                return hosts
        return hosts

    def _find_member_lists(self, paragraphs: list[int]) -> list[DraftPerson]:
        members: list[DraftPerson] = []
        for i in paragraphs:
            para = self.paras[i]
            if para.kind != "body":
                continue
            for match in _MEMBER_LINE.finditer(self.work, para.start, para.end):
                end = _sentence_end(self.work, match.end(), para.end)
                role = (
                    DelegationRole.DEPUTY_HEAD
                    if match["deputy"]
                    else DelegationRole.SECRETARY
                    if match["secretary"]
                    else DelegationRole.MEMBER
                )
                for person in _people_in_list(self.doc, match.end(), end, role):
                    if person.role in (DelegationRole.HOST_PARTICIPANT, DelegationRole.HOST_CHAIR):
                        continue
                    members.append(person)
        return members

    def _find_participants(self, paragraphs: list[int]) -> list[DraftPerson]:
        """People listed as attending ("Cùng dự có …"): roles from titles, sides from positions."""
        found: list[DraftPerson] = []
        for i in paragraphs:
            para = self.paras[i]
            if para.kind != "body":
                continue
            for match in _PARTICIPANT_LINE.finditer(self.work, para.start, para.end):
                end = _sentence_end(self.work, match.end(), para.end)
                found += _people_in_list(self.doc, match.end(), end, DelegationRole.HOST_PARTICIPANT)
        return found

    def _mentions(self, para: _Para) -> list[DraftPerson]:
        """People named with an honorific or a title anywhere in a paragraph, in order."""
        found: list[DraftPerson] = []
        work = self.work
        starts = [
            m.start()
            for m in re.finditer(rf"(?<![\w/]){_HONORIFIC}\s+(?=[^\W\d_])", work[para.start : para.end], re.I)
        ]
        covered: list[tuple[int, int]] = []
        for offset in starts:
            start = para.start + offset
            end = _phrase_end(work, start, para.end, skip_first=True)
            person = _parse_person(self.doc, start, end, DelegationRole.MEMBER, name_first_only=True)
            if person:
                found.append(person)
                covered.append((start, end))
        for match in _TITLED_NAME.finditer(work, para.start, para.end):
            start = match.start()
            if any(a <= start < b for a, b in covered):
                continue
            end = _phrase_end(work, start, para.end)
            person = _parse_person(self.doc, start, end, DelegationRole.MEMBER)
            if person and not any(search_key(p.name) == search_key(person.name) for p in found):
                found.append(person)
        return found

    def _place(self, person: DraftPerson) -> DraftPerson | None:
        """Put a person met in passing on a side, from an explicit role or from their position."""
        if person.role is not DelegationRole.MEMBER or _explicit_member(person, self.doc.source):
            return person
        return self._place_by_position(person)

    def _place_by_position(self, person: DraftPerson) -> DraftPerson | None:
        """The delegation if the position names the inspecting body, the host if it names the unit."""
        key = search_key(person.position or "")
        if not key:
            return None
        body = search_key(self.draft.inspecting_body.value) if self.draft.inspecting_body else ""
        if body and body in key:
            return person
        unit = search_key(self.draft.inspected_unit.value) if self.draft.inspected_unit else ""
        if unit:
            level, _, place = _split_level(unit)
            if (place and place in key) or (
                level and re.search(rf"\b{level}\b", key) and not (body and body in key)
            ):
                return _replace_person(
                    person, DelegationRole.HOST_PARTICIPANT, person.position, person.party_titles
                )
            if search_key(unit) in key:
                return _replace_person(
                    person, DelegationRole.HOST_PARTICIPANT, person.position, person.party_titles
                )
        return None


# A sentence whose subject is a person: "Chiều 6/3, ông X, …", "Đồng chí X, …", "Đại tướng X, …".
_SUBJECT_PERSON = re.compile(
    r"(?:[^,.;]{0,40}\d[^,.;]{0,20},\s*)?"
    r"(?P<person>(?i:" + _HONORIFIC + r")\s+" + UPPER + r"|" + UPPER + r")",
)
