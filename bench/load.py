"""Concurrent conversations against the running chat server (gradio_client) and
against the Python API directly, on 127.0.0.1, extractive backend.

    .venv/bin/python bench/load.py [--clients 8 32] [--questions 5] [--data-dir DIR]

Each client is its own conversation asking a bounded number of questions.
Prints throughput, p50/p95 latency and errors per mode, and the ratio of server
to API throughput (goal >= 0.8). Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import Assistant, Settings  # noqa: E402

QUESTIONS = [q["question"] for q in json.loads((ROOT / "bench" / "questions.json").read_text())["answerable"]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_clients(ask_factory, clients: int, questions: int) -> dict:
    """``ask_factory()`` gives one client's ask(question) callable."""

    # connecting (gradio_client fetches the app's config) is set-up, not answering
    with ThreadPoolExecutor(clients) as pool:
        asks = list(pool.map(lambda _: ask_factory(), range(clients)))

    def one_client(offset: int) -> tuple[list[float], int]:
        ask, latencies, errors = asks[offset], [], 0
        for i in range(questions):
            started = time.perf_counter()
            try:
                ask(QUESTIONS[(offset + i) % len(QUESTIONS)])
                latencies.append(time.perf_counter() - started)
            except Exception as exc:  # counted, and the first few shown
                errors += 1
                if errors <= 2:
                    print(f"  error: {exc!r}"[:200], file=sys.stderr)
        return latencies, errors

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one_client, range(clients)))
    wall = time.perf_counter() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    return {
        "answers": len(latencies),
        "errors": sum(e for _, e in results),
        "throughput_per_s": len(latencies) / wall,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else None,
    }


def start_server(data_dir: Path, port: int) -> subprocess.Popen:
    import httpx

    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "assistant"), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--questions", type=int, default=5, help="questions per client")
    parser.add_argument("--data-dir", help="an existing index (default: a fresh one of the shipped corpus)")
    args = parser.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="load-bench-"))
    bot = Assistant(Settings.load(data_dir=data_dir))
    bot.ensure_indexed()
    bot.ask(QUESTIONS[0])
    port = free_port()
    server = start_server(data_dir, port)
    from gradio_client import Client

    results = {}
    try:
        for clients in args.clients:
            api = run_clients(lambda: bot.conversation().ask, clients, args.questions)
            http = run_clients(lambda: (lambda q, c=Client(f"http://127.0.0.1:{port}", verbose=False):
                                        c.predict(q, api_name="/chat")), clients, args.questions)
            results[clients] = {"python_api": api, "gradio_server": http,
                                "ratio": http["throughput_per_s"] / api["throughput_per_s"]}
    finally:
        server.terminate()
        server.wait(10)
    print(f"{'clients':>7} {'mode':<14} {'answers':>7} {'errors':>6} {'answers/s':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for clients, r in results.items():
        for mode in ("python_api", "gradio_server"):
            m = r[mode]
            print(f"{clients:>7} {mode:<14} {m['answers']:>7} {m['errors']:>6} {m['throughput_per_s']:>9.1f} "
                  f"{m['p50_ms']:>8.0f} {m['p95_ms']:>8.0f}")
        print(f"{clients:>7} server/API throughput ratio {r['ratio']:.2f} (goal >= 0.8)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
