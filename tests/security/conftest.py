"""The security tests' stores: the web tests' seeded and planned SQLite stores, and the
same seeded store on PostgreSQL for the rules that live in the store."""

from __future__ import annotations

import shutil

import pytest

from tests.web.conftest import _seed, app, client_for, make_app, planned, planned_template, seeded, seeded_template  # noqa: F401

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


#: the PostgreSQL databases of the seeded store: built once, copied for each test
PG_TEMPLATE, PG_STORE = "cvp_seeded", "cvp_store"


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def seeded_postgres(postgres_url) -> str:
    """The seeded store on PostgreSQL, made once per session (importing the fixture day takes
    seconds) in a database of its own that each test copies, as SQLite copies seeded_template."""
    from sqlalchemy import create_engine, text

    from planner.store import db

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {PG_TEMPLATE}"))
    admin.dispose()
    url = _with_database(postgres_url, PG_TEMPLATE)
    _seed(url)
    db.engine_for(url).dispose()  # CREATE DATABASE ... TEMPLATE needs it unused
    db.engine_for.cache_clear()
    return url


@pytest.fixture
def seeded_postgres_copy(seeded_postgres, postgres_url):
    """A fresh copy of the seeded PostgreSQL store for this test (CREATE DATABASE ... TEMPLATE)."""
    from sqlalchemy import create_engine, text

    from planner.store import db

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        # the previous test's connections may still be open (pooled): FORCE ends them
        conn.execute(text(f"DROP DATABASE IF EXISTS {PG_STORE} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {PG_STORE} TEMPLATE {PG_TEMPLATE}"))
    admin.dispose()
    db.engine_for.cache_clear()
    yield _with_database(postgres_url, PG_STORE)
    db.engine_for.cache_clear()


@pytest.fixture(params=STORES)
def store_url(request, tmp_path, monkeypatch) -> str:
    """The seeded store (one account per role, the fixture day imported) on SQLite, then
    on PostgreSQL; the app and ``session_scope()`` both use it."""
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("seeded_template"), tmp_path / "store.sqlite3")
        url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    else:
        url = request.getfixturevalue("seeded_postgres_copy")
    monkeypatch.setenv("CVP_DATABASE_URL", url)
    return url


@pytest.fixture
def store_app(store_url, tmp_path):
    return make_app(tmp_path, DATABASE_URL=store_url)
