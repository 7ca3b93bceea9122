"""The reader: the reading steps that use the trained model (:mod:`assistant.reading.model`).

1. :class:`ReadSentences`: the passages' answer-like sentences are shortlisted by the
   cosine of their stored vectors to the question (no model call: the vectors were
   pooled at index time) and by the share of the question's terms they hold, then the
   reader reads each shortlisted sentence with the question: P(it answers) and the short
   answer inside it. Sentences are ranked by that probability.
2. :class:`HoldsTheKind`: for "When ...?" / "How many ...?", only the sentences holding a
   time or a number stay.
3. :class:`NoAnswer`: refuses when the best probability is under the reader's threshold.

Which short answer is shown in bold is decided by :func:`shown_span`: only a confident span
of the kind the question asks for (a date for "when", a number for "how many").
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from assistant import calibration
from assistant.core.answer import Refusal
from assistant.core.pipeline import Found
from assistant.core.question import Asked, Question
from assistant.reading.evidence import Evidence, read_as, sentence_vectors_of, sentences_of
from assistant.reading.refusal import spelled_out
from index.lexical import term_set


class ReadSentences:
    """Rank the passages' sentences by the trained reader's P(answers the question)."""

    def __init__(self, embedder, load_reader) -> None:
        self.embedder, self.load_reader = embedder, load_reader

    def __call__(self, question: Question, found: Found) -> Found:
        evidence = sentences_of(list(found.passages))
        if not evidence:
            return found.ranked([])
        shortlist = self.shortlist(question, evidence)
        goes_on = _going_on(question, evidence)
        shortlist += [e for e in goes_on if e not in shortlist]
        readings = self._read(question, shortlist, " ".join(p.text for p in found.passages))
        for item, reading in zip(shortlist, readings):
            item.score = reading.p_answer
            item.span = reading.span if item.header is None else None  # a table row's span is in its meaning
        if question.follow_up and not question.asked.wants_span:  # "Why is it important?": see _read
            ranked = sorted(shortlist, key=lambda e: e.score + e.cosine, reverse=True)
            if ranked[0].text in question.said and question.asked.kind == "reason" and goes_on:
                # "Why does it matter?" after an answer: the sentence just said would lead again,
                # but a reason or a purpose is what the article says next to it ("How did he
                # score it?" asks a detail of the sentence just said, and keeps it)
                ranked = goes_on + [e for e in ranked if e not in goes_on]
            return found.ranked(ranked)
        return found.ranked(sorted(shortlist, key=lambda e: e.score, reverse=True))


    def _read(self, question: Question, shortlist: list[Evidence], passages: str) -> list:
        """The reader's readings of the sentences. A follow-up ("Why is it important?") is
        read twice, alone and with the question it follows, and a sentence must answer both
        (geometric mean): alone it may be about anything, with its context a sentence that
        answers the earlier question would look like an answer to this one. The reader is
        weak on such sentence-answered follow-ups (it rarely gives them P above the
        threshold), so they are ranked by that mean plus their closeness in meaning, and not
        refused for a low P (NoAnswer): the turn before settled their topic."""
        reader = self.load_reader()
        sentences, titles, previous = read_as(shortlist)
        own = reader.score(acronyms_spelled_out(question.as_read, passages), sentences, titles, previous)
        if not question.follow_up:
            return own
        if named := question.as_read_named:  # "Who developed it?" also as "Who developed SEA-LION?"
            also = reader.score(acronyms_spelled_out(named, passages), sentences, titles, previous)
            own = [a if a.p_answer >= b.p_answer else b for a, b in zip(own, also)]
        joined = reader.score(acronyms_spelled_out(question.standalone, passages), sentences, titles, previous)
        return [replace(a, p_answer=float(np.sqrt(a.p_answer * b.p_answer))) for a, b in zip(own, joined)]

    def shortlist(self, question: Question, evidence: list[Evidence]) -> list[Evidence]:
        """The sentences closest in meaning (stored vectors) plus those holding most of the
        question's terms: a name or a figure the embedding blurs."""
        vectors = sentence_vectors_of(evidence, self.embedder)
        cosines = vectors @ question.vector
        if question.own_vector is not None:  # a follow-up: its own words count as much as its context
            cosines = 0.5 * cosines + 0.5 * (vectors @ question.own_vector)
        for item, cosine in zip(evidence, cosines):
            item.cosine = float(cosine)
        wanted = set(question.terms) | set(question.context_terms)
        overlap = np.array([len(wanted & term_set(e.text)) for e in evidence], dtype=np.float32)
        by_meaning = list(np.argsort(-cosines, kind="stable")[: calibration.SHORTLIST_BY_MEANING])
        by_words = [i for i in np.argsort(-overlap, kind="stable") if i not in by_meaning and overlap[i] > 0]
        return [evidence[i] for i in by_meaning + by_words[: calibration.SHORTLIST_BY_WORDS]]


def acronyms_spelled_out(asked: str, passages: str) -> str:
    """The question with each acronym the passages never write but spell out replaced by
    the name they spell ("What did USAID commit?" over "the U.S. Agency for International
    Development ... $50 million" reads "What did U.S. Agency for International Development
    commit?"): the reader matches words, and gives the acronym's answer a P of 0.03 where
    the spelled-out name gets 0.96 (the shipped U.S. article, measured 2026-12-07)."""
    if not _ACRONYM.search(asked):
        return asked  # most questions: no need to look at the passages' words
    present = term_set(passages)

    def name(match: re.Match) -> str:
        acronym = match.group(0)
        if acronym.lower() in present:
            return acronym
        return spelled_out(acronym, passages) or acronym

    return _ACRONYM.sub(name, asked)


_ACRONYM = re.compile(r"\b[A-Z][A-Z&]+[A-Z]\b")  # "USAID", "BBC", "AT&T": capitals only, three or more (a two-letter one, "US", "AC", spells too many names)


def _going_on(question: Question, evidence: list[Evidence]) -> list[Evidence]:
    """For a follow-up that asks for more ("Why does it matter?", "What did she say?"), the
    sentences right after those the previous answer gave, then right before, in the same
    passage: news goes on from a fact with its reason, its consequence or a quote, while
    the sentence before set up what the asker has just read."""
    if not question.follow_up or question.asked.wants_span or not question.said:
        return []
    said = {(e.passage.chunk_id, e.sentence) for e in evidence if e.text in question.said}
    around = [[e for e in evidence if (e.passage.chunk_id, e.sentence) not in said
               and (e.passage.chunk_id, e.sentence - step) in said] for step in (1, -1)]
    return around[0] + around[1]


class NoAnswer:
    """Refuse when no shortlisted sentence answers: the reader's best P(answers) is under
    its threshold (chosen on dev data, see the model card)."""

    def __init__(self, load_reader, threshold: float | None = None) -> None:
        self.load_reader, self.threshold = load_reader, threshold

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        if not found.evidence:
            return Refusal("no_sentence", "no sentence of the passages found answers a question",
                           "none of them says what you asked")
        best = found.evidence[0].score
        if question.follow_up and not question.asked.wants_span and not question.names:
            return found  # "Why is it important?": its topic was settled by the turn before
        if best < self.applied_threshold():
            return Refusal("no_answer", "no sentence of the passages found answers the question",
                           "none of them answers what you asked", confidence=best)
        return found

    def applied_threshold(self) -> float:
        """The setting, else calibration.READER_THRESHOLD, else the model's own."""
        if self.threshold is not None:
            return self.threshold
        return calibration.READER_THRESHOLD or self.load_reader().threshold


class HoldsTheKind:
    """A question whose wh-word asks for a time ("When ...?") or a number ("How many /
    much / old ...?") is not answered by a sentence that holds none: the reader, reading
    one sentence at a time, gives "Hitachi said the 1.3m Emiew was the world's quickest
    robot" a fair P for "How much does Emiew cost?". Such sentences are dropped before the
    threshold is applied, so that the best sentence holding a number leads, or nothing
    does. Only the wh-word's kinds: a head noun's kind ("Which year ...") is the embedder's
    guess, and a wrong guess would refuse ("Which Labour MP offered ...?" typed as money).

    Measured on the dev halves at threshold 0.07 (answers / false refusals / unanswerable
    refused): BBC 0.922 / 0.009 / 0.304 without, 0.940 / 0.009 / 0.391 with; Wikipedia
    0.743 / 0.050 / 0.120 without, 0.740 / 0.055 / 0.127 with (SQuAD's "When ... are
    disturbed" is a condition, not a time). Every kind, with a head noun's guesses too
    (before _NUMBER knew "eighty"): BBC 0.914 / 0.026 / 0.609, Wikipedia 0.718 / 0.072 / 0.137."""

    KINDS = {"date": "time", "count": "number", "age": "number", "amount": "number"}

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        asked = question.asked
        if not found.evidence or asked.kind not in self.KINDS or not asked.by_wh_word:
            return found
        test = _DATE if asked.kind == "date" else _NUMBER
        holding = [e for e in found.evidence if test.search(e.text)]
        if not holding:
            what = self.KINDS[asked.kind]
            return Refusal("no_answer", f"no sentence of the passages found gives a {what}",
                           f"none of them gives the {what} you asked for", confidence=found.evidence[0].score)
        return found.ranked(holding)


class NoSentence:
    """Refuse only when there is no sentence at all (a description reads what it finds)."""

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        if not found.evidence:
            return Refusal("no_sentence", "no sentence of the passages found answers a question",
                           "none of them says what you asked")
        return found


# Closed classes of English: the words that make a span a number, a date or a name.
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|seven|"
                     r"eigh|nine)teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|"
                     r"millions?|billions?|trillions?|dozens?|half|a third|a quarter)\b", re.I)
_DATE = re.compile(r"\b(1[5-9]\d\d|20\d\d)s?\b|\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?|oct(ober)?|"
                   r"nov(ember)?|dec(ember)?)\b|"
                   r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(century|decade|year|week|"
                   r"month|spring|summer|autumn|winter|yesterday|today|tomorrow|morning|evening|night)s?\b", re.I)
_NAME = re.compile(r"^[\W_]*[A-Z]")  # a name starts with a capital ("2-1" is no place)
_AGE = re.compile(r"\d")  # an age is written in digits in news ("31", "the 31-year-old"), not "two-year"
_MONEY = re.compile(r"[£$€¥]|\b(dollars?|pounds?|euros?|yen|yuan|rupees?|rupiah|pence|cents?|francs?|roubles?)\b", re.I)
_PERCENT = re.compile(r"%|\bper ?cent\b|\bpercentage points?\b", re.I)


class _Count:
    """A number that is neither money nor a share ("340", "twelve"), for "how many"."""

    @staticmethod
    def search(text: str) -> bool:
        return bool(_NUMBER.search(text)) and not _MONEY.search(text) and not _PERCENT.search(text)
_KIND_TEST = {
    "date": _DATE, "age": _AGE, "money": _MONEY, "amount": _NUMBER, "percent": _PERCENT, "count": _Count,
    "quantity": _NUMBER, "who": _NAME, "person": _NAME, "organisation": _NAME, "place": _NAME, "title": _NAME,
}


def of_kind(asked: Asked, text: str) -> bool:
    """The span is the kind of thing the question asks for: a number for "how many", a
    date for "when", a name for "who"/"where"/"which company" (any kind for a question
    whose kind is not sure)."""
    test = _KIND_TEST.get(asked.kind)
    return test is None or bool(test.search(text))


def shown_span(item: Evidence, asked: Asked, question: Question | None = None):
    """The short answer to lead with in bold, or None: the question wants one (a person,
    a date, an amount ...), the reader is confident in the sentence and the span, the
    span is of that kind, and the sentence has the question's numbers (see
    :func:`says_the_numbers_asked`)."""
    span = getattr(item, "span", None)
    # sure of both: that the sentence answers, and where in it the answer is
    if not asked.wants_span or span is None or item.score * span.probability < calibration.SHORT_ANSWER_CONFIDENCE:
        return None
    text = item.text[span.start: span.end]
    if not text.strip() or not of_kind(asked, text):
        return None
    if asked.kind in ("who", "person", "organisation", "place") and not _names_a(item, span, asked.labels):
        return None  # "The Mexican film-maker" for "Who directed ...?": capitalised, but no name
    if question is not None and not says_the_numbers_asked(item, question):
        return None
    if question is not None and not in_the_unit_asked(text, question.text):
        return None
    return span


# Units of measure (a closed class of English), each with the forms it is written in
_UNIT_FORMS = {
    "millimetre": r"mm|millimet(?:er|re)s?", "centimetre": r"cm|centimet(?:er|re)s?",
    "kilometre": r"km|kilomet(?:er|re)s?", "metre": r"m|met(?:er|re)s?", "inch": r"in\.|inch(?:es)?",
    "foot": r"ft|feet|foot", "yard": r"yds?|yards?", "mile": r"mi|miles?", "acre": r"acres?",
    "hectare": r"ha|hectares?", "kilogram": r"kg|kilos?|kilograms?", "gram": r"g|grams?", "pound": r"lbs?",
    "tonne": r"tonnes?|tons?", "ounce": r"oz|ounces?", "litre": r"l|lit(?:er|re)s?", "gallon": r"gal|gallons?",
    "celsius": r"°C|celsius|centigrade", "fahrenheit": r"°F|fahrenheit",
}
_UNIT = re.compile(r"(?<![\w°])(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _UNIT_FORMS.items()) + r")(?!\w)", re.I)
_ASKED_UNIT = re.compile(r"\b(?:in|how many|number of)\s+(?:square\s+|cubic\s+)?(" + "|".join(_UNIT_FORMS.values())
                         + r")\b", re.I)


def _units(text: str) -> set[str]:
    return {m.lastgroup for m in _UNIT.finditer(text) if m.lastgroup}


def in_the_unit_asked(span: str, question: str) -> bool:
    """A question that asks in a unit ("In millimeters, how much ...?", "How many acres
    ...?") is not answered in bold by a figure in another ("49.9 inches"): the sentence may
    give both, and the reader's span is the one it saw first. On the 5 dev Wikipedia
    articles (bench/squad_heldout.py --split dev --gates, gate 0.6, 2026-12-07) it took 2
    of the 26 wrong bold answers and none of the right ones."""
    asked = _ASKED_UNIT.search(question)
    wanted = _units(asked.group(1)) if asked else set()
    given = _units(span)
    return not (wanted and given) or bool(wanted & given)


def says_the_numbers_asked(item: Evidence, question: Question) -> bool:
    """Every number of the question ("in 1881", "over 200m", "the 20th century") is in the
    sentence, the one before it or its article's title. A bold short answer claims "this is
    the answer"; from a sentence about 1882 for "Which company did Tesla work for in 1881?"
    the reader's span is a guess of the right kind. On the 5 dev Wikipedia articles
    (bench/squad_heldout.py --split dev --gates, gate 0.6, 2026-12-07) it took bold answers
    from 164 shown, 30 wrong, to 156 shown, 26 wrong (right - 2 x wrong 74 -> 78). Asking
    the question's names too (its capitalised words, an acronym also as the name it spells)
    left 149 shown, 25 wrong (74), its names alone 157 shown, 29 wrong (70): names are
    paraphrased and pronouns stand for them, so the sentence that answers often does not
    repeat them."""
    wanted = {t for t in question.terms if any(c.isdigit() for c in t)}
    if not wanted:
        return True
    context = " ".join(filter(None, (item.passage.title, item.previous.text if item.previous is not None else "",
                                     item.text)))
    return wanted <= term_set(context)


def _names_a(item: Evidence, span, labels: tuple[str, ...]) -> bool:
    """The span overlaps a name of these labels (spaCy's entities stored at index time). On
    the 5 dev Wikipedia articles (bench/squad_heldout.py --split dev --gates, gate 0.4) it
    took bold answers from 186 shown, 19.9% wrong, to 166 shown, 17.5% wrong: 8 wrong and 12
    right ones fewer, right - 2 x wrong 75 -> 79. A passage stored without entities is not
    judged."""
    lo, hi = item.start + span.start, item.start + span.end
    entities = item.passage.entities
    return not entities or any(s < hi and lo < e and label in labels for s, e, label in entities)
