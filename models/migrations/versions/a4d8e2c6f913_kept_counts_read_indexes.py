"""kept counts read indexes

Revision ID: a4d8e2c6f913
Revises: 8b4d2f6a1c37
Create Date: 2026-12-07 22:50:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a4d8e2c6f913'
down_revision = '8b4d2f6a1c37'
branch_labels = None
depends_on = None


def upgrade():
    # The dashboard's unit table sums the counts of all time by lead unit and category: read in this
    # index's order, the numbers from the index itself (no sort of the kept rows on SQLite).
    op.create_index(
        'ix_task_count_all_lead_category', 'task_count_all', ['lead_org_id', 'category', 'tasks'], unique=False
    )
    # The trend sums a year of months: a range of this index, the numbers from the index itself
    # (not a read of every kept month).
    op.create_index(
        'ix_task_trend_month',
        'task_trend',
        ['month', 'done_on_time', 'done_late', 'overdue', 'open_within'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_task_trend_month', table_name='task_trend')
    op.drop_index('ix_task_count_all_lead_category', table_name='task_count_all')
