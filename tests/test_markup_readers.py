"""Readers for where localized content lives: Markdown, HTML, i18n JSON/YAML,
SRT/VTT. Offsets and lines must point into the original file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mtaudit.cli import app
from mtaudit.engine import MASKED_KEY
from mtaudit.readers import InputError, read_paths
from mtaudit.readers.markup import html_document, markdown_document
from mtaudit.readers.subtitles import subtitle_masks

FIXTURES = Path(__file__).parent / "fixtures"
L10N = FIXTURES / "l10n_repo"


def prose(text: str, doc_text: str) -> str:
    """The non-blank words the reader kept, in order."""
    assert len(doc_text) == len(text)
    assert all(a == b or a == " " for a, b in zip(doc_text, text, strict=True))
    return " ".join(doc_text.split())


def check_json(*paths: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(
        app, ["check", *paths, "--fast", "--select", "MT4", "-q", "-f", "json"]
    )
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["documents"]


# -- Markdown -----------------------------------------------------------------------

MD = """---
title: Draft , do not flag
---
# Guide

Intro text , here.

```python
x = f(a , b)
```

~~~
tilde fence , too
~~~

    indented code , skipped

- a list item
    with a continuation , kept

Run `cmd ,  --flag` and read [the docs](https://example.com/a,b "Title , here").
See <https://example.com/x , y> and https://example.com/q?a=1,2 too.
<span class="x , y">Inline html , text</span>
<!-- mtaudit: ignore MT401 -->
"""


def test_markdown_keeps_prose_and_offsets() -> None:
    doc = markdown_document(MD, "g.md", "g")
    kept = prose(MD, doc.text)
    assert "Intro text , here." in kept
    assert "with a continuation , kept" in kept
    assert "Inline html , text" in kept
    for gone in (
        "Draft",
        "f(a",
        "tilde fence",
        "indented code",
        "cmd",
        "example.com",
        "Title ,",
        'class="x',
    ):
        assert gone not in kept, gone
    assert "mtaudit: ignore MT401" in doc.text  # comments stay for directives
    assert doc.meta[MASKED_KEY]
    start = doc.text.index("text , here")
    assert doc.position(start) == (6, 7)


def test_markdown_findings_point_into_the_file(tmp_path: Path) -> None:
    path = tmp_path / "g.md"
    path.write_text(MD, encoding="utf-8")
    docs = check_json(str(path))
    texts = [(f["text"], f["line"]) for f in docs[0]["findings"]]
    assert ("text ,", 6) in texts
    assert ("continuation ,", 19) in texts
    assert ("html ,", 23) in texts
    lines = MD.splitlines()
    for f in docs[0]["findings"]:
        assert lines[f["line"] - 1][f["col"] - 1 :].startswith(f["text"])
        assert "```" not in f["text"]
    assert len(texts) == 3  # nothing from front matter, code, URLs or link titles


def test_unclosed_fence_runs_to_the_end() -> None:
    text = "Prose , one.\n\n```\ncode , two\n"
    assert prose(text, markdown_document(text, "x.md", "x").text) == "Prose , one."


# -- HTML ---------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html><head><title>T</title><style>p { a : b ; }</style>
<script>var x = 1 , y;</script></head>
<body><p>Hello , world.</p><p>Putin&rsquo;s plan &amp; more.</p>
<pre>pre , block</pre><code>code , span</code>
<p translate="no">Brand , Name</p><p class="a notranslate">Skip , me</p>
<!-- mtaudit: ignore MT401 -->
<p>Last <b>bold</b> line , done.</p><br><img src="a , b.png" alt="alt , text">
</body></html>
"""


def test_html_keeps_text_nodes_only() -> None:
    doc = html_document(HTML, "p.html", "p")
    kept = prose(HTML, doc.text)
    assert "Hello , world." in kept
    assert "Putin&rsquo;s plan &amp; more." in kept  # references kept as written, masked
    assert "Last bold line , done." in kept
    for gone in ("a : b", "var x", "pre ,", "code ,", "Brand", "Skip", "a , b.png", "alt ,", "<p>"):
        assert gone not in kept, gone
    assert "mtaudit: ignore" in doc.text


def test_html_findings_and_masked_references(tmp_path: Path) -> None:
    path = tmp_path / "p.html"
    path.write_text(HTML.replace("<!-- mtaudit: ignore MT401 -->", ""), encoding="utf-8")
    docs = check_json(str(path))
    got = sorted((f["text"], f["line"]) for f in docs[0]["findings"])
    assert got == [("Hello ,", 4), ("line ,", 8)]


def test_html_tolerates_broken_markup() -> None:
    text = "<p>Unclosed <b>tag , here<div></p></span> and < stray , text"
    doc = html_document(text, "b.html", "b")
    assert "tag , here" in doc.text and len(doc.text) == len(text)


# -- i18n ---------------------------------------------------------------------------


def test_json_values_are_documents_with_key_paths() -> None:
    docs = list(read_paths([str(L10N / "locales" / "en" / "common.json")]))
    ids = [d.id for d in docs]
    assert ids == [
        "common:nav.home",
        "common:nav.pricing",
        "common:welcome",
        "common:errors.0",
        "common:errors.1",
    ]  # "@welcome" metadata and the number are not prose
    welcome = docs[2]
    raw = (L10N / "locales" / "en" / "common.json").read_text(encoding="utf-8")
    assert welcome.text.startswith("Welcome back")
    assert welcome.position(0)[0] == 6
    assert raw[welcome.meta["_file_offset"] :].startswith(welcome.text)


def test_json_with_escapes_keeps_lines_but_no_file_offset(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{\n "a": "Tab\\there , \\u00e9t\\u00e9"\n}', encoding="utf-8")
    (doc,) = read_paths([str(path)])
    assert doc.text == "Tab\there , été"
    assert doc.meta["_file_offset"] is None
    assert doc.position(0)[0] == 2


def test_yaml_values_with_lines(tmp_path: Path) -> None:
    docs = {d.id: d for d in read_paths([str(L10N / "locales" / "en" / "app.yml")])}
    assert set(docs) == {"app:en.checkout.title", "app:en.checkout.notice", "app:en.help.body"}
    body = docs["app:en.help.body"]
    assert body.position(body.text.index("We answer"))[0] == 8
    notice = docs["app:en.checkout.notice"]
    raw = (L10N / "locales" / "en" / "app.yml").read_text(encoding="utf-8")
    assert raw[notice.meta["_file_offset"] :].startswith(notice.text)


def test_malformed_resource_files_are_input_errors(tmp_path: Path) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{\n "a": "x",\n}', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.json:3: malformed JSON"):
        list(read_paths([str(bad_json)]))
    bad_yaml = tmp_path / "bad.yml"
    bad_yaml.write_text("a: [unclosed\nb: c\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.yml:\d+: malformed YAML"):
        list(read_paths([str(bad_yaml)]))


def test_yaml_aliases_are_read_once(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("base: &b Hello , there\ncopy: *b\n", encoding="utf-8")
    assert [d.id for d in read_paths([str(path)])] == ["a:base"]


# -- subtitles ----------------------------------------------------------------------


def test_srt_cue_text_only() -> None:
    text = (L10N / "subtitles" / "intro.srt").read_text(encoding="utf-8")
    (doc,) = read_paths([str(L10N / "subtitles" / "intro.srt")])
    assert prose(text, doc.text) == "Welcome to the course , everyone. Today we cover the basics."


def test_vtt_skips_header_notes_and_tags() -> None:
    text = (L10N / "subtitles" / "intro.vtt").read_text(encoding="utf-8")
    (doc,) = read_paths([str(L10N / "subtitles" / "intro.vtt")])
    assert prose(text, doc.text) == "Welcome to the course, everyone. Today we cover the basics ."
    blanks, _ = subtitle_masks("WEBVTT\n\n00:01.000 --> 00:02.000\n<c.red>Hi</c> {\\an8}there\n")
    assert blanks


# -- a localization repository --------------------------------------------------------


def test_check_a_localization_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(L10N, tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    docs = check_json("locales/", "docs/", "subtitles/")
    found = {(d["path"], d["id"], f["text"], f["line"]) for d in docs for f in d["findings"]}
    assert found == {
        ("locales/en/common.json", "common:welcome", "back ,", 6),
        ("locales/en/common.json", "common:errors.1", "U. S.", 9),
        ("locales/en/app.yml", "app:en.checkout.notice", "declined .", 4),
        ("locales/en/app.yml", "app:en.help.body", "day ,", 8),
        ("docs/guide.md", "guide", "account .", 7),
        ("docs/guide.md", "guide", "3,5", 20),
        ("docs/index.html", "index", "guide ,", 7),
        ("subtitles/intro.srt", "intro", "course ,", 3),
        ("subtitles/intro.vtt", "intro", "basics .", 11),
    }
    # the German file is read too (clean), and the suppressed line stays quiet
    assert any(d["path"] == "locales/de/common.json" for d in docs)


# -- any input: same length, same newlines, kept characters unchanged ---------------


_PIECES = st.sampled_from(
    [
        "word",
        " ",
        "\n",
        "\r\n",
        "```",
        "~~~",
        "    ",
        "`",
        "<b>",
        "</p>",
        "<!--",
        "-->",
        "&amp;",
        "[a](b)",
        "---",
        "<script>",
        "</script>",
        "&",
        "<",
        ">",
        "é",
        "00:01.000 --> 00:02.000",
        "1",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_masking_readers_preserve_offsets(text: str) -> None:
    from mtaudit.readers.markup import blank

    for doc_text in (
        markdown_document(text, "x.md", "x").text,
        html_document(text, "x.html", "x").text,
        blank(text, subtitle_masks(text)[0]),
    ):
        assert len(doc_text) == len(text)
        assert all(
            a == b or (a == " " and b not in "\r\n") for a, b in zip(doc_text, text, strict=True)
        )


def test_yaml_comment_directives(tmp_path: Path) -> None:
    path = tmp_path / "sup.yml"
    path.write_text(
        'a: "Hello , world" # mtaudit: ignore MT401\n'
        "# mtaudit: ignore MT4\n"
        "b: Bye , now .\n"
        "c: Still , here.\n",
        encoding="utf-8",
    )
    docs = check_json(str(path))
    assert [(d["id"], len(d["findings"])) for d in docs] == [
        ("sup:a", 0),
        ("sup:b", 0),
        ("sup:c", 1),
    ]
