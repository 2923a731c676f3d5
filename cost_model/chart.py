"""The sweep chart: staff and monthly cost against the varied parameter (PNG and SVG).

Uses matplotlib's object API with the Agg canvas (no pyplot, no global state),
and "Noto Sans CJK SC" for Chinese text when that font is installed.
"""

from __future__ import annotations

import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

from cost_model.money import num
from cost_model.scenario_params import parameters
from cost_model.sweep import SweepResult
from planner.errors import UserError

CJK_FAMILY = "Noto Sans CJK SC"


def cjk_font_available() -> bool:
    from matplotlib import font_manager

    return any(f.name == CJK_FAMILY for f in font_manager.fontManager.ttflist)


def write_chart(result: SweepResult, stem: str | Path) -> list[Path]:
    """Draw the chart and write ``<stem>.png`` and ``<stem>.svg``; return the paths."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter
    from matplotlib.typing import RcKeyType

    stem = Path(stem)
    if stem.suffix.lower() in (".png", ".svg"):
        stem = stem.with_suffix("")
    cjk = cjk_font_available()
    families = [CJK_FAMILY, "DejaVu Sans"] if cjk else ["DejaVu Sans"]
    rc: dict[RcKeyType, Any] = {"font.family": families, "svg.hashsalt": "cost-model", "axes.unicode_minus": False}

    points = result.points
    if result.numeric:
        xs = [float(p.value) for p in points]
        labels = None
    else:
        xs = list(range(len(points)))
        labels = [str(p.value) for p in points]
    staff = [p.evaluation.staffing.total_staff for p in points]
    visitors = [p.evaluation.staffing.field_visitors for p in points]
    cost = [float(p.evaluation.budget.total_monthly) for p in points]
    cost_am = [float(p.evaluation.budget.total_monthly_amortised) for p in points]

    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(8, 4.8), dpi=120)
        ax = fig.add_subplot()
        ax.plot(xs, staff, marker="o", color="#1f77b4", label="total staff 总人数")
        ax.plot(xs, visitors, marker="s", linestyle=":", color="#17becf",
                label="field visitors 拜访人员")
        current = dict(parameters(result.scenario)).get(result.param)
        if result.numeric and isinstance(current, (int, Decimal)) and not isinstance(current, bool):
            ax.axvline(float(current), color="grey", linestyle="-.", linewidth=1,
                       label=f"scenario value {num(current)}")
        ax.set_xlabel(result.param)
        ax.set_ylabel("staff 人数")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax2 = ax.twinx()
        ax2.plot(xs, cost, marker="^", color="#d62728", label="monthly cost 月费用 (yuan)")
        if cost_am != cost:
            ax2.plot(xs, cost_am, marker="v", linestyle="--", color="#ff7f0e",
                     label="monthly cost, one-off items amortised 摊销后")
        ax2.set_ylabel("monthly cost 月费用 (yuan 元)")
        ax2.set_ylim(bottom=0)
        ax2.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        if labels is not None:
            ax.set_xticks(xs, labels)
        title = f"{result.scenario.name}: staff and monthly cost vs {result.param}"
        if cjk and result.scenario.title:
            title += f"\n{result.scenario.title}"
        ax.set_title(title, fontsize=10)
        handles = ax.get_legend_handles_labels()
        handles2 = ax2.get_legend_handles_labels()
        ax.legend(handles[0] + handles2[0], handles[1] + handles2[1], loc="upper left",
                  fontsize=8)
        fig.tight_layout()
        paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
        try:
            stem.parent.mkdir(parents=True, exist_ok=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # missing-glyph warnings
                fig.savefig(paths[0], format="png")
                fig.savefig(paths[1], format="svg", metadata={"Date": None})
        except OSError as exc:
            raise UserError(f"cannot write the chart {stem}.png/.svg: {exc.strerror}") from None
    return paths
