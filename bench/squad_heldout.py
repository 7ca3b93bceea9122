"""The reader on Wikipedia articles it was never trained on, asked as a user would.

The qa-train articles the reader's training held out (training.squad.split_articles: a
seeded quarter of them, listed in models/reader/MODEL_CARD.md) are each indexed as one
document (title line, then its paragraphs), and their SQuAD questions are asked through
the Python API with no LLM. SQuAD 2.0's unanswerable questions are written to look
answerable (same topic, a swapped entity or a negation).

    .venv/bin/python bench/squad_heldout.py                  # the test articles (report only)
    .venv/bin/python bench/squad_heldout.py --split dev      # the dev articles (tuning)
    .venv/bin/python bench/squad_heldout.py --answerable 400 --unanswerable 200
    .venv/bin/python bench/squad_heldout.py --split dev --gates  # + bold answers per bold gate

Prints: answer contains the fact, false refusals, unanswerable refused at the shipped
threshold, the whole trade-off curve (every question is answered with the threshold at 0
and the reader's confidence recorded, so each threshold is read off one run), and how
many bold short answers were shown and how many share no word with any correct answer.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import Assistant, Settings  # noqa: E402
from training.config import Config  # noqa: E402
from training.squad import load_file, split_articles  # noqa: E402

GATES = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
THRESHOLDS = (0.0, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8)


def articles(split: str) -> list[dict]:
    wanted = {title for parts in split_articles(Config()).values() for title in parts[split]}
    from training.config import SQUAD_FILES

    return [a for name in SQUAD_FILES for a in load_file(name) if a["title"] in wanted]


def write_corpus(folder: Path, chosen: list[dict]) -> None:
    for article in chosen:
        title = article["title"].replace("_", " ")
        text = "\n\n".join(p["context"].strip() for p in article["paragraphs"])
        (folder / f"{re.sub(r'[^A-Za-z0-9]+', '-', title)}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")


def questions(chosen: list[dict], answerable: int, unanswerable: int, seed: int) -> tuple[list[dict], list[dict]]:
    yes, no = [], []
    for article in chosen:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                (no if qa.get("is_impossible") else yes).append(qa)
    rng = random.Random(seed)
    return rng.sample(yes, min(answerable, len(yes))), rng.sample(no, min(unanswerable, len(no)))


def norm(text: str) -> str:
    text = re.sub(r"\b(a|an|the)\b", " ", text.lower().replace("’", "'"))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def uncited(text: str) -> str:
    """The answer without its citation markers: a list's "Nairobi [1], Mombasa [1] and Kisumu
    [1]" contains "Nairobi, Mombasa and Kisumu"."""
    return re.sub(r"\s*\[\d+\]", "", text)


def overlaps(short: str, golds: list[str]) -> bool:
    words = set(norm(short).split())
    return any(words & set(norm(g).split()) for g in golds)


class GateRecorder:
    """Shows every short answer of the asked kind (gate 0) and records each one's gate value,
    P(sentence) x P(span), so that every bold gate is read off one run."""

    def __init__(self) -> None:
        import assistant.reading.extractive as extractive
        from assistant import calibration

        self.last: float | None = None
        self.applied = calibration.SHORT_ANSWER_CONFIDENCE  # the main table shows the product's own gate
        original = extractive.shown_span

        def recording(item, asked, question=None):
            span = original(item, asked, question)
            self.last = item.score * span.probability if span is not None else None
            return span

        extractive.shown_span = recording
        calibration.SHORT_ANSWER_CONFIDENCE = 0.0


def ask_all(bot: Assistant, items: list[dict], gates: GateRecorder | None = None) -> list[dict]:
    out = []
    for qa in items:
        started = time.perf_counter()
        if gates is not None:
            gates.last = None
        answer = bot.ask(qa["question"])
        golds = [a["text"] for a in qa.get("answers", [])]
        out.append({
            "question": qa["question"],
            "golds": golds,
            "answerable": not qa.get("is_impossible"),
            "contains": any(norm(g) in norm(uncited(answer.text)) for g in golds) if golds else False,
            "refused_by_rules": answer.refused,  # threshold 0: only steps other than the reader's refused
            "confidence": answer.confidence if answer.confidence is not None else 0.0,
            "short": answer.short_answer,
            "short_ok": overlaps(answer.short_answer, golds) if answer.short_answer and golds else False,
            "gate": gates.last if gates is not None else None,
            "ms": (time.perf_counter() - started) * 1000,
        })
    return out


def at(rows: list[dict], threshold: float, gate: float | None = None) -> dict:
    """The figures had the product refused under ``threshold`` (and, with ``gate``, shown a
    short answer only when its recorded gate value reaches it)."""
    yes = [r for r in rows if r["answerable"]]
    no = [r for r in rows if not r["answerable"]]
    refused = lambda r: r["refused_by_rules"] or r["confidence"] < threshold  # noqa: E731
    shown = [r for r in rows if r["short"] and not refused(r) and (gate is None or (r["gate"] or 0) >= gate)]
    wrong = [r for r in shown if not r["answerable"] or not r["short_ok"]]
    return {
        "answers": sum(r["contains"] and not refused(r) for r in yes) / max(len(yes), 1),
        "false_refusals": sum(refused(r) for r in yes) / max(len(yes), 1),
        "unanswerable_refused": sum(refused(r) for r in no) / max(len(no), 1),
        "bold_shown": len(shown),
        "bold_wrong_count": len(wrong),
        "bold_wrong_unanswerable": sum(not r["answerable"] for r in wrong),
        "wrong_rows": wrong,
        "bold_wrong": len(wrong) / max(len(shown), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="test", choices=("test", "dev"))
    parser.add_argument("--answerable", type=int, default=600)
    parser.add_argument("--unanswerable", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gates", action="store_true",
                        help="also print bold short answers shown and wrong for each bold gate (P(sentence) x P(span))")
    parser.add_argument("--wrong-bold", action="store_true",
                        help="with --gates: print each wrong bold short answer at the applied gate (use on dev)")
    parser.add_argument("--without", action="append", default=[], metavar="STEP",
                        help="drop the lookup step of this class name (e.g. Unmentioned)")
    parser.add_argument("--dump", type=Path, metavar="FILE",
                        help="write every question's row (answer contains the fact, refused, confidence, short answer) "
                             "as JSON, to compare two versions question by question")
    args = parser.parse_args()
    chosen = articles(args.split)
    print(f"{args.split} articles ({len(chosen)}): {', '.join(a['title'] for a in chosen)}")
    yes, no = questions(chosen, args.answerable, args.unanswerable, args.seed)
    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "wikipedia"
        corpus.mkdir()
        write_corpus(corpus, chosen)
        bot = Assistant(Settings.load(data_dir=Path(work) / "data", reader_threshold=0.0))
        bot.sync([corpus])
        bot.engine.steps = [step for step in bot.engine.steps if type(step).__name__ not in args.without]
        gates = GateRecorder() if args.gates else None
        rows = ask_all(bot, yes + no, gates)
    if args.dump:
        args.dump.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    from assistant import calibration
    from assistant.reading.model import threshold

    chosen_threshold = calibration.READER_THRESHOLD or threshold()
    print(f"{len(yes)} answerable and {len(no)} unanswerable questions; answer p50 "
          f"{statistics.median(r['ms'] for r in rows):.0f} ms")
    print(f"{'threshold':>10} {'answers':>8} {'false ref':>10} {'unans ref':>10} {'bold':>6} {'bold wrong':>11}")
    for t in sorted({*THRESHOLDS, round(chosen_threshold, 4)}):
        m = at(rows, t, gates.applied if gates else None)
        mark = "  <- the threshold applied" if abs(t - chosen_threshold) < 1e-9 else ""
        print(f"{t:>10.3f} {m['answers']:>8.3f} {m['false_refusals']:>10.3f} {m['unanswerable_refused']:>10.3f} "
              f"{m['bold_shown']:>6d} {m['bold_wrong']:>11.3f}{mark}")
    if args.gates:
        print(f"bold gates at the applied threshold {chosen_threshold:.3f} (right - 2 x wrong: the rule that chose it)")
        for gate in GATES:
            m = at(rows, chosen_threshold, gate)
            right = m["bold_shown"] - m["bold_wrong_count"]
            print(f"  gate {gate:.2f}: {m['bold_shown']:>4d} shown, {m['bold_wrong']:.3f} wrong "
                  f"({m['bold_wrong_unanswerable']} of them answer an unanswerable question), "
                  f"score {right - 2 * m['bold_wrong_count']}")
        if args.wrong_bold:
            for r in at(rows, chosen_threshold, gates.applied)["wrong_rows"]:
                gold = " | ".join(dict.fromkeys(r["golds"])) if r["answerable"] else "(unanswerable)"
                print(f"  wrong bold {r['gate']:.2f}: {r['question']} -> {r['short']!r}; gold: {gold}")


if __name__ == "__main__":
    main()
