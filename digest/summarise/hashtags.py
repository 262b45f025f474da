from __future__ import annotations
def hashtags(*a, **k): return []
