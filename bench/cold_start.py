"""Cold `assistant ask` at BBC scale, this checkout against another commit, in one run.

    .venv/bin/python bench/cold_start.py                    # other side: merge-base with main
    .venv/bin/python bench/cold_start.py --compare f679bfa --runs 7
    .venv/bin/python bench/cold_start.py --question "What does ILMU stand for?"

Each run is a new process, `python -m assistant ask QUESTION`, timed from start to exit
(wall clock) with its CPU time (user + system) and peak RSS (from wait4): imports, opening Chroma, loading the
BM25 mirror and the embedder, answering, exiting. Both sides ask over their own copy of
--data-dir (default /tmp/news-assistant-bench-2225, seeds + all BBC; the original is never
written). The other side's code is extracted with `git archive`; one untimed run per side
first writes its BM25 cache and warms the page cache; then the sides alternate, so the
ratio (this / other, of the medians) comes from the same minutes of the same machine.
The load average is printed: with other work on the 2 cores, wall times move together
and their ratio less; the start overlaps loading the embedder with opening Chroma, which
only pays off on a free core, so on a busy machine read the CPU times too. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from memory import ROOT, default_ref, env_for, extract, load  # same extraction and environment

QUESTION = "Who scored the opening goal for Manchester United in the Exeter replay?"


def cold_ask(code: Path, data_dir: Path, question: str) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, first line of the answer) of one `assistant ask`."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "assistant", "ask", question],
            env=env_for(code, data_dir),
            cwd=code,
            stdout=subprocess.PIPE,
            stderr=err,
        )
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            err.seek(0)
            raise SystemExit(f"`assistant ask` failed in {code}:\n{err.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, (out.decode().splitlines() or [""])[0][:70]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/news-assistant-bench-2225"))
    parser.add_argument("--compare", default=None, help="git ref of the other side (default: merge-base with main)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per side")
    parser.add_argument("--question", default=QUESTION)
    args = parser.parse_args()
    ref = args.compare or default_ref()
    print(f"this: {ROOT} ({os.cpu_count()} cores), other: {ref[:12]}, load average {load()}")
    with tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
        tmp = Path(tmp)
        codes = {"this": ROOT, "other": extract(ref, tmp / "other-code")}
        data = {name: tmp / f"data-{name}" for name in codes}
        for name, code in codes.items():
            shutil.copytree(args.data_dir, data[name], symlinks=True)
            print(f"  {name} (untimed first run): {cold_ask(code, data[name], args.question)[3]}")
        walls: dict[str, list[float]] = {name: [] for name in codes}
        cpus: dict[str, list[float]] = {name: [] for name in codes}
        peaks: dict[str, list[float]] = {name: [] for name in codes}
        before = load()
        for _ in range(args.runs):
            for name, code in codes.items():
                wall, cpu, peak, _ = cold_ask(code, data[name], args.question)
                walls[name].append(wall)
                cpus[name].append(cpu)
                peaks[name].append(peak)
    print(f"\ncold `assistant ask` over {args.data_dir}, {args.runs} runs per side (load {before} -> {load()})")
    for name in codes:
        runs = " ".join(f"{w:.2f}" for w in walls[name])
        print(
            f"  {name:<6} wall median {statistics.median(walls[name]):5.2f} s ({runs})   "
            f"CPU median {statistics.median(cpus[name]):5.2f} s   peak RSS {max(peaks[name]):4.0f} MB"
        )
    for what, values in (("wall time", walls), ("CPU time", cpus), ("peak RSS", peaks)):
        ratio = statistics.median(values["this"]) / statistics.median(values["other"])
        print(f"  this/other {what:<9} {ratio:.2f}")


if __name__ == "__main__":
    main()
