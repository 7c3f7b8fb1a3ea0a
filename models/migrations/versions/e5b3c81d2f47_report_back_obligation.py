"""report-back obligation: its directive and the unit's draft texts

Revision ID: e5b3c81d2f47
Revises: e5f7a9b1c3d4
Create Date: 2026-12-07 03:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = 'e5b3c81d2f47'
down_revision = 'e5f7a9b1c3d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('directive', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_report_back', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table('report_back_text',
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['directive_id'], ['directive.id'], name=op.f('fk_report_back_text_directive_id_directive'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_report_back_text_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('directive_id', name=op.f('pk_report_back_text'))
    )


def downgrade():
    op.drop_table('report_back_text')
    with op.batch_alter_table('directive', schema=None) as batch_op:
        batch_op.drop_column('is_report_back')
