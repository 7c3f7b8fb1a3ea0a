"""task directive status due index

Revision ID: b6e0d4a2c915
Revises: a4d8e2c6f913
Create Date: 2026-12-08 01:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b6e0d4a2c915'
down_revision = 'a4d8e2c6f913'
branch_labels = None
depends_on = None


def upgrade():
    # The visit list counts each visit's tasks and overdue tasks through its directives: the state and
    # due date read from this index, not from the task rows (SQLite, 50 visits: about a third less).
    op.create_index(
        'ix_task_directive_status_due', 'task', ['directive_id', 'status', 'due_on'], unique=False
    )


def downgrade():
    op.drop_index('ix_task_directive_status_due', table_name='task')
