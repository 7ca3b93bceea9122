"""The real page of `assistant serve` in headless Chromium: streamed answers with their
sources, uploads, and articles whose HTML or Markdown must stay inert text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import ROOT, skip_or_fail

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The README's screenshot is regenerated on purpose only:
#   SCREENSHOT_TO=docs/screenshot.png python3 dev.py test tests/ui/test_browser.py -k streamed
SCREENSHOT_TO = os.environ.get("SCREENSHOT_TO")
BOT = '#chat [data-testid="bot"]'
# Records every text the latest bot message shows, to see the answer arrive in steps.
WATCH_STREAM = """() => {
  window.__seen = [];
  new MutationObserver(() => {
    const bots = document.querySelectorAll('#chat [data-testid="bot"]');
    const text = bots.length ? bots[bots.length - 1].innerText.trim() : null;
    if (text !== null && window.__seen[window.__seen.length - 1] !== text) window.__seen.push(text);
  }).observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true});
}"""

INJECTION = """# Glimmerfen <b>Treaty</b> report

The Glimmerfen Treaty was ratified by fourteen nations in 2029.
<script>window.__pwned=1</script>
<img src=x onerror="window.__pwned=2">
Read [click](javascript:alert(1)) and see ![x](http://127.0.0.1:1/x.png) for details.
"""


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser session on the page; requests leaving 127.0.0.1:<port> are blocked and listed."""
    url, _ = server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.outside = []

    def only_local(route):
        if route.request.url.startswith(url):
            return route.continue_()
        page.outside.append(route.request.url)
        return route.abort()

    page.route("**/*", only_local)
    page.goto(url)
    page.wait_for_selector("#question textarea")
    yield page
    context.close()


def ask(page, question: str, expect: str | None = None) -> str:
    """Ask, wait until the answer is complete, and return its text.

    Complete means the sources panel shows this question (it is sent with the final
    answer); with ``expect``, waits for that text in the answer instead (for errors,
    which leave the panel empty). Content is asserted by the caller, so a wrong
    answer fails with the answer in the message rather than as a timeout."""
    before = page.locator(BOT).count()
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        """([sel, n, question, expect]) => {
             const bots = document.querySelectorAll(sel);
             if (bots.length <= n) return false;
             if (expect !== null) return bots[bots.length - 1].innerText.includes(expect);
             return document.querySelector('#sources .turn.current .src-for')?.innerText.includes(question);
           }""",
        arg=[BOT, before, question, expect],
    )
    return page.locator(BOT).last.inner_text()


def upload(page, *files: Path) -> str:
    if not page.locator("#upload input[type=file]").count():
        page.get_by_text("Articles", exact=True).click()
    page.set_input_files("#upload input[type=file]", [str(f) for f in files])
    page.wait_for_function("() => document.querySelector('#sync-summary').innerText.includes('Added')")
    return page.inner_text("#sync-summary")


def test_streamed_answer_with_sources_follow_up_and_reset(page, tmp_path):
    page.evaluate(WATCH_STREAM)
    answer = ask(page, "How much did USAID commit to AI capacity in Cambodia, Laos and Myanmar?")

    assert "$50 million" in answer and "[1]" in answer, answer
    seen = [text for text in page.evaluate("window.__seen") if text]
    assert seen[0] == "…" and seen[-1] == answer.strip(), seen  # a placeholder first, then the streamed text
    sources = page.inner_text("#sources")
    assert "Building an Open yet Secure AI Ecosystem" in sources and "relevance" in sources
    assert "$50 million" in page.inner_text("#sources mark")
    # the short answer leads the answer in bold and is highlighted inside its quoted sentence
    assert page.locator(f"{BOT} strong.short-answer").last.inner_text().startswith("$50 million"), answer
    assert page.inner_text("#sources mark .short-answer") == "$50 million"
    page.screenshot(path=str(ROOT / SCREENSHOT_TO if SCREENSHOT_TO else tmp_path / "screenshot.png"))

    page.click("#new-conversation")
    page.wait_for_function(f"() => document.querySelectorAll('{BOT}').length === 0")
    answer = ask(page, "What does ILMU stand for?")
    assert "Intelek Luhur" in answer and "[1]" in answer, answer
    # the follow-up is answered from the same article (which sentence of it may vary)
    answer = ask(page, "Why is it considered important?")
    sources = page.inner_text("#sources")
    assert "[1]" in answer and "Japan and ASEAN" in sources, (answer, sources)
    assert page.locator(BOT).count() == 2

    page.fill("#question textarea", "   ")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    assert page.locator(BOT).count() == 2  # a blank question adds nothing
    assert not page.outside, page.outside


def test_uploaded_article_is_indexed_and_answered(page, tmp_path):
    article = tmp_path / "zorblax.md"
    article.write_text(
        "---\nsource: https://example.org/news/zorblax\n---\n# Zorblax Accord\n\n"
        "The Zorblax Accord was signed in Reykjavik in 2031.\n"
    )
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"PK\x03\x04 not an article")

    summary = upload(page, article, bad)

    assert "Added 1" in summary
    assert "Skipped notes.docx: unsupported file type '.docx'" in summary
    assert "Documents\t3" in page.inner_text("#stats")
    answer = ask(page, "Where was the Zorblax Accord signed?")
    assert "Reykjavik" in answer and "[1]" in answer and "uploads/zorblax.md" in page.inner_text("#sources")
    # the article's own source is a link that opens apart from the page
    link = page.locator('#sources .turn.current a.src-link[href="https://example.org/news/zorblax"]')
    assert link.count() == 1 and link.get_attribute("target") == "_blank"

    page.click("#reindex")  # everything indexed is on disk and unchanged, uploads included
    page.wait_for_function("() => document.querySelector('#sync-summary').innerText.includes('unchanged 3')")


def test_article_html_and_markdown_stay_inert(page, server, tmp_path):
    article = tmp_path / "glimmerfen.md"
    article.write_text(INJECTION)
    assert "Added 1" in upload(page, article)

    answer = ask(page, "How many nations ratified the Glimmerfen Treaty?")
    assert "fourteen nations" in answer, answer

    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("[...document.scripts].filter(s => s.textContent.includes('__pwned')).length") == 0
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator('img[src*="127.0.0.1:1"]').count() == 0
    assert page.locator('a[href^="javascript"]').count() == 0
    assert page.locator("#sources b, #chat b").count() == 0
    sources = page.inner_text("#sources")
    assert "<script>window.__pwned=1</script>" in sources
    assert '<img src=x onerror="window.__pwned=2">' in sources
    assert "[click](javascript:alert(1))" in sources and "![x](http://127.0.0.1:1/x.png)" in sources
    assert "Glimmerfen <b>Treaty</b> report" in sources
    # an article that declares no source: its id is shown, never the server's path to the file
    assert "uploads/glimmerfen.md" in sources and str(server[1]) not in page.inner_html("#sources")
    assert page.get_by_text("<script>window.__pwned=1</script>").first.is_visible()
    assert not page.outside, page.outside


def test_each_answer_keeps_its_sources_and_markers_show_them(page):
    ask(page, "What does ILMU stand for?")
    ask(page, "How much did USAID commit to AI capacity in Cambodia, Laos and Myanmar?")
    assert not page.locator("#sources-toggle").is_visible()  # side by side on a desktop: no drawer

    page.locator(f"{BOT} a.cite").first.click()  # [1] of the older answer
    card = page.locator("#sources .source.picked")
    assert "What does ILMU stand for?" in page.inner_text("#sources")
    assert card.is_visible() and "Intelek Luhur" in card.locator("mark").inner_text()

    page.locator(f"{BOT} a.cite").last.click()  # and back to the latest
    assert "How much did USAID commit" in page.inner_text("#sources")
    assert "$50 million" in page.locator("#sources .source.picked mark").inner_text()


def test_examples_are_answered_as_they_stand(page):
    """Each offered example, clicked in turn, is asked alone: none is refused as a
    follow-up of nothing or of the example before it."""
    examples = page.locator("#examples button")
    assert examples.count() >= 3
    for i in range(examples.count()):
        question = examples.nth(i).inner_text().strip()
        examples.nth(i).click()
        page.wait_for_function(
            "q => document.querySelector('#sources .turn.current .src-for')?.innerText.includes(q)", arg=question
        )
        answer = page.locator(BOT).last.inner_text()
        assert "[1]" in answer and "don't cover" not in answer, (question, answer)


def in_view(page, selector: str) -> bool:
    box, width = page.locator(selector).bounding_box(), page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1


def test_sources_are_one_tap_away_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(server[0])
        page.wait_for_selector("#question textarea")
        ask(page, "What does ILMU stand for?")
        card = "#sources .turn.current .source[data-n='1']"  # the passage the answer leads with
        assert not in_view(page, card)  # the drawer is closed: the chat has the screen

        page.locator("#sources-toggle").tap()  # one tap: the drawer
        page.wait_for_function("() => document.querySelector('#sources-col').getBoundingClientRect().x < 10")
        assert in_view(page, card) and "Intelek Luhur" in page.locator(f"{card} mark").inner_text()
        page.locator("#sources-close").tap()
        page.wait_for_function("() => document.querySelector('#sources-col').getBoundingClientRect().x >= 390")

        page.locator(f"{BOT} a.cite").first.tap()  # or one tap on a marker: its passage
        page.wait_for_function("() => document.querySelector('#sources-col').getBoundingClientRect().x < 10")
        assert in_view(page, "#sources .source.picked")
    finally:
        context.close()


# -- the first hour on the page: layout, mistakes, screen readers -----------------------------
OVERLAPS = """([a, others]) => {
  const box = e => e.getBoundingClientRect();
  const hit = (p, q) => p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom;
  const one = box(document.querySelector(a));
  return [...document.querySelectorAll(others)].filter(e => hit(one, box(e))).map(e => e.innerText);
}"""
# how many lines a label's text takes (a label wrapped inside its one word takes two)
LINES = """sel => { const range = document.createRange(); range.selectNodeContents(document.querySelector(sel));
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }"""


# how many pixels of a label's text its box cuts off (Gradio's blocks hide what overflows)
CLIPPED = """sel => { const text = document.querySelector(sel); const range = document.createRange();
  range.selectNodeContents(text); const block = text.closest('.block').getBoundingClientRect();
  return Math.max(0, Math.round(range.getBoundingClientRect().right - block.right)); }"""


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_nothing_overlaps_and_try_stays_one_word(browser, server, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 500)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(server[0])
        page.wait_for_selector("#question textarea")
        # Gradio mounts its blocks one by one: the textarea can be there before the toggle is.
        page.wait_for_selector("#sources-toggle", state="attached")
        page.wait_for_selector("#examples button")
        assert page.evaluate(LINES, "#examples .prose p") == 1  # "Try:"
        assert page.evaluate(CLIPPED, "#examples .prose p") == 0
        assert page.evaluate(OVERLAPS, ["#sources-toggle", "#examples button, #question textarea, #ask"]) == []
    finally:
        context.close()


def test_blank_and_overlong_questions_add_nothing_and_a_counter_shows_the_limit(page):
    for question in ("", "   "):
        page.fill("#question textarea", question)
        page.keyboard.press("Enter")
        page.click("#ask")
    page.fill("#question textarea", "Why? " * 420)
    page.wait_for_function("() => document.querySelector('#question-count').innerText.includes('2,000')")
    assert page.locator("#question-count.over").count() == 1 and "2,099" in page.inner_text("#question-count")
    page.click("#ask")
    page.wait_for_timeout(1500)  # nothing is sent, so nothing arrives to wait for
    assert page.locator('#chat [data-testid="user"], #chat [data-testid="bot"]').count() == 0
    page.fill("#question textarea", "What does ILMU stand for?")
    page.wait_for_function("() => !document.querySelector('#question-count.over')")


def test_answer_labels_are_plain_text_and_no_label_covers_a_message(page):
    for question in ("How do I bake sourdough bread?", "Who won the 1998 world cup?", "What is the capital of Peru?"):
        ask(page, question)  # refusals: they have an apostrophe and a note, which labels used to show as markup
    labels = page.evaluate(
        "() => [...document.querySelectorAll('#chat [aria-label*=\"message: \"]')].map(e => e.getAttribute('aria-label'))"
    )
    assert len(labels) == 6
    for label in labels:
        assert "<" not in label and "&amp;" not in label and "&#" not in label, label
    assert any("don't" in label for label in labels)
    page.evaluate("() => { const s = document.querySelector('#chat .bubble-wrap'); s.scrollTop = s.scrollHeight / 3; }")
    covered = page.evaluate(
        """() => { const box = e => e.getBoundingClientRect();
             const hit = (p, q) => p.width && q.width && p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom;
             const labels = [...document.querySelectorAll('#chat [data-testid="block-label"]')].map(box);
             return [...document.querySelectorAll('#chat [data-testid="user"], #chat [data-testid="bot"]')]
               .filter(m => labels.some(l => hit(l, box(m)))).length; }"""
    )
    assert covered == 0


def test_the_upload_progress_is_drawn_once(page, tmp_path):
    article = tmp_path / "harbour.txt"  # long enough to be indexing for a few seconds
    paragraph = "The harbour board met on Monday to discuss ferry berths, fishing quotas and the winter storms. "
    article.write_text("Harbour board report\n\n" + "\n\n".join(paragraph * 12 for _ in range(50)))
    page.get_by_text("Articles", exact=True).click()
    page.set_input_files("#upload input[type=file]", [str(article)])
    drawn = []
    while "Added" not in page.inner_text("#sync-summary"):
        drawn.append(
            page.evaluate(
                "() => [...document.querySelectorAll('.progress-text')].filter(e => e.getBoundingClientRect().width).length"
            )
        )
        page.wait_for_timeout(100)
    assert max(drawn) == 1, drawn


def test_the_document_filter_lists_titles_below_or_above_its_label_not_over_it(page):
    page.get_by_text("Answer settings", exact=True).click()
    page.locator("#doc-filter input").click()
    page.wait_for_selector("#doc-filter ul[role=listbox] li")
    options = page.locator("#doc-filter ul[role=listbox] li").all_inner_texts()
    assert any("Japan" in o for o in options) and not any("articles/" in o for o in options)
    assert page.evaluate(OVERLAPS, ["#doc-filter ul[role=listbox]", "#doc-filter [data-testid=block-info]"]) == []
