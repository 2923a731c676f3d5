"""``cvp sheets``, ``cvp map`` and ``cvp export``: what leaves the office for a plan.

Each loads the plan file (``read_plan``), the tickets behind it from the store
(:func:`planner.day_outputs.load_plan_inputs`) and calls one library function.  Files
are written whole or not at all; a full disk is an error naming what was and was
not written (:mod:`planner.outputs_io`), never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli import cvp, rules_of, session_of
from planner.cli.plan_cmd import read_plan
from planner.day_outputs import load_plan_inputs, plan_map
from planner.export import FORMATS, default_export_name, export_plan
from planner.outputs_io import atomic_write_text, write_all
from planner.sheets.texts import LANGS
from planner.tables import CSV_ENCODINGS

lang_option = click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True,
                           help="Language of labels (customer data stays as recorded).")
plan_argument = click.argument("plan_file", type=click.Path(dir_okay=False, exists=True))


def warn_if_loopback(url_base: str | None) -> None:
    """On stderr, when the sheets' QR codes would open an address only this machine reaches."""
    from planner.sheets.qr import loopback_warning
    from planner.sheets.qr import url_base as resolve

    warning = loopback_warning(resolve(url_base))
    if warning:
        click.echo(f"warning: {warning}", err=True)


def echo_written(paths: list[Path], lang: str) -> None:
    for p in paths:
        click.echo(f"wrote {p}")
    if paths and lang != "zh":
        click.echo(f"({lang} sheets are named *.{lang}.pdf|html, beside the Chinese ones, which are kept)")


@cvp.command("sheets")
@plan_argument
@click.option("--out", type=click.Path(file_okay=False),
              help="Folder for the sheets (default: sheets/ beside the plan).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True,
              help="PDF (A4, fonts embedded) or HTML that prints from a browser.")
@lang_option
@click.option("--url-base", metavar="URL",
              help="Web app address for the stops' QR codes, as the workers' phones reach it "
                   "(default $CVP_URL_BASE, else http://localhost:8000, which phones cannot open).")
@click.option("--staff", "only", multiple=True, metavar="STAFF_ID", help="Only this worker's sheet. Repeatable.")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Processes rendering PDFs (default: one per CPU, up to 2, for 4 or more sheets).")
@click.pass_context
def sheets_command(ctx, plan_file, out, fmt, lang, url_base, only, jobs):
    """One route sheet per worker: DATE_STAFF.pdf (DATE_STAFF.en.pdf in English), for the field staff."""
    from planner.sheets import render_sheets

    rules = rules_of(ctx)
    doc = read_plan(plan_file)
    inputs = load_plan_inputs(session_of(ctx), doc, rules)
    folder = Path(out) if out else Path(plan_file).parent / "sheets"
    paths = render_sheets(doc, inputs.tickets, inputs.history, rules, folder, fmt=fmt, lang=lang, url_base=url_base,
                          staff=inputs.staff, only=list(only) or None, jobs=jobs)
    echo_written(paths, lang)
    if paths:
        warn_if_loopback(url_base)
    if not paths:
        click.echo("the plan has no routes: no sheets written")


@cvp.command("map")
@plan_argument
@click.option("--out", type=click.Path(dir_okay=False), help="The map file (default: map.html beside the plan).")
@click.option("--tiles", envvar="CVP_TILES", metavar="URL|amap",
              help="Tile layer: a URL template such as http://tiles.intranet/{z}/{x}/{y}.png, or 'amap' for GaoDe "
                   "(GCJ-02). Default $CVP_TILES, else none (a plain background: works with no tile server).")
@click.option("--tiles-crs", type=click.Choice(["wgs84", "gcj02"]), envvar="CVP_TILES_CRS",
              help="Coordinate system of the tiles' imagery (points are shifted to match). Default: gcj02 for amap, "
                   "else wgs84.")
@click.option("--tiles-attribution", metavar="TEXT", help="Credit shown for the tiles.")
@lang_option
@click.pass_context
def map_command(ctx, plan_file, out, tiles, tiles_crs, tiles_attribution, lang):
    """The dispatcher's map: one self-contained HTML file that works offline."""
    from planner.maps import tiles_spec

    rules = rules_of(ctx)
    doc = read_plan(plan_file)
    spec = tiles_spec(tiles, tiles_crs, tiles_attribution)
    target = Path(out) if out else Path(plan_file).parent / "map.html"
    html = plan_map(doc, rules, inputs=load_plan_inputs(session_of(ctx), doc, rules), tiles=spec, lang=lang)
    write_all([([target], lambda: atomic_write_text(target, html))])
    click.echo(f"wrote {target}")


@cvp.command("export")
@plan_argument
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False),
              help="The file to write (default: visits-DATE-DISTRICT.csv|xlsx beside the plan).")
@click.option("--full-phone", is_flag=True, help="Write phone numbers in full (masked as 138****1234 by default).")
@click.option("--encoding", type=click.Choice(CSV_ENCODINGS), default="utf-8-sig", show_default=True,
              help="CSV encoding (utf-8-sig opens in Excel; gb18030 for older systems).")
@lang_option
@click.pass_context
def export_command(ctx, plan_file, fmt, out, full_phone, encoding, lang):
    """One row per stop (worker, sequence, times, customer and tickets, type, scenario, reasons)."""
    rules = rules_of(ctx)
    doc = read_plan(plan_file)
    inputs = load_plan_inputs(session_of(ctx), doc, rules)
    target = Path(out) if out else Path(plan_file).parent / default_export_name(doc, fmt)
    write_all([([target], lambda: export_plan(doc, inputs.tickets, rules, target, fmt, full_phone=full_phone,
                                              lang=lang, history=inputs.history, encoding=encoding))])
    click.echo(f"wrote {target}")
