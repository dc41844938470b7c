"""The scheduler's ledger of timed runs

Each daily job and schedule boundary is claimed here, by (job, due time), before it runs: a
second scheduler skips what another claimed, and a scheduler that starts runs, once, what came due
while none was up (admin.services.job_runs).

Revision ID: 0013_job_runs
Revises: 0012_monthly_rollups
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa
import liangbiping.admin.models.types


revision = '0013_job_runs'
down_revision = '0012_monthly_rollups'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('due_at', liangbiping.admin.models.types.UTCDateTime(), nullable=False),
    sa.Column('claimed_at', liangbiping.admin.models.types.UTCDateTime(), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=False),
    sa.Column('finished_at', liangbiping.admin.models.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('job', 'due_at', name=op.f('pk_job_runs')),
    )


def downgrade():
    op.drop_table('job_runs')
