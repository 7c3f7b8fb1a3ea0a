"""The far side of the warm PDF converter (``exports.pdf``), run by a Python that has LibreOffice's
``uno`` module (Debian's /usr/bin/python3 with python3-uno), never imported by kiemtra itself.

It connects to a LibreOffice started with ``--accept=pipe,name=<name>;urp;``, then reads one JSON
request a line on stdin (``{"id": n, "src": file URL, "dst": file URL}``) and answers one JSON line on
stdout (``{"id": n, "ok": true}`` or ``{"id": n, "ok": false, "error": "..."}``) after writing the
PDF/A-2b file. When stdin ends (kiemtra's process exited, or died without stopping it) it kills that
LibreOffice (its process group, the third argument), so none is left running without its owner.
"""

import contextlib
import json
import os
import signal
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def _property(name, value):
    item = PropertyValue()
    item.Name = name
    item.Value = value
    return item


def _connect(pipe_name, wait):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    url = f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext"
    deadline = time.monotonic() + wait
    while True:
        try:
            context = resolver.resolve(url)
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


def _convert(desktop, src, dst):
    document = desktop.loadComponentFromURL(
        src, "_blank", 0, (_property("Hidden", True), _property("ReadOnly", True))
    )
    if document is None:
        raise RuntimeError("LibreOffice could not open the file")
    try:
        version = _property("SelectPdfVersion", 2)  # PDF/A-2b, as the one-shot conversion
        data = uno.Any("[]com.sun.star.beans.PropertyValue", (version,))
        options = (_property("FilterName", "writer_pdf_Export"), _property("FilterData", data))
        uno.invoke(document, "storeToURL", (dst, options))
    finally:
        document.close(True)


def _stop_office(office_pid):
    with contextlib.suppress(OSError):
        os.killpg(office_pid, signal.SIGKILL)


def main():
    pipe_name, wait, office_pid = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    try:
        desktop = _connect(pipe_name, wait)
    except Exception as error:
        print(json.dumps({"ok": False, "error": f"connect: {error}"}), flush=True)
        _stop_office(office_pid)
        return 1
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            _convert(desktop, request["src"], request["dst"])
            answer: dict = {"id": request.get("id"), "ok": True}
        except Exception as error:
            answer = {"id": request.get("id"), "ok": False, "error": str(error)[:300]}
        print(json.dumps(answer), flush=True)
    _stop_office(office_pid)  # kiemtra's process is gone: so is its LibreOffice
    return 0


if __name__ == "__main__":
    sys.exit(main())
