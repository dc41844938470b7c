"""integration: prompts from other systems, webhooks with a transactional outbox, work orders in, evaluator devices

Revision ID: 0008_integration
Revises: 0007
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa
import liangbiping.admin.models.types


revision = '0008_integration'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rating_prompts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_item', sa.String(length=128), server_default='', nullable=False))
        batch_op.add_column(sa.Column('service_code', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('expired_at', liangbiping.admin.models.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_source', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('external_id', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_rectifications_external_source', ['external_source', 'external_id'])
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=8), server_default='kiosk', nullable=False))
    op.create_table('webhook_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), server_default='', nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('format', sa.String(length=16), server_default='standard', nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('send_contact', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('created_at', liangbiping.admin.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', liangbiping.admin.models.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_table('outbox_events',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('order_key', sa.String(length=48), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', liangbiping.admin.models.types.UTCDateTime(), nullable=False),
    sa.Column('fanned_out', sa.Boolean(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_outbox_events')),
    sa.UniqueConstraint('id', name=op.f('uq_outbox_events_id'))
    )
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_events_fanned_out_seq', ['fanned_out', 'seq'], unique=False)
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('event_seq', sa.Integer(), nullable=False),
    sa.Column('order_key', sa.String(length=48), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', liangbiping.admin.models.types.UTCDateTime(), nullable=False),
    sa.Column('last_attempt_at', liangbiping.admin.models.types.UTCDateTime(), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('delivered_at', liangbiping.admin.models.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', liangbiping.admin.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], name=op.f('fk_webhook_deliveries_endpoint_id_webhook_endpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_seq'], ['outbox_events.seq'], name=op.f('fk_webhook_deliveries_event_seq_outbox_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('endpoint_id', 'event_seq', name='uq_webhook_deliveries_endpoint_id')
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_webhook_deliveries_endpoint_state', ['endpoint_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_event_seq'), ['event_seq'], unique=False)


def downgrade():
    op.drop_table('webhook_deliveries')
    op.drop_table('outbox_events')
    op.drop_table('webhook_endpoints')
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_column('kind')
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_rectifications_external_source', type_='unique')
        batch_op.drop_column('external_id')
        batch_op.drop_column('external_source')
    with op.batch_alter_table('rating_prompts', schema=None) as batch_op:
        batch_op.drop_column('expired_at')
        batch_op.drop_column('service_code')
        batch_op.drop_column('service_item')
