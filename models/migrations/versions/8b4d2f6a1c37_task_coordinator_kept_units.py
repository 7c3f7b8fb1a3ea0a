"""task's lead unit and inspecting body kept on its coordinating rows

Revision ID: 8b4d2f6a1c37
Revises: 5d1f3b7a9c20
Create Date: 2026-12-07 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b4d2f6a1c37'
down_revision = '5d1f3b7a9c20'
branch_labels = None
depends_on = None


def upgrade():
    # The task's lead unit and inspecting body, kept on each coordinating row (models.task: set on
    # insert, moved by the flush hook), so that the tasks a subtree only coordinates are read from
    # these rows' index alone. Plain columns added in place on both databases (no table rebuild).
    if op.get_bind().dialect.name != 'sqlite':
        # Filling every row takes longer than a page's statement timeout: lifted for this transaction.
        op.execute('SET LOCAL statement_timeout = 0')
    op.add_column('task_coordinator', sa.Column('lead_org_id', sa.Integer(), nullable=True))
    op.add_column('task_coordinator', sa.Column('inspecting_org_id', sa.Integer(), nullable=True))
    of_task = 'SELECT task.{} FROM task WHERE task.id = task_coordinator.task_id'
    op.execute(
        f'UPDATE task_coordinator SET lead_org_id = ({of_task.format("lead_org_id")}),'
        f' inspecting_org_id = ({of_task.format("inspecting_org_id")})'
    )
    op.create_index(
        'ix_task_coordinator_seen',
        'task_coordinator',
        ['organization_id', 'lead_org_id', 'inspecting_org_id', 'task_id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_task_coordinator_seen', table_name='task_coordinator')
    if op.get_bind().dialect.name == 'sqlite':
        # In place (SQLite 3.35+), as the columns were added.
        op.execute('ALTER TABLE task_coordinator DROP COLUMN inspecting_org_id')
        op.execute('ALTER TABLE task_coordinator DROP COLUMN lead_org_id')
    else:
        op.drop_column('task_coordinator', 'inspecting_org_id')
        op.drop_column('task_coordinator', 'lead_org_id')
