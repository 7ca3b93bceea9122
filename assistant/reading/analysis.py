"""What a question asks for: the kind of its answer, from its wh-word and head noun.

"Who scored ...?" wants a person, "How many people ...?" a count, "Which company ...?"
an organisation, "Why ...?" a reason. Wh-words are closed-class English grammar, so
they are matched directly; the noun after "which"/"what" is open-class, so it is typed
by meaning: its phrase is embedded and compared with a few general descriptions of each
kind (below), never with words taken from the articles.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from assistant import calibration
from assistant.core.question import Asked, as_which

# General descriptions of each kind, embedded once; "which <noun phrase>" goes to the
# nearest. Plain English category words. The first line of each kind was written before
# any question set; "writer or journalist", "lawyer or judge", "MP or senator", "studio or
# record label", "constituency or district" and "state or province" were added after
# head nouns of the dev half of bench/questions_bbc.json were typed wrongly.
PROTOTYPES: dict[str, tuple[str, ...]] = {
    "person": ("which person", "which man or woman", "which player or athlete", "which politician or minister",
               "which official or executive", "which actor, singer or artist", "which manager or coach",
               "which writer or journalist", "which lawyer or judge", "which MP or senator"),
    "organisation": ("which company or firm", "which organisation", "which club or team", "which political party",
                     "which agency or department", "which group or band", "which bank or business",
                     "which studio or record label"),
    "place": ("which country", "which city or town", "which place", "which region or area", "which venue or stadium",
              "which constituency or district", "which state or province"),
    "date": ("which year", "what date", "which day", "which month", "what time"),
    "age": ("what age", "how old"),
    "title": ("which film or movie", "which album or song", "which book", "which television show or programme",
              "which award or prize", "which product or game"),
    "money": ("what amount of money", "what price", "what fee or cost",
              "what sum in pounds or dollars"),
    "percent": ("what percentage", "what proportion or share", "what rate"),
}
MIN_PROTOTYPE_COSINE = calibration.MIN_PROTOTYPE_COSINE  # see assistant.calibration
CONFIDENT_PROTOTYPE_COSINE = calibration.CONFIDENT_PROTOTYPE_COSINE

_WH = re.compile(r"\b(who|whom|whose|when|where|why|which|what|how)\b", re.I)
_HOW = {"much": "amount", "many": "count", "old": "age", "long": "quantity", "far": "quantity",
        "fast": "quantity", "big": "quantity", "large": "quantity", "high": "quantity", "tall": "quantity",
        "heavy": "quantity", "often": "quantity", "deep": "quantity", "wide": "quantity"}
_VERBS = frozenset("is are was were be been do does did has have had will would can could should may might must".split())
# Words that end a which/what noun phrase: auxiliaries, articles and prepositions (closed
# classes of English; "What price per share did ..." is headed by "price").
_AUX = _VERBS | frozenset("the a an of to in on for by at with from per than about into over under after before "
                          "during since between against among as".split())
_BE = frozenset("is are was were 's ’s will".split())
_NAME_OF = re.compile(r"\bwhat(?:'s| is| was| are| were) the (?:name|title)s? of (?:the |a |an |his |her |their |its )?", re.I)
_REASON = re.compile(r"^\s*(why\b|for what reason|what (caused|led to|prompted|made)|how come)", re.I)
# "Who is the agent of", "What was the production budget for": wh-word, be, "the", at most
# two modifiers, the attribute noun, a preposition.
_ATTRIBUTE = re.compile(r"\b(?:who|what)(?:'s| is| was| are| were| will be| would be) the (?:[\w-]+ ){0,2}?"
                        r"([a-z][\w-]*) (?:of|for|in|behind|at|on|to)\b", re.I)


class Analyser:
    """Types questions; the prototype vectors are embedded once, on first use."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self._prototypes: tuple[list[str], np.ndarray] | None = None
        self._lock = threading.Lock()

    def analyse(self, text: str, known: Mapping[str, np.ndarray] | None = None) -> Asked:
        """What ``text`` asks for. ``known``: vectors of the :func:`phrases` it may compare
        with the kinds, embedded by the caller with the question itself (one model call);
        a phrase missing from it is embedded here."""
        # a request ("List the companies ...") is typed as the "which" question it is
        return replace(self._kind(as_which(text), known or {}), text=text)

    def _kind(self, text: str, known: Mapping[str, np.ndarray]) -> Asked:
        if _REASON.match(text) or re.search(r"\bwhy\b", text, re.I):
            return Asked(text, "reason")
        match = _WH.search(text)
        if match is None:
            return Asked(text, "description")
        word, rest = match.group(1).lower(), text[match.end():].split()
        if word in ("who", "whom", "whose"):
            return Asked(text, "who")
        if word == "when":
            return Asked(text, "date", by_wh_word=True)
        if word == "where":
            return Asked(text, "place", by_wh_word=True)
        if word == "how":
            following = rest[0].lower().strip("?,") if rest else ""
            kind = _HOW.get(following, "description")
            return Asked(text, kind, rest[1].lower().strip("?,") if kind == "count" and len(rest) > 1 else "",
                         by_wh_word=kind != "description")
        return self._which(text, rest, known)

    def _which(self, text: str, rest: list[str], known: Mapping[str, np.ndarray]) -> Asked:
        """ "Which goalkeeper ...", "What percentage ...", "In what year ...",
        "What is the name of the record label ..." """
        named = _NAME_OF.search(text)
        if named:
            rest = text[named.end():].split()
        described = _ATTRIBUTE.search(text)
        if not named and described and rest and rest[0].lower() in _BE:
            # "What was the price of ...": the noun the preposition follows is the head, and
            # types the question when it is clearly a kind ("price"); "the role of" stays a
            # description
            kind, cosine, head = self._nearest([described.group(1).lower()], known)
            if cosine < CONFIDENT_PROTOTYPE_COSINE:
                return Asked(text, "description")
            return Asked(text, kind, head)
        phrase, closed = [], False
        for word in rest[:4]:
            bare = word.strip("?,.'\"").lower()
            if bare in _AUX or not bare:
                closed = bare in _VERBS
                break
            possessive = bare.endswith(("'s", "’s"))
            phrase.append((bare.removesuffix("'s").removesuffix("’s"), word[:1].isupper()))
            if word.endswith("?"):  # the question ends with the phrase: "... sovereign AI model?"
                closed = True
                break
            if possessive and not word[:1].isupper():  # "Which film studio's concerns": the phrase ends at its
                closed = True  # owner; a name's ("Singapore's sovereign AI model") only begins it
                break
        if not phrase:
            return Asked(text, "description")
        # An English noun phrase ends in its head: when an auxiliary ("Which gay rights
        # group is ..."), a possessive or the question's end closes the phrase, its last
        # common word is the head. Otherwise the phrase may run into a verb ("goalkeeper
        # saved"), and the head is one of its first common words: each is typed alone and
        # the one nearest to a kind wins.
        common = [w for w, capital in phrase if not capital and w.replace("-", "").isalpha()]
        if closed:  # the words before the head only qualify it ("sovereign AI model")
            kind, cosine, head = self._nearest(common[-1:] or [phrase[-1][0]], known)
        else:
            kind, cosine, head = self._nearest(common[:2] or [phrase[-1][0]], known)
        if cosine < MIN_PROTOTYPE_COSINE and named:  # "What is the name of ...": a name, of something
            return Asked(text, "title", head)
        return Asked(text, kind if cosine >= MIN_PROTOTYPE_COSINE else "description", head)

    def _nearest(self, words: list[str], known: Mapping[str, np.ndarray]) -> tuple[str, float, str]:
        kinds, vectors = self._vectors()
        texts = [f"which {w}" for w in words]
        missing = [t for t in texts if t not in known]
        fresh = dict(zip(missing, self.embedder.embed_batch(missing))) if missing else {}
        cosines = vectors @ np.asarray([known[t] if t in known else fresh[t] for t in texts]).T
        row, column = np.unravel_index(int(np.argmax(cosines)), cosines.shape)
        return kinds[row], float(cosines[row, column]), words[column]

    def _vectors(self) -> tuple[list[str], np.ndarray]:
        with self._lock:
            if self._prototypes is None:
                kinds = [k for k, texts in PROTOTYPES.items() for _ in texts]
                texts = [t for texts in PROTOTYPES.values() for t in texts]
                self._prototypes = (kinds, np.asarray(self.embedder.embed_batch(texts)))
            return self._prototypes


def phrases(text: str) -> list[str]:
    """Every "which <word>" that :meth:`Analyser.analyse` may compare with the kinds for
    ``text`` (a superset), so that the engine embeds them with the question in one call."""
    if _REASON.match(text) or re.search(r"\bwhy\b", text, re.I):
        return []
    words = [m.group(1).lower()] if (m := _ATTRIBUTE.search(text)) else []
    wh = _WH.search(text)
    if wh and wh.group(1).lower() in ("which", "what"):
        named = _NAME_OF.search(text)
        for rest in (text[wh.end():].split(), text[named.end():].split() if named else []):
            for word in rest[:4]:
                bare = word.strip("?,.'\"").lower()
                if bare in _AUX or not bare:
                    break
                words.append(bare.removesuffix("'s").removesuffix("’s"))
    return [f"which {w}" for w in dict.fromkeys(words)]
