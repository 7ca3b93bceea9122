"""Walk files and folders, read each supported file, report the ones skipped."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corpus.cleaning import drop_repeated_lines, normalise
from corpus.models import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, Article, CorpusError, SkippedFile
from corpus.readers import first_line_title, opening_words, reader_for

log = logging.getLogger(__name__)


@dataclass
class LoadResult:
    """What one path yielded.

    ``root`` is the folder that doc ids are relative to. ``whole_root`` is True
    when the path was that folder itself: only then may the index delete
    documents of that root that are no longer on disk.
    """

    root: Path
    whole_root: bool
    articles: list[Article] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def load_paths(paths: Iterable[Path], label_for) -> list[LoadResult]:
    """Load several paths; ``label_for(root)`` names each root's doc-id prefix."""
    return [load_path(Path(p), label_for) for p in paths]


def load_path(path: Path, label_for, max_bytes: int = MAX_FILE_BYTES) -> LoadResult:
    """Load one file or, recursively, one folder."""
    path = Path(os.path.abspath(path))
    if not path.exists():
        raise CorpusError(f"{path} does not exist; check the path")
    if path.is_dir():
        result = LoadResult(root=path.resolve(), whole_root=True)
        files = _walk(path, result)
    else:
        result = LoadResult(root=path.parent.resolve(), whole_root=False)
        files = [path]
    label = label_for(result.root)
    for file in files:
        try:
            result.articles.append(load_file(file, result.root, label, max_bytes))
        except CorpusError as exc:
            result.skipped.append(SkippedFile(str(file), str(exc)))
            log.info("skipped %s: %s", file, exc)
    return result


def _walk(folder: Path, result: LoadResult) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            file = Path(dirpath) / name
            if file.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(file)
            else:
                result.skipped.append(SkippedFile(str(file), f"unsupported file type '{file.suffix or '(none)'}'"))
    return files


def load_file(file: Path, root: Path, label: str, max_bytes: int = MAX_FILE_BYTES) -> Article:
    """Read, clean and describe one file; raises CorpusError with the reason."""
    real = file.resolve()
    if not real.is_relative_to(root):
        raise CorpusError(f"symlink pointing outside the indexed folder ({real}); copy the file in instead")
    data = _read_bytes(real, max_bytes)
    raw = reader_for(file)(data)
    text, dropped = drop_repeated_lines(normalise(raw.text))
    if dropped:
        log.info("%s: dropped repeated boilerplate lines %s", file, dropped)
    # no headline: the opening words say more than a file name like "000_9b1b4d3814f511aa"
    title = raw.title or first_line_title(text)[0] or opening_words(text) or file.stem
    if not text.strip():
        raise CorpusError("no text after cleaning (empty, whitespace-only or image-only); nothing to index")
    rel = file.relative_to(root) if file.is_relative_to(root) else Path(file.name)
    return Article(
        doc_id=f"{label}/{rel.as_posix()}",
        root=str(root),
        path=str(real),
        title=title,
        text=text,
        date=raw.date,
        source=raw.source or str(real),
        author=raw.author,
        warnings=tuple(raw.warnings),
    )


def _read_bytes(file: Path, max_bytes: int) -> bytes:
    try:
        size = file.stat().st_size
        if size > max_bytes:
            raise CorpusError(
                f"too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.0f} MB limit); split it or raise ASSISTANT_MAX_FILE_MB"
            )
        if size == 0:
            raise CorpusError("empty file; nothing to index")
        with open(file, "rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as exc:
        raise CorpusError(f"cannot be read ({exc.strerror or exc}); check it exists and is readable") from exc
