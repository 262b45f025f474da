"""The sample articles, shipped inside the package as ``digest.sample``.

This file only makes the folder findable in an installed wheel; the article
reader skips it (it reads .md, .txt, .html and feed files).
"""
