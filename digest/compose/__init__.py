"""Compose: which articles make the edition, with their blurbs."""

from digest.compose.edition import compose_edition, select_articles, window_start

__all__ = ["compose_edition", "select_articles", "window_start"]
