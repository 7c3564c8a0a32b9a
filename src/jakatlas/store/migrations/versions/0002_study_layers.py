"""study layers and versions

Shipped or extracted base record, curator overrides, origin and a version counter per study;
a note on audit entries. Existing rows get their current record as base and no overrides; extracted
studies' effective records take the atlas id.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=20), server_default='shipped', nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('base', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('overrides', sa.JSON(), nullable=True))
    studies = sa.table('studies', sa.column('document_id', sa.String), sa.column('origin', sa.String),
                       sa.column('base', sa.JSON), sa.column('data', sa.JSON))
    op.execute(studies.update().values(base=studies.c.data))
    rows = sa.table('studies', sa.column('id', sa.String), sa.column('document_id', sa.String),
                    sa.column('origin', sa.String), sa.column('data', sa.JSON))
    conn = op.get_bind()
    for sid, data in conn.execute(sa.select(rows.c.id, rows.c.data).where(rows.c.document_id.is_not(None))).all():
        # extracted studies carried their document-local id ('s1'); the effective record names the atlas id
        conn.execute(rows.update().where(rows.c.id == sid).values(origin='extracted', data={**data, 'id': sid}))
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_column('note')
    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.drop_column('overrides')
        batch_op.drop_column('base')
        batch_op.drop_column('version')
        batch_op.drop_column('origin')
