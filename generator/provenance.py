"""Where a report's version comes from when report.yaml gives none: the git commit of its folder.

`folder_version(folder)` is the short hash and the date of the last commit that touched the
folder, e.g. "1a2b3c4 (2026-11-27)": the same for the same commit, never the clock. None when the
folder is not in a git repository (or git is not installed).
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def folder_version(folder: Path) -> str | None:
    try:
        result = subprocess.run(["git", "-C", str(folder), "log", "-1", "--format=%h %cs", "--", "."],
                                capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    fields = result.stdout.split()
    if result.returncode != 0 or len(fields) != 2:
        return None  # not a repository, or the folder has no commit yet
    return f"{fields[0]} ({fields[1]})"
