"""cards: public question titles for card headers

Revision ID: 0011
Revises: 0010
"""

import tomllib
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_BUNDLED = Path(__file__).resolve().parents[3] / "data" / "consultations"


def _bundled_titles() -> list[tuple[str, int, str]]:
    """(slug, question number, public title) from the bundled consultation files."""
    rows: list[tuple[str, int, str]] = []
    for path in sorted(_BUNDLED.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for q in data.get("questions") or []:
            if str(q.get("public_title", "")).strip():
                rows.append((data["slug"], int(q["number"]), str(q["public_title"]).strip()))
    return rows


def upgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("public_title", sa.String(length=120), nullable=True))
    # Questions already stored get the titles written for their consultation.
    update = sa.text(
        "UPDATE questions SET public_title = :title WHERE number = :number AND "
        "consultation_id IN (SELECT id FROM consultations WHERE slug = :slug)"
    )
    for slug, number, title in _bundled_titles():
        op.execute(update.bindparams(title=title, number=number, slug=slug))


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("public_title")
