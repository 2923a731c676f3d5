"""Uploaded files between the preview and the confirmed import.

An upload is kept in its own folder under the app's work folder, named by a
random token and bound to the user who sent it; it is removed after the import
(or after an hour).  Only CSV, XLSX and JSON are accepted, and the content must
look like what the name says (an XLSX is a ZIP archive; a CSV or JSON file is
text).  The size limit is Flask's ``MAX_CONTENT_LENGTH`` (413 above it).

Each file is bounded (``planner/intake/xlsx_scan.py``), so what is left is how many at
once: an account keeps at most :data:`MAX_PENDING_PER_USER` uploads waiting for a
confirm (older ones are dropped), checks or imports one file at a time, and a server
process reads at most :data:`READ_SLOTS` files at once; a request over either answers
429 with ``Retry-After`` (:class:`planner.errors.BusyError`) and has done nothing.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.datastructures import FileStorage

from planner.actor import Actor
from planner.errors import BusyError, InvalidFileError, Reason, UserError
from planner.workflow import MisplacedFile
from web.db import get_session

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_AGE_S = 3600
#: uploads one account keeps for a confirm (5 MB each at most): a sixth drops the oldest
MAX_PENDING_PER_USER = 5
#: files one server process reads at once: a 5 MB XLSX at its cell limit takes a core and
#: a few hundred MB while it is read, so a burst of uploads waits instead of piling up
READ_SLOTS = 2
#: how long a request waits for a free slot before it is answered 429
SLOT_WAIT_S = 10.0

_read_slots = threading.BoundedSemaphore(READ_SLOTS)
_reading: set[int] = set()  # accounts with a file being read in this process
_reading_lock = threading.Lock()


@contextmanager
def reading_slot(user_id: int):
    """One file of this account read at a time, and at most :data:`READ_SLOTS` by the
    process; otherwise :class:`BusyError` before anything is read."""
    with _reading_lock:
        if user_id in _reading:
            raise BusyError(Reason("a file of yours is still being checked or imported: wait for it, then try again"))
        _reading.add(user_id)
    try:
        if not _read_slots.acquire(timeout=SLOT_WAIT_S):
            raise BusyError(Reason("the server is reading other files: try again in half a minute"))
        try:
            yield
        finally:
            _read_slots.release()
    finally:
        with _reading_lock:
            _reading.discard(user_id)
#: how a UTF-16 text starts (little- and big-endian); intake reads such a CSV
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Upload:
    token: str
    folder: Path
    path: Path
    original_name: str
    gazetteer: Path | None
    kind: str | None
    history: bool
    user_id: int
    #: the losing updates the preview listed (id → loss texts): confirming allows these only
    losses_seen: dict[str, list[str]] = field(default_factory=dict)


def _root(work_dir: str) -> Path:
    return Path(work_dir) / "uploads"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_type(name: str, head: bytes, allowed: tuple[str, ...]) -> str:
    """The file's extension, when it is allowed and the first bytes agree with it."""
    ext = _extension(name)
    if ext not in allowed:
        raise UserError(f"{name}: only {', '.join('.' + a for a in allowed)} files can be imported")
    if ext == "xlsx":
        if not head.startswith(b"PK\x03\x04"):
            raise UserError(f"{name}: not an Excel (.xlsx) workbook")
    elif b"\x00" in head and not (ext == "csv" and head[:2] in UTF16_BOMS):  # Excel's "Unicode text" is UTF-16
        raise UserError(f"{name}: not a text file (a .{ext} file must be text)")
    elif ext == "json" and head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        raise UserError(f"{name}: not a JSON file")
    return ext


def _safe_name(name: str, ext: str) -> str:
    stem = re.sub(r"[^\w\-\u4e00-\u9fff]+", "_", Path(name).stem)[:60] or "upload"
    return f"{stem}.{ext}"


def _store(file: FileStorage, folder: Path, allowed: tuple[str, ...]) -> Path:
    name = file.filename or ""
    head = file.stream.read(8192)
    file.stream.seek(0)
    ext = check_type(name, head, allowed)
    target = folder / _safe_name(name, ext)
    file.save(target)
    target.chmod(0o600)
    if target.stat().st_size == 0:
        raise UserError(f"{name}: the file is empty")
    return target


def cleanup(work_dir: str, max_age_s: float = MAX_AGE_S) -> None:
    root = _root(work_dir)
    if not root.exists():
        return
    limit = time.time() - max_age_s
    for folder in root.iterdir():
        try:
            if folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            pass


def _drop_oldest_of(work_dir: str, user_id: int, keep: int) -> None:
    """Remove the account's oldest waiting uploads so that ``keep`` remain."""
    root = _root(work_dir)
    if not root.exists():
        return
    mine = []
    for folder in root.iterdir():
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            if meta.get("user_id") == user_id:
                mine.append((folder.stat().st_mtime, folder))
        except (OSError, ValueError):
            continue  # being written or removed by another request
    for _, folder in sorted(mine)[:max(0, len(mine) - keep)]:
        shutil.rmtree(folder, ignore_errors=True)


def save(work_dir: str, user_id: int, file: FileStorage | None, gazetteer: FileStorage | None, kind: str | None,
         history: bool, allowed: tuple[str, ...]) -> Upload:
    if file is None or not file.filename:
        raise UserError("choose a file to import")
    cleanup(work_dir)
    _drop_oldest_of(work_dir, user_id, MAX_PENDING_PER_USER - 1)
    token = secrets.token_urlsafe(24)
    folder = _root(work_dir) / token
    folder.mkdir(parents=True, mode=0o700)  # customers' names and phones: the server's account only
    try:  # any failure, not only a user's mistake, leaves no folder behind
        path = _store(file, folder, allowed)
        gaz = None
        if gazetteer is not None and gazetteer.filename:
            sub = folder / "gazetteer"
            sub.mkdir(mode=0o700)
            gaz = _store(gazetteer, sub, tuple(a for a in allowed if a in ("csv", "xlsx")))
        meta = {"original_name": file.filename, "path": path.name, "gazetteer": gaz.name if gaz else None,
                "kind": kind or None, "history": bool(history), "user_id": user_id}
        (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        return load(work_dir, token, user_id)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def load(work_dir: str, token: str, user_id: int) -> Upload:
    """The upload of this token, if this user sent it (else an error, as if it never existed)."""
    if not TOKEN_RE.match(token or ""):
        raise LookupError("no such upload")
    folder = _root(work_dir) / token
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        raise LookupError("no such upload") from None
    if meta.get("user_id") != user_id:
        raise LookupError("no such upload")
    gaz = folder / "gazetteer" / meta["gazetteer"] if meta.get("gazetteer") else None
    return Upload(token, folder, folder / meta["path"], meta["original_name"], gaz, meta.get("kind"),
                  bool(meta.get("history")), user_id, dict(meta.get("losses_seen") or {}))


def _remember_losing(upload: Upload, warnings) -> None:
    """Note the losing updates the preview showed: confirming it allows them (and no other)."""
    meta_path = upload.folder / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["losses_seen"] = {key: [str(w) for w in lost] for key, lost in warnings.items()}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def discard(upload: Upload) -> None:
    shutil.rmtree(upload.folder, ignore_errors=True)


def _shown(upload: Upload, where: str) -> str:
    return upload.original_name if where == str(upload.path) else Path(where).name


@contextmanager
def _named(upload: Upload):
    """Errors name the file as its sender called it, never where the server keeps it."""
    try:
        yield
    except InvalidFileError as exc:
        if exc.path == _shown(upload, exc.path):
            raise
        raise InvalidFileError(_shown(upload, exc.path), exc.errors) from None
    except UserError as exc:
        text = str(exc)
        for where in (str(upload.path), str(upload.gazetteer or ""), str(upload.folder)):
            if where:
                text = text.replace(where, _shown(upload, where))
        if text == str(exc):
            raise
        if isinstance(exc, MisplacedFile):  # the page says where the file belongs, from its kind
            raise MisplacedFile(_shown(upload, exc.path), exc.found, text) from None
        raise UserError(text) from None


def preview(upload: Upload, rules, districts: frozenset[str] | None):
    """Check the file exactly as the import will, without writing anything: row errors
    (other districts' rows among them) and the would-be changes, losing ones listed
    (:func:`planner.workflow.check_file`)."""
    from planner.workflow import check_file

    try:
        with reading_slot(upload.user_id), _named(upload):
            check = check_file(get_session(), upload.path, kind=upload.kind, history=upload.history,
                               gazetteer=upload.gazetteer, rules=rules, districts=districts, name=upload.original_name)
    except BaseException:  # a refused file (or a parser failure) is never kept for a confirm
        discard(upload)
        raise
    if check.report.warnings and not check.result.errors:
        _remember_losing(upload, check.report.warnings)
    return check


def confirm(upload: Upload, rules, actor: Actor, allow_downgrade: bool | None = None, **audit_details: Any):
    """Import all rows or none (:func:`planner.workflow.import_file`), as ``actor``, into the
    districts it holds, audited with the file's own name.  Updates that lose
    stored values are allowed when the preview listed them (the dispatcher saw them and
    confirmed); if any other appears only now (the store changed since), nothing is
    imported (:class:`planner.workflow.LosingUpdate`).  ``allow_downgrade`` overrides that."""
    from planner.workflow import import_file

    with reading_slot(upload.user_id), _named(upload):
        return import_file(get_session(), upload.path, actor=actor, kind=upload.kind, history=upload.history,
                           gazetteer=upload.gazetteer, rules=rules, districts=actor.districts,
                           allow_downgrade=bool(allow_downgrade), audit_details=audit_details,
                           allowed_losses=upload.losses_seen if allow_downgrade is None else None,
                           name=upload.original_name)
