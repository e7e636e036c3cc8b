"""Evidence is immutable in the database itself (PostgreSQL triggers, migrations
assessments/0008 and indicators/0005): a decision, an assessment or an indicator is never
UPDATEd or DELETEd, except the few changes the domain makes (an indicator withdrawn, ended,
given its event) and the paths named here, which a transaction declares with
``evidence_path``:

- ``scenario``: loading a scenario file rewrites and removes the rows *loaded from a file*
  (indicators with neither feed nor author, decisions of origin "scenario"), never others;
- ``prune``: thinning old assessments (assessments.services.assessments_prune);
- ``migration``: a data migration that must rewrite evidence (set it in the migration).

The declaration is a transaction-local setting (``readiness.evidence_path``), so it ends
with the block even when the block is a savepoint of a longer transaction. On SQLite
(development, fast tests) there are no triggers and the declaration does nothing but open
the transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

SETTING = "readiness.evidence_path"
PATHS = frozenset({"scenario", "prune", "migration"})


@contextmanager
def evidence_path(name: str, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block in one transaction in which the evidence path ``name`` is allowed."""
    if name not in PATHS:
        raise ValueError(f"unknown evidence path {name!r}: one of {sorted(PATHS)}")
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(current_setting(%s, true), ''), set_config(%s, %s, true)",
                [SETTING, SETTING, name],
            )
            row = cursor.fetchone()
        previous = row[0] if row else ""
        yield
        # Reached only when the block succeeded (an exception rolls the block back, and the
        # setting with it): the enclosing transaction goes on without the path.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, previous])
