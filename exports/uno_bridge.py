"""The far side of the warm PDF converter (``exports.pdf``), run by a Python that has LibreOffice's
``uno`` module (Debian's /usr/bin/python3 with python3-uno), never imported by kiemtra itself.

It connects to a LibreOffice started with ``--accept=pipe,name=<name>;urp;``, then reads one JSON
request a line on stdin (``{"src": file URL, "dst": file URL}``) and answers one JSON line on stdout
(``{"ok": true}`` or ``{"ok": false, "error": "..."}``) after writing the PDF/A-2b file.
"""

import json
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


def main():
    pipe_name, wait = sys.argv[1], float(sys.argv[2])
    try:
        desktop = _connect(pipe_name, wait)
    except Exception as error:
        print(json.dumps({"ok": False, "error": f"connect: {error}"}), flush=True)
        return 1
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            _convert(desktop, request["src"], request["dst"])
            answer: dict = {"ok": True}
        except Exception as error:
            answer = {"ok": False, "error": str(error)[:300]}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
