"""task counts index holds reported_at

Revision ID: c6f2a8d4e1b7
Revises: c6e2f8a4d913
Create Date: 2026-12-08 01:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c6f2a8d4e1b7'
down_revision = 'c6e2f8a4d913'
branch_labels = None
depends_on = None

_BEFORE = [
    'lead_org_id', 'status', 'due_on', 'completed_on', 'original_due_on', 'created_at', 'cancelled_at',
    'directive_id', 'progress',
]


def upgrade():
    # A task's category reads reported_at (a reported task is awaiting on time or late): with it in the
    # index, the counts and an office's list read a unit's led tasks from the index alone, not their rows.
    op.drop_index('ix_task_counts', table_name='task')
    op.create_index('ix_task_counts', 'task', [*_BEFORE, 'reported_at'], unique=False)


def downgrade():
    op.drop_index('ix_task_counts', table_name='task')
    op.create_index('ix_task_counts', 'task', _BEFORE, unique=False)
