"""Answer quality on our question set (bench/questions.json), optionally with the
2,225 BBC articles as distractors, side by side with stock LlamaIndex.

    .venv/bin/python bench/quality.py                      # shipped corpus only
    .venv/bin/python bench/quality.py --distractors 2225   # hide the two articles among BBC ones
    .venv/bin/python bench/quality.py --distractors 2225 --baseline   # + stock LlamaIndex

The BBC index is cached in --data-dir (default /tmp/news-assistant-bench-<n>) so
re-runs only re-check it. Prints numbers; asserts nothing.
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

from assistant import Assistant, Settings  # noqa: E402
from corpus import SHIPPED_CORPUS, load_path  # noqa: E402

BBC = ROOT.parent / "shared" / "bench-corpus" / "bbc"
QUESTIONS = json.loads((ROOT / "bench" / "questions.json").read_text())


def span_location(texts: dict[str, str], doc: str, span: str) -> tuple[str, int, int]:
    for doc_id, text in texts.items():
        if doc in doc_id and (start := text.find(span)) >= 0:
            return doc_id, start, start + len(span)
    raise KeyError(f"span not found in {doc}: {span[:60]}")


def hit(doc_id: str, start: int, end: int, target: tuple[str, int, int]) -> bool:
    """The passage contains most (>= 60%) of the answering span."""
    t_doc, t_start, t_end = target
    overlap = min(end, t_end) - max(start, t_start)
    return doc_id == t_doc and overlap >= 0.6 * (t_end - t_start)


def rank_of(passages, target) -> int | None:
    for i, p in enumerate(passages):
        if hit(p.doc_id, p.start, p.end, target):
            return i + 1
    return None


def contains_all(text: str, expected: list[str]) -> bool:
    norm = lambda s: " ".join(s.lower().replace("’", "'").replace("“", '"').replace("”", '"').split())  # noqa: E731
    return all(norm(e) in norm(text) for e in expected)


def build(args) -> Assistant:
    data_dir = Path(args.data_dir or f"/tmp/news-assistant-bench-{args.distractors}")
    bot = Assistant(Settings.load(data_dir=data_dir, backend=args.backend, llm_url=args.llm_url))
    paths = [SHIPPED_CORPUS]
    if args.distractors:
        sample = data_dir.parent / f"bbc-sample-{args.distractors}"
        if not sample.exists():
            files = sorted(BBC.rglob("*.txt"))
            step = max(1, len(files) // args.distractors)
            for f in files[::step][: args.distractors]:
                (sample / f.parent.name).mkdir(parents=True, exist_ok=True)
                (sample / f.parent.name / f.name).write_bytes(f.read_bytes())
        paths.append(sample)
    started = time.perf_counter()
    for path in paths:
        report = bot.sync([path])
        print(f"index {path.name}: +{report.added} ~{report.updated} ={report.unchanged} ({report.chunks_embedded} chunks)", file=sys.stderr)
    print(f"index ready in {time.perf_counter() - started:.1f} s: {bot.status()['chunks']} chunks", file=sys.stderr)
    return bot


def evaluate(bot: Assistant, texts: dict[str, str], k: int = 5) -> dict:
    ranks, correct, lengths, false_refusals, rows, fallbacks, dropped = [], 0, [], 0, [], 0, 0
    for q in QUESTIONS["answerable"]:
        target = span_location(texts, q["doc"], q["span"])
        ranks.append(rank_of(bot.retrieve(q["question"], k=k), target))
        answer = bot.ask(q["question"])
        ok = contains_all(answer.text, q["expected"])
        correct += ok
        false_refusals += answer.refused
        fallbacks += "+extractive" in answer.backend or any("extractively" in n for n in answer.notes)
        dropped += any(n.startswith("removed") for n in answer.notes)
        lengths.append(len(answer.text))
        rows.append((q["id"], ranks[-1], ok, answer.refused, q["question"], answer.text[:160]))
    refused = [bot.ask(q["question"]).refused for q in QUESTIONS["unanswerable"]]
    follow_ok, follow_hit, follow_n = 0, 0, 0
    for conv in QUESTIONS["followups"]:
        chat = bot.conversation()
        for i, turn in enumerate(conv["turns"]):
            answer = chat.ask(turn["question"])
            if i == 0:
                continue
            follow_n += 1
            target = span_location(texts, turn["doc"], turn["span"])
            follow_hit += rank_of(bot.retrieve(answer.standalone_question, k=k), target) is not None
            ok = contains_all(answer.text, turn["expected"])
            follow_ok += ok
            rows.append((f"{conv['id']}.{i}", None, ok, answer.refused, turn["question"], answer.text[:160]))
    n = len(ranks)
    return {
        "hit@5": sum(r is not None for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
        "answer_correct": correct / n,
        "false_refusals": false_refusals,
        "median_answer_chars": statistics.median(lengths),
        "refusal_accuracy": sum(refused) / len(refused),
        "followup_success": follow_ok / follow_n,
        "followup_retrieval_hit@5": follow_hit / follow_n,
        "llm_answers_replaced_by_extractive": fallbacks,
        "llm_answers_with_sentences_dropped": dropped,
        "rows": rows,
    }


def stock_llamaindex(bot: Assistant, texts: dict[str, str], k: int = 5) -> dict:
    """What a user would build instead: VectorStoreIndex + Chroma, default
    SentenceSplitter (1024/200), the same MiniLM embedder."""
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
    ranks = []
    for q in QUESTIONS["answerable"]:
        target = span_location(texts, q["doc"], q["span"])
        nodes = retriever.retrieve(q["question"])
        found = None
        for i, node in enumerate(nodes):
            doc_id, start, end = node.node.metadata["doc_id"], node.node.start_char_idx or 0, node.node.end_char_idx or 0
            if hit(doc_id, start, end, target):
                found = i + 1
                break
        ranks.append(found)
    n = len(ranks)
    return {"hit@5": sum(r is not None for r in ranks) / n, "mrr": sum(1 / r for r in ranks if r) / n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--distractors", type=int, default=0, help="BBC articles to hide the shipped ones among (max 2225)")
    parser.add_argument("--data-dir")
    parser.add_argument("--baseline", action="store_true", help="also measure stock LlamaIndex on the same texts")
    parser.add_argument("--verbose", action="store_true", help="print every question")
    parser.add_argument("--backend", default="extractive", help="answer backend to measure (extractive, llama-cpp, openai)")
    parser.add_argument("--llm-url", help="base URL for --backend openai")
    args = parser.parse_args()
    bot = build(args)
    texts = {a.doc_id: a.text for a in load_path(SHIPPED_CORPUS, lambda r: "articles").articles}
    ours = evaluate(bot, texts)
    rows = ours.pop("rows")
    if args.verbose:
        for row in rows:
            print(row)
    result = {"distractors": args.distractors, "ours": ours}
    if args.baseline:
        all_texts = dict(texts)
        if args.distractors:
            sample = Path(bot.settings.data_dir).parent / f"bbc-sample-{args.distractors}"
            for a in load_path(sample, lambda r: "bbc").articles:
                all_texts[a.doc_id] = a.text
        result["stock_llamaindex"] = stock_llamaindex(bot, all_texts)
    print(f"{'metric':<28}{'ours':>10}{'stock LlamaIndex':>18}")
    for key, value in ours.items():
        base = result.get("stock_llamaindex", {}).get(key)
        print(f"{key:<28}{value:>10.3f}{'' if base is None else f'{base:>18.3f}'}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
