"""How chunk size in cl100k tokens maps to MiniLM word-pieces, over all BBC
articles plus the shipped ones. MiniLM reads at most 256 word-pieces (with
[CLS] and [SEP]); anything past that is silently cut, so the chosen size must
keep (nearly) every chunk under it.

    .venv/bin/python bench/chunk_sizes.py
    .venv/bin/python bench/chunk_sizes.py --sizes 180 200 220

Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus import SHIPPED_CORPUS, load_path  # noqa: E402
from index import DEFAULT_OVERLAP_TOKENS, MiniLMEmbedder, chunk_article, count_tokens  # noqa: E402
from index.embedders import MAX_WORDPIECES  # noqa: E402

BBC = ROOT.parent / "shared" / "bench-corpus" / "bbc"


def wordpiece_lengths(embedder: MiniLMEmbedder, texts: list[str]) -> list[int]:
    """Word-pieces per text, [CLS]/[SEP] included, without the embedder's truncation."""
    tokenizer = embedder.tokenizer
    tokenizer.no_truncation()
    try:
        return [sum(e.attention_mask) for e in tokenizer.encode_batch(texts)]
    finally:
        tokenizer.enable_truncation(MAX_WORDPIECES)


def percentile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 160, 200, 256, 320])
    parser.add_argument("--overlap", type=int, default=DEFAULT_OVERLAP_TOKENS)
    args = parser.parse_args()

    started = time.perf_counter()
    articles = [
        a
        for root in [*sorted(p for p in BBC.iterdir() if p.is_dir()), SHIPPED_CORPUS]
        for a in load_path(root, lambda r: r.name).articles
    ]
    embedder = MiniLMEmbedder()
    header = (
        f"{'chunk_tokens':>12} {'chunks':>7} {'mean tok':>9} {'max tok':>8} {'p99 wp':>7} {'max wp':>7} {'> 256 wp':>9}"
    )
    print(f"{len(articles)} articles (BBC + shipped), overlap {args.overlap} tokens")
    print(header)
    results = []
    for size in args.sizes:
        texts = [c.text for a in articles for c in chunk_article(a, size, min(args.overlap, size // 2))]
        tokens = [count_tokens(t) for t in texts]
        pieces = wordpiece_lengths(embedder, texts)
        over = sum(1 for n in pieces if n > MAX_WORDPIECES) / len(pieces)
        row = {
            "chunk_tokens": size,
            "chunks": len(texts),
            "mean_tokens": round(statistics.fmean(tokens), 1),
            "max_tokens": max(tokens),
            "p99_wordpieces": percentile(pieces, 0.99),
            "max_wordpieces": max(pieces),
            "share_over_256": round(over, 5),
        }
        results.append(row)
        print(
            f"{size:>12} {row['chunks']:>7} {row['mean_tokens']:>9.1f} {row['max_tokens']:>8} "
            f"{row['p99_wordpieces']:>7} {row['max_wordpieces']:>7} {over:>8.2%}"
        )
    print(json.dumps({"articles": len(articles), "seconds": round(time.perf_counter() - started, 1), "sizes": results}))


if __name__ == "__main__":
    main()
