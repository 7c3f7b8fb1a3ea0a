"""received visits and tasks by directive indexes

Revision ID: c6e2f8a4d913
Revises: b6e0d4a2c915
Create Date: 2026-12-08 01:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c6e2f8a4d913'
down_revision = 'b6e0d4a2c915'
branch_labels = None
depends_on = None


def upgrade():
    # The visits a subtree received from bodies outside it, read from this index alone (a province's
    # ~10,000 received visits were read from the table to keep the ~300 made from outside).
    op.create_index(
        'ix_visit_received', 'visit', ['inspected_org_id', 'inspecting_org_id', 'id'], unique=False
    )
    # A directive's tasks with their lead unit, from the index alone (the tasks of those visits led
    # outside the subtree); it serves every look-up by directive the index it replaces served.
    op.create_index(
        'ix_task_directive_lead', 'task', ['directive_id', 'lead_org_id', 'id'], unique=False
    )
    op.drop_index('ix_task_directive_id', table_name='task')


def downgrade():
    op.create_index('ix_task_directive_id', 'task', ['directive_id'], unique=False)
    op.drop_index('ix_task_directive_lead', table_name='task')
    op.drop_index('ix_visit_received', table_name='visit')
