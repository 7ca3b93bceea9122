"""How often one question is tokenised into terms and how many embedder calls it costs,
on the shipped articles: the answering path's own work, counted, not timed.

    .venv/bin/python bench/question_path.py            # this checkout
    (cd ../other-checkout && .venv/bin/python bench/question_path.py)   # another commit, same script

Counts, per question, the calls of the lexical tokenizer ``terms()`` whose argument is the
question itself (its cleaned text), all ``terms()`` calls, and ``embed_batch`` calls (with
how many texts they embedded), over bench/questions.json's answerable questions, asked
twice (the second pass is counted: caches warm, as in a running server). Prints numbers.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import Assistant, Settings  # noqa: E402


class Counter:
    """A profile hook counting calls of functions by name (and the question's own tokenising)."""

    def __init__(self) -> None:
        self.question = ""
        self.counts = {"terms(question)": 0, "terms()": 0, "embed_batch": 0, "texts embedded": 0}

    def __call__(self, frame, event, arg) -> None:
        if event != "call":
            return
        name = frame.f_code.co_name
        if name == "terms" and frame.f_code.co_filename.endswith("lexical.py"):
            self.counts["terms()"] += 1
            self.counts["terms(question)"] += frame.f_locals.get("text") == self.question
        elif name == "embed_batch":
            self.counts["embed_batch"] += 1
            self.counts["texts embedded"] += len(frame.f_locals.get("texts") or ())


def main() -> None:
    questions = [q["question"] for q in json.loads((ROOT / "bench" / "questions.json").read_text())["answerable"]]
    with tempfile.TemporaryDirectory() as data:
        bot = Assistant(Settings.load(data_dir=data))
        bot.sync()
        for q in questions:  # warm: the mirror, the prototypes, the caches
            bot.ask(q)
        per_question = []
        for q in questions:
            counter = Counter()
            counter.question = " ".join(q.split())
            sys.setprofile(counter)
            try:
                bot.ask(q)
            finally:
                sys.setprofile(None)
            per_question.append(counter.counts)
    print(f"{len(questions)} questions (bench/questions.json), counted on the second ask of each")
    for key in per_question[0]:
        values = [c[key] for c in per_question]
        print(f"  {key:18s} median {statistics.median(values):6.1f}   mean {statistics.mean(values):7.1f}   max {max(values)}")


if __name__ == "__main__":
    main()
