"""Small word-level helpers shared by the parsers: tokens, stop words, clauses, title case."""

from __future__ import annotations

import re


def vocabulary(words: str) -> frozenset[str]:
    """A word set written as one spaced string: long lists stay readable in the source."""
    return frozenset(words.split())


# Function words plus verbs and adverbs so common they say nothing about what to film.
STOP_WORDS = vocabulary(
    """
    a about above after again against all almost also although always am among an and another
    any are around as at away back be became because become becomes been before being below
    between both but by can could did do does doing done down during each either else enough
    even ever every few for from further get gets getting go goes going gone got had has have
    having he her here hers herself him himself his how however i if in into is it its itself
    just least less let lets like made make makes making many may me might more most much must
    my myself near need needs never next no nor not now of off often on once one only onto or
    other others our ours ourselves out over own per perhaps put quite rather really same see
    seen she should since so some something still such take takes taken than that the their
    theirs them themselves then there these they thing things this those though through thus
    till to together too toward towards under until up upon us use used very via was way we
    well were what whatever when where whether which while who whom whose why will with within
    without would yet you your yours yourself yourselves
    zero two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    sixty seventy eighty ninety hundred thousand million billion first second third last
    today tomorrow yesterday day days time times year years minute minutes second seconds
    lot lots kind kinds part parts new old good great big small little long short
    across inside outside behind beyond along around best far fine sure whole single own
    come comes came look looks looked hear hears heard listen listens imagine imagined
    remember think thinks thought know knows knew talk talks want wants hope hopes thanks
    welcome follow follows join joins meet meets turn turns begin begins began start starts
    started keep keeps give gives gave show shows showed tell tells told say says said
    percent cent cents dollar dollars euro euros hour hours week weeks month months
    """
)

# Nouns that end in -ing, which key_phrases would otherwise drop as verb forms.
ING_NOUNS = vocabulary(
    """
    morning evening ceiling building painting spring string king ring wing clothing bedding
    pudding wedding meeting lightning railing sibling duckling seedling offering
    """
)

# Words a headline should not end on: it would read as cut off mid-phrase.
DANGLING_WORDS = vocabulary(
    """
    a an the of to in on at by for from with into onto over under about as than and or but nor
    so if then that which who whose whom is are was were be been being has have had do does
    did will would can could should may might must its their our your my his her this these
    those very just around across along behind through between inside before after until
    while because when where like far above below over under up down out off against
    without within toward towards among
    """
)

# Words kept lower-case inside a title unless they open it.
_TITLE_SMALL = vocabulary(
    "a an and as at but by for from in into nor of on or over the to via with"
)

_WORD = re.compile(r"[^\W\d_][\w'’-]*")  # a letter in any script, then word characters
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|[^\w\s]")
_POSSESSIVE = re.compile(r"['’]s$")
_CLAUSE_BREAK = re.compile(r"\s*(?:[,;:()]|\s[-–—]\s|—)\s*")
_EDGE_PUNCT = "\"'“”‘’()[]{}.,;:!?…-–— 。！？、，「」『』"


def words_of(text: str) -> list[str]:
    """Alphabetic word tokens in order (numbers and symbols are not words here)."""
    return _WORD.findall(text)


def key_phrases(text: str, limit: int = 4, max_words: int = 3) -> list[str]:
    """The first `limit` distinct runs of content words ("winter storm"), in reading order.

    A run breaks at a stop word or punctuation, which without a part-of-speech tagger is a fair
    stand-in for a noun phrase: what a camera could point at.
    """
    phrases: list[str] = []
    run: list[str] = []
    for token in _TOKEN.findall(text):
        word = _POSSESSIVE.sub("", token.lower()).strip("'’-")
        if _is_content_word(word):
            run.append(word)
            continue
        _keep_run(run, phrases, max_words)
        run = []
    _keep_run(run, phrases, max_words)
    return phrases[:limit]


def _is_content_word(word: str) -> bool:
    # Adverbs (-ly) say how, not what; contractions ("I'm", "let's") are never things.
    if len(word) < 3 or not word[0].isalpha() or word in STOP_WORDS or "'" in word or "’" in word:
        return False
    return not word.endswith("ly")


def _keep_run(run: list[str], phrases: list[str], max_words: int) -> None:
    # An -ing word can describe a thing ("fishing boats") but cannot end a noun phrase unless it
    # is a noun itself ("morning"): ", lighting the lamp" is an action, not something to film.
    while run and run[-1].endswith("ing") and run[-1] not in ING_NOUNS:
        run = run[:-1]
    phrase = " ".join(run[-max_words:])  # the head noun comes last in English noun phrases
    if phrase and phrase not in phrases:
        phrases.append(phrase)


def first_clause(text: str) -> str:
    """The text up to the first clause break (comma, semicolon, colon, dash, bracket)."""
    head = _CLAUSE_BREAK.split(text.strip(), maxsplit=1)[0]
    return tidy(head)


def shorten(text: str, max_words: int) -> str:
    """At most `max_words` words, never ending on a dangling function word."""
    words = tidy(text).split()[:max_words]
    while len(words) > 1 and words[-1].lower().strip(_EDGE_PUNCT) in DANGLING_WORDS:
        words.pop()
    return tidy(" ".join(words))


def tidy(text: str) -> str:
    """Collapse whitespace and strip punctuation left dangling at either end."""
    text = " ".join(text.split()).rstrip(_EDGE_PUNCT).lstrip(",;:.!?…-–— 。！？、，")
    return _balance_quotes(text)


def title_case(text: str) -> str:
    """Headline capitalisation; words that already carry capitals or digits are left alone."""
    out: list[str] = []
    for i, word in enumerate(text.split()):
        if any(c.isupper() or c.isdigit() for c in word):
            out.append(word)
        elif i > 0 and word.lower() in _TITLE_SMALL:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def sentence_case(text: str) -> str:
    """First letter upper-case and a closing full stop if the text has no end punctuation."""
    text = " ".join(text.split()).lstrip(",;:.!?…-–— ").rstrip(",;:-–— ")
    if not text:
        return text
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…", '"', "”")) else text + "."


def _balance_quotes(text: str) -> str:
    # Cutting a clause can leave one half of a quote pair; a lone mark looks like a typo on screen.
    if text.count('"') % 2:
        text = text.replace('"', "")
    if text.count("“") != text.count("”"):
        text = text.replace("“", "").replace("”", "")
    return text.strip()
