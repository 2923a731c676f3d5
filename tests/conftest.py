"""Shared test set-up: every test gets its own store, and never the user's."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.store_calls import in_store

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_DAY = ROOT / "fixtures" / "xian-south-2010-08-05"


def import_fixture_day(folder: Path = FIXTURE_DAY) -> None:
    """The dispatcher's imports for the fixture day: history, tickets, roster, network plan."""
    from planner.workflow import import_file

    in_store(import_file, folder / "history.csv", history=True)
    in_store(import_file, folder / "tickets.csv", gazetteer=folder / "gazetteer.csv")
    in_store(import_file, folder / "staff.csv")
    in_store(import_file, folder / "network.csv")


@contextmanager
def store_at(url: str):
    """Point the store at ``url`` for a block (session-wide fixtures outside monkeypatch's reach)."""
    from planner.store import db

    old = os.environ.get("CVP_DATABASE_URL")
    os.environ["CVP_DATABASE_URL"] = url
    try:
        yield url
    finally:
        if old is None:
            os.environ.pop("CVP_DATABASE_URL", None)
        else:
            os.environ["CVP_DATABASE_URL"] = old
        db.engine_for.cache_clear()


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    """A fresh SQLite store per test; XDG_DATA_HOME moved so the default store is never the user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("CVP_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite3'}")
    monkeypatch.delenv("CVP_RULES", raising=False)
    yield


@pytest.fixture(autouse=True)
def _every_stored_plan_is_checked(monkeypatch):
    """`cvp check` holds for every plan the suite stores (the CLI, the web app, replans):
    the independent checker runs on each before it is saved."""
    from planner.check import check_plan
    from planner.store import repository

    save = repository.save_plan

    def checked_save(session, document, author=""):
        violations = check_plan(document)
        assert not violations, "a stored plan breaks its rules:\n" + "\n".join(map(str, violations))
        return save(session, document, author)

    monkeypatch.setattr(repository, "save_plan", checked_save)


@pytest.fixture
def rules():
    from planner.triage import load_rules

    return load_rules()


@pytest.fixture
def fixture_day() -> Path:
    return FIXTURE_DAY


def need_playwright():
    """``playwright.sync_api``, imported when a browser test needs it, so collecting the
    suite never does.  Missing Playwright skips the browser tests (the whole module when
    called at module level) but fails under CI, where ``pip install -e '.[test]'`` has
    installed it: browser tests that never run are not tests."""
    try:
        import playwright.sync_api as api
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("Playwright is not installed; pip install -e '.[test]' installs it", pytrace=False)
        pytest.skip("Playwright not installed (pip install -e '.[test]')", allow_module_level=True)
    return api


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path | None:
    base = Path("/usr/lib/postgresql")
    if not base.exists():
        return None
    versions = sorted(base.iterdir(), key=lambda p: int(p.name) if p.name.isdigit() else 0)
    for v in reversed(versions):
        if (v / "bin" / "initdb").exists():
            return v / "bin"
    return None


#: how many free ports the throwaway PostgreSQL server tries before the fixture gives up
PG_START_ATTEMPTS = 3


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server on loopback for the production-store tests.

    Missing PostgreSQL skips locally but fails under CI, where scripts/test.sh
    has installed it: a production store that is never tested is not tested.
    """
    bindir = _pg_bin()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; scripts/install.sh --test installs it")
        pytest.skip("PostgreSQL not installed (scripts/test.sh installs it)")
    # initdb refuses to run as root: as root, the server runs as the postgres user,
    # in a folder of its own that it can reach (pytest's tmp tree is private to root)
    # one server per process: under pytest-xdist each worker has its own folder (mkdtemp),
    # socket folder and port, so two workers never share a server or a schema
    top = Path(tempfile.mkdtemp(prefix="cvp-pg-"))
    data, sock = top / "data", top / "sock"
    data.mkdir()
    sock.mkdir()
    as_postgres = os.geteuid() == 0
    if as_postgres:
        os.chmod(top, 0o755)
        for p in (data, sock):
            shutil.chown(p, "postgres")

    def run(args):
        cmd = [str(a) for a in args]
        if as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")

    run([bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
    for attempt in range(PG_START_ATTEMPTS):
        # the free port is chosen just before the start; another process (a second worker,
        # another suite on the machine) may take it in between: then try the next free one
        port = _free_port()
        try:
            run([bindir / "pg_ctl", "-D", data, "-l", data / "server.log", "-w", "-o",
                 f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off", "start"])
            break
        except RuntimeError:
            if attempt == PG_START_ATTEMPTS - 1:
                raise
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    try:
        yield url
    finally:
        run([bindir / "pg_ctl", "-D", data, "-m", "immediate", "stop"])
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def fresh_postgres(postgres_url):
    """The PostgreSQL server with an empty schema for this test."""
    from sqlalchemy import create_engine, text

    from planner.store import db

    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    db.engine_for.cache_clear()
    yield postgres_url
    db.engine_for.cache_clear()
