"""The leadership dashboard: a subtree's tasks in the Government Office's categories for a period,
as of any day, with the per-unit table, the trend, the longest overdue and the tasks nobody receives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
from typing import Any
from urllib.parse import urlencode

from flask import flash, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from app.acting import error_message
from app.board.forms import DashboardForm
from app.board.listing import LinkMaker
from app.board.views import bp, due_soon_days
from app.jinja import percent, progress_bar, vi
from exports import charts
from models import Organization, Task, db
from models.enums import TimelinessGroup
from models.vntext import format_date
from workflows import dashboard as numbers
from workflows import reach
from workflows.bounded import BoundedCache
from workflows.clock import local_today, parse_date
from workflows.errors import ValidationFailed
from workflows.timeliness import check_as_of

# The dashboard's four cards.
SUMMARY_GROUPS = (
    TimelinessGroup.ON_TIME,
    TimelinessGroup.LATE,
    TimelinessGroup.OPEN_WITHIN,
    TimelinessGroup.OVERDUE,
)


def _dashboard_selection(
    form: DashboardForm, choices: list[Any], as_of: date
) -> tuple[Organization, date | None, date]:
    """The subtree and period asked for; a bad choice is reported and the default used instead."""
    depth = current_user.organization.path.count("/")
    form.org.choices = [(org.id, "\u2003" * (org.path.count("/") - depth) + org.name) for org in choices]
    if form.org.data is None and "org" not in request.args:
        form.org.data = current_user.organization_id
    start, end = None, None
    if form.validate():
        start, end = form.dates()
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    chosen = form.org.data
    scope = current_user.organization
    if chosen is not None and chosen != scope.id and any(org.id == chosen for org in choices):
        scope = db.session.get(Organization, chosen) or scope
    return scope, start, end or as_of


def _as_of(form: DashboardForm) -> date:
    """The day the dashboard counts on: the one asked for when it is valid, else today.

    A day that does not parse is reported by the form's validation; one in the future or before
    the first record here.
    """
    today = local_today()
    try:
        day = parse_date(form.as_of.data)
    except ValidationFailed:
        return today
    if day is None:
        return today
    try:
        check_as_of(db.session, day, today)
    except ValidationFailed as error:
        flash(error_message(error), "error")
        form.as_of.data = ""
        return today
    return day


@dataclass(frozen=True)
class DashboardFacts:
    """The dashboard's selection and the numbers its page and its spreadsheet show."""

    today: date
    soon: int
    form: DashboardForm
    scope: Organization
    start: date | None
    end: date
    selection: numbers.Selection
    units: list[numbers.UnitRow]
    total: Any
    trend: list[numbers.TrendMonth]
    # The page's unit table: ``units``, or for a subtree of many organisations the level below its
    # root, each row its subtree's (``numbers.by_level_below``); the spreadsheet lists ``units``.
    table: list[numbers.UnitRow]

    def most_overdue(self) -> list[tuple[Task, int]]:
        """The tasks longest overdue, with their days overdue."""
        return numbers.most_overdue(self.selection, self.today)

    def most_overdue_lines(self) -> list[tuple[Any, int]]:
        """The tasks longest overdue as the page lists them (``numbers.TaskLine``'s columns)."""
        return numbers.most_overdue_lines(self.selection, self.today)


def dashboard_facts() -> DashboardFacts:
    """Read the dashboard's selection and count its per-unit table and its trend, as of its day."""
    soon = due_soon_days()
    form = DashboardForm(request.args)
    choices = numbers.organisations_within(current_user.organization)
    today = _as_of(form)
    scope, start, end = _dashboard_selection(form, choices, today)
    selection = numbers.Selection.of(scope, start, end)
    units = numbers.table_by_lead_unit(selection, today, soon, known=choices)
    total = numbers.total_of(unit.counts for unit in units)
    months = numbers.trend_months(start, end, today)
    trend = numbers.monthly_trend(scope, months, today, whole_tree=selection.whole_tree)
    if start is None:  # the whole history: begin the chart where something happened
        trend = _without_empty_start(trend)
    table = units
    if numbers.shown_by_level_below(scope.path, choices):
        table = numbers.by_level_below(scope.path, units, choices)
    return DashboardFacts(today, soon, form, scope, start, end, selection, units, total, trend, table)


def overdue_heading(shown: int, overdue: int) -> str:
    """The heading of the most overdue tasks, counting what is listed (10 of 37, or all 5 of 5)."""
    if not shown:
        return _("Nhiệm vụ quá hạn lâu nhất")
    if overdue > shown:
        return _(
            "Quá hạn lâu nhất: %(shown)d trong %(overdue)d nhiệm vụ quá hạn", shown=shown, overdue=overdue
        )
    return _("Nhiệm vụ quá hạn: %(shown)d", shown=shown)


@bp.route("/dashboard")
def dashboard() -> str:
    """Show a subtree's tasks in the Government Office's categories, for a period, with links to them."""
    facts = dashboard_facts()
    today, scope, start, end = facts.today, facts.scope, facts.start, facts.end
    form, selection, total, trend = facts.form, facts.selection, facts.total, facts.trend
    visits = numbers.progress_by_visit(selection, today, facts.soon)
    points = tuple(
        charts.MonthPoint(m.month, m.done_on_time, m.done_late, m.overdue, m.open_within) for m in trend
    )
    chart_title = _("Diễn biến theo tháng: %(org)s", org=scope.name)
    chart = _trend_svg(points, chart_title, str(get_locale()))
    list_path = url_for("board.task_list")
    link = (
        LinkMaker(list_path, scope=scope.id, assigned_from=start, assigned_to=end)
        if today >= local_today()
        else _PastDayLinks(list_path, today, scope=scope.id, assigned_from=start, assigned_to=end)
    )
    trend_link = LinkMaker(list_path, scope=scope.id)
    return render_template(
        "board/dashboard.html",
        today=today,
        form=form,
        scope_org=scope,
        period_start=start,
        period_end=end,
        units=facts.table,
        by_level_below=facts.table is not facts.units,
        total=total,
        most_overdue=facts.most_overdue_lines(),
        overdue_heading=overdue_heading,
        unreached=reach.unreached_tasks(
            selection.conditions(today),
            today,
            kept=(selection.counted_scope(), selection.period()),
            key=selection.key(today),
            lines=True,
        ),
        visits=visits,
        trend=trend,
        # exports.charts writes every text of the SVG escaped (a test shows a unit name with markup).
        chart=Markup(_inline_svg(chart)),  # noqa: S704
        link=link,
        trend_link=trend_link,
        summary_groups=SUMMARY_GROUPS,
        count_cells=partial(CountCells, down=_down_links(facts)),
        org_select=_org_select(form),
        fields=_form_fields(form),
        rate=_rate,
        task_url=_task_urls(),
        trend_rows=trend_rows,
        visit_rows=visit_rows,
    )


def _task_urls() -> Any:
    """``url_for("board.task_detail", task_id=…)`` for the page's twenty task links, built once: the
    address up to the id, then each id."""
    sample = url_for("board.task_detail", task_id=0)
    if not sample.endswith("/0"):  # a rule that does not end with the id: ask each time
        return lambda task_id: url_for("board.task_detail", task_id=task_id)
    prefix = sample[:-1]
    return lambda task_id: f"{prefix}{int(task_id)}"


def _down_links(facts: DashboardFacts) -> str:
    """The address of the dashboard one level down, up to the organisation's id: the same period
    and day as this one's, as the form shows them."""
    chosen: dict[str, str] = {}
    if facts.start is not None:
        chosen["period_from"] = f"{facts.start:%d/%m/%Y}"
    if facts.form.period_to.data and not facts.form.errors:
        chosen["period_to"] = f"{facts.end:%d/%m/%Y}"
    if facts.form.as_of.data and not facts.form.as_of.errors:
        chosen["as_of"] = f"{facts.today:%d/%m/%Y}"
    return url_for("board.dashboard") + (f"?{urlencode(chosen)}&org=" if chosen else "?org=")


def _org_select(form: DashboardForm) -> Markup:
    """The organisation select as WTForms writes it (one option per unit of the user's subtree), kept
    per set of choices and choice: the same markup, written once."""
    key = (tuple(form.org.choices or ()), form.org.data)
    return _SELECTS.get(key, lambda: Markup(form.org(class_="form-select")))  # noqa: S704 - WTForms' markup


_SELECTS: BoundedCache[Markup] = BoundedCache(64)


def _form_fields(form: DashboardForm) -> dict[str, Markup]:
    """The selection form's labels and date fields as WTForms writes them, kept per language, values
    and errors (the same markup, written once)."""
    dates = (form.period_from, form.period_to, form.as_of)
    key = (str(get_locale()), form.org.data, *((f.data, bool(f.errors)) for f in dates))

    def write() -> dict[str, Markup]:
        found = {"org_label": Markup(form.org.label(class_="form-label"))}  # noqa: S704 - WTForms' markup
        for field in dates:
            invalid = " is-invalid" if field.errors else ""
            extra = {"placeholder": _("hôm nay")} if field is form.as_of else {}
            found[f"{field.name}_label"] = Markup(field.label(class_="form-label"))  # noqa: S704
            found[field.name] = Markup(field(class_="form-control" + invalid, **extra))  # noqa: S704
        return found

    return _FIELDS.get(key, write)


_FIELDS: BoundedCache[dict[str, Markup]] = BoundedCache(256)


def _rate(rate: float | None) -> str:
    """The ``percent`` filter, formatted once per value and language."""
    return _percent(rate, str(get_locale()))


# A row's count cells: (count, category the link filters by) in the table's order.
_LINKED_CELLS = (
    ("total", None),
    ("on_time", "on_time"),
    ("late", "late"),
    ("open_within", "open_within"),
    ("overdue", "overdue"),
    ("no_deadline", "no_deadline"),
)


class CountCells:
    """The cells of one row of the unit table (a count each, linked to its tasks, then the two
    rates), written directly: the same markup as a template macro, without its cost per cell (about
    800 links a page). Made once per page: the labels are escaped once."""

    def __init__(self, link: LinkMaker, words: dict[str, str], down: str = "") -> None:
        self.link = link
        self.words = {key: str(escape(word)) for key, word in words.items()}
        self.language = str(get_locale())
        self.down = down  # the dashboard of a unit, up to its id (``_down_links``)
        # What a row's markup depends on besides its own numbers: the links' fixed filters (and the
        # past day they are counted on), the labels, the language, the address one level down.
        self.key = (link.prefix, getattr(link, "day", None), tuple(self.words.items()), self.language, down)

    def row(self, unit: numbers.UnitRow) -> Markup:
        """One unit's ``<tr>``: its name and its cells. The same numbers give the same markup, so a
        row is written once and kept (keyed by everything it shows): a province's dashboard opened
        again writes only the rows whose counts changed."""
        return _ROWS.get(
            (self.key, unit), lambda: self._subtree_row(unit) if unit.subtree else self._row(unit)
        )

    def rows(self, units: list[numbers.UnitRow]) -> Markup:
        """The unit table's body: each row as the template's loop wrote it (its line's indent and
        the next one's), kept whole per set of rows (one lookup for a page opened again, not one
        template call and one lookup per unit)."""
        return _ROWS.get(
            (self.key, tuple(units)),
            lambda: Markup("".join(f"\n    {self.row(unit)}\n  " for unit in units)),  # noqa: S704
        )

    def _row(self, unit: numbers.UnitRow) -> Markup:
        return Markup(  # noqa: S704 - vi() escapes the name, the cells escape every value
            f'<tr class="unit-row" data-org="{int(unit.organization_id)}"><th scope="row"'
            f' class="fw-normal">{vi(unit.name)}</th>{self(unit.counts, lead=unit.organization_id)}</tr>'
        )

    def _subtree_row(self, unit: numbers.UnitRow) -> Markup:
        """A unit and everything below it: its name links to its own dashboard, one level down (the
        task list has no filter for the units of a subtree, so the numbers are not links)."""
        words, cells = self.words, []
        for key, _category in _LINKED_CELLS:
            value = int(getattr(unit.counts, key))
            muted = "" if value else " text-muted"
            cells.append(f'\n  <td class="num{muted}" data-label="{words[key]}">{value}</td>')
        cells.append(self._rates(unit.counts))
        href = escape(f"{self.down}{int(unit.organization_id)}")
        return Markup(  # noqa: S704 - vi() escapes the name, every value above is escaped
            f'<tr class="unit-row unit-subtree" data-org="{int(unit.organization_id)}"><th scope="row"'
            f' class="fw-normal"><a href="{href}">{vi(unit.name)}</a></th>{"".join(cells)}</tr>'
        )

    def _rates(self, counts: Any) -> str:
        words, cells = self.words, []
        for key, rate in (("rate_due", counts.completion_rate), ("rate_all", counts.share("done"))):
            cells.append(
                f'\n  <td class="num" data-label="{words[key]}">{escape(_percent(rate, self.language))}</td>'
            )
        return "".join(cells)

    def __call__(self, counts: Any, lead: int | None = None, visit: int | None = None) -> Markup:
        extra: dict[str, Any] = {"lead": lead} if lead else {}
        if visit:
            extra = {"visit": visit}
        words, link, cells = self.words, self.link, []
        for key, category in _LINKED_CELLS:
            value = getattr(counts, key)
            href = link(timeliness=category, **extra) if category else link(**extra)
            muted = "" if value else 'class="text-muted" '
            cells.append(f'\n  <td class="num" data-label="{words[key]}"><a {muted}href="{escape(href)}">')
            cells.append(f"{int(value)}</a></td>")
        cells.append(self._rates(counts))
        return Markup("".join(cells))  # noqa: S704 - every value above is escaped


def trend_rows(trend: list[numbers.TrendMonth], link: LinkMaker) -> Markup:
    """The trend table's body as the template's loop wrote it: a month's four numbers, each linked
    to the tasks it counts (done in the month, or open at its end), written once per months, numbers
    and links (no words in it)."""
    return _ROWS.get(("trend", link.prefix, tuple(trend)), lambda: _trend_rows(trend, link))


def _trend_rows(trend: list[numbers.TrendMonth], link: LinkMaker) -> Markup:
    parts = []
    for point in trend:
        done = {"completed_from": point.month, "completed_to": point.as_of}
        cells = (
            (point.done_on_time, link(**done, timeliness="on_time")),
            (point.done_late, link(**done, timeliness="late")),
            (point.open_within, link(open_on=point.as_of, timeliness="open_within")),
            (point.overdue, link(open_on=point.as_of, timeliness="overdue")),
        )
        parts.append(
            '\n        <tr>\n          <th scope="row" class="fw-normal">'
            f"{point.month.month:02d}/{point.month.year}</th>"
        )
        for value, href in cells:
            muted = "" if value else 'class="text-muted" '
            parts.append(
                f'\n          <td class="num"><a {muted}href="{escape(href)}">{escape(value)}</a></td>'
            )
        parts.append("\n        </tr>\n      ")
    return Markup("".join(parts))  # noqa: S704 - every value above is escaped


def visit_rows(visits: list[numbers.VisitRow], link: LinkMaker) -> Markup:
    """The visits' table body as the template's loop wrote it (the progress bar as its macro did),
    written once per visits, numbers, links and language."""
    key = ("visits", link.prefix, getattr(link, "day", None), str(get_locale()), tuple(visits))
    return _ROWS.get(key, lambda: _visit_rows(visits, link))


def _visit_rows(visits: list[numbers.VisitRow], link: LinkMaker) -> Markup:
    progress_word = _("Tiến độ")
    parts = []
    for row in visits:
        counts = row.counts
        parts.append(
            '\n    <tr class="visit-row">\n'
            f'      <td>{escape(row.title)}<div class="small text-muted">'
            f"{escape(format_date(row.visited_on))} · {escape(row.inspected_name)}</div></td>"
        )
        for value, href in (
            (counts.total, link(visit=row.visit_id)),
            (counts.done, link(visit=row.visit_id, timeliness="done")),
            (counts.overdue, link(visit=row.visit_id, timeliness="overdue")),
        ):
            muted = "" if value else 'class="text-muted" '
            parts.append(f'\n      <td class="num"><a {muted}href="{escape(href)}">{escape(value)}</a></td>')
        bar = progress_bar(int(round(row.average_progress, 0)), progress_word)
        parts.append(
            f"\n      <td>{bar}</td>\n"
            f'      <td class="num">{escape(_rate(row.done_share))}</td>\n'
            "    </tr>\n  "
        )
    return Markup("".join(parts))  # noqa: S704 - every value above is escaped


# Unit rows already written (``CountCells.row``): a few pages' worth of every unit in a few languages
# and periods; emptied when full (a row costs about 1.5 kB).
_ROWS: BoundedCache[Markup] = BoundedCache(4096)


@lru_cache(maxsize=8192)
def _percent(rate: float | None, language: str) -> str:
    """``percent`` of a rate in the page's language (the key), formatted once."""
    return percent(rate)


class _PastDayLinks(LinkMaker):
    """Links from a dashboard counted on a past day to the list as it stood then: a task done by
    that day is listed by its completion, an open one by its state at the end of that day."""

    DONE = frozenset({"on_time", "late", "done"})

    def __init__(self, path: str, day: date, **fixed: Any) -> None:
        super().__init__(path, **fixed)
        self.day = day

    def __call__(self, **extra: Any) -> str:
        category = extra.get("timeliness")
        if category in self.DONE:
            extra.setdefault("completed_to", self.day)
        elif category:
            extra.setdefault("open_on", self.day)
        return super().__call__(**extra)


def _without_empty_start(trend: list[numbers.TrendMonth], keep: int = 6) -> list[numbers.TrendMonth]:
    """Drop the leading months with nothing in them, keeping at least the last ``keep``."""
    first = next(
        (i for i, m in enumerate(trend) if m.done_on_time or m.done_late or m.overdue or m.open_within),
        len(trend),
    )
    return trend[min(first, max(0, len(trend) - keep)) :]


@lru_cache(maxsize=128)
def _trend_svg(points: tuple[charts.MonthPoint, ...], title: str, language: str) -> bytes:
    """Write the chart once per distinct set of numbers."""
    return charts.monthly_trend(list(points), title=title, fmt="svg", language=language)


def _inline_svg(svg: bytes) -> str:
    """The chart's <svg> element to put inside the page: an image named by its title and described,
    month by month, by its figures in words (the table beside it has them too)."""
    text = svg.decode("utf-8")
    return text[text.index("<svg") :]
