"""The trained reader (assistant/reading/model.py) on small texts written for these tests:
the committed int8 model, run the way the answerer runs it, without torch."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from assistant.reading.model import MODEL_PATH, ReaderModelError, encode_pairs, load_reader, score

QUESTION = "Who was appointed head coach of the Riverton Rovers?"
ANSWER = "The Riverton Rovers appointed Margaret Okafor as their new head coach on Tuesday."
UNRELATED = [
    "Heavy rain flooded several streets in the town centre overnight.",
    "The bakery on Mill Lane has started selling gluten-free bread.",
    "Shares in the mining company fell by 4% after its quarterly results.",
    "A new bus route will connect the hospital with the railway station.",
]


def test_the_answering_sentence_scores_above_unrelated_ones():
    readings = score(QUESTION, [*UNRELATED[:2], ANSWER, *UNRELATED[2:]])

    best = max(range(len(readings)), key=lambda i: readings[i].p_answer)
    assert best == 2
    assert all(readings[2].p_answer > r.p_answer for i, r in enumerate(readings) if i != 2)


def test_a_sentence_scores_the_same_whatever_is_read_beside_it():
    alone = score(QUESTION, [ANSWER])[0]
    with_others = score(QUESTION, [UNRELATED[0] * 3, ANSWER, *UNRELATED[1:]])[1]  # longer rows pad it

    assert with_others.p_answer == alone.p_answer
    assert (with_others.span.start, with_others.span.end) == (alone.span.start, alone.span.end)


def test_a_who_question_gets_the_persons_name_as_its_span():
    (reading,) = score(QUESTION, [ANSWER])

    assert reading.span is not None
    found = ANSWER[reading.span.start:reading.span.end]
    assert "Okafor" in found and len(found) <= len("Margaret Okafor") + 4
    assert 0 < reading.span.probability <= 1


def test_the_refusal_threshold_is_a_probability():
    assert 0 < load_reader().threshold < 1


def test_candidate_offsets_point_into_the_candidate_text():
    (row,) = encode_pairs("Where is it?", ["It is in Paris, France."])

    assert ["It", "is", "in", "Paris", ",", "France", "."] == ["It is in Paris, France."[s:e] for s, e in row.offsets]
    assert row.ids[row.candidate_start - 1] == row.ids[-1]  # [SEP] before and after the candidate
    assert row.type_ids[row.candidate_start:] == [1] * (len(row.ids) - row.candidate_start)


def test_a_title_goes_between_the_question_and_the_candidate_and_offsets_stay_in_the_candidate():
    (plain,) = encode_pairs("Where is it?", ["It is in Paris, France."])
    (titled,) = encode_pairs("Where is it?", ["It is in Paris, France."], ["A very long headline " * 10])

    assert titled.offsets == plain.offsets  # spans are still read inside the candidate only
    assert titled.ids[titled.candidate_start:] == plain.ids[plain.candidate_start:]
    title_ids = titled.ids[plain.candidate_start:titled.candidate_start]
    assert len(title_ids) == 16 + 1 and title_ids[-1] == plain.ids[-1]  # cut to TITLE_TOKENS, then [SEP]
    assert titled.type_ids[plain.candidate_start:] == [1] * (len(titled.ids) - plain.candidate_start)


def test_the_sentence_before_takes_the_titles_place_with_its_own_budget_and_none_is_an_empty_segment():
    (plain,) = encode_pairs("Who is he?", ["He is the mayor."])
    (after,) = encode_pairs("Who is he?", ["He is the mayor."], ["A headline"], ["John Smith spoke at length " * 10])
    (first,) = encode_pairs("Who is he?", ["He is the mayor."], None, [""])

    assert after.offsets == plain.offsets and after.ids[after.candidate_start:] == plain.ids[plain.candidate_start:]
    assert after.candidate_start - plain.candidate_start == 24 + 1  # CONTEXT_TOKENS, then [SEP]; the title unread
    assert first.candidate_start - plain.candidate_start == 1  # a passage's first sentence: [SEP] alone
    assert not load_reader().reads_previous  # the committed reader reads neither: it is given them and ignores them
    assert score("Who is he?", ["He is the mayor."], previous=["John Smith spoke."]) == score("Who is he?", ["He is the mayor."])


def test_a_damaged_model_file_is_refused_with_its_name_and_the_way_back(tmp_path):
    copy = tmp_path / "reader.onnx"
    data = bytearray(MODEL_PATH.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    shutil.copy(MODEL_PATH.with_suffix(".json"), copy.with_suffix(".json"))

    with pytest.raises(ReaderModelError) as caught:
        load_reader(copy)
    assert str(copy) in str(caught.value)
    assert "git checkout models/reader/reader.onnx" in str(caught.value)
    assert "python -m training" in str(caught.value)


def test_a_missing_model_file_is_refused_with_its_name(tmp_path):
    with pytest.raises(ReaderModelError) as caught:
        load_reader(tmp_path / "reader.onnx")
    assert str(tmp_path / "reader.onnx") in str(caught.value)


def test_serving_never_imports_torch():
    # a fresh interpreter: this test session may have imported anything
    code = (
        "import sys\n"
        "from assistant.reading.model import score\n"
        "score('Who won?', ['Jane Doe won the race.'])\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "assert 'transformers' not in sys.modules, 'transformers imported'\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_model_card_names_the_committed_files_hash():
    """The card is how a reader of the repo knows which model they have: its sha256 must be
    the file's, as the manifest's is (a retrained model copied in without its card fails)."""
    import hashlib
    import json

    digest = hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()
    manifest = json.loads(MODEL_PATH.with_name("reader.json").read_text(encoding="utf-8"))
    card = MODEL_PATH.with_name("MODEL_CARD.md").read_text(encoding="utf-8")

    files_row = next(line for line in card.splitlines() if line.startswith("| `reader.onnx` |"))
    assert manifest["sha256"] == digest
    assert f"sha256 `{digest}`" in files_row
