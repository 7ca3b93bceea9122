"""`assistant chat`: a conversation in the terminal, or JSON lines when piped."""

from __future__ import annotations

import json
import sys

from assistant.core.answer import Answer
from assistant.errors import AssistantError
from assistant.surfaces.render import StreamWriter, print_answer, terminal

PROMPT = "you> "


def run_chat(assistant, json_lines: bool, k: int | None, filters: dict) -> int:
    """One question per line; memory is kept between lines. Errors answer that
    line (``{"error": ...}`` in JSON mode) and the conversation goes on."""
    conversation = assistant.conversation(k=k, **filters)
    if not json_lines:
        print("Ask about the indexed articles. Ctrl-D to quit, /new for a new conversation.")
    while True:
        if not json_lines:
            print(PROMPT, end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return 0
        question = line.strip()
        if question == "/new":
            conversation.reset()
            continue
        if not question and json_lines:
            continue
        try:
            _answer_one(conversation, question, json_lines)
        except AssistantError as exc:
            _print_error(str(exc), json_lines)


def _answer_one(conversation, question: str, json_lines: bool) -> None:
    answer: Answer | None = None
    writer = None if json_lines else StreamWriter()  # wrapped to the terminal, **bold** as bold
    for event in conversation.stream(question):
        if isinstance(event, Answer):
            answer = event
        elif writer is not None:
            writer.write(event)
    if json_lines:
        print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        return
    if answer.text and (answer.refused or answer.notes):
        print(f"\n{terminal(answer.text)}" if not answer.refused else terminal(answer.text), end="")
    print()
    print_answer(answer, streamed=True)


def _print_error(message: str, json_lines: bool) -> None:
    if json_lines:
        print(json.dumps({"error": message}), flush=True)
    else:
        print(f"error: {message}", file=sys.stderr)
