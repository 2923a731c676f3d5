"""The JSON Schema of ``cvp.plan/1``, generated from :class:`planner.plan.document.PlanDocument`.

``python -m planner.plan.schema`` writes ``web/plan.schema.json``, which
``web/openapi.yaml`` references for the plan a response carries and the web app
serves beside it (``/api/plan.schema.json``); ``tests/plan/test_document.py``
fails when the file is not what the classes say.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from planner.jsondoc import document_schema
from planner.plan.document import SCHEMA, PlanDocument

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "web" / "plan.schema.json"


def plan_schema() -> dict:
    return document_schema(PlanDocument, f"The plan document ({SCHEMA})")


def schema_text() -> str:
    return json.dumps(plan_schema(), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    target = Path((argv or sys.argv[1:] or [str(SCHEMA_FILE)])[0])
    target.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
