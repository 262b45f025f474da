"""Render: editions into email HTML and text, and MIME messages."""
