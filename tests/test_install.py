"""Getting reportgen: the README's first screen, run as a new user runs it, in a fresh clone; the
Makefile's installs (what `make demo` and `make test` each install, and not again); a Python
without reportgen's packages told what to do in one line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from generator.__main__ import REQUIRED
from tests.conftest import ROOT

GIT = shutil.which("git")


def first_block(readme: Path) -> str:
    """The README's first fenced block: the commands of its first screen."""
    match = re.search(r"^```(?:sh|bash|console)?\n(.*?)^```", readme.read_text(encoding="utf-8"), re.M | re.S)
    assert match, "the README has no fenced block"
    return match[1]


def clone(tmp_path: Path) -> Path:
    """A clone of this checkout's HEAD, as `git clone` gives a new user (no .venv, no out/)."""
    target = tmp_path / "reportgen"
    head = subprocess.run([GIT, "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True, timeout=60).stdout.strip()
    subprocess.run([GIT, "clone", "-q", "--no-checkout", str(ROOT), str(target)], check=True, timeout=120)
    subprocess.run([GIT, "-C", str(target), "checkout", "-q", "--detach", head], check=True, timeout=120)
    return target


def private_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a user whose home, pipx and PATH are in `tmp_path`: nothing of the real
    home is written, and no other `reportgen` on the PATH can answer for the one installed."""
    bin_dir = tmp_path / "bin"
    path = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not (Path(d) / "reportgen").exists() and Path(d) != Path(sys.executable).parent]
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    real_config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    env.update(HOME=str(tmp_path / "home"), PIPX_HOME=str(tmp_path / "pipx"), PIPX_BIN_DIR=str(bin_dir),
               XDG_CACHE_HOME=str(tmp_path / "home" / ".cache"), XDG_DATA_HOME=str(tmp_path / "home" / ".local/share"),
               XDG_STATE_HOME=str(tmp_path / "home" / ".local/state"),
               XDG_CONFIG_HOME=real_config,  # read only: pip's own settings (an index), as the user has them
               PATH=os.pathsep.join([str(bin_dir), *path]))
    (tmp_path / "home").mkdir()
    return env


@pytest.mark.install
@pytest.mark.skipif(GIT is None or not (ROOT / ".git").exists(), reason="needs git and a git checkout")
def test_the_readme_s_first_screen_gives_a_reportgen_command_on_the_path(tmp_path):
    """Clone, run the README's first block as written, and `reportgen` is a command on the PATH
    (pipx's, private to the test), the version printed by the block itself."""
    assert shutil.which("pipx"), "pipx is missing: `make test-deps` (scripts/system-deps.sh --test) installs it"
    checkout = clone(tmp_path)
    commands = first_block(checkout / "README.md")
    assert "reportgen --version" in commands, commands
    env = private_env(tmp_path)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", commands], cwd=checkout, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"{commands}\n--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
    assert "reportgen, version 0.1.0" in done.stdout, done.stdout
    where = subprocess.run(["bash", "-c", "command -v reportgen"], env=env, capture_output=True, text=True,
                           timeout=60)
    assert where.stdout.strip() == str(tmp_path / "bin" / "reportgen"), where
    # the command works from any folder, away from the checkout (its templates and styles are inside it)
    away = tmp_path / "elsewhere"
    away.mkdir()
    new = subprocess.run(["reportgen", "new", "Westshire PDU", "--framework", "hmip-pdu-2023"], cwd=away, env=env,
                         capture_output=True, text=True, timeout=120)
    assert new.returncode == 0 and "next: reportgen check 'Westshire PDU'" in new.stdout, new
    assert not (tmp_path / "home" / ".local" / "bin").exists()  # pipx's PIPX_BIN_DIR, nothing in a default place


# --------------------------------------------------------------------------- the Makefile


MAKE_ENV = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}

# A stand-in for python3: `-m venv DIR` makes DIR/bin/python (itself); anything else is logged.
FAKE_PYTHON = """#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; exit 0; fi
echo "$*" >> "$FAKE_PYTHON_LOG"
"""


def make(checkout: Path, *args: str) -> str:
    done = subprocess.run(["make", *args], cwd=checkout, capture_output=True, text=True, timeout=60, env=MAKE_ENV)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_installs_only_what_building_needs_and_make_test_the_test_extras(tmp_path, monkeypatch):
    """The Makefile's installs, run with a stand-in Python that logs what pip is asked: what
    `make demo` needs installs reportgen alone, what `make test` needs its test extras too; run
    again, nothing is installed, until pyproject.toml changes."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    os.utime(tmp_path / "pyproject.toml", (1e9, 1e9))
    fake, log = tmp_path / "fake-python", tmp_path / "pip.log"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    monkeypatch.setitem(MAKE_ENV, "FAKE_PYTHON_LOG", str(log))

    def installed(target: str) -> list[str]:
        before = log.read_text().splitlines() if log.exists() else []
        make(tmp_path, f"PYTHON={fake}", target)
        return (log.read_text().splitlines() if log.exists() else [])[len(before):]

    demo = make(tmp_path, "-n", "demo")  # what `make demo` would run: the building stamp, not the tests'
    assert ".venv/.installed-stamp" in demo and ".test-stamp" not in demo and "reportgen build" in demo, demo
    assert installed(".venv/.installed-stamp") == ["-m pip install -q --upgrade pip", "-m pip install -q -e ."]
    assert installed(".venv/.installed-stamp") == []
    assert ".test-stamp" in make(tmp_path, "-n", "test")
    assert installed(".venv/.test-stamp") == ["-m pip install -q -e .[test]"]
    assert installed(".venv/.test-stamp") == [] and installed(".venv/.installed-stamp") == []
    (tmp_path / "pyproject.toml").touch()  # changed: both install again
    assert installed(".venv/.test-stamp") == ["-m pip install -q --upgrade pip", "-m pip install -q -e .",
                                              "-m pip install -q -e .[test]"]


# A stand-in for pipx: logs its arguments; `install` puts a `reportgen` into $PIPX_BIN_DIR.
FAKE_PIPX = """#!/bin/sh
echo "pipx $*" >> "$FAKE_PYTHON_LOG"
if [ "$1" = "install" ]; then mkdir -p "$PIPX_BIN_DIR" && printf '#!/bin/sh\\n' > "$PIPX_BIN_DIR/reportgen"; fi
"""


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_install_installs_with_pipx_once_and_again_when_the_checkout_changes(tmp_path, monkeypatch):
    """`make install` with a stand-in pipx and system-deps.sh: pipx installs the checkout with
    the Makefile's Python; run again, nothing, until a packaged file changes or the command is gone."""
    checkout, bin_dir, log = tmp_path / "checkout", tmp_path / "bin", tmp_path / "calls.log"
    (checkout / "scripts").mkdir(parents=True)
    (checkout / "generator").mkdir()
    for name in ("Makefile", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, checkout / name)
    (checkout / "generator" / "cli.py").write_text("")
    (checkout / "scripts" / "system-deps.sh").write_text('echo "system-deps $*" >> "$FAKE_PYTHON_LOG"\n')
    fakes = tmp_path / "fakes"
    fakes.mkdir()
    (fakes / "pipx").write_text(FAKE_PIPX)
    (fakes / "pipx").chmod(0o755)
    for old in [checkout / "Makefile", checkout / "pyproject.toml", checkout / "README.md", checkout / "generator" / "cli.py"]:
        os.utime(old, (1e9, 1e9))
    monkeypatch.setitem(MAKE_ENV, "FAKE_PYTHON_LOG", str(log))
    monkeypatch.setitem(MAKE_ENV, "PIPX_BIN_DIR", str(bin_dir))
    monkeypatch.setitem(MAKE_ENV, "PATH", f"{fakes}{os.pathsep}{MAKE_ENV['PATH']}")

    def calls() -> list[str]:
        before = log.read_text().splitlines() if log.exists() else []
        output = make(checkout, "install")
        hint = f"make install: {bin_dir} is not on your PATH: run `pipx ensurepath`, then open a new terminal"
        assert (hint in output) == ("pipx install" in output), output  # after each install, as it is not
        return [line.split(" --python ")[0] for line in (log.read_text().splitlines() if log.exists() else [])[len(before):]]

    python = subprocess.run(["bash", "-c", "command -v python3"], capture_output=True, text=True, env=MAKE_ENV,
                            timeout=30).stdout.strip()
    assert calls() == ["system-deps --install", "pipx install --force"]
    assert f"--python {python} ." in log.read_text()
    assert calls() == []
    (checkout / "generator" / "cli.py").write_text("# changed")
    assert calls() == ["system-deps --install", "pipx install --force"]
    assert calls() == []
    (bin_dir / "reportgen").unlink()  # `pipx uninstall reportgen` by hand
    assert calls() == ["system-deps --install", "pipx install --force"]


# --------------------------------------------------------------------------- without its packages


def test_python_m_generator_without_its_packages_says_what_to_do_in_one_line(tmp_path):
    """`python -m generator` with a Python that has none of reportgen's packages (here: without
    site-packages, -S): one line naming what is missing and how to install it, exit 2."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-S", "-m", "generator", "new", "x"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done
    assert done.stdout == "" and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"reportgen: the Python packages it needs are not installed for {sys.executable} (")
    assert "click" in line and "weasyprint" in line and "make install" in line, line
    assert not (tmp_path / "x").exists()


def test_the_packages_checked_are_the_packages_required():
    """generator/__main__.py REQUIRED names every dependency of pyproject.toml, each with the
    module that distribution installs."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.match(r"[A-Za-z0-9_.-]+", req)[0].lower() for req in project["dependencies"]}
    assert names <= set(REQUIRED), names - set(REQUIRED)
    installed = {module: {d.lower() for d in dists} for module, dists in packages_distributions().items()}
    wrong = {name: module for name, module in REQUIRED.items() if name not in installed.get(module, set())}
    assert not wrong, f"not the module these distributions install: {wrong}"
