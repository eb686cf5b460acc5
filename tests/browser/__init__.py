"""A real browser for the tests: Debian's chromium driven by puppeteer-core (``driver.mjs``).

`make test-deps` installs chromium and node (scripts/system-deps.sh --test) and this folder's npm
packages (axe-core, puppeteer-core, pinned in package-lock.json). The `browser` fixture in
tests/conftest.py starts one browser for the session:

    browser.open(path_or_url, width=320)      load a page (a Path becomes a file:// URL)
    browser.eval("document.title")             run JavaScript in the page, get the JSON value back
    browser.wait("document.querySelector('h1')")   wait until an expression is truthy
    browser.press("Tab")                       a key press; returns the focused element
    browser.style(TEXT_SPACING)                add a style sheet to the page
    browser.axe()                              axe-core's violations and incomplete results
    browser.screenshot(path)
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path

HERE = Path(__file__).parent
DRIVER = HERE / "driver.mjs"

# WCAG 2.2 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# WCAG 1.4.12 Text Spacing: what a reader's style sheet may set without loss of content.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""


class BrowserError(RuntimeError):
    pass


def missing() -> str | None:
    """Why the browser cannot start here, or None."""
    if shutil.which("node") is None:
        return "node is not installed: run `make test-deps`"
    if not (HERE / "node_modules" / "puppeteer-core").is_dir():
        return "tests/browser/node_modules is missing: run `make test-deps`"
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        return f"{chromium} is not installed: run `make test-deps`"
    return None


class Browser:
    def __init__(self, timeout: float = 60.0):
        reason = missing()
        if reason:
            raise BrowserError(reason)
        self.timeout = timeout
        self._next = 0
        self._process = subprocess.Popen(
            ["node", str(DRIVER)], cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, bufsize=1)
        self._answers: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self._process.stdout:
            self._answers.put(line)
        self._answers.put(None)

    def call(self, op: str, **args):
        self._next += 1
        request = {"id": self._next, "op": op, **args}
        try:
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
        except BrokenPipeError:
            raise BrowserError(f"the browser driver has stopped: {self._process.stderr.read()}") from None
        while True:
            try:
                line = self._answers.get(timeout=self.timeout)
            except queue.Empty:
                raise BrowserError(f"no answer to {op} within {self.timeout} s") from None
            if line is None:
                raise BrowserError(f"the browser driver has stopped: {self._process.stderr.read()}")
            answer = json.loads(line)
            if answer.get("id") == self._next:
                break
        if not answer["ok"]:
            raise BrowserError(f"{op}: {answer['error']}")
        return answer["value"]

    def open(self, where: str | Path, width: int = 1280, height: int = 800) -> dict:
        url = Path(where).resolve().as_uri() if isinstance(where, Path) else where
        return self.call("open", url=url, width=width, height=height)

    def eval(self, js: str):
        return self.call("eval", js=js)

    def wait(self, js: str, timeout: float = 10.0):
        return self.call("wait", js=js, timeout=int(timeout * 1000))

    def style(self, css: str) -> None:
        self.call("style", css=css)

    def press(self, key: str) -> dict | None:
        return self.call("key", key=key)

    def axe(self, tags=AXE_TAGS) -> dict:
        return self.call("axe", tags=list(tags))

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        self.call("screenshot", path=str(path), fullPage=full_page)
        return path

    def errors(self) -> list[str]:
        """Script errors and console errors since the last `open`."""
        return self.call("errors")

    def close(self) -> None:
        """Quit the browser: end of input stops the driver, which closes chromium."""
        try:
            self._process.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process.stdout.close()
        self._process.stderr.close()
