"""Where a report's version comes from when report.yaml gives none: the git commit of its folder.

`folder_version(folder)` is the short hash and the date of the last commit that touched the
folder, e.g. "1a2b3c4 (2026-11-27)": what `git log -1 --format='%h %cs' -- .` prints in the
folder, the same for the same commit, never the clock. None when the folder is in no git
repository, the repository cannot be read safely, or the answer lies past the bounds below.

No program is run. A report folder is untrusted, and so is a `.git` in or above it: git reads
the repository's own configuration, which can name programs (`core.fsmonitor`, `gpg.program`
with `log.showSignature`, `core.pager`, filters, `include.path` to more of them), so the
repository is read here as data: HEAD and the refs (loose and packed-refs), and commit and tree
objects, loose (zlib) or in packs (idx v2, with deltas). Blobs and the configuration are never
read. Every file is opened only inside the repository's git folder (symlinks resolved), every
object inflated with a bound, and the walk stops after MAX_COMMITS commits or MAX_INFLATED
bytes (then None: the draft warns `version-missing`, as for a folder outside git).

Which repository: the nearest `.git` at or above the folder, on the same file system (as git
finds it). A `.git` folder must be a real folder (not a symlink) with no `commondir` or object
alternates pointing elsewhere; a `.git` *file* (`gitdir: ...`) is followed only when the folder
it names is a linked worktree of a repository whose `worktrees/<name>/gitdir` names this very
file (git's own back-link, which the report folder cannot write), or a submodule's folder inside
the `.git/modules/` of a repository above it. The repository must belong to the user running
reportgen, as git's `safe.directory` check requires (or be listed as safe in the user's own
git configuration, ~/.gitconfig or /etc/gitconfig).

The walk is git's default history simplification for `git log -- <folder>`: commits newest
first by committer date; a commit is shown when the folder's tree differs from every parent's
(a root commit: when the folder exists in it); a merge whose folder tree equals a parent's
follows that parent only. The hash is abbreviated as git's `%h` is by default (7 hex digits, more
for a repository of over 16,384 packed objects, and more while another object shares the
prefix); `core.abbrev` is not read, so the version never depends on anyone's configuration.

A draft built from a work tree that is not that commit's says so: "1a2b3c4+edited (2026-11-27)"
(`Repository.edited`: a file the build read that HEAD's tree of the folder lacks or holds other
bytes for, compared by hashing it as git hashes a blob, or a file of that tree deleted). The
tree of the folder is listed (at most MAX_LISTED entries), the files the build read are hashed
again (at most MAX_HASHED bytes), and still no blob, index or configuration is read.
"""

from __future__ import annotations

import datetime
import hashlib
import heapq
import os
import re
import stat
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

MAX_COMMITS = 20_000  # commits walked before giving up (0.2 ms each: about 4 s at most)
MAX_INFLATED = 256 * 2**20  # bytes inflated in all, commits, trees and delta bases
MAX_OBJECT = 16 * 2**20  # one commit or tree, inflated (a real one is a few KB)
MAX_DELTA_CHAIN = 5_000  # git writes chains of at most 4,095
MAX_SMALL_FILE = 64 * 1024  # HEAD, a loose ref, a .git file, a worktree's back-link
MAX_PACKED_REFS = 64 * 2**20
MAX_PACKS = 1_000
MAX_LOOSE_LISTED = 100_000  # names read from one objects/xx folder to make the hash unique
DEFAULT_ABBREV = 7
MAX_LISTED = 100_000  # entries of the report folder's tree listed to tell an edited work tree
MAX_TREE_DEPTH = 100
MAX_HASHED = 512 * 2**20  # bytes of the report's files hashed to compare with the commit's

HEX = re.compile(rb"[0-9a-f]{40}|[0-9a-f]{64}")
REF_NAME = re.compile(r"refs/[^\0\\]+")
OBJ_COMMIT, OBJ_TREE, OBJ_OFS_DELTA, OBJ_REF_DELTA = 1, 2, 6, 7
TYPE_NAMES = {b"commit": 1, b"tree": 2, b"blob": 3, b"tag": 4}


class Unreadable(Exception):
    """The repository cannot be read safely, or not within the bounds: no version."""


def folder_version(folder: Path, read=None) -> str | None:
    """The folder's version, "1a2b3c4 (2026-11-27)"; with `read` (the paths of the files the build
    read, resolved), "1a2b3c4+edited (2026-11-27)" when the work tree is not that commit's: see
    `Repository.edited`."""
    try:
        found = find_repository(Path(folder))
        if found is None:
            return None
        repo = Repository(*found)
        return repo.version(None if read is None else (Path(folder).resolve(), tuple(read)))
    except (Unreadable, OSError, ValueError, ArithmeticError, zlib.error, struct.error, IndexError, KeyError,
            RecursionError):
        return None


# --- finding the repository -----------------------------------------------------------------


def find_repository(folder: Path) -> tuple[Path, Path, tuple[str, ...]] | None:
    """The git folder, the common git folder and the folder's path in the tree, or None."""
    here = folder.resolve(strict=True)
    if not here.is_dir():
        return None
    device = here.stat().st_dev
    for top in (here, *here.parents):
        if os.lstat(top).st_dev != device:
            return None  # git stops at a file system boundary (GIT_DISCOVERY_ACROSS_FILESYSTEM)
        dotgit = top / ".git"
        try:
            info = os.lstat(dotgit)
        except FileNotFoundError:
            continue
        except OSError as error:
            raise Unreadable(str(error)) from error
        if stat.S_ISDIR(info.st_mode):
            gitdir = common = dotgit
            if (gitdir / "commondir").exists() or (gitdir / "objects" / "info" / "alternates").exists():
                raise Unreadable("a .git folder that points elsewhere (commondir, alternates)")
        elif stat.S_ISREG(info.st_mode):
            gitdir, common = _follow_gitfile(dotgit, top)
        else:
            raise Unreadable(".git is a symlink or not a file or folder")  # never followed
        for owned in (top, gitdir, common) + ((dotgit,) if dotgit != gitdir else ()):
            _check_owner(owned)
        if not (gitdir / "HEAD").is_file() or not (common / "objects").is_dir():
            raise Unreadable("not a git folder")
        return gitdir, common, here.relative_to(top).parts
    return None


def _follow_gitfile(dotgit: Path, top: Path) -> tuple[Path, Path]:
    text = _read_small(dotgit).decode("utf-8", "strict").strip()
    if not text.startswith("gitdir: "):
        raise Unreadable("a .git file without gitdir:")
    target = (top / text[len("gitdir: "):].strip()).resolve(strict=True)
    backlink = target / "gitdir"
    if target.parent.name == "worktrees" and backlink.is_file():
        # A linked worktree: git's own record of this worktree names this very .git file.
        # (relative to it with worktree.useRelativePaths)
        named = target / _read_small(backlink).decode("utf-8", "strict").strip()
        common = target / _read_small(target / "commondir").decode("utf-8", "strict").strip()
        common = common.resolve(strict=True)
        if named.resolve() == dotgit.resolve() and target.parent.parent == common:
            return target, common
        raise Unreadable("a .git file naming a worktree that is not this folder's")
    for above in top.parents:  # a submodule: its git folder is in the .git/modules/ of a repository above
        dotgit_above = above / ".git"
        if not dotgit_above.is_symlink() and dotgit_above.is_dir() and \
                target.is_relative_to((dotgit_above / "modules").resolve()):
            return target, target
    raise Unreadable("a .git file pointing outside the repository that holds the folder")


def _check_owner(path: Path) -> None:
    """git's safe.directory rule: the repository belongs to the user (with sudo: SUDO_UID), or the
    user's own git configuration lists it as safe."""
    owner = os.stat(path).st_uid
    uid = os.geteuid()
    if owner == uid:
        return
    if uid == 0 and os.environ.get("SUDO_UID", "").isdigit() and owner == int(os.environ["SUDO_UID"]):
        return
    safe = _safe_directories()
    if "*" in safe or any(_covers(entry, path) for entry in safe):
        return
    raise Unreadable(f"{path} belongs to another user (git's safe.directory)")


def _covers(entry: str, path: Path) -> bool:
    if entry.endswith("/*"):
        return str(path).startswith(entry[:-1])
    return Path(os.path.expanduser(entry)).resolve() in (path, path.parent)


def _safe_directories() -> list[str]:
    """`safe.directory` values from the system and the user's git configuration (the files git
    itself reads it from; a repository's own configuration cannot grant it). Include files are
    not followed."""
    files = []
    if not os.environ.get("GIT_CONFIG_NOSYSTEM"):
        files.append(os.environ.get("GIT_CONFIG_SYSTEM") or "/etc/gitconfig")
    if os.environ.get("GIT_CONFIG_GLOBAL"):
        files.append(os.environ["GIT_CONFIG_GLOBAL"])
    else:
        xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
        files += [os.path.join(xdg, "git", "config"), os.path.expanduser("~/.gitconfig")]
    values: list[str] = []
    for name in files:
        try:
            text = _read_small(Path(name), 4 * 2**20).decode("utf-8", "replace")
        except (OSError, Unreadable):
            continue
        section = ""
        for raw in text.splitlines():
            line = raw.strip()
            if line.startswith("["):
                section = line[1:line.find("]")].strip().lower() if "]" in line else ""
                continue
            key, _, value = line.partition("=")
            if section == "safe" and key.strip().lower() == "directory":
                value = value.strip().strip('"')
                values = [] if value == "" else [*values, value]
    return values


def _open(path: Path):
    """A regular file opened for reading; a FIFO or device is refused without blocking on it."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Unreadable(f"{path} is not a regular file")
    return os.fdopen(fd, "rb")


def _read_small(path: Path, limit: int = MAX_SMALL_FILE) -> bytes:
    with _open(path) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise Unreadable(f"{path} is larger than {limit} bytes")
    return data


# --- reading the repository -------------------------------------------------------------------


@dataclass
class Commit:
    tree: bytes
    parents: list[bytes]
    time: int
    date: str


class Pack:
    """One objects/pack/*.idx (version 2) and its .pack, read by offset, never whole."""

    def __init__(self, idx: Path, pack: Path, raw: int):
        self.raw = raw
        self.idx = _open(idx)  # closed by close(), when Repository.version ends
        self.pack = _open(pack)
        head = self.read_idx(0, 8 + 1024)
        if head[:8] != b"\xfftOc\x00\x00\x00\x02":
            raise Unreadable(f"{idx.name}: not a version 2 pack index")
        self.fanout = struct.unpack(">256I", head[8:])
        self.count = self.fanout[255]
        size = os.fstat(self.idx.fileno()).st_size
        self.names = 8 + 1024
        self.offsets = self.names + self.count * (raw + 4)
        self.large = self.offsets + self.count * 4
        if size < self.large + 2 * raw or any(a > b for a, b in zip(self.fanout, self.fanout[1:])):
            raise Unreadable(f"{idx.name}: truncated or damaged pack index")
        self.idx_size = size
        self.pack_size = os.fstat(self.pack.fileno()).st_size

    def read_idx(self, offset: int, length: int) -> bytes:
        data = os.pread(self.idx.fileno(), length, offset)
        if len(data) != length:
            raise Unreadable("truncated pack index")
        return data

    def name(self, n: int) -> bytes:
        return self.read_idx(self.names + n * self.raw, self.raw)

    def search(self, oid: bytes) -> tuple[bool, int]:
        """(found, position): where oid is, or would be, in the sorted names."""
        lo = self.fanout[oid[0] - 1] if oid[0] else 0
        hi = self.fanout[oid[0]]
        while lo < hi:
            mid = (lo + hi) // 2
            name = self.name(mid)
            if name == oid:
                return True, mid
            if name < oid:
                lo = mid + 1
            else:
                hi = mid
        return False, lo

    def offset(self, n: int) -> int:
        (value,) = struct.unpack(">I", self.read_idx(self.offsets + n * 4, 4))
        if value & 0x80000000:
            (value,) = struct.unpack(">Q", self.read_idx(self.large + (value & 0x7FFFFFFF) * 8, 8))
        if not 12 <= value < self.pack_size:
            raise Unreadable("pack offset out of range")
        return value

    def close(self) -> None:
        self.idx.close()
        self.pack.close()


class Repository:
    def __init__(self, gitdir: Path, common: Path, path: tuple[str, ...]):
        self.gitdir, self.common, self.path = gitdir.resolve(), common.resolve(), path
        self.inflated = 0
        self.packs: list[Pack] | None = None
        self.commits: dict[bytes, Commit] = {}
        self.subtrees: dict[tuple[bytes, int], bytes | None] = {}
        self.bases: dict[tuple[int, int], tuple[int, bytes]] = {}

    # files, confined to the git folders

    def _inside(self, path: Path) -> Path:
        real = path.resolve()
        if not (real.is_relative_to(self.gitdir) or real.is_relative_to(self.common)):
            raise Unreadable(f"{path} points outside the git folder")
        return real

    def _read(self, path: Path, limit: int = MAX_SMALL_FILE) -> bytes | None:
        try:
            return _read_small(self._inside(path), limit)
        except FileNotFoundError:
            return None

    # refs

    def head(self) -> bytes:
        name = "HEAD"
        for _ in range(10):
            value = self._ref(name)
            if value is None:
                raise Unreadable(f"{name} not found (no commit yet)")
            if value.startswith(b"ref: "):
                name = value[5:].decode("utf-8", "strict")
                if not REF_NAME.fullmatch(name) or ".." in name.split("/") or "//" in name:
                    raise Unreadable("HEAD names an invalid ref")
                continue
            if not HEX.fullmatch(value):
                raise Unreadable(f"{name} holds no object id")
            return bytes.fromhex(value.decode("ascii"))
        raise Unreadable("symbolic refs nested too deep")

    def _ref(self, name: str) -> bytes | None:
        per_worktree = name == "HEAD" or name.startswith(("refs/worktree/", "refs/bisect/", "refs/rewritten/"))
        loose = self._read((self.gitdir if per_worktree else self.common) / name)
        if loose is not None:
            return loose.strip()
        if per_worktree:
            return None
        packed = self._read(self.common / "packed-refs", MAX_PACKED_REFS)
        for line in (packed or b"").splitlines():
            oid, _, ref = line.partition(b" ")
            if ref == name.encode("utf-8") and HEX.fullmatch(oid):
                return oid
        return None

    # objects

    def _packs(self) -> list[Pack]:
        if self.packs is None:
            self.packs = []
            folder = self.common / "objects" / "pack"
            names = sorted(folder.glob("*.idx")) if folder.is_dir() else []
            if len(names) > MAX_PACKS:
                raise Unreadable("too many packs")
            for idx in names:
                if idx.with_suffix(".pack").exists():
                    self.packs.append(Pack(self._inside(idx), self._inside(idx.with_suffix(".pack")), self.raw))
        return self.packs

    def _count(self, size: int) -> None:
        self.inflated += size
        if self.inflated > MAX_INFLATED:
            raise Unreadable("the history is larger than reportgen reads")

    def _inflate(self, data: bytes, size: int) -> bytes:
        """Exactly `size` bytes out of the zlib stream at the start of `data`, never more."""
        if size > MAX_OBJECT:
            raise Unreadable("an object larger than reportgen reads")
        stream = zlib.decompressobj()
        out = stream.decompress(data, size + 1)
        self._count(len(out))
        if len(out) != size:
            raise Unreadable("an object whose size is not what it says")
        return out

    def object(self, oid: bytes) -> tuple[int, bytes]:
        for pack in self._packs():
            found, n = pack.search(oid)
            if found:
                return self._packed(pack, pack.offset(n))
        hexid = oid.hex()
        loose = self._read(self.common / "objects" / hexid[:2] / hexid[2:], MAX_OBJECT)
        if loose is None:
            raise Unreadable(f"object {hexid} not found")
        stream = zlib.decompressobj()
        head = stream.decompress(loose, 64)
        kind, _, rest = head.partition(b"\0")
        name, _, size_text = kind.partition(b" ")
        if name not in TYPE_NAMES or not size_text.isdigit() or int(size_text) > MAX_OBJECT:
            raise Unreadable(f"object {hexid} is damaged or too large")
        size = int(size_text)
        body = rest + stream.decompress(stream.unconsumed_tail, size - len(rest) + 1)
        self._count(len(body))
        if len(body) != size:
            raise Unreadable(f"object {hexid} is damaged")
        return TYPE_NAMES[name], body

    def _packed(self, pack: Pack, offset: int) -> tuple[int, bytes]:
        chain: list[tuple[int, bytes]] = []  # (offset, delta) from the object down to its base
        for _ in range(MAX_DELTA_CHAIN):
            if (id(pack), offset) in self.bases:
                kind, data = self.bases[(id(pack), offset)]
                break
            head = os.pread(pack.pack.fileno(), 32, offset)
            byte, pos = head[0], 1
            kind, size, shift = (byte >> 4) & 7, byte & 15, 4
            while byte & 0x80:
                byte = head[pos]
                pos += 1
                size |= (byte & 0x7F) << shift
                shift += 7
            if kind == OBJ_OFS_DELTA:
                byte = head[pos]
                pos += 1
                back = byte & 0x7F
                while byte & 0x80:
                    byte = head[pos]
                    pos += 1
                    back = ((back + 1) << 7) | (byte & 0x7F)
                base = offset - back
            elif kind == OBJ_REF_DELTA:
                base_id = head[pos:pos + self.raw]
                pos += self.raw
                found, n = pack.search(base_id)
                base = pack.offset(n) if found else None
            elif kind in (1, 2, 3, 4):
                data = self._inflate(self._pack_bytes(pack, offset + pos, size), size)
                self._keep(pack, offset, kind, data)
                break
            else:
                raise Unreadable("a damaged pack entry")
            chain.append((offset, self._inflate(self._pack_bytes(pack, offset + pos, size), size)))
            if kind == OBJ_REF_DELTA and base is None:
                kind, data = self.object(base_id)  # a thin base elsewhere (another pack, or loose)
                break
            # an offset delta's base is before it; a ref delta's may be anywhere in the pack (a
            # fetched thin pack completed by index-pack has its bases appended at the end): a
            # cycle ends at MAX_DELTA_CHAIN
            if not 12 <= base < (offset if kind == OBJ_OFS_DELTA else pack.pack_size) or base == offset:
                raise Unreadable("a delta whose base is not in the pack before it")
            offset = base
        else:
            raise Unreadable("a delta chain longer than reportgen follows")
        for at, delta in reversed(chain):
            data = _apply_delta(data, delta)
            self._count(len(data))
            self._keep(pack, at, kind, data)
        return kind, data

    def _keep(self, pack: Pack, offset: int, kind: int, data: bytes) -> None:
        if kind != 3 and len(self.bases) < 4096:  # commits and trees are read again, blobs never
            self.bases[(id(pack), offset)] = (kind, data)

    def _pack_bytes(self, pack: Pack, offset: int, size: int) -> bytes:
        # a zlib stream of `size` bytes is at most a few bytes per 64 KB longer than them (stored
        # blocks); an eighth more covers any encoder's choice
        return os.pread(pack.pack.fileno(), size + size // 8 + 64, offset)

    def commit(self, oid: bytes) -> Commit:
        if oid in self.commits:
            return self.commits[oid]
        kind, body = self.object(oid)
        if kind != OBJ_COMMIT:
            raise Unreadable(f"{oid.hex()} is not a commit")
        header = body.split(b"\n\n", 1)[0]
        tree, parents, when, offset = None, [], 0, 0
        for line in header.split(b"\n"):
            key, _, value = line.partition(b" ")
            if key == b"tree":
                tree = bytes.fromhex(value.decode("ascii"))
            elif key == b"parent":
                parents.append(bytes.fromhex(value.decode("ascii")))
            elif key == b"committer":
                when, offset = _when(value)
        if tree is None or len(tree) != self.raw or any(len(p) != self.raw for p in parents):
            raise Unreadable(f"commit {oid.hex()} is damaged")
        if oid in self.shallow:
            parents = []  # a shallow clone's last commit: git treats it as having none
        day = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=when, minutes=offset)
        self.commits[oid] = found = Commit(tree, parents, when, day.strftime("%Y-%m-%d"))
        return found

    def subtree(self, tree: bytes, depth: int = 0) -> bytes | None:
        """The id of the folder's tree inside `tree` (from depth `depth` of its path), or None."""
        if depth == len(self.path):
            return tree
        key = (tree, depth)
        if key not in self.subtrees:
            kind, body = self.object(tree)
            if kind != OBJ_TREE:
                raise Unreadable(f"{tree.hex()} is not a tree")
            child = _tree_entry(body, self.path[depth].encode("utf-8", "surrogateescape"), self.raw)
            self.subtrees[key] = None if child is None else self.subtree(child, depth + 1)
        return self.subtrees[key]

    def last_change(self, head: bytes) -> bytes | None:
        """git log -1 -- <folder>, with git's default history simplification."""
        queue = [(-self.commit(head).time, 0, head)]
        seen, order = {head}, 1
        for _ in range(MAX_COMMITS):
            if not queue:
                return None
            _, _, oid = heapq.heappop(queue)
            commit = self.commit(oid)
            mine = self.subtree(commit.tree)
            if not commit.parents:
                if mine is not None:
                    return oid
                continue
            same = [p for p in commit.parents if self.subtree(self.commit(p).tree) == mine]
            if not same:
                return oid
            for parent in same[:1] if len(commit.parents) > 1 else commit.parents:
                if parent not in seen:
                    seen.add(parent)
                    heapq.heappush(queue, (-self.commit(parent).time, order, parent))
                    order += 1
        raise Unreadable(f"the folder's last commit is more than {MAX_COMMITS} commits back")

    def abbreviate(self, oid: bytes) -> str:
        """git's `%h`: 7 hex digits, or more for a large repository, and unique among its objects."""
        count = sum(pack.count for pack in self._packs())
        length = max(DEFAULT_ABBREV, (count.bit_length() + 1) // 2)
        hexid = oid.hex()
        shared = 0
        for pack in self._packs():
            found, n = pack.search(oid)
            for m in (n - 1, n + 1 if found else n):
                if 0 <= m < pack.count:
                    shared = max(shared, _common(pack.name(m).hex(), hexid))
        folder = self.common / "objects" / hexid[:2]
        if folder.is_dir():
            with os.scandir(self._inside(folder)) as entries:
                for number, entry in enumerate(entries):
                    if number >= MAX_LOOSE_LISTED:
                        raise Unreadable("too many loose objects")
                    if entry.name != hexid[2:]:
                        shared = max(shared, 2 + _common(entry.name, hexid[2:]))
        return hexid[:max(length, shared + 1)]

    def version(self, work: tuple[Path, tuple[Path, ...]] | None = None) -> str | None:
        """`work`: the folder in the work tree and the files of it the build read, to say `+edited`."""
        try:
            head = self.head()
            self.raw = len(head)
            shallow = self._read(self.common / "shallow", MAX_PACKED_REFS) or b""
            self.shallow = {bytes.fromhex(line.decode("ascii")) for line in shallow.split() if HEX.fullmatch(line)}
            changed = self.last_change(head)
            if changed is None:
                return None
            edited = "+edited" if work is not None and self.edited(head, *work) else ""
            return f"{self.abbreviate(changed)}{edited} ({self.commit(changed).date})"
        finally:
            for pack in self.packs or ():
                pack.close()


    def listing(self, tree: bytes, prefix: str = "", depth: int = 0, into: dict | None = None) -> dict:
        """Every entry of `tree` and the trees below it: path ("chapters/a.md") -> (mode, id); a
        sub-tree itself too (mode 40000). Bounded: MAX_LISTED entries, MAX_TREE_DEPTH levels."""
        into = {} if into is None else into
        if depth > MAX_TREE_DEPTH:
            raise Unreadable("folders nested deeper than reportgen reads")
        kind, body = self.object(tree)
        if kind != OBJ_TREE:
            raise Unreadable(f"{tree.hex()} is not a tree")
        for mode, name, oid in _tree_entries(body, self.raw):
            if len(into) >= MAX_LISTED:
                raise Unreadable("a folder of more files than reportgen reads")
            path = prefix + name.decode("utf-8", "surrogateescape")
            into[path] = (mode, oid)
            if mode in (b"40000", b"040000"):
                self.listing(oid, path + "/", depth + 1, into)
        return into

    def edited(self, head: bytes, folder: Path, read: tuple[Path, ...]) -> bool:
        """Whether the work tree differs from HEAD where the build looks: a file of the folder the
        build read that HEAD's tree lacks or holds other bytes for (each hashed as git hashes a
        blob, `blob <size>\\0` and the bytes, SHA-1 or SHA-256 as the repository's object ids),
        or a file of HEAD's tree of the folder that is gone from the work tree. The files are
        read again here (regular files, at most MAX_HASHED bytes in all; one that cannot be read
        is edited); no blob is read, no program run (clean filters and line-ending conversion,
        which the configuration would name, are not applied: such a repository may read as
        edited where `git status` is clean)."""
        tree = self.subtree(self.commit(head).tree)
        entries = self.listing(tree) if tree is not None else {}
        hasher = hashlib.sha1 if self.raw == 20 else hashlib.sha256
        budget = MAX_HASHED
        for path in read:
            if not path.is_relative_to(folder):
                continue  # a shipped or named framework, theme: not the report's
            entry = entries.get(path.relative_to(folder).as_posix())
            if entry is None or entry[0] in (b"40000", b"040000", b"160000", b"120000"):
                return True  # not in the commit (or not a file there)
            try:
                with _open(path) as handle:
                    data = handle.read(budget + 1)
            except (OSError, Unreadable):
                return True
            budget -= len(data)
            if budget < 0:
                raise Unreadable("the report's files are larger than reportgen hashes")
            if hasher(b"blob %d\0" % len(data) + data).digest() != entry[1]:
                return True
        for name, (mode, _) in entries.items():
            if mode not in (b"40000", b"040000", b"160000") and not os.path.lexists(folder / name):
                return True  # a file of the commit deleted
        return False


def _tree_entries(body: bytes, raw: int):
    """(mode, name, id) of each entry of a tree object."""
    pos = 0
    while pos < len(body):
        space = body.index(b" ", pos)
        nul = body.index(b"\0", space)
        oid = body[nul + 1:nul + 1 + raw]
        if len(oid) != raw:
            raise Unreadable("a damaged tree")
        yield body[pos:space], body[space + 1:nul], oid
        pos = nul + 1 + raw


def _when(value: bytes) -> tuple[int, int]:
    """A committer line's time and its offset from UTC in minutes (git's `%cs` is in the
    committer's own zone); a time that does not parse is 0, as git reads it."""
    fields = value.rsplit(b">", 1)[-1].split()
    try:
        when = int(fields[0])
        zone = int(fields[1]) if len(fields) > 1 else 0
    except (ValueError, IndexError):
        return 0, 0
    if not -62_000_000_000 < when < 253_000_000_000 or not -10000 < zone < 10000:  # years 5 to 9987
        return 0, 0
    sign = -1 if zone < 0 else 1
    return when, sign * ((abs(zone) // 100) * 60 + abs(zone) % 100)


def _tree_entry(body: bytes, name: bytes, raw: int) -> bytes | None:
    """The id of the sub-tree `name` in a tree object, or None (absent, or not a folder)."""
    pos = 0
    while pos < len(body):
        space = body.index(b" ", pos)
        nul = body.index(b"\0", space)
        mode, entry = body[pos:space], body[space + 1:nul]
        oid = body[nul + 1:nul + 1 + raw]
        if len(oid) != raw:
            raise Unreadable("a damaged tree")
        if entry == name:
            return oid if mode in (b"40000", b"040000") else None
        pos = nul + 1 + raw
    return None


def _apply_delta(base: bytes, delta: bytes) -> bytes:
    pos = 0

    def size() -> int:
        nonlocal pos
        value, shift = 0, 0
        while True:
            byte = delta[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    if size() != len(base):
        raise Unreadable("a delta for another base")
    target = size()
    if target > MAX_OBJECT:
        raise Unreadable("an object larger than reportgen reads")
    out = bytearray()
    while pos < len(delta):
        cmd = delta[pos]
        pos += 1
        if cmd & 0x80:
            offset = length = 0
            for bit in range(4):
                if cmd & (1 << bit):
                    offset |= delta[pos] << (8 * bit)
                    pos += 1
            for bit in range(3):
                if cmd & (0x10 << bit):
                    length |= delta[pos] << (8 * bit)
                    pos += 1
            length = length or 0x10000
            if offset + length > len(base):
                raise Unreadable("a delta copying past its base")
            out += base[offset:offset + length]
        elif cmd:
            out += delta[pos:pos + cmd]
            pos += cmd
        else:
            raise Unreadable("a damaged delta")
        if len(out) > target:
            raise Unreadable("a delta larger than it says")
    if len(out) != target:
        raise Unreadable("a delta shorter than it says")
    return bytes(out)


def _common(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
