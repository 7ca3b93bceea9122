"""Where `assistant serve`'s memory goes: RSS after each step of what it loads, in one process.

    .venv/bin/python bench/memory_steps.py                     # over a copy of /tmp/news-assistant-bench-2225
    .venv/bin/python bench/memory_steps.py --tracemalloc       # + Python allocations per step (slower, adds RSS)
    .venv/bin/python bench/memory_steps.py --questions 50

The steps follow `assistant serve` (ui/server.py): open the index (Chroma), import and build
the web stack (Gradio page + FastAPI /v1), then answer questions from bench/questions_bbc.json;
the first question is split into its loads (the ONNX session, the BM25 mirror, Chroma's
vector index) so each shows its own delta. RSS is VmRSS from /proc (includes freed memory
that malloc keeps); "py" is what tracemalloc sees Python objects hold. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Steps:
    def __init__(self, traced: bool) -> None:
        self.traced = traced
        self.last = rss_mb()
        self.last_py = 0.0
        print(f"{'step':<44} {'RSS MB':>8} {'delta':>7}" + (f" {'py MB':>7} {'delta':>7}" if traced else ""))
        self.show("python + bench imports", self.last, 0.0)

    def show(self, name: str, now: float, delta: float) -> None:
        line = f"{name:<44} {now:>8.1f} {delta:>+7.1f}"
        if self.traced:
            py = tracemalloc.get_traced_memory()[0] / 2**20
            line += f" {py:>7.1f} {py - self.last_py:>+7.1f}"
            self.last_py = py
        print(line, flush=True)

    def step(self, name: str, action) -> object:
        started = time.perf_counter()
        result = action()
        now = rss_mb()
        self.show(f"{name} ({time.perf_counter() - started:.1f} s)", now, now - self.last)
        self.last = now
        return result


def trim() -> None:
    """What malloc holds but nothing uses (glibc only)."""
    import ctypes

    ctypes.CDLL("libc.so.6").malloc_trim(0)


def questions(n: int) -> list[str]:
    data = json.loads((ROOT / "bench" / "questions_bbc.json").read_text())
    pool = [q["question"] for q in data["answerable"] + data["unanswerable"]]
    random.Random(11).shuffle(pool)
    return [pool[i % len(pool)] for i in range(n)]


def web_stack(bot):
    import uvicorn  # noqa: F401

    from ui.server import _import_gradio

    gr = _import_gradio()  # as `assistant serve` imports it

    from assistant.surfaces.openai_api import create_app
    from ui.app import CSS, build_app

    return gr.mount_gradio_app(
        create_app(bot),
        build_app(bot),
        path="/",
        css=CSS,
        run_history=False,
        ssr_mode=False,
        server_name="127.0.0.1",
        server_port=7860,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/news-assistant-bench-2225"))
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--no-web", action="store_true", help="skip the Gradio/FastAPI step")
    args = parser.parse_args()
    if args.tracemalloc:
        tracemalloc.start()
    with tempfile.TemporaryDirectory(prefix="memory-steps-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(args.data_dir, data)  # the original is never opened
        s = Steps(args.tracemalloc)
        from assistant import Assistant, Settings
        from index import tune_malloc

        tune_malloc()  # as the CLI does
        bot = s.step("import assistant", lambda: Assistant(Settings.load(data_dir=data)))
        s.step("import chromadb", lambda: __import__("chromadb"))
        s.step("open the index (Chroma client, status)", lambda: bot.index.status())
        s.step("malloc_trim(0)", trim)
        if not args.no_web:
            s.step("import + build Gradio page and /v1 app", lambda: web_stack(bot))
        engine = s.step("engine (no loads)", lambda: bot.engine)
        vector = s.step("ONNX session + one query embedded", lambda: bot.index.embedder.embed_batch(["a question"])[0])
        s.step("Chroma vector search (loads HNSW)", lambda: bot.index.search(vector.tolist(), 30))
        s.step("BM25 mirror + passages (cache file)", lambda: engine.retriever.mirror.passages)
        s.step("malloc_trim(0)", trim)
        asked = questions(args.questions)
        s.step("first question", lambda: bot.ask(asked[0]))
        s.step(f"{len(asked) - 1} more questions", lambda: [bot.ask(q) for q in asked[1:]])
        s.step("gc.collect()", gc.collect)
        s.step("malloc_trim(0)", trim)
        if args.tracemalloc:
            top = tracemalloc.take_snapshot().statistics("filename")[:15]
            print("\nPython allocations by file (tracemalloc):")
            for stat in top:
                print(f"  {stat.size / 2**20:7.1f} MB  {stat.count:>8} blocks  {stat.traceback[0].filename}")


if __name__ == "__main__":
    main()
