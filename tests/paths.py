"""Folders the tests read from the checkout.

``SAMPLE`` is the tests' own fixed copy of the sample articles (tests/sample/README.md says
why): a test that needs articles reads these, never the checkout's ``content/``.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "sample"
