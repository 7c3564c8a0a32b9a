"""living updates: fetched records, study links, watermarks, update runs

Revision ID: 0004_living
Revises: 0003_sessions
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_living'
down_revision = '0003_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fetched_records',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('record_id', sa.String(length=40), nullable=False),
    sa.Column('pmid', sa.String(length=20), nullable=True),
    sa.Column('doi', sa.String(length=200), nullable=True),
    sa.Column('nct', sa.String(length=20), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.String(length=64), nullable=True),
    sa.Column('studies', sa.JSON(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('change', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id']),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fetched_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fetched_records_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_fetched_records_pmid'), ['pmid'], unique=False)
        batch_op.create_index(batch_op.f('ix_fetched_records_doi'), ['doi'], unique=False)
        batch_op.create_index(batch_op.f('ix_fetched_records_nct'), ['nct'], unique=False)
        batch_op.create_index(batch_op.f('ix_fetched_records_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_fetched_records_changed_at'), ['changed_at'], unique=False)

    op.create_table('study_links',
    sa.Column('study_id', sa.String(length=120), nullable=False),
    sa.Column('target_id', sa.String(length=120), nullable=False),
    sa.Column('basis', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['studies.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('study_id')
    )
    with op.batch_alter_table('study_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_links_target_id'), ['target_id'], unique=False)

    op.create_table('watermarks',
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('watermark', sa.String(length=10), nullable=False),
    sa.Column('data_timestamp', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('source')
    )
    op.create_table('update_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('since', sa.String(length=10), nullable=False),
    sa.Column('until', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('data_timestamp', sa.String(length=40), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('update_runs')
    op.drop_table('watermarks')
    with op.batch_alter_table('study_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_links_target_id'))
    op.drop_table('study_links')
    with op.batch_alter_table('fetched_records', schema=None) as batch_op:
        for name in ('changed_at', 'status', 'nct', 'doi', 'pmid', 'source'):
            batch_op.drop_index(batch_op.f(f'ix_fetched_records_{name}'))
    op.drop_table('fetched_records')
