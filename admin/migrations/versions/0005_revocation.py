"""revocation: screens and kiosks can be disabled; console sessions known to the server

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa
import liangbiping.admin.models.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('screens', 'kiosks'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table('console_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', liangbiping.admin.models.types.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', liangbiping.admin.models.types.UTCDateTime(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_console_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_sessions'))
    )
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_sessions_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('console_sessions')
    for table in ('screens', 'kiosks'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('enabled')
