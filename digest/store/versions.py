"""The schema's migration steps by number, without importing them (or SQLAlchemy).

:mod:`digest.store.quick` compares a database's applied steps with these before reading it
with the standard library's driver (anything else goes through the migrations). A step added
to :data:`digest.store.migrations.STEPS` must be added here too; tests/store/test_quick.py
fails until it is.
"""

SCHEMA_VERSIONS = (
    *range(1, 12),
    20,
    21,
    23,
    30,
    31,
    40,
    41,
    42,
    43,
    44,
    45,
    47,
    49,
    50,
    51,
    60,
    70,
)
