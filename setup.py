"""Package list for setuptools; everything else is in pyproject.toml.

The wheel installs one top-level package, ``digest``. The repository's top-level
``jobs/``, ``templates/`` and ``content/`` folders ship inside it as ``digest.jobs``,
``digest.templates`` and ``digest.sample`` (mapped in pyproject's ``package-dir``).
``find_packages`` cannot see a mapped folder, so those are added by name here.
"""

from setuptools import find_packages, setup

MAPPED = ["digest.jobs", "digest.templates", "digest.sample"]

setup(packages=[*find_packages(include=["digest", "digest.*"]), *MAPPED])
