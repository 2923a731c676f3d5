"""The words on the outputs, in Chinese or English.

Two sources, one definition each: the rules file (customer types, scenarios,
selection labels, response measures, communication tips: what a dispatcher may
change) and ``texts.yaml`` beside this module (the sheet's own labels, the
pilot's toolkit and conduct rules, VIP tier names, English glosses).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from planner import safeyaml
from planner.errors import UserError
from planner.triage.rules import Rules

TEXTS_FILE = Path(__file__).with_name("texts.yaml")
LANGS = ("zh", "en")


@lru_cache(maxsize=4)
def _texts_data(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return safeyaml.load(fh.read())


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise UserError(f"language {lang!r} is not available; choose one of: {', '.join(LANGS)}")
    return lang


@dataclass(frozen=True)
class Texts:
    """Labels for one language; ``rules`` supplies the dispatcher-editable texts."""

    rules: Rules
    lang: str
    data: dict[str, Any]

    # -- the outputs' own labels ------------------------------------------------------
    def __getitem__(self, key: str) -> str:
        return self.data["labels"][self.lang].get(key) or self.data["labels"]["zh"][key]

    def fmt(self, key: str, **values: Any) -> str:
        return self[key].format(**values)

    @property
    def labels(self) -> dict[str, str]:
        return {**self.data["labels"]["zh"], **self.data["labels"][self.lang]}

    @property
    def map_labels(self) -> dict[str, str]:
        return {**self.data["map"]["zh"], **self.data["map"][self.lang]}

    @property
    def networks(self) -> list[tuple[str, str]]:
        """(operator, technology) of each measurement line the sheet prints: the rules
        file's ``field_record`` (移动 GSM, TD-SCDMA; 联通 GSM, WCDMA; 电信 CDMA)."""
        return [(op.label if self.lang == "zh" else op.en, tech) for op, tech in self.rules.field_record.lines()]

    @property
    def conduct(self) -> list[dict[str, str]]:
        return list(self.data["conduct"][self.lang])

    @property
    def toolkit(self) -> list[dict[str, Any]]:
        return list(self.data["toolkit"])

    @property
    def indoor(self) -> dict[str, Any]:
        return self.data["indoor"]

    # -- codes from the rules file, labelled --------------------------------------------
    def _code(self, section: str, code: str) -> str:
        """The rules file's Chinese label, with the English gloss in brackets for ``en``."""
        zh = self.rules.label(section, code)
        if self.lang == "zh":
            return zh
        en = self.data["codes_en"].get(section, {}).get(code)
        return f"{zh} ({en})" if en and en != zh else zh

    def customer_type(self, code: str | None) -> str:
        return self._code("customer_types", code) if code else ""

    def scenario(self, code: str | None) -> str:
        return self._code("scenarios", code) if code else ""

    def reason(self, code: str) -> str:
        if self.lang == "zh":
            return self.rules.label("selection", code)
        return self.data["codes_en"]["selection"].get(code) or self.rules.label("selection", code)

    def vip_level(self, level: str | None) -> str:
        names = self.data["vip_levels"][self.lang]
        return names.get(level or "none", level or "")

    def ticket_status(self, status: str | None) -> str:
        return self.data["ticket_status"][self.lang].get(status or "", status or "")

    def measure(self, section: str, code: str | None) -> str:
        """The pilot's response measure (rules.yaml ``measures.<section>.<code>``) in this language."""
        entry = self.rules.data.get("measures", {}).get(section, {}).get(code or "", {})
        return entry.get(self.lang) or entry.get("zh") or ""

    def communication(self, style: str | None) -> tuple[str, str] | None:
        """(style label, tip) from rules.yaml ``communication_styles``, or None when unknown."""
        entry = self.rules.data.get("communication_styles", {}).get(style or "")
        if not entry:
            return None
        label = entry.get("label", style)
        if self.lang != "zh":
            en = self.data["codes_en"]["communication_styles"].get(style)
            label = f"{label} ({en})" if en else label
        return label, entry.get(self.lang) or entry.get("zh") or ""

    def why(self, kind: str, **values: Any) -> str:
        return self.data["why"][self.lang][kind].format(**values)


def load_texts(rules: Rules, lang: str = "zh", path: str | Path | None = None) -> Texts:
    check_lang(lang)
    return Texts(rules=rules, lang=lang, data=_texts_data(str(path or TEXTS_FILE)))
