"""``cvp outcomes``: the visits' recorded outcomes and the follow-ups that close the loop."""

from __future__ import annotations

import click

from planner.cli import actor_of, cvp, rules_of, session_of
from planner.cli.params import DAY


@cvp.group("outcomes")
def outcomes_group():
    """What the field staff recorded; the cases that need later closure (需要后期闭环)."""


def _closure_text(result) -> str:
    """How a stored visit result reads on a line (an old outcome may not say)."""
    texts = {"closed_on_site": "closed on site", "follow_up": "needs later closure",
             "not_met": "customer not met (planned again)", "refused": "customer refused the visit (planned again)"}
    return texts[result.value] if result is not None else "closure not recorded"


def _measured(record, rules) -> str:
    """The record's measurements on one line: 中国移动/GSM -85 dBm call ok data failed."""
    from planner.field_record import line_name

    parts = []
    for t in record.tests if record else ():
        op = rules.field_record.operator(t.operator)
        words = [line_name(op, t.technology) if op else f"{t.operator}/{t.technology}"]
        if t.signal_dbm is not None:
            words.append(f"{t.signal_dbm} dBm")
        words += [f"call {t.call.value}", f"data {t.data.value}"]
        if t.data_kbps is not None:
            words.append(f"{t.data_kbps} kbps")
        parts.append(" ".join(words))
    return "; ".join(parts)


@outcomes_group.command("list")
@click.option("--date", "day", required=True, type=DAY, help="Visit day, YYYY-MM-DD.")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.pass_context
def outcomes_list(ctx, day, district):
    """The day's recorded outcomes, one visit a line: result, satisfaction, measurements,
    problem, requests, measure, gift, promised date, notes (tab-separated)."""
    from planner.closure import outcomes_of

    rules = rules_of(ctx)
    found = outcomes_of(session_of(ctx), day.date(), district)
    for vid, o in sorted(found.items()):
        r = o.record
        gift = ("gift " + (r.gift_item or "yes")) if r and r.gift_given else ""
        promised = f"promised {r.promised}" if r and r.promised else ""
        fields = [vid, o.staff_id, _closure_text(o.result), o.satisfaction or "", _measured(r, rules),
                  r.problem if r else "", r.requests if r else "", r.measure if r else "", gift, promised, o.notes]
        click.echo("\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields))
    if not found:
        click.echo(f"no outcomes recorded for {district} on {day:%Y-%m-%d}")


@outcomes_group.command("export")
@click.option("--date", "day", required=True, type=DAY, help="Visit day, YYYY-MM-DD.")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Column headers.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="The file to write (default: outcomes-DATE-DISTRICT.csv|xlsx here).")
@click.pass_context
def outcomes_export(ctx, day, district, fmt, lang, output):
    """The day's recorded outcomes as a spreadsheet: one row per visit, the measurements
    one group of columns per operator and technology."""
    from planner import outcome_table
    from planner.closure import outcomes_of
    from planner.tables import write_csv, write_xlsx

    rules = rules_of(ctx)
    found = outcomes_of(session_of(ctx), day.date(), district)
    target = output or f"outcomes-{day:%Y-%m-%d}-{district}.{fmt}"
    heads, rows = outcome_table.headers(rules, lang), outcome_table.rows(found.values(), rules)
    if fmt == "xlsx":
        write_xlsx(target, heads, rows, title="拜访结果" if lang == "zh" else "Outcomes")
    else:
        write_csv(target, heads, rows)
    click.echo(f"wrote {target} ({len(rows)} visits)")


@outcomes_group.command("followups")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.pass_context
def outcomes_followups(ctx, district):
    """The district's follow-up queue: the same list as `cvp followups list` (one definition)."""
    from planner.cli.followups_cmd import print_queue

    print_queue(ctx, district)


@outcomes_group.command("close")
@click.argument("visit_id")
@click.option("--date", "day", required=True, type=DAY, help="Visit day, YYYY-MM-DD.")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--notes", default="", help="What the follow-up did.")
@click.pass_context
def outcomes_close(ctx, visit_id, day, district, notes):
    """The follow-up of VISIT_ID is done: close its tickets and its case (by case: `cvp followups resolve`)."""
    from planner.closure import close_follow_up

    done = close_follow_up(session_of(ctx), day.date(), district, visit_id, actor_of(ctx), notes)
    click.echo(f"{visit_id}: follow-up closed; tickets closed: {', '.join(done.closed) or 'none (already closed)'}")


def _lines(values: tuple[str, ...], option: str) -> list[tuple[str, str, str]]:
    """``OPERATOR/TECHNOLOGY=VALUE`` options as (operator, technology, value)."""
    from planner.errors import UserError

    out = []
    for text in values:
        line, eq, value = text.partition("=")
        operator, slash, technology = line.partition("/")
        if not (eq and slash and operator.strip() and technology.strip()):
            raise UserError(f"{option} {text!r}: write OPERATOR/TECHNOLOGY=VALUE, e.g. 中国移动/GSM=-85")
        out.append((operator.strip(), technology.strip(), value.strip()))
    return out


def _tests(rules, **options: tuple[str, ...]) -> list[dict]:
    """The measurement lines of ``--signal``, ``--call``, ``--data`` and ``--kbps``, one per
    operator × technology (an operator named by code or label is one operator)."""
    lines: dict[tuple[str, str], dict] = {}
    for name, values in options.items():
        key = {"signal": "signal_dbm", "call": "call", "data": "data", "kbps": "data_kbps"}[name]
        for operator, technology, value in _lines(values, f"--{name}"):
            op = rules.field_record.operator(operator)
            line = lines.setdefault((op.code if op else operator, technology),
                                    {"operator": op.code if op else operator, "technology": technology})
            line[key] = value
    return list(lines.values())


@outcomes_group.command("record")
@click.argument("visit_id")
@click.option("--date", "day", required=True, type=DAY, help="Visit day, YYYY-MM-DD.")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--result", required=True, type=click.Choice(["closed_on_site", "follow_up", "not_met", "refused"]),
              help="closed_on_site (现场闭环), follow_up (需要后期闭环), not_met (the customer was not met) or "
                   "refused (the customer would not see the visitor).")
@click.option("--satisfaction", type=click.Choice(["satisfied", "basically_satisfied", "unsatisfied"]),
              help="What the customer said on site (only when the customer was met).")
@click.option("--arrived", default=None, help="Arrival time, HH:MM.")
@click.option("--signal", multiple=True, metavar="OP/TECH=DBM",
              help="Measured signal, e.g. 中国移动/GSM=-85 (repeat per operator and technology).")
@click.option("--call", multiple=True, metavar="OP/TECH=RESULT", help="Test call: ok, failed or not_tried.")
@click.option("--data", multiple=True, metavar="OP/TECH=RESULT", help="Data test: ok, failed or not_tried.")
@click.option("--kbps", multiple=True, metavar="OP/TECH=KBPS", help="Data test speed in kbps.")
@click.option("--problem", default="", help="The customer's problem (客户反映问题).")
@click.option("--requests", default="", help="The customer's requests (客户要求).")
@click.option("--measure", default="", help="The measure taken (处理措施).")
@click.option("--gift", default=None, metavar="ITEM", help="A gift was given: which (e.g. 小礼品; \"\" unnamed).")
@click.option("--promised", default=None, metavar="YYYY-MM-DD", help="The date promised to the customer.")
@click.option("--notes", default="", help="What else was found and done.")
@click.pass_context
def outcomes_record(ctx, visit_id, day, district, result, satisfaction, arrived, signal, call, data, kbps, problem,
                    requests, measure, gift, promised, notes):
    """Record what happened at VISIT_ID of the day's published plan (as typed from a paper sheet).

    Recording the same again changes nothing; a changed record replaces the earlier one."""
    from planner.closure import record_outcome
    from planner.field_record import read_record

    rules = rules_of(ctx)
    record = read_record({"result": result, "satisfaction": satisfaction, "arrived_at": arrived,
                          "tests": _tests(rules, signal=signal, call=call, data=data, kbps=kbps),
                          "problem": problem, "requests": requests, "measure": measure,
                          "gift_given": gift is not None, "gift_item": gift or "", "promised_date": promised,
                          "notes": notes}, rules, day.date())
    done = record_outcome(session_of(ctx), day=day.date(), district=district, visit_id=visit_id, actor=actor_of(ctx),
                          record=record, rules=rules)
    if done.unchanged:
        click.echo(f"{visit_id}: recorded already as given; nothing changed")
        return
    click.echo(f"{visit_id}: {_closure_text(done.outcome.result)}"
               + (f"; tickets closed: {', '.join(done.closed)}" if done.closed else ""))
