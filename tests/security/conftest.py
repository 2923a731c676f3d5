"""The security tests' stores: the web tests' seeded and planned SQLite stores, and the
same seeded store on PostgreSQL for the rules that live in the store."""

from __future__ import annotations

import shutil

import pytest

from tests.web.conftest import _seed, app, client_for, make_app, planned, planned_template, seeded, seeded_template  # noqa: F401

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=STORES)
def store_url(request, tmp_path, monkeypatch) -> str:
    """The seeded store (one account per role, the fixture day imported) on SQLite, then
    on PostgreSQL; the app and ``session_scope()`` both use it."""
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("seeded_template"), tmp_path / "store.sqlite3")
        url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    else:
        url = request.getfixturevalue("fresh_postgres")
        _seed(url)
    monkeypatch.setenv("CVP_DATABASE_URL", url)
    return url


@pytest.fixture
def store_app(store_url, tmp_path):
    return make_app(tmp_path, DATABASE_URL=store_url)
