"""drafted letters behind SMS links (bot.letter.links)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create rec_letter_links: sealed drafted letters behind SMS links, with their expiry."""
    op.create_table(
        "rec_letter_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("rec_letter_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rec_letter_links_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    """Drop rec_letter_links."""
    with op.batch_alter_table("rec_letter_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rec_letter_links_expires_at"))
    op.drop_table("rec_letter_links")
