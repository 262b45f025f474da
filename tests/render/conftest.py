"""A fixed edition for the rendering tests: an English story with an image, a Korean one, one more."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.types import Edition, EditionItem

from .helpers import article, make_edition


@pytest.fixture
def edition() -> Edition:
    coats = article(
        1,
        title="Winter coats for 40 children",
        url="https://example.org/news/coats?ref=home",
        author="Volunteer team",
        image="https://example.org/img/coats.jpg",
        image_alt="Children trying on winter coats",
    )
    scholarship = article(
        2,
        title="청소년 장학금 신청 안내",
        url="https://example.org/ko/news/scholarship",
        author="교육지원팀",
        published=datetime(2026, 11, 21, 15, 30, tzinfo=UTC),
    )
    kitchen = article(3, title="Notes from the shelter kitchen", url="https://example.org/news/kitchen")
    return make_edition(
        [
            EditionItem(coats, "We handed out 40 coats. Volunteers sorted sizes for two evenings."),
            EditionItem(
                scholarship,
                "올해 청소년 장학금 신청이 다음 달 첫째 주에 시작됩니다. "
                "자원봉사자가 신청서 작성을 도와드립니다.",
            ),
        ],
        [EditionItem(kitchen, "A grandmother taught a cold noodle soup.")],
    )
