"""documents attached to forms: content once per SHA-256, and who uploaded it

Revision ID: 0025_attach_documents
Revises: 0024_training_register
"""
from alembic import op
import sqlalchemy as sa


revision = '0025_attach_documents'
down_revision = '0024_training_register'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'documents',
        sa.Column('sha256', sa.String(length=64), primary_key=True),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('media_type', sa.String(length=100), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('uploaded_by', sa.String(length=80), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        'document_upload',
        sa.Column('sha256', sa.String(length=64), primary_key=True),
        sa.Column('username', sa.String(length=80), primary_key=True),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('document_upload')
    op.drop_table('documents')
