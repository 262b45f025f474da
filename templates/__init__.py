"""The built-in email and social templates, shipped as ``digest.templates``.

This file only makes the folder a package, so ``importlib.resources`` finds it in
an installed wheel and in an editable install alike.
"""
