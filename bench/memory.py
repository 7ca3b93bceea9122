"""Memory of the two long-running commands, this checkout against another commit, in one run.

    .venv/bin/python bench/memory.py                      # all BBC indexed; 200 questions to `serve`
    .venv/bin/python bench/memory.py --articles 300       # index 300 BBC articles only (quicker)
    .venv/bin/python bench/memory.py --compare main       # the other side (default: merge-base with main)
    .venv/bin/python bench/memory.py --skip index         # only the questions (or --skip questions)

(a) indexing: `assistant index` of a copy of --articles BBC articles into a fresh data
    dir, as a new process: its peak RSS (the kernel's ru_maxrss, from wait4) and
    chunks embedded per second (the command's own report).
(b) questions: `assistant serve` over a copy of --data-dir (default
    /tmp/news-assistant-bench-2225, seeds + all BBC; the original is never opened;
    one `assistant ask` first writes that side's BM25 cache, as after any first question),
    200 questions from bench/questions_bbc.json posted one at a time to
    /v1/chat/completions: RSS (VmRSS) once it listens, after the first answer, after
    the last, its peak (VmHWM), again 3 s later (idle), and the p50 of the answers'
    wall time.

Each side runs its own code (the other commit is extracted with `git archive` to a
temporary folder) with the same Python, data and questions; the sides alternate, and
the ratios (this / other) come from the same run. The machine's load average is
printed beside each measurement: with other work on the 2 cores, throughput and
latency ratios move by +-10% between runs, RSS hardly at all. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IDLE_SECONDS = 3  # after the last answer: what an idle server holds
QUESTIONS = json.loads((ROOT / "bench" / "questions_bbc.json").read_text())


def mb(kb: int) -> float:
    return kb / 1024


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a live process, in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def env_for(code: Path, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return {**env, "PYTHONPATH": str(code), "ASSISTANT_DATA_DIR": str(data_dir)}


def index_run(code: Path, corpus: Path, data_dir: Path) -> dict:
    """`assistant index` in a new process: its peak RSS and chunks/s."""
    before = load()
    child = subprocess.Popen(
        [sys.executable, "-m", "assistant", "index", str(corpus), "--json"],
        env=env_for(code, data_dir),
        cwd=code,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"`assistant index` failed in {code} ({child.returncode})")
    report = json.loads(out)
    return {
        "peak_mb": usage.ru_maxrss / 1024,
        "chunks": report["chunks_embedded"],
        "chunks_per_s": report["chunks_embedded"] / report["seconds"],
        "load": f"{before} -> {load()}",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as reply:
        return json.loads(reply.read())


def wait_listening(url: str, child: subprocess.Popen, timeout: float = 180) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit("`assistant serve` exited before listening")
        try:
            with urllib.request.urlopen(f"{url}/v1/models", timeout=5) as reply:
                return json.loads(reply.read())["data"][0]["id"]
        except OSError:
            time.sleep(0.5)
    raise SystemExit("`assistant serve` did not listen in time")


def questions(n: int) -> list[str]:
    pool = [q["question"] for q in QUESTIONS["answerable"] + QUESTIONS["unanswerable"]]
    random.Random(11).shuffle(pool)
    return [pool[i % len(pool)] for i in range(n)]


def prime(code: Path, data_dir: Path) -> None:
    """One `assistant ask` first, so that each side's own BM25 cache file is in the data
    dir (the copied one may be in the other side's layout) and `serve` starts as usual."""
    subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "What did Japan and Cambodia agree on?"],
        env=env_for(code, data_dir),
        cwd=code,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )


def serve_run(code: Path, data_dir: Path, asked: list[str]) -> dict:
    """`assistant serve`: RSS listening, after one answer, after all; p50 of the answers."""
    prime(code, data_dir)
    before = load()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    child = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        env=env_for(code, data_dir),
        cwd=code,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        model = wait_listening(url, child)
        rss = {"listening": proc_status(child.pid)["VmRSS"]}
        times = []
        for i, question in enumerate(asked):
            started = time.perf_counter()
            post(f"{url}/v1/chat/completions", {"model": model, "messages": [{"role": "user", "content": question}]})
            times.append(1000 * (time.perf_counter() - started))
            if i == 0:
                rss["after 1"] = proc_status(child.pid)["VmRSS"]
        status = proc_status(child.pid)
        rss[f"after {len(asked)}"] = status["VmRSS"]
        rss["peak"] = status["VmHWM"]
        time.sleep(IDLE_SECONDS)
        rss[f"{IDLE_SECONDS:.0f} s later"] = proc_status(child.pid)["VmRSS"]
    finally:
        child.terminate()
        child.wait(30)
    return {
        **{f"{k}_mb": mb(v) for k, v in rss.items()},
        "p50_ms": statistics.median(times[1:] or times),
        "load": f"{before} -> {load()}",
    }


def extract(ref: str, target: Path) -> Path:
    """The tree of ``ref`` in ``target`` (no .git): the other side's code."""
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def default_ref() -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], capture_output=True, text=True, check=True
    ).stdout.strip()


def show(name: str, sides: dict[str, dict]) -> None:
    this, other = sides["this"], sides["other"]
    print(f"\n{name}")
    for key in this:
        if key == "load":
            continue
        ratio = this[key] / other[key] if other[key] else float("nan")
        print(f"  {key:<18} this {this[key]:>9.1f}   other {other[key]:>9.1f}   this/other {ratio:5.2f}")
    print(f"  load average       this {this['load']}   other {other['load']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=None, help="BBC articles to index (default all 2,225)")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/news-assistant-bench-2225"))
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--compare", default=None, help="git ref of the other side (default: merge-base with main)")
    parser.add_argument("--skip", choices=["index", "questions"])
    args = parser.parse_args()
    ref = args.compare or default_ref()
    print(f"this: {ROOT} ({os.cpu_count()} cores), other: {ref[:12]}, load average {load()}")
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp:
        tmp = Path(tmp)
        codes = {"other": extract(ref, tmp / "other-code"), "this": ROOT}
        if args.skip != "index":
            from indexing import sample_corpus  # the same sample bench/indexing.py indexes

            corpus = sample_corpus(tmp / "corpus", args.articles, seed=7)
            sides = {name: index_run(code, corpus, tmp / f"index-{name}") for name, code in codes.items()}
            show(
                f"assistant index of {len(list(corpus.iterdir()))} BBC articles ({sides['this']['chunks']} chunks)",
                sides,
            )
        if args.skip != "questions":
            asked = questions(args.questions)
            sides = {}
            for name, code in codes.items():
                copy = tmp / f"serve-{name}"
                shutil.copytree(args.data_dir, copy)
                sides[name] = serve_run(code, copy, asked)
                shutil.rmtree(copy)
            show(f"assistant serve over {args.data_dir}: {len(asked)} questions", sides)


if __name__ == "__main__":
    main()
