"""An upload as its user sees it: each refused file under the name they gave it (never the
server's temporary or storage path) with the reason, and each article added by its title."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.surfaces.render import article_list
from corpus.uploads import UploadError, safe_name, uploads_dir


@dataclass
class UploadOutcome:
    report: object | None  # the SyncReport, None when every file was refused before indexing
    refused: list[dict] = field(default_factory=list)  # {"path": name as uploaded, "reason"}
    articles: list[dict] = field(default_factory=list)  # {"doc_id", "title", "date", "source", "chunks"}


def upload(bot, files: list[tuple[Path, str]], progress=None) -> UploadOutcome:
    """Store and index uploaded (temporary path, name as uploaded) files; see :class:`UploadOutcome`."""
    names = {_user_name(name) for _, name in files}
    stored = _stored_paths(bot, names)
    report, rejected = bot.add_uploads(files, progress=progress)
    refused = [*rejected, *_unindexed(report, stored)]
    added = {d for d, state in bot.index.store.documents().items() if state.path in stored} if report else set()
    articles = [a for a in article_list(bot) if a["doc_id"] in added]
    return UploadOutcome(report, refused, articles)


def _user_name(name: str) -> str:
    return re.split(r"[\\/]", str(name))[-1] or str(name)


def _stored_paths(bot, names: set[str]) -> dict[str, str]:
    """Where each accepted upload will be stored -> the name it was uploaded as."""
    folder = uploads_dir(bot.settings.data_dir).resolve()
    stored = {}
    for name in names:
        try:
            stored[str(folder / safe_name(name))] = name
        except UploadError:  # refused before storing; add_uploads reports it
            continue
    return stored


def _unindexed(report, stored: dict[str, str]) -> list[dict]:
    """The stored uploads indexing skipped, named as uploaded; their stored copies are removed
    (a refused upload is not kept, so later re-indexes do not report it again)."""
    refused = []
    for skipped in report.skipped if report else []:
        path = str(Path(skipped["path"]).resolve())
        if path in stored:
            refused.append({"path": stored[path], "reason": skipped["reason"]})
            Path(path).unlink(missing_ok=True)
    if report:
        report.skipped = [s for s in report.skipped if str(Path(s["path"]).resolve()) not in stored]
    return refused
