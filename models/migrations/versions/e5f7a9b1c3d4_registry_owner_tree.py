"""registry entries owned by an organisation tree

Revision ID: e5f7a9b1c3d4
Revises: e5a1c3d7f902
Create Date: 2026-12-07 03:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5f7a9b1c3d4'
down_revision = 'e5a1c3d7f902'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('legal_document') as batch:
        batch.add_column(sa.Column('owner_root_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            'fk_legal_document_owner_root_id_organization', 'organization', ['owner_root_id'], ['id'],
            ondelete='SET NULL',
        )
    # A database with one tree (every office so far): its entries are that tree's.
    op.execute(
        "UPDATE legal_document SET owner_root_id = (SELECT id FROM organization WHERE parent_id IS NULL) "
        "WHERE (SELECT count(*) FROM organization WHERE parent_id IS NULL) = 1"
    )


def downgrade():
    with op.batch_alter_table('legal_document') as batch:
        batch.drop_constraint('fk_legal_document_owner_root_id_organization', type_='foreignkey')
        batch.drop_column('owner_root_id')
