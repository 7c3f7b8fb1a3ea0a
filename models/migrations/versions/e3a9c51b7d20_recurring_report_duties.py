"""recurring report duties

Revision ID: e3a9c51b7d20
Revises: e5b3c81d2f47
Create Date: 2026-12-07 03:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base

# The task list's rank as revision b3d5f7a9c1e2 made it. SQLite rebuilds the task table below (batch
# mode) and cannot copy into a generated column, so that column and its index are dropped before the
# rebuild and added back (VIRTUAL, as b3d5f7a9c1e2 made them) after it.
LIST_RANK_SQL = (
    "CASE WHEN status IN ('assigned', 'in_progress', 'paused', 'returned') THEN 0 WHEN status = 'reported' THEN 2 WHEN status = 'done' THEN 4 ELSE 6 END + CASE WHEN due_on IS NULL THEN 1 ELSE 0 END"
)


def _set_aside_list_rank():
    op.drop_index('ix_task_list_order', table_name='task')


def _add_back_list_rank():
    op.add_column(
        'task',
        sa.Column('list_rank', sa.SmallInteger(), sa.Computed(LIST_RANK_SQL, persisted=False), nullable=True),
    )
    op.create_index('ix_task_list_order', 'task', ['list_rank', 'due_on', 'id'], unique=False)


# revision identifiers, used by Alembic.
revision = 'e3a9c51b7d20'
down_revision = 'e5b3c81d2f47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recurrence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Enum('monthly', 'quarterly', 'half_yearly', 'yearly', name='recurrence_period', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('due_day', sa.Integer(), nullable=False),
    sa.Column('first_period', sa.Date(), nullable=False),
    sa.Column('last_period', sa.Date(), nullable=True),
    sa.Column('lead_org_id', sa.Integer(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('stopped_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('due_day BETWEEN 1 AND 31', name=op.f('ck_recurrence_due_day_range')),
    sa.CheckConstraint('last_period IS NULL OR last_period >= first_period', name=op.f('ck_recurrence_periods_in_order')),
    sa.ForeignKeyConstraint(['directive_id'], ['directive.id'], name=op.f('fk_recurrence_directive_id_directive')),
    sa.ForeignKeyConstraint(['lead_org_id'], ['organization.id'], name=op.f('fk_recurrence_lead_org_id_organization')),
    sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], name=op.f('fk_recurrence_set_by_id_user_account')),
    sa.ForeignKeyConstraint(['stopped_by_id'], ['user_account.id'], name=op.f('fk_recurrence_stopped_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recurrence'))
    )
    with op.batch_alter_table('recurrence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recurrence_directive_id'), ['directive_id'], unique=False)
        batch_op.create_index('uq_recurrence_one_running', ['directive_id'], unique=True, sqlite_where=sa.text('stopped_at IS NULL'), postgresql_where=sa.text('stopped_at IS NULL'))

    op.create_table('recurrence_coordinator',
    sa.Column('recurrence_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_recurrence_coordinator_organization_id_organization')),
    sa.ForeignKeyConstraint(['recurrence_id'], ['recurrence.id'], name=op.f('fk_recurrence_coordinator_recurrence_id_recurrence'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recurrence_id', 'organization_id', name=op.f('pk_recurrence_coordinator'))
    )
    with op.batch_alter_table('recurrence_coordinator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recurrence_coordinator_organization_id'), ['organization_id'], unique=False)

    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        _set_aside_list_rank()
    with op.batch_alter_table('task', schema=None) as batch_op:
        if sqlite:
            batch_op.drop_column('list_rank')
        batch_op.add_column(sa.Column('recurrence_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('period_start', sa.Date(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_task_recurrence_id_period_start'), ['recurrence_id', 'period_start'])
        batch_op.create_foreign_key(batch_op.f('fk_task_recurrence_id_recurrence'), 'recurrence', ['recurrence_id'], ['id'])
        batch_op.create_check_constraint('recurrence_period_together', '(recurrence_id IS NULL) = (period_start IS NULL)')
    if sqlite:
        _add_back_list_rank()


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        _set_aside_list_rank()
    with op.batch_alter_table('task', schema=None) as batch_op:
        if sqlite:
            batch_op.drop_column('list_rank')
        batch_op.drop_constraint(batch_op.f('ck_task_recurrence_period_together'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_task_recurrence_id_recurrence'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_task_recurrence_id_period_start'), type_='unique')
        batch_op.drop_column('period_start')
        batch_op.drop_column('recurrence_id')
    if sqlite:
        _add_back_list_rank()

    with op.batch_alter_table('recurrence_coordinator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recurrence_coordinator_organization_id'))

    op.drop_table('recurrence_coordinator')
    with op.batch_alter_table('recurrence', schema=None) as batch_op:
        batch_op.drop_index('uq_recurrence_one_running', sqlite_where=sa.text('stopped_at IS NULL'), postgresql_where=sa.text('stopped_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_recurrence_directive_id'))

    op.drop_table('recurrence')
