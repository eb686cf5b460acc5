"""A running `reportgen serve` on a private copy of the example, for the preview's tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_report


@dataclass
class Served:
    report: Path
    url: str
    process: subprocess.Popen

    def get(self, path: str = "/", host: str | None = None) -> tuple[int, bytes, str]:
        request = urllib.request.Request(self.url.rstrip("/") + path, headers={"Host": host} if host else {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), exc.headers.get("Content-Type", "")

    def stop(self) -> tuple[int, str]:
        """Ctrl-C, as a user stops it: the exit status and what it wrote on stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        _, err = self.process.communicate(timeout=30)
        return self.process.returncode, err


def start_serving(report: Path, *args) -> Served:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(report), "--port", "0", *args],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
    if match is None:
        process.kill()
        raise AssertionError(f"serve did not start: {line}{process.communicate()[1]}")
    return Served(report, match[1], process)


@pytest.fixture
def served(tmp_path):
    server = start_serving(copy_report(tmp_path))
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.communicate()
