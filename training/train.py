"""The training loop: AdamW, warm-up then linear decay, checkpoints every ~10 minutes.

A run can be stopped at any time and continued with ``--resume``: the checkpoint holds the
weights, the optimiser, the step, and the time and peak memory so far; the
pairs of each epoch are a function of (seed, epoch), so the resumed run sees the same data.
"""

from __future__ import annotations

import datetime
import logging
import os
import resource
import time
from pathlib import Path

import torch

from training.config import Config
from training.dataset import Splits
from training.modelling import Reader, loss, new_reader
from training.sampling import batches, epoch_pairs, tensors

log = logging.getLogger(__name__)


def checkpoint_path(cfg: Config) -> Path:
    return cfg.work / "checkpoint.pt"


def soup_weights_path(cfg: Config) -> Path:
    """A soup's mean weights, for a later stage to start from (``--own <this>``): it has no
    optimiser state, so it is not a checkpoint a run could resume."""
    return cfg.work / "soup-weights.pt"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def _optimiser(model: Reader, cfg: Config) -> torch.optim.AdamW:
    trained = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in trained if p.ndim > 1]
    no_decay = [p for p in trained if p.ndim <= 1]  # biases, LayerNorm
    return torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr)


def progress(step: int, seconds: float, cfg: Config) -> float:
    """How far through the run: by steps or by training time, whichever is further. The machine
    is shared, so a step budget alone could overrun the session; by time, the learning rate
    still decays to zero when the time is up."""
    by_time = seconds / (60 * cfg.train_minutes) if cfg.train_minutes else 0.0
    return max(step / cfg.steps, by_time)


def learning_rate(step: int, seconds: float, cfg: Config) -> float:
    """Linear warm-up over the first cfg.warmup of the steps, then linear decay to zero."""
    warm = max(1, int(cfg.steps * cfg.warmup))
    if step < warm:
        return cfg.lr * (step + 1) / warm
    return cfg.lr * max(0.0, 1 - progress(step, seconds, cfg)) / (1 - cfg.warmup)


def _save(cfg: Config, model: Reader, optimiser, state: dict) -> None:
    path = checkpoint_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(), "state": state}, tmp)
    tmp.replace(path)  # a kill while saving leaves the previous checkpoint whole
    log.info("checkpoint at step %d (%.0f s of training)", state["step"], state["seconds"])


def _restore(cfg: Config, model: Reader, optimiser, resume: bool) -> dict:
    path = checkpoint_path(cfg)
    if not resume or not path.exists():
        if cfg.init_from:  # a second stage: the earlier run's weights, a fresh optimiser and schedule
            model.load_state_dict(torch.load(cfg.init_from, weights_only=False)["model"])
            log.info("weights from %s", cfg.init_from)
        return {"step": 0, "seconds": 0.0, "peak_rss_mb": 0.0, "losses": [], "stopped_early": False}
    saved = torch.load(path, weights_only=False)
    model.load_state_dict(saved["model"])
    optimiser.load_state_dict(saved["optimiser"])
    log.info("resumed at step %d", saved["state"]["step"])
    saved["state"].setdefault("resumed_at", []).append(saved["state"]["step"])
    return saved["state"]


def choose_threads(current: int) -> int:
    """2 threads on an idle machine, 1 while other work holds a core: two threads that each wait
    for the other at every operation ran 2-3x slower than one when the cores were shared."""
    others = os.getloadavg()[0] - current
    return 2 if others < 0.6 else 1


def _deadline(cfg: Config) -> float | None:
    if not cfg.deadline:
        return None
    hour, minute = map(int, cfg.deadline.split(":"))
    now = datetime.datetime.now()
    return now.replace(hour=hour, minute=minute, second=0).timestamp()


def _step_batches(splits: Splits, cfg: Config, start_step: int):
    """(step, batch) from ``start_step`` on, epoch after epoch, as a fresh run would reach them."""
    step, epoch = 0, cfg.first_epoch
    while True:
        for batch in batches(epoch_pairs(splits.train, cfg, epoch), cfg, epoch):
            if step >= cfg.steps:
                return
            if step >= start_step:
                yield step, epoch, batch
            step += 1
        epoch += 1


def soup(paths: tuple[Path, ...]) -> Reader:
    """The mean of the weights of runs that began from the same weights (a "model soup",
    Wortsman et al. 2022): fine-tuned siblings lie in one basin, and their mean often carries
    to unseen data better than any one of them. No training step."""
    states = [torch.load(path, weights_only=False)["model"] for path in paths]
    mean = {name: sum(state[name].float() for state in states) / len(states) for name in states[0]}
    model = new_reader()
    model.load_state_dict({name: value.to(states[0][name].dtype) for name, value in mean.items()})
    log.info("weights: the mean of %s", ", ".join(map(str, paths)))
    return model


def train(splits: Splits, cfg: Config, resume: bool) -> tuple[Reader, dict]:
    """Train (or continue) until the step or time budget is spent, or the deadline; returns the
    model (in eval mode) and the run state."""
    if cfg.soup:
        model = soup(cfg.soup)
        cfg.work.mkdir(parents=True, exist_ok=True)
        torch.save({"model": model.state_dict()}, soup_weights_path(cfg))
        return model.eval(), {"step": 0, "seconds": 0.0, "peak_rss_mb": peak_rss_mb(), "losses": [],
                              "stopped_early": False, "soup": [str(p) for p in cfg.soup]}
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(choose_threads(0))
    model = new_reader()
    optimiser = _optimiser(model, cfg)
    state = _restore(cfg, model, optimiser, resume)
    if progress(state["step"], state["seconds"], cfg) >= 1:  # finished before: straight on to export
        return model.eval(), state
    model.train()
    state["stopped_early"] = False
    stop_at, began, last_save = _deadline(cfg), time.time(), time.time()
    seconds0, first, recent = state["seconds"], state["step"], []
    for step, epoch, batch in _step_batches(splits, cfg, first):
        torch.manual_seed(cfg.seed * 100_003 + step)  # dropout: the same on resume
        lr = learning_rate(step, state["seconds"], cfg)
        recent.append(_one_step(model, optimiser, lr, batch, cfg))
        state.update(step=step + 1, epoch=epoch, seconds=seconds0 + time.time() - began,
                     peak_rss_mb=max(state["peak_rss_mb"], peak_rss_mb()))
        done = progress(step + 1, state["seconds"], cfg) >= 1
        if (step + 1) % 50 == 0 or done:
            state["losses"].append([step + 1, sum(recent) / len(recent)])
            rate = (step + 1 - first) * cfg.batch / max(1e-9, time.time() - began)
            log.info("step %d/%d epoch %d loss %.4f lr %.2e %.1f pairs/s, %.0f%% done, %d threads", step + 1,
                     cfg.steps, epoch, state["losses"][-1][1], lr, rate, 100 * progress(step + 1, state["seconds"], cfg),
                     torch.get_num_threads())
            recent = []
            torch.set_num_threads(choose_threads(torch.get_num_threads()))
        if time.time() - last_save > cfg.checkpoint_seconds:
            _save(cfg, model, optimiser, state)
            last_save = time.time()
        if done:
            break
        if stop_at and time.time() > stop_at:
            log.warning("deadline %s reached at step %d of %d: stopping here", cfg.deadline, step + 1, cfg.steps)
            state["stopped_early"] = True
            break
    _save(cfg, model, optimiser, state)
    return model.eval(), state


def _one_step(model: Reader, optimiser: torch.optim.AdamW, lr: float, batch: list, cfg: Config) -> float:
    arrays = tensors(batch, cfg.titles, cfg.context)
    inputs = {k: torch.from_numpy(arrays[k]) for k in ("input_ids", "attention_mask", "token_type_ids")}
    labels = {k: torch.from_numpy(arrays[k]) for k in ("labels", "start", "end", "candidate")}
    value = loss(model(**inputs), labels, cfg.span_weight)
    optimiser.zero_grad(set_to_none=True)
    value.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    for group in optimiser.param_groups:
        group["lr"] = lr
    optimiser.step()
    return float(value.detach())
