"""quality findings register (R-4.2)

Revision ID: 0015_quality_findings
Revises: 0014_risk_register
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_quality_findings'
down_revision = '0014_risk_register'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'quality_finding',
        sa.Column('id', sa.String(length=80), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('check_kind', sa.String(length=20), nullable=False),
        sa.Column('department', sa.String(length=80), nullable=False),
        sa.Column('case_number', sa.String(length=100), nullable=False),
        sa.Column('person', sa.String(length=80), nullable=False),
        sa.Column('problem', sa.Text(), nullable=False),
        sa.Column('cause', sa.Text(), nullable=False),
        sa.Column('measure', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_quality_finding_instance_id', 'quality_finding', ['instance_id'])
    op.create_index('ix_quality_finding_department', 'quality_finding', ['department'])
    op.create_index('ix_quality_finding_person', 'quality_finding', ['person'])
    op.create_index('ix_quality_finding_recorded_at', 'quality_finding', ['recorded_at'])


def downgrade() -> None:
    for column in ('recorded_at', 'person', 'department', 'instance_id'):
        op.drop_index(f'ix_quality_finding_{column}', table_name='quality_finding')
    op.drop_table('quality_finding')
