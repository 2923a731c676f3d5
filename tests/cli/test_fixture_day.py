"""The dispatcher's morning on the fixture day, through the `cvp` command."""

from __future__ import annotations

import json

import pytest
import yaml

from planner.cli import main

DAY = ["--date", "2010-08-05", "--district", "南区"]


@pytest.fixture
def makeup(fixture_day):
    return json.loads((fixture_day / "makeup.json").read_text(encoding="utf-8"))


@pytest.fixture
def imported(fixture_day, capsys):
    assert main(["import", str(fixture_day / "history.csv"), "--history"]) == 0
    assert main(["import", str(fixture_day / "tickets.csv"), "--gazetteer", str(fixture_day / "gazetteer.csv")]) == 0
    assert main(["import", str(fixture_day / "staff.csv")]) == 0
    assert main(["import", str(fixture_day / "network.csv")]) == 0
    capsys.readouterr()
    return fixture_day


def triage_json(tmp_path, *extra):
    out = tmp_path / "triage.json"
    assert main([*extra, "triage", *DAY, "--json", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def visit_with(doc, ticket_id):
    [v] = [v for v in doc["visits"] if ticket_id in v["ticket_ids"]]
    return v


def full(short):
    return short if short.startswith("XA-") else f"XA-NQ-{short}"


def test_the_fixture_day_is_triaged_as_designed(imported, makeup, tmp_path):
    doc = triage_json(tmp_path)
    assert doc["date"] == "2010-08-05" and doc["district"] == "南区" and doc["rules_version"] == "xian-2010.1"
    for ids in makeup["vip"].values():
        for tid in ids:
            assert "vip" in visit_with(doc, tid)["reasons"]
    for tid in makeup["repeat"]:
        assert "repeat" in visit_with(doc, tid)["reasons"]
    followups = {f["ticket_id"] for f in doc["phone_followups"]}
    assert len(followups) == 18
    visited = {t for v in doc["visits"] for t in v["ticket_ids"]}
    assert not followups & visited
    assert len(doc["visits"]) == 25 and len(visited) == 30
    # received after the shift started, or in another district: not today's business here
    for tid in ("XA-NQ-20100805-0001", "XA-NQ-20100805-0003", "XA-BQ-20100804-0002"):
        assert tid not in visited | followups


def test_clusters_escalation_and_planned_sites(imported, tmp_path):
    doc = triage_json(tmp_path)
    cluster_b = visit_with(doc, "XA-NQ-20100804-0015")
    assert set(cluster_b["ticket_ids"]) == {full(t) for t in
                                            ("20100802-0001", "20100803-0001", "20100804-0015", "20100804-0083")}
    assert cluster_b["scenario"] == "planned" and cluster_b["scenario_label"] == "规划在建型"
    assert visit_with(doc, "XA-NQ-20100804-0019")["ticket_ids"] == [full("20100804-0019"), full("20100804-0075")]
    vip_in_cluster = visit_with(doc, "XA-NQ-20100804-0005")
    assert vip_in_cluster["ticket_ids"] == [full("20100804-0005")]
    assert set(vip_in_cluster["reasons"]) == {"vip", "cluster"}
    assert visit_with(doc, "XA-NQ-20100804-0110")["reasons"] == ["escalation"]
    assert "XA-NQ-20100804-0021" in {f["ticket_id"] for f in doc["phone_followups"]}  # 43 days ago: not repeat


def test_triage_json_has_the_documented_shape(imported, tmp_path):
    doc = triage_json(tmp_path)
    assert set(doc) >= {"date", "district", "rules_version", "visits", "phone_followups"}
    for v in doc["visits"]:
        assert set(v) >= {"visit_id", "ticket_ids", "reasons", "customer_type", "scenario", "priority", "service_min",
                          "lat", "lon", "time_window", "measures", "gift", "fired_rules"}
        assert v["customer_type"] in ("loyal_urgent", "irate", "purpose_driven", "repeat", "ordinary")
        assert v["scenario"] in ("short_term", "planned", "not_now")
        assert v["fired_rules"] and all(set(f) == {"rule", "ticket_id", "detail"} for f in v["fired_rules"])
        assert v["time_window"] is None or all(w.endswith("+08:00") for w in v["time_window"])
    for f in doc["phone_followups"]:
        assert set(f) >= {"ticket_id", "why"}


def test_override_is_stored_and_shown(imported, tmp_path, capsys):
    doc = triage_json(tmp_path, )
    before = visit_with(doc, "XA-NQ-20100804-0071")
    assert before["customer_type"] != "irate"
    out = tmp_path / "o.json"
    assert main(["triage", *DAY, "--set", "XA-NQ-20100804-0071 type=irate", "--json", str(out)]) == 0
    assert "*override" in capsys.readouterr().out
    after = visit_with(json.loads(out.read_text(encoding="utf-8")), "XA-NQ-20100804-0071")
    assert after["customer_type"] == "irate" and after["overrides"] == ["type"]
    # stored: a later triage without --set still applies it
    assert visit_with(triage_json(tmp_path), "XA-NQ-20100804-0071")["customer_type"] == "irate"


def test_bad_override_changes_nothing(imported, tmp_path, capsys):
    code = main(["triage", *DAY, "--set", "XA-NQ-20100804-0071 type=irate", "--set", "NOPE type=irate"])
    assert code == 2 and "no ticket 'NOPE'" in capsys.readouterr().err
    assert visit_with(triage_json(tmp_path), "XA-NQ-20100804-0071")["customer_type"] != "irate"
    assert main(["triage", *DAY, "--set", "XA-NQ-20100804-0071 type=grumpy"]) == 2
    assert "not one of" in capsys.readouterr().err


def test_rules_are_data_a_dispatcher_can_change(imported, tmp_path, rules):
    data = dict(rules.data)
    data["selection"] = {**data["selection"], "vip": {**data["selection"]["vip"],
                                                      "when": {"vip_in": ["diamond", "gold", "silver"]}}}
    custom = tmp_path / "rules.yaml"
    custom.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    doc = triage_json(tmp_path, "--rules", str(custom))
    assert len(doc["visits"]) == 23  # the pilot's own count once 贵宾 are phoned instead


def test_a_broken_rules_file_names_the_field(imported, tmp_path, rules, capsys):
    data = dict(rules.data)
    data["day"] = {**data["day"], "visit_budget_min": -5}
    bad = tmp_path / "rules.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["--rules", str(bad), "triage", *DAY]) == 2
    err = capsys.readouterr().err
    assert "day.visit_budget_min" in err and "positive" in err and "Traceback" not in err


def test_xlsx_export_imports_the_same_tickets(fixture_day, tmp_path, capsys):
    from planner.intake import IntakeContext, load_file, load_gazetteer

    ctx = IntakeContext(gazetteer=load_gazetteer(fixture_day / "gazetteer.csv"))
    csv_records = load_file(fixture_day / "tickets.csv", ctx=ctx).records
    xlsx_records = load_file(fixture_day / "tickets.xlsx", ctx=ctx).records
    assert xlsx_records == csv_records and len(csv_records) == 53


def test_demo_runs_twice_without_changing_anything(fixture_day, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0
    first = capsys.readouterr().out
    assert "53 added" in first and "25 visits" in first
    assert main(["demo"]) == 0
    second = capsys.readouterr().out
    assert "0 added, 0 updated, 53 unchanged" in second
    assert (tmp_path / "out" / "demo" / "triage-2010-08-05-南区.json").exists()


def test_triage_of_an_empty_district_says_what_to_do(capsys):
    assert main(["triage", *DAY]) == 2
    assert "cvp import" in capsys.readouterr().err


def test_override_accepts_the_chinese_names_the_tool_prints(imported, tmp_path, capsys):
    out = tmp_path / "o.json"
    assert main(["triage", *DAY, "--set", "XA-NQ-20100804-0071 type=激愤暴躁型",
                 "--set", "XA-NQ-20100804-0071 scenario=暂不解决型", "--json", str(out)]) == 0
    after = visit_with(json.loads(out.read_text(encoding="utf-8")), "XA-NQ-20100804-0071")
    assert (after["customer_type"], after["scenario"]) == ("irate", "not_now")
    assert (after["customer_type_label"], after["scenario_label"]) == ("激愤暴躁型", "暂不解决型")
    assert main(["triage", *DAY, "--set", "XA-NQ-20100804-0009 select=否"]) == 0
    assert "XA-NQ-20100804-0009" in {f["ticket_id"] for f in triage_json(tmp_path)["phone_followups"]}


def test_a_wrong_override_value_lists_codes_and_chinese_names(imported, capsys):
    assert main(["triage", *DAY, "--set", "XA-NQ-20100804-0071 type=暴躁型"]) == 2
    err = capsys.readouterr().err
    assert "not one of" in err and "irate (激愤暴躁型)" in err and "ordinary (普通投诉型)" in err
    assert err.count("irate (") == 1  # a type listed twice in the rules file is named once
    assert main(["triage", *DAY, "--set", "XA-NQ-20100804-0071 scenario=planned-ish"]) == 2
    assert "planned (规划在建型)" in capsys.readouterr().err
