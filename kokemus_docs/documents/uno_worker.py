"""Converts documents to PDF in a LibreOffice that stays running; run by `warmoffice` with a Python that has
LibreOffice's `uno` module (Debian: python3-uno). Not imported by kokemus-docs itself.

Reads one JSON request a line on stdin, {"source": path, "target": path}, and answers one JSON line on stdout,
{"ok": true} or {"ok": false, "error": text}. The first line it writes is {"ready": true} once connected.
When stdin closes (the server has stopped, even if it was killed), it tells LibreOffice to quit.
"""

import json
import os
import shutil
import sys
import time


def _connect(pipe_name, seconds):
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + seconds
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext")
            return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _property(name, value):
    from com.sun.star.beans import PropertyValue

    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _convert(desktop, source, target):
    import uno

    document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0,
                                            (_property("Hidden", True), _property("ReadOnly", True)))
    if document is None:
        raise RuntimeError("LibreOffice could not open the document")
    try:
        document.storeToURL(uno.systemPathToFileUrl(target), (_property("FilterName", "writer_pdf_Export"),))
    finally:
        document.close(True)


def main():
    desktop = _connect(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 60.0)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        try:
            request = json.loads(line)
            _convert(desktop, request["source"], request["target"])
            answer: dict[str, object] = {"ok": True}
        except Exception as exc:  # noqa: BLE001 - every failure is reported to the caller, who decides
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]}
        print(json.dumps(answer), flush=True)
    # stdin closed: the server stopped (however it stopped), so LibreOffice stops too, and its profile goes
    try:
        desktop.terminate()
    except Exception:  # noqa: BLE001 - it may be gone already
        pass
    if len(sys.argv) > 3 and os.path.basename(sys.argv[3]).startswith("kokemus-warm-"):
        time.sleep(2)
        shutil.rmtree(sys.argv[3], ignore_errors=True)


if __name__ == "__main__":
    main()
