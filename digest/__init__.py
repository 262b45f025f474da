"""digest: a weekly newsletter and social-post scheduler for small nonprofits."""

__version__ = "0.1.0"
