"""End-to-end set-up: the app started with `cvp serve` on a free loopback port over a temp
SQLite store, and Debian's Chromium driven by Playwright (no browser download).

The store is prepared as a dispatcher would find it in the morning: the roster,
network plan and 30 days of history imported, accounts made with
`cvp users add --password-stdin`; today's tickets are uploaded in the browser.
Screenshots go to test-artifacts/ at the repository root.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_DAY, ROOT

CHROMIUM = os.environ.get("CVP_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "e2e-password-1"
SERVE = "import sys, planner.cli.web_cmd; from planner.cli import main; sys.exit(main(sys.argv[1:]))"
USERS = [("disp", ["--role", "dispatcher", "--district", "南区"]), ("f1", ["--role", "field", "--staff", "S1"]),
         ("f2", ["--role", "field", "--staff", "S2"]), ("plan", ["--role", "planner"])]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (scripts/test.sh installs Debian's chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cvp(env: dict, *args: str, stdin: str = "") -> None:
    done = subprocess.run([sys.executable, "-c", SERVE, *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, f"cvp {' '.join(args)}: {done.stdout}\n{done.stderr}"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The base URL of a running `cvp serve` with the morning's store."""
    top = tmp_path_factory.mktemp("live")
    env = {**os.environ, "CVP_DATABASE_URL": f"sqlite:///{top / 'store.sqlite3'}", "XDG_DATA_HOME": str(top / "xdg"),
           "CVP_WEB_DIR": str(top / "web"), "CVP_SECRET_KEY": "e2e-secret",
           # short and reproducible planning, as in the routing tests
           "CVP_SOLVER_SEED": "1", "CVP_SOLVER_SOLUTION_LIMIT": "20", "CVP_SOLVER_TIME_LIMIT": "10"}
    env.pop("CVP_RULES", None)
    _cvp(env, "import", str(FIXTURE_DAY / "history.csv"), "--history")
    _cvp(env, "import", str(FIXTURE_DAY / "staff.csv"))
    _cvp(env, "import", str(FIXTURE_DAY / "network.csv"))
    for name, options in USERS:
        _cvp(env, "users", "add", name, *options, "--password-stdin", stdin=PASSWORD + "\n")
    with served(env, top) as base:
        yield base


@contextmanager
def served(env: dict[str, str], top: Path):
    """`cvp serve` on a free loopback port with ``env`` (``CVP_URL_BASE`` set to its own
    address), its log in ``top``; the base URL once it answers, stopped afterwards."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(top / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-c", SERVE, "serve", "--port", str(port)], env={**env,
                            "CVP_URL_BASE": base}, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((top / "server.log").read_text()) from exc
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def shot(artifacts):
    def take(page, name: str) -> Path:
        path = artifacts / f"web-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return take


@pytest.fixture
def login():
    def sign_in(page, base: str, username: str) -> None:
        page.goto(base + "/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("form[action=\"/login\"] button[type=submit]")
        page.wait_for_load_state()
    return sign_in


@pytest.fixture
def upload_files(tmp_path):
    def make(name: str, data: bytes) -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)
    return make


def copy_fixture(tmp_path: Path, name: str) -> str:
    target = tmp_path / name
    shutil.copyfile(FIXTURE_DAY / name, target)
    return str(target)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        page = item.funcargs.get("page")
        if page is not None and not page.is_closed():
            ARTIFACTS.mkdir(exist_ok=True)
            try:
                page.screenshot(path=str(ARTIFACTS / f"web-FAILED-{item.name}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - a screenshot must not hide the failure
                pass
