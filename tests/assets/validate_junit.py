"""Validates JUnit XML files against tests/assets/junit-10.xsd (xmlschema from PyPI).

Usage: python3 validate_junit.py FILE...; prints each error and exits 1 on any.
"""
import pathlib
import sys

import xmlschema

schema = xmlschema.XMLSchema(str(pathlib.Path(__file__).with_name("junit-10.xsd")))
bad = 0
for path in sys.argv[1:]:
    for error in schema.iter_errors(path):
        bad += 1
        print(f"{path}: {error.reason} at {error.path}")
sys.exit(1 if bad else 0)
