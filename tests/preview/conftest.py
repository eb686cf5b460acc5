"""A running `reportgen serve` on a private copy of the example, for the preview's tests."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_report


LINE_WAIT = 60.0  # the longest a test waits for serve's next line (a bound, not a timing)


@dataclass
class Served:
    report: Path
    url: str
    process: subprocess.Popen
    first: str = ""  # the `serving ... at URL` line
    _lines: queue.Queue = field(default_factory=queue.Queue)

    def __post_init__(self):
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self._lines.put(line)
        self._lines.put(None)

    def line(self) -> str:
        """serve's next line on the terminal (stderr), waiting for it at most LINE_WAIT seconds."""
        try:
            line = self._lines.get(timeout=LINE_WAIT)
        except queue.Empty:
            raise AssertionError(f"serve printed no line within {LINE_WAIT} s") from None
        assert line is not None, "serve stopped"
        return line.rstrip("\n")

    def get(self, path: str = "/", host: str | None = None) -> tuple[int, bytes, str]:
        request = urllib.request.Request(self.url.rstrip("/") + path, headers={"Host": host} if host else {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), exc.headers.get("Content-Type", "")

    def stop(self) -> tuple[int, str]:
        """Ctrl-C, as a user stops it: the exit status and what it wrote on stderr since the last `line`."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)
        return self.process.returncode, self._rest()

    def _rest(self) -> str:
        """The lines not yet read, once serve has ended; then its pipes are closed."""
        rest = []
        while (line := self._lines.get(timeout=30)) is not None:
            rest.append(line)
        self._lines.put(None)  # for a second call
        self.process.stdout.close()
        self.process.stderr.close()
        return "".join(rest)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        self._rest()


def start_serving(report: Path, *args, env: dict | None = None) -> Served:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})}
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(report), "--port", "0", *args],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
    if match is None:
        process.kill()
        raise AssertionError(f"serve did not start: {line}{process.communicate()[1]}")
    return Served(report, match[1], process, line.rstrip("\n"))


@pytest.fixture
def served(tmp_path):
    server = start_serving(copy_report(tmp_path))
    yield server
    server.kill()
