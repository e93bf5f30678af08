"""Put an output folder back as it was when the command that wrote to it fails.

A command that writes files and then fails (the database commit, a link refused
half way, an interrupt) must leave ``--out`` as it found it, as its transaction
leaves the database. Before writing, the command says which folders it will write
in (``keep``); each file there is hard-linked aside (copied where links are not
possible), which costs no copy: ``OutputFolder`` replaces files, never rewrites
them, so the aside name keeps the old content. ``restore`` puts the old files back
and removes the new ones; ``forget`` drops the aside copies after success. A folder
or root that did not exist is removed whole.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path

_ASIDE_PREFIX = ".releasecare-undo-"


class OutputUndo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.existed = root.is_dir()  # the root itself may be a link to a folder
        self._aside: Path | None = None
        # folder (relative; "" the root) -> (files it had, the names watched or None: all);
        # None: the folder did not exist.
        self._kept: dict[str, tuple[set[str], frozenset[str] | None] | None] = {}

    def keep(self, folder: str = "", *, names: Iterable[str] | None = None) -> None:
        """Remember the files directly in ``root/folder`` (only ``names`` when given)."""
        if not self.existed or folder in self._kept:
            return  # a root that did not exist is removed whole
        path = self.root / folder if folder else self.root
        if not _is_folder(path):
            self._kept[folder] = None
            return
        watched = frozenset(names) if names is not None else None
        aside = self._aside_folder() / (folder or ".root")
        aside.mkdir(parents=True, exist_ok=True)
        had: set[str] = set()
        for name in os.listdir(path):
            if watched is not None and name not in watched:
                continue
            if not _is_file(path / name):
                continue
            try:
                os.link(path / name, aside / name, follow_symlinks=False)
            except OSError:
                shutil.copy2(path / name, aside / name, follow_symlinks=False)
            had.add(name)
        self._kept[folder] = (had, watched)

    def restore(self) -> None:
        """Every kept folder as it was; best effort, never raising over the real error."""
        with contextlib.suppress(OSError):
            if not self.existed:
                if _is_folder(self.root):
                    shutil.rmtree(self.root)
                return
            for folder, state in self._kept.items():
                path = self.root / folder if folder else self.root
                if state is None:
                    if _is_folder(path):
                        shutil.rmtree(path)
                    continue
                had, watched = state
                if _is_folder(path):
                    for name in os.listdir(path):
                        new = (watched is None or name in watched) and name not in had
                        if new and _is_file(path / name):
                            (path / name).unlink()
                aside = self._aside_folder() / (folder or ".root")
                for name in had:
                    os.replace(aside / name, path / name)
        self.forget()

    def forget(self) -> None:
        if self._aside is not None:
            shutil.rmtree(self._aside, ignore_errors=True)
            self._aside = None

    def _aside_folder(self) -> Path:
        if self._aside is None:
            self._aside = self.root / f"{_ASIDE_PREFIX}{secrets.token_hex(6)}"
            self._aside.mkdir(mode=0o700)
        return self._aside


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def _is_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False
