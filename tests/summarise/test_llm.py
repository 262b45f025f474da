"""Optional LLM mode against a local fake chat-completions server."""

from __future__ import annotations

import logging
import time

import pytest

from digest.summarise import Summary, blurb
from digest.summarise.llm import endpoint, llm_blurb
from tests.fakes.llm_server import FakeLLM, fake_llm

ARTICLE = (
    "Volunteers in Seoul opened a shelter for 25 North Korean refugees on Monday. "
    "The shelter, run by Crossing Borders, offers beds and language classes. "
    "Director Lee Min-ho said demand had doubled since 2023. "
    "The city will fund the project for two years."
)
GOOD = "Crossing Borders opened a Seoul shelter for 25 North Korean refugees. Demand doubled since 2023."


@pytest.fixture
def fake() -> FakeLLM:  # type: ignore[misc]
    with fake_llm("/v1") as server:
        yield server


def call(fake: FakeLLM, **overrides: object) -> Summary:
    kwargs: dict[str, object] = {
        "base_url": fake.base_url,
        "api_key": "sk-test",
        "model": "tiny-model",
        "timeout": 2.0,
        "text": ARTICLE,
        "title": "New shelter",
        "max_words": 40,
        "protected": None,
    }
    kwargs.update(overrides)
    return llm_blurb(**kwargs)  # type: ignore[arg-type]


def test_good_answer_is_used_and_request_is_well_formed(fake: FakeLLM) -> None:
    fake.script.reply = GOOD
    s = call(fake)
    assert s.source == "llm"
    assert s.text == GOOD
    [req] = fake.requests
    assert req.path == "/v1/chat/completions"
    assert req.headers["Authorization"] == "Bearer sk-test"
    assert req.body["model"] == "tiny-model"
    roles = [m["role"] for m in req.body["messages"]]
    assert roles == ["system", "user"]
    assert ARTICLE in req.body["messages"][1]["content"]


def test_base_url_without_v1_and_no_key() -> None:
    with fake_llm("") as server:
        server.script.reply = GOOD
        s = call(server, api_key=None)
        assert s.source == "llm"
        [req] = server.requests
        assert req.path == "/chat/completions"
        assert "Authorization" not in req.headers
    assert endpoint("http://h:1/v1/") == "http://h:1/v1/chat/completions"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("Volunteers opened a shelter for 40 refugees in Seoul.", "number '40'"),
        ("Volunteers led by Park Ji-sung opened a shelter in Seoul.", "name 'Park'"),
        ("Smith opened a shelter in Seoul for refugees.", "name 'Smith'"),
        ("word " * 41, "too long"),
        ("Lee Min-ho opened a shelter in Seoul.", "protected"),
        ("   ", "empty"),
    ],
)
def test_bad_answers_fall_back(
    fake: FakeLLM, caplog: pytest.LogCaptureFixture, reply: str, reason: str
) -> None:
    fake.script.reply = reply
    with caplog.at_level(logging.WARNING, logger="digest.summarise.llm"):
        s = call(fake, protected=lambda t: "Lee Min-ho" in t)
    assert s.source == "extractive"
    assert s.sentences == blurb(ARTICLE, "New shelter", max_words=40).sentences
    assert reason in caplog.text


@pytest.mark.parametrize(
    ("status", "raw", "reason"),
    [
        (500, None, "HTTP 500"),
        (200, b"not json{", "malformed"),
        (200, b'{"choices": []}', "malformed"),
        (200, b'{"choices": [{"message": {"content": 7}}]}', "empty answer"),
    ],
)
def test_server_errors_fall_back(
    fake: FakeLLM, caplog: pytest.LogCaptureFixture, status: int, raw: bytes | None, reason: str
) -> None:
    fake.script.status = status
    fake.script.raw_body = raw
    with caplog.at_level(logging.WARNING, logger="digest.summarise.llm"):
        s = call(fake)
    assert s.source == "extractive"
    assert s.sentences
    assert reason in caplog.text


def test_slow_answer_times_out(fake: FakeLLM, caplog: pytest.LogCaptureFixture) -> None:
    fake.script.reply = GOOD
    fake.script.delay = 6.0
    t0 = time.perf_counter()
    with caplog.at_level(logging.WARNING, logger="digest.summarise.llm"):
        s = call(fake, timeout=0.3)
    assert time.perf_counter() - t0 < 4.0  # cut at 0.3 s, not the 6 s answer (slack for a loaded machine)
    assert s.source == "extractive"
    assert "no answer within" in caplog.text


def test_unreachable_server_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    with fake_llm() as server:
        url = server.base_url
    with caplog.at_level(logging.WARNING, logger="digest.summarise.llm"):
        s = llm_blurb(base_url=url, api_key=None, model="m", timeout=1.0, text=ARTICLE)
    assert s.source == "extractive"
    assert "request failed" in caplog.text


@pytest.mark.parametrize(
    ("reply", "word"),
    [
        # lowercase inventions: no capital, no number for the older checks to see
        ("Crossing Borders opened a Seoul shelter for 25 North Korean refugees. The director was arrested.",
         "arrested"),
        ("Volunteers opened a shelter for 25 refugees who were deported.", "deported"),
        ("The shelter offers beds and secret passports.", "secret"),
    ],
)
def test_every_content_word_of_every_sentence_must_be_in_the_article(
    fake: FakeLLM, caplog: pytest.LogCaptureFixture, reply: str, word: str
) -> None:
    fake.script.reply = reply
    with caplog.at_level(logging.WARNING, logger="digest.summarise.llm"):
        s = call(fake)
    assert s.source == "extractive"
    assert f"word {word!r} is not in the article" in caplog.text


def test_inflections_and_korean_particles_of_article_words_are_supported(fake: FakeLLM) -> None:
    fake.script.reply = "The city funds the project. Volunteers open a shelter with classes."
    assert call(fake).source == "llm"
    korean = "올해 청소년 장학금 신청이 다음 달 첫째 주에 시작됩니다. 지난해에는 스물네 명이 받았습니다."
    fake.script.reply = "청소년 장학금을 신청이 시작됩니다."
    assert call(fake, text=korean, title="장학금").source == "llm"
    fake.script.reply = "청소년 장학금 신청자가 체포되었습니다."
    assert call(fake, text=korean, title="장학금").source == "extractive"
