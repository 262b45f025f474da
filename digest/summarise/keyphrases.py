from __future__ import annotations
def keyphrases(sentences: list[str], language: str, limit: int = 10) -> list[str]:
    return []
