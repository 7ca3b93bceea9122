"""The shape of a question: one fact (lookup), the gist of an article or topic (overview),
two or more named things side by side (comparison), the items of a kind (list), or who or
what something is (description).

Shapes are told by closed-class English cue words and phrase patterns ("summarise",
"compare ... and ...", "which companies are mentioned", "who is X?"), never by words of
the articles. The patterns were written from the question forms people use for each shape
and checked on the dev half of bench/questions_shapes.json (its test half is only
reported: bench/shapes.py).
"""

from __future__ import annotations

import re

from assistant.core.question import Shape, name_phrases

SHAPES = ("lookup", "overview", "comparison", "list", "description", "collection")

_OVERVIEW = re.compile(
    r"\b(summari[sz]e|summary|sum up|gist|overview|main (points?|facts?|ideas?|takeaways?)|key (points?|facts?|takeaways?)|"
    r"what(?:'s| is| are)? (the )?(news )?(article|story|piece|report|news|coverage)s? (is |are )?(about|saying)|"
    r"what (do|does) (the )?(articles?|stories|story|pieces?|reports?|news) (say|tell|report)|"
    r"what (do|does|did) (the|this|that) (articles?|stories|story|pieces?|reports?)\b[^?]{0,100}\b(say|tell|report)\b|"
    # a summary asked in other words: "Recap the story on X", "Boil down the article on X"
    r"recap|boil (it |this |that )?down|run-?down|run me through|walk me through|"
    r"outline (the|this|that) (article|story|piece|report)|"
    r"what (the|this|that|these|those) (articles?|stories|story|pieces?|reports?)\b[^?]{0,80}\b(says?|tells?|reports?)\b|"
    r"tell me about (the )?(article|story|piece|report)|brief me|in a nutshell|tl;?dr|"
    # "Condense the article on X", "the short version of the story", "the thrust of the piece",
    # "Explain briefly what the report on X is about", "What ground does the story cover?"
    r"condense|pr[eé]cis|short version|thrust of|highlights of|brief account|skim (the|this|that)|"
    r"what (the|this|that) (article|story|piece|report|news item)\b[^?]{0,100}\b(is|was) about|"
    r"(what|which) ground (does|did)|"
    r"(the|this|that) (article|story|piece|report|news item)\b[^?]{0,100}\bwhat (does|did) it (say|cover|tell)|"
    r"what (does|did) (the|this|that) (article|story|piece|report|news item)\b[^?]{0,100}\b(cover|covers)\b|"
    r"what (does|did) the news item\b[^?]{0,100}\b(say|tell|report)\b|"
    # the state of a story across the news: "Where do things stand on X?", "a roundup of X"
    r"(wider|overall|big|broader|full) picture|broad sweep|round ?up|where do things stand|"
    r"what(?:'s| is) going on with|developments (in|on|with)|"
    r"everything (that(?:'s| has) been|that was|) ?(written|said|reported)|"
    r"how (has|have|did|is|are) (the )?([\w'’-]+ ){0,3}(covered|being covered)|"
    r"anything in the (articles|stories|news|reports) (about|on)|"
    r"what (do|does|did) the [\w-]+ (articles|stories|reports|news) (say|tell|report)|"
    # the news itself asked for: "What has been reported about X?", "What happened with X?"
    # ("What happened to X?" asks one fact: "What happened to his lab?"; so does "What is the
    # latest inflation rate?")
    r"what(?: has|'s| have) been (reported|said|written|happening)|what happened with|"
    r"what(?:'s| is) the latest (on|about|with|news)|what(?:'s| is) new with|what(?:'s| is) the story so far|"
    r"^\s*any (news|updates?|developments?) (on|about|with)|"
    # the news as the one who speaks: "What has the news said about X?", "How has the coverage described X?"
    r"(what|how) (has|have|did) (the )?(news|coverage|articles|stories|reports|press|papers) (said|say|reported|report|"
    r"described|describe|covered)|in the news about|"
    # asked to be brought up to date: "Catch me up on X", "Fill me in on X"
    r"catch me up|fill me in|(bring|get) me up to (date|speed)|update me)\b",
    re.I,
)
_COMPARISON = re.compile(
    r"\b(compare|comparison|compared|contrast|differ|differs|difference|differences|different|versus|vs\.?|"
    r"similarit(y|ies)|in common|distinguish(es)?|what separates?|stacks? up|measures? up|weigh up|side by side|set [^?]+ against)\b",
    re.I,
)
_LIST = re.compile(
    r"^\s*(please\s+)?(list|name|enumerate|identify|pick out|run through|spell out)\b"
    r"(?! (the|a|an|one) [a-z-]+[^s\s] (that|who|which|whose|where|when)\b)|"  # not "Name the company that ...", "Name the stadium where ..."
    # "What did the CBI list as the obstacles ...?", "What do analysts see as the main threats ...?",
    # "What did Mourinho say were the reasons ...?": a plural named as what is asked
    r"\b(list|lists|listed|name|names|named|cite|cites|cited|identify|identified|single out|singled out|see|sees|saw|"
    r"describe|described|give|gave)\s+as\s+(?:the\s+|[\w-]+['’]s?\s+)?(?:[\w-]+\s+){0,2}?(?-i:[a-z-]+[^s'’\s]s)\b|"
    r"\b(say|says|said|think|thinks|believe|believes)\s+(were|are)\s+the\s+(?:[\w-]+\s+){0,2}?(?-i:[a-z-]+[^s'’\s]s)\b|"
    r"\bthe names of\b|^\s*who (make|makes|made) up\b|^\s*who (are|were) (in|on|among) (the|their|his|her)\b|"
    # "Which firms are mentioned?", "What is listed?" (not "What instrument is involved in all of his
    # work?", "Which singer was cited as ...": one asked; not "the campaign that she is involved in")
    r"^\s*(?:(?:which|what|who)\s)?(?:(?!\b(?:that|who|whom|which)\b)[^?])*?\b(?:are|were|get|got|being) (mentioned|listed|cited|quoted|involved|"
    r"named\b(?! [A-Z]))\b|"  # not "were named Players of the Year"
    r"\b(is|was) (mentioned|listed|cited|quoted|involved|named)\s*(?:(?:in|by) (?:the|this|that|these|those|both|all) "
    r"(?:\w+ )?(?:articles?|stor(?:y|ies)|pieces?|reports?|texts?|documents?)\b[^?]*)?[?.!]?\s*$|"  # "Who is quoted in the articles?"
    r"\b(all|every) (the )?\w+ (that|which|who|whose|mentioned|named)\b|"
    # "Which of the companies ...", "Which of Blair's colleagues ..." (not "Which of the two ...")
    r"^\s*which of (?!(the|their|its|his|her|these|those) (two|both)\b)(the|their|its|his|her|these|those|[^?]{1,40}['’]s) (\w+ ){0,2}\w+s\b"
    # (not one chosen by a superlative or a singular verb: "Which of Sony's consoles has sold the most?")
    r"(?![^?]*\b(most|least|first|last|best|worst|higher|lower|more|fewer|\w+est|is|was|has)\b)|"
    r"^\s*(who|what|which) (are|were|is|was) among\b|"  # "Who were among the winners?"
    r"^\s*(can you |could you )?(please )?(tell|show) me (which|what) (?-i:[a-z-]+[^s'’\s]s)\b|"  # "Tell me which bands ..."
    r"^\s*(who|which|what) (are|were) [^?]{1,40}\b(mentioned|named|listed|cited|quoted|involved)\s*\??\s*$|"  # "Who are the people quoted?"
    r"\b(can|could|would) you (please )?(list|name)\b|^\s*(?:(?:can|could|would) you )?(please )?(tell me|give( me)?) (all )?(the )?(names of )?"
    r"(the )?(?-i:((?!(of|for|to|in|on|by|with|from|that|which|who) )[a-z-]+ ){0,2}[a-z-]+[^s'’\s]s)\b(?! of)",  # "Can you list ...", "Tell me the players ..."
    re.I,
)
# Irregular pasts of English, a closed list of the common ones (a regular one ends in "ed")
_IRREGULAR_PAST = ("won|lost|took|got|gave|made|held|hit|set|ran|sent|bought|sold|brought|wrote|led|left|met|paid|beat|"
                   "broke|drew|chose|saw|told|kept|fought")
# "Who won prizes at ...?", "Who scored goals ...?": the people who did what is many (a plural
# object, after a verb in the past), and "Who else ...?" asks for more of them.
_WHO_DID_MANY = re.compile(
    rf"^\s*who\s+(?:else\b|(?:[a-z]+ed|{_IRREGULAR_PAST})\s+"
    # a bare plural, or one after a modifier that is no determiner ("Who won the match?",
    # "Who lost his job?": one)
    r"(?!(?:the|a|an|his|her|its|their|this|that|these|those|some|any|no|our|my|your)\b)(?:[a-z-]+\s+)?"
    r"(?!(?:his|its|this|was|has|is|us)\b)(?-i:[a-z-]+[^s'’\s]s)\b(?!\s+of\b))", re.I)
# "What are the new rules ...", "Who were the winners ...", "What were the band's biggest hits?"
# (lowercase nouns: "Who were the Beatles?" asks what a name is) ...
_PLURAL_ASKED = re.compile(
    r"^\s*(what|who) (are|were) (all )?((the|their|its|his|her) ([\w-]+['’]s? )?|([\w-]+ ){0,2}[\w-]+['’]s? )"
    r"(?-i:((?!(of|for|to|in|on|by|with|from|that|which|who) )[a-z-]+ ){0,3}[a-z-]+[^s'’\s]s)\b(?! of)|"
    # people asked for ("Who are the members of ...", "Who were the founders of ..."), and a
    # number of them, named or not ("Who are the four Britons held ...")
    r"^\s*who (are|were) (all )?(the|their|its|his|her) (?-i:[a-z-]+[^s'’\s]s) of\b|"
    # the main ones, or the most of some kind: "What were the main criticisms of ...?",
    # "What were the biggest-selling gadgets of Christmas?" (not "the results of the vote")
    r"^\s*(what|who) (are|were) (all )?(the|their|its|his|her) (main|key|chief|principal|major|top|leading|"
    r"[a-z]+est(-[a-z]+)?) ([a-z-]+ )?(?-i:[a-z-]+[^s'’\s]s)\b|"
    r"^\s*(what|who) (are|were) (all )?(the|their|its|his|her) (two|three|four|five|six|seven|eight|nine|ten) "
    r"[\w-]+[^s'’\s]s\b", re.I)
# ... unless the plural is the subject and what is asked comes after it ("What are the comb
# rows called?", "What are the broadcasts compliant with?"): a stranded preposition or "called"
_ASKED_AFTER = re.compile(r"\b(called|known as|named|termed|of|for|with|to|about|from|in|on|at|by|doing|as)\s*\??\s*$", re.I)
_DESCRIPTION = re.compile(r"^\s*(who|what)(?: exactly| really)?(?:'s| is| was| are| were)(?: exactly| really)?\s+(?P<subject>[^?]{2,80}?)\s*\??\s*$"
                          r"|^\s*(?:can you |could you )?(?:please )?(?:tell me|explain|(?:give me )?(?:some )?background on) "
                          r"(?:who|what) (?P<told>[^?]{2,80}?) (?:is|was|are|were)\s*[.?]?\s*$"
                          # "What kind of company is Parmalat?", "What does phishing mean?"
                          r"|^\s*what (?:kind|sort|type) of [\w-]+ (?:is|was|are|were) (?P<kind>[^?]{2,80}?)\s*\??\s*$"
                          r"|^\s*what (?:does|did) (?P<meant>[^?]{2,60}?) mean\s*\??\s*$", re.I)
# "What is the name of ...", "What was the price of ...", "What is meant by": lookups in description clothing
_NOT_DESCRIPTION = re.compile(r"^(its|his|her|their|this|that|these|those|our|your)\b|^(the |a |an )?(name|title|price|cost|number|amount|date|age|role|aim|goal|purpose|"
                              r"reason|focus|size|value|total|share|rate|score|result|capital|population)\b|"
                              r"\b(of|for|in|on|at|by|to|from|with|behind|doing|going|planning|meant|called)\b|"
                              r"['’]s\s+\w|"  # "X's budget" asks for an attribute of X: a lookup
                              r"^[a-z]+ed\b|"  # "Who was crowned world champion?": what was done, to one
                              # so does a subject that ends in one ("the latest inflation rate", "the final score")
                              r"\s(?-i:name|title|price|cost|number|amount|date|age|role|aim|goal|purpose|reason|focus|"
                              r"size|value|total|share|rate|score|result|capital|population)$", re.I)
# A name of capitalised words, perhaps joined by "of", "for", "and": "the Commission for
# Africa", "the Bank of England" (a description's subject, though it holds "of")
_NAMED = re.compile(r"^(?:the\s+)?(?-i:[A-Z][\w.&-]*)(?:\s+(?:(?:of|for|and|on|de|the)\s+)*(?-i:[A-Z][\w.&-]*))*$", re.I)
_SIDES = (
    # "Compare ASEAN's partnership with the EU and with Japan": the sides come after the frame
    re.compile(r"\b(?:compare|contrast)\s+.+?\s+(?P<p>with|to)\s+(?P<a>.+?),?\s+and\s+(?P=p)\s+(?P<b>[^?,;:]+)", re.I),
    re.compile(r"\b(?:compare|contrast|weigh up)\s+(?P<a>.+?)\s+(?:and|with|to|versus|vs\.?)\s+(?P<b>[^?,;:]+)", re.I),
    # "Set X against Y", "Put X side by side with Y", "How did X fare compared with Y?"
    re.compile(r"^\s*set\s+(?P<a>.+?)\s+against\s+(?P<b>[^?,;:]+)", re.I),
    re.compile(r"\bput\s+(?P<a>.+?)\s+side by side with\s+(?P<b>[^?,;:]+)", re.I),
    re.compile(r"\bhow (?:did|does|do|has|have)\s+(?P<a>.+?)\s+(?:fare|do|perform)\s+(?:when\s+)?compared (?:with|to)\s+(?P<b>[^?,;:]+)",
               re.I),
    re.compile(r"\bdifferences? between\s+(?P<a>.+?)\s+and\s+(?P<b>[^?,;:]+)", re.I),
    re.compile(r"\bhow (?:does|do|did|is|are|was|were)\s+(?P<a>.+?)\s+(?:differ|compare)\s+(?:from|to|with)\s+(?P<b>[^?,;:]+)",
               re.I),
    re.compile(r"^(?P<a>[^?,]+?)\s+(?:versus|vs\.?)\s+(?P<b>[^?,;:]+)", re.I),
    # "How is X different from Y?", "What distinguishes X from Y?", "How does X stack up against Y?"
    re.compile(r"\b(?:is|are|was|were)\s+(?P<a>.+?)\s+different\s+(?:from|to|than)\s+(?P<b>[^?,;:]+)", re.I),
    re.compile(r"\b(?:distinguish(?:es)?|(?<=what )separates?)\s+(?P<a>.+?)\s+from\s+(?P<b>[^?,;:]+)", re.I),
    re.compile(r"\b(?:does|do|did)\s+(?P<a>.+?)\s+(?:stack|measure) up (?:against|with|to)\s+(?P<b>[^?,;:]+)", re.I),
    # "How do X and Y compare?", "X and Y: how do they compare?"
    # (lowercase words after a capitalised last side frame both: "the Kelby and Ardmore ferry bids")
    re.compile(r"\b(?:how|where|in what ways?) (?:do|did|does)\s+(?P<a>.+?)\s+and\s+(?P<b>(?-i:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)|.+?)"
               r"(?:\s+(?-i:[a-z][\w-]*))*?\s+(?:compare|differ)\b", re.I),
    re.compile(r"^(?P<a>[^:?]+?)\s+and\s+(?P<b>[^:?]+?)\s*(?::|\s[-–—])\s*how (?:do|did) (?:they|their)\b[^?]*\b(?:compare|differ)", re.I),
)
# "What do the articles say about X?", "the news on X": a topic across articles, not one article
_TOPIC = re.compile(r"\b(articles|stories|pieces|reports|coverage|news|been (reported|said|written|happening)|happened with|latest|"
                    r"catch me up|fill me in|up to (date|speed)|update me|new with|so far|updates?|developments?|"
                    r"covered|picture|sweep|round ?up|reporting|things stand|going on with|everything)\b"
                    r"(?! (article|story|item))|\bacross\b", re.I)
COUNT = re.compile(r"^\s*how (many|much)\b", re.I)  # "How many ... are listed?" asks for a number
_LEAD = re.compile(r"^(the|a|an|their|its|his|her)\s+", re.I)
_TRAIL = re.compile(r"\s+(approach(es)?|strateg(y|ies)|polic(y|ies)|plans?|views?|positions?|roles?|stances?|efforts?)"
                    r"(\s+(to|on|towards|toward|for|in|with)\s+.*)?$", re.I)
_ABBREVIATION_END = re.compile(r"(\b[A-Z]\.)+$")  # "U.S." keeps its last full stop
# A frame of common (lowercase) words before a name: "the bids of Northlink", "those of
# Sainsbury". A name goes on with a capital ("Bank of England") and keeps it.
_FRAME_OF = re.compile(r"^(?:[a-z][\w-]*\s+){1,3}of\s+(?:the\s+)?(?=\S)")


# "Compare the two articles", "How do the stories differ?": the articles themselves compared
_THE_ARTICLES = re.compile(r"\b(the|both|these|those|all|two|three)\s+(\w+\s+)?(articles|stories|pieces|reports)\b", re.I)


# Questions about the collection itself, answered from the articles' titles and dates
# (assistant.reading.collection): English patterns, closed classes of words
_TEXTS = r"(articles|documents|stories|files|news items)"
_COLLECTION = (
    ("count", re.compile(rf"^\s*how many {_TEXTS} (are there|are indexed|have been indexed|do you have|have you got|"
                         rf"are (in|on) (here|the collection|the index|file))\b", re.I)),
    ("titles", re.compile(rf"^\s*(what|which) {_TEXTS} (are there|are indexed|do you have|have you got|can i ask about|"
                          rf"are (in|on) (here|the collection|the index|file))|^\s*(list|show)( me)?( all)?( the)? "
                          rf"{_TEXTS}\s*[.?!]?\s*$|^\s*what can i ask( you)?( about)?\s*\??\s*$", re.I)),
    ("newest", re.compile(r"^\s*(what|which)(?:'s| is| was)? (the )?(latest|newest|most recent|last) (article|story|"
                          r"document)( (indexed|added|here))?\s*\??\s*$", re.I)),
    ("oldest", re.compile(r"^\s*(what|which)(?:'s| is| was)? (the )?(oldest|earliest|first) (article|story|document)"
                          r"( (indexed|added|here))?\s*\??\s*$", re.I)),
    # "the article": a book or an album is "published" or "released" too
    ("date", re.compile(r"^\s*when (was|were) (the|this|that) (article|story|piece|report)\b(.{0,80}\b)?(published|"
                        r"written|dated|released|posted|out)\b|^\s*what (is|was) the date of (the|this|that) (article|story|"
                        r"piece|report)", re.I)),
)


def shape_of(text: str) -> Shape:
    """The shape of a question, from its cue words (see the module's docstring)."""
    for aspect, pattern in _COLLECTION:
        if pattern.search(text):
            return Shape("collection", scope=aspect)
    if _COMPARISON.search(text) and (sides := comparison_sides(text)):
        return Shape("comparison", sides=sides)
    if _COMPARISON.search(text) and _THE_ARTICLES.search(text):
        return Shape("overview", scope="topic")  # each article's gist under its title, side by side
    if _OVERVIEW.search(text):
        return Shape("overview", scope="topic" if _TOPIC.search(text) else "article")
    plural_asked = _PLURAL_ASKED.search(text) and not _ASKED_AFTER.search(text)
    if (_LIST.search(text) or plural_asked or _plural_head(text) or _WHO_DID_MANY.match(text)) and not COUNT.match(text):
        return Shape("list")
    described = _DESCRIPTION.match(text)
    subject = described and next((g for g in described.group("subject", "told", "kind", "meant") if g), None)
    # "What is the Commission for Africa?" (not "Who is the Director of ...?": whoever holds a role)
    if subject and (not _NOT_DESCRIPTION.search(subject) or (described.group(1) or "").lower() == "what" and _NAMED.match(subject)):
        return Shape("description", subject=subject.strip())
    return Shape("lookup")


# "Which ...", "In which ...", "From what ...": a preposition may lead (closed class)
# ("Besides Spider-Man, which ...": a phrase before a comma may lead too)
_WHICH = re.compile(r"^\s*(?:[^,?]{1,60},\s*)?(?:(?:in|at|on|from|to|for|with|by|of|into|against|under|over|among|through|within)\s+)?(which|what)\s+(.*)",
                    re.I)
_NUMBERS = frozenset("two three four five six seven eight nine ten several many other".split())
# words ending in "s" that are no plural nouns (closed class, and singular nouns of English in -s)
_NOT_NOUNS = frozenset("is was has does this its his hers yours ours theirs whose as us less news series means "
                       "gas lens chaos canvas atlas bias alias species".split())


_QUOTED = re.compile(r"(^|\s)['‘\"“]([^'’\"”?]+)['’\"”](?=[\s?,.]|$)")


def _plural_head(text: str) -> bool:
    """ "Which games won ...?", "What products helped ...?", "Which two firms ...": which/what,
    then (after a number at most) a plural noun, not an auxiliary ("What does ..."); or a
    plural noun after modifiers, right before an auxiliary ("Which sovereign AI models have
    ...?", "What new frameworks did ...?")."""
    match = _WHICH.match(_QUOTED.sub(r"\1\2", text))  # "Under what 'mandatory criteria' ...": the words quoted
    words = [w.strip("?,.") for w in match.group(2).split()[:3]] if match else []
    if words and words[0].lower() in _NUMBERS:
        words = words[1:]
    # adverbs skipped: "Which foreign carmakers already have ..."
    # ("Which former ministers and party leaders does ...": seven words hold a coordination)
    phrase = [w.strip("?,.") for w in match.group(2).split()[:8] if not _ADVERB.match(w)][:7] if match else []
    # the phrase ends at a closed-class word or at a verb in the past ("Which Arsenal players scored ...")
    ends = next((i for i, w in enumerate(phrase) if w.lower() in _ENDS_PHRASE or (i > 0 and _PAST.match(w))), None)
    if ends and ends > 1:  # a modifier or more, then the head
        head = phrase[ends - 1]
        # "Which cities does Sun own ...", "Which tracks has Wembley put up ...", "Which seats
        # is the group targeting?": a plural head before a singular auxiliary is its object
        owned = phrase[ends - 2].endswith(("'s", "’s"))  # "Which film studio's concerns led ...": the owner is asked
        common = head.isalpha() and (head.islower() or bool(re.fullmatch(r"[A-Z]{2,}s", head)))  # "MPs", "CEOs"
        if (common and _plural(head) and not owned
                and (phrase[ends].lower() in _AUXILIARIES | {"does", "has", "is", "was"} or _PAST.match(phrase[ends]))):
            return True
        if common and not _plural(head) and _PAST.match(phrase[ends]):
            return False  # "Which telecoms firm took charge ...?": the head before the verb is one
    if len(words) < 2 or not words[0].isalpha() or words[0][:1].isupper():  # a name is no plural noun
        return False
    head = words[0]
    # a verb's third person, not a plural noun, when an object follows it: "What makes the
    # method ...", "What happens to ...", "What divides Downtown Fresno?"
    verb = words[1].lower() in _OBJECT_OPENERS or words[1][:1].isupper()
    # ... unless an auxiliary and its subject follow the phrase it opens: "What changes to the
    # licence fee did the BBC propose?" asks for the changes, the object of "propose"
    if verb and words[1].lower() in _PREPOSITIONS and _AUXILIARY_LATER.search(match.group(2)):
        verb = False
    return _plural(head) and words[1] != "per" and not verb  # "What types of attacks ...", "Which countries of origin ..."


def _plural(word: str) -> bool:
    return (word.endswith("s") and not word.endswith(("ss", "us", "is")) and word not in _NOT_NOUNS) or word in _IRREGULAR_PLURALS


# plurals of English without an "s" (a closed list of the common ones)
_IRREGULAR_PLURALS = frozenset("people men women children criteria phenomena".split())


# Words that open a verb's object or clause, never a noun phrase's verb (closed classes)
_OBJECT_OPENERS = frozenset("the a an this that these those his her its their my our your to whether if as "
                            "when where while because after before until unless".split())  # "What happens when ..."
# Auxiliaries, and the words that end a which/what noun phrase before its verb (closed classes)
_AUXILIARIES = frozenset("are were have had did do will would can could should may might".split())
_ENDS_PHRASE = _AUXILIARIES | frozenset("is was has does of per the a an to in on for by at with from".split())
# Prepositions that may follow a plural head, and an auxiliary with its subject after them
# ("What changes to the fee did the review propose?")
_PREPOSITIONS = frozenset("to for on in against from with about over".split())
_AUXILIARY_LATER = re.compile(r"\s(did|does|do|will|would|has|have|had|could|should|can)\s+(the|a|an|its|his|her|their|[A-Z])")
# "scored", "closed", "won", "fell": a verb in the past, after a noun phrase (with these too,
# which after "Who" would not make the object many: "Who said prices would rise?")
_PAST = re.compile(rf"^([a-z]+ed|{_IRREGULAR_PAST}|fell|rose|quit|came|went|became|began|grew|said|spent|struck|stood|"
                   r"withdrew|overtook)$")
_ADVERB = re.compile(r"^(\w+ly|already|still|also|now|not|never|ever|often|soon|just|yet)$", re.I)


# A preposition opening a phrase of common words ("in their Dubai match", "at the Boston
# Games"): after the last side it frames both sides, it is not part of the last one's name
# ("Bank of England" goes on with a capital). Prepositions are a closed class of English.
_SHARED_FRAME = re.compile(r"\s+(?:in|at|on|during|over|for|from|about|after|before|since|against|under|among)\s+"
                           r"(?=[a-z0-9])")


def comparison_sides(text: str) -> tuple[str, ...]:
    """The named things a comparison sets side by side, or () when it names fewer than two.
    A frame after the last side is shared ("Compare Henman and Rusedski in their Dubai
    match": the sides are Henman and Rusedski, and both are read in that match)."""
    for pattern in _SIDES:
        if match := pattern.search(text):
            last = _SHARED_FRAME.split(match.group("b"), maxsplit=1)[0]
            sides = (_bare(match.group("a")), _bare(last))
            owned = (_owned(match.group("a")), _owned(last))
            if all(owned):  # "Compare Sony's Qrio and Honda's Asimo": the things owned, not their owners
                return owned
            if all(sides):
                return _unframed(sides)
    return ()


_NAME_THEN_WORDS = re.compile(r"^((?:[A-Z][\w.&'’-]*\s+)*[A-Z][\w.&'’-]*)(?:\s+[a-z][\w-]*)+$")


def _unframed(sides: tuple[str, str]) -> tuple[str, str]:
    """ "Compare the Labour and Liberal Democrat manifestos": when the first side is a name
    alone and the last a name followed by lowercase words, those words frame both sides."""
    framed = _NAME_THEN_WORDS.match(sides[1])
    if framed and not re.search(r"\s[a-z]", sides[0]) and sides[0][:1].isupper():
        return sides[0], framed.group(1)
    return sides


def sides_asked_before(text: str, asked: list[str]) -> tuple[str, ...]:
    """"Compare them", "How do they differ?" after two questions that differ by a name
    ("What has Northlink Ferries offered?", then "And Orkney Sealines?"): the names that only
    one of the two uses, in the order they were asked; () for any other question, and for
    one that names what it compares."""
    if not _COMPARISON.search(text) or comparison_sides(text) or name_phrases(text) or len(asked) < 2:
        return ()
    before, last = name_phrases(asked[-2]), name_phrases(asked[-1])
    first = [name for name in before if name not in last]
    second = [name for name in last if name not in before]
    return (first[0], second[0]) if first and second else ()


def _bare(side: str) -> str:
    """ "the U.S. approach" -> "U.S."; "Japan's approach" -> "Japan": what names the side, not its frame."""
    side = side.strip().rstrip("?!")
    if side.endswith(".") and not _ABBREVIATION_END.search(side):
        side = side[:-1]
    side = _LEAD.sub("", side)
    side = _FRAME_OF.sub("", side) or side
    # "the Scissor Sisters' record": a plural owner's apostrophe alone
    owner = re.split(r"['’]s\b|(?<=s)['’](?=\s|$)", side, maxsplit=1)
    if len(owner) == 2 and owner[0].strip():  # "Claudio Ranieri's departure from Valencia": Claudio Ranieri
        return owner[0].strip()
    return _TRAIL.sub("", side).strip()


def _owned(side: str) -> str:
    """The name an owner's possessive introduces ("Sony's Qrio" -> "Qrio"), else "". Only
    when both sides have one is it the side: in "Foxx's and Swank's Screen Actors Guild
    wins" the name after the last possessive frames both sides."""
    owned = re.search(r"['’]s\s+((?:[A-Z][\w.&-]*(?:\s+|$))+)", side.strip().rstrip("?!."))
    return owned.group(1).strip() if owned else ""


def side_query(text: str, side: str, sides: tuple[str, ...]) -> str:
    """What one side of a comparison is retrieved with: the side's name and the question
    without the other sides' names (else the best-known side wins every retrieval)."""
    for other in sides:
        if other != side:
            text = re.sub(re.escape(other), " ", text, flags=re.I)
    return f"{side} {' '.join(text.split())}"
