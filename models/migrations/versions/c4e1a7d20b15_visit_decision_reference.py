"""visit decision reference

Revision ID: c4e1a7d20b15
Revises: f21c9ec92258
Create Date: 2026-12-07 00:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1a7d20b15'
down_revision = 'f21c9ec92258'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_ref', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_column('decision_ref')
