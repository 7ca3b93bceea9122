"""Questions that are not one-fact lookups, on small articles written for these tests:
an overview covers the article, a comparison cites both sides, a list names each item
once, a description leads with the sentence that introduces its subject."""

from __future__ import annotations

import pytest

from tests.assistant.conftest import index_articles

ARTICLES = {
    "harbour-plan.txt": """Harbour town unveils ten-year plan

Kelby council has unveiled a ten-year plan to rebuild its harbour, at a cost of £80m.

The first phase will replace the sea wall, which was damaged in the storms of 2022.

The second phase adds a ferry terminal with room for two vessels, due to open in 2029.

Local fishermen welcomed the plan but asked for a larger landing quay for their boats.

The council will consult residents until the end of June before a final vote in September.
""",
    "ferry-rivals.txt": """Ferry firms compete for island route

Two companies, Northlink Ferries and Orkney Sealines, are bidding to run the Kelby island route.

Northlink Ferries has offered a daily crossing with a new hybrid vessel and fares cut by a tenth.

Orkney Sealines has proposed two crossings a day in summer using its existing ships.

The council's transport committee will choose between the bids in the spring.
""",
    "rail-suppliers.txt": """Train makers chosen for the coastal line

The coastal railway has chosen Hitachi Rail, Alstom and Stadler to supply its new trains.

Hitachi Rail will build twelve electric units, Alstom will provide the signalling and Stadler will deliver four battery trains.

Dr. Mara Quill, the railway's chief engineer, said the new fleet would halve journey times.

Quill joined the railway in 2015 after twenty years designing bridges.

She led the design of the Kelby viaduct, which opened in 2019.
""",
    "relay-team.txt": """Kelby runners picked for the relay

Selectors have named Sarah Jennings as captain of the county relay team for the spring championships.

The selectors picked Jennings, Walker and Price after the trials in Dundee on Saturday.

Tom Walker won the trials in record time, and Emma Price finished a close second.
""",
    "book-prizes.txt": """Debut novels sweep the county book prizes

Harrow Lane won the county's fiction prize on Thursday, the first debut to do so.

Salt Roads, a collection about the fishing villages of the coast, won the poetry prize.

The children's prize was won by The Lantern Keeper after a unanimous vote of the judges.

The ceremony was held at Kelby library, which reopened last year after a fire.
""",
    "mill-fire-1.txt": """Fire destroys Kelby's old woollen mill

A fire has destroyed the old woollen mill in Kelby, the town's oldest industrial building.

Fire crews were called to the mill shortly after midnight and fought the blaze for six hours.

Nobody was hurt, but the roof and the upper floors collapsed.

The mill was built in 1820 and had stood empty since the looms stopped in 1968.

Police said the cause of the fire was not yet known.
""",
    "mill-fire-2.txt": """Owners vow to rebuild Kelby mill after fire

The old woollen mill in Kelby has been destroyed by a fire, the town's oldest industrial building gone.

Its owners, the Brannock family, said they would rebuild the mill as flats and a museum of weaving.

The family bought the empty mill in 2019 and had planning permission for the conversion.

Insurers will assess the damage next week, and work could start in the autumn.

Neighbours said they had feared a fire in the empty building for years.
""",
}


@pytest.fixture(scope="module")
def shapes_bot(tmp_path_factory, embedder):
    return index_articles(ARTICLES, tmp_path_factory.mktemp("shapes-corpus"),
                          tmp_path_factory.mktemp("shapes-index"), embedder)


def test_an_overview_covers_the_article_in_its_order_and_cites_it(shapes_bot):
    answer = shapes_bot.ask("What are the main points of the article about the harbour plan?")
    assert answer.shape == "overview" and not answer.refused, answer.text
    for fact in ("£80m", "sea wall", "ferry terminal", "fishermen", "consult residents"):
        assert fact in answer.text, (fact, answer.text)
    assert {c.doc_id.split("/")[-1] for c in answer.citations} == {"harbour-plan.txt"}
    assert answer.text.index("sea wall") < answer.text.index("ferry terminal")  # the article's order
    assert "|" not in answer.text


def test_tell_me_more_after_an_overview_gives_what_it_left_out_then_says_it_ends(tmp_path, embedder):
    import re

    from tests.assistant.conftest import index_articles

    facts = ["The council approved the new harbour wall on Monday.", "It will cost £12m and take three years.",
             "Work starts in April with the northern breakwater.", "Fishermen asked for a larger landing quay.",
             "The old wall was damaged in the storms of 2022.", "A ferry terminal is planned for the second phase.",
             "Residents will be consulted until the end of June.", "The final vote is due in September.",
             "Traders hope the works will bring more visitors.", "The harbour master called the plan overdue."]
    bot = index_articles({"wall.txt": "Kelby harbour wall approved\n\n" + "\n\n".join(facts) + "\n"},
                         tmp_path / "corpus", tmp_path / "data", embedder)
    chat = bot.conversation()
    first = chat.ask("Summarize the article about the harbour wall")
    more = chat.ask("Tell me more")
    assert more.shape == "overview" and not more.refused and more.citations, more.text

    def sentences(answer):
        return {s.strip() for s in re.split(r"\[\d+\]", answer.text.split("\n", 1)[-1]) if s.strip()}

    assert sentences(more) and not sentences(more) & sentences(first), (first.text, more.text)
    assert sentences(first) | sentences(more) == set(facts), more.text  # six, then the other four
    end = chat.ask("Tell me more")
    assert end.refused and end.refusal.code == "article_ends", end.text


def test_the_gist_of_what_one_article_is_about_is_that_articles_whole_overview(shapes_bot):
    """The article whose title holds as many of the question's words as another's but that
    retrieval ranks first; asked as a topic ("What do the articles say ..."), with no other
    article about it, the article's whole overview, not the three sentences a topic gives
    each of several articles; its title once, as the heading, not again as a sentence."""
    answer = shapes_bot.ask("Give me the gist of Kelby's harbour rebuilding plan.")
    assert answer.shape == "overview" and not answer.refused, answer.text
    assert {c.doc_id.split("/")[-1] for c in answer.citations} == {"harbour-plan.txt"}, answer.text
    covered = [f for f in ("£80m", "sea wall", "ferry terminal", "fishermen", "consult residents") if f in answer.text]
    assert len(covered) >= 4, answer.text
    assert answer.text.count("Harbour town unveils ten-year plan") == 1, answer.text
    topic = shapes_bot.ask("What do the articles say about the harbour rebuilding plan?")
    assert {c.doc_id.split("/")[-1] for c in topic.citations} == {"harbour-plan.txt"}, topic.text
    covered = [f for f in ("£80m", "sea wall", "ferry terminal", "fishermen", "consult residents") if f in topic.text]
    assert len(covered) >= 4, topic.text


def test_an_overview_of_a_topic_gives_each_article_what_it_adds(shapes_bot):
    answer = shapes_bot.ask("What do the articles say about the fire at the Kelby mill?")
    assert answer.shape == "overview" and not answer.refused, answer.text
    cited = {c.doc_id.split("/")[-1] for c in answer.citations}
    assert {"mill-fire-1.txt", "mill-fire-2.txt"} <= cited, answer.text
    # the second article opens by repeating the first one's news; it is said once, and the
    # second article gives what is its own instead
    assert answer.text.count("oldest industrial building") == 1, answer.text
    assert "Brannock family" in answer.text and "six hours" in answer.text, answer.text


def test_the_main_points_of_the_articles_are_each_articles_gist(shapes_bot):
    """No topic named: the newest articles, each under its title, not a refusal."""
    answer = shapes_bot.ask("What are the main points of the articles?")
    assert answer.shape == "overview" and not answer.refused, answer.text
    assert len({c.doc_id for c in answer.citations}) >= 2, answer.text
    assert answer.text.count("**") >= 4, answer.text  # a heading per article


def test_a_topic_the_articles_only_touch_gets_what_each_says_of_it(tmp_path, embedder):
    """Neither title names the congestion charge, and neither article's gist holds it:
    each article gives what it says of the charge."""
    from tests.assistant.conftest import index_articles

    articles = {
        "budget.txt": "Kelby budget approved\n\nKelby council has approved a £12m budget for the coming year.\n\n"
                      "Spending on schools will rise by 4%, and libraries will open on Sundays from April. Parks will "
                      "get new lighting and the swimming pool will be repaired. A congestion charge of £5 a day for "
                      "drivers entering the town centre was also approved, to start in June.\n",
        "traders.txt": "Traders fear for the town centre\n\nKelby's traders say fewer shoppers are coming into the "
                       "town centre.\n\nFootfall fell by 8% in January, and three shops on the high street have "
                       "closed. The market hall will now open only four days a week. The traders' association blamed "
                       "the congestion charge for keeping drivers away, and asked the council to cut it to £2 a day.\n",
    }
    bot = index_articles(articles, tmp_path / "topic", tmp_path / "data", embedder)
    answer = bot.ask("What do the articles say about the congestion charge?")
    assert answer.shape == "overview" and not answer.refused, answer.text
    assert "congestion charge of £5" in answer.text and "blamed the congestion charge" in answer.text, answer.text


def test_a_topic_of_a_common_and_a_rare_word_is_what_each_shipped_article_says_of_it(bot):
    """ "AI" opens both shipped articles, "sovereign" neither: neither opening names
    "sovereign AI", so each article gives what it says of it (Malaysia's sovereign AI fund,
    SEA-LION, ILMU and Sahabat-AI), not the Japan article's gist alone."""
    answer = bot().ask("What do the articles say about sovereign AI?")
    assert answer.shape == "overview" and not answer.refused, answer.text
    assert len({c.doc_id for c in answer.citations}) == 2, answer.text
    assert "sovereign AI development fund" in answer.text and "SEA-LION" in answer.text, answer.text


def test_a_story_filed_twice_is_one_article_of_a_topic_overview(tmp_path, embedder):
    """The same story under two ids (as in the BBC corpus) is shown once, and the other
    article on the topic still gets its place."""
    from tests.assistant.conftest import index_articles

    story = ("Kelby pier to close for repairs\n\nKelby's Victorian pier will close for two years from March while "
             "engineers replace its rusting iron legs.\n\nThe council said the £8m repair was the only way to keep "
             "the pier standing. Fishing trips from the pier will move to the harbour wall.\n")
    articles = {
        "pier.txt": story,
        "pier-copy.txt": story.replace("The council said", "The town council said"),
        "pier-traders.txt": "Pier traders count the cost\n\nTraders on Kelby pier say the two-year closure "
                            "will cost them their summer trade.\n\nThe ice cream kiosk and the arcade will move "
                            "to the promenade, where the council has offered them stalls rent-free.\n",
    }
    bot = index_articles(articles, tmp_path / "twice", tmp_path / "data", embedder)
    answer = bot.ask("What do the articles say about the closure of Kelby pier?")
    assert answer.shape == "overview" and not answer.refused, answer.text
    assert answer.text.count("Kelby pier to close for repairs") == 1, answer.text
    assert "ice cream kiosk" in answer.text or "summer trade" in answer.text, answer.text


def test_a_topic_overview_leaves_out_an_article_that_only_mentions_the_topic_in_passing(tmp_path, embedder):
    """Two articles open with the pier's closure; a third, about the council's budget, says a
    word of it further on: it is no article about the closure."""
    articles = {
        "pier.txt": "Kelby pier to close for repairs\n\nKelby's Victorian pier will close for two years from March "
                    "while engineers replace its rusting iron legs. The council said the £8m repair was the only way "
                    "to keep the pier standing.\n",
        "traders.txt": "Pier traders count the cost of closure\n\nTraders on Kelby pier say the two-year closure of "
                       "the pier will cost them their summer trade. The ice cream kiosk will move to the promenade.\n",
        "budget.txt": "Council sets its budget\n\nKelby council has set a budget of £120m for next year, with council "
                      "tax up 4%. Spending on schools rises by £3m and the bin collection moves to fortnightly. "
                      "Libraries keep their opening hours, and the swimming pool reopens in June after its new roof "
                      "is finished. Councillors voted 31 to 12 for the plan after a debate of four hours, in which "
                      "the opposition called the rise in council tax the largest in a decade. Park wardens, street "
                      "lighting and the town's two museums keep their money; the tourist office loses a post. "
                      "Fees for parking rise by 20p an hour in the town centre and by 10p at the station, and the "
                      "park and ride bus will run every fifteen minutes instead of every twenty. Grants to the "
                      "arts centre and the youth clubs are frozen for a second year.\n\nThe closure of Kelby pier "
                      "takes £8m of the budget: the pier will close for two years from March while its iron legs "
                      "are replaced, and the council says the pier's traders will get stalls on the promenade.\n",
    }
    answer = _shaped(articles, "What do the articles say about the closure of Kelby pier?", "overview", tmp_path, embedder)
    assert "Kelby pier to close for repairs" in answer.text and "Pier traders" in answer.text, answer.text
    assert "Council sets its budget" not in answer.text, answer.text


def test_a_comparison_gives_each_side_under_its_name_and_cites_both(shapes_bot):
    answer = shapes_bot.ask("Compare Northlink Ferries and Orkney Sealines")
    assert answer.shape == "comparison" and not answer.refused, answer.text
    assert "**Northlink Ferries**" in answer.text and "**Orkney Sealines**" in answer.text
    assert answer.text.index("hybrid vessel") < answer.text.index("**Orkney Sealines**") < answer.text.index(
        "existing ships")
    assert answer.citations
    # a sentence naming both sides tells one of them; the other is told with its own
    assert answer.text.count("Two companies, Northlink Ferries and Orkney Sealines") <= 1, answer.text


def test_a_side_of_a_comparison_is_not_told_with_a_sentence_from_another_story(tmp_path, embedder):
    from tests.assistant.conftest import index_articles

    articles = {
        "bids.txt": "Island route bids opened\n\nNorthlink Ferries has offered a daily crossing with a new hybrid "
                    "vessel.\n\nOrkney Sealines has proposed two crossings a day in summer using its existing ships.\n",
        "regatta.txt": "Kelby regatta draws a record crowd\n\nThe regatta's safety boat was lent by Orkney Sealines, "
                       "whose crews train for rescues at sea.\n\nA record 4,000 people watched the races.\n",
    }
    bot = index_articles(articles, tmp_path / "ferries", tmp_path / "data", embedder)
    answer = bot.ask("Compare the bids of Northlink Ferries and Orkney Sealines")
    assert answer.shape == "comparison" and not answer.refused, answer.text
    assert "**Northlink Ferries**" in answer.text and "**Orkney Sealines**" in answer.text, answer.text
    assert "two crossings a day" in answer.text and "hybrid vessel" in answer.text, answer.text
    assert "safety boat" not in answer.text, answer.text  # names a side, but is another story
    assert {c.doc_id.split("/")[-1] for c in answer.citations} == {"bids.txt"}, answer.text


def test_a_comparison_with_a_side_no_article_mentions_is_refused_naming_it(shapes_bot):
    answer = shapes_bot.ask("Compare Northlink Ferries and Caledonian MacBrayne")
    assert answer.refused and "Caledonian MacBrayne" in answer.refusal.reason
    assert "Northlink" not in answer.refusal.reason


def test_a_list_names_every_item_once_with_citations(shapes_bot):
    answer = shapes_bot.ask("Which companies will supply the coastal railway?")
    assert answer.shape == "list" and not answer.refused, answer.text
    for item in ("Hitachi Rail", "Alstom", "Stadler"):
        assert answer.text.count(item) == 1, (item, answer.text)
    assert "[1]" in answer.text and answer.citations


def test_a_list_gives_people_by_the_full_names_their_article_introduces(shapes_bot):
    answer = shapes_bot.ask("Which runners were picked for the relay team?")
    assert answer.shape == "list" and not answer.refused, answer.text
    for name in ("Sarah Jennings", "Tom Walker", "Emma Price"):  # its list sentence says "Jennings, Walker and Price"
        assert answer.text.count(name) == 1, (name, answer.text)


def test_a_list_spread_over_sentences_gathers_the_item_of_each(shapes_bot):
    # no sentence enumerates the winners: each names one, as news often writes a list
    answer = shapes_bot.ask("Which books won the county book prizes?")
    assert answer.shape == "list" and not answer.refused, answer.text
    for title in ("Harrow Lane", "Salt Roads", "The Lantern Keeper"):
        assert answer.text.count(title) == 1, (title, answer.text)
    assert "Kelby" not in answer.text, answer.text  # the library is no winner


def test_a_description_leads_with_the_sentence_that_introduces_its_subject(shapes_bot):
    answer = shapes_bot.ask("Who is Mara Quill?")
    assert answer.shape == "description" and not answer.refused, answer.text
    assert answer.text.startswith("Dr. Mara Quill, the railway's chief engineer"), answer.text
    # then what the article says of her, by name or by a pronoun right after her name
    assert "twenty years designing bridges" in answer.text and "Kelby viaduct" in answer.text, answer.text


def test_a_follow_up_keeps_the_shape_of_the_question_before(shapes_bot):
    chat = shapes_bot.conversation()
    chat.ask("Summarize the article about the harbour plan")
    follow = chat.ask("And the other article about the ferry firms?")
    assert follow.shape == "overview", follow.text
    assert any(c.doc_id.endswith("ferry-rivals.txt") for c in follow.citations), follow.text


def test_a_whole_question_after_a_list_has_its_own_shape(shapes_bot):
    """Only an elliptical follow-up ("And the other article?") keeps the shape before."""
    chat = shapes_bot.conversation()
    assert chat.ask("Which books won the county book prizes?").shape == "list"
    follow = chat.ask("Which prize did Salt Roads win?")
    assert follow.shape == "lookup" and "poetry prize" in follow.text, follow.text


def test_and_the_other_article_gives_an_article_the_answer_before_did_not_cite(shapes_bot):
    chat = shapes_bot.conversation()
    first = chat.ask("Summarize the article about the harbour plan")
    assert {c.doc_id.split("/")[-1] for c in first.citations} == {"harbour-plan.txt"}, first.text
    other = chat.ask("And the other article?")
    assert other.shape == "overview" and not other.refused, other.text
    cited = {c.doc_id.split("/")[-1] for c in other.citations}
    assert len(cited) == 1 and "harbour-plan.txt" not in cited, other.text


def test_and_another_name_asks_the_question_before_of_that_name(shapes_bot):
    """"And Orkney Sealines?" is "What does Orkney Sealines propose?": glued to the question
    before, it would be read with both firms' names, and the first firm's sentence wins."""
    chat = shapes_bot.conversation()
    first = chat.ask("What does Northlink Ferries propose?")
    assert "hybrid vessel" in first.text, first.text
    other = chat.ask("And Orkney Sealines?")
    assert other.standalone_question == "What does Orkney Sealines propose?"
    assert "two crossings a day" in other.text and "hybrid vessel" not in other.text, other.text


def test_a_transcript_sent_back_is_replayed_with_its_and_questions_as_they_were_read(shapes_bot):
    """An API client keeps no state: it sends the turns back, and "And Orkney Sealines?" among
    them stands for "What does Orkney Sealines propose?", so the next "And ...?" asks that."""
    history = [("What does Northlink Ferries propose?", "Northlink Ferries has offered a daily crossing.", None),
               ("And Orkney Sealines?", "Orkney Sealines has proposed two crossings a day.", None)]
    again = shapes_bot.conversation(history).ask("And Northlink Ferries?")
    assert again.standalone_question == "What does Northlink Ferries propose?"
    assert "hybrid vessel" in again.text, again.text


def test_compare_them_sets_the_names_of_the_two_questions_before_side_by_side(shapes_bot):
    chat = shapes_bot.conversation()
    chat.ask("What does Northlink Ferries propose?")
    chat.ask("And Orkney Sealines?")
    compared = chat.ask("Compare them")
    assert compared.shape == "comparison" and not compared.refused, compared.text
    assert compared.text.index("**Northlink Ferries**") < compared.text.index("**Orkney Sealines**"), compared.text
    assert "hybrid vessel" in compared.text and "two crossings a day" in compared.text, compared.text


def test_how_do_they_differ_after_two_descriptions_compares_their_subjects(shapes_bot):
    chat = shapes_bot.conversation()
    assert chat.ask("Who is Dr. Mara Quill?").shape == "description"
    assert chat.ask("And Sarah Jennings?").shape == "description"
    compared = chat.ask("How do they differ?")
    assert compared.shape == "comparison" and not compared.refused, compared.text
    assert "**Dr. Mara Quill**" in compared.text and "**Sarah Jennings**" in compared.text, compared.text
    cited = {c.doc_id.split("/")[-1] for c in compared.citations}
    assert cited == {"rail-suppliers.txt", "relay-team.txt"}, compared.text


def test_comparing_the_articles_gives_each_ones_gist_under_its_title(shapes_bot):
    chat = shapes_bot.conversation()
    chat.ask("Summarize the article about the harbour plan")
    chat.ask("And the other article about the ferry firms?")
    both = chat.ask("Compare the two articles")
    assert both.shape == "overview" and not both.refused, both.text
    cited = {c.doc_id.split("/")[-1] for c in both.citations}
    assert cited == {"harbour-plan.txt", "ferry-rivals.txt"}, both.text  # the two, not a third


def test_a_follow_up_asking_for_more_goes_on_from_the_answer_before(shapes_bot):
    chat = shapes_bot.conversation()
    first = chat.ask("How many battery trains will Stadler deliver?")
    assert "four battery trains" in first.text, first.text
    more = chat.ask("Why does it matter?")  # few words of its own: the turn before chose the article
    assert not more.refused, more.text
    assert "halve journey times" in more.text, more.text  # what the article says right after it
    assert all(c.doc_id.endswith("rail-suppliers.txt") for c in more.citations), more.text


@pytest.mark.parametrize(
    "question, shape",
    [
        ("What are the main points of the Japan-ASEAN article?", "overview"),
        ("Summarize the story on the takeover", "overview"),
        ("Tell me briefly what the article on the takeover says.", "overview"),
        ("What has been reported about the ferry strike?", "overview"),
        ("What happened with the ferry company's takeover bid?", "overview"),
        ("What's the latest on the ferry strike?", "overview"),
        ("What happened to the ferry in the storm?", "lookup"),  # one fact about it
        ("Compare the U.S. and Japanese approaches to ASEAN", "comparison"),
        ("How does Blu-ray differ from HD-DVD?", "comparison"),
        ("List the frameworks mentioned", "list"),
        ("Which games won awards?", "list"),
        ("Which sovereign AI models have ASEAN countries developed?", "list"),
        ("What new frameworks did ASEAN adopt?", "list"),
        ("What percentage of voters are undecided?", "lookup"),
        ("Which company makes the iPod?", "lookup"),
        ("Who is Dr. Amina Sharma?", "description"),
        ("What does ILMU stand for?", "lookup"),
        ("Who scored the opener for Rovers?", "lookup"),
        ("What is South Korea's AI budget?", "lookup"),
        ("How many names are listed?", "lookup"),
        ("What makes the new engine more efficient?", "lookup"),  # a verb with its object, no plural noun
        ("What happens to the ferry when the river freezes?", "lookup"),
        ("What happens when the river freezes?", "lookup"),  # a clause, not a plural noun, after "happens"
        ("Which ferry firm took charge of the route?", "lookup"),  # a singular head before the verb
        ("Which captain was cited as the cause of the delay?", "lookup"),  # one cited
        ("What is the name of the charity that the crews are involved in?", "lookup"),  # "involved" in a relative clause
        ("Which firms are mentioned?", "list"),
        ("To which countries of origin does the minister want to return them?", "list"),  # "of" after a plural head
        ("What types of attacks does the software block?", "list"),
        ("Under what 'special conditions' may the ferry sail at night?", "list"),  # a quoted head, "under" before it
        ("What two people founded the ferry company?", "list"),  # a plural without an "s"
        ("What is mentioned in the article?", "list"),
        ("Who is quoted in the articles?", "list"),
        ("Condense the article about the ferry strike into a paragraph.", "overview"),
        ("Explain briefly what the report on the harbour plan is about.", "overview"),
        ("Where do things stand on the ferry strike?", "overview"),
        ("How has the press covered the ferry strike?", "overview"),
        ("What kind of company is Kelby Ferries?", "description"),
        ("What is the Commission for Harbours?", "description"),  # a name holding "for"
        ("Who is the Director of Harbours?", "lookup"),  # whoever holds the role
        ("What does phishing mean?", "description"),
        ("How does the Kelby Mini measure up to the Ardmore Zen?", "comparison"),
        ("What separates the Kelby bid from Ardmore's?", "comparison"),
        ("The river separates Kelby from which town?", "lookup"),
        ("What did the union list as the obstacles to a deal?", "list"),
        ("Please list the ferries in service.", "list"),
        ("Could you give me the towns where the ferry stops?", "list"),
        ("What were the main criticisms of the harbour plan?", "list"),
        ("Which of the two ferry firms carried more passengers?", "lookup"),  # one of two
        ("Which of the council's plans was approved first?", "lookup"),  # one chosen
        ("Name the harbour where the ferry sank.", "lookup"),
        ("Who was mentioned by both stories?", "list"),
        ("What divides Harbour Town?", "lookup"),
        ("Which players scored twice?", "list"),
        ("In which towns does the ferry company own depots?", "list"),  # a preposition leads; "does" after a plural
        ("Which foreign carmakers already have plants in India?", "list"),  # an adverb before the verb
        ("By what means is the cargo shipped?", "lookup"),  # "means" is no plural
        ("Between what dates was the pier closed?", "lookup"),  # a range, not items
        ("Which farmers' union opposed the plan?", "lookup"),  # a plural owner of a singular noun
        ("Who are the nominees for best film?", "list"),  # a plural asked after "who are the"
        ("Who are the members of the winning relay team?", "list"),  # people asked, "of" after them
        ("Who are the three Italians arrested in the raid?", "list"),  # a number of them, a capitalised plural
        ("Who is the head of the union?", "lookup"),
        ("What are the terms of the deal?", "lookup"),  # "what ... of": the terms are what is asked of the deal
        ("Which marginal seats is the campaign targeting?", "list"),  # a plural object before a singular auxiliary
        ("Which former ministers and party leaders does the report name?", "list"),  # a coordination
        ("Which team is Henry playing for?", "lookup"),
        ("Which Premiership clubs fell to lower-league sides?", "list"),  # an irregular past after the head
        ("Which Labour MPs have rebelled?", "list"),  # an acronym's plural
        ("Which of the minister's colleagues backed him?", "list"),
        ("Who were among the winners at the awards?", "list"),
        ("Tell me which bands are playing at the festival.", "list"),
        ("Identify the players the club signed in the summer.", "list"),
        ("Name the company that bought the PC business.", "lookup"),  # one, named
        ("Who was named Player of the Year?", "lookup"),  # named as, not mentioned
        ("Who was crowned world champion?", "lookup"),  # what was done to one, not who one is
        ("Can you tell me who Jonny Wilkinson is?", "description"),
        ("Who exactly is Ken Livingstone?", "description"),
        ("How is Firefox different from Internet Explorer?", "comparison"),
        ("What distinguishes Skype from a phone line?", "comparison"),
        ("Recap the story on the ferry strike.", "overview"),
        ("Any news on the ferry strike?", "overview"),
        ("What's been happening with MG Rover?", "overview"),
        ("What changes to the licence fee did the review propose?", "list"),  # a plural object before its auxiliary
        ("What happens to the money if the deal fails?", "lookup"),  # a verb: no auxiliary follows
        ("Who won prizes at the awards?", "list"),  # a bare plural done by whoever is asked: many
        ("Who scored goals for the club this season?", "list"),
        ("Who won the match?", "lookup"),
        ("Who lost his job?", "lookup"),
        ("Who else was nominated?", "list"),
        ("Catch me up on the Yukos affair.", "overview"),
        ("Fill me in on the row over the smoking ban.", "overview"),
        ("What were the band's biggest hits?", "list"),
        ("What are the new rules on smoking?", "list"),
        ("Which of the companies reported losses?", "list"),
        ("Can you list the countries that signed the deal?", "list"),
        ("Tell me the players in the squad.", "list"),
        ("What are the rows of combs called?", "lookup"),  # the plural is the subject; its name is asked
        ("What are the results of the vote?", "lookup"),
        ("Who were the Beatles?", "description"),  # a name, not a plural noun
        ("What is the latest inflation rate?", "lookup"),  # an attribute asked, not what a thing is
        ("What was the final score?", "lookup"),
        ("Besides the ferry, which boats did the council buy?", "list"),  # a phrase and a comma may lead
        ("Which Kelby players scored in the final?", "list"),  # a name, a plural, a verb in the past
        ("Which tracks has the council put up for sale?", "list"),  # a plural before "has" is its object
        ("What are the town's four main state schools?", "list"),
        ("Which film studio's concerns led him to quit?", "lookup"),  # the owner is asked for
        ("Which city wanted its citizens portrayed better?", "lookup"),
        ("What gas does the plant produce?", "lookup"),  # a singular noun in -s
        ("In a progressive tax, what increases as income rises?", "lookup"),  # a verb, then "as"
    ],
)
def test_the_shape_of_a_question_is_told_by_its_cue_words(question, shape):
    from assistant.reading.shapes import shape_of

    assert shape_of(question).kind == shape


@pytest.mark.parametrize(
    "question, scope",
    [
        ("Summarize the story on the takeover", "article"),
        ("Tell me briefly what the article on the takeover says.", "article"),
        ("What do the articles say about the takeover?", "topic"),
        ("What has been reported about the ferry strike?", "topic"),  # the news, wherever it is
        ("What happened with the ferry company's takeover bid?", "topic"),
        ("Summarize both articles", "topic"),
        ("Compare the two articles", "topic"),  # the articles themselves compared: each one's gist
        ("What does the article on the ferry strike say, in short?", "article"),
        ("Could you boil down the article on the takeover?", "article"),
        ("Any news on the ferry strike?", "topic"),
        ("What's new with the ferry company?", "topic"),
        ("How has the coverage described the economy?", "topic"),
        ("What are the differences between the two stories?", "topic"),
    ],
)
def test_an_overview_is_of_one_article_or_of_a_topic(question, scope):
    from assistant.reading.shapes import shape_of

    shape = shape_of(question)
    assert shape.kind == "overview" and shape.scope == scope


@pytest.mark.parametrize(
    "question, sides",
    [
        ("Compare Tim Henman and Greg Rusedski in their Dubai match.", ("Tim Henman", "Greg Rusedski")),
        ("Compare the Bank of England and the European Central Bank", ("Bank of England", "European Central Bank")),
        ("How did Ranieri's exit from Valencia differ from Santini's exit from Spurs?", ("Ranieri", "Santini")),
        ("Compare the U.S. and Japanese approaches to ASEAN", ("U.S.", "Japanese")),
        ("Compare the bids of Northlink Ferries and Orkney Sealines", ("Northlink Ferries", "Orkney Sealines")),
        ("How did the results of Tesco differ from those of Sainsbury?", ("Tesco", "Sainsbury")),
        ("Compare Sony's Qrio and Honda's Asimo", ("Qrio", "Asimo")),  # the things owned, each side's own
        ("Compare Foxx's and Swank's Screen Actors Guild wins", ("Foxx", "Swank")),  # a frame of both
        ("How do the Kelby and Ardmore ferry bids compare?", ("Kelby", "Ardmore")),
        ("How does the Kelby Mini stack up against the Ardmore Zen?", ("Kelby Mini", "Ardmore Zen")),
        ("Henman and Rusedski: how do they compare as players?", ("Henman", "Rusedski")),
        ("Compare the Labour and Liberal Democrat manifestos on education", ("Labour", "Liberal Democrat")),
        ("Compare Kelby's ferry links with Ardmore and with Oban.", ("Ardmore", "Oban")),  # the sides after the frame
        ("Kelby Ferries vs Ardmore Lines: who carries more?", ("Kelby Ferries", "Ardmore Lines")),  # the question after a colon
    ],
)
def test_a_frame_around_the_sides_belongs_to_both_sides_not_to_their_names(question, sides):
    from assistant.reading.shapes import comparison_sides

    assert comparison_sides(question) == sides


class RecordingModel:
    """A deterministic stand-in for an LLM: records the prompt, answers with one sentence of
    the article (for checking how the prompt is assembled, not for testing a backend)."""

    name = "recording"

    def __init__(self) -> None:
        self.prompts: list[list[dict]] = []

    def stream_chat(self, messages, max_tokens):
        self.prompts.append(messages)
        yield "Kelby council has unveiled a ten-year plan to rebuild its harbour, at a cost of £80m [1]."


def test_with_an_llm_the_shape_decides_the_context_and_the_instruction(shapes_bot):
    model = RecordingModel()
    shapes_bot.engine._models["openai"] = model
    try:
        answer = shapes_bot.ask("Summarize the article about the harbour plan", backend="openai")
        comparison = shapes_bot.ask("Compare Northlink Ferries and Orkney Sealines", backend="openai")
    finally:
        del shapes_bot.engine._models["openai"]
    overview_prompt = model.prompts[0][-1]["content"]
    for fact in ("sea wall", "ferry terminal", "fishermen", "consult residents"):  # the whole article
        assert fact in overview_prompt
    assert "gist" in overview_prompt and "£80m" in answer.text and answer.citations
    compare_prompt = model.prompts[1][-1]["content"]
    assert "hybrid vessel" in compare_prompt and "existing ships" in compare_prompt  # both sides
    assert "one short paragraph per side" in compare_prompt and comparison.shape == "comparison"


def test_a_company_named_as_the_owner_of_what_it_does_is_listed(tmp_path, embedder):
    from tests.assistant.conftest import index_articles

    articles = {"port.txt": "Investors back Kelby port\n\nVodafone's investment of £10m will pay for a 5G network at "
                            "Kelby port.\n\nSiemens's contract covers the port's power supply until 2030.\n\n"
                            "The harbour master said trade had doubled since 2019.\n"}
    bot = index_articles(articles, tmp_path / "port", tmp_path / "data", embedder)
    answer = bot.ask("Which companies are investing in Kelby port?")
    assert answer.shape == "list" and not answer.refused, answer.text
    assert answer.text.count("Vodafone") == 1, answer.text  # "Vodafone's investment": Vodafone's own


def _shaped(articles: dict[str, str], question: str, shape: str, tmp_path, embedder):
    """The answer to a question over these articles alone; it has this shape and is no refusal."""
    from tests.assistant.conftest import index_articles

    answer = index_articles(articles, tmp_path / "articles", tmp_path / "data", embedder).ask(question)
    assert answer.shape == shape and not answer.refused, answer.text
    return answer


def _listed(articles: dict[str, str], question: str, tmp_path, embedder):
    """The answer to a list question over these articles alone; it is a list, not a refusal."""
    return _shaped(articles, question, "list", tmp_path, embedder)


def test_a_list_announced_in_one_sentence_is_read_from_the_names_of_the_next(tmp_path, embedder):
    """ "Kelby council has ordered three new ferries" answers, but names none; the sentence
    after it does, and opens with the first of them ("Osprey, Kittiwake and Fulmar will ...")."""
    articles = {"ferries.txt": "Council orders new ferries\n\n"
                               "Kelby council has ordered three new ferries for the island route, at a cost of £60m.\n\n"
                               "Osprey, Kittiwake and Fulmar will enter service in 2027. "
                               "The ferries will carry 300 passengers each. Islanders welcomed the news.\n"}
    answer = _listed(articles, "Which ferries has Kelby council ordered?", tmp_path, embedder)
    for name in ("Osprey", "Kittiwake", "Fulmar"):
        assert answer.text.count(name) == 1, (name, answer.text)


def test_a_list_an_article_sets_out_in_bullets_is_read_from_its_labels(tmp_path, embedder):
    articles = {"projects.md": "# Kelby council approves its projects\n\nThe council approved three projects for "
                               "the coming decade.\n\n- Harbour Renewal: ten years of work on the sea wall and the quay.\n"
                               "- Green Streets: trees and cycle lanes on every main road by 2030.\n"
                               "- Old Town Homes: four hundred homes in empty shops and offices.\n\n"
                               "The council will review each project every two years. Council leader Mary Dunn said "
                               "the Kelby Harbour Trust and Northern Rail had backed the projects, which the council "
                               "approved after the Green Party and the Civic Society asked for them.\n"}
    for asked in ("List the projects the council approved", "What are the key council projects?"):
        answer = _listed(articles, asked, tmp_path / str(len(asked)), embedder)
        for project in ("Harbour Renewal", "Green Streets", "Old Town Homes"):
            assert answer.text.count(project) == 1, (asked, project, answer.text)
        assert "sea wall" not in answer.text, answer.text  # the label, not the bullet's description
        for other in ("Mary Dunn", "Harbour Trust", "Northern Rail", "Green Party", "Civic Society"):  # the article's own list is the answer
            assert other not in answer.text, (other, answer.text)


def test_a_list_a_lead_in_announces_with_a_colon_gives_every_bullet(tmp_path, embedder):
    """The lead-in names no "measures", but announces the list and names what the question
    names; bullets with no full stop are items too, a long one whole."""
    articles = {"budget.txt": "Kelby unveils harbour budget\n\nKelby's finance chief Ann Roe presented the harbour "
                              "budget on Tuesday, saying the port had its best year since 1990. In her budget Ms Roe "
                              "has:\n\n- Doubled spending on dredging\n - Cut mooring fees by a fifth\n"
                              " - Announced that four million pounds will be spent on a new fish market by the north quay\n"
                              " - Frozen pilots' pay\n\nShe said the port's income rose 12% last year.\n",
                "other.txt": "Ardmore ferry timetable changes\n\nArdmore Ferries will run two more sailings a day "
                             "from May, the company said on Monday. Its chief, Tom Hale, said demand had grown.\n"}
    answer = _listed(articles, "What measures does Ann Roe's harbour budget include?", tmp_path, embedder)
    for measure in ("Doubled spending on dredging", "Cut mooring fees", "fish market", "Frozen pilots' pay"):
        assert answer.text.count(measure) == 1, (measure, answer.text)
    assert "Tom Hale" not in answer.text and "income rose" not in answer.text, answer.text


def test_a_list_asked_as_a_request_finds_what_the_same_question_finds(tmp_path, embedder):
    """ "List the band's singles" is read as the question it is: the reader was trained on
    questions only. A title of common words ("You Said No") is an item like any other."""
    articles = {"band.txt": "Kelby Lights to take a break\n\nPop band Kelby Lights have confirmed that they plan to "
                            "take a break after five years on the road. The band have had six top ten hits since "
                            "2019. Their singles include Harbour Song, Year Of Rain, You Said No, and Silver Tide. "
                            "The band will reconvene in due course, their record company said.\n"}
    for asked in ("List the singles of Kelby Lights.",
                  # which article it means is not what the reader looks for in a sentence
                  "List the singles named in the article about the band taking a break."):
        answer = _listed(articles, asked, tmp_path / str(len(asked)), embedder)
        for title in ("Harbour Song", "Year Of Rain", "You Said No", "Silver Tide"):
            assert answer.text.count(title) == 1, (asked, title, answer.text)


@pytest.mark.parametrize("request_, question", [
    ("List the frameworks mentioned", "What are the frameworks mentioned?"),
    ("Name all of the players who won awards.", "What are the players who won awards?"),
    ("List Busted's singles", "What are Busted's singles?"),
    ("Name a luxury division of Toyota.", "What is a luxury division of Toyota?"),
    ("Which films won?", "Which films won?"),  # a question already
    ("Listen to the minister's speech", "Listen to the minister's speech"),
    ("Name him", "Name him"),
])
def test_the_reader_reads_a_request_for_items_as_a_question(request_, question):
    from assistant.core.question import interrogative

    assert interrogative(request_) == question


@pytest.mark.parametrize("question, read", [
    ("List Busted's singles named in the article about the band taking a break.", "What are Busted's singles named?"),
    ("Which industries are shedding jobs, according to the article on the CBI survey?", "Which industries are shedding jobs?"),
    ("Which banks are named in the report by the FSA?", "Which banks are named in the report by the FSA?"),  # a report the news is about
    ("What is in the article?", "What is in the article?"),  # nothing left to read
])
def test_the_reader_does_not_read_which_article_the_question_means(question, read):
    from assistant.core.question import interrogative, without_the_article

    assert interrogative(without_the_article(question)) == read


def test_a_side_whose_name_repeats_a_word_is_not_any_article_with_that_word(tmp_path, embedder):
    articles = {"deal.txt": "Johnson & Johnson agrees Guidant deal\n\nHealthcare group Johnson & Johnson has agreed "
                            "to buy Guidant, a maker of heart devices, for $25bn.\n\nGuidant makes pacemakers and "
                            "defibrillators.\n",
                "sprint.txt": "Johnson criticises British sprinters\n\nFormer Olympic champion Michael Johnson has "
                              "accused Britain's sprinters of lacking ambition.\n\nJohnson won four Olympic golds. "
                              "Johnson said Johnson's own training was harder.\n",
                "sprint2.txt": "Johnson backs relay team\n\nMichael Johnson says the relay team can win. Johnson "
                               "coached two of them.\n"}
    bot = index_articles(articles, tmp_path / "deal", tmp_path / "data", embedder)
    answer = bot.ask("Compare Johnson & Johnson and Guidant")
    assert answer.shape == "comparison" and not answer.refused, answer.text
    assert all(c.doc_id.endswith("deal.txt") for c in answer.citations), answer.text


def test_a_side_named_once_in_full_is_followed_by_its_surname(tmp_path, embedder):
    from tests.assistant.conftest import index_articles

    articles = {"mayors.txt": "Kelby mayoral race tightens\n\nAnna Brodie and Tom Fenwick are standing for mayor of "
                              "Kelby in May.\n\nBrodie has promised free buses for pensioners and a new swimming "
                              "pool.\n\nFenwick wants to cut council tax by a tenth and sell the old town hall.\n\n"
                              "Polls put the two candidates level.\n"}
    bot = index_articles(articles, tmp_path / "mayors", tmp_path / "data", embedder)
    answer = bot.ask("Compare Anna Brodie and Tom Fenwick")
    assert answer.shape == "comparison" and not answer.refused, answer.text
    brodie, fenwick = answer.text.split("**Tom Fenwick**")
    assert "free buses" in brodie and "council tax" in fenwick, answer.text  # "Brodie ...", "Fenwick ..."


# "Who is X?" must read what names X: not an article about a namesake ("Mr Hale" of Hale
# Bakeries for Duncan Hale), nor a sentence holding X's words apart ("Craig Bellamy and John
# Hartson" holds "John" and "Craig" but names no John Craig).
_NAMESAKES = {
    "prop.txt": "Kelby prop gets first call-up\n\nKelby prop Duncan Hale has been called up to the national "
                "squad for the first time.\n\nHale, 30, moved to Kelby from Millbrook two seasons ago.\n",
    "bakery.txt": "Bakery chief steps down\n\nMr Hale, the chief executive of Hale Bakeries, has stepped down "
                  "after ten years.\n\nMr Hale built the firm from one shop to forty.\n\nHale Bakeries will "
                  "name a new chief in March.\n\nMr Hale said he would spend more time with his family.\n",
}
_WORDS_APART = {
    "derby.txt": "Kelby win the derby\n\nKelby beat Millbrook 2-1, with goals from Craig Bellamy and John Hartson."
                 "\n\nBellamy scored first, and Hartson headed the winner. Craig Bellamy was named man of the "
                 "match.\n\nJohn Hartson said the team had deserved it.\n",
    "survey.txt": "Survey finds more people post online\n\nOne in five people post something online every day, "
                  "a survey has found.\n\n\"Fast connections put people in charge,\" said John Craig, co-author "
                  "of the survey.\n",
}


@pytest.mark.parametrize(
    "articles, question, said, not_said",
    [
        (_NAMESAKES, "Who is Duncan Hale?", "called up", "Bakeries"),
        (_WORDS_APART, "Who is John Craig?", "co-author", "Bellamy"),
    ],
    ids=["not-an-article-about-a-namesake", "not-a-sentence-with-both-words-apart"],
)
def test_who_is_reads_what_names_the_person(tmp_path, embedder, articles, question, said, not_said):
    from tests.assistant.conftest import index_articles

    bot = index_articles(articles, tmp_path / "articles", tmp_path / "data", embedder)
    answer = bot.ask(question)
    assert answer.shape == "description" and not answer.refused, answer.text
    assert said in answer.text and not_said not in answer.text, answer.text


@pytest.mark.parametrize(
    "sentence, names",
    [
        ("Osprey, Kittiwake and Fulmar will enter service in 2027.", ["Osprey", "Kittiwake", "Fulmar"]),
        ("However, Smith and Jones disagreed.", ["Smith", "Jones"]),  # "However" opens, it names nothing
        ("The winners were Half-Life 2 and Burnout 3.", ["Half-Life 2", "Burnout 3"]),
    ],
)
def test_an_enumeration_gives_its_names_whole_and_nothing_else(sentence, names):
    from assistant.reading.shaped import _enumerations

    assert _enumerations(sentence) == names


def test_a_short_answer_names_a_player_without_the_score_after_her_name():
    from assistant.reading.shaped import _span_names

    sentence = "Mirza beat Jelena Kostanic 6-7 (7-2) 6-4 6-1."
    start = sentence.index("Jelena")
    assert _span_names(sentence, start, start + len("Jelena Kostanic")) == ["Jelena Kostanic"]


def test_a_description_goes_on_with_the_sentence_that_says_these_of_it(tmp_path, embedder):
    """ "... ILMU ..." then "These models are designed to ...": the sentence after one naming
    the subject goes on about it with "These" as with "It"."""
    from tests.assistant.conftest import index_articles

    articles = {"tablets.txt": "Tablets for Kelby schools\n\nKelby council has bought 500 tablets, called Slates, for "
                               "its primary schools.\n\nThese tablets run every lesson without an internet connection. "
                               "The council paid £100,000 for them. Teachers will be trained in March.\n"}
    bot = index_articles(articles, tmp_path / "tablets", tmp_path / "data", embedder)
    answer = bot.ask("What are Slates?")
    assert answer.shape == "description" and not answer.refused, answer.text
    assert "called Slates" in answer.text and "without an internet connection" in answer.text, answer.text


@pytest.mark.parametrize("found, name", [("Mr Walsh", "Walsh"), ("Dr. Quill", "Quill"), ("But Darren Campbell", "Darren Campbell"),
                                         ("Gregorio's", "Gregorio"), ("Mrs Brown's Boys", "Mrs Brown's Boys"),
                                         ("Eli Ford.", "Eli Ford"), ("the U.S.", "the U.S."), ("Smith & Co.", "Smith & Co")])
def test_a_list_item_is_named_without_honorific_owner_mark_conjunction_or_full_stop(found, name):
    from assistant.reading.shaped import bare_name

    assert bare_name(found) == name


def test_a_list_is_read_from_an_article_that_names_what_the_question_names(tmp_path, embedder):
    """Another article's sentence may read as the better answer ("Athletes who won events at
    the indoor meeting included ..."), but the winners asked for are those of the meeting the
    question names."""
    articles = {"kelby.txt": "Holt stars at Kelby Indoor Games\n\nAnna Holt won the 800m at the Kelby Indoor Games "
                             "on Saturday. Ben Carr took the high jump with a leap of 2.31m, and Cara Diaz won the "
                             "60m hurdles. A crowd of 4,000 watched the meeting.\n",
                "ardmore.txt": "Ardmore meeting draws record crowd\n\nAthletes who won events at the indoor games in "
                               "Ardmore included Dan Eves and Eli Ford. The meeting drew a record crowd of 6,000.\n"}
    answer = _listed(articles, "Which athletes won events at the Kelby Indoor Games?", tmp_path, embedder)
    for name in ("Anna Holt", "Cara Diaz"):
        assert name in answer.text, (name, answer.text)
    for other in ("Dan Eves", "Eli Ford"):
        assert other not in answer.text, (other, answer.text)


def test_a_sentence_that_enumerates_the_items_frames_them_with_its_other_names(tmp_path, embedder):
    """ "... depots in Kelby, Ardmore and Brora, the biggest network in Scotland": the towns
    enumerated are the list; Scotland, a place too, is where they are."""
    articles = {"depots.txt": "Northlink opens third depot\n\nNorthlink Freight now runs depots in Kelby, Ardmore and "
                              "Brora, the biggest network of its kind in Scotland. The firm employs 300 people.\n"}
    answer = _listed(articles, "In which towns does Northlink Freight run depots?", tmp_path, embedder)
    for town in ("Kelby", "Ardmore", "Brora"):
        assert answer.text.count(town) == 1, (town, answer.text)
    assert "Scotland" not in answer.text, answer.text


def test_a_list_of_people_holds_no_place(tmp_path, embedder):
    """ "Which players ..." asks for people: the countries a sentence that answers names
    beside them ("... due to lead Kelby in their final two games against Italy and
    Scotland") are not among them."""
    articles = {"rovers.txt": "Hale out for the season\n\nKelby Rovers captain Tom Hale will miss the rest of the "
                              "season because of injury.\n\nHale, captain in the absence of Sam Reid, had been due to "
                              "lead Kelby in their final two games against Italy and Scotland. The full-back pulled "
                              "out of the squad on Wednesday with a torn ligament.\n\nAmong the key players already "
                              "missing are Sam Reid, Joe Marsh and Ian Bell, which leaves the coach short of candidates.\n"}
    answer = _listed(articles, "Name the key Kelby players already missing before Tom Hale was ruled out.", tmp_path,
                     embedder)
    for name in ("Sam Reid", "Joe Marsh", "Ian Bell"):
        assert answer.text.count(name) == 1, (name, answer.text)
    for place in ("Italy", "Scotland"):
        assert place not in answer.text, (place, answer.text)


def test_a_list_of_things_no_name_stands_for_is_the_sentence_that_gives_them(tmp_path, embedder):
    """ "What threats ...": the reader's answer is common words ("spyware and phishing
    scams"); the names around it (Microsoft, Bill Gates, San Francisco) are not threats."""
    articles = {"browser.txt": "Microsoft unveils safer browser\n\nMicrosoft boss Bill Gates has announced a new version "
                               "of the Kelby web browser at a conference in San Francisco. Mr Gates said the browser "
                               "would include new protections against viruses, spyware and phishing scams. The "
                               "browser will be tested by Dell and HP staff from the summer.\n"}
    answer = _listed(articles, "What threats will the new Kelby browser protect against?", tmp_path, embedder)
    for threat in ("viruses", "spyware", "phishing scams"):
        assert threat in answer.text, (threat, answer.text)
    for name in ("San Francisco", "Dell"):
        assert name not in answer.text, (name, answer.text)


def test_a_list_leaves_out_who_said_it(tmp_path, embedder):
    """ "... said Rob Hale, sales director for Kelby Networks": the source of a sentence that
    answers is not one of the items it reports, unless the question asks who said what."""
    articles = {"attacks.txt": "Net firms join attack alarm\n\nSeveral net firms have signed up to a system that spots "
                               "net attacks as they start. BT, Energis and NTT are among the firms that have joined "
                               "the system, which Kelby Networks built.\n\nMore net firms will sign up to the system "
                               "this year, said Rob Hale, sales director for Kelby Networks. Firms that have signed "
                               "up share what they see of attacks, Orla Finn told the conference.\n"}
    answer = _listed(articles, "Which net firms have signed up to the attack system?", tmp_path, embedder)
    for firm in ("BT", "Energis", "NTT"):
        assert firm in answer.text, (firm, answer.text)
    for source in ("Rob Hale", "Orla Finn", "Kelby Networks"):  # who said it, and whom they speak for
        assert source not in answer.text, (source, answer.text)


def test_an_enumeration_of_people_with_their_ages_is_one_enumeration():
    from assistant.reading.shaped import _enumerations

    sentence = "The three boys playing the lead are Tom Hart, 15, Sam Reid, 14, and Joe Kerr, 12."
    assert _enumerations(sentence) == ["Tom Hart", "Sam Reid", "Joe Kerr"]


def test_a_figure_is_no_list_item():
    import numpy as np

    from assistant.core.question import Asked, Question
    from assistant.reading.evidence import sentences_of
    from assistant.reading.shaped import _add
    from index import Passage

    text = "Shares in Kelby Leisure rose 12p to 797p after it put Hall Green and Perry Barr up for sale."
    sentence = sentences_of([Passage(chunk_id="c#h#0", doc_id="tracks.txt", title="Tracks", date=None, source="",
                                     text=text, start=0, end=len(text), position=0)])[0]
    question = Question.of("Which tracks are for sale?", "Which tracks are for sale?", "", Asked("", "title"),
                           np.zeros(384, dtype=np.float32))
    items: dict = {}
    _add(items, [("797p", sentence), ("Hall Green", sentence), ("£5m", sentence), ("Perry Barr", sentence)], question)
    assert [name for name, _ in items.values()] == ["Hall Green", "Perry Barr"]


def test_a_description_from_an_article_about_its_subject_goes_on_with_the_lead(tmp_path, embedder):
    """The lead of an article about someone describes them without naming them again ("The
    31-year-old Scot ..."): those sentences belong in the answer to "Who is X?"."""
    articles = {"referee.txt": "Referee banned\n\nReferee Dougal Baird has been banned from officiating for two "
                               "years. The 31-year-old Scot tested positive for a steroid after a league match in "
                               "March. The Kelby league said its tests were the strictest in Europe. Baird said he "
                               "would appeal against the ban.\n"}
    answer = _shaped(articles, "Who is Dougal Baird?", "description", tmp_path, embedder)
    assert "banned from officiating" in answer.text and "31-year-old Scot" in answer.text, answer.text


def test_a_list_of_times_or_reasons_is_answered_by_the_sentence_that_gives_them(tmp_path, embedder):
    """Months, years and reasons are no names to gather: "In which months ...?" is answered
    by the sentence that names the months, not by every date the article mentions."""
    articles = {"regatta.txt": "Kelby regatta returns\n\nThe annual Kelby regatta draws 20,000 visitors. It is held in "
                               "June and July, when the winds on the firth are steadiest. Organisers said today that "
                               "entries had doubled over the past decade. A new pier opened in 2019.\n"}
    answer = _listed(articles, "In which months is the Kelby regatta held?", tmp_path, embedder)
    assert "June and July" in answer.text, answer.text


def test_a_list_that_says_how_many_is_the_enumeration_of_that_many(tmp_path, embedder):
    """ "Which two firms ...": the sentence that answers names both; the other companies the
    article names are not what was asked."""
    articles = {"ferries.txt": "New ferries for Kelby\n\nKelby council has chosen Osprey Marine and Fulmar Yards, "
                               "ahead of Northlink Freight, Harbour Rail and Tern Shipping, to build its two new "
                               "ferries. The ferries will enter service in 2027.\n"}
    answer = _listed(articles, "Which two firms will build Kelby's new ferries?", tmp_path, embedder)
    assert "Osprey Marine" in answer.text and "Fulmar Yards" in answer.text, answer.text
    for other in ("Northlink", "Harbour Rail", "Tern Shipping"):
        assert other not in answer.text, (other, answer.text)


BANK = {"bank.txt": "HSBC agrees to buy Lloyds\n\n"
                    "HSBC has agreed to buy Lloyds for £2bn, the two banks said on Monday.\n\n"
                    "The chief executive of Lloyds, Adam Applegarth, said the deal was good for savers.\n\n"
                    "\"This is a fair price for our shareholders,\" said HSBC chairman Marcus Agius.\n\n"
                    "Analysts at Goldman Sachs expect the deal to close in June. John Smith, a Kelby shopkeeper, "
                    "has banked with Lloyds for 30 years.\n"}


def test_which_companies_are_mentioned_lists_every_company_of_the_article_once(tmp_path, embedder):
    """A question that asks only which names of a kind the article gives: its words match
    nothing, so the reader cannot choose sentences; every name of the kind is the answer."""
    answer = _listed(BANK, "Which companies are mentioned?", tmp_path, embedder)
    for company in ("HSBC", "Lloyds", "Goldman Sachs"):
        assert answer.text.count(company) == 1, answer.text
    assert "Applegarth" not in answer.text and "Agius" not in answer.text, answer.text  # people, not companies
    assert answer.citations and all(c.doc_id.endswith("bank.txt") for c in answer.citations)


def test_who_is_quoted_lists_the_people_named_where_the_article_quotes_or_reports_speech(tmp_path, embedder):
    answer = _listed(BANK, "Who is quoted in the article?", tmp_path, embedder)
    assert "Adam Applegarth" in answer.text and "Marcus Agius" in answer.text, answer.text
    assert "John Smith" not in answer.text, answer.text  # named, but never quoted


def test_the_people_mentioned_after_an_answer_are_those_of_its_article(shapes_bot):
    chat = shapes_bot.conversation()
    assert "Mara Quill" in chat.ask("Who is the railway's chief engineer?").text
    people = chat.ask("Which people are mentioned?")
    assert people.shape == "list" and "Mara Quill" in people.text, people.text
    assert {c.doc_id.split("/")[-1] for c in people.citations} == {"rail-suppliers.txt"}, people.text


def test_who_else_is_quoted_leaves_out_whom_the_answers_before_named(tmp_path, embedder):
    from tests.assistant.conftest import index_articles

    chat = index_articles(BANK, tmp_path / "bank", tmp_path / "data", embedder).conversation()
    assert "Adam Applegarth" in chat.ask("Who is the chief executive of Lloyds?").text
    others = chat.ask("Who else is quoted?")
    assert others.shape == "list" and "Marcus Agius" in others.text, others.text
    assert "Applegarth" not in others.text, others.text


def test_the_companies_one_article_mentions_are_listed_by_their_whole_names(bot):
    """spaCy cuts "The U.S. Agency for International Development" in two at "for"; the
    list joins it again, and gives no person."""
    answer = bot().ask("Which companies are mentioned?", doc_ids=["articles/asean-us-ai-partnership.md"])
    assert answer.shape == "list" and not answer.refused, answer.text
    for name in ("Microsoft", "Huawei", "U.S. Agency for International Development"):
        assert answer.text.count(name) == 1, answer.text
    assert "Sophia Williams" not in answer.text and "Amina Sharma" not in answer.text, answer.text


def test_the_people_mentioned_in_the_article_about_a_topic_are_that_articles(shapes_bot):
    answer = shapes_bot.ask("Which people are mentioned in the article about the relay team?")
    assert answer.shape == "list" and not answer.refused, answer.text
    for name in ("Sarah Jennings", "Tom Walker", "Emma Price"):
        assert answer.text.count(name) == 1, answer.text
    assert {c.doc_id.split("/")[-1] for c in answer.citations} == {"relay-team.txt"}, answer.text


@pytest.mark.parametrize("question", ["Catch me up on the ferry strike.", "Bring me up to speed on the ferry strike",
                                      "Give me an overview of the coverage of the ferry strike",
                                      "What's the latest on the ferry strike?"])
def test_the_cue_words_of_a_topic_overview_are_no_words_of_its_topic(question):
    """Only the topic's own words decide which articles open on it (see TOPIC_NAMED)."""
    from types import SimpleNamespace

    from assistant.reading.shaped import topic_terms
    from index.lexical import terms

    assert topic_terms(SimpleNamespace(terms=tuple(terms(question)))) == {"ferry", "strike"}


def test_an_overview_of_what_no_article_mentions_is_refused_and_the_other_article_follows(tmp_path, embedder):
    """ "Give me the gist of the story about Nestle's sales" over ferry articles is refused
    naming Nestle, not answered with a ferry article; "Summarize the other article." after an
    overview means the article it did not give."""
    from tests.assistant.conftest import index_articles

    articles = {"kelby.txt": "Kelby Ferries cuts fares\n\nKelby Ferries has cut its ferry fares by a fifth, the company "
                             "said on Monday. A return crossing now costs twelve pounds.\n",
                "ardmore.txt": "Ardmore Lines raises ferry fares\n\nArdmore Lines will raise its ferry fares to fifteen "
                               "pounds for a return crossing from April. The company blamed fuel costs.\n"}
    bot = index_articles(articles, tmp_path / "articles", tmp_path / "data", embedder)
    unknown = bot.ask("Give me the gist of the story about bad weather hitting Nestle's sales.")
    assert unknown.shape == "overview" and unknown.refused and "Nestle" in " ".join(unknown.shown_notes()), unknown.text
    chat = bot.conversation()
    first = chat.ask("Summarize the article about Kelby Ferries cutting its fares.")
    assert {c.doc_id for c in first.citations} == {"articles/kelby.txt"}, first.text
    other = chat.ask("Summarize the other article.")
    assert other.shape == "overview" and {c.doc_id for c in other.citations} == {"articles/ardmore.txt"}, other.text
