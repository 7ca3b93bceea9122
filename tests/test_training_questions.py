"""Our training questions (training/questions/*.json) are sound, and never about an article
that a held-out question set of bench/ asks about: a reader trained on those articles would
be judged on what it learned."""

from __future__ import annotations

import json
import re
import sys

import pytest

from tests.conftest import ROOT, SHARED

QUESTIONS = sorted((ROOT / "training" / "questions").glob("*.json"))
BENCH_SETS = ["questions_bbc.json", "questions_shapes.json"]
ARTICLE = re.compile(r"(?:business|entertainment|politics|sport|tech)/\d{3}\.txt")


def _articles(data: dict) -> set[str]:
    return set(ARTICLE.findall(json.dumps(data)))


def test_there_are_training_questions():
    assert QUESTIONS, "training/questions/ holds no question file"


@pytest.mark.parametrize("name", BENCH_SETS)
def test_no_training_question_is_about_an_article_a_bench_set_uses(name):
    held_out = _articles(json.loads((ROOT / "bench" / name).read_text(encoding="utf-8")))
    for path in QUESTIONS:
        shared = _articles(json.loads(path.read_text(encoding="utf-8"))) & held_out
        assert not shared, f"{path.name} asks about {sorted(shared)}, which bench/{name} uses"


@pytest.fixture(scope="module")
def bbc():
    """bench/bbc_questions.py and the BBC corpus's texts by article id, read once."""
    if not (SHARED / "bench-corpus" / "bbc").is_dir():
        pytest.skip("the BBC corpus is not beside the repo")
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import bbc_questions
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return bbc_questions, bbc_questions.corpus()


def test_training_questions_pass_the_question_set_checks(bbc):
    bbc_questions, texts = bbc
    for path in QUESTIONS:
        problems = bbc_questions.check(json.loads(path.read_text(encoding="utf-8")), texts)
        assert not problems, f"{path.name}: {problems[:3]}"


def test_no_training_evidence_is_in_an_article_a_bench_set_uses(bbc):
    """The corpus holds some stories twice under two ids: a training question over one copy
    would teach the reader a story that a bench set asks about under the other id."""
    _, texts = bbc
    held_out = set()
    for name in BENCH_SETS:
        held_out |= _articles(json.loads((ROOT / "bench" / name).read_text(encoding="utf-8")))
    bench_texts = {doc: texts[doc] for doc in held_out if doc in texts}
    for path in QUESTIONS:
        for item in json.loads(path.read_text(encoding="utf-8"))["answerable"]:
            copies = [doc for doc, text in bench_texts.items() if item["evidence"] in text]
            assert not copies, f"{path.name}: {item['question']!r} has its evidence in {copies}, which a bench set uses"
