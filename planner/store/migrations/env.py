"""Alembic environment: runs on the connection the application hands over."""

from alembic import context

from planner.store.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")

if connection is None:  # `alembic` run by hand with a URL in the config
    from sqlalchemy import create_engine

    from planner.store.db import database_url

    with create_engine(database_url()).begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
