"""task trend read by inspecting body and month

Revision ID: d2b7e4a9c6f1
Revises: c6f2a8d4e1b7
Create Date: 2026-12-08 02:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd2b7e4a9c6f1'
down_revision = 'c6f2a8d4e1b7'
branch_labels = None
depends_on = None


def upgrade():
    # A subtree's trend gathers its rows by lead unit (the primary key) or inspecting body and month:
    # with the month beside the body, both ranges stop at the months asked for. Serves every look-up
    # by body alone the single-column index served.
    op.drop_index('ix_task_trend_inspecting_org_id', table_name='task_trend')
    op.create_index('ix_task_trend_inspecting_month', 'task_trend', ['inspecting_org_id', 'month'], unique=False)


def downgrade():
    op.drop_index('ix_task_trend_inspecting_month', table_name='task_trend')
    op.create_index('ix_task_trend_inspecting_org_id', 'task_trend', ['inspecting_org_id'], unique=False)
