"""Uploaded files: checked, renamed safely and copied into ``<data_dir>/uploads/``.

A browser chooses the file name, so it is never trusted: only its last path
component survives, reduced to letters, digits, ``.``, ``-`` and ``_``. Nothing
can land outside the uploads folder, whatever ``../`` or absolute path it names.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from corpus import SUPPORTED_SUFFIXES, CorpusError

MAX_NAME_CHARS = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadError(CorpusError):
    """An upload was refused; the message says why and what to do."""


def uploads_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "uploads"


def safe_name(name: str) -> str:
    """The file name an upload is stored under; raises UploadError if none is acceptable."""
    base = re.split(r"[\\/]", str(name))[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem:
        stem, suffix = base, ""
    suffix = f".{suffix.lower()}" if suffix else ""
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadError(f"unsupported file type '{suffix or '(none)'}'; upload {', '.join(SUPPORTED_SUFFIXES)} files")
    stem = _UNSAFE.sub("-", stem).strip(".-_")[: MAX_NAME_CHARS - len(suffix)] or "upload"
    return stem + suffix


def save_upload(source: Path, name: str, folder: Path, max_bytes: int) -> Path:
    """Copy one uploaded file into ``folder`` under a safe name; returns where it went."""
    target_name = safe_name(name)
    size = Path(source).stat().st_size
    if size > max_bytes:
        raise UploadError(
            f"{size / 2**20:.1f} MB is larger than the {max_bytes / 2**20:g} MB limit "
            "(ASSISTANT_UPLOAD_MAX_MB); upload a smaller file"
        )
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / target_name).resolve()
    if target.parent != folder:  # cannot happen after safe_name; kept as the last line of defence
        raise UploadError(f"refusing to write outside {folder}")
    shutil.copyfile(source, target)
    return target


def save_uploads(files: Iterable[tuple[Path, str]], folder: Path, max_bytes: int) -> tuple[list[Path], list[dict]]:
    """Save each (temporary path, name the browser gave) pair; returns the saved
    paths and ``{"path", "reason"}`` for each file refused."""
    saved: list[Path] = []
    rejected: list[dict] = []
    for source, name in files:
        try:
            saved.append(save_upload(Path(source), name, folder, max_bytes))
        except UploadError as exc:
            rejected.append({"path": re.split(r"[\\/]", str(name))[-1] or str(name), "reason": str(exc)})
    return saved, rejected
