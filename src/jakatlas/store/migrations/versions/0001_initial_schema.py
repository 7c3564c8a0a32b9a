"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('study_id', sa.String(length=120), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_study_id'), ['study_id'], unique=False)

    op.create_table('cytokines',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cytokines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cytokines_name'), ['name'], unique=False)

    op.create_table('diseases',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('diseases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diseases_name'), ['name'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.String(length=300), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('drugs',
    sa.Column('drug_class', sa.String(length=40), nullable=False),
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('drugs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drugs_name'), ['name'], unique=False)

    op.create_table('meta',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('outcome_measures',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outcome_measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_measures_name'), ['name'], unique=False)

    op.create_table('sources',
    sa.Column('id', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('tokens',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('digest'),
    sa.UniqueConstraint('name')
    )
    op.create_table('studies',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('design', sa.String(length=40), nullable=True),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('evidence_level', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.String(length=64), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_studies_design'), ['design'], unique=False)
        batch_op.create_index(batch_op.f('ix_studies_evidence_level'), ['evidence_level'], unique=False)
        batch_op.create_index(batch_op.f('ix_studies_status'), ['status'], unique=False)

    op.create_table('study_diseases',
    sa.Column('study_id', sa.String(length=120), nullable=False),
    sa.Column('disease', sa.String(length=200), nullable=False),
    sa.Column('variant', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('study_id', 'disease')
    )
    with op.batch_alter_table('study_diseases', schema=None) as batch_op:
        batch_op.create_index('ix_study_diseases_disease', ['disease'], unique=False)

    op.create_table('study_drugs',
    sa.Column('study_id', sa.String(length=120), nullable=False),
    sa.Column('drug', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('study_id', 'drug', 'role')
    )
    with op.batch_alter_table('study_drugs', schema=None) as batch_op:
        batch_op.create_index('ix_study_drugs_drug', ['drug'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('study_drugs', schema=None) as batch_op:
        batch_op.drop_index('ix_study_drugs_drug')

    op.drop_table('study_drugs')
    with op.batch_alter_table('study_diseases', schema=None) as batch_op:
        batch_op.drop_index('ix_study_diseases_disease')

    op.drop_table('study_diseases')
    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_studies_status'))
        batch_op.drop_index(batch_op.f('ix_studies_evidence_level'))
        batch_op.drop_index(batch_op.f('ix_studies_design'))

    op.drop_table('studies')
    op.drop_table('tokens')
    op.drop_table('sources')
    with op.batch_alter_table('outcome_measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_measures_name'))

    op.drop_table('outcome_measures')
    op.drop_table('meta')
    with op.batch_alter_table('drugs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drugs_name'))

    op.drop_table('drugs')
    op.drop_table('documents')
    with op.batch_alter_table('diseases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diseases_name'))

    op.drop_table('diseases')
    with op.batch_alter_table('cytokines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cytokines_name'))

    op.drop_table('cytokines')
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_study_id'))

    op.drop_table('audit')
