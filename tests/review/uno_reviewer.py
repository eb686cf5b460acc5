#!/usr/bin/python3
"""A reviewer, played by LibreOffice through its UNO bridge: opens a DOCX, comments, tracks
changes, saves as Word 2007+ XML, as a person in Writer would.

Run with Debian's Python (python3-uno is a system package, not in the project's venv):

    /usr/bin/python3 tests/review/uno_reviewer.py SCRIPT.json

SCRIPT.json:
    {"input": "built.docx", "output": "reviewed.docx",
     "accepted": "accepted.docx",            # optional: also save with every change accepted
     "timeout": 120,
     "actions": [
        {"op": "author", "name": "J. Smith"},           # the user profile's name: tracked changes' author
        {"op": "comment", "find": "47 per cent", "text": "Q3, not Q4", "author": "J. Smith",
         "date": "2024-02-10", "nth": 0, "name": "c1"},
        {"op": "reply", "to": "c1", "text": "Agreed", "author": "A. Author", "date": "2024-02-11"},
        {"op": "track", "on": true},                    # RecordChanges
        {"op": "replace", "find": "most", "with": "many", "nth": 0},
        {"op": "insert", "after": "phrase", "text": " more words"},
        {"op": "delete", "find": "words to go"}
     ]}

"find" is searched in the whole document (body, tables, footnotes: Writer's own search) and the
nth match (0 first) is used; a phrase not found is an error (exit 1, the phrase named). It prints
one JSON line: {"ok": true, "reply": <bool: replies were made as real replies>}.

soffice runs in a session of its own (-env:UserInstallation in a private temporary profile,
headless, invisible, norestore, a socket on 127.0.0.1 at a free port); whatever happens, its
process group is killed at the end, and the whole run is bounded by "timeout" seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import uno  # noqa: F401 - python3-uno: must come before com.sun.star imports
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.util import DateTime

STORE_FILTER = "MS Word 2007 XML"


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_office(profile: Path, port: int) -> subprocess.Popen:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("uno_reviewer: no soffice on PATH")
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck",
               f"--accept=socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"]
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def end_office(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def connect(port: int, deadline: float):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            return resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if time.monotonic() > deadline:
                raise SystemExit("uno_reviewer: LibreOffice did not accept a connection in time") from None
            time.sleep(0.2)


def set_user_name(ctx, name: str) -> None:
    """The user profile's name: what Writer records as the author of tracked changes."""
    smgr = ctx.ServiceManager
    provider = smgr.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    access = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess",
                                                  (prop("nodepath", "org.openoffice.UserProfile/Data"),))
    given, _, family = name.rpartition(" ")
    access.setPropertyValue("givenname", given)
    access.setPropertyValue("sn", family)
    access.commitChanges()


def date_time(text: str) -> DateTime:
    d = DateTime()
    y, m, day = (int(x) for x in text.split("-"))
    d.Year, d.Month, d.Day, d.Hours = y, m, day, 12
    return d


def find(doc, phrase: str, nth: int = 0):
    search = doc.createSearchDescriptor()
    search.SearchString = phrase
    search.SearchCaseSensitive = True
    found = doc.findAll(search)
    if found.getCount() <= nth:
        raise LookupError(f"phrase not found (match {nth}): {phrase!r}; {found.getCount()} match(es)")
    return found.getByIndex(nth)


def comment(doc, rng, action, names) -> None:
    text = rng.getText()
    cursor = text.createTextCursorByRange(rng.getStart())  # the mark at the start, the point at the end
    cursor.gotoRange(rng.getEnd(), True)
    text.insertTextContent(cursor, new_note(doc, action, names), True)


def new_note(doc, action, names):
    note = doc.createInstance("com.sun.star.text.textfield.Annotation")
    note.Author = action.get("author", "")
    if action.get("initials"):
        note.Initials = action["initials"]
    note.Content = action["text"]
    if action.get("date"):
        note.DateTimeValue = date_time(action["date"])
    if action.get("name"):
        names[action["name"]] = note
        try:
            note.Name = action["name"]
        except Exception:  # noqa: BLE001 - an older LibreOffice has no Name to set
            pass
    return note


def reply(doc, action, names) -> bool:
    """A reply to the comment named action["to"]: a new annotation at the parent's place with
    ParentName set, where this LibreOffice has it (7.x writes it as w15:commentEx paraIdParent)."""
    parent = names[action["to"]]
    anchor = parent.getAnchor()
    note = doc.createInstance("com.sun.star.text.textfield.Annotation")
    note.Author = action.get("author", "")
    note.Content = action["text"]
    if action.get("date"):
        note.DateTimeValue = date_time(action["date"])
    real = False
    info = note.getPropertySetInfo()
    if info.hasPropertyByName("ParentName"):
        note.ParentName = parent.Name
        real = True
    anchor.getText().insertTextContent(anchor.getEnd(), note, False)
    return real


def run(script: dict) -> dict:
    work = Path(tempfile.mkdtemp(prefix="uno-reviewer-"))
    port = free_port()
    office = start_office(work / "profile", port)
    timeout = float(script.get("timeout", 120))
    deadline = time.monotonic() + timeout
    # a watchdog: past the deadline, the office goes whatever the bridge is doing
    watchdog = threading.Timer(timeout, lambda: end_office(office))
    watchdog.daemon = True
    watchdog.start()
    result = {"ok": False, "reply": None}
    try:
        ctx = connect(port, deadline)
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        # a copy in the private folder: LibreOffice's lock file goes there, never beside the input
        # (a lock file left by a killed office makes the next load give nothing)
        private = work / ("input" + Path(script["input"]).suffix)
        shutil.copyfile(script["input"], private)
        url = private.as_uri()
        doc = None
        for _ in range(5):  # a fresh profile's first load may give nothing while the office settles
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            if doc is not None or time.monotonic() > deadline:
                break
            time.sleep(1)
        if doc is None:
            raise SystemExit(f"uno_reviewer: LibreOffice could not open {script['input']}")
        names: dict = {}
        for action in script.get("actions", []):
            op = action["op"]
            if op == "author":
                set_user_name(ctx, action["name"])
            elif op == "track":
                doc.RecordChanges = bool(action.get("on", True))
            elif op == "comment":
                comment(doc, find(doc, action["find"], action.get("nth", 0)), action, names)
            elif op == "reply":
                real = reply(doc, action, names)
                result["reply"] = real if result["reply"] is None else (result["reply"] and real)
            elif op == "replace":
                find(doc, action["find"], action.get("nth", 0)).setString(action["with"])
            elif op == "insert":
                rng = find(doc, action["after"], action.get("nth", 0))
                rng.getText().insertString(rng.getEnd(), action["text"], False)
            elif op == "delete":
                find(doc, action["find"], action.get("nth", 0)).setString("")
            else:
                raise SystemExit(f"uno_reviewer: unknown op {op!r}")
        out = Path(script["output"]).resolve()
        doc.storeToURL(out.as_uri(), (prop("FilterName", STORE_FILTER),))
        if script.get("accepted"):
            doc.RecordChanges = False
            accept_all(ctx, doc)
            doc.storeToURL(Path(script["accepted"]).resolve().as_uri(), (prop("FilterName", STORE_FILTER),))
        doc.close(True)
        result["ok"] = True
        return result
    finally:
        watchdog.cancel()
        end_office(office)
        shutil.rmtree(work, ignore_errors=True)


def accept_all(ctx, doc) -> None:
    smgr = ctx.ServiceManager
    dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    frame = doc.getCurrentController().getFrame()
    dispatcher.executeDispatch(frame, ".uno:AcceptAllTrackedChanges", "", 0, ())


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    script = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    try:
        result = run(script)
    except LookupError as exc:
        print(json.dumps({"ok": False, "error": str(exc)}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
