# pre-commit installs a `language: python` hook repository with `pip install .` plus the
# hook's additional_dependencies; this placeholder makes the mirror installable. The
# hook's code is the vpclint wheel named in .pre-commit-hooks.yaml.
from setuptools import setup

setup(name="pre_commit_placeholder_package", version="0.0.0", py_modules=[])
