"""A question that names something (a person, a place, a company) that no article of
the retrieved passages mentions anywhere is refused before the reader reads: answering
"What is South Korea's AI budget?" with Japan's AI plan would mislead. The whole article
counts, not only the chunk; "USAID" counts as mentioned where the article spells out
"U.S. Agency for International Development". A question some of whose names are
mentioned is then read only in the articles that mention its rarest one
(:class:`NamingArticles`)."""

from __future__ import annotations

from assistant.core.answer import Refusal
from assistant.core.pipeline import Found
from assistant.core.question import Question
from index.lexical import terms
from index.mirror import LiveMirror

_CONNECTORS = {"for", "of", "and", "the", "&", "on", "in"}


class Unmentioned:
    """Refuse a question naming what the retrieved articles never mention."""

    def __init__(self, mirror: LiveMirror) -> None:
        self.mirror = mirror

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        names = names_in(question, self.mirror)
        if not names:
            return found
        present: set[str] = set()
        for doc_id in dict.fromkeys(p.doc_id for p in found.passages):
            present |= self.mirror.article_terms(doc_id)
        missing = {t for t in names if not mentioned(t, present)}
        if missing:  # "USAID" may be spelled out: "U.S. Agency for International Development"
            missing -= spelled_out_acronyms(" ".join(p.text for p in found.passages))
        if not missing:
            return found
        words = [w.strip("?.,;:!\"'()“”’").removesuffix("'s").removesuffix("’s") for w in question.text.split()
                 if set(terms(w)) & missing]
        named = ", ".join(dict.fromkeys(words))
        return Refusal("unmentioned", f"the articles found never mention {named}", f"they never mention {named}")


def names_in(question: Question, mirror: LiveMirror) -> set[str]:
    """What a question names: its capitalised words; in a question typed all in lower case,
    the words the collection writes as (part of) a name, or does not know at all."""
    if any(c.isupper() for c in question.text):
        return set(question.names)
    return {t for t in question.terms if not t.isdigit() and mirror.is_name(t)}


class NamingArticles:
    """Read only the articles that mention the rarest name the question uses (by idf, among
    the names some retrieved article mentions): "When will Emiew go on sale in Europe?" is
    about Emiew, and a sentence about the PSP going on sale in Europe is no answer to it,
    however like one it reads. The reader sees a sentence with its article's title, not the
    rest of the article, so it cannot tell by itself. The rarest name rather than all of
    them: a question's "former Tory leader William Hague" is answered by an article that
    writes "Conservative". A follow-up that names nothing new keeps what
    :class:`~assistant.reading.steps.FollowUpTopic` chose.

    Measured with ``bench/quality.py --without NamingArticles`` on bbc-dev (answers / false
    refusals / unanswerable refused): 0.914 / 0.009 / 0.261 without, 0.922 / 0.009 / 0.304
    with; requiring every name (idf-weighted) instead: 0.914 / 0.017 / 0.304."""

    def __init__(self, mirror: LiveMirror) -> None:
        self.mirror = mirror

    def __call__(self, question: Question, found: Found) -> Found:
        names = names_in(question, self.mirror)
        if not names or (question.follow_up and not names - set(question.context_terms)):
            return found
        named: dict[str, set[str]] = {}  # article -> the question's names it mentions
        for doc_id in dict.fromkeys(p.doc_id for p in found.passages):
            present = self.mirror.article_terms(doc_id)
            missing = {t for t in names if not mentioned(t, present)}
            if missing:  # "USAID" may be spelled out: "U.S. Agency for International Development"
                missing -= spelled_out_acronyms(" ".join(p.text for p in found.passages if p.doc_id == doc_id))
            named[doc_id] = names - missing
        idf = self.mirror.bm25().idf
        rarest = max((idf(t) for mentions in named.values() for t in mentions), default=None)
        if rarest is None:
            return found
        # names as rare as each other (each in one article) are each the subject
        return found.narrowed([p for p in found.passages if any(idf(t) >= rarest - 1e-9 for t in named[p.doc_id])])


def spelled_out_acronyms(text: str) -> set[str]:
    """Acronyms of the capitalised names in ``text``, lower-cased: "U.S. Agency for
    International Development" gives "usaid" (and "aid", "usa", ...), connectors skipped."""
    found: set[str] = set()
    for run in _capitalised_runs(text):
        initials = "".join(initial for initial, _ in run)
        found.update(initials[i:j] for i in range(len(initials)) for j in range(i + 2, min(len(initials), i + 8) + 1))
    return found


def spelled_out(acronym: str, text: str) -> str | None:
    """The name in ``text`` whose initials are ``acronym`` ("USAID" -> "U.S. Agency for
    International Development"), or None."""
    wanted = acronym.lower()
    for run in _capitalised_runs(text):
        initials = [initial for initial, _ in run]
        for start in range(len(run)):
            spelled = ""
            for end in range(start, len(run)):
                spelled += initials[end]
                if spelled == wanted:
                    words = [run[start][1][-1]] + [word for _, before_and_word in run[start + 1:end + 1] for word in before_and_word]
                    return " ".join(words).strip(",;:()“”\"'’.")
                if not wanted.startswith(spelled):
                    break
    return None


def _capitalised_runs(text: str) -> list[list[tuple[str, list[str]]]]:
    """Runs of capitalised words, each word as (its initials, [the connectors before it,
    the word]): "U.S. Agency for International Development" is one run, initials "us",
    "a", "i", "d"; a word ending a sentence still counts ("Development.")."""
    runs: list[list[tuple[str, list[str]]]] = []
    run: list[tuple[str, list[str]]] = []
    connectors: list[str] = []
    for word in text.split() + [""]:
        bare = word.strip(",;:()“”\"'’")
        if bare.lower() in _CONNECTORS and run:
            connectors.append(word)
            continue
        if bare[:1].isupper():
            # "U.S." gives "us"
            initials = "".join(part[0] for part in bare.split(".") if part).lower() if "." in bare[:-1] else bare[0].lower()
            run.append((initials, connectors + [word]))
            connectors = []
            continue
        if run:
            runs.append(run)
        run, connectors = [], []
    return runs


def mentioned(term: str, present: set[str]) -> bool:
    """``term`` (from the question) appears among the articles' ``present`` terms,
    allowing for "Japanese" ~ "Japan" (same first five letters) and "US-China" ~
    "U.S." and "China" (each part)."""
    if term in present:
        return True
    if len(term) >= 5 and any(word.startswith(term[:5]) for word in present if len(word) >= 5):
        return True
    parts = [part for part in term.split("-") if part]
    return len(parts) > 1 and all(mentioned(part, present) for part in parts)
