"""task list order index

Revision ID: b3d5f7a9c1e2
Revises: c90a6fd69854
Create Date: 2026-12-07 02:55:00.000000

"""
from alembic import op
import sqlalchemy as sa

# The expression as this revision made it (models.task.LIST_RANK_SQL today).
LIST_RANK_SQL = (
    "CASE WHEN status IN ('assigned', 'in_progress', 'paused', 'returned') THEN 0 WHEN status = 'reported' THEN 2 WHEN status = 'done' THEN 4 ELSE 6 END + CASE WHEN due_on IS NULL THEN 1 ELSE 0 END"
)


# revision identifiers, used by Alembic.
revision = 'b3d5f7a9c1e2'
down_revision = 'c90a6fd69854'
branch_labels = None
depends_on = None


def upgrade():
    # A generated column: VIRTUAL on SQLite (which can add no STORED column), STORED on PostgreSQL.
    stored = op.get_bind().dialect.name != 'sqlite'
    op.add_column(
        'task',
        sa.Column('list_rank', sa.SmallInteger(), sa.Computed(LIST_RANK_SQL, persisted=stored), nullable=True),
    )
    op.create_index('ix_task_list_order', 'task', ['list_rank', 'due_on', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_task_list_order', table_name='task')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('list_rank')
