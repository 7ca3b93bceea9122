"""The page's callbacks. Each one hands off to the :class:`Assistant` at once and
only turns what comes back into escaped HTML (see :mod:`ui.render`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from assistant import Answer
from assistant.engine import MAX_QUESTION_CHARS
from assistant.errors import user_errors
from assistant.surfaces.markup import plain_question
from assistant.surfaces.render import article_list
from ui import render

log = logging.getLogger(__name__)
USER_ERRORS = user_errors()


def document_choices(assistant) -> list[tuple[str, str]]:
    """The document filter's (label, value) pairs: each article's title, its id the value
    (with the id added to a title two articles share)."""
    articles = article_list(assistant)
    titles = [a["title"] for a in articles]
    return [
        (a["title"] if titles.count(a["title"]) == 1 else f"{a['title']} ({a['doc_id']})", a["doc_id"])
        for a in articles
    ]


def _options(backend: str | None, k: float | None, doc_ids: list[str] | None) -> dict:
    return {"backend": backend or None, "k": int(k) if k else None, "doc_ids": list(doc_ids or [])}


def _message(role: str, html: str) -> dict:
    return {"role": role, "content": html}


class Handlers:
    """Callbacks bound to one Assistant. Per-browser memory is a Conversation held in gr.State."""

    def __init__(self, assistant) -> None:
        self.assistant = assistant

    def _conversation(self, conversation):
        return conversation if conversation is not None else self.assistant.conversation()

    # -- chat ----------------------------------------------------------------
    def respond(
        self, message, history, conversation, answers, backend, k, doc_ids, standalone: bool = False
    ) -> Iterator[tuple]:
        """Stream one answer into the chat; outputs (chat, sources, conversation, textbox,
        answers). ``answers`` holds every answer of the conversation, so that each one's
        [n] markers keep pointing at its own passages."""
        question = plain_question(message)  # markup is not part of the question
        if not question or len(question) > MAX_QUESTION_CHARS:  # nothing to ask; the counter says why
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        conversation = self._conversation(conversation)
        history, answers = list(history or []), list(answers or [])
        history.append(_message("user", render.text(question)))
        history.append(_message("assistant", "…"))
        yield history, gr.skip(), conversation, "", answers
        so_far, answer = "", None
        try:
            for event in conversation.stream(question, standalone=standalone, **_options(backend, k, doc_ids)):
                if isinstance(event, Answer):
                    answer = event
                else:
                    so_far += event
                    history[-1] = _message("assistant", render.text(so_far))
                    yield history, gr.skip(), conversation, "", answers
        except USER_ERRORS as exc:
            history[-1] = _message("assistant", render.error_html(str(exc)))
            yield history, gr.skip(), conversation, message, answers
            return
        answers.append(answer)
        history[-1] = _message("assistant", render.answer_html(answer, turn=len(answers) - 1))
        yield history, render.sources_panel(answers), conversation, "", answers

    def ask_example(self, example, history, conversation, answers, backend, k, doc_ids) -> Iterator[tuple]:
        """An offered example is asked as it stands, never as a follow-up of the chat so far."""
        yield from self.respond(example, history, conversation, answers, backend, k, doc_ids, standalone=True)

    def chat_api(self, message, backend, k, doc_ids, conversation) -> tuple[dict, object]:
        """The ``/chat`` endpoint: one turn of this session's conversation, as JSON."""
        conversation = self._conversation(conversation)
        try:
            answer = conversation.ask(plain_question(message), **_options(backend, k, doc_ids))
        except USER_ERRORS as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        return answer.to_dict(), conversation

    def new_conversation(self, conversation) -> tuple:
        if conversation is not None:
            conversation.reset()
        return [], render.sources_panel([]), conversation, "", []

    # -- corpus --------------------------------------------------------------
    def refresh(self) -> tuple:
        """Index stats and the document filter's choices."""
        try:
            return render.status_html(self.assistant.status()), gr.Dropdown(choices=document_choices(self.assistant))
        except USER_ERRORS as exc:
            return f'<div class="error">{render.text(exc)}</div>', gr.skip()

    def upload(self, files, progress=gr.Progress()) -> tuple:
        """Save the uploaded files, index them; outputs (summary, file box, stats, filter)."""
        from assistant.surfaces.uploads import upload

        pairs = [(Path(f), Path(f).name) for f in files or []]
        try:
            done = upload(self.assistant, pairs, progress=_progress_bar(progress))
        except USER_ERRORS as exc:
            return f'<div class="sync-summary error">Indexing failed: {render.text(exc)}</div>', None, *self.refresh()
        return render.sync_html(done.report, done.refused, done.articles), None, *self.refresh()

    def reindex(self, progress=gr.Progress()) -> tuple:
        return self._sync(None, progress), *self.refresh()

    def _sync(self, paths, progress) -> str:
        try:
            report = self.assistant.sync(paths, progress=_progress_bar(progress))
        except USER_ERRORS as exc:
            return f'<div class="sync-summary error">Indexing failed: {render.text(exc)}</div>'
        return render.sync_html(report, [])


def _progress_bar(progress):
    def report(done: int, total: int) -> None:
        if total:
            progress((done, total), desc="Embedding", unit="chunks")

    return report
