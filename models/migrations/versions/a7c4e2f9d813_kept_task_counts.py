"""kept task counts

Revision ID: a7c4e2f9d813
Revises: a7c2e4f6b8d0
Create Date: 2026-12-07 06:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c4e2f9d813'
down_revision = 'a7c2e4f6b8d0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'task_count',
        sa.Column('lead_org_id', sa.Integer(), nullable=False),
        sa.Column('inspecting_org_id', sa.Integer(), nullable=False),
        sa.Column('assigned_month', sa.Date(), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('tasks', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['inspecting_org_id'], ['organization.id'], name=op.f('fk_task_count_inspecting_org_id_organization')),
        sa.ForeignKeyConstraint(['lead_org_id'], ['organization.id'], name=op.f('fk_task_count_lead_org_id_organization')),
        sa.PrimaryKeyConstraint('lead_org_id', 'inspecting_org_id', 'assigned_month', 'category', name=op.f('pk_task_count')),
    )
    op.create_index(op.f('ix_task_count_inspecting_org_id'), 'task_count', ['inspecting_org_id'], unique=False)
    op.create_table(
        'task_count_day',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=True),
        sa.Column('due_soon_days', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_task_count_day')),
    )
    # No day yet: the first count (or the daily scan) builds the counts from the tasks.
    op.execute("INSERT INTO task_count_day (id, day, due_soon_days) VALUES (1, NULL, NULL)")


def downgrade():
    op.drop_table('task_count_day')
    op.drop_index(op.f('ix_task_count_inspecting_org_id'), table_name='task_count')
    op.drop_table('task_count')
