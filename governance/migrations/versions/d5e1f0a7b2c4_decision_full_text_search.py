"""decisions: full-text search index (SQLite FTS5, French stems), kept in sync by triggers

Revision ID: d5e1f0a7b2c4
Revises: 7069ad4800fe
Create Date: 2026-11-23 21:50:00

"""
from alembic import op

from governance.votes.search import register_functions

# revision identifiers, used by Alembic.
revision = 'd5e1f0a7b2c4'
down_revision = '7069ad4800fe'
branch_labels = None
depends_on = None

# What each column of the index holds: the stems of these decision fields.
TITLE = "fr_stems(new.reference || ' ' || new.title)"
BODY = "fr_stems(new.text || ' ' || new.effect)"


def upgrade():
    # PostgreSQL will index to_tsvector('french', …) instead (see governance/votes/search.py).
    if op.get_bind().dialect.name != 'sqlite':
        return
    # The app registers fr_stems() on its connections; this one may be a plain one.
    register_functions(op.get_bind().connection.driver_connection)
    op.execute(
        "CREATE VIRTUAL TABLE decision_search USING fts5("
        "title, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute(
        f"CREATE TRIGGER decision_search_inserted AFTER INSERT ON decision BEGIN "
        f"INSERT INTO decision_search(rowid, title, body) VALUES (new.id, {TITLE}, {BODY}); END"
    )
    # Decisions are never edited nor deleted (other triggers refuse it); should that rule ever
    # change, the index still follows.
    op.execute(
        f"CREATE TRIGGER decision_search_updated AFTER UPDATE ON decision BEGIN "
        f"DELETE FROM decision_search WHERE rowid = old.id; "
        f"INSERT INTO decision_search(rowid, title, body) VALUES (new.id, {TITLE}, {BODY}); END"
    )
    op.execute(
        "CREATE TRIGGER decision_search_deleted AFTER DELETE ON decision BEGIN "
        "DELETE FROM decision_search WHERE rowid = old.id; END"
    )
    op.execute(
        "INSERT INTO decision_search(rowid, title, body) SELECT id, "
        + TITLE.replace("new.", "")
        + ", "
        + BODY.replace("new.", "")
        + " FROM decision"
    )


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for trigger in ('inserted', 'updated', 'deleted'):
        op.execute(f"DROP TRIGGER IF EXISTS decision_search_{trigger}")
    op.execute("DROP TABLE IF EXISTS decision_search")
