"""Check and assemble the BBC question set (bench/questions_bbc.json), and check our training
questions (training/questions/*.json, which the reader trains on and no bench set uses).

    .venv/bin/python bench/bbc_questions.py check PART.json ...   # validate hand-written parts
    .venv/bin/python bench/bbc_questions.py build PART.json ...   # check, split dev/test, write the set
    .venv/bin/python bench/bbc_questions.py check                 # validate bench/questions_bbc.json

Every evidence string must be an exact substring of its article; every expected answer
must be in the evidence (case-insensitive); every article that holds the evidence is
listed (the BBC corpus has stories under two ids), so a hit on any of them counts.
Unanswerable questions list the words that were grepped for; none of those may occur
together in any article. The split is by article, so the test half asks about articles
nobody tuned on: articles are ordered by a hash of their id and alternate dev/test.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT.parent / "shared" / "bench-corpus" / "bbc"
OUT = ROOT / "bench" / "questions_bbc.json"
KINDS = ("person", "organisation", "place", "date", "money", "percent", "count", "quantity",
         "reason", "title", "description")


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def corpus() -> dict[str, str]:
    return {f"{p.parent.name}/{p.name}": p.read_text(encoding="utf-8", errors="replace") for p in sorted(BBC.glob("*/*.txt"))}


def _check_answer(item: dict, texts: dict[str, str], where: str, problems: list[str]) -> None:
    for key in ("question", "kind", "doc", "evidence", "expected"):
        if key not in item:
            problems.append(f"{where}: missing {key}")
            return
    if item["kind"] not in KINDS:
        problems.append(f"{where}: kind {item['kind']!r} is not one of {KINDS}")
    if item["doc"] not in texts:
        problems.append(f"{where}: no article {item['doc']}")
        return
    if item["evidence"] not in texts[item["doc"]]:
        problems.append(f"{where}: evidence not in {item['doc']}: {item['evidence'][:70]!r}")
    for expected in item["expected"]:
        if _norm(expected) not in _norm(item["evidence"]):
            problems.append(f"{where}: expected {expected!r} not in its evidence")
    item["docs"] = sorted(d for d, t in texts.items() if item["evidence"] in t)


def _check_unanswerable(item: dict, texts: dict[str, str], where: str, problems: list[str]) -> None:
    absent = [_norm(a) for a in item.get("absent", [])]
    if not item.get("question") or not absent:
        problems.append(f"{where}: needs a question and the words grepped for (absent)")
        return
    holding = [d for d, t in texts.items() if all(a in _norm(t) for a in absent)]
    if holding:
        problems.append(f"{where}: {absent} all occur in {holding[:3]}: is it really unanswerable?")


def check(data: dict, texts: dict[str, str]) -> list[str]:
    problems: list[str] = []
    for i, item in enumerate(data.get("answerable", [])):
        _check_answer(item, texts, f"answerable[{i}] {item.get('question', '')[:50]!r}", problems)
    for i, item in enumerate(data.get("unanswerable", [])):
        _check_unanswerable(item, texts, f"unanswerable[{i}] {item.get('question', '')[:50]!r}", problems)
    for i, conv in enumerate(data.get("followups", [])):
        if len(conv.get("turns", [])) < 2:
            problems.append(f"followups[{i}]: needs two turns")
        for j, turn in enumerate(conv.get("turns", [])):
            _check_answer(turn, texts, f"followups[{i}].turns[{j}]", problems)
    return problems


def split_of(doc: str) -> str:
    """dev or test, by article: stable, and independent of which questions exist."""
    return "dev" if int(hashlib.sha256(doc.encode()).hexdigest(), 16) % 2 == 0 else "test"


def build(parts: list[dict]) -> dict:
    merged: dict[str, list] = {"answerable": [], "unanswerable": [], "followups": []}
    for part in parts:
        for key in merged:
            merged[key].extend(part.get(key, []))
    for i, item in enumerate(merged["answerable"], 1):
        item["id"], item["split"] = f"b{i:03d}", split_of(item["doc"])
    for i, item in enumerate(merged["unanswerable"], 1):
        item["id"], item["split"] = f"u{i:03d}", split_of(item.get("near_doc") or item["question"])
    for i, conv in enumerate(merged["followups"], 1):
        conv["id"], conv["split"] = f"f{i:03d}", split_of(conv["turns"][0]["doc"])
    return merged


def summary(data: dict) -> str:
    answerable = data["answerable"]
    lines = [
        f"answerable {len(answerable)} over {len({q['doc'] for q in answerable})} articles "
        f"({', '.join(f'{c} {n}' for c, n in sorted(Counter(q['doc'].split('/')[0] for q in answerable).items()))})",
        f"kinds: {', '.join(f'{k} {n}' for k, n in Counter(q['kind'] for q in answerable).most_common())}",
        f"unanswerable {len(data.get('unanswerable', []))}, follow-ups {len(data.get('followups', []))}",
    ]
    if all("split" in q for q in answerable):
        lines.append(f"split: {dict(Counter(q['split'] for q in answerable))}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("check", "build"):
        print(__doc__)
        return 2
    texts = corpus()
    files = [Path(a) for a in argv[1:]] or [OUT]
    parts = [json.loads(f.read_text()) for f in files]
    problems = [f"{f.name}: {p}" for f, part in zip(files, parts) for p in check(part, texts)]
    for problem in problems:
        print(problem)
    data = build(parts) if argv[0] == "build" else parts[0] if len(parts) == 1 else build(parts)
    print(summary(data))
    if argv[0] == "build" and not problems:
        OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {OUT}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
