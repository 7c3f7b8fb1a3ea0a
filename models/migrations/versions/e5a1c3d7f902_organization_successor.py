"""organization successor

Revision ID: e5a1c3d7f902
Revises: b3d5f7a9c1e2
Create Date: 2026-12-07 03:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a1c3d7f902'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('successor_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_organization_successor_id_organization'),
            'organization',
            ['successor_id'],
            ['id'],
            ondelete='RESTRICT',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_organization_not_own_successor'), 'successor_id IS NULL OR successor_id <> id'
        )


def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_organization_not_own_successor'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_organization_successor_id_organization'), type_='foreignkey')
        batch_op.drop_column('successor_id')
