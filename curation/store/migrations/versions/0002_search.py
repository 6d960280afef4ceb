"""full-text search over responses (SQLite FTS5, PostgreSQL tsvector)

Revision ID: 0002
Revises: 0001

SQLite: an external-content FTS5 table `responses_fts` kept in step with
`responses.text` by triggers. PostgreSQL: a GIN expression index on
to_tsvector('simple', text); queries must use the very same expression.
Neither is a model (the models describe portable tables only), so
tests/test_store.py leaves `*_fts*` objects out of its comparison.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE_UP = [
    "CREATE VIRTUAL TABLE responses_fts USING fts5("
    "text, content='responses', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER responses_fts_ai AFTER INSERT ON responses BEGIN "
    "INSERT INTO responses_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER responses_fts_ad AFTER DELETE ON responses BEGIN "
    "INSERT INTO responses_fts(responses_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER responses_fts_au AFTER UPDATE OF text ON responses BEGIN "
    "INSERT INTO responses_fts(responses_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO responses_fts(rowid, text) VALUES (new.id, new.text); END",
    # Index whatever rows already exist.
    "INSERT INTO responses_fts(responses_fts) VALUES ('rebuild')",
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS responses_fts_au",
    "DROP TRIGGER IF EXISTS responses_fts_ad",
    "DROP TRIGGER IF EXISTS responses_fts_ai",
    "DROP TABLE IF EXISTS responses_fts",
]
PG_INDEX = "ix_responses_text_fts"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_UP:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX {PG_INDEX} ON responses USING gin (to_tsvector('simple', text))")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_DOWN:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
