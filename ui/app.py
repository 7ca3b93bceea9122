"""The chat page: layout and wiring (``ui.server`` serves it)."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import gradio as gr

from assistant.engine import MAX_QUESTION_CHARS
from ui import render
from ui.handlers import Handlers, document_choices

log = logging.getLogger(__name__)

# Answers run at most this many at once (the page and /chat share the limit). An answer
# alternates between Python (holding the GIL) and ONNX Runtime / Chroma (not holding it),
# so on 2 cores 4 in flight keep both busy where 2 left one idle at times (+6-20% answers/s
# under /chat load once questions were embedded on one thread, see index/embedders.py).
CHAT_CONCURRENCY = 4

# Offered in every chat and always asked as they stand (never as follow-ups), so each one
# must make sense alone: "Why is it considered important?" cannot be one.
EXAMPLES = [
    "What articles do you have?",
    "How much did USAID commit to AI capacity in Cambodia, Laos and Myanmar?",
    "What did Japan and Cambodia agree on?",
    "What was the Fukuda Doctrine?",
    "What does ILMU stand for?",
]

# Clicking [n] in any answer shows that answer's passage n (its section of the panel, the
# card marked); on a phone the panel is a drawer that this opens. One listener on the
# document, capturing, so it also sees markers inside the Chatbot and the buttons below.
SOURCES_JS = """
if (!window.__sourcesWired) {
  window.__sourcesWired = true;
  const column = () => document.getElementById('sources-col');
  const show = (turn, n) => {
    document.querySelectorAll('#sources .turn').forEach(section => {
      const on = section.dataset.turn === turn;
      section.hidden = !on;
      section.classList.toggle('current', on);
    });
    document.querySelectorAll('#sources .source.picked').forEach(card => card.classList.remove('picked'));
    column().classList.add('open');
    const card = document.getElementById(`src-${turn}-${n}`);
    if (card) { card.classList.add('picked'); card.scrollIntoView({block: 'nearest'}); }
  };
  document.addEventListener('click', event => {
    const cite = event.target.closest('a.cite');
    if (cite) {
      event.preventDefault();
      event.stopPropagation();
      const [, turn, n] = /^#src-(\\d+)-(\\d+)$/.exec(cite.getAttribute('href')) || [];
      if (turn !== undefined) show(turn, n);
    } else if (event.target.closest('#sources-toggle')) {
      column().classList.toggle('open');
    } else if (event.target.closest('#sources-close')) {
      column().classList.remove('open');
    }
  }, true);
}
"""

# The question's length against the limit, as the user types (over it, Ask does nothing).
COUNT_JS = f"""(question) => {{
  const counter = document.getElementById('question-count');
  const n = [...(question || '').trim()].length;
  if (counter) {{
    counter.textContent = n > {MAX_QUESTION_CHARS} ? `${{n.toLocaleString('en')}} / {MAX_QUESTION_CHARS:,} characters: too long to ask`
                                       : `${{n.toLocaleString('en')}} / {MAX_QUESTION_CHARS:,} characters`;
    counter.classList.toggle('over', n > {MAX_QUESTION_CHARS});
  }}
  return [];
}}"""

# Gradio labels each message with its HTML source ("bot's message: <a class=...>"); a
# screen reader should hear what the page shows: the label becomes the message's text.
LABELS_JS = r"""
if (!window.__labelsWired) {
  window.__labelsWired = true;
  const plain = message => {
    const label = message.getAttribute('aria-label') || '';
    const at = label.indexOf("'s message: ");
    if (at < 0) return;
    const text = label.slice(0, at + 12) + message.innerText.replace(/\s+/g, ' ').trim();
    if (label !== text) message.setAttribute('aria-label', text);
  };
  const fix = () => document.querySelectorAll('#chat [aria-label]').forEach(plain);
  new MutationObserver(fix).observe(document.body, {subtree: true, childList: true, characterData: true,
                                                    attributes: true, attributeFilter: ['aria-label']});
  fix();
}
"""

CSS = """
.sources .source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin-bottom: 10px; }
.sources .src-title { font-size: 1.08em; }  /* regular weight: the bundled semibold face lacks some capitals */
.sources .src-marker { font-weight: bold; color: var(--color-accent); }
.sources .src-meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 2px 0 6px; }
.sources .src-passage { white-space: pre-wrap; margin: 0; font-size: 0.92em; }
.sources .src-for { font-size: 0.9em; color: var(--body-text-color-subdued); margin-bottom: 8px; }
.sources mark { background: #fde68a; color: #111; padding: 0 1px; }
.sources mark .short-answer { background: #f59e0b; font-weight: bold; }  /* the short answer inside its sentence */
.sources.empty, .sources .empty { color: var(--body-text-color-subdued); }
.sources .source.picked { outline: 2px solid var(--color-accent); }
.sources .src-link { word-break: break-all; }
#chat a.cite { text-decoration: none; font-weight: 600; color: var(--color-accent); cursor: pointer; }
.sources-head { display: flex; align-items: center; justify-content: space-between; }
.sources-head h3 { margin: 0; }
#sources-toggle, #sources-close { display: none; }
/* A phone: the sources are a drawer over the chat, one tap away (the Sources button, or a
   marker in an answer), instead of a column far below it. */
@media (max-width: 720px) {
  /* nowrap: Gradio's columns wrap, and a fixed-height drawer would wrap tall sources into a second, off-screen column */
  #sources-col { position: fixed; inset: 0 0 0 auto; flex-wrap: nowrap !important; width: min(100vw, 480px); z-index: 1000; overflow-y: auto;
                 background: var(--background-fill-primary); padding: 12px; box-shadow: -4px 0 16px rgb(0 0 0 / 0.25);
                 transform: translateX(105%); transition: transform 0.2s; }
  #sources-col.open { transform: none; }
  #sources-toggle, #sources-close { display: inline-block; }  /* in the row under the chat: a floating one covered the examples */
  #sources-toggle, #sources-close { padding: 8px 14px; border-radius: 999px; border: 1px solid var(--border-color-primary);
                                    background: var(--button-secondary-background-fill); font-weight: 600; }
}
#try-label, #try-label * { white-space: nowrap; overflow-wrap: normal; word-break: keep-all; }
#try-label { min-width: max-content !important; flex: none !important; overflow: visible !important; }  /* Gradio's min_width is 0 with scale=0 */
/* a list that opens upwards (no room below) sits above the filter's label rather than over it */
#doc-filter .options[style*="bottom:"] { margin-bottom: 32px; }
#question-count { font-size: 0.85em; color: var(--body-text-color-subdued); text-align: right; margin-top: -6px; }
#question-count.over { color: var(--error-text-color, #b91c1c); font-weight: 600; }
.error { color: var(--error-text-color, #b91c1c); }
.note { color: var(--body-text-color-subdued); font-size: 0.9em; }
table.stats th { text-align: left; padding-right: 1em; font-weight: 600; }
"""


def build_app(assistant) -> gr.Blocks:
    """The page for one Assistant. Every browser session gets its own Conversation."""
    h = Handlers(assistant)
    settings = assistant.settings
    with gr.Blocks(title="News assistant", analytics_enabled=False) as app:
        # a Conversation, made on the session's first question, and every Answer of it
        page = SimpleNamespace(conversation=gr.State(None), answers=gr.State([]))
        gr.Markdown("# News assistant\nAsk about the indexed news articles; every answer cites its passages.")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                page.chat, page.question, page.send, page.reset, page.examples = _chat_column()
            with gr.Column(scale=2, elem_id="sources-col"):
                gr.HTML(
                    '<div class="sources-head"><h3>Sources</h3>'
                    '<button id="sources-close" type="button">Close</button></div>',
                    js_on_load=None,
                )
                page.sources = gr.HTML(render.sources_panel([]), elem_id="sources", js_on_load=SOURCES_JS)
        with gr.Accordion("Answer settings", open=False):
            page.backend, page.k, page.docs = _settings_row(settings, assistant.backends(), document_choices(assistant))
        with gr.Accordion("Articles", open=False):
            page.files, page.summary, page.stats, page.reindex = _corpus_panel(settings)
        _wire_chat(h, page)
        _wire_api(h, page)
        _wire_corpus(h, page)
        app.load(h.refresh, None, [page.stats, page.docs], api_visibility="private")
    # Queue positions are sent to waiting clients once a second. Gradio's default sends them
    # to every waiting client whenever any answer starts: with 32 waiting, ~30 messages per
    # answer, encoded here and parsed by each client on the same cores.
    app.queue(status_update_rate=1.0)
    return app


def _wire_chat(h: Handlers, p: SimpleNamespace) -> None:
    state = [p.chat, p.conversation, p.answers, p.backend, p.k, p.docs]
    outputs = [p.chat, p.sources, p.conversation, p.question, p.answers]
    options = {"concurrency_limit": CHAT_CONCURRENCY, "concurrency_id": "chat", "api_visibility": "private"}
    for trigger in (p.question.submit, p.send.click):
        trigger(h.respond, [p.question, *state], outputs, **options)
    # counts in the browser, also when the box is emptied after a question is sent
    p.question.change(None, [p.question], None, js=COUNT_JS, queue=False, api_visibility="private")
    for button in p.examples:  # the button's value is its label: the example question
        button.click(h.ask_example, [button, *state], outputs, **options)
    for trigger in (p.reset.click, p.chat.clear):  # the chat's own bin icon forgets the history too
        trigger(h.new_conversation, [p.conversation], outputs, api_visibility="private")


def _wire_api(h: Handlers, p: SimpleNamespace) -> None:
    """``/chat`` for gradio_client: same options and per-session memory as the page, JSON out."""
    message = gr.Textbox(visible=False, label="message")
    answer = gr.JSON(visible=False, label="answer")
    gr.Button(visible=False).click(
        h.chat_api,
        [message, p.backend, p.k, p.docs, p.conversation],
        [answer, p.conversation],
        api_name="chat",
        api_description="One question in this client's conversation (follow-ups work); returns the answer "
        "with [n] markers and the cited passages.",
        concurrency_limit=CHAT_CONCURRENCY,
        concurrency_id="chat",
    )


def _wire_corpus(h: Handlers, p: SimpleNamespace) -> None:
    # one indexing job at a time: a second writer would meet the index lock
    options = {"concurrency_limit": 1, "concurrency_id": "index", "api_visibility": "private"}
    # the progress bar once, in the summary, rather than over every output (the stats table too)
    p.files.upload(h.upload, [p.files], [p.summary, p.files, p.stats, p.docs], show_progress_on=p.summary, **options)
    p.reindex.click(h.reindex, None, [p.summary, p.stats, p.docs], show_progress_on=p.summary, **options)


def _chat_column():
    chat = gr.Chatbot(
        label="Conversation",
        show_label=False,  # Gradio floats it over the top message once the chat scrolls
        height=460,
        render_markdown=False,  # answers quote articles: show their text, never interpret it
        sanitize_html=True,
        allow_tags=False,
        latex_delimiters=[],
        feedback_options=None,
        group_consecutive_messages=False,
        buttons=["copy"],
        elem_id="chat",
    )
    with gr.Row():
        question = gr.Textbox(
            placeholder="Ask a question about the articles",
            show_label=False,
            scale=5,
            elem_id="question",
            submit_btn=False,
            max_lines=4,
        )
        send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
    gr.HTML(
        f'<div id="question-count" aria-live="polite">0 / {MAX_QUESTION_CHARS:,} characters</div>', js_on_load=LABELS_JS
    )
    with gr.Row():
        reset = gr.Button("New conversation", size="sm", elem_id="new-conversation", scale=0, min_width=160)
        gr.HTML('<button id="sources-toggle" type="button">Sources</button>', js_on_load=None)
    with gr.Row(elem_id="examples"):
        gr.Markdown("Try:", scale=0, min_width=48, elem_id="try-label")
        examples = [gr.Button(q, size="sm", variant="secondary", elem_classes="example") for q in EXAMPLES]
    return chat, question, send, reset, examples


def _settings_row(settings, backends: list[str], doc_ids: list[tuple[str, str]]):
    with gr.Row():
        backend = gr.Dropdown(backends, value=settings.backend, label="Backend")
        k = gr.Slider(1, max(20, settings.top_k), value=settings.top_k, step=1, label="Passages to retrieve")
        docs = gr.Dropdown(
            doc_ids,
            value=[],
            multiselect=True,
            allow_custom_value=True,
            label="Only these documents (empty: all)",
            elem_id="doc-filter",
        )
    return backend, k, docs


def _corpus_panel(settings):
    with gr.Row():
        with gr.Column():
            files = gr.File(
                label=f"Add articles (.txt, .md, .html, .pdf; at most {settings.upload_max_mb:g} MB each)",
                file_count="multiple",
                elem_id="upload",
            )
            summary = gr.HTML('<div class="sync-summary"></div>', elem_id="sync-summary", js_on_load=None)
        with gr.Column():
            stats = gr.HTML(elem_id="stats", js_on_load=None)
            reindex = gr.Button("Re-index corpus", elem_id="reindex")
    return files, summary, stats, reindex
