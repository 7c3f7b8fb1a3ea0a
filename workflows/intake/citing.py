"""Citations and spans: the documents an article cites, each with the span of its code."""

from __future__ import annotations

import re
from dataclasses import replace

from workflows.citations import Citation, find_citations
from workflows.intake.draft import DraftCitation
from workflows.intake.normalise import _State
from workflows.intake.text import LOWER

# Running text after an issuing body's name ("của Ban Bí thư cho cán bộ chủ chốt").
_CODE_HINT = re.compile(r"\d\s*[-/–]\s*\w")  # no citation without "05-CT", "30/2020"


_AFTER_ISSUER = re.compile(
    r"\s+(?:(?:cho|để|tại|trong|đến|tới|nhằm|với|trên|theo|thì|là|đã|sẽ|đang|bảo\s+đảm|đảm\s+bảo|góp\s+phần"
    rf"|quy\s+định|hướng\s+dẫn|triển\s+khai)(?!\w)|và\s+(?={LOWER})).*$"
)


def _trim_issuer(citation: Citation) -> Citation:
    """Cut the sentence that ``find_citations`` read on after the issuer's name."""
    name = citation.issuer_name
    if not name:
        return citation
    trimmed = _AFTER_ISSUER.sub("", name).strip(" ,")
    return replace(citation, issuer_name=trimmed or None) if trimmed != name else citation


def _code_span(text: str, citation: Citation) -> tuple[int, int] | None:
    """Where a citation's code (with its type word before it) stands in ``text``."""
    parts = [re.escape(citation.number)]
    if citation.system == "party":
        type_code, issuer = re.escape(citation.type_code), re.escape(citation.issuer_code)
        pattern = rf"{parts[0]}\s*[-–]\s*{type_code}\s*/\s*{issuer}"
    else:
        year = rf"\s*/\s*{citation.year}" if citation.year and f"/{citation.year}/" in citation.code else ""
        type_code, issuer = re.escape(citation.type_code), re.escape(citation.issuer_code)
        pattern = rf"{parts[0]}{year}\s*/\s*{type_code}\s*[-–]\s*{issuer}"
    normal = text.replace("Ð", "Đ")
    match = re.search(pattern, normal, re.I) or re.search(
        rf"(?<!\d){parts[0]}\W{{0,12}}{re.escape(citation.type_code)}", normal, re.I
    )  # any other spelling the citation parser accepted: the number and the type's code
    if not match:
        return None
    start = match.start()
    if citation.type_name:
        before = re.search(rf"{re.escape(citation.type_name)}\s+(?:số\s*:?\s*)?$", normal[:start], re.I)
        if before:
            start = before.start()
    return start, match.end()


class _CitationReader(_State):
    """Reads the documents the article cites, each with the span of its code."""

    def _citations_in(self, start: int, end: int) -> list[DraftCitation]:
        result: list[DraftCitation] = []
        text = self.work[start:end]
        if not _CODE_HINT.search(text):
            return result
        for citation in find_citations(text):
            citation = _trim_issuer(citation)
            span = _code_span(text, citation)
            if span is None:
                continue
            result.append(DraftCitation(citation, self.doc.span(start + span[0], start + span[1])))
        return result

    def _read_citations(self) -> None:
        seen: dict[str, DraftCitation] = {}
        for i in self.body():
            para = self.paras[i]
            for citation in self._citations_in(para.start, para.end):
                seen.setdefault(citation.code, citation)
        self.draft.citations = list(seen.values())
