"""The rule that decides whether a newly trained reader replaces the committed one, as a command.

    .venv/bin/python bench/adopt_reader.py                 # the reader in models/reader, both dev sets
    .venv/bin/python bench/adopt_reader.py --saved Q.txt S.txt  # from saved outputs of the two runs

It runs, with whatever reader models/reader holds (swap a candidate in there first):
`bench/quality.py --sets bbc-dev --curve` (116 answerable BBC dev questions at BBC scale) and
`bench/squad_heldout.py --split dev --gates` (600 answerable, 300 look-alike unanswerable
questions over the 5 dev Wikipedia articles), then applies the rule written down before any
reader was compared (stops 41 to 43):

- threshold: the highest value on the grid with at most MAX_FALSE_REFUSALS false refusals
  over the two dev sets' answerable questions together;
- dev sum at it: answers containing the fact + unanswerable refused, over both dev sets.
  A candidate is adopted iff its dev sum beats the committed reader's in runs on the same
  machine, BBC dev answers fall by at most one question, and the tests pass;
- bold gate: the gate with the most right bold short answers minus twice the wrong ones on
  Wikipedia dev, at the applied threshold (calibration.READER_THRESHOLD: set it to the
  threshold printed here, then run again to read the gate).

Test halves are never read here. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_FALSE_REFUSALS = 0.05  # the false-refusal bound, over both dev sets together
BBC_DEV_ANSWERABLE, WIKI_DEV_ANSWERABLE = 116, 600

_BBC_ROW = re.compile(r"\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$")
_WIKI_ROW = re.compile(r"\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+([\d.]+)")
_GATE = re.compile(r"\s+gate ([\d.]+):\s+(\d+) shown, ([\d.]+) wrong")


def bbc_curve(text: str) -> dict[float, tuple[float, float, float]]:
    """threshold -> (answers, false refusals, unanswerable refused) of quality.py --curve."""
    out = {}
    for line in text.split("\nbbc-dev:", 1)[1].splitlines()[1:]:
        match = _BBC_ROW.match(line)
        if not match:
            break
        out[round(float(match[1]), 3)] = tuple(map(float, match.groups()[1:]))
    return out


def wiki_curve(text: str) -> dict[float, tuple[float, float, float]]:
    """threshold -> (answers, false refusals, unanswerable refused) of squad_heldout.py."""
    return {round(float(m[1]), 3): (float(m[2]), float(m[3]), float(m[4]))
            for m in map(_WIKI_ROW.match, text.splitlines()) if m}


def gates(text: str) -> dict[float, tuple[int, float]]:
    """gate -> (bold shown, share wrong) of squad_heldout.py --gates."""
    return {float(m[1]): (int(m[2]), float(m[3])) for m in map(_GATE.match, text.splitlines()) if m}


def decide(bbc: dict, wiki: dict, bold: dict) -> list[str]:
    lines = ["threshold  FR together  BBC dev (answers, FR, unans)  wiki dev (answers, FR, unans)  dev sum"]
    allowed = []
    for t in sorted(set(bbc) & set(wiki)):
        together = (bbc[t][1] * BBC_DEV_ANSWERABLE + wiki[t][1] * WIKI_DEV_ANSWERABLE) / (
            BBC_DEV_ANSWERABLE + WIKI_DEV_ANSWERABLE)
        total = bbc[t][0] + bbc[t][2] + wiki[t][0] + wiki[t][2]
        lines.append(f"  {t:5.2f}      {together:.3f}      {bbc[t][0]:.3f} {bbc[t][1]:.3f} {bbc[t][2]:.3f}"
                     f"          {wiki[t][0]:.3f} {wiki[t][1]:.3f} {wiki[t][2]:.3f}          {total:.3f}")
        if together <= MAX_FALSE_REFUSALS:
            allowed.append((t, total))
    if allowed:
        t, total = max(allowed)
        lines.append(f"rule threshold {t:.2f}: dev sum {total:.3f}, BBC dev answers {bbc[t][0]:.3f}")
    else:
        lines.append(f"no threshold on the grid keeps false refusals at or under {MAX_FALSE_REFUSALS}")
    if bold:
        score = {g: round(n * (1 - w)) - 2 * round(n * w) for g, (n, w) in bold.items()}
        best = max(score, key=lambda g: (score[g], -g))
        lines.append("bold gates: " + ", ".join(f"{g:.2f} {score[g]}" for g in sorted(score))
                     + f"; best {best:.2f} (at the applied threshold)")
    return lines


def run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"error: bench/{script} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--saved", nargs=2, type=Path, metavar=("QUALITY_OUT", "SQUAD_OUT"),
                        help="read saved outputs of the two runs instead of running them")
    args = parser.parse_args()
    if args.saved:
        quality, squad = (path.read_text() for path in args.saved)
    else:
        quality = run("quality.py", "--sets", "bbc-dev", "--curve")
        squad = run("squad_heldout.py", "--split", "dev", "--gates")
    print("\n".join(decide(bbc_curve(quality), wiki_curve(squad), gates(squad))))


if __name__ == "__main__":
    main()
