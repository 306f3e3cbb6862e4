"""An article → scene drafts of about the asked length, by a deterministic extractive summary.

No model and no randomness: the same article and length always give the same script.

1. Budget. The narration gets `minutes` of speech at the speaking rate, less what each scene
   costs beyond its words (the breath between scenes, `SCENE_OVERHEAD_S`) and the title card.
2. Scores. A sentence scores by how many of the article's frequent content words it carries
   (each counted once, weighted by its frequency, damped by the sentence's length), with a
   bonus for words of the title or its section's heading, for a figure, and for opening its
   paragraph (where writers put the point). Very short sentences score low.
3. Sections. Headings become sections: each section's share of the budget follows its share
   of the article's words, and every section keeps at least its best sentence, so the video
   follows the article's structure even when it is much shorter.
4. Order. The kept sentences are said in the article's order, grouped into scenes of at most
   `MAX_SCENE_WORDS` words that never cross a section; a scene cites every paragraph its
   sentences came from.

An article shorter than the budget is kept whole (`Summary.shortened` is False).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from app.ingest.draft import SceneDraft, title_card
from app.ingest.sentences import MAX_SCENE_WORDS, chunk_sentences, split_sentences
from app.ingest.timing import spoken_words
from app.ingest.url.article import Article, Paragraph
from app.ingest.words import STOP_WORDS, words_of

SCENE_OVERHEAD_S = 0.9  # lead-in + tail-out around each scene's narration, in the pipeline
TYPICAL_SCENE_WORDS = 35
MIN_SENTENCE_WORDS = 6
SOFT_BREAK_WORDS = 18  # a scene this long ends at a paragraph break rather than running on


@dataclass(frozen=True)
class Sentence:
    position: int  # in the whole article
    paragraph: int
    section: str
    text: str
    opens_paragraph: bool

    @property
    def words(self) -> float:
        return spoken_words(self.text)


@dataclass(frozen=True)
class Summary:
    drafts: list[SceneDraft]
    kept_words: float
    article_words: float
    shortened: bool


def word_budget(minutes: float, words_per_minute: float, title: str) -> float:
    """Words of narration that, with the scenes' overhead, fill `minutes`."""
    rate = words_per_minute / 60.0
    seconds = minutes * 60.0 - SCENE_OVERHEAD_S - spoken_words(title) / rate  # the title card
    return max(0.0, seconds * rate / (1.0 + SCENE_OVERHEAD_S * rate / TYPICAL_SCENE_WORDS))


def summarize(article: Article, *, minutes: float, words_per_minute: float) -> Summary:
    """Scene drafts for `article` (title card first); see the module docstring."""
    sentences = _sentences(article.paragraphs)
    total = sum(s.words for s in sentences)
    budget = word_budget(minutes, words_per_minute, article.title)
    kept = sentences if total <= budget else _select(sentences, article, budget)
    drafts = [title_card(article.title)] if article.title else []
    drafts += _scenes(kept)
    return Summary(drafts, sum(s.words for s in kept), total, shortened=len(kept) < len(sentences))


def _sentences(paragraphs: tuple[Paragraph, ...]) -> list[Sentence]:
    found: list[Sentence] = []
    for p in paragraphs:
        text = f"“{p.text}”" if p.quote else p.text
        for i, sentence in enumerate(split_sentences(text)):
            found.append(Sentence(len(found), p.number, p.section, sentence, i == 0))
    return found


def _content(text: str) -> set[str]:
    return {w for w in (t.lower() for t in words_of(text)) if len(w) > 2 and w not in STOP_WORDS}


def _scores(sentences: list[Sentence], article: Article) -> dict[int, float]:
    freq = Counter(w for s in sentences for w in _content(s.text))
    top = max(freq.values(), default=1)
    title = _content(article.title)
    scores: dict[int, float] = {}
    for s in sentences:
        words = _content(s.text)
        weight = sum(freq[w] / top for w in words) / math.sqrt(len(words) + 1)
        weight += 0.3 * len(words & (title | _content(s.section)))
        weight += 0.25 if any(c.isdigit() for c in s.text) else 0.0
        weight += 0.35 if s.opens_paragraph else 0.0
        weight *= 0.4 if len(words_of(s.text)) < MIN_SENTENCE_WORDS else 1.0
        scores[s.position] = weight
    return scores


def _select(sentences: list[Sentence], article: Article, budget: float) -> list[Sentence]:
    scores = _scores(sentences, article)
    sections: dict[str, list[Sentence]] = {}
    for s in sentences:
        sections.setdefault(s.section, []).append(s)
    total = sum(s.words for s in sentences)
    kept: list[Sentence] = []
    for members in sections.values():
        share = budget * sum(s.words for s in members) / total
        ranked = sorted(members, key=lambda s: (-scores[s.position], s.position))
        used, picked = 0.0, list[Sentence]()
        for s in ranked:
            if picked and used + s.words > share:
                continue  # a shorter, lower-ranked sentence may still fit
            picked.append(s)
            used += s.words
        kept += picked
    return sorted(kept, key=lambda s: s.position)


def _scenes(kept: list[Sentence]) -> list[SceneDraft]:
    drafts: list[SceneDraft] = []
    run: list[Sentence] = []
    for s in kept:
        if run and _ends_scene(run, s):
            drafts += _drafts_of(run)
            run = []
        run.append(s)
    if run:
        drafts += _drafts_of(run)
    return drafts


def _ends_scene(run: list[Sentence], nxt: Sentence) -> bool:
    size = sum(len(s.text.split()) for s in run)
    if nxt.section != run[-1].section or size + len(nxt.text.split()) > MAX_SCENE_WORDS:
        return True
    return nxt.paragraph != run[-1].paragraph and size >= SOFT_BREAK_WORDS


def _drafts_of(run: list[Sentence]) -> list[SceneDraft]:
    sources = tuple(sorted({s.paragraph for s in run}))
    return [
        SceneDraft(narration=chunk, section=run[0].section, sources=sources)
        for chunk in chunk_sentences([s.text for s in run])
    ]
