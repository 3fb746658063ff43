"""SMS state without numbers: an opt-out list of keyed hashes, and the live conversation of a number

rec_sms_state kept every texter's number (sealed) on every message, whatever they chose (issue 14).
Opt-outs are carried over (the old key already was the keyed hash of the number); the sealed numbers
are dropped with the table. A number is now kept only on a referral that asked to be texted.

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-10 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Replace rec_sms_state with the opt-out hashes and live conversations, carrying opt-outs over."""
    op.create_table(
        "rec_sms_opt_outs",
        sa.Column("number_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("number_hash"),
    )
    op.create_table(
        "rec_sms_conversations",
        sa.Column("number_hash", sa.String(length=64), nullable=False),
        sa.Column("conversation", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("number_hash"),
        sa.UniqueConstraint("conversation"),
    )
    op.create_index("ix_rec_sms_conversations_updated_at", "rec_sms_conversations", ["updated_at"])
    op.execute(
        "INSERT INTO rec_sms_opt_outs (number_hash, at) " "SELECT sender, updated_at FROM rec_sms_state WHERE opted_out"
    )
    op.drop_table("rec_sms_state")


def downgrade() -> None:
    """Bring back rec_sms_state with the opt-outs only (the dropped numbers are gone)."""
    op.create_table(
        "rec_sms_state",
        sa.Column("sender", sa.String(length=32), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("number_sealed", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sender"),
    )
    op.execute(
        "INSERT INTO rec_sms_state (sender, opted_out, updated_at) " "SELECT number_hash, 1=1, at FROM rec_sms_opt_outs"
    )
    op.drop_index("ix_rec_sms_conversations_updated_at", "rec_sms_conversations")
    op.drop_table("rec_sms_conversations")
    op.drop_table("rec_sms_opt_outs")
