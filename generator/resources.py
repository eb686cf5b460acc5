"""Where the package's own templates, styles, themes and frameworks are.

In a checkout they sit at the top of the repository (templates/, styles/); in an installed
wheel they are copied inside the package (see pyproject.toml), so look there first.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
import tempfile
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / name


TEMPLATES_DIR = _find("templates")
STYLES_DIR = _find("styles")
FONTS_DIR = STYLES_DIR / "fonts"
# Shipped themes other than the default (which is STYLES_DIR); in a wheel they sit in
# generator/shipped_themes/ so as not to shadow the module generator/themes.py.
THEMES_DIR = PACKAGE_DIR / "shipped_themes" if (PACKAGE_DIR / "shipped_themes").is_dir() else PACKAGE_DIR.parent / "themes"
FRAMEWORKS_DIR = PACKAGE_DIR / "frameworks"


@lru_cache(maxsize=1)
def blocks_data() -> dict:
    """styles/blocks.yaml: the words and colours of figures, tables, charts and boxes."""
    import yaml  # noqa: PLC0415

    return yaml.safe_load((STYLES_DIR / "blocks.yaml").read_text(encoding="utf-8"))


def group_separator(language: str) -> str | None:
    """What separates the groups of three digits of a whole number in `language` (a BCP 47 tag: its
    first subtag names it), from styles/blocks.yaml `numbers.group_separator`; None: not given."""
    return blocks_data()["numbers"]["group_separator"].get(language.split("-")[0].lower())


# --- the cache folder -------------------------------------------------------------------------
#
# What reportgen keeps for later runs is loaded as code (Jinja's compiled templates, read with
# marshal) or published as is (WOFF2 fonts), so it must be as trusted as the package itself:
# a folder only this user can write (created 0700; refused if it is a symlink, belongs to
# someone else, or others can write it), and every entry signed with HMAC-SHA256 under a random
# key that is kept *outside* the cache folder, in the user's state folder: an entry anyone else
# wrote, or a whole cache folder that came from elsewhere (copied, or restored by a CI cache),
# does not verify and is built afresh, never loaded. A refused folder is no cache, and the build
# says so once (`cache-refused`, `cache_refusals`).

KEY_SIZE = 32
MAX_ENTRY = 32 * 2**20  # a compiled template is 13-50 KB, a subset WOFF2 face 15 KB
CACHE_KINDS = ("templates", "fonts")
KEY = ("the cache's key", "remove it (reportgen makes a new one)")
_refusals: dict[tuple[Path, str], bool] = {}  # (path, message): reported yet


def cache_root() -> Path:
    """$REPORTGEN_CACHE_DIR, else $XDG_CACHE_HOME/reportgen, else ~/.cache/reportgen."""
    named = os.environ.get("REPORTGEN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "reportgen")
    return Path(os.path.abspath(named))


def key_path() -> Path:
    """The cache's key: $XDG_STATE_HOME/reportgen/cache-key, else ~/.local/state/reportgen/cache-key."""
    state = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return Path(os.path.abspath(state)) / "reportgen" / "cache-key"


def cache_dir() -> Path | None:
    """The cache folder, made if need be, or None: a folder that cannot be made is no cache; one
    that is not private to this user is refused (see `cache_refusals`)."""
    return _private_folder(cache_root())


def cache_refusals() -> list[tuple[Path, str]]:
    """Each cache folder or key refused in this process and why, once: the build reports them as
    warnings (`cache-refused`)."""
    new = [message for message, reported in _refusals.items() if not reported]
    for message in new:
        _refusals[message] = True
    return new


def _refuse(path: Path, why: str, what: str = "the cache folder", fix: str = "point REPORTGEN_CACHE_DIR at a "
            "folder of your own, or remove it") -> None:
    _refusals.setdefault((path, f"{what} {why}: reportgen reads and keeps no cache this run (the outputs are "
                                f"the same, only slower); {fix}"), False)


def _private_folder(folder: Path, what: str = "the cache folder", fix: str | None = None) -> Path | None:
    """`folder`, made 0700 with any missing parents, if only this user can write it; else None."""
    missing = []
    for path in (folder, *folder.parents):
        if os.path.lexists(path):
            break
        missing.append(path)
    try:
        for path in reversed(missing):
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                pass  # made meanwhile by another run: checked below like any other
    except OSError:
        return None  # cannot be made (a read-only home, a file in the way): no cache
    for path in (*reversed(missing), folder):
        why = _not_private(path)
        if why is not None:
            _refuse(path, why, what, *(fix,) if fix else ())
            return None
    return folder


def _not_private(path: Path) -> str | None:
    """None if `path` is a real folder that belongs to this user and no one else can write."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return "is not a folder"
    if info.st_uid != os.geteuid():
        return f"belongs to another user (uid {info.st_uid})"
    if info.st_mode & 0o022:
        return f"can be written by other users (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def _cache_key(make: bool = True) -> bytes | None:
    """The key entries are signed with, made on first use (32 random bytes, mode 0600)."""
    path = key_path()
    if _private_folder(path.parent, "the folder of the cache's key", "remove it (reportgen makes it afresh)") is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return _new_key(path) if make else None
    except OSError as exc:
        _refuse(path, f"cannot be read ({exc.strerror})", *KEY)
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
            _refuse(path, f"is not a file only its owner can read (mode {stat.S_IMODE(info.st_mode):o}, "
                          f"uid {info.st_uid})", *KEY)
            return None
        key = handle.read(KEY_SIZE + 1)
    if len(key) != KEY_SIZE:
        _refuse(path, "is damaged (not 32 bytes)", *KEY)
        return None
    return key


def _new_key(path: Path) -> bytes | None:
    """A fresh key, put in place whole; if another run made one meanwhile, that one."""
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cache-key.")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_SIZE))
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    except OSError:
        return None
    return _cache_key(make=False)


_checked: dict[tuple, tuple[Path, bytes] | None] = {}  # the variables naming the places: what the checks gave


def _entry(kind: str, name: str) -> tuple[Path, bytes] | None:
    """Where an entry is kept and the key it is signed with, or None: no cache. The folders and
    the key are checked once a process (they belong to this user, so no one else can change them
    after)."""
    if kind not in CACHE_KINDS or not re.fullmatch(r"[0-9a-f]{16,128}\.[a-z0-9]{1,8}", name):
        raise ValueError(f"not a cache entry: {kind}/{name}")
    environ = os.environ
    where = tuple(environ.get(name) for name in ("REPORTGEN_CACHE_DIR", "XDG_CACHE_HOME", "XDG_STATE_HOME", "HOME"))
    if where not in _checked:
        root = cache_dir()
        usable = root is not None and all(_private_folder(root / sub) is not None for sub in CACHE_KINDS)
        key = _cache_key() if usable else None
        _checked[where] = None if key is None else (root, key)
    found = _checked[where]
    return None if found is None else (found[0] / kind / name, found[1])


def _signature(key: bytes, kind: str, name: str, data: bytes) -> bytes:
    """HMAC-SHA256 over the entry's place and its bytes: a good entry moved to another name fails too."""
    return hmac.new(key, f"reportgen cache 1\0{kind}/{name}\0".encode("ascii") + data, hashlib.sha256).digest()


def cache_load(kind: str, name: str) -> bytes | None:
    """The entry's bytes if it is there and its signature holds; else None (then the caller builds
    it afresh and `cache_store`s it over the bad one). Nothing of an entry is used before."""
    found = _entry(kind, name)
    if found is None:
        return None
    path, key = found
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or not 32 < info.st_size <= MAX_ENTRY:
            return None
        kept = handle.read(info.st_size + 1)
    signature, data = kept[:32], kept[32:]
    if not hmac.compare_digest(signature, _signature(key, kind, name, data)):
        return None
    return data


def cache_store(kind: str, name: str, data: bytes) -> None:
    """Sign and keep an entry, whole or not at all (a private temporary file renamed into place);
    a cache that cannot be written is no cache."""
    found = _entry(kind, name)
    if found is None or len(data) + 32 > MAX_ENTRY:
        return
    path, key = found
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_signature(key, kind, name, data) + data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass


def template_cache():
    """Jinja's bytecode cache for the package's own templates (never a report's chapters), or
    None: a template compiled once is loaded by later runs (50 ms less for the HTML writer's),
    as Python keeps __pycache__. An entry is loaded (marshal) only when its signature holds
    (`cache_load`), and Jinja then checks it against the template's source, so an edited
    template is compiled afresh; a cache that cannot be read or written is no cache."""
    import jinja2  # noqa: PLC0415

    class Cache(jinja2.BytecodeCache):
        def load_bytecode(self, bucket) -> None:
            data = cache_load("templates", f"{bucket.key}.cache")
            if data is None:
                return
            try:
                bucket.bytecode_from_string(data)
            except Exception:  # noqa: BLE001 - signed by us but not loadable (another Python): compile afresh
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            cache_store("templates", f"{bucket.key}.cache", bucket.bytecode_to_string())

    if _entry("templates", "0" * 40 + ".cache") is None:
        return None
    return Cache()
