"""Question shapes beyond the single fact: overviews, comparisons, lists and descriptions.

bench/questions_shapes.json holds 271 questions over 343 BBC article ids (a story filed under
two ids lists both) that bench/questions_bbc.json does not use: overviews of one article (40)
and of a topic two to four articles share (66), comparisons (21, three with a side no article
mentions), lists (100), descriptions, "who/what is X" (35), and 10 ordinary lookups so that a
shape recogniser also meets them. Every fact, item and expected string is verbatim in the
article it cites (``check``). The split is by article: articles that share a question are one
group, and the groups, taken in the order of a hash of their first id, each go to the half
(dev or test) that keeps every shape and the article count balanced. q198-q272 (topic
overviews and lists, written 2026-12-08 over articles no other question set or training
question uses) alternate dev / test in the sha1 order of their first article. Tune on dev; report test.

    .venv/bin/python bench/shapes.py check                       # every string in its article (exit 1 listing failures)
    .venv/bin/python bench/shapes.py lead3                       # lead-3 baseline for the overview questions
    .venv/bin/python bench/shapes.py run                         # ask every question, both halves
    .venv/bin/python bench/shapes.py run --split test --verbose  # one half, every answer printed
    .venv/bin/python bench/shapes.py phrasings [--verbose]       # the recogniser alone on bench/shape_phrasings*.json

bench/shape_phrasings.json holds 300 questions (110 lists, 100 lookups, many of them looking like
lists, 20 + 20 overviews of an article and of a topic, 25 descriptions, 25 comparisons) written
on 2026-12-08 in as many wordings as the writer could think of, without reading the question
sets, to tune the shape rules on: a figure on it is a tuning figure, not evidence (the test half
of questions_shapes.json is). bench/shape_phrasings_more.json holds 300 more (110 lists, 110
lookups, 20 of each other shape) written later the same way by another writer, who was shown
the first set only to avoid repeating it; before the rules were tuned on it, it measured how
well they carry to wordings they were not written from (0.760, against 0.987 on the first set).

``run`` asks through the Python API and reads the index bench/quality.py builds (default
/tmp/news-assistant-bench-2225); it never builds one. Per shape it reports:

- overview, description: fact coverage, the share of fact groups with an alternative in the answer;
  for a topic overview also the share of its articles it cites (of three at most; a story filed
  twice, which the answer shows once, counts one of its ids as missed) and the share of the
  articles it cites that are its articles;
- comparison: the share citing every side (a side is cited when a citation's doc_id ends with
  one of that side's docs); with an absent side, the share refused and the share naming that side
  (in the answer or in the note of its refusal, as the page and the CLI show it);
- list: recall, the share of items with an alternative in the answer; precision, an
  APPROXIMATION: the answer's items are its bullet lines when it has them, otherwise its short
  comma/"and"-separated pieces plus the capitalised phrases of its longer pieces, and precision
  is the share of those that match an item (either string inside the other);
- lookup: the answer holds the expected string;
- every shape: shape recognised (when the Answer carries a ``shape``), refusals, answer p50 ms;
  and per half the confusion table of the shape each question was written as against the
  shape the assistant recognised.

Matching ignores case, quotes and spacing and respects word boundaries, except that a
one-word capitalised alternative ("Next", "Hotel") must match its case. Prints numbers;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BBC = ROOT.parent / "shared" / "bench-corpus" / "bbc"
QUESTIONS = ROOT / "bench" / "questions_shapes.json"
SHAPES = ("lookup", "overview", "comparison", "list", "description")
SPLITS = ("dev", "test")
METRICS = ("facts", "articles_found", "articles_right", "every_side_cited", "absent_refused", "absent_named", "recall", "precision",
           "correct", "shape_recognised", "refused", "answer_ms")
ALL_SHAPES = ("shape_recognised", "refused", "answer_ms")  # the metrics also pooled over every shape
_MARKER = re.compile(r"\[\d+\]")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_CAPS = re.compile(r"[A-Z][\w'’&./-]*(?:\s+(?:(?:of|the|and|de|in|&)\s+){0,2}[A-Z0-9][\w'’&./-]*)*")
_STOP = {"a", "an", "the", "he", "she", "it", "they", "we", "i", "but", "and", "in", "on", "at", "of", "for",
         "this", "that", "these", "those", "his", "her", "its", "their", "mr", "mrs", "ms", "dr", "sir",
         "however", "meanwhile", "also", "as", "after", "before", "while", "when", "if", "there", "yet"}


def load_questions(split: str | None = None) -> list[dict]:
    questions = json.loads(QUESTIONS.read_text())["questions"]
    return [q for q in questions if split in (None, q["split"])]


def article(doc: str) -> str:
    return (BBC / doc).read_text(encoding="utf-8", errors="replace")


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("“", '"').replace("”", '"').split())


def found(alternative: str, text: str) -> bool:
    """Alternative in text, on word boundaries; case-blind unless it is one capitalised word."""
    alt, body = _norm(alternative), _norm(text)
    flags = 0 if (" " not in alt and alt[:1].isupper()) else re.IGNORECASE
    left = r"(?<!\w)" if alt[:1].isalnum() else ""
    right = r"(?!\w)" if alt[-1:].isalnum() else ""
    return re.search(left + re.escape(alt) + right, body, flags) is not None


def covered(groups: list[list[str]], text: str) -> int:
    """How many fact groups (or list items) have an alternative in text."""
    return sum(any(found(alt, text) for alt in group) for group in groups)


# ---- check


def strings_to_check(q: dict) -> list[tuple[str, list[str]]]:
    """(string, docs it must occur in one of) for every fact, item, side fact and expected answer."""
    pairs = [(s, q["docs"]) for group in q.get("facts", []) + q.get("items", []) for s in group]
    pairs += [(s, q["docs"]) for s in q.get("expected", [])]
    pairs += [(s, side["docs"]) for side in q.get("sides", []) for group in side["facts"] for s in group]
    return pairs


def shape_problems(q: dict) -> list[str]:
    needs = {"overview": "facts", "description": "facts", "list": "items", "comparison": "sides", "lookup": "expected"}
    problems = []
    if q.get("shape") not in SHAPES:
        return [f"shape {q.get('shape')!r} is not one of {SHAPES}"]
    if not q.get(needs[q["shape"]]):
        problems.append(f"{q['shape']} without {needs[q['shape']]}")
    if q.get("split") not in SPLITS:
        problems.append(f"split {q.get('split')!r}")
    if q["shape"] == "overview" and not 3 <= len(q["facts"]) <= 6:
        problems.append(f"{len(q['facts'])} fact groups (want 3-6)")
    return problems


def check(questions: list[dict]) -> list[str]:
    texts: dict[str, str] = {}
    problems: list[str] = []
    split_of: dict[str, set[str]] = defaultdict(set)
    for q in questions:
        where = f"{q.get('id')} {q.get('question', '')[:50]!r}"
        problems += [f"{where}: {p}" for p in shape_problems(q)]
        docs = q.get("docs", []) + [d for side in q.get("sides", []) for d in side["docs"]]
        for doc in docs:
            split_of[doc].add(q.get("split"))
            if doc not in texts:
                texts[doc] = article(doc) if (BBC / doc).is_file() else ""
        for string, within in strings_to_check(q):
            if not any(string in texts[d] for d in within):
                problems.append(f"{where}: {string!r} is not in {within}")
    problems += [f"{doc} is in both halves" for doc, halves in split_of.items() if len(halves) > 1]
    problems += absent_problems(questions)
    return problems


def absent_problems(questions: list[dict]) -> list[str]:
    """A side marked absent must occur in no article at all."""
    names = {name.lower() for q in questions for name in q.get("absent", [])}
    if not names:
        return []
    problems = []
    for path in sorted(BBC.glob("*/*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace").lower()
        problems += [f"absent side {name!r} occurs in {path.parent.name}/{path.name}" for name in names if name in text]
    return problems


# ---- lead-3


def lead3(doc: str, n: int = 3) -> str:
    """The first n sentences of the article's body (after its headline line)."""
    from index.chunking import sentence_spans

    text = article(doc)
    body = text.split("\n", 1)[1] if "\n" in text else text
    return " ".join(body[start:end] for start, end in sentence_spans(body)[:n])


def lead3_report(questions: list[dict]) -> None:
    print(f"{'overview questions':<26}" + "".join(f"{s:>16}" for s in SPLITS))
    for scope in ("article", "topic", None):
        cells = []
        for split in SPLITS:
            rows = [q for q in questions if q["shape"] == "overview" and q["split"] == split
                    and scope in (None, q.get("scope"))]
            hit = sum(covered(q["facts"], " ".join(dict.fromkeys(lead3(d) for d in q["docs"]))) for q in rows)
            total = sum(len(q["facts"]) for q in rows)
            cells.append(f"{hit / max(total, 1):.3f} ({len(rows)})")
        print(f"{'lead-3 ' + (scope or 'all') + ' coverage':<26}" + "".join(f"{c:>16}" for c in cells))
    print("(topic overviews: the first three sentences of every cited article; (n) = questions)")


# ---- run


def answer_items(text: str) -> list[str]:
    """The items an answer lists (approximation): its bullet lines, else short comma/"and"
    pieces plus the capitalised phrases of the longer pieces."""
    text = _MARKER.sub("", text)
    bullets = [_BULLET.sub("", line).strip() for line in text.splitlines() if _BULLET.match(line)]
    if len(bullets) >= 2:
        return bullets
    items: list[str] = []
    for piece in re.split(r",|;|\n|\band\b|\bor\b", text):
        piece = piece.strip(" .:!?\"'()")
        if 1 <= len(piece.split()) <= 4:
            items.append(piece)
        elif piece:
            items += [p for p in (_strip_stop(m.group(0)) for m in _CAPS.finditer(piece)) if len(p) > 1]
    return list(dict.fromkeys(items))


def _strip_stop(phrase: str) -> str:
    words = phrase.split()
    while words and words[0].lower().strip(".") in _STOP:
        words = words[1:]
    return " ".join(words)


def list_precision(items: list[list[str]], text: str) -> float:
    """Share of the answer's items (see answer_items) that are items of the list; 0 when it lists none."""
    said = answer_items(text)
    if not said:
        return 0.0

    def is_item(piece: str) -> bool:
        return any(found(alt, piece) or (len(piece) > 2 and found(piece, alt)) for group in items for alt in group)
    return sum(is_item(piece) for piece in said) / len(said)


def cites_every_side(q: dict, doc_ids: list[str]) -> bool:
    return all(any(c.endswith(d) for c in doc_ids for d in side["docs"]) for side in q["sides"])


def recognised(answer, q: dict) -> bool | None:
    shape = getattr(answer, "shape", None)
    return None if shape is None else str(getattr(shape, "value", shape)) == q["shape"]


def score(q: dict, answer) -> dict[str, float]:
    """The numbers one answer contributes, by the question's shape."""
    text, cited = answer.text, [c.doc_id for c in answer.citations]
    row = {"refused": float(answer.refused)}
    if q["shape"] in ("overview", "description"):
        row["facts"] = covered(q["facts"], text) / len(q["facts"])
    elif q["shape"] == "list":
        row["recall"] = covered(q["items"], text) / len(q["items"])
        row["precision"] = list_precision(q["items"], text)
    elif q["shape"] == "lookup":
        row["correct"] = float(all(found(e, text) for e in q["expected"]))
    elif q.get("absent"):
        row["absent_refused"] = float(answer.refused)
        shown = " ".join([text, *answer.shown_notes()])  # a refusal names the side in its note
        row["absent_named"] = float(any(found(name, shown) for name in q["absent"]))
    else:
        row["every_side_cited"] = float(cites_every_side(q, cited))
    if q.get("scope") == "topic":  # the articles a topic overview found: of those to cite (three at most), and of those it cited
        hit = {d for d in q["docs"] if any(c.endswith(d) for c in cited)}
        row["articles_found"] = len(hit) / min(len(q["docs"]), 3)
        row["articles_right"] = len(hit) / len(set(cited)) if cited else 0.0
    if (ok := recognised(answer, q)) is not None:
        row["shape_recognised"] = float(ok)
    return row


def evaluate(bot, questions: list[dict], verbose: bool = False,
             confusion: Counter | None = None) -> dict[str, dict[str, list[float]]]:
    """shape -> metric -> values (one per question that has the metric); ``confusion``
    counts (shape written, shape recognised) pairs."""
    out: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for q in questions:
        started = time.perf_counter()
        answer = bot.ask(q["question"])
        ms = (time.perf_counter() - started) * 1000
        if confusion is not None:
            confusion[q["shape"], str(getattr(answer, "shape", None))] += 1
        key = q["shape"] + ("/topic" if q.get("scope") == "topic" else "")
        row = {**score(q, answer), "answer_ms": ms}
        for metric, value in row.items():
            out[key][metric].append(value)
            if metric in ALL_SHAPES:
                out["all"][metric].append(value)
        if verbose:
            print(q["id"], q["split"], key, {k: round(v, 2) for k, v in row.items()}, q["question"],
                  "->", answer.text[:300].replace("\n", " | "))
    return out


def report(results: dict[str, dict]) -> None:
    splits = list(results)
    keys = sorted({k for r in results.values() for k in r}, key=lambda k: (k == "all", k))
    print(f"{'shape / metric':<34}" + "".join(f"{s:>16}" for s in splits))
    for key in keys:
        for metric in METRICS:
            cells = [results[s].get(key, {}).get(metric) for s in splits]
            if not any(cells):
                continue
            print(f"{key + ' ' + metric:<34}" + "".join(f"{_cell(metric, v):>16}" for v in cells))
    print("(facts = share of fact groups covered; answer_ms = p50; (n) = questions with the metric;"
          " shape_recognised only when the Answer carries a shape)")


def _cell(metric: str, values: list[float] | None) -> str:
    if not values:
        return "-"
    value = statistics.median(values) if metric == "answer_ms" else sum(values) / len(values)
    return f"{value:.0f} ({len(values)})" if metric == "answer_ms" else f"{value:.3f} ({len(values)})"


def run(args: argparse.Namespace) -> int:
    from assistant import Assistant, Settings

    if not Path(args.data_dir).is_dir():
        print(f"no index at {args.data_dir}: build it with bench/quality.py first", file=sys.stderr)
        return 2
    bot = Assistant(Settings.load(data_dir=Path(args.data_dir), backend=args.backend, llm_url=args.llm_url))
    print(f"index: {bot.status()['chunks']} chunks", file=sys.stderr)
    splits = [args.split] if args.split else list(SPLITS)
    confusions = {split: Counter() for split in splits}
    results = {split: evaluate(bot, load_questions(split), args.verbose, confusions[split]) for split in splits}
    report(results)
    for split, confusion in confusions.items():
        confusion_report(split, confusion)
    return 0


PHRASINGS = (ROOT / "bench" / "shape_phrasings.json", ROOT / "bench" / "shape_phrasings_more.json",
             ROOT / "bench" / "shape_phrasings_third.json")


def phrasings(verbose: bool) -> int:
    """The shape recogniser alone (the rules, then the learned head as the engine asks it)
    on each phrasings set: its confusion table and accuracy; and the rules alone."""
    from assistant.reading.shape_head import shape_head
    from assistant.reading.shapes import shape_of
    from index.embedders import MiniLMEmbedder

    embedder, head = MiniLMEmbedder(), shape_head()
    for path in PHRASINGS:
        print(f"\n{path.name}")
        _phrasings(path, lambda text: head.read(text, shape_of(text), embedder), verbose)
        rules = _phrasings(path, shape_of, False, quiet=True)
        print(f"the rules alone: {rules:.3f}")
    return 0


def _phrasings(path: Path, recognise, verbose: bool, quiet: bool = False) -> float:
    confusion: Counter = Counter()
    for q in json.loads(path.read_text())["questions"]:
        shape = recognise(q["text"])
        got = f"overview_{shape.scope}" if shape.kind == "overview" else shape.kind
        confusion[q["shape"], got] += 1
        if verbose and got != q["shape"]:
            print(f"{q['shape']:>16} read as {got:<16} {q['text']}")
    written = sorted({w for w, _ in confusion})
    got = sorted({g for _, g in confusion})
    right = sum(confusion[w, w] for w in written)
    if not quiet:
        print(f"{'written / read as':<18}" + "".join(f"{g[:11]:>12}" for g in got))
        for w in written:
            print(f"{w:<18}" + "".join(f"{confusion[w, g]:>12}" for g in got))
        print(f"recognised {right} of {sum(confusion.values())}: {right / sum(confusion.values()):.3f}")
    return right / sum(confusion.values())


def confusion_report(split: str, confusion: Counter) -> None:
    """Rows: the shape a question was written as; columns: the shape the assistant recognised."""
    got = sorted({g for _, g in confusion}, key=lambda g: (g not in SHAPES, SHAPES.index(g) if g in SHAPES else 0, g))
    print(f"\nshape recognised, {split} half (rows: written, columns: recognised)")
    print(f"{'':<12}" + "".join(f"{g:>12}" for g in got))
    for written in SHAPES:
        if any(w == written for w, _ in confusion):
            print(f"{written:<12}" + "".join(f"{confusion[written, g]:>12}" for g in got))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("check", "lead3", "run", "phrasings"))
    parser.add_argument("--data-dir", default="/tmp/news-assistant-bench-2225")
    parser.add_argument("--split", choices=SPLITS, help="one half only (default: both)")
    parser.add_argument("--backend", default="extractive", help="answer backend to measure (extractive, llama-cpp, openai)")
    parser.add_argument("--llm-url", help="base URL for --backend openai")
    parser.add_argument("--verbose", action="store_true",
                        help="print every question and answer (run), every question misread (phrasings)")
    args = parser.parse_args()
    if args.command == "run":
        return run(args)
    if args.command == "phrasings":
        return phrasings(args.verbose)
    questions = load_questions(args.split)
    if args.command == "lead3":
        lead3_report(questions)
        return 0
    problems = check(questions)
    for problem in problems:
        print(problem)
    print(summary(questions))
    return 1 if problems else 0


def summary(questions: list[dict]) -> str:
    counts = defaultdict(lambda: defaultdict(int))
    for q in questions:
        key = q["shape"] + ("/topic" if q.get("scope") == "topic" else "") + ("/absent" if q.get("absent") else "")
        counts[key][q["split"]] += 1
    articles = {s: len({d for q in questions if q["split"] == s for d in q["docs"]}) for s in SPLITS}
    lines = [f"{key:<22} dev {c['dev']:>3}  test {c['test']:>3}" for key, c in sorted(counts.items())]
    lines.append(f"{'questions':<22} dev {sum(c['dev'] for c in counts.values()):>3}  "
                 f"test {sum(c['test'] for c in counts.values()):>3}")
    lines.append(f"{'articles (ids)':<22} dev {articles['dev']:>3}  test {articles['test']:>3}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
