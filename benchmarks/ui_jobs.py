"""What the three main jobs cost a person in Chromium, the page weight of two pages, and time to interactive.

Counted by doing each job in a real browser on a fresh demo database (``kiemtra demo``'s data):

1. an inspector records a visit with 3 directives (a coordinating unit on one of them) and concludes it;
2. an office reports a task done with a file;
3. a leader gets the summary report as PDF from the dashboard.

For each job: clicks (a click, a choice in a drop-down, an Enter that picks), typed fields and full page
loads (each document the browser loads after sign-in). Then the page weight of the visit form and of
``/tasks`` (HTML + CSS + JS as sent, uncompressed, scripts and sheets counted once), and the time to
interactive (``domInteractive`` and ``DOMContentLoaded`` end, median of 5 warm loads) of the main pages
against a static page with the same stylesheets and scripts served by the same server in the same run
(the floor: what the browser needs for the shell alone).

Run it on any checkout: the app comes from the import path, so the same script measures an older tree::

    python benchmarks/ui_jobs.py                                   # this checkout
    PYTHONPATH=/path/to/old/checkout python benchmarks/ui_jobs.py  # an older one, same script

Writes ``benchmarks/results/ui-jobs-<label>.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
CHROMIUM = os.environ.get("KIEMTRA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
STATIC_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>tĩnh</title>
<link rel="stylesheet" href="/static/vendor/bootstrap/bootstrap.min.css">
<link rel="stylesheet" href="/static/kiemtra.css"></head>
<body><main class="container-xl"><h1>tĩnh</h1><p>ok</p></main>
<script src="/static/vendor/bootstrap/bootstrap.bundle.min.js"></script>
<script src="/static/kiemtra.js"></script></body></html>"""


class Counter:
    """The person's actions on one page object."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.clicks = 0
        self.typed = 0
        self.loads = 0
        self.pages: list[str] = []
        page.on("domcontentloaded", lambda *_: self._loaded())

    def _loaded(self) -> None:
        self.loads += 1
        self.pages.append(self.page.url.split("/", 3)[-1])

    def reset(self) -> None:
        self.clicks = self.typed = self.loads = 0
        self.pages = []

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.page.click(selector)

    def fill(self, selector: str, text: str) -> None:
        self.typed += 1
        self.page.fill(selector, text)

    def choose(self, selector: str, words: str) -> None:
        """Pick the option whose text contains ``words`` (one click on a native drop-down)."""
        value = self.page.eval_on_selector(
            selector,
            "(s, w) => [...s.options].find(o => o.textContent.includes(w) && o.value).value",
            words,
        )
        self.clicks += 1
        self.page.select_option(selector, value)

    def result(self) -> dict[str, Any]:
        return {
            "clicks": self.clicks,
            "typed fields": self.typed,
            "page loads": self.loads,
            "loaded": self.pages,
        }


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/")


def record_and_conclude(page: Any, base: str, password: str) -> dict[str, int]:
    sign_in(page, base, "inspector", password)
    act = Counter(page)
    act.click("main >> text=Ghi đợt kiểm tra mới")
    page.wait_for_selector("#visit-form")
    act.fill("input[name=title]", "Kiểm tra việc thực hiện Quy định 85-QĐ/TW tại xã Thiện Hưng (đo)")
    act.fill("input[name=subject]", "việc thực hiện Quy định 85-QĐ/TW")
    act.fill("input[name=visited_on]", "02/12/2026")
    act.choose("select[name=inspected_org_id]", "Đảng ủy xã Thiện Hưng")
    act.choose("select[name=inspecting-0-person_id]", "Trần Thị Mai Hương")
    act.fill("input[name=inspecting-0-position_on_day]", "Phó Trưởng Ban Tuyên giáo Tỉnh ủy")
    act.fill("textarea[name=findings-0-text]", "Đã quán triệt Quy định 85-QĐ/TW đến các chi bộ.")
    bodies = (
        "Rà soát trang thông tin cá nhân của đảng viên.",
        "Tổ chức hội nghị quán triệt Quy định 85-QĐ/TW.",
        "Báo cáo kết quả thực hiện về Ban Tuyên giáo Tỉnh ủy.",
    )
    for n, body in enumerate(bodies):
        if not page.locator(f"textarea[name=directives-{n}-body]").count():
            act.click("button[value='add:directives']")
            page.wait_for_selector(f"textarea[name=directives-{n}-body]")
        act.fill(f"textarea[name=directives-{n}-body]", body)
        act.choose(f"select[name=directives-{n}-tasks-0-lead_org_id]", "Đảng ủy xã Thiện Hưng")
        act.fill(f"input[name=directives-{n}-tasks-0-due_on]", "31/12/2026")
    finder = "#directives-1-tasks-0-coordinating_ids-find"
    if page.locator(finder).count():  # the searchable picker
        act.fill(finder, "uy ban xa thien")
        act.clicks += 1  # Enter picks the first match
        page.press(finder, "Enter")
    else:  # the native multi-select
        act.choose("select[name=directives-1-tasks-0-coordinating_ids]", "Ủy ban nhân dân xã Thiện Hưng")
    act.click("#save")
    page.wait_for_load_state()
    if os.environ.get("KIEMTRA_UI_SHOTS"):
        page.screenshot(path=str(Path(tempfile.gettempdir()) / "ui-jobs-saved.png"), full_page=True)
    if page.locator("#reach-warning").count():  # a new task may not reach anyone: tick and save again
        act.click("input[name=confirm_reach]")
        act.click("#save")
    page.wait_for_selector("text=Đã lưu đợt kiểm tra")
    page.once("dialog", lambda dialog: dialog.accept())
    act.clicks += 1  # the confirmation
    act.click("#conclude")
    page.wait_for_selector("text=Đã kết luận đợt kiểm tra")
    return act.result()


def report_done(page: Any, base: str, password: str, evidence: Path) -> dict[str, int]:
    sign_in(page, base, "office", password)
    act = Counter(page)
    act.click("nav >> text=Nhiệm vụ")
    page.wait_for_selector("#task-table")
    act.click("#task-table tbody tr:has(.kt-task-in_progress) a")  # a task being worked on
    page.wait_for_selector("#report-form")
    act.fill("#report-form textarea", "Đã tổ chức hội nghị quán triệt ở 14 chi bộ; gửi kèm biên bản.")
    act.clicks += 1  # choosing the file in the dialog
    page.set_input_files("#report-form input[type=file]", str(evidence))
    act.click("#report-form button[type=submit]")
    page.wait_for_selector("text=Đã báo cáo hoàn thành")
    return act.result()


def summary_pdf(page: Any, base: str, password: str) -> dict[str, int]:
    sign_in(page, base, "leader", password)
    act = Counter(page)
    act.click("nav >> text=Bảng điều hành")
    page.wait_for_selector("#summary-pdf")
    with page.expect_download() as download:
        act.click("#summary-pdf")
    assert download.value.suggested_filename.endswith(".pdf")
    return act.result()


def weight(browser: Any, state: Any, base: str, path: str) -> dict[str, int]:
    """Bytes of the document, its stylesheets and its scripts (decoded sizes, as the browser reports them)
    on a first visit: a fresh context, so nothing comes from the cache."""
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1280, "height": 800}, storage_state=state
    )
    page = context.new_page()
    page.goto(base + path, wait_until="load")
    sizes: dict[str, int] = page.evaluate(
        """() => {
            const html = performance.getEntriesByType('navigation')[0].decodedBodySize;
            const found = {html: html, css: 0, js: 0};
            for (const r of performance.getEntriesByType('resource')) {
                if (r.name.endsWith('.css')) found.css += r.decodedBodySize;
                else if (r.name.endsWith('.js')) found.js += r.decodedBodySize;
            }
            return found;
        }"""
    )
    context.close()
    sizes["total"] = sum(sizes.values())
    return sizes


def interactive(page: Any, base: str, path: str, repeat: int = 5) -> dict[str, float]:
    """Median ms from navigation start to domInteractive and to the end of DOMContentLoaded (warm)."""
    page.goto(base + path)
    marks: list[tuple[float, float]] = []
    for _ in range(repeat):
        page.goto(base + path, wait_until="load")
        timing = page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return [n.domInteractive, n.domContentLoadedEventEnd]; }"
        )
        marks.append((timing[0], timing[1]))
    return {
        "dom interactive ms": round(statistics.median(m[0] for m in marks), 1),
        "DOMContentLoaded end ms": round(statistics.median(m[1] for m in marks), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--label", default="this", help="name of the run in the results file")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from app import create_app, policy
    from models import db
    from workflows.clock import local_today
    from workflows.demo import DEMO_PASSWORD, load_demo

    workdir = Path(tempfile.mkdtemp(prefix="kiemtra-ui-"))
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'ui.sqlite'}",
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(workdir),
            "UPLOAD_DIR": str(workdir / "uploads"),
        }
    )
    app.add_url_rule("/bench/static", "bench_static", lambda: STATIC_PAGE)
    policy.register({"bench_static": policy.SIGNED_IN})
    with app.app_context():
        upgrade()
        load_demo(today=local_today())
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    evidence = workdir / "bien-ban.pdf"
    evidence.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    results: dict[str, Any] = {"label": args.label, "app": str(Path(sys.modules["app"].__file__).parent)}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"]
            )
            jobs: dict[str, Any] = {}
            for name, job in (
                ("inspector records a visit with 3 directives and concludes it", record_and_conclude),
                ("office reports a task done with a file", lambda p, b, pw: report_done(p, b, pw, evidence)),
                ("leader gets the summary PDF", summary_pdf),
            ):
                context = browser.new_context(
                    locale="vi-VN", viewport={"width": 1280, "height": 800}, accept_downloads=True
                )
                page = context.new_page()
                page.set_default_timeout(120_000)
                try:
                    jobs[name] = job(page, base, DEMO_PASSWORD)
                except Exception as error:
                    jobs[name] = {"error": f"{type(error).__name__}: {str(error).splitlines()[0]}"}
                    page.screenshot(path=str(Path(tempfile.gettempdir()) / f"ui-jobs-{args.label}-error.png"))
                context.close()
            results["jobs"] = jobs

            context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.set_default_timeout(120_000)
            sign_in(page, base, "inspector", DEMO_PASSWORD)
            state = context.storage_state()
            results["weight"] = {
                path: weight(browser, state, base, path) for path in ("/visits/new", "/tasks")
            }
            pages = ("/bench/static", "/", "/visits", "/visits/new", "/tasks", "/dashboard", "/inbox")
            results["interactive"] = {path: interactive(page, base, path) for path in pages}
            context.close()
            browser.close()
    finally:
        server.shutdown()
        shutil.rmtree(workdir, ignore_errors=True)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"ui-jobs-{args.label}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
