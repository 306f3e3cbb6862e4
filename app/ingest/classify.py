"""A deterministic SceneKind classifier: weighted keyword and pattern scores, explicit tie-break.

How it decides, so a surprising result can be explained:

1. Every rule in `RULES` is a (kind, pattern, weight). A rule adds `weight` for each match in
   the narration, counting at most `MAX_MATCHES_PER_RULE` matches so one repeated word cannot
   swamp everything. Matches in the visual direction count `VISUAL_WEIGHT` times as much, because
   a direction describes the picture while narration only suggests it.
2. A short imperative ("Remember to breathe!") adds to `text`: the words are the picture.
3. The highest score wins; equal scores are settled by `TIE_BREAK_ORDER`, most specific first
   (numbers and quotes need special rendering; landscapes and stylized art suit almost anything).
4. When no kind reaches `MIN_SCORE`, a line of up to `SHORT_LINE_WORDS` words is `text` (a title
   or a slogan) and anything longer is `stylized`, the kind every provider can make something of.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.ingest.words import vocabulary
from providers.types import SceneKind

MAX_MATCHES_PER_RULE = 2
VISUAL_WEIGHT = 1.5
SHORT_LINE_WORDS = 6
MIN_SCORE = 1.0  # a lone "we" or "our" (0.5) is not enough to call a scene a talking head

TIE_BREAK_ORDER: tuple[SceneKind, ...] = (
    SceneKind.DATA,
    SceneKind.TEXT,
    SceneKind.TALKING_HEAD,
    SceneKind.PRODUCT,
    SceneKind.ACTION,
    SceneKind.PEOPLE,
    SceneKind.LANDSCAPE,
    SceneKind.STYLIZED,
)


@dataclass(frozen=True)
class Rule:
    kind: SceneKind
    pattern: re.Pattern[str]
    weight: float


def _rule(kind: SceneKind, weight: float, pattern: str, *, case: bool = False) -> Rule:
    flags = 0 if case else re.IGNORECASE
    return Rule(kind, re.compile(pattern, flags), weight)


def _words(spaced: str) -> str:
    """A regex alternation of whole words from a space-separated list (entries may be regexes)."""
    return r"\b(?:" + "|".join(spaced.split()) + r")\b"


_K = SceneKind
_NUMBER = r"(?<![\w.])(?!(?:19|20)\d\d\b)\d[\d,]*(?:\.\d+)?"  # years read as dates, not data

RULES: tuple[Rule, ...] = (
    _rule(_K.DATA, 3, r"\d\s?(?:%|percent\b|per cent\b)"),
    _rule(_K.DATA, 3, r"[$€£¥]\s?\d"),
    _rule(_K.DATA, 3, r"\d\s?(?:million|billion|trillion|thousand|bn)\b"),
    _rule(_K.DATA, 1, _NUMBER),
    _rule(_K.DATA, 1.5, _words("percent percentage dollars? euros? cents?")),
    _rule(
        _K.DATA,
        1,
        _words(
            r"grew growth grows? increase[sd]? decrease[sd]? rose rises? fell falls? dropp?e?d? "
            r"doubled? tripled? halved? average median rate ratio statistics? survey data "
            r"chart graph figures? revenue profit costs? price[sd]? per"
        ),
    ),
    _rule(_K.TEXT, 3, r"[\"“][^\"”]{8,}[\"”]"),
    _rule(
        _K.TEXT,
        2,
        _words(r"quote quoted motto slogan saying proverb mantra remember rule\s+of\s+thumb"),
    ),
    _rule(
        _K.TEXT,
        1.5,
        _words(
            r"step\s+(?:one|two|three|\d+) tip\s+(?:one|\d+) firstly secondly finally checklist "
            r"takeaways? recap summary chapter lesson agenda order\s+(?:now|today) pre-?order "
            r"sign\s+up learn\s+more available\s+(?:now|today)"
        ),
    ),
    _rule(
        _K.TALKING_HEAD,
        3,
        _words(
            r"welcome hi hello hey my\s+name\s+is i'm\s+your\s+host thanks\s+for\s+watching "
            r"thank\s+you\s+for\s+watching see\s+you\s+next\s+time join\s+me let\s+me "
            r"subscribe i'll\s+show\s+you"
        ),
    ),
    _rule(_K.TALKING_HEAD, 1, _words(r"i i'm i've i'll i'd me my")),
    _rule(_K.TALKING_HEAD, 0.5, _words(r"we we're we've we'll us our")),
    _rule(
        _K.PRODUCT,
        2,
        _words(
            r"products? devices? gadgets? apps? features? unboxing unbox launch(?:es|ed)? "
            r"prototype packaging specs? battery screen display charger headphones earbuds "
            r"smartphones? phones? laptops? tablets? cameras? speakers? lamps? machines? "
            r"kettles? grinders? bottles? sneakers? brewer espresso"
        ),
    ),
    _rule(
        _K.PRODUCT,
        1,
        _words(
            r"sleek design(?:ed)? built-in wireless waterproof lightweight ergonomic aluminium "
            r"aluminum brushed matte close-up macro studio turntable dial button finishes "
            r"colou?rways"
        ),
    ),
    # Names with a model suffix ("Lumen Pro") or a model code ("X200") are products.
    _rule(_K.PRODUCT, 2, r"\b[A-Z][a-z]+\s(?:Pro|Max|Mini|Plus|Ultra)\b", case=True),
    _rule(_K.PRODUCT, 1.5, r"\b[A-Z]{1,2}-?\d{2,4}\b", case=True),
    _rule(
        _K.LANDSCAPE,
        2,
        _words(
            r"mountains? hills? hillsides? valleys? rivers? oceans? seas? sky skies skyline "
            r"forests? jungle coast(?:line)? beach(?:es)? desert lakes? glaciers? volcano(?:es)? "
            r"horizon sunrise sunset dawn dusk clouds? mist fields? meadows? farmland terraces? "
            r"terraced plantations? countryside landscape islands? cliffs? waterfalls? canyon "
            r"highlands? slopes? rainforest aerial drone panorama vista"
        ),
    ),
    _rule(_K.LANDSCAPE, 1, _words(r"city cities town village streets? harbou?r port bridge")),
    _rule(
        _K.ACTION,
        2,
        _words(
            r"run runs running ran races? racing sprint(?:s|ing)? chase[sd]? chasing "
            r"explo(?:de|des|sion|sions|ding) fast faster fastest speed(?:s|ing)? rush(?:es|ing)? "
            r"jump(?:s|ing)? crash(?:es|ing)? zoom(?:s|ing)? roar(?:s|ing)? burst(?:s|ing)? "
            r"spin(?:s|ning)? blast(?:s|ing)? surf(?:ing)? dive diving ride riding rides "
            r"accelerat\w* hurtl\w* tumbl\w* crackl\w* slam\w* smash\w* whirl\w*"
        ),
    ),
    _rule(
        _K.ACTION,
        1,
        _words(r"motorbikes? motorcycles? cars? trucks? trains? cyclists? bikes? athletes?"),
    ),
    _rule(
        _K.PEOPLE,
        2,
        _words(
            r"team teams crowds? people customers? clients workers farmers? pickers? "
            r"famil(?:y|ies) children kids students commuters residents volunteers friends "
            r"colleagues neighbou?rs communit(?:y|ies) staff employees baristas? growers? "
            r"roasters? passengers citizens villagers shoppers audience users women men person "
            r"everyone hands"
        ),
    ),
    # "Imagine ..." frames the whole scene as a picture in the mind: the strongest cue there is.
    _rule(_K.STYLIZED, 3, _words(r"imagine imagined picture\s+this think\s+of\s+it\s+as metaphor")),
    _rule(
        _K.STYLIZED,
        2,
        _words(
            r"animation animated animate illustrat(?:ed|ion|ions|or) cartoon abstract dream\w* "
            r"sketch(?:ed|es|y)? watercolou?r paper-cut surreal fantasy magic(?:al)? whimsical "
            r"styli[sz]ed symbol\w*"
        ),
    ),
)

_IMPERATIVE_VERBS = vocabulary(
    """remember don't never always try start stop keep take make think choose ask check use
    follow go get find build learn listen look read write plan save give"""
)


def classify(narration: str, visual: str = "") -> SceneKind:
    """The SceneKind for a scene, from what is said and (if given) what should be shown."""
    scores = score_kinds(narration, visual)
    best = max(TIE_BREAK_ORDER, key=lambda kind: (scores[kind], -TIE_BREAK_ORDER.index(kind)))
    if scores[best] >= MIN_SCORE:
        return best
    short = len(narration.split()) <= SHORT_LINE_WORDS
    return SceneKind.TEXT if short else SceneKind.STYLIZED


def score_kinds(narration: str, visual: str = "") -> dict[SceneKind, float]:
    """Every kind's score (see the module docstring); useful to explain a classification."""
    scores = dict.fromkeys(SceneKind, 0.0)
    for rule in RULES:
        said = min(len(rule.pattern.findall(narration)), MAX_MATCHES_PER_RULE)
        shown = min(len(rule.pattern.findall(visual)), MAX_MATCHES_PER_RULE)
        scores[rule.kind] += rule.weight * (said + VISUAL_WEIGHT * shown)
    if _is_short_imperative(narration):
        scores[SceneKind.TEXT] += 2
    return scores


def _is_short_imperative(text: str) -> bool:
    words = text.split()
    if not words or len(words) > 8:
        return False
    first = words[0].lower().strip("\"'“‘,.!")
    return first in _IMPERATIVE_VERBS or text.rstrip().endswith("!")
