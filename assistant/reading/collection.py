"""Questions about the collection itself, answered from each article's metadata (title,
date) rather than from its text: "How many articles are there?", "What articles do you
have?", "What is the latest article?", "When was the article about X published?".

A newcomer's first questions are often these; the articles' sentences do not answer them
(no sentence says how many articles were indexed), so retrieval and the reader would
refuse. Each article named is cited by its first sentence.
"""

from __future__ import annotations

from collections.abc import Generator

from assistant.core.answer import Answer, Citation, Refusal
from assistant.core.pipeline import Found, run_steps
from assistant.core.question import Question
from assistant.reading.evidence import Evidence, sentences_of
from assistant.reading.shaped import _prose
from assistant.reading.steps import article_passages, articles_of
from index import Passage
from index.lexical import terms
from index.mirror import LiveMirror

# how many articles a list of titles shows before "and N more"
TITLES_SHOWN = 10


class Dated:
    """"When was the article about X published?": the article ``article`` finds (a step:
    :class:`~assistant.reading.shaped.WholeArticle`), when it has a date; an undated one may
    say in its text when it came out (or the question means an article it reports on), so
    its question is then read by the ``otherwise`` steps, a lookup's."""

    def __init__(self, article, otherwise: list) -> None:
        self.article, self.otherwise = article, otherwise

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        outcome = self.article(question, found)
        if isinstance(outcome, Found) and outcome.passages and outcome.passages[0].date:
            return outcome
        return run_steps(self.otherwise, question, found)


class CollectionAnswerer:
    """The count, the titles (newest first), the newest or oldest article, or one article's
    date, as the question's :class:`~assistant.core.question.Shape` scope says; a question
    about an undated article's date that :class:`Dated` had read goes to ``lookup``."""

    name = "extractive"

    def __init__(self, mirror: LiveMirror, lookup=None) -> None:
        self.mirror, self.lookup = mirror, lookup

    def answer(self, question: Question, found: Found, backend: str | None = None) -> Generator[str, None, Answer]:
        articles = self._articles(question)
        aspect = question.shape.scope
        if aspect == "date" and found.evidence and self.lookup is not None:  # read as a lookup (Dated)
            return (yield from self.lookup.answer(question, found, backend))
        if aspect == "date":  # the article it means: WholeArticle narrowed the passages found to it
            shown = articles_of(list(found.passages))[:1] or articles[:1]
            lead = shown[0]
            head = f"“{lead.title}” is dated {lead.date} " if lead.date else f"“{lead.title}” gives no date "
            text, citations = self._listed(head, shown, titled=False)
        elif aspect in ("newest", "oldest"):
            dated = [p for p in articles if p.date]
            shown = dated[:1] if aspect == "newest" else dated[-1:]
            of_all = f"{len(articles)} article" + ("" if len(articles) == 1 else "s")
            if shown:
                text, citations = self._listed(f"The {aspect} of the {of_all}: ", shown)
            else:
                text, citations = f"None of the {of_all} gives a date.", []
        elif topic_of(question):  # "Which articles are there about Yukos?": those found, best first
            shown = articles_of(list(found.passages))[:TITLES_SHOWN]
            text, citations = self._listed("The articles found, closest first: ", shown)
        else:  # "count", "titles"
            shown = articles[:TITLES_SHOWN]
            more = len(articles) - len(shown)
            head = f"{_count(len(articles))} indexed" + (", newest first: " if len(articles) > 1 else ": ")
            text, citations = self._listed(head, shown, more=more)
        yield text
        return Answer(text=text, citations=citations, backend=backend or self.name, notes=list(question.notes))

    def _articles(self, question: Question) -> list[Passage]:
        """Each article within the question's filters once (its first chunk), newest first;
        undated articles last."""
        firsts = articles_of([p for p in self.mirror.passages if question.filters.accepts(p)])
        dated = sorted((p for p in firsts if p.date), key=lambda p: p.date, reverse=True)
        return dated + [p for p in firsts if not p.date]

    def _listed(self, head: str, articles: list[Passage], titled: bool = True, more: int = 0
                ) -> tuple[str, list[Citation]]:
        """ "head “Title” (date) [1], “Title” [2] and “Title” [3].", each article cited by its
        first sentence; "..., and N more." when there are more than shown."""
        citations, parts = [], []
        for n, passage in enumerate(articles, start=1):
            first = _first_sentence(self.mirror, passage.doc_id)
            citations.append(Citation.of(n, first.passage, first.text, first.doc_start) if first else Citation.of(n, passage))
            date = f" ({passage.date})" if passage.date else ""
            parts.append(f"“{passage.title}”{date} [{n}]" if titled else f"[{n}]")
        if more:
            listed = ", ".join(parts) + f" and {more} more"
        else:
            listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)
        return f"{head}{listed}.", citations


# Words that ask about the collection, not about a topic in it ("What articles do you have
# on Yukos?" has the topic "Yukos"): a closed class, as terms gives them
_OF_THE_COLLECTION = frozenset(terms("how many articles documents stories files news items there indexed index have "
                                     "got ask list show collection file latest newest recent last oldest earliest "
                                     "first date dated published written released posted"))


def topic_of(question: Question) -> set[str]:
    """The words of a question about the collection that name a topic in it."""
    return set(question.terms) - _OF_THE_COLLECTION


class CollectionTopic:
    """A question about the collection that names a topic ("Which articles are there about
    Yukos?") goes through ``steps`` (a relevance floor, a check that its names are
    mentioned); one that names none is about every article."""

    def __init__(self, steps) -> None:
        self.steps = steps

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        return run_steps(self.steps, question, found) if topic_of(question) else found


def _count(n: int) -> str:
    return f"{n} article is" if n == 1 else f"{n} articles are"


def _first_sentence(mirror: LiveMirror, doc_id: str) -> Evidence | None:
    """The article's first sentence of prose (not its title or a heading)."""
    prose = _prose(sentences_of(article_passages(mirror, doc_id)[:1]))
    return prose[0] if prose else None
