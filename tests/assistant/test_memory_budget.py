"""Conversation memory keeps the same turns whether or not it counts their tokens."""

from __future__ import annotations

import random

import pytest

from assistant.core import memory as memory_module
from assistant.core.memory import Memory, Turn
from index import count_tokens

WORDS = ["Japan", "Cambodia", "pledge", "£50m", "naïve", "東京", "emoji 🚀", "U.S.", "1977", "and", "the"]


def exact_kept(turns: list[Turn], budget: int) -> list[str]:
    """The turns a memory that counts every turn's tokens keeps (the rule as written)."""
    kept: list[Turn] = []
    for turn in turns:
        kept.append(turn)
        while kept and sum(count_tokens(f"{t.question}\n{t.answer}") for t in kept) > budget:
            kept.pop(0)
    return [t.question for t in kept]


@pytest.mark.parametrize("seed", range(6))
def test_the_kept_turns_are_those_an_exact_count_keeps(seed):
    rng = random.Random(seed)
    budget = rng.choice([20, 60, 200, 1000])
    turns = [
        Turn(
            f"q{i} " + " ".join(rng.choices(WORDS, k=rng.randint(1, 12))),
            "s",
            " ".join(rng.choices(WORDS, k=rng.randint(1, 80))),
        )
        for i in range(12)
    ]
    memory = Memory(budget)
    for turn in turns:
        memory.add(Turn(turn.question, turn.standalone, turn.answer))
    assert [t.question for t in memory.turns] == exact_kept(turns, budget)
    assert sum(t.tokens for t in memory.turns) <= budget


def test_a_short_conversation_counts_no_tokens(monkeypatch):
    """Turns whose bytes fit the budget fit it in tokens: no tokenizer is loaded for them."""
    counted = []
    monkeypatch.setattr(memory_module, "count_tokens", lambda text: counted.append(text) or len(text))
    memory = Memory(1000)
    memory.add(Turn("What did Japan and Cambodia agree on?", "s", "A partnership on schools. [1]"))
    memory.add(Turn("Why?", "s", "Because of the 1977 pledge. [1]"))
    assert len(memory.turns) == 2 and counted == []
    memory.add(Turn("And then?", "s", "x" * 2000))  # over the budget in bytes: now counted
    assert counted
