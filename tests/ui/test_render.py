"""Everything the page shows from an article or a user is inert text."""

from __future__ import annotations

from assistant.core.answer import Answer, Citation
from ui import render

PAYLOAD = '<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> [click](javascript:alert(1))'


def citation(text: str, quote: str, start: int = 100, title: str = "A <b>bold</b> title") -> Citation:
    at = text.find(quote)
    return Citation(
        n=1,
        doc_id="uploads/x.md",
        title=title,
        date=None,
        source="<i>src</i>",
        text=text,
        start=start,
        end=start + len(text),
        score=0.5,
        quote=quote,
        quote_start=start + at,
        quote_end=start + at + len(quote),
    )


def test_citation_escapes_everything_and_marks_the_quote():
    c = citation(f"Before. {PAYLOAD} Fact here. After.", "Fact here.")
    html = render.sources_html(Answer(text="Fact here. [1]", citations=[c]))

    assert "<script" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in html
    assert "<mark>Fact here.</mark>" in html and "A &lt;b&gt;bold&lt;/b&gt; title" in html


def test_quote_found_by_text_when_offsets_disagree():
    c = citation("One. Two <x>. Three.", "Two <x>.")
    c = Citation(**{**c.__dict__, "quote_start": 0})
    assert "<mark>Two &lt;x&gt;.</mark>" in render.highlighted_passage(c)


def test_answer_and_notes_are_escaped():
    answer = Answer(text=f"{PAYLOAD} [1]", notes=["openai backend: <down>"])
    html = render.answer_html(answer)
    assert "<script" not in html and "<img" not in html and "&lt;down&gt;" in html


def test_refusal_explains_the_empty_panel():
    assert "refused" in render.sources_html(Answer(text="no", refused=True))


def test_sources_show_the_declared_source_never_a_local_path():
    from assistant.core.answer import Citation
    from index import Passage

    def shown(source: str) -> str:
        passage = Passage("c", "uploads/x.md", "T", None, source, "Text.", 0, 5, 0, 0.5)
        return render.citation_html(Citation.of(1, passage, "Text.", 0))

    assert "/srv/data/uploads/x.md" not in shown("/srv/data/uploads/x.md")  # no declared source: the id only
    link = shown("https://example.org/a?b=1&c=2")
    assert '<a class="src-link" href="https://example.org/a?b=1&amp;c=2" target="_blank"' in link
    assert "<a" not in shown("javascript:alert(1)") and "shared/seeds/000.txt" in shown("shared/seeds/000.txt")


def test_markers_of_cited_passages_link_to_their_cards():
    c = citation("One. Fact here. Two.", "Fact here.")
    html = render.answer_html(Answer(text="Fact here. [1] Not a citation [7].", citations=[c]), turn=3)
    assert '<a class="cite" href="#src-3-1"' in html and "[7]" in html and "#src-3-7" not in html
    panel = render.sources_panel([Answer(text="a", question="A?"), Answer(text="b [1]", citations=[c], question="B?")])
    assert 'id="src-1-1"' in panel and panel.count("<section") == 2 and panel.count(" hidden") == 1


def test_a_card_says_a_date_only_when_the_article_has_one():
    undated = citation("The fund was announced.", "The fund was announced.")
    dated = Citation(**{**undated.__dict__, "date": "2025-03-14"})
    assert "undated" not in render.citation_html(undated)
    assert "2025-03-14" in render.citation_html(dated)
