"""What the article parser returns: the draft visit and its parts, each with the span it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic

from models.enums import DayPart, DelegationRole, FindingKind
from workflows.citations import Citation, format_citation
from workflows.intake.text import Span, T


@dataclass(frozen=True)
class Found(Generic[T]):
    """An extracted value and the (start, end) span of ``DraftVisit.text`` it came from."""

    value: T
    span: Span | None
    how: str = ""  # the name of the pattern that found the value
    confidence: float = 1.0  # below LOW_CONFIDENCE the draft carries a warning about the value
    others: tuple[str, ...] = ()  # the other candidates the value was picked from


@dataclass(frozen=True)
class DraftPeriod:
    """The period a visit covers: the label as written and the dates it stands for."""

    label: str
    start_on: date | None
    end_on: date | None
    span: Span | None


@dataclass(frozen=True)
class DraftPerson:
    """A person named in the article, on the delegation's side or the host's."""

    name: str
    position: str | None
    party_titles: str | None
    role: DelegationRole
    span: Span  # the whole mention: name, titles and position
    name_span: Span
    how: str = ""
    confidence: float = 1.0


@dataclass(frozen=True)
class DraftFinding:
    """An achievement, difficulty, limitation or cause stated in the article."""

    kind: FindingKind
    text: str
    span: Span


@dataclass(frozen=True)
class DraftCitation:
    """A cited document, parsed into the registry's form."""

    citation: Citation
    span: Span

    @property
    def code(self) -> str:
        return self.citation.code

    @property
    def text(self) -> str:
        """The citation written the Party way, ready for the registry's parser."""
        return format_citation(self.citation)


@dataclass(frozen=True)
class DraftDirective:
    """One numbered request, with the number and ordinal as the article wrote them."""

    number: int
    marker: str
    text: str
    span: Span
    citations: tuple[DraftCitation, ...]
    due_on: date | None = None
    due_period_label: str | None = None
    title: str | None = None  # "Một là, <title>: <text>" when the request opens with a short heading


@dataclass
class DraftVisit:
    """What the parser found in an article, for a person to review before saving."""

    text: str
    source_kind: str = "text"
    title: Found[str] | None = None
    published_on: Found[date] | None = None
    visited_on: Found[date] | None = None
    day_part: Found[DayPart] | None = None
    inspecting_body: Found[str] | None = None
    inspected_unit: Found[str] | None = None
    subject: Found[str] | None = None
    period: DraftPeriod | None = None
    summary: Found[str] | None = None
    place: Found[str] | None = None  # where the meeting was held, when the lead says so
    head: DraftPerson | None = None
    members: list[DraftPerson] = field(default_factory=list)
    hosts: list[DraftPerson] = field(default_factory=list)
    findings: list[DraftFinding] = field(default_factory=list)
    directives: list[DraftDirective] = field(default_factory=list)
    citations: list[DraftCitation] = field(default_factory=list)
    author: Found[str] | None = None
    warnings: list[str] = field(default_factory=list)
    # Each warning as its message id and parameters, for the interface to show in the user's language.
    messages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def checks(self) -> list[tuple[str, str, float, tuple[str, ...]]]:
        """(field, how it was found, confidence, other candidates) of each field read, least sure first."""
        found = {
            "visited_on": self.visited_on,
            "inspecting_org": self.inspecting_body,
            "inspected_org": self.inspected_unit,
            "subject": self.subject,
            "title": self.title,
            "day_part": self.day_part,
            "place": self.place,
        }
        rows = [(name, f.how, f.confidence, f.others) for name, f in found.items() if f is not None]
        if self.head is not None:
            rows.append(("head", self.head.how, self.head.confidence, ()))
        return sorted(rows, key=lambda row: row[2])

    @property
    def people(self) -> list[DraftPerson]:
        """The head, the other members, then the hosts."""
        return ([self.head] if self.head else []) + self.members + self.hosts

    def excerpt(self, span: Span | None, limit: int = 200) -> str:
        """The source text under ``span``, shortened to ``limit`` characters."""
        if span is None:
            return ""
        text = " ".join(self.text[span[0] : span[1]].split())
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready picture of the draft; spans are [start, end] offsets into ``text``."""

        def found(item: Found[Any] | None) -> dict[str, Any] | None:
            if item is None:
                return None
            value = item.value
            value = value.isoformat() if isinstance(value, date) else str(value)
            return {
                "value": value,
                "span": _list(item.span),
                "how": item.how,
                "confidence": item.confidence,
                "others": list(item.others),
            }

        def person(p: DraftPerson) -> dict[str, Any]:
            return {
                "name": p.name,
                "position": p.position,
                "party_titles": p.party_titles,
                "role": p.role.value,
                "span": _list(p.span),
                "name_span": _list(p.name_span),
                "how": p.how,
                "confidence": p.confidence,
            }

        def citation(c: DraftCitation) -> dict[str, Any]:
            return {
                "code": c.code,
                "text": c.text,
                "type_name": c.citation.type_name,
                "issued_on": _iso(c.citation.issued_on),
                "issuer_name": c.citation.issuer_name,
                "is_secret": c.citation.is_secret,
                "span": _list(c.span),
            }

        period = None
        if self.period:
            period = {
                "value": self.period.label,
                "start_on": _iso(self.period.start_on),
                "end_on": _iso(self.period.end_on),
                "span": _list(self.period.span),
            }
        return {
            "source_kind": self.source_kind,
            "title": found(self.title),
            "published_on": found(self.published_on),
            "visited_on": found(self.visited_on),
            "day_part": found(self.day_part),
            "inspecting_body": found(self.inspecting_body),
            "inspected_unit": found(self.inspected_unit),
            "subject": found(self.subject),
            "period": period,
            "summary": found(self.summary),
            "place": found(self.place),
            "head": person(self.head) if self.head else None,
            "members": [person(p) for p in self.members],
            "hosts": [person(p) for p in self.hosts],
            "findings": [
                {"kind": f.kind.value, "text": f.text, "span": _list(f.span)} for f in self.findings
            ],
            "directives": [
                {
                    "number": d.number,
                    "marker": d.marker,
                    "title": d.title,
                    "text": d.text,
                    "due_on": _iso(d.due_on),
                    "due_period_label": d.due_period_label,
                    "citations": [citation(c) for c in d.citations],
                    "span": _list(d.span),
                }
                for d in self.directives
            ],
            "citations": [citation(c) for c in self.citations],
            "author": found(self.author),
            "warnings": list(self.warnings),
            "text": self.text,
        }


def _list(span: Span | None) -> list[int] | None:
    return list(span) if span is not None else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
