"""The ``cvp`` command: a thin shell over the planner and cost_model functions.

Each sub-command lives in its own module and only parses options, calls one
library function and prints its result.  A :class:`~planner.errors.UserError`
becomes a one-paragraph message and exit status 2, never a traceback.

Start-up is kept short (``cvp sheets`` is run once per printout): the command
modules import their heavy libraries (OR-Tools, the importers, the web app)
inside the commands, and the ``cost`` group (cost_model) is imported only when
it is run or listed.
"""

from __future__ import annotations

import importlib
import sys

import click

from planner.errors import UserError


class _Cvp(click.Group):
    """The ``cvp`` group, with sub-commands from other packages imported on first use."""

    lazy = {"cost": ("cost_model.cli", "cost")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy and name not in self.commands:
            module, attr = self.lazy[name]
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)


@click.group(cls=_Cvp, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="complaint-visit-planner")
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False), envvar="CVP_RULES",
              help="Rules file (YAML) to apply instead of the shipped Xi'an pilot rules.")
@click.pass_context
def cvp(ctx: click.Context, rules_file: str | None) -> None:
    """Complaint Visit Planner (投诉客户拜访规划).

    The store is an SQLite file in ~/.local/share/cvp/ unless CVP_DATABASE_URL
    names another database; `cvp info` shows which.
    """
    ctx.obj = {"rules_file": rules_file}


def rules_of(ctx: click.Context):
    """The rules the user chose (``cvp --rules FILE`` or ``CVP_RULES``, else the shipped
    file), loaded once per command: every sub-command, ``cvp cost …`` included, takes its
    rules from here."""
    from planner.triage.rules import load_rules

    root = ctx.find_root()
    if root.obj is None:  # a group run on its own (``python -m cost_model.cli``): no --rules given
        root.obj = {}
    if "rules" not in root.obj:
        root.obj["rules"] = load_rules(root.obj.get("rules_file"))
    return root.obj["rules"]


def session_of(ctx: click.Context):
    """The command's one store session (:func:`planner.store.db.open_session`), opened on
    first use and closed when the command ends (the root context's teardown): every
    sub-command, ``cvp cost …`` included, reads and writes through it, so a command opens
    the store once, and a command that never touches the store never opens it."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = {}
    if "session" not in root.obj:
        from planner.store.db import open_session

        session = open_session()
        root.obj["session"] = session
        root.call_on_close(session.close)
    return root.obj["session"]


def actor_of(ctx: click.Context):
    """Who the command's actions are audited as: ``cli:<the OS user>``, an operator of
    every district (:meth:`planner.actor.Actor.cli`)."""
    from planner.actor import Actor

    return Actor.cli()


def _register() -> None:
    from planner.cli import (  # noqa: F401  (each module registers its commands)
        bench_cmd,
        cases_cmd,
        demo_cmd,
        followups_cmd,
        intake_cmd,
        outcome_cmd,
        outputs_cmd,
        plan_cmd,
        replan_cmd,
        triage_cmd,
        web_cmd,
    )

    cvp.add_command(bench_cmd.bench)


_register()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run ``cvp`` and turn user errors into clean messages."""
    try:
        cvp.main(args=argv, standalone_mode=False)
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except SystemExit as exc:  # a command's own exit status (e.g. `cvp check` finding violations)
        return exc.code if isinstance(exc.code, int) else 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
