"""SQLite: a slow request holds no write lock. While an issued PDF takes seconds to convert, other
people sign in, save and open their notifications, and none of them waits for it or fails."""

from __future__ import annotations

import re
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from models import IssuedDocument, Notification, db
from models.enums import FindingKind, NotificationKind
from tests.conftest import PASSWORD
from tests.servers import Browser, hidden, sign_in, start_server

pytestmark = pytest.mark.slow

CONVERSION_SECONDS = 6
BUSY_TIMEOUT_MS = 2000  # far shorter than the conversion: a writer waiting for it would fail

FAKE_SOFFICE = f"""#!/bin/sh
# A LibreOffice that takes its time: writes a small PDF into --outdir after {CONVERSION_SECONDS} s.
sleep {CONVERSION_SECONDS}
while [ "$#" -gt 0 ]; do
  if [ "$1" = "--outdir" ]; then out="$2"; fi
  shift
done
printf '%%PDF-1.4\\n%%%%EOF\\n' > "$out/document.pdf"
"""


def test_others_sign_in_save_and_open_notifications_while_a_pdf_converts(
    world, database_url, tmp_path, conducted_visit, create_task
):
    visit = conducted_visit(
        findings={FindingKind.ACHIEVEMENT: ["Duy trì sinh hoạt chi bộ chuyên đề."]},
        directives=[("Quán triệt Quy định 85-QĐ/TW", "Tổ chức hội nghị quán triệt cho đảng viên.")],
    )
    task = create_task()
    notices = [
        Notification(
            recipient=world.office, task=task, kind=NotificationKind.ASSIGNED, key_on=date(2023, 1, day)
        )
        for day in range(1, 7)
    ]
    db.session.add_all(notices)
    db.session.commit()
    notice_ids = [notice.id for notice in notices]
    visit_id = visit.id
    db.session.rollback()

    soffice = tmp_path / "slow-soffice"
    soffice.write_text(FAKE_SOFFICE)
    soffice.chmod(soffice.stat().st_mode | stat.S_IEXEC)
    server = start_server(
        database_url,
        tmp_path / "instance",
        threads=8,
        KIEMTRA_SOFFICE=str(soffice),
        KIEMTRA_SQLITE_BUSY_TIMEOUT_MS=str(BUSY_TIMEOUT_MS),
    )
    try:
        issuer = sign_in(server.url, "inspector", PASSWORD)
        page = issuer.get(f"{server.url}/visits/{visit_id}").text
        form = page[page.index('id="doc-issue-bao-cao"') :]
        data = {
            "ngay": "14/06/2023",
            "ly_do": "Vào sổ năm 2023",
            "dinh_dang": "pdf",
            "once": re.search(r'name="once" value="([^"]+)"', form).group(1),
            "csrf_token": hidden(page, "csrf_token"),
        }
        office = sign_in(server.url, "office", PASSWORD)
        office_token = hidden(office.get(server.url + "/inbox").text, "csrf_token")
        started = threading.Event()

        def issue() -> tuple[int, float]:
            started.set()
            began = time.monotonic()
            answer = issuer.post(f"{server.url}/van-ban/dot-kiem-tra/{visit_id}/bao-cao/cap-so", data)
            return answer.status_code, time.monotonic() - began

        def sign_in_again(name: str) -> tuple[str, int, float]:
            began = time.monotonic()
            browser = Browser()
            token = hidden(browser.get(server.url + "/login").text, "csrf_token")
            answer = browser.post(
                server.url + "/login", {"username": name, "password": PASSWORD, "csrf_token": token}
            )
            return f"sign in {name}", answer.status_code, time.monotonic() - began

        def save_language(locale: str) -> tuple[str, int, float]:
            began = time.monotonic()
            answer = office.post(
                server.url + "/language", {"locale": locale, "next": "/inbox", "csrf_token": office_token}
            )
            return f"language {locale}", answer.status_code, time.monotonic() - began

        def open_notice(notice_id: int) -> tuple[str, int, float]:
            began = time.monotonic()
            answer = office.get(f"{server.url}/inbox/{notice_id}")
            return f"open {notice_id}", answer.status_code, time.monotonic() - began

        with ThreadPoolExecutor(7) as pool:
            slow = pool.submit(issue)
            started.wait()
            time.sleep(1.5)  # the conversion is under way
            others = []
            for round_ in range(3):
                others.append(pool.submit(sign_in_again, ("leader", "culture", "admin")[round_]))
                others.append(pool.submit(save_language, ("en", "vi", "en")[round_]))
                others.append(pool.submit(open_notice, notice_ids[2 * round_]))
                others.append(pool.submit(open_notice, notice_ids[2 * round_ + 1]))
            results = [future.result() for future in others]
            status, seconds = slow.result()
        assert status == 200 and seconds >= CONVERSION_SECONDS
        failed = [(what, code) for what, code, _ in results if code >= 500]
        assert failed == []
        assert all(code == 302 for _, code, _ in results), results
        # None of them waited for the conversion.
        assert max(taken for _, _, taken in results) < CONVERSION_SECONDS - 1, results
    finally:
        server.stop()
    db.session.rollback()
    assert db.session.query(IssuedDocument).count() == 1
    assert all(db.session.get(Notification, notice_id).read_at is not None for notice_id in notice_ids)
    db.session.rollback()
