"""Would re-ranking retrieved passages with the trained reader raise hit@5 and MRR?

For each answerable question of bench/questions_bbc.json (both halves, reported apart), the
top --depth passages of the hybrid retriever are re-ordered by the reader's best P(answers)
over their sentences (ties keep the fused order), and hit@5 and MRR are computed for both
orders over the same passages, with the reader's time per question. Reads the index
bench/quality.py builds (default /tmp/news-assistant-bench-2225); never builds one.

    .venv/bin/python bench/rerank.py                 # depth 10
    .venv/bin/python bench/rerank.py --depth 20

Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from quality import BBC, load_sets, rank_of, targets  # noqa: E402

from assistant import Assistant, Settings  # noqa: E402
from assistant.reading.evidence import read_as, sentences_of  # noqa: E402
from assistant.reading.model import load_reader  # noqa: E402
from corpus import SHIPPED_CORPUS, load_path  # noqa: E402


def figures(ranks: list[int | None]) -> tuple[float, float]:
    """hit@5 and MRR (over the first 5) of 1-based ranks, None for not found."""
    top = [r for r in ranks if r is not None and r <= 5]
    return len(top) / len(ranks), sum(1 / r for r in top) / len(ranks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="/tmp/news-assistant-bench-2225")
    parser.add_argument("--depth", type=int, default=10)
    args = parser.parse_args()
    bot = Assistant(Settings.load(data_dir=Path(args.data_dir)))
    texts = {a.doc_id: a.text for path, label in ((SHIPPED_CORPUS, "articles"), (BBC, "bbc"))
             for a in load_path(path, lambda r, label=label: label).articles}
    reader = load_reader()
    sets = load_sets()
    print(f"{'set':<9} {'n':>4} {'fused hit@5':>12} {'mrr':>6} {'reranked hit@5':>15} {'mrr':>6} "
          f"{'sentences':>10} {'reader ms p50':>14}")
    for name in ("bbc-dev", "bbc-test"):
        fused, reranked, read_ms, counts = [], [], [], []
        for q in sets[name]["answerable"]:
            passages = bot.retrieve(q["question"], k=args.depth)
            places = targets(texts, q)
            fused.append(rank_of([(p.doc_id, p.start, p.end) for p in passages], places))
            started = time.perf_counter()
            evidence = sentences_of(list(passages))
            readings = (reader.score(q["question"], *read_as(evidence))
                        if evidence else [])
            read_ms.append((time.perf_counter() - started) * 1000)
            counts.append(len(evidence))
            best: dict[str, float] = {}
            for item, reading in zip(evidence, readings):
                key = item.passage.chunk_id
                best[key] = max(best.get(key, 0.0), reading.p_answer)
            order = sorted(range(len(passages)), key=lambda i: (-best.get(passages[i].chunk_id, 0.0), i))
            reranked.append(rank_of([(passages[i].doc_id, passages[i].start, passages[i].end) for i in order], places))
        (fh, fm), (rh, rm) = figures(fused), figures(reranked)
        print(f"{name:<9} {len(fused):>4} {fh:>12.3f} {fm:>6.3f} {rh:>15.3f} {rm:>6.3f} "
              f"{statistics.median(counts):>10.0f} {statistics.median(read_ms):>14.0f}")


if __name__ == "__main__":
    main()
