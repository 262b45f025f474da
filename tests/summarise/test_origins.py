"""Every blurb sentence shows where it came from (issue 23): the article's paragraph, as read.

Generated articles (paragraphs of sentences, blank lines or single line breaks between them),
HTML, every sample article through `digest summarise --json`, and a checked LLM answer.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.cli import main
from digest.summarise import summarise
from digest.summarise.origins import SUPPORTED, as_json, written
from digest.summarise.split import paragraph_bounds
from digest.summarise.text import strip_html
from tests.paths import SAMPLE

WORDS = [
    "refugees",
    "school",
    "opened",
    "Seoul",
    "volunteers",
    "classes",
    "winter",
    "families",
    "Dr.",
    "U.S.",
]
sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=12).map(
    lambda ws: " ".join(ws).capitalize() + "."
)
paragraph = st.lists(sentence, min_size=1, max_size=4).map(" ".join)
article = st.tuples(
    st.lists(paragraph, min_size=1, max_size=6), st.sampled_from(["\n\n", "\n", "\n \n"])
).map(lambda p: p[1].join(p[0]))


def paragraphs(text: str) -> list[str]:
    return [text[s:e] for s, e in paragraph_bounds(text)]


def assert_quoted(origins: tuple, text: str) -> None:  # type: ignore[type-arg]
    paras = paragraphs(text)
    for o in origins:
        src = o.source
        assert src is not None, o
        assert src.text == paras[src.paragraph]
        assert src.text[src.start : src.end] == o.text
        assert o.text in src.text


@settings(max_examples=150, deadline=None)
@given(article, st.integers(1, 4))
def test_each_sentence_is_found_in_the_paragraph_it_names(text: str, k: int) -> None:
    summary = summarise(text, max_sentences=k)
    assert [o.text for o in summary.origins] == summary.sentences
    assert_quoted(summary.origins, text)


def test_html_paragraphs_are_the_ones_a_reader_sees() -> None:
    html = (
        "<h1>New classes</h1><p>Hanbit Bridge opened two evening classes in Seoul this week.</p>"
        "<p>Each class has twelve places. Forty families asked for a place in the first two days.</p>"
        "<script>var x = 1;</script><p>The classes run until March, the organisers said.</p>"
    )
    summary = summarise(html, max_sentences=3)
    assert summary.sentences
    plain = strip_html(html)
    assert_quoted(summary.origins, plain)
    assert all("<" not in o.source.text for o in summary.origins if o.source)


def test_a_sentence_that_repeats_points_at_its_own_place() -> None:
    text = (
        "Volunteers met on Monday.\n\nThe school opened its doors to 40 new students from the north. "
        "Volunteers met on Monday.\n\nEvery student gets a tutor, the director of the school said."
    )
    summary = summarise(text, max_sentences=4)
    assert_quoted(summary.origins, text)
    starts = [(o.source.paragraph, o.source.start) for o in summary.origins if o.source]
    assert len(set(starts)) == len(starts)


def test_summarise_json_maps_every_sentence_to_its_paragraph(monkeypatch, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    monkeypatch.setenv("DIGEST_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DIGEST_SOURCES", str(SAMPLE))
    monkeypatch.chdir(tmp_path)
    files = sorted(p for p in SAMPLE.iterdir() if p.suffix in {".md", ".txt"} and p.name != "README.md")
    assert len(files) >= 3
    for path in files:
        main(["summarise", str(path), "--json"])
        out = json.loads(capsys.readouterr().out)
        assert out["sentences"], path
        assert " ".join(s["text"] for s in out["sentences"]) == out["blurb"]
        for s in out["sentences"]:
            src = s["source"]
            assert s["text"] in src["text"] and src["text"][src["start"] : src["end"]] == s["text"]
            assert isinstance(src["paragraph"], int) and src["paragraph"] >= 0


def test_summarise_text_output_names_the_paragraphs(monkeypatch, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    monkeypatch.setenv("DIGEST_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DIGEST_SOURCES", str(SAMPLE))
    monkeypatch.chdir(tmp_path)
    main(["summarise", str(SAMPLE / "2026-winter-coats.md")])
    out = capsys.readouterr().out
    assert "Where each sentence came from:" in out and "1. paragraph " in out


def test_a_written_sentence_gets_its_supporting_sentences_and_the_verdict() -> None:
    text = (
        "Volunteers in Seoul opened a shelter for 25 North Korean refugees on Monday.\n\n"
        "The shelter, run by Crossing Borders, offers beds and language classes. "
        "The city will fund the project for two years."
    )
    [one, two] = written(
        ["Crossing Borders opened a Seoul shelter for 25 refugees.", "The weather was fine."], text
    )
    assert one.source is not None and one.source.verdict == SUPPORTED
    assert set(one.source.supporting) == {
        "Volunteers in Seoul opened a shelter for 25 North Korean refugees on Monday.",
        "The shelter, run by Crossing Borders, offers beds and language classes.",
    }
    assert one.source.paragraph in (0, 1) and one.source.text in paragraphs(text)
    assert two.source is None  # no word of it is in the article: nothing supports it
    assert as_json(two) == {"text": "The weather was fine.", "source": None}
    assert as_json(one)["source"]["verdict"] == SUPPORTED  # type: ignore[index]


def test_a_checked_llm_blurb_carries_its_support() -> None:
    from digest.summarise.llm import llm_blurb
    from tests.fakes.llm_server import fake_llm

    text = "<p>Volunteers in Seoul opened a shelter for 25 refugees on Monday.</p><p>It has 10 beds.</p>"
    with fake_llm("/v1") as server:
        server.script.reply = "Volunteers opened a shelter in Seoul. It has 10 beds."
        s = llm_blurb(
            base_url=server.base_url, api_key=None, model="m", timeout=2.0, text=text, title="Shelter"
        )
    assert s.source == "llm"
    assert [o.text for o in s.origins] == s.sentences
    for o in s.origins:
        assert o.source is not None and o.source.supporting and o.source.verdict == SUPPORTED
        assert all("<" not in t for t in o.source.supporting)


def test_what_the_ledger_keeps_withholds_a_paragraph_naming_a_protected_term() -> None:
    from digest.summarise.origins import from_json, to_json

    text = "Forty coats went to children on Thursday. They were stored at Quiet Harbour House.\n\nAll fit."
    summary = summarise(text, max_sentences=1)
    kept = from_json(to_json(summary.origins, hide=lambda t: "Quiet Harbour House" in t))
    assert [k["text"] for k in kept] == summary.sentences
    assert kept[0]["source"]["withheld"] is True and kept[0]["source"]["text"] == ""
    assert "Quiet Harbour" not in to_json(summary.origins, hide=lambda t: "Quiet Harbour House" in t)
    assert from_json(to_json(summary.origins))[0]["source"]["text"].endswith("Quiet Harbour House.")
    assert from_json("not json") == [] and from_json("") == [] and from_json('{"a": 1}') == []
