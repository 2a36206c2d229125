"""Reader for BASIL (Fan et al., EMNLP 2019, release 2): 300 articles with lexical / informational bias spans.

BASIL stores each article as paragraphs of sentence strings and each span as offsets into one sentence. The
reader builds one document text from them (title, a blank line, then the paragraphs separated by blank lines,
sentences inside a paragraph joined by one space) and moves every span into that text, so BASIL looks like
the other corpora. The sentence strings are kept exactly; only the separators are added by the reader.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slant.corpora.base import CorpusFormatError, Document, GoldSpan
from slant.resolve import data_root

TITLE_SEP = "\n\n"
PARAGRAPH_SEP = "\n\n"
SENTENCE_SEP = " "
BIAS_KINDS = {"lex": "lexical", "inf": "informational"}


@dataclass(frozen=True, slots=True)
class BasilSpan(GoldSpan):
    """A BASIL span: ``technique`` is "lexical" or "informational"; the rest is BASIL's own annotation."""

    in_quote: bool = False  # the span lies inside a quotation (BASIL's ``quote`` field)
    polarity: str = ""
    target: str = ""
    speaker: str = ""
    aim: str = ""


@dataclass(frozen=True, slots=True)
class BasilSentence:
    """Where BASIL's own sentence ``p<index>`` (or the title) lies in the built document text."""

    key: str  # "title" or "p0", "p1", ...
    start: int
    end: int


def _load(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise CorpusFormatError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None


def build_text(article: dict[str, Any], path: Path) -> tuple[str, list[BasilSentence]]:
    """The document text of one BASIL article and the position of each of its sentences in it."""
    title = article.get("title")
    paragraphs = article.get("body-paragraphs")
    if not isinstance(title, str) or not isinstance(paragraphs, list):
        raise CorpusFormatError(f"{path}: item 'title'/'body-paragraphs' missing or of the wrong type")
    parts = [title, TITLE_SEP]
    sentences = [BasilSentence("title", 0, len(title))]
    pos = len(title) + len(TITLE_SEP)
    index = 0
    for p_no, paragraph in enumerate(paragraphs):
        if not isinstance(paragraph, list) or not all(isinstance(s, str) for s in paragraph):
            raise CorpusFormatError(f"{path}: body-paragraphs[{p_no}] is not a list of strings")
        if p_no:
            parts.append(PARAGRAPH_SEP)
            pos += len(PARAGRAPH_SEP)
        for s_no, sentence in enumerate(paragraph):
            if s_no:
                parts.append(SENTENCE_SEP)
                pos += len(SENTENCE_SEP)
            parts.append(sentence)
            sentences.append(BasilSentence(f"p{index}", pos, pos + len(sentence)))
            pos += len(sentence)
            index += 1
    return "".join(parts), sentences


def _span(item: Any, i: int, text: str, where: dict[str, BasilSentence], path: Path) -> BasilSpan:
    loc = f"{path}: phrase-level-annotations[{i}]"
    if not isinstance(item, dict):
        raise CorpusFormatError(f"{loc}: not an object")
    sent = where.get(str(item.get("id")))
    if sent is None:
        raise CorpusFormatError(f"{loc}: unknown sentence id {item.get('id')!r}")
    start, end = item.get("start"), item.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= sent.end - sent.start):
        raise CorpusFormatError(f"{loc}: offsets {start!r}..{end!r} outside sentence {sent.key}")
    a, b = sent.start + start, sent.start + end
    if text[a:b] != item.get("txt"):
        raise CorpusFormatError(f"{loc}: text at {start}..{end} of {sent.key} is not {item.get('txt')!r}")
    kind = BIAS_KINDS.get(str(item.get("bias")))
    if kind is None:
        raise CorpusFormatError(f"{loc}: unknown bias kind {item.get('bias')!r}")
    quote = item.get("quote")
    if quote not in ("yes", "no"):
        raise CorpusFormatError(f"{loc}: quote flag {quote!r} is neither 'yes' nor 'no'")
    return BasilSpan(
        a,
        b,
        kind,
        None,
        in_quote=quote == "yes",
        polarity=str(item.get("polarity", "")),
        target=str(item.get("target", "")),
        speaker=str(item.get("speaker", "")),
        aim=str(item.get("aim", "")),
    )


def read_basil_article(article_path: Path, annotation_path: Path) -> tuple[Document, list[BasilSentence]]:
    """One article with its spans, and its sentences (BASIL's own split) in document coordinates."""
    article = _load(article_path)
    if not isinstance(article, dict):
        raise CorpusFormatError(f"{article_path}: top level is not an object")
    text, sentences = build_text(article, article_path)
    ann = _load(annotation_path)
    items = ann.get("phrase-level-annotations") if isinstance(ann, dict) else None
    if not isinstance(items, list):
        raise CorpusFormatError(f"{annotation_path}: no phrase-level-annotations list")
    where = {s.key: s for s in sentences}
    spans: list[GoldSpan] = [_span(item, i, text, where, annotation_path) for i, item in enumerate(items)]
    spans.sort(key=lambda s: (s.start, s.end))
    doc_id = article_path.stem  # <triplet-uuid>_<k>
    return Document(doc_id, text, spans, str(article_path)), sentences


def read_basil_with_sentences(
    root: str | os.PathLike[str] | None = None,
) -> list[tuple[Document, list[BasilSentence]]]:
    base = data_root(root) / "basil"
    articles = sorted((base / "articles").glob("*/*.json"))
    if not articles:
        raise FileNotFoundError(f"no BASIL articles under {base / 'articles'}")
    out = []
    for art in articles:
        ann = base / "annotations" / art.parent.name / f"{art.stem}_ann.json"
        if not ann.is_file():
            raise CorpusFormatError(f"{art}: no annotation file {ann}")
        out.append(read_basil_article(art, ann))
    return out


def read_basil(split: str = "all", root: str | os.PathLike[str] | None = None) -> list[Document]:
    """All 300 BASIL articles (there are no splits: ``split`` must be "all"), sorted by year, file name."""
    if split != "all":
        raise ValueError(f"basil has no split {split!r}; it has only 'all'")
    return [doc for doc, _ in read_basil_with_sentences(root)]
