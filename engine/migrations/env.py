"""Alembic environment: runs on the connection handed over by engine.persistence.migrate."""
from alembic import context
from sqlalchemy import create_engine

from engine.models import Base

config = context.config
connection = config.attributes.get("connection")

if connection is None:  # `alembic` invoked by hand: CASEDESK_DATABASE_URL decides
    from engine.config import Settings
    from engine.persistence import normalise_url

    engine = create_engine(normalise_url(Settings.from_env().database_url))
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
