"""visit corrections

Revision ID: d7b2e9f4a611
Revises: c4e1a7d20b15
Create Date: 2026-12-07 00:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = 'd7b2e9f4a611'
down_revision = 'c4e1a7d20b15'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('visit_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=True),
    sa.Column('made_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint('length(reason) > 0', name=op.f('ck_visit_correction_reason_not_empty')),
    sa.ForeignKeyConstraint(['made_by_id'], ['user_account.id'], name=op.f('fk_visit_correction_made_by_id_user_account')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_correction_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_correction'))
    )
    with op.batch_alter_table('visit_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_correction_visit_id'), ['visit_id'], unique=False)

    op.create_table('correction_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('correction_id', sa.Integer(), nullable=False),
    sa.Column('order', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['correction_id'], ['visit_correction.id'], name=op.f('fk_correction_change_correction_id_visit_correction'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_change'))
    )
    with op.batch_alter_table('correction_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correction_change_correction_id'), ['correction_id'], unique=False)

    op.create_table('correction_notice',
    sa.Column('correction_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['correction_id'], ['visit_correction.id'], name=op.f('fk_correction_notice_correction_id_visit_correction'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['issued_document.id'], name=op.f('fk_correction_notice_document_id_issued_document')),
    sa.PrimaryKeyConstraint('correction_id', 'document_id', name=op.f('pk_correction_notice'))
    )


def downgrade():
    op.drop_table('correction_notice')
    with op.batch_alter_table('correction_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correction_change_correction_id'))
    op.drop_table('correction_change')
    with op.batch_alter_table('visit_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_correction_visit_id'))
    op.drop_table('visit_correction')
