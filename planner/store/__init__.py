"""The store: SQLAlchemy models, migrations and the queries the planner needs."""

from planner.store.db import database_url, default_sqlite_path, session_scope

__all__ = ["database_url", "default_sqlite_path", "session_scope"]
