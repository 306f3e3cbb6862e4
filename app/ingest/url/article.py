"""An HTML page → its article: title, author, date, headings, numbered paragraphs and images.

Extraction is trafilatura's, which drops navigation, cookie banners, sidebars, ads, comments
and footers. We read its XML output and number what is left, so every scene can cite the
paragraphs it came from:

- a `<head>` starts a section (a first heading equal to the title is the title, not a section);
- each `<p>`, `<list>` (its items as sentences) and `<quote>` is one paragraph, numbered from 1
  in reading order; tables and code are not narration and are skipped;
- each `<graphic>` is an image, resolved against the page's URL and placed after the
  paragraph it follows; an image seen again is kept once.

A page with fewer than `MIN_ARTICLE_WORDS` words of article text (a paywall stub, a cookie
wall, an empty shell filled by scripts we never run) is refused: "no article text found".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import version
from urllib.parse import urljoin

import trafilatura
from lxml import etree

from app.ingest.errors import IngestError
from app.ingest.words import sentence_case, words_of

MIN_ARTICLE_WORDS = 80
EXTRACTOR = "trafilatura"


@dataclass(frozen=True)
class Paragraph:
    number: int  # 1-based, in reading order: what a citation points at
    section: str  # the heading it sits under; "" before the first heading
    text: str
    quote: bool = False


@dataclass(frozen=True)
class ArticleImage:
    url: str
    alt: str
    after: int  # number of the paragraph it follows; 0 when it comes before all text
    section: str


@dataclass(frozen=True)
class Article:
    url: str
    title: str
    author: str
    date: str
    paragraphs: tuple[Paragraph, ...]
    images: tuple[ArticleImage, ...] = ()
    sections: tuple[str, ...] = field(default_factory=tuple)  # headings, in order

    @property
    def word_count(self) -> int:
        return sum(len(words_of(p.text)) for p in self.paragraphs)


def extractor_version() -> str:
    return version(EXTRACTOR)


def extract_article(html: str, url: str) -> Article:
    """The article in `html` fetched from `url`; IngestError when there is no article text."""
    # deduplicate stays off: trafilatura's is a process-wide cache, so a worker extracting the
    # same page a second time would silently lose the text it had already seen.
    xml = trafilatura.extract(
        html, url=url, output_format="xml", include_images=True, include_formatting=False,
        include_comments=False, include_tables=False, with_metadata=True, deduplicate=False,
    )  # fmt: skip
    if not xml:
        raise _no_article(url)
    article = _read_xml(etree.fromstring(xml.encode("utf-8")), url)
    if article.word_count < MIN_ARTICLE_WORDS:
        raise _no_article(url, f" (only {article.word_count} words: a paywall or an empty page?)")
    return article


def _no_article(url: str, detail: str = "") -> IngestError:
    return IngestError(
        f"no article text found{detail}",
        source=url,
        fix="Give the address of the article itself, or save its text to a file and pass that.",
    )


class _Reader:
    def __init__(self, url: str, title: str) -> None:
        self.url, self.title = url, title
        self.section = ""
        self.paragraphs: list[Paragraph] = []
        self.images: list[ArticleImage] = []
        self.sections: list[str] = []

    def element(self, el: etree._Element) -> None:
        tag = el.tag
        if tag == "head":
            self._heading(_text(el))
        elif tag in ("p", "list", "quote"):
            self._paragraph(el)
        elif tag == "graphic":
            self._image(el)
        for graphic in el.iter("graphic"):
            if graphic is not el:
                self._image(graphic)

    def _heading(self, text: str) -> None:
        if not words_of(text):
            return
        if not self.paragraphs and not self.sections and _same(text, self.title):
            return  # the article's own title, repeated as its first heading
        self.section = text
        self.sections.append(text)

    def _paragraph(self, el: etree._Element) -> None:
        if el.tag == "list":
            items = [_text(item) for item in el.iter("item")]
            text = " ".join(_as_sentence(i) for i in items if words_of(i))
        else:
            text = _text(el)
        if words_of(text):
            number = len(self.paragraphs) + 1
            self.paragraphs.append(Paragraph(number, self.section, text, el.tag == "quote"))

    def _image(self, el: etree._Element) -> None:
        src = (el.get("src") or "").strip()
        url = urljoin(self.url, src)
        if src and not src.startswith("data:") and all(i.url != url for i in self.images):
            self.images.append(
                ArticleImage(
                    url=url,
                    alt=(el.get("alt") or el.get("title") or "").strip(),
                    after=len(self.paragraphs),
                    section=self.section,
                )
            )


def _read_xml(doc: etree._Element, url: str) -> Article:
    title = (doc.get("title") or "").strip()
    reader = _Reader(url, title)
    main = doc.find("main")
    for el in main if main is not None else []:
        reader.element(el)
    return Article(
        url=url,
        title=title,
        author=(doc.get("author") or "").strip(),
        date=(doc.get("date") or "").strip(),
        paragraphs=tuple(reader.paragraphs),
        images=tuple(reader.images),
        sections=tuple(reader.sections),
    )


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _same(a: str, b: str) -> bool:
    return words_of(a.lower()) == words_of(b.lower())


def _as_sentence(item: str) -> str:
    item = sentence_case(item.strip())
    return item if item.endswith((".", "!", "?", "…")) else item + "."
