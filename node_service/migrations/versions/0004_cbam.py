"""CBAM: exporters' installations and their logged versions (branch "cbam" off 0001)

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-21 13:38:06.848206
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0001'
branch_labels = ('cbam',)
depends_on = None


def upgrade() -> None:
    op.create_table('cbam_installations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('installation_id', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'installation_id')
    )
    with op.batch_alter_table('cbam_installations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cbam_installations_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('cbam_installation_versions',
    sa.Column('entry_id', sa.String(length=250), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['cbam_installations.id'], ),
    sa.PrimaryKeyConstraint('entry_id'),
    sa.UniqueConstraint('record_id', 'version')
    )
    with op.batch_alter_table('cbam_installation_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cbam_installation_versions_record_id'), ['record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('cbam_installation_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cbam_installation_versions_record_id'))

    op.drop_table('cbam_installation_versions')
    with op.batch_alter_table('cbam_installations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cbam_installations_organisation_id'))

    op.drop_table('cbam_installations')
