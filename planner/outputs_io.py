"""Writing output files whole or not at all, and saying which were written.

Why: a disk that fills up (or a quota, or a file size limit) in the middle of
writing a route sheet used to leave a truncated PDF under its real name, which
a dispatcher would print.  Every output file (plan.json, sheets, map, export,
triage JSON) is written to a temporary name in the same folder, flushed to
disk, and renamed to its real name only when complete: the rename is atomic on
one file system, so a reader sees the previous file, the new one, or none --
never part of one.  On failure the temporary file is removed.

:class:`OutputError` is the one way a failed write reaches the user: which
files were written, which were not, and why (``No space left on device``).
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from planner.errors import UserError

PART_SUFFIX = ".part"  # temporary files end so; a crash (kill -9) can leave one, never a truncated real file


def temp_name(target: Path) -> Path:
    """A fresh temporary name beside ``target`` (hidden, same folder, so the rename is atomic)."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{PART_SUFFIX}")


@contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """A temporary path to write ``target`` to; renamed to ``target`` when the block ends
    without an error, removed otherwise.  For writers that take a file name
    (WeasyPrint, openpyxl).  The file is created here (mode 0666 less the umask, as a
    plain ``open`` would) and synced to disk before the rename."""
    final = Path(target)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(final)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)  # a delayed-allocation file system reports a full disk here, not at write()
        finally:
            os.close(fd)
        os.replace(tmp, final)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(target: str | os.PathLike, text: str, encoding: str = "utf-8", newline: str | None = None,
                      errors: str | None = None) -> Path:
    with atomic_path(target) as tmp:
        with open(tmp, "w", encoding=encoding, newline=newline, errors=errors) as fh:
            fh.write(text)
    return Path(target)


def atomic_write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def reason(exc: OSError) -> str:
    """What went wrong, in words (``No space left on device``; ``file too large``)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{exc.strerror or 'No space left on device'}: the disk is full"
    return exc.strerror or str(exc)


class OutputError(UserError):
    """Some output files could not be written; those written are complete, the others absent."""

    def __init__(self, written: Sequence[Path], not_written: Sequence[Path], why: str, note: str = ""):
        self.written, self.not_written, self.why, self.note = list(written), list(not_written), why, note
        lines = [f"could not write the outputs ({why})"]
        if note:
            lines.append(note)
        lines.append("written: " + (", ".join(map(str, self.written)) or "nothing"))
        lines.append("not written: " + ", ".join(map(str, self.not_written)))
        super().__init__("\n".join(lines))

    def with_note(self, note: str) -> "OutputError":
        return OutputError(self.written, self.not_written, self.why, note)


def write_all(steps: Sequence[tuple[Sequence[Path], Callable[[], Any]]]) -> list[Path]:
    """Run output steps in order, each ``(the files it writes, the function writing them)``
    (a function returning a list returns the files it wrote, e.g. one sheet per worker
    for a step announced as the sheets' folder); the files written.  At the first
    failure, :class:`OutputError` lists what was written and what was not (the failed
    step's files and every later step's)."""
    written: list[Path] = []
    for i, (files, write) in enumerate(steps):
        later = [p for f, _ in steps[i + 1:] for p in f]
        try:
            done = write()
        except OutputError as exc:
            raise OutputError(written + exc.written, exc.not_written + later, exc.why) from None
        except OSError as exc:
            raise OutputError(written, [*files, *later], reason(exc)) from None
        written.extend(done if isinstance(done, list) else files)
    return written
