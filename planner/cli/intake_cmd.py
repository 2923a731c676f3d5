"""``cvp import`` and ``cvp info``."""

from __future__ import annotations

import click

from planner.cli import actor_of, cvp, rules_of, session_of


@cvp.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--kind", type=click.Choice(["tickets", "staff", "sites"]),
              help="What the file holds; detected from its headers when omitted.")
@click.option("--history", is_flag=True, help="Past, already handled tickets: used only to recognise repeat "
              "complainants and clusters, never visited.")
@click.option("--skip-invalid", is_flag=True, help="Import the good rows and write the rejected ones, with "
              "reasons, to a CSV (default: a file with any bad row imports nothing).")
@click.option("--rejects", type=click.Path(dir_okay=False), help="Where --skip-invalid writes rejected rows.")
@click.option("--gazetteer", type=click.Path(dir_okay=False, exists=True),
              help="Address → coordinates file for tickets without 纬度/经度.")
@click.option("--allow-downgrade", is_flag=True, help="Write updates that lower a VIP tier, clear a filled field "
              "or move a row to another district (default: list them and import nothing).")
@click.pass_context
def import_command(ctx, file, kind, history, skip_invalid, rejects, gazetteer, allow_downgrade):
    """Load complaint tickets, a staff roster or a network plan (CSV, XLSX or JSON).

    Chinese or English headers; CSV in UTF-8 (with or without BOM) or GB18030/GBK;
    GCJ-02 and BD-09 coordinates are converted to WGS-84. Importing a file twice
    changes nothing; changed rows are updated and listed. A column the file does not
    have keeps the stored values; an update that would lose a stored value (a lower
    VIP tier, an emptied cell, another district) is listed and needs --allow-downgrade.
    """
    from planner.workflow import import_file  # the importers load when the command runs, not at start-up

    outcome = import_file(session_of(ctx), file, actor=actor_of(ctx), kind=kind, history=history,
                          skip_invalid=skip_invalid, rejects_path=rejects, gazetteer=gazetteer, rules=rules_of(ctx),
                          allow_downgrade=allow_downgrade)
    click.echo(outcome.summary())
    for key, fields in sorted(outcome.report.updated.items()):
        click.echo(f"  updated {key}: {', '.join(fields)}")
    for key, lost in sorted(outcome.report.warnings.items()):
        click.echo(f"  losing values {key}: {'; '.join(lost)}")
    if outcome.ignored_columns:
        click.echo(f"  ignored columns: {', '.join(outcome.ignored_columns)}")


@cvp.command("info")
@click.pass_context
def info_command(ctx):
    """Show where the store is and which rules apply."""
    from planner.store.db import database_url, describe

    rules = rules_of(ctx)
    click.echo(f"database: {describe(database_url())}")
    click.echo(f"rules:    {rules.path} (version {rules.version}, sha256 {rules.digest})")
