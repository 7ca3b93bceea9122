"""Answer quality on two question sets, side by side with stock LlamaIndex's retrieval.

- shipped: bench/questions.json, about the two shipped articles (earlier sessions tuned on it);
- bbc-dev / bbc-test: bench/questions_bbc.json, written from 70 BBC articles. The reader
  is calibrated on bbc-dev only; bbc-test is reported, never tuned on.

    .venv/bin/python bench/quality.py                         # shipped articles + all 2,225 BBC articles
    .venv/bin/python bench/quality.py --baseline              # + stock LlamaIndex retrieval, same questions
    .venv/bin/python bench/quality.py --sets bbc-dev --verbose   # one set, every question printed
    .venv/bin/python bench/quality.py --sets bbc-dev --curve     # the reader's refusal trade-off per threshold

bold_shown / bold_wrong: the bold short answers shown (answers not refused) and the share of
them wrong: sharing no word with the expected answer, or given to an unanswerable question
(counted as bench/squad_heldout.py counts them on Wikipedia).

The index (seeds + BBC) is cached in --data-dir (default /tmp/news-assistant-bench-2225),
so re-runs only re-check it. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from squad_heldout import overlaps  # noqa: E402  (bench/ is the script's own folder)

from assistant import Assistant, Settings  # noqa: E402
from corpus import SHIPPED_CORPUS, load_path  # noqa: E402

BBC = ROOT.parent / "shared" / "bench-corpus" / "bbc"
SETS = ("shipped", "bbc-dev", "bbc-test")


def load_sets() -> dict[str, dict]:
    """Both files in one shape: answerable items have question, kind, docs, evidence, expected."""
    shipped = json.loads((ROOT / "bench" / "questions.json").read_text())
    bbc = json.loads((ROOT / "bench" / "questions_bbc.json").read_text())

    def from_shipped(q: dict) -> dict:
        return {**q, "docs": [q["doc"]], "evidence": q["span"], "kind": q.get("kind", "shipped")}

    sets = {"shipped": {
        "answerable": [from_shipped(q) for q in shipped["answerable"]],
        "unanswerable": shipped["unanswerable"],
        "followups": [{**c, "turns": [from_shipped(t) for t in c["turns"]]} for c in shipped["followups"]],
    }}
    for split in ("dev", "test"):
        sets[f"bbc-{split}"] = {key: [q for q in bbc[key] if q["split"] == split] for key in bbc}
    return sets


def build(args) -> tuple[Assistant, dict[str, str]]:
    data_dir = Path(args.data_dir)
    bot = Assistant(Settings.load(data_dir=data_dir, backend=args.backend, llm_url=args.llm_url,
                                  reader_threshold=0.0 if args.curve else None))
    started = time.perf_counter()
    for path in (SHIPPED_CORPUS, BBC):
        report = bot.sync([path])
        print(f"index {path.name}: +{report.added} ~{report.updated} ={report.unchanged} "
              f"({report.chunks_embedded} chunks, {report.seconds:.1f} s)", file=sys.stderr)
    print(f"index ready in {time.perf_counter() - started:.1f} s: {bot.status()['chunks']} chunks", file=sys.stderr)
    texts = {a.doc_id: a.text for path, label in ((SHIPPED_CORPUS, "articles"), (BBC, "bbc"))
             for a in load_path(path, lambda r, label=label: label).articles}
    return bot, texts


def targets(texts: dict[str, str], q: dict) -> list[tuple[str, int, int]]:
    """Where the evidence sits, in every article that holds it."""
    found = []
    for doc_id, text in texts.items():
        if any(d in doc_id for d in q["docs"]) and (start := text.find(q["evidence"])) >= 0:
            found.append((doc_id, start, start + len(q["evidence"])))
    if not found:
        raise KeyError(f"evidence not found in {q['docs']}: {q['evidence'][:60]}")
    return found


def within_root(doc_id: str) -> str:
    """A document id without its root's label: an index that met two roots of one name (a
    second checkout's articles/) labels the later one "articles-2"."""
    return doc_id.split("/", 1)[-1]


def rank_of(spans: list[tuple[str, int, int]], places: list[tuple[str, int, int]]) -> int | None:
    """1-based rank of the first passage holding most (>= 60%) of the evidence."""
    for i, (doc_id, start, end) in enumerate(spans):
        for t_doc, t_start, t_end in places:
            if within_root(doc_id) == within_root(t_doc) and min(end, t_end) - max(start, t_start) >= 0.6 * (t_end - t_start):
                return i + 1
    return None


def contains_all(text: str, expected: list[str]) -> bool:
    norm = lambda s: " ".join(s.lower().replace("’", "'").replace("“", '"').replace("”", '"').split())  # noqa: E731
    return all(norm(e) in norm(text) for e in expected)


def evaluate(bot: Assistant, texts: dict[str, str], questions: dict, k: int = 5) -> dict:
    ranks, rows, lengths, answer_ms, retrieve_ms = [], [], [], [], []
    by_kind: dict[str, list[bool]] = defaultdict(list)
    correct = false_refusals = 0
    reads: list[tuple[bool, bool, bool, float]] = []  # (answerable, contains the fact, refused by a rule, confidence)
    bold: list[bool] = []  # per bold short answer shown: is it right (shares a word with the expected answer)
    for q in questions["answerable"]:
        started = time.perf_counter()
        passages = bot.retrieve(q["question"], k=k)
        retrieve_ms.append((time.perf_counter() - started) * 1000)
        ranks.append(rank_of([(p.doc_id, p.start, p.end) for p in passages], targets(texts, q)))
        started = time.perf_counter()
        answer = bot.ask(q["question"])
        answer_ms.append((time.perf_counter() - started) * 1000)
        ok = contains_all(answer.text, q["expected"])
        correct += ok
        by_kind[q["kind"]].append(ok)
        false_refusals += answer.refused
        reads.append((True, ok, _refused_by_rule(answer), answer.confidence or 0.0))
        if answer.short_answer and not answer.refused:
            bold.append(overlaps(answer.short_answer, q["expected"]))
        lengths.append(len(answer.text))
        rows.append((q["id"], q["kind"], ranks[-1], ok, answer.refused, q["question"], answer.text[:200], answer.notes))
    refused = []
    for q in questions["unanswerable"]:
        answer = bot.ask(q["question"])
        refused.append(answer.refused)
        reads.append((False, False, _refused_by_rule(answer), answer.confidence or 0.0))
        if answer.short_answer and not answer.refused:
            bold.append(False)  # a bold answer to what the articles do not say
        rows.append((q["id"], "unanswerable", None, answer.refused, answer.refused, q["question"], answer.text[:200], answer.notes))
    follow_ok = follow_n = 0
    for conv in questions["followups"]:
        chat = bot.conversation()
        for i, turn in enumerate(conv["turns"]):
            answer = chat.ask(turn["question"])
            if i == 0:
                continue
            follow_n += 1
            ok = contains_all(answer.text, turn["expected"])
            follow_ok += ok
            rows.append((f"{conv['id']}.{i}", "follow-up", None, ok, answer.refused, turn["question"], answer.text[:200], answer.notes))
    n = len(ranks)
    return {
        "questions": n,
        "hit@5": sum(r is not None for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
        "answer_correct": correct / n,
        "false_refusals": false_refusals / n,
        "unanswerable_refused": sum(refused) / max(len(refused), 1),
        "followup_success": follow_ok / max(follow_n, 1),
        "bold_shown": len(bold),
        "bold_wrong": sum(not b for b in bold) / max(len(bold), 1),
        "median_answer_chars": statistics.median(lengths),
        "answer_p50_ms": statistics.median(answer_ms),
        "retrieve_p50_ms": statistics.median(retrieve_ms),
        "by_kind": {kind: (sum(v) / len(v), len(v)) for kind, v in sorted(by_kind.items())},
        "rows": rows,
        "reads": reads,
    }


def _refused_by_rule(answer) -> bool:
    """Refused by a step other than the reader's threshold (relevance floor, unmentioned name)."""
    return answer.refused and (answer.refusal is None or answer.refusal.code != "no_answer")


CURVE = (0.0, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9)


def curve(reads: list[tuple[bool, bool, bool, float]]) -> list[tuple[float, float, float, float]]:
    """(threshold, answers containing the fact, false refusals, unanswerable refused) at each
    threshold, from one run with the reader's threshold at 0 (--curve)."""
    yes = [r for r in reads if r[0]]
    no = [r for r in reads if not r[0]]
    out = []
    for t in CURVE:
        refused = lambda r, t=t: r[2] or r[3] < t  # noqa: E731
        out.append((t, sum(r[1] and not refused(r) for r in yes) / max(len(yes), 1),
                    sum(refused(r) for r in yes) / max(len(yes), 1), sum(refused(r) for r in no) / max(len(no), 1)))
    return out


def stock_llamaindex(bot: Assistant, texts: dict[str, str], sets: dict[str, dict], k: int = 5) -> dict:
    """What a user would build instead: VectorStoreIndex + Chroma, default
    SentenceSplitter (1024/200), the same MiniLM embedder, over the same articles."""
    import chromadb
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from index.llama_index_adapter import MiniLMLlamaEmbedding

    client = chromadb.EphemeralClient()
    store = ChromaVectorStore(chroma_collection=client.get_or_create_collection("stock", embedding_function=None))
    docs = [Document(text=text, doc_id=doc_id, metadata={"doc_id": doc_id}) for doc_id, text in texts.items()]
    started = time.perf_counter()
    index = VectorStoreIndex.from_documents(
        docs, storage_context=StorageContext.from_defaults(vector_store=store),
        embed_model=MiniLMLlamaEmbedding(bot.index.embedder), transformations=[SentenceSplitter(chunk_size=1024, chunk_overlap=200)],
    )
    print(f"stock LlamaIndex index built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    retriever = index.as_retriever(similarity_top_k=k)
    result = {}
    for name, questions in sets.items():
        ranks = []
        for q in questions["answerable"]:
            nodes = retriever.retrieve(q["question"])
            spans = [(n.node.metadata["doc_id"], n.node.start_char_idx or 0, n.node.end_char_idx or 0) for n in nodes]
            ranks.append(rank_of(spans, targets(texts, q)))
        result[name] = {"hit@5": sum(r is not None for r in ranks) / len(ranks),
                        "mrr": sum(1 / r for r in ranks if r) / len(ranks)}
    return result


def report(results: dict[str, dict], baseline: dict[str, dict]) -> None:
    names = list(results)
    print(f"{'metric':<24}" + "".join(f"{n:>12}" for n in names))
    for key in ("questions", "hit@5", "mrr", "answer_correct", "false_refusals", "unanswerable_refused",
                "followup_success", "bold_shown", "bold_wrong", "median_answer_chars", "answer_p50_ms",
                "retrieve_p50_ms"):
        print(f"{key:<24}" + "".join(f"{results[n][key]:>12.3f}" for n in names))
    for key in ("hit@5", "mrr"):
        if baseline:
            print(f"{'stock LI ' + key:<24}" + "".join(f"{baseline[n][key]:>12.3f}" for n in names))
    kinds = sorted({kind for n in names for kind in results[n]["by_kind"]})
    print("\nanswer contains the fact, per kind (share, questions):")
    for kind in kinds:
        cells = [results[n]["by_kind"].get(kind) for n in names]
        print(f"  {kind:<22}" + "".join(f"{'' if c is None else f'{c[0]:.2f} ({c[1]})':>12}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="/tmp/news-assistant-bench-2225")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    parser.add_argument("--baseline", action="store_true", help="also measure stock LlamaIndex retrieval")
    parser.add_argument("--verbose", action="store_true", help="print every question")
    parser.add_argument("--misses", action="store_true", help="print only the questions answered wrongly")
    parser.add_argument("--backend", default="extractive", help="answer backend to measure (extractive, llama-cpp, openai)")
    parser.add_argument("--llm-url", help="base URL for --backend openai")
    parser.add_argument("--without", action="append", default=[], metavar="STEP",
                        help="drop the lookup step of this class name (e.g. Unmentioned) to measure what it does")
    parser.add_argument("--curve", action="store_true",
                        help="answer with the reader's threshold at 0 and print the refusal trade-off per threshold")
    args = parser.parse_args()
    bot, texts = build(args)
    bot.engine.steps = [step for step in bot.engine.steps if type(step).__name__ not in args.without]
    sets = {name: q for name, q in load_sets().items() if name in args.sets.split(",")}
    results = {name: evaluate(bot, texts, questions) for name, questions in sets.items()}
    for name, result in results.items():
        reads = result.pop("reads")
        if args.curve:
            print(f"\n{name}: threshold, answers containing the fact, false refusals, unanswerable refused")
            for t, answers, false_refusals, unanswerable in curve(reads):
                print(f"  {t:5.2f} {answers:7.3f} {false_refusals:7.3f} {unanswerable:7.3f}")
        rows = result.pop("rows")
        for row in rows:
            if args.verbose or (args.misses and not row[3]):
                print(name, *row)
    baseline = stock_llamaindex(bot, texts, sets) if args.baseline else {}
    report(results, baseline)
    print(json.dumps({"ours": results, "stock_llamaindex": baseline}))


if __name__ == "__main__":
    main()
