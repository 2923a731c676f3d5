"""The ``cvp`` command reference (docs/cli.md), made from the commands themselves.

Every command and option of ``cvp`` is documented by its own ``--help``; this walks the
click command tree (the lazily loaded ``cvp cost`` group included) and writes each
command's help under a ``## cvp …`` heading, as Datasette's cli-reference does.
``python -m planner.cli.reference`` rewrites docs/cli.md; ``tests/test_docs.py`` fails
when the file no longer matches the commands, so a new option cannot go undocumented.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

#: the help text's width in the reference (fixed, so the file does not depend on the terminal)
WIDTH = 100
DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"

HEADER = """# `cvp` command reference

Every command and option, as `cvp COMMAND --help` prints it. This file is made from the
commands themselves: after changing a command, run `python -m planner.cli.reference` to
write it again (`tests/test_docs.py` fails until it matches). What each step does and why is
in the [README](../README.md) and the other files of `docs/`; the environment variables are
in [settings.md](settings.md).
"""


def commands(root: click.Command | None = None) -> Iterator[tuple[str, click.Command, click.Context]]:
    """(``"cvp plan"``, the command, its context) for every command under ``root`` (``cvp``),
    groups before their sub-commands, sub-commands in name order."""
    if root is None:
        from planner.cli import cvp

        root = cvp

    def walk(cmd: click.Command, ctx: click.Context) -> Iterator[tuple[str, click.Command, click.Context]]:
        yield ctx.command_path, cmd, ctx
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    yield from walk(sub, click.Context(sub, info_name=name, parent=ctx, **sub.context_settings))

    # the contexts a real `cvp` run makes (its context settings: `-h` as well as `--help`)
    settings = {**root.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    yield from walk(root, click.Context(root, info_name="cvp", **settings))


def option_names(cmd: click.Command) -> list[str]:
    """Each option's name as a user types it (the long form where there is one)."""
    names = []
    for param in cmd.params:
        if isinstance(param, click.Option) and not param.hidden:
            spelled = param.opts + param.secondary_opts
            names.append(next((o for o in spelled if o.startswith("--")), spelled[0]))
    return names


def reference() -> str:
    """docs/cli.md's text."""
    parts = [HEADER]
    for path, cmd, ctx in commands():
        parts.append(f"## {path}\n\n```text\n{cmd.get_help(ctx).rstrip()}\n```\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Write docs/cli.md (or the file named as the one argument)."""
    target = Path(argv[0]) if argv else DOC
    target.write_text(reference(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
