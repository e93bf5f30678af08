"""The one place that writes under an output folder (``--out``, ``--overview``).

Every file goes to a temporary name in its own folder and is renamed into place, so a
crash never leaves a half-written notice, and an unchanged file is left alone. A run's
files go in one batch (:meth:`OutputFolder.write_all`): all of them are written to
temporary names first and renamed only when every one was written, so a failure
(a full disk) leaves none of them, and no folder the batch made. A folder that
cannot be written is an ``OutputError`` (exit 3) naming it. Nothing
is written through a symbolic link: a link at the file's path, or any folder between
the output root and the file that is a link, is refused with an ``InputError`` naming
it. Customer folders get names that never collide with each other nor with the files
releasecare writes in the root itself (``RESERVED``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from releasecare.crashpoints import crash_point
from releasecare.errors import InputError, OutputError
from releasecare.slugs import safe_slug

# Files releasecare writes (or will write) directly in an output root or in a customer
# folder; a customer folder never takes one of these names.
RESERVED = frozenset(
    {
        "index.html",
        "impact.json",
        "feed.atom",
        ".feed.json",
    }
)
FILE_MODE = 0o644  # before the umask
FOLDER_MODE = 0o755  # before the umask
_TEMP_SUFFIX = ".tmp"


def customer_folder(customer_id: str) -> str:
    """The folder name of ``customer_id``'s notices, directly under the output root.

    :func:`~releasecare.slugs.safe_slug`, plus its hash when the slug would be one of
    the names in ``RESERVED``: two different ids never share a folder, and no customer
    folder is a file releasecare writes in the root.
    """
    return safe_slug(customer_id, reserved=RESERVED)


class OutputFolder:
    """An output root, checked once; every write under it goes through :meth:`write`.

    ``root`` is kept as given (paths returned are ``root / relative``, as the user
    spelled it); ``option`` names the command-line option in messages. The root is
    created on the first write, not before, so a run that writes nothing leaves no
    folder behind. The root itself may be a link to a folder; nothing below it may.
    """

    def __init__(self, root: Path, *, option: str = "--out") -> None:
        self.option = option
        if str(root) in ("", "."):
            raise InputError(
                f"{option} must name a folder (got {str(root)!r})",
                hint=f"give the folder to write to, e.g. {option} notices/",
            )
        self.root = root
        try:
            info = root.stat()
        except FileNotFoundError:
            if root.is_symlink():
                raise OutputError(
                    f"{option} {root} is a symbolic link to {os.readlink(root)}, which does "
                    "not exist",
                    hint="create the folder it points to, or remove the link",
                ) from None
        except OSError as exc:
            raise self.cannot_write(root, exc) from None
        else:
            if not stat.S_ISDIR(info.st_mode):
                what = "a file" if stat.S_ISREG(info.st_mode) else "a device or other special file"
                raise InputError(f"{option} {root} is {what}, not a folder")
        self._real: Path | None = None
        self._resolved: set[tuple[str, ...]] = set()  # folders already resolved and compared
        self._made: list[Path] = []  # folders made by the batch being written

    def cannot_write(self, path: Path, exc: OSError) -> OutputError:
        """The ``OutputError`` for ``exc`` while writing ``path`` under the root."""
        hints = {
            errno.ENOSPC: "the disk is full; free some space and run the command again",
            errno.EDQUOT: "the disk quota is used up; free some space and run it again",
            errno.EACCES: f"releasecare may not write there; fix the folder's permissions or"
            f" give another {self.option}",
            errno.EPERM: f"releasecare may not write there; give another {self.option}",
            errno.EROFS: f"the file system is read-only; give another {self.option}",
            errno.ENOTDIR: "a file stands where a folder should be; move it or choose "
            f"another {self.option}",
        }
        return OutputError(
            f"cannot write {path} under {self.option} {self.root}: "
            f"{exc.strerror or type(exc).__name__} (nothing was written)",
            hint=hints.get(exc.errno or 0, "check the folder and the disk"),
        )

    # -- paths ---------------------------------------------------------------------

    def _parts(self, relative: str | PurePath) -> tuple[str, ...]:
        """The plain names of ``relative``; anything that could leave the root is refused.

        A string is read with ``/`` between names; a ``Path`` by its own parts.
        """
        pure = relative if isinstance(relative, PurePath) else PurePosixPath(relative)
        parts = pure.parts
        if (
            not parts
            or pure.anchor
            or PureWindowsPath(str(relative)).anchor
            or any(p in ("", ".", "..") or "/" in p or "\\" in p for p in parts)
        ):
            raise InputError(f"{relative!s}: not a plain path inside {self.option} {self.root}")
        return parts

    def path(self, relative: str | PurePath) -> Path:
        """``root / relative``, after checking ``relative`` stays inside the root."""
        return self.root.joinpath(*self._parts(relative))

    def _refuse_link(self, path: Path) -> InputError:
        return InputError(
            f"{path} is a symbolic link; releasecare does not write through links under "
            f"{self.option} {self.root}",
            hint="remove the link (or point the option at the real folder)",
        )

    def _real_root(self) -> Path:
        if self._real is None:
            self._real = Path(os.path.realpath(self.root))
        return self._real

    def _folder(self, parts: tuple[str, ...], *, create: bool) -> Path | None:
        """The folder ``root/parts``, each step checked with ``lstat``; made if ``create``.

        None when it does not exist and ``create`` is false. Raises when any step is a
        link or not a folder, or when the folder resolves outside the root.
        """
        if create and not self._resolved:
            missing = [p for p in (self.root, *self.root.parents) if not os.path.lexists(p)]
            try:
                self.root.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
            except FileExistsError:
                raise InputError(f"{self.option} {self.root} is a file, not a folder") from None
            self._made += reversed(missing)
        elif not self.root.is_dir():
            return None
        folder = self.root
        for part in parts:
            folder = folder / part
            try:
                info = folder.lstat()
            except FileNotFoundError:
                if not create:
                    return None
                try:
                    folder.mkdir(mode=FOLDER_MODE)
                    self._made.append(folder)
                except FileExistsError:  # made meanwhile: checked below
                    pass
                info = folder.lstat()
            if stat.S_ISLNK(info.st_mode):
                raise self._refuse_link(folder)
            if not stat.S_ISDIR(info.st_mode):
                raise InputError(f"{folder} is a file, not a folder")
        # Resolve, then compare: the folder must be where its names say it is (once per
        # folder and run; the lstat walk above is repeated on every call).
        if parts not in self._resolved:
            if Path(os.path.realpath(folder)) != self._real_root().joinpath(*parts):
                raise self._refuse_link(folder)
            self._resolved.add(parts)
        return folder

    def _target(self, folder: Path, name: str) -> tuple[Path, os.stat_result | None]:
        target = folder / name
        try:
            info = target.lstat()
        except FileNotFoundError:
            return target, None
        if stat.S_ISLNK(info.st_mode):
            raise self._refuse_link(target)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{target} exists and is not a file")
        return target, info

    # -- the API -------------------------------------------------------------------

    def folder_for_customer(self, customer_id: str) -> Path:
        """The customer's folder, relative to the root (refused if it is a link)."""
        name = customer_folder(customer_id)
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISLNK((self.root / name).lstat().st_mode):
                raise self._refuse_link(self.root / name)
        return Path(name)

    def read(self, relative: str | PurePath) -> str | None:
        """The text of ``root/relative``, or None when it does not exist. Never follows
        a link (one at the path or on the way is refused)."""
        *folders, name = self._parts(relative)
        folder = self._folder(tuple(folders), create=False)
        if folder is None:
            return None
        target, info = self._target(folder, name)
        if info is None:
            return None
        return _read_nofollow(target)

    def files(self, relative: str | PurePath) -> list[str]:
        """Names in the folder ``root/relative`` (empty when it does not exist), sorted;
        temporary files of an interrupted write are left out."""
        folder = self._folder(self._parts(relative), create=False)
        if folder is None:
            return []
        return sorted(
            n for n in os.listdir(folder) if not (n.startswith(".") and n.endswith(_TEMP_SUFFIX))
        )

    def write(self, relative: str | PurePath, text: str) -> Path:
        """Write ``text`` to ``root/relative`` atomically; returns ``root / relative``.

        Parent folders are made inside the root (mode 0o755, less the umask), the
        file gets mode 0o644 less the umask. A file that already holds ``text`` is
        left untouched. Links are refused, never followed.
        """
        return self.write_all([(relative, text)])[0]

    def write_all(self, files: Sequence[tuple[str | PurePath, str]]) -> list[Path]:
        """Write every ``(relative, text)`` as :meth:`write` does, all or none: each to
        a temporary name first, then all renamed into place. When any fails, the
        temporary files and the folders this call made are removed again."""
        self._made = []
        staged: list[tuple[Path, Path]] = []  # (temporary, target)
        paths: list[Path] = []
        try:
            for relative, text in files:
                target, temp = self._stage(relative, text)
                paths.append(target)
                if temp is not None:
                    staged.append((temp, target))
            crash_point("render:after-temporary-files")
            for n, (temp, target) in enumerate(staged):
                # Between the check and now, a link may have appeared at the target:
                # os.replace swaps the link itself, never writing through it.
                os.replace(temp, target)
                if n == 0:
                    crash_point("render:after-first-rename")
        except BaseException as exc:
            for temp, _ in staged:
                with contextlib.suppress(OSError):
                    temp.unlink()
            for folder in reversed(self._made):
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only when empty: another run may have filled it
            self._resolved.clear()
            if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
                where = Path(exc.filename or self.root)
                if where.name.endswith(_TEMP_SUFFIX):  # a temporary file: name its folder
                    where = where.parent
                raise self.cannot_write(where, exc) from None
            raise
        finally:
            self._made = []
        return paths

    def _stage(self, relative: str | PurePath, text: str) -> tuple[Path, Path | None]:
        """``(target, temporary file holding text)``; no temporary file when the target
        holds ``text`` already."""
        *folders, name = self._parts(relative)
        folder = self._folder(tuple(folders), create=True)
        assert folder is not None
        target, info = self._target(folder, name)
        data = text.encode("utf-8")
        if info is not None and info.st_size == len(data) and _read_bytes(target) == data:
            return target, None
        temp = folder / f".{name}.{secrets.token_hex(6)}{_TEMP_SUFFIX}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(temp, flags, FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as handle:
                _write_fully(handle, data, temp)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise
        return target, temp


def _write_fully(handle: BinaryIO, data: bytes, path: Path) -> None:
    """Write and flush ``data`` (a full disk shows at the flush), naming ``path``."""
    try:
        handle.write(data)
        handle.flush()
    except OSError as exc:
        exc.filename = str(path)
        raise


def _read_bytes(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def _read_nofollow(path: Path) -> str:
    try:
        return _read_bytes(path).decode("utf-8")
    except OSError as exc:
        if _is_link(path):
            raise InputError(f"{path} is a symbolic link; not read") from None
        raise InputError(f"{path}: {exc.strerror}") from None


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(path.lstat().st_mode)
    except OSError:
        return False
