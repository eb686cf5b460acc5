"""A draft's version from git (generator/provenance.py `folder_version`): the same text as
`git log -1 --format='%h %cs' -- .` run in the folder (real git, run here by the test with a
clean configuration), read without running any program, whatever the report folder's `.git`
holds: each git configuration key that names a program is planted and must not run."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from generator import provenance
from generator.provenance import folder_version
from tests.conftest import ROOT, SURREY, copy_report

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")


def clean_env(home: Path, when: int = 1_764_000_000) -> dict:
    return {"PATH": os.environ["PATH"], "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": "C",
            "GIT_COMMITTER_EMAIL": "c@example.org", "GIT_AUTHOR_DATE": f"{when} +0000",
            "GIT_COMMITTER_DATE": f"{when} +1300"}


def git(cwd: Path, *args: str, when: int = 1_764_000_000, input: bytes | None = None) -> str:
    done = subprocess.run([GIT, "-c", "init.defaultBranch=main", "-c", "gc.auto=0", "-c", "commit.gpgSign=false", *args],
                          cwd=cwd, env=clean_env(cwd, when), input=input, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def git_says(folder: Path) -> str | None:
    """What real git prints for the folder, as the draft's version text."""
    out = git(folder, "log", "-1", "--format=%h %cs", "--", ".").split()
    return f"{out[0]} ({out[1]})" if out else None


def commit(repo: Path, path: str, text: str, when: int) -> None:
    file = repo / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"{path}: {text}", when=when)


def make_repo(repo: Path) -> Path:
    """A history with the folder report/ changed on main and on a merged branch, a merge that
    leaves it alone, a merged branch that changes it and changes it back (git follows the merge's
    first parent only, so its newer commits are not the answer), packed objects (deltas), packed
    refs, and loose commits after the pack."""
    repo.mkdir()
    git(repo, "init", "-q")
    day = 86_400
    commit(repo, "README", "top", 1_700_000_000)
    commit(repo, "report/report.yaml", "title: one\n" * 50, 1_700_000_000 + day)
    commit(repo, "report/chapters/a.md", "# A\n" * 40, 1_700_000_000 + 2 * day)
    git(repo, "checkout", "-q", "-b", "side")
    commit(repo, "report/chapters/b.md", "# B\n" * 40, 1_700_000_000 + 4 * day)  # newer than main's next
    git(repo, "checkout", "-q", "main")
    commit(repo, "other/x", "x", 1_700_000_000 + 3 * day)
    git(repo, "merge", "-q", "--no-ff", "-m", "merge side", "side", when=1_700_000_000 + 5 * day)
    commit(repo, "report/report.yaml", "title: two\n" * 50, 1_700_000_000 + 6 * day)
    git(repo, "gc", "-q", "--aggressive")
    commit(repo, "other/y", "y", 1_700_000_000 + 7 * day)  # loose, after the pack
    git(repo, "checkout", "-q", "-b", "untouching")
    commit(repo, "other/z", "z", 1_700_000_000 + 8 * day)
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge untouching", "untouching", when=1_700_000_000 + 9 * day)
    git(repo, "checkout", "-q", "-b", "undone")  # a branch that changes report/ and takes it back
    commit(repo, "report/tmp.md", "tmp", 1_700_000_000 + 10 * day)
    git(repo, "rm", "-q", "report/tmp.md")
    git(repo, "commit", "-q", "-m", "undo", when=1_700_000_000 + 11 * day)
    git(repo, "checkout", "-q", "main")
    commit(repo, "other/w", "w", 1_700_000_000 + 10 * day)
    git(repo, "merge", "-q", "--no-ff", "-m", "merge undone", "undone", when=1_700_000_000 + 12 * day)
    return repo


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_repo(tmp_path_factory.mktemp("git") / "repo")


@pytest.fixture
def repo(template, tmp_path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(template, copy, symlinks=True)
    return copy


def test_the_version_is_what_git_log_prints_for_each_folder(repo):
    assert (repo / ".git" / "packed-refs").exists() and list((repo / ".git" / "objects" / "pack").glob("*.pack"))
    for folder in ("report", "report/chapters", "other", "."):
        expected = git_says(repo / folder)
        assert expected is not None
        assert folder_version(repo / folder) == expected, folder
    # report/ was last changed by the commit of day 6, whose committer wrote +1300
    assert folder_version(repo / "report").endswith("(2023-11-21)")
    (repo / "untracked").mkdir()
    assert git_says(repo / "untracked") is None and folder_version(repo / "untracked") is None


def test_the_version_of_the_example_is_what_git_log_prints():
    """The project's own checkout (a linked worktree, in a helper's checkout: a .git file)."""
    assert folder_version(SURREY) == git_says(SURREY)
    assert folder_version(ROOT / "generator") == git_says(ROOT / "generator")


def test_a_linked_worktree_a_detached_head_and_a_shallow_clone_read_as_git_reads_them(repo, tmp_path):
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "side")
    assert (tmp_path / "wt" / ".git").is_file()
    assert folder_version(tmp_path / "wt" / "report") == git_says(tmp_path / "wt" / "report")
    assert folder_version(tmp_path / "wt" / "report") != folder_version(repo / "report")
    git(repo, "checkout", "-q", "--detach", "HEAD~2")
    assert folder_version(repo / "report") == git_says(repo / "report")
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo}", "shallow")
    assert (tmp_path / "shallow" / ".git" / "shallow").exists()
    for folder in ("report", "other"):
        assert folder_version(tmp_path / "shallow" / folder) == git_says(tmp_path / "shallow" / folder)


def test_the_hash_is_abbreviated_as_git_abbreviates_it(repo, tmp_path):
    # another object whose name shares the first 9 digits: git lengthens %h to 10 (it lists the
    # loose objects' folder for this)
    head = git(repo / "report", "log", "-1", "--format=%H", "--", ".").strip()
    fake = repo / ".git" / "objects" / head[:2] / (head[2:9] + ("0" if head[9] != "0" else "1") + "0" * 30)
    fake.parent.mkdir(exist_ok=True)
    fake.write_bytes(b"")
    assert len(git_says(repo / "report").split()[0]) == 10
    assert folder_version(repo / "report") == git_says(repo / "report")
    # over 16,384 packed objects: git's %h has 8 digits
    big = tmp_path / "big"
    big.mkdir()
    git(big, "init", "-q")
    stream = b"".join(b"blob\ndata %d\n%d\n" % (len(str(n)), n) for n in range(17_000))
    stream += (b"commit refs/heads/main\ncommitter C <c@example.org> 1700000000 +0000\ndata 2\nx\n"
               b"M 644 inline f/a\ndata 1\na\n")
    git(big, "fast-import", "--quiet", input=stream)
    assert len(list((big / ".git" / "objects" / "pack").glob("*.idx"))) == 1  # fast-import packs them
    assert len(git_says(big).split()[0]) == 8
    assert folder_version(big) == git_says(big)


def test_a_submodule_reads_its_own_repository(repo, tmp_path):
    top = tmp_path / "top"
    top.mkdir()
    git(top, "init", "-q")
    commit(top, "README", "top", 1_750_000_000)
    git(top, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(repo), "sub")
    git(top, "commit", "-q", "-m", "sub", when=1_750_100_000)
    assert (top / "sub" / ".git").is_file()
    assert folder_version(top / "sub" / "report") == git_says(top / "sub" / "report") == git_says(repo / "report")
    assert folder_version(top) == git_says(top)


def test_a_sha256_repository(tmp_path):
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "--object-format=sha256")
    commit(repo, "report/a.md", "a", 1_700_000_000)
    commit(repo, "b", "b", 1_700_100_000)
    git(repo, "gc", "-q")
    commit(repo, "report/c.md", "c", 1_700_200_000)
    commit(repo, "d", "d", 1_700_300_000)
    assert folder_version(repo / "report") == git_says(repo / "report")


# --- nothing from the repository runs ------------------------------------------------------------

PLANTED = {  # git configuration that names a program, as a report folder's .git/config may hold it
    "gpg.program": "[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {tool}\n",
    "core.fsmonitor": "[core]\n\tfsmonitor = {tool}\n",
    "core.pager": "[core]\n\tpager = {tool}\n[pager]\n\tlog = {tool}\n",
    "diff.external": "[diff]\n\texternal = {tool}\n",
    "diff.textconv": "[diff \"x\"]\n\ttextconv = {tool}\n",
    "core.sshCommand": "[core]\n\tsshCommand = {tool}\n",
    "core.hooksPath": "[core]\n\thooksPath = {hooks}\n",
    "include.path": "[include]\n\tpath = {include}\n",
    "filter.process": "[filter \"x\"]\n\tprocess = {tool}\n\tclean = {tool}\n\tsmudge = {tool}\n\trequired = true\n",
    "core.editor": "[core]\n\teditor = {tool}\n\taskPass = {tool}\n[credential]\n\thelper = !{tool}\n",
    "alias": "[alias]\n\tlog = !{tool}\n",
}
HOOKS = ("pre-commit", "post-checkout", "post-merge", "post-index-change", "reference-transaction",
         "fsmonitor-watchman", "pre-auto-gc", "post-rewrite")


def plant(repo: Path, key: str) -> Path:
    """A marker-writing program in the folder, named by `key` in .git/config; also every hook."""
    marker = repo / "RAN"
    tools = repo / "report" / "tools"
    tools.mkdir(parents=True, exist_ok=True)
    script = f"#!/bin/sh\necho \"$0 $*\" >> {marker}\ncat >/dev/null 2>&1\nexit 0\n"
    for name in ("verify.sh", *HOOKS):
        (tools / name).write_text(script)
        (tools / name).chmod(0o755)
    for name in HOOKS:
        shutil.copy2(tools / name, repo / ".git" / "hooks" / name)
    (repo / "report" / "evil.config").write_text(PLANTED["core.fsmonitor"].format(tool=tools / "verify.sh")
                                                 + PLANTED["gpg.program"].format(tool=tools / "verify.sh"))
    (repo / "report" / ".gitattributes").write_text("* filter=x diff=x\n")
    with open(repo / ".git" / "config", "a") as config:
        config.write(PLANTED[key].format(tool=tools / "verify.sh", hooks=tools, include=repo / "report" / "evil.config"))
    return marker


def signed_head(repo: Path) -> None:
    """A last change to report/ that has a signature header, which `log.showSignature` hands to
    gpg.program."""
    commit(repo, "report/signed.md", "signed", 1_800_000_000)
    body = git(repo, "cat-file", "commit", "HEAD")
    header, message = body.split("\n\n", 1)
    signature = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----"
    oid = git(repo, "hash-object", "-t", "commit", "-w", "--stdin",
              input=f"{header}\n{signature}\n\n{message}".encode()).strip()
    git(repo, "update-ref", "refs/heads/main", oid)


@pytest.mark.parametrize("key", sorted(PLANTED))
def test_no_program_named_in_the_repository_runs(repo, key):
    signed_head(repo)
    expected = git_says(repo / "report")  # before anything is planted
    marker = plant(repo, key)
    assert folder_version(repo / "report") == expected
    assert folder_version(repo / "report" / "tools") is None  # never committed
    assert not marker.exists(), marker.read_text()


def test_git_itself_runs_the_planted_signature_program(repo):
    """The case above is real: git log, in the folder, runs the folder's gpg.program."""
    signed_head(repo)
    marker = plant(repo, "gpg.program")
    subprocess.run([GIT, "log", "-1", "--format=%h %cs", "--", "."], cwd=repo / "report", env=clean_env(repo),
                   capture_output=True, timeout=60, check=False)
    assert marker.exists()


def test_folder_version_starts_no_process_at_all(repo, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"a program was started: {args!r}")

    for name in ("Popen",):
        monkeypatch.setattr(subprocess, name, refuse)
    for name in ("system", "execv", "execve", "execvp", "posix_spawn", "posix_spawnp", "fork"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refuse)
    assert folder_version(repo / "report") is not None
    assert folder_version(SURREY) is not None


# --- which repository ----------------------------------------------------------------------------


def test_a_git_file_pointing_at_another_repository_is_refused(repo, tmp_path):
    report = tmp_path / "elsewhere" / "report"
    report.mkdir(parents=True)
    (report / "report.yaml").write_text("title: x\n")
    (report / ".git").write_text(f"gitdir: {repo / '.git'}\n")
    assert folder_version(report) is None
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "side")  # a real worktree, not this folder
    (report / ".git").write_text(f"gitdir: {repo / '.git' / 'worktrees' / 'wt'}\n")
    assert folder_version(report) is None
    assert folder_version(tmp_path / "wt" / "report") is not None


def test_a_git_folder_that_points_elsewhere_is_refused(repo, tmp_path):
    outside = make_repo(tmp_path / "outside")
    for trick in ("symlink", "commondir", "alternates", "objects"):
        report = tmp_path / trick
        shutil.copytree(repo, report, symlinks=True)
        dotgit = report / ".git"
        if trick == "symlink":
            shutil.rmtree(dotgit)
            dotgit.symlink_to(outside / ".git")
        elif trick == "commondir":
            (dotgit / "commondir").write_text(str(outside / ".git"))
        elif trick == "alternates":
            (dotgit / "objects" / "info" / "alternates").write_text(str(outside / ".git" / "objects"))
        else:
            shutil.rmtree(dotgit / "objects")
            (dotgit / "objects").symlink_to(outside / ".git" / "objects")
        assert folder_version(report / "report") is None, trick


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the repository to another user")
def test_a_repository_of_another_user_is_refused_unless_marked_safe(repo, tmp_path, monkeypatch):
    expected = git_says(repo / "report")
    for path in (repo, repo / ".git"):
        os.chown(path, 12345, 12345)
    assert folder_version(repo / "report") is None  # git says "dubious ownership" too
    config = tmp_path / "gitconfig"
    config.write_text(f"[safe]\n\tdirectory = {repo}\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    assert folder_version(repo / "report") == expected


# --- damaged and hostile objects -------------------------------------------------------------


def loose_head(repo: Path) -> Path:
    git(repo, "commit", "-q", "--allow-empty", "-m", "loose")
    head = git(repo, "rev-parse", "HEAD").strip()
    return repo / ".git" / "objects" / head[:2] / head[2:]


def test_a_compression_bomb_a_damaged_object_a_ref_outside_and_a_fifo_give_no_version(repo):
    path = loose_head(repo)
    previous = git(repo, "rev-parse", "HEAD~1")  # a good commit, for a ref kept outside
    path.chmod(0o644)
    bomb = zlib.compressobj(9)
    data = bomb.compress(b"commit 4000000000\0") + b"".join(bomb.compress(b"\0" * 2**20) for _ in range(300))
    path.write_bytes(data + bomb.flush())  # 1.2 GB of zeros in 300 KB
    assert folder_version(repo / "report") is None
    path.write_bytes(os.urandom(200))
    assert folder_version(repo / "report") is None
    path.write_bytes(zlib.compress(b"commit 5\0tree nonsense"))
    assert folder_version(repo / "report") is None
    head = repo / ".git" / "HEAD"
    outside = repo.parent / "outside-ref"
    outside.write_text(previous)
    for ref in ("ref: refs/../../outside-ref", "ref: refs/heads/../../../outside-ref"):
        head.write_text(ref + "\n")
        assert folder_version(repo / "report") is None, ref
    (repo / ".git" / "refs" / "heads" / "evil").symlink_to(outside)
    head.write_text("ref: refs/heads/evil\n")
    assert folder_version(repo / "report") is None
    head.write_text("ref: refs/heads/main\n")
    branch = repo / ".git" / "refs" / "heads" / "main"
    branch.unlink()
    os.mkfifo(branch)  # would block a reader that opened it plainly: run in a process with a time bound
    done = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                           "from generator.provenance import folder_version; print(folder_version(Path(sys.argv[1])))",
                           str(repo / "report")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout == "None\n", done.stderr
    assert stat.S_ISFIFO(os.lstat(branch).st_mode)


def test_a_damaged_pack_gives_no_version(repo):
    for pack in (repo / ".git" / "objects" / "pack").glob("*.pack"):
        pack.chmod(0o644)
        data = bytearray(pack.read_bytes())
        data[12:] = bytes(len(data) - 12)  # every entry zeroed
        pack.write_bytes(bytes(data))
    assert folder_version(repo / "report") is None


def test_the_walk_is_bounded(repo, monkeypatch):
    for n in range(6):
        commit(repo, f"other/{n}", "n", 1_800_000_000 + n)
    monkeypatch.setattr(provenance, "MAX_COMMITS", 5)
    assert folder_version(repo / "report") is None  # its last change is further back than 5 commits
    assert folder_version(repo / "other") == git_says(repo / "other")
    monkeypatch.setattr(provenance, "MAX_COMMITS", 20_000)
    monkeypatch.setattr(provenance, "MAX_INFLATED", 2_000)
    assert folder_version(repo / "report") is None


def test_check_of_a_draft_in_a_hostile_repository_runs_nothing_and_shows_the_commit(tmp_path):
    """End to end: `reportgen check` and an HTML build of a draft with no `version:` whose
    repository names the folder's own script as gpg.program (git log would run it)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    report = copy_report(repo)
    text = (report / "report.yaml").read_text(encoding="utf-8")
    (report / "report.yaml").write_text(text.replace("\nrecommendations:", "\nstatus: draft\nrecommendations:", 1),
                                        encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "report", when=1_750_000_000)
    shutil.move(report, repo / "report")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "moved", when=1_750_000_000)
    signed_head(repo)
    expected = git_says(repo / "report")
    marker = plant(repo, "gpg.program")
    for args in (["check", str(repo / "report")],
                 ["build", str(repo / "report"), "--format", "html", "--out", str(tmp_path / "out")]):
        done = subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        assert "version-missing" not in done.stderr
    assert not marker.exists()
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert f"Version {expected}" in page  # on the cover, e.g. "Version 1a2b3c4 (2025-06-16)"
