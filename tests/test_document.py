from __future__ import annotations

from mtaudit.document import Document, split_paragraphs, split_sentences


def test_sentences_respect_abbreviations_and_initials() -> None:
    text = "Mr. Smith met U.S. officials. J. K. Rowling spoke. The end? Yes!"
    assert [s.text for s in split_sentences(text)] == [
        "Mr. Smith met U.S. officials.",
        "J. K. Rowling spoke.",
        "The end?",
        "Yes!",
    ]


def test_sentences_split_on_lines_and_quotes() -> None:
    text = "HEADLINE HERE\n“We are ready.” She left.\n\nNew paragraph."
    assert [s.text for s in split_sentences(text)] == [
        "HEADLINE HERE",
        "“We are ready.”",
        "She left.",
        "New paragraph.",
    ]


def test_segments_are_exact_spans() -> None:
    text = "  One.  Two three.\n\n Four. "
    for seg in split_sentences(text) + split_paragraphs(text):
        assert text[seg.start : seg.end] == seg.text


def test_position_is_one_based() -> None:
    doc = Document(id="d", text="ab\ncd\n\nef")
    assert doc.position(0) == (1, 1)
    assert doc.position(4) == (2, 2)
    assert doc.position(7) == (4, 1)
    assert doc.words == 3
