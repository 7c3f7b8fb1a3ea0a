"""Template filters and globals: dates, numbers and the display words of states."""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from datetime import date
from functools import lru_cache
from typing import Any

from babel.numbers import NumberPattern, parse_pattern
from flask import Flask, g
from flask.templating import Environment as FlaskEnvironment
from flask_babel import format_date as babel_format_date
from flask_babel import format_decimal, get_locale, get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

from models.enums import DocumentKind
from models.labels import COUNT_COLUMNS, css_class, label
from models.vntext import WEEKDAYS, format_date, ordinal_la


def _language() -> tuple[str, Any]:
    """This request's interface language and its catalogue, as Flask-Babel chose them.

    Flask-Babel looks both up again at every call, through a dozen lookups of ``g``; a page asks for
    dozens of words. They are kept beside Flask-Babel's own choice (``g._flask_babel``) for as long as
    that choice stands: ``refresh()`` and ``force_locale()`` replace its locale, and the next call sees it.
    """
    try:
        context = g.get("_flask_babel")
    except RuntimeError:  # no application context: Flask-Babel's own answer
        return str(get_locale() or "vi"), get_translations()
    locale = getattr(context, "babel_locale", None)
    kept = getattr(context, "kiemtra_language", None)
    if locale is not None and kept is not None and kept[0] is locale:
        return kept[1], kept[2]
    translations = get_translations()  # chooses the locale on the first call of a request
    locale = get_locale()
    if locale is None:
        return "vi", translations
    g._flask_babel.kiemtra_language = (locale, str(locale), translations)
    return str(locale), translations


def interface_language() -> str:
    """The interface language of this request: "vi" or "en"."""
    return _language()[0]


@pass_eval_context
def translate(eval_context: EvalContext, string: str, **variables: Any) -> str:
    """Templates' ``_()``: Jinja's newstyle gettext (the words marked safe under autoescape, then
    ``% variables``), in one call instead of Jinja's two."""
    text = _language()[1].ugettext(string)
    if eval_context.autoescape:
        text = Markup(text)  # noqa: S704 - the catalogue's words, marked safe as Jinja's gettext does
    # Always a format string, as in Jinja ("%%" is "%"); without a "%" there is nothing to format.
    return text % variables if variables or "%" in text else text


def _gettext(string: str) -> str:
    return str(_language()[1].ugettext(string))


def _ngettext(singular: str, plural: str, n: int) -> str:
    return str(_language()[1].ungettext(singular, plural, n))


def _pgettext(context: str, string: str) -> str:
    return str(_language()[1].upgettext(context, string))


def _npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return str(_language()[1].unpgettext(context, singular, plural, n))


class Environment(FlaskEnvironment):
    """Flask's Jinja environment, rendering without copying its globals through a ``ChainMap``.

    Jinja 3 gives each template a ``ChainMap`` of its own globals over the environment's, and every
    render copies it into a dict key by key in Python (some 15 µs a page with kiemtra's forty globals).
    A template without globals of its own reads the environment's dict itself, as in Jinja 2. (So
    ``get_template(name, globals=…)`` on a template already loaded without them would add them to the
    environment's; kiemtra never passes template globals: helpers are the environment's, set at start.)
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return self.globals if not d else super().make_globals(d)


def file_size(size: int) -> str:
    """A file size as people read it, in the interface language: "850 KB", "1,4 MB" (English "1.4 MB")."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{format_decimal(size / (1024 * 1024), format='0.0')} MB"


def weekday(day: date | None) -> str:
    """The day's name in the interface language: "Thứ tư" in Vietnamese, "Wednesday" in English."""
    if day is None:
        return ""
    if interface_language() == "vi":
        return WEEKDAYS[day.weekday()]  # Vietnamese writes "Thứ tư", not CLDR's "Thứ Tư"
    return babel_format_date(day, "EEEE")


def percent(rate: float | None) -> str:
    """A rate with one decimal and the interface language's separator: "33,3%" (English "33.3%")."""
    return "—" if rate is None else f"{_one_decimal().apply(rate * 100, get_locale())}%"


@lru_cache(maxsize=1)
def _one_decimal() -> NumberPattern:
    """``format_decimal(…, format="0.0")``'s pattern, parsed once (a dashboard formats hundreds of rates)."""
    return parse_pattern("0.0")


def vi(text: object) -> Markup:
    """Vietnamese data (a unit's name, a visit's title, a note) inside an interface in another language,
    marked ``lang="vi"`` so a screen reader reads it with Vietnamese rules; as it is in Vietnamese."""
    if text is None or text == "":
        return Markup("")
    if interface_language() == "vi":
        return escape(text)
    return Markup('<span lang="vi">%s</span>') % text


def data_lang() -> Markup:
    """The attribute to put on an element holding only Vietnamese data: ``lang="vi"`` when the interface
    is in another language, else nothing."""
    return Markup("") if interface_language() == "vi" else Markup(' lang="vi"')


def invalid_fields(form: Any) -> list[dict[str, str]]:
    """The fields of a WTForms form (nested lists and subforms too) that carry errors, in page order:
    each field's id, its label and its messages, for the error summary that links to them."""
    found: list[dict[str, str]] = []

    def walk(fields: Iterable[Any]) -> None:
        for field in fields:
            if field.type == "FieldList":
                walk(field.entries)
            elif field.type == "FormField":
                walk(field.form)
            elif field.errors and field.type not in ("HiddenField", "CSRFTokenField"):
                messages = field.errors if isinstance(field.errors, (list, tuple)) else [field.errors]
                found.append(
                    {"id": field.id, "label": str(field.label.text), "message": " ".join(map(str, messages))}
                )

    walk(form)
    return found


# A progress bar and its percentage: the one markup of every page's bar, written by the templates'
# macro (``_macros.html``) and by the rows that views write in Python (task list, dossier, dashboard).
_PROGRESS_BAR = (
    '<div class="d-flex align-items-center gap-1 kt-progress-line">'
    '<div class="progress kt-progress flex-grow-1" role="progressbar" aria-label="{label}"'
    ' aria-valuenow="{value}" aria-valuemin="0" aria-valuemax="100">'
    '<div class="progress-bar{done}" style="width: {value}%"></div></div>'
    '<span class="small text-nowrap kt-progress-value">{value}%</span></div>'
)


def progress_bar(value: int, label: object = None) -> Markup:
    """The bar of a percentage from 0 to 100 (green when complete), labelled for screen readers
    "Tiến độ" in the page's language (``label``: that word, translated once by a caller that writes
    many rows)."""
    shown = int(value)
    if label is None:
        label = _language()[1].ugettext("Tiến độ")
    return Markup(  # noqa: S704 - the number is an int, the label escaped
        _PROGRESS_BAR.format(label=escape(label), value=shown, done=" bg-success" if shown == 100 else "")
    )


def init_app(app: Flask) -> None:
    """Register kiemtra's Jinja filters, the header's helpers, and the templates' gettext."""
    from app import navigation

    # The words of templates (``_()``, ``ngettext``, ``pgettext``) from this request's catalogue, kept
    # once found; otherwise as Flask-Babel installs them.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext
    )
    app.jinja_env.globals["_"] = translate
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["page_header"] = navigation.header
    app.jinja_env.globals["vi"] = vi
    app.jinja_env.globals["data_lang"] = data_lang
    app.jinja_env.globals["invalid_fields"] = invalid_fields
    # The display word and colour of every state and kind (models/labels.py); templates import
    # the badge macros from _labels.html.
    app.jinja_env.globals["label"] = label
    app.jinja_env.globals["css_class"] = css_class
    app.jinja_env.globals["count_columns"] = COUNT_COLUMNS
    app.jinja_env.globals["progress_bar"] = progress_bar
    app.jinja_env.globals["document_kind"] = DocumentKind  # issued documents store the kind as text
    app.add_template_filter(format_date, "vndate")
    app.add_template_filter(ordinal_la, "ordinal")
    app.add_template_filter(file_size, "filesize")
    app.add_template_filter(weekday, "weekday")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(vi, "vi")
