"""kept monthly trend and counts of all time

Revision ID: 2499d7e796f8
Revises: a7c4e2f9d813
Create Date: 2026-12-07 12:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2499d7e796f8'
down_revision = 'a7c4e2f9d813'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'task_trend',
        sa.Column('lead_org_id', sa.Integer(), nullable=False),
        sa.Column('inspecting_org_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('done_on_time', sa.Integer(), nullable=False),
        sa.Column('done_late', sa.Integer(), nullable=False),
        sa.Column('overdue', sa.Integer(), nullable=False),
        sa.Column('open_within', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['inspecting_org_id'], ['organization.id'], name=op.f('fk_task_trend_inspecting_org_id_organization')),
        sa.ForeignKeyConstraint(['lead_org_id'], ['organization.id'], name=op.f('fk_task_trend_lead_org_id_organization')),
        sa.PrimaryKeyConstraint('lead_org_id', 'inspecting_org_id', 'month', name=op.f('pk_task_trend')),
    )
    op.create_index(op.f('ix_task_trend_inspecting_org_id'), 'task_trend', ['inspecting_org_id'], unique=False)
    op.create_table(
        'task_count_all',
        sa.Column('lead_org_id', sa.Integer(), nullable=False),
        sa.Column('inspecting_org_id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('tasks', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['inspecting_org_id'], ['organization.id'], name=op.f('fk_task_count_all_inspecting_org_id_organization')),
        sa.ForeignKeyConstraint(['lead_org_id'], ['organization.id'], name=op.f('fk_task_count_all_lead_org_id_organization')),
        sa.PrimaryKeyConstraint('lead_org_id', 'inspecting_org_id', 'category', name=op.f('pk_task_count_all')),
    )
    op.create_index(op.f('ix_task_count_all_inspecting_org_id'), 'task_count_all', ['inspecting_org_id'], unique=False)
    # The kept rows are built with the counts: say they are to be rebuilt.
    op.execute("UPDATE task_count_day SET day = NULL")


def downgrade():
    op.drop_index(op.f('ix_task_count_all_inspecting_org_id'), table_name='task_count_all')
    op.drop_table('task_count_all')
    op.drop_index(op.f('ix_task_trend_inspecting_org_id'), table_name='task_trend')
    op.drop_table('task_trend')
