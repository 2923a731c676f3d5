"""`cvp users …` and `cvp serve`."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

import planner.cli.web_cmd  # noqa: F401  (registers the commands until planner.cli does)
from planner.cli import main
from planner.store import accounts
from planner.store.db import session_scope


def run(argv, stdin: str = "", monkeypatch=None):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(argv)


def test_users_add_with_password_stdin(monkeypatch, capsys, fixture_day):
    assert main(["import", str(fixture_day / "staff.csv")]) == 0
    assert run(["users", "add", "wang", "--role", "dispatcher", "--district", "南区", "--password-stdin"],
               "a-long-password\n", monkeypatch) == 0
    assert run(["users", "add", "li", "--role", "field", "--staff", "S1", "--password-stdin"],
               "another-password\n", monkeypatch) == 0
    out = capsys.readouterr().out
    assert "added wang (dispatcher, district 南区)" in out and "added li (field, staff S1, district 南区)" in out
    with session_scope() as s:
        assert accounts.authenticate(s, "wang", "a-long-password").district == "南区"
        assert accounts.authenticate(s, "li", "another-password").staff_id == "S1"
        assert accounts.audit_log(s, action="user_add")[0].username.startswith("cli:")


def test_users_add_prompts_for_the_password(monkeypatch, capsys):
    monkeypatch.setattr("click.prompt", lambda *a, **kw: "prompted-password")
    assert main(["users", "add", "boss", "--role", "admin"]) == 0
    with session_scope() as s:
        assert accounts.authenticate(s, "boss", "prompted-password") is not None


def test_users_add_errors_are_clean(monkeypatch, capsys):
    assert run(["users", "add", "x", "--role", "field", "--password-stdin"], "a-long-password\n", monkeypatch) == 2
    assert "--staff" in capsys.readouterr().err
    assert run(["users", "add", "x", "--role", "planner", "--password-stdin"], "short\n", monkeypatch) == 2
    assert "at least 8" in capsys.readouterr().err
    assert run(["users", "add", "x", "--role", "planner", "--password-stdin"], "", monkeypatch) == 2


def test_users_list_token_passwd_deactivate(monkeypatch, capsys):
    run(["users", "add", "plan", "--role", "planner", "--password-stdin"], "a-long-password\n", monkeypatch)
    capsys.readouterr()
    assert main(["users", "token", "plan"]) == 0
    token = capsys.readouterr().out.strip()
    with session_scope() as s:
        assert accounts.user_for_token(s, token).username == "plan"
    assert run(["users", "passwd", "plan", "--password-stdin"], "new-password-1\n", monkeypatch) == 0
    assert main(["users", "list"]) == 0
    assert "plan\tplanner" in capsys.readouterr().out
    assert main(["users", "deactivate", "plan"]) == 0
    with session_scope() as s:
        assert accounts.authenticate(s, "plan", "new-password-1") is None
        assert accounts.user_for_token(s, token) is None


def test_no_accounts_exist_until_made(capsys):
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out == ""


def test_serve_help(capsys):
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--host" in out and "--port" in out and "--demo" in out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVE = "import sys, planner.cli.web_cmd; from planner.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.mark.slow
def test_serve_starts_on_the_embedded_store(tmp_path):
    port = free_port()
    env = {**os.environ, "CVP_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
           "XDG_DATA_HOME": str(tmp_path / "xdg")}
    proc = subprocess.Popen([sys.executable, "-c", SERVE, "serve", "--port", str(port), "--demo"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
            assert "登录" in r.read().decode()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert "tickets" in out and f"serving on http://127.0.0.1:{port}/" in out
    assert (tmp_path / "xdg" / "cvp" / "web-secret.key").stat().st_mode & 0o077 == 0
