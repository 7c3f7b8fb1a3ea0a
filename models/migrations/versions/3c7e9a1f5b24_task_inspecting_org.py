"""task inspecting body kept on the task

Revision ID: 3c7e9a1f5b24
Revises: c8e2a4f6d1b3
Create Date: 2026-12-07 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c7e9a1f5b24'
down_revision = 'c8e2a4f6d1b3'
branch_labels = None
depends_on = None


def upgrade():
    # The inspecting body of each task's visit, kept on the task (models.task: set on insert, moved by
    # a flush hook) so that a subtree's "tasks of visits its bodies made" is an index range. SQLite adds
    # the column with its REFERENCES clause in place (no table rebuild); PostgreSQL names the key.
    if op.get_bind().dialect.name == 'sqlite':
        # The line break is kept in the table's SQL: SQLAlchemy reads a generated column's expression
        # (list_rank, the line before) up to the last ")" of its line, which must stay its own.
        op.execute('ALTER TABLE task ADD COLUMN inspecting_org_id INTEGER\n    REFERENCES organization (id)')
        op.execute(
            'UPDATE task SET inspecting_org_id = (SELECT visit.inspecting_org_id FROM directive'
            ' JOIN visit ON visit.id = directive.visit_id WHERE directive.id = task.directive_id)'
        )
    else:
        # kiemtra's connections carry a statement timeout made for pages; filling every task's column
        # takes longer (about a minute at 3.4 million tasks): lifted for this transaction only.
        op.execute('SET LOCAL statement_timeout = 0')
        op.add_column('task', sa.Column('inspecting_org_id', sa.Integer(), nullable=True))
        op.execute(
            'UPDATE task SET inspecting_org_id = visit.inspecting_org_id FROM directive, visit'
            ' WHERE directive.id = task.directive_id AND visit.id = directive.visit_id'
        )
        op.create_foreign_key(
            op.f('fk_task_inspecting_org_id_organization'), 'task', 'organization', ['inspecting_org_id'], ['id']
        )
    op.create_index('ix_task_inspecting_org', 'task', ['inspecting_org_id'], unique=False)


def downgrade():
    op.drop_index('ix_task_inspecting_org', table_name='task')
    if op.get_bind().dialect.name == 'sqlite':
        # In place (SQLite 3.35+): a batch copy of the table would write into the generated list_rank.
        op.execute('ALTER TABLE task DROP COLUMN inspecting_org_id')
    else:
        op.drop_constraint(op.f('fk_task_inspecting_org_id_organization'), 'task', type_='foreignkey')
        op.drop_column('task', 'inspecting_org_id')
