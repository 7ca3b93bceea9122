"""Concurrent conversations against the running chat server (gradio_client), against
its OpenAI-compatible API (the ``openai`` package) and against the Python API directly,
on 127.0.0.1, extractive backend.

    .venv/bin/python bench/load.py [--clients 8 32] [--questions 5] [--data-dir DIR]

Each client is its own conversation asking a bounded number of questions (an API client
sends the whole conversation each time, as OpenAI clients do). Prints throughput,
p50/p95 latency and errors per mode, and the ratio of each server mode's throughput to
the Python API's (goals: page >= 0.8, OpenAI API >= 0.9). Asserts nothing.

The bench's clients share the server's cores, so CPU per answer is printed too:
``bench`` is this process (the answering itself for the Python API, the
gradio_client calls for the server) and ``server`` the ``assistant serve`` process.
Every gradio_client call opens two fresh httpx clients, and each would load the
system's CA bundle into a new SSL context (~25 ms of CPU each) although the
server is plain http on 127.0.0.1; the clients are handed one pre-built SSL
context instead (verification unchanged), so that the load generator does not
take the server's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import ssl
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


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process so far (Linux), None where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_clients(ask_factory, clients: int, questions: int, server_pid: int | None = None) -> dict:
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

    server_cpu = process_cpu_seconds(server_pid) if server_pid else None
    bench_cpu = time.process_time()
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one_client, range(clients)))
    wall = time.perf_counter() - started
    bench_cpu = time.process_time() - bench_cpu
    if server_cpu is not None:
        server_cpu = process_cpu_seconds(server_pid) - server_cpu
    latencies = sorted(x for lat, _ in results for x in lat)
    per_answer = 1000 / max(len(latencies), 1)
    return {
        "answers": len(latencies),
        "errors": sum(e for _, e in results),
        "throughput_per_s": len(latencies) / wall,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else None,
        "bench_cpu_ms_per_answer": bench_cpu * per_answer,
        "server_cpu_ms_per_answer": server_cpu * per_answer if server_cpu is not None else None,
    }


def start_server(data_dir: Path, port: int) -> subprocess.Popen:
    import httpx

    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "assistant"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def openai_ask(port: int):
    """One conversation through the OpenAI-compatible API: the messages grow with each turn.
    The client (and its connection pool) is made once per conversation, during set-up."""
    from openai import OpenAI

    client = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="bench", max_retries=0, timeout=300)
    messages: list[dict] = []

    def ask(question: str) -> None:
        messages.append({"role": "user", "content": question})
        reply = client.chat.completions.create(model="extractive", messages=messages)
        messages.append({"role": "assistant", "content": reply.choices[0].message.content})

    return ask


MODES = ("python_api", "gradio_server", "openai_api")


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

    tls = ssl.create_default_context()  # loaded once; see the module's docstring

    def gradio_ask():
        client = Client(f"http://127.0.0.1:{port}", verbose=False, ssl_verify=tls)
        return lambda q: client.predict(q, api_name="/chat")

    results = {}
    try:
        gradio_ask()(QUESTIONS[0])  # like bot.ask above: the server loads its model on its first question
        openai_ask(port)(QUESTIONS[0])
        for clients in args.clients:
            api = run_clients(lambda: bot.conversation().ask, clients, args.questions)
            http = run_clients(gradio_ask, clients, args.questions, server_pid=server.pid)
            v1 = run_clients(lambda: openai_ask(port), clients, args.questions, server_pid=server.pid)
            results[clients] = {
                "python_api": api,
                "gradio_server": http,
                "openai_api": v1,
                "ratio": http["throughput_per_s"] / api["throughput_per_s"],
                "openai_ratio": v1["throughput_per_s"] / api["throughput_per_s"],
            }
    finally:
        server.terminate()
        server.wait(10)
    print(
        f"{'clients':>7} {'mode':<14} {'answers':>7} {'errors':>6} {'answers/s':>9} {'p50 ms':>8} {'p95 ms':>8}"
        f"  CPU ms/answer: {'bench':>5} {'server':>6}"
    )
    for clients, r in results.items():
        for mode in MODES:
            m = r[mode]
            server_cpu = "-" if m["server_cpu_ms_per_answer"] is None else f"{m['server_cpu_ms_per_answer']:.0f}"
            print(
                f"{clients:>7} {mode:<14} {m['answers']:>7} {m['errors']:>6} {m['throughput_per_s']:>9.1f} "
                f"{m['p50_ms']:>8.0f} {m['p95_ms']:>8.0f}  {'':>14} {m['bench_cpu_ms_per_answer']:>5.0f} "
                f"{server_cpu:>6}"
            )
        print(f"{clients:>7} page server/API throughput ratio {r['ratio']:.2f} (goal >= 0.8)")
        print(f"{clients:>7} OpenAI API/Python API throughput ratio {r['openai_ratio']:.2f} (goal >= 0.9)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
