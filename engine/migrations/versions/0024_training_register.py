"""training needs, plans, sessions, attendance and career plans (R-7)

Revision ID: 0024_training_register
Revises: 0023_leave_records
"""
from alembic import op
import sqlalchemy as sa


revision = '0024_training_register'
down_revision = '0023_leave_records'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'training_need',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('person', sa.String(length=80), nullable=False),
        sa.Column('department', sa.String(length=40), nullable=False),
        sa.Column('skill', sa.String(length=400), nullable=False),
        sa.Column('priority', sa.String(length=10), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_training_need_instance_id', 'training_need', ['instance_id'])
    op.create_table(
        'training_plan',
        sa.Column('number', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('title', sa.String(length=400), nullable=False),
        sa.Column('goal', sa.Text(), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('starts_on', sa.String(length=10), nullable=False),
        sa.Column('session_count', sa.Integer(), nullable=False),
        sa.Column('every_days', sa.Integer(), nullable=False),
        sa.Column('trainer', sa.String(length=200), nullable=False),
        sa.Column('participants', sa.Text(), nullable=False),
        sa.Column('budget', sa.Float(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('approval_note', sa.Text(), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('number'),
    )
    op.create_index('ix_training_plan_status', 'training_plan', ['status'])
    op.create_index('ix_training_plan_instance_id', 'training_plan', ['instance_id'])
    op.create_table(
        'training_session',
        sa.Column('number', sa.String(length=48), nullable=False),
        sa.Column('plan_number', sa.String(length=40), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('trainer', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('record', sa.Text(), nullable=False),
        sa.Column('held_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('number'),
    )
    op.create_index('ix_training_session_plan_number', 'training_session', ['plan_number'])
    op.create_table(
        'training_attendance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_number', sa.String(length=48), nullable=False),
        sa.Column('person', sa.String(length=80), nullable=False),
        sa.Column('attended', sa.Boolean(), nullable=True),
        sa.Column('signed_at', sa.DateTime(), nullable=True),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('passed', sa.Boolean(), nullable=True),
        sa.Column('assessment_note', sa.Text(), nullable=False),
        sa.Column('follow_up', sa.String(length=20), nullable=True),
        sa.Column('follow_up_note', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session_number', 'person'),
    )
    op.create_index('ix_training_attendance_session_number', 'training_attendance', ['session_number'])
    op.create_index('ix_training_attendance_person', 'training_attendance', ['person'])
    op.create_table(
        'career_plan',
        sa.Column('number', sa.String(length=40), nullable=False),
        sa.Column('person', sa.String(length=80), nullable=False),
        sa.Column('superior', sa.String(length=80), nullable=False),
        sa.Column('target_position', sa.String(length=400), nullable=False),
        sa.Column('goals', sa.Text(), nullable=False),
        sa.Column('planned_trainings', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('review_note', sa.Text(), nullable=False),
        sa.Column('reviews', sa.Integer(), nullable=False),
        sa.Column('review_months', sa.Integer(), nullable=False),
        sa.Column('next_review_at', sa.DateTime(), nullable=True),
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('number'),
    )
    op.create_index('ix_career_plan_person', 'career_plan', ['person'])
    op.create_index('ix_career_plan_instance_id', 'career_plan', ['instance_id'])


def downgrade() -> None:
    op.drop_index('ix_career_plan_instance_id', table_name='career_plan')
    op.drop_index('ix_career_plan_person', table_name='career_plan')
    op.drop_table('career_plan')
    op.drop_index('ix_training_attendance_person', table_name='training_attendance')
    op.drop_index('ix_training_attendance_session_number', table_name='training_attendance')
    op.drop_table('training_attendance')
    op.drop_index('ix_training_session_plan_number', table_name='training_session')
    op.drop_table('training_session')
    op.drop_index('ix_training_plan_instance_id', table_name='training_plan')
    op.drop_index('ix_training_plan_status', table_name='training_plan')
    op.drop_table('training_plan')
    op.drop_index('ix_training_need_instance_id', table_name='training_need')
    op.drop_table('training_need')
