"""Where things are and how big the run is: one object, passed explicitly."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SQUAD_DIR = SHARED / "qa-train"
BBC_DIR = SHARED / "bench-corpus" / "bbc"
BBC_QUESTIONS = ROOT / "bench" / "questions_bbc.json"
BBC_TRAIN_QUESTIONS = ROOT / "training" / "questions"  # ours, for training only (training.bbc)

# The three SQuAD-format files, as qa-train/README.md lists them (checked at load).
SQUAD_FILES = {
    "squad2-dev-25-articles.json": "657ab6c1e40d35112d0cc6eb1a0e6dee794af697f90b45a997f48a16e73b1ac1",
    "squad2-train-10-articles.json": "c2a61f5d4780ce8085a70e775539728d89ae39d608692ad3e75f2b46e7c980c4",
    "squad11-dev-13-articles.json": "ac4d79563cce157aa82eb66877046ebe416b6023517593764698861968a9f45d",
}
# Articles per file held out: (test, dev). About a quarter test, stratified by file.
HELD_OUT = {
    "squad2-dev-25-articles.json": (6, 3),
    "squad2-train-10-articles.json": (3, 1),
    "squad11-dev-13-articles.json": (3, 1),
}


@dataclass(frozen=True)
class Config:
    """A training run. The defaults are the full run; :func:`smoke` shrinks it to minutes."""

    out: Path = ROOT / "models" / "reader"
    work: Path = ROOT / ".train"  # checkpoints, caches, fp32 graph, metrics (not committed)
    seed: int = 13
    other_sentences: int = 4  # top-cosine sentences of other paragraphs added to each question's candidates
    max_candidates: int = 16  # the answerer's shortlist is ~8-16 sentences
    negatives: int = 5  # sampled per question per epoch (unanswerable: the plausible one among them)
    bbc_repeats: int = 3  # in-domain questions are few: seen this many times per epoch
    batch: int = 32
    pair_budget: int = 150_000  # pair-steps at most (~115k pairs/hour measured on an idle 2-core machine)
    train_minutes: float | None = 80.0  # ... and training time at most (the cores are shared): see train.progress
    lr: float = 6e-5
    warmup: float = 0.06
    weight_decay: float = 0.01
    span_weight: float = 0.5  # of the start + end cross-entropy beside the answer BCE
    checkpoint_seconds: float = 600.0
    deadline: str | None = None  # "HH:MM" local: stop training then, export what there is
    eval_questions: int = 2000  # per held-out half, seeded sample (int8 scoring costs ~0.1 s a question)
    articles_per_file: int | None = None  # smoke: only this many articles of each file
    max_questions: int | None = None  # smoke: only this many questions per article
    false_refusals: float = 0.05  # the refusal threshold: this share of dev answerables refused
    # A second stage continues from a finished run's weights (fresh optimiser and schedule) on
    # the epochs after the ones it saw, so its negatives are new draws.
    init_from: Path | None = None  # a checkpoint.pt whose model weights start this run
    first_epoch: int = 0  # epoch numbering starts here (stage 1 of the committed model saw 0 and 1)
    hard_repeats: int = 1  # the plausible-answer sentence of an unanswerable question, this many times per epoch
    # training.augment: negatives the SQuAD candidates lack (stage 3 turns them on)
    cross_negatives: int = 0  # other articles' closest sentences, per question (all used every epoch)
    swapped_negatives: bool = False  # the answer sentence with a name or year of the question swapped
    titles: bool = False  # read each candidate with its article's title (model.TITLE_TOKENS; stage 3)
    context: bool = False  # read each candidate after the sentence before it (model.CONTEXT_TOKENS)
    own_questions: bool = False  # also train on training/questions/*.json (training.bbc)
    bbc_dev: bool = True  # train on bench/questions_bbc.json's dev half (False: keep it for judging only)
    soup: tuple[Path, ...] = ()  # no training: the mean of these checkpoints' weights (train.soup)

    @property
    def steps(self) -> int:
        return max(1, self.pair_budget // self.batch)

    def replace(self, **changes) -> Config:
        return dataclasses.replace(self, **changes)


def smoke(out: Path, work: Path) -> Config:
    """End to end on a sliver of the data, in about a minute."""
    return Config(out=out, work=work, pair_budget=8 * 12, batch=8, train_minutes=None, articles_per_file=3, max_questions=12,
                  eval_questions=40, checkpoint_seconds=30.0, bbc_repeats=1)
