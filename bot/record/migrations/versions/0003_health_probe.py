"""health probe: one row per process that proves the database takes writes (/healthz)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create rec_health_probe: one row per process, rewritten to prove the database takes writes."""
    op.create_table(
        "rec_health_probe",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    """Drop rec_health_probe."""
    op.drop_table("rec_health_probe")
