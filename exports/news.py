"""The news post written from a visit's record, and the files a post is exported as.

Every sentence is one of the templates below filled from the record; nothing is copied from
published articles. The article intake (issue 8) reads these posts back, so the
structure is fixed. A whole article, as :func:`article_html` writes it, is::

    <h1>{title}</h1>
    <p class="kt-dateline">{Thứ tư} - {dd/mm/yyyy}</p>
    <p class="kt-lead">{Sáng ngày|Chiều ngày|Tối ngày|Trong ngày|Ngày} {d-m}, Đoàn Kiểm tra của
       {inspecting body} do đồng chí {head} làm Trưởng Đoàn đã làm việc với {inspected body}[ tại {place}]
       để kiểm tra {subject}[ {period}].</p>
    then the body (``body_html``, what :func:`draft_from_visit` returns):
    <p class="kt-delegation">   (only when the delegation has members besides the head)
       [Phó Trưởng Đoàn là {people}.] [Thành viên Đoàn gồm {people}.] [Thư ký Đoàn là {people}.]</p>
    <p class="kt-host">Tiếp và làm việc với Đoàn, phía {inspected body} có {people}.
       [Cùng dự buổi làm việc có {people}.]</p>   (host chairs, then host participants)
    [<figure class="kt-photo"><img src alt><figcaption>{caption}</figcaption></figure>]  (first photo)
    [<p class="kt-summary">{visit summary}</p>]
    for each kind of public finding, in this order: achievements, difficulties, limitations,
    causes, requests of the host — one introductory <p> (no class) and then
       <ul class="kt-achievements|kt-difficulties|kt-limitations|kt-causes|kt-host-requests">
         <li>{finding text}</li> … one per line, in the order of the record</ul>
    [further photos, as above]
    <p class="kt-requests-intro">Kết luận buổi làm việc, đồng chí Trưởng Đoàn {head name} đề nghị
       {inspected body} tập trung thực hiện những nhiệm vụ sau[ trong {due period}]:</p>
    <p class="kt-request">{Một là}, [<strong>{directive title}</strong>: ]{directive body}</p>
       … one per directive, in the order of their numbers, starting with ``ordinal_la(number)``
    <p class="kt-byline">{author line}</p>

``{people}`` is a list of ``đồng chí {full name}, [{party titles}, ]{position on the day}``
joined by ``"; "`` (a name never holds a comma, so the first comma ends it). Only findings
marked public are written; internal limitations never appear. Record text is written verbatim
(escaped), so reading a post back gives the same delegation, findings and directives.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from exports.html_clean import IMAGE_SRC, clean_html, html_to_text
from models import DelegationMember, Finding, Visit
from models.enums import DayPart, DelegationRole, DelegationSide, FindingKind
from models.vntext import WEEKDAYS, ordinal_la

TITLE_MAX = 300
LIST_ITEM = re.compile(r"(?:- |\d+\. )")

DAY_PART_WORDS = {
    DayPart.MORNING: "Sáng ngày",
    DayPart.AFTERNOON: "Chiều ngày",
    DayPart.EVENING: "Tối ngày",
    DayPart.FULL_DAY: "Trong ngày",
}

# Public findings, in the order the article tells them, with the sentence that introduces each list.
FINDING_SECTIONS: tuple[tuple[FindingKind, str, str], ...] = (
    (
        FindingKind.ACHIEVEMENT,
        "kt-achievements",
        "Qua kiểm tra, Đoàn ghi nhận những kết quả {inspected} đạt được trong {period}:",
    ),
    (FindingKind.DIFFICULTY, "kt-difficulties", "{inspected} cũng nêu những khó khăn đang gặp phải:"),
    (
        FindingKind.LIMITATION,
        "kt-limitations",
        "Bên cạnh kết quả đạt được, Đoàn chỉ ra một số hạn chế cần sớm khắc phục:",
    ),
    (FindingKind.CAUSE, "kt-causes", "Theo Đoàn, những hạn chế trên xuất phát từ các nguyên nhân:"),
    (FindingKind.HOST_REQUEST, "kt-host-requests", "{inspected} có một số kiến nghị với Đoàn:"),
)

INSPECTING_GROUPS: tuple[tuple[DelegationRole, str], ...] = (
    (DelegationRole.DEPUTY_HEAD, "Phó Trưởng Đoàn là {people}."),
    (DelegationRole.MEMBER, "Thành viên Đoàn gồm {people}."),
    (DelegationRole.SECRETARY, "Thư ký Đoàn là {people}."),
)


@dataclass(frozen=True)
class Photo:
    """A photo to place in the article: an upload path of this app and its caption."""

    src: str
    caption: str


@dataclass(frozen=True)
class NewsDraft:
    """What the generator writes from a visit; ``body_html`` is already sanitised.

    ``withheld`` lists the codes of documents marked secret ("Mật") whose citations were left out.
    """

    title: str
    date_line: str
    lead: str
    body_html: str
    author_line: str
    withheld: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmbeddedImage:
    """The bytes of an uploaded photo, to embed in a standalone file."""

    content_type: str
    data: bytes


def date_line(day: date) -> str:
    """Write the date line under a headline: "Thứ tư - 14/06/2023"."""
    return f"{WEEKDAYS[day.weekday()]} - {day:%d/%m/%Y}"


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def person_phrase(member: DelegationMember) -> str:
    """Name a person with their titles and position on the day: "đồng chí A, TUV, Bí thư …"."""
    person = member.person
    parts = [person.full_name]
    if person.party_titles:
        parts.append(person.party_titles)
    position = member.position_on_day or person.position
    if position:
        parts.append(position.replace(";", ","))
    return "đồng chí " + ", ".join(parts)


def _people(members: Iterable[DelegationMember]) -> str:
    return "; ".join(person_phrase(m) for m in members)


def _headline(visit: Visit) -> str:
    period = f" {visit.period_label}" if visit.period_label else ""
    title = f"{visit.inspecting_org.name} kiểm tra {visit.subject}{period} tại {visit.inspected_org.name}"
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"
    return title


def lead_sentence(visit: Visit) -> str:
    """Write the lead: when, which delegation led by whom, with which unit, about what."""
    when = DAY_PART_WORDS.get(visit.day_part, "Ngày") if visit.day_part else "Ngày"
    day = f"{visit.visited_on.day}-{visit.visited_on.month}"
    head = visit.head
    led_by = f" do {person_phrase(head)} làm Trưởng Đoàn" if head else ""
    place = f" tại {visit.place}" if visit.place and visit.place != visit.inspected_org.name else ""
    period = f" {visit.period_label}" if visit.period_label else ""
    return (
        f"{when} {day}, Đoàn Kiểm tra của {visit.inspecting_org.name}{led_by} đã làm việc với "
        f"{visit.inspected_org.name}{place} để kiểm tra {visit.subject}{period}."
    )


def _delegation_paragraph(members: Sequence[DelegationMember]) -> str | None:
    sentences = []
    for role, template in INSPECTING_GROUPS:
        group = [m for m in members if m.role is role]
        if group:
            sentences.append(template.format(people=_people(group)))
    if not sentences:
        return None
    return f'<p class="kt-delegation">{_e(" ".join(sentences))}</p>'


def _host_paragraph(visit: Visit, members: Sequence[DelegationMember]) -> str:
    chairs = [m for m in members if m.role is DelegationRole.HOST_CHAIR]
    others = [m for m in members if m.role is DelegationRole.HOST_PARTICIPANT]
    inspected = visit.inspected_org.name
    if chairs:
        text = f"Tiếp và làm việc với Đoàn, phía {inspected} có {_people(chairs)}."
    else:
        text = f"Tiếp và làm việc với Đoàn có lãnh đạo {inspected}."
    if others:
        text += f" Cùng dự buổi làm việc có {_people(others)}."
    return f'<p class="kt-host">{_e(text)}</p>'


def photo_html(photo: Photo) -> str:
    """Place a photo with its caption: ``<figure class="kt-photo">``."""
    caption = _e(photo.caption)
    return (
        f'<figure class="kt-photo"><img src="{_e(photo.src)}" alt="{caption}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def _finding_sections(visit: Visit) -> list[str]:
    blocks = []
    public = [f for f in visit.findings if f.is_public]
    for kind, css_class, intro in FINDING_SECTIONS:
        items: list[Finding] = sorted(
            (f for f in public if f.kind is kind), key=lambda f: (f.order, f.id or 0)
        )
        if not items:
            continue
        sentence = intro.format(
            inspected=visit.inspected_org.name, period=visit.period_label or "thời gian qua"
        )
        blocks.append(f"<p>{_e(sentence)}</p>")
        rows = "\n".join(f"<li>{_e(f.text)}</li>" for f in items)
        blocks.append(f'<ul class="{css_class}">\n{rows}\n</ul>')
    return blocks


# The words that may stand before a document's code in running text ("Kết luận số 01-KL/TU").
_DOCUMENT_WORDS = (
    "Nghị quyết|Chỉ thị|Kết luận|Quy định|Quyết định|Hướng dẫn|Thông báo|Kế hoạch|Công văn|Thông tri|"
    "Chương trình|Đề án|Báo cáo|Văn bản|Nghị định|Thông tư|Luật"
)
WITHHELD_PHRASE = "văn bản có liên quan"


def withhold_secret(text: str, codes: Iterable[str]) -> str:
    """``text`` with every citation of the documents ``codes`` replaced by a neutral phrase.

    The type word, "số", the code, a following date ("ngày 05/02/2024") and a following "của …
    (Mật)" go together, so the sentence still reads: "thực hiện nghiêm Kết luận số 01-KL/TU" →
    "thực hiện nghiêm văn bản có liên quan".
    """
    for code in codes:
        pattern = re.compile(
            rf"(?:(?:{_DOCUMENT_WORDS})\s+)?(?:số\s+)?{re.escape(code)}"
            r"(?:\s*(?:,\s*)?ngày\s+\d{1,2}[/.-]\d{1,2}[/.-]\d{4})?"
            # "… của Tỉnh ủy (Mật)": the issuer and the mark go too, only when the mark follows.
            r"(?:(?:\s+của\s+[^,.;()]{1,60}?)?\s*\(mật\))?",
            re.IGNORECASE,
        )
        text = pattern.sub(WITHHELD_PHRASE, text)
    return text


def secret_codes(visit: Visit) -> list[str]:
    """The codes of the documents marked secret that the visit's directives cite."""
    return sorted({doc.code for d in visit.directives for doc in d.citations if doc.is_secret})


def _requests(visit: Visit, withheld: Sequence[str] = ()) -> list[str]:
    directives = sorted(visit.directives, key=lambda d: d.number)
    if not directives:
        return []
    head = visit.head
    speaker = f"đồng chí Trưởng Đoàn {head.person.full_name}" if head else "Đoàn Kiểm tra"
    periods = {d.due_period_label for d in directives}
    period = f" trong {periods.pop()}" if len(periods) == 1 and None not in periods else ""
    intro = (
        f"Kết luận buổi làm việc, {speaker} đề nghị {visit.inspected_org.name} tập trung thực hiện "
        f"những nhiệm vụ sau{period}:"
    )
    blocks = [f'<p class="kt-requests-intro">{_e(intro)}</p>']
    for directive in directives:
        title = f"<strong>{_e(directive.title)}</strong>: " if directive.title else ""
        body = withhold_secret(directive.body, withheld)
        blocks.append(f'<p class="kt-request">{_e(ordinal_la(directive.number))}, {title}{_e(body)}</p>')
    return blocks


def draft_from_visit(
    visit: Visit, *, author_line: str, photos: Sequence[Photo] = (), keep_secret: bool = False
) -> NewsDraft:
    """Write the news draft of a visit: headline, date line, lead, body and byline.

    Citations of documents marked secret are left out of the public text (listed in ``withheld``)
    unless ``keep_secret``: the editor decided to keep them. ``visit`` must have its delegation
    (with people), findings, directives with their citations and both organisations loaded.
    """
    withheld = [] if keep_secret else secret_codes(visit)
    members = sorted(visit.members, key=lambda m: m.order)
    inspecting = [
        m for m in members if m.side is DelegationSide.INSPECTING and m.role is not DelegationRole.HEAD
    ]
    host = [m for m in members if m.side is DelegationSide.HOST]
    blocks: list[str] = []
    delegation = _delegation_paragraph(inspecting)
    if delegation:
        blocks.append(delegation)
    blocks.append(_host_paragraph(visit, host))
    if photos:
        blocks.append(photo_html(photos[0]))
    if visit.summary:
        blocks.append(f'<p class="kt-summary">{_e(visit.summary)}</p>')
    blocks.extend(_finding_sections(visit))
    blocks.extend(photo_html(photo) for photo in photos[1:])
    blocks.extend(_requests(visit, withheld))
    return NewsDraft(
        title=_headline(visit),
        date_line=date_line(visit.visited_on),
        lead=lead_sentence(visit),
        body_html=clean_html("\n".join(blocks)),
        author_line=author_line,
        withheld=tuple(withheld),
    )


def article_html(*, title: str, day: date, lead: str | None, body_html: str, author_line: str | None) -> str:
    """Put a post together as one HTML fragment: headline, date line, lead, body, byline."""
    parts = [f"<h1>{_e(title)}</h1>", f'<p class="kt-dateline">{_e(date_line(day))}</p>']
    if lead:
        parts.append(f'<p class="kt-lead">{_e(lead)}</p>')
    parts.append(clean_html(body_html))
    if author_line:
        parts.append(f'<p class="kt-byline">{_e(author_line)}</p>')
    return "\n".join(parts)


STANDALONE_CSS = """
body { margin: 0; background: #fff; color: #222; }
article { max-width: 760px; margin: 2rem auto; padding: 0 1rem;
  font: 17px/1.6 "Times New Roman", "Liberation Serif", serif; }
h1 { font-size: 1.9rem; line-height: 1.25; color: #8b1a1a; margin: 0 0 .4rem; }
.kt-dateline { color: #666; font-size: .9rem; margin: 0 0 1rem; }
.kt-lead { font-weight: bold; }
p { margin: 0 0 .9rem; text-align: justify; }
ul { margin: 0 0 .9rem 1.2rem; padding: 0; }
li { margin-bottom: .3rem; }
figure { margin: 1.2rem 0; text-align: center; }
figure img, img { max-width: 100%; height: auto; }
figcaption { font-style: italic; color: #555; font-size: .92rem; margin-top: .3rem; }
.kt-request { text-indent: 1.5rem; }
.kt-byline { text-align: right; font-weight: bold; margin-top: 1.5rem; }
a { color: #8b1a1a; }
"""


def embed_images(fragment: str, images: Mapping[str, EmbeddedImage]) -> str:
    """Replace the app's upload paths by data: URIs; a photo whose file is missing loses its source."""

    def replace(match: re.Match[str]) -> str:
        path = match.group(1)
        image = images.get(path.rsplit("/", 1)[-1])
        if image is None:
            return ""
        encoded = base64.b64encode(image.data).decode("ascii")
        return f' src="data:{image.content_type};base64,{encoded}"'

    return re.sub(rf' src="({IMAGE_SRC.pattern})"', replace, fragment)


def standalone_html(
    *,
    title: str,
    day: date,
    lead: str | None,
    body_html: str,
    author_line: str | None,
    images: Mapping[str, EmbeddedImage],
) -> str:
    """Write a post as one self-contained HTML file: styles inside, photos embedded."""
    fragment = article_html(title=title, day=day, lead=lead, body_html=body_html, author_line=author_line)
    return (
        "<!doctype html>\n"
        '<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{STANDALONE_CSS}</style>\n</head>\n"
        f"<body>\n<article>\n{embed_images(fragment, images)}\n</article>\n</body>\n</html>\n"
    )


def plain_text(*, title: str, day: date, lead: str | None, body_html: str, author_line: str | None) -> str:
    """Write a post as plain text: headline, date line, then one paragraph per block."""
    lines = [title, date_line(day), ""]
    if lead:
        lines += [lead, ""]
    previous_was_item = False
    for line in html_to_text(clean_html(body_html)):
        is_item = bool(LIST_ITEM.match(line))
        if is_item and previous_was_item:
            lines.pop()  # list items follow each other without a blank line
        lines += [line, ""]
        previous_was_item = is_item
    if author_line:
        lines.append(author_line)
    return "\n".join(lines).rstrip() + "\n"
