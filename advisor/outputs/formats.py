"""Output formats for a recommendation: one interface, one function per format (table, json, yaml, markdown)."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from typing import Any

from advisor import AXES, RUNTIME_LABELS
from advisor.engine.explain import Recommendation, confidence_words
from advisor.profile.units import format_usd


class OutputFormat(enum.StrEnum):
    """Every format `recommend` can print; a test loops over all members. `table` is drawn for a
    terminal by the CLI (`advisor.cli.table`); the others are text the library renders here."""

    table = "table"
    json = "json"
    yaml = "yaml"
    markdown = "markdown"


def headline(rec: Recommendation) -> str:
    if rec.recommendation is None:
        return f"{rec.name}: no runtime is feasible. {rec.why_none}"
    runner = f"; runner-up {RUNTIME_LABELS[rec.runner_up]}" if rec.runner_up else ""
    return (f"{rec.name}: run it on {RUNTIME_LABELS[rec.recommendation]}{runner} "
            f"(confidence {confidence_words(rec.confidence)}, {rec.confidence:.2f})")


def price_basis_words(extra: dict[str, Any]) -> str:
    """Where and how a result was priced, in words: Region, pricing, price date, prices borrowed."""
    prices = extra.get("prices") or {}
    region = str(extra.get("region") or prices.get("region") or "us-east-1")
    name = f" ({prices['name']})" if prices.get("name") and prices.get("name") != region else ""
    words = f"{region}{name}, {extra.get('pricing', 'on-demand')}"
    if prices.get("as_of"):
        words += f", prices as of {prices['as_of']}"
    borrowed = prices.get("borrowed_from_us_east_1") or []
    if borrowed:
        words += f"; {len(borrowed)} not bundled for {region}, us-east-1's used"
    return words


def extra_sections(rec: Recommendation) -> list[tuple[str, list[str]]]:
    """Titled bullet lists for the optional top-level fields, shared by the text formats.

    Shapes: what_would_change = [{"message": str, ...}], similar = [{"name", "accepted", "rationale",
    "source"}], model = {"used", "blend_weight", "cv_accuracy_rules", "cv_accuracy_blend"},
    managed_alternative = {"service", "rationale", "source"} or None, input_warnings = [str].
    """
    sections: list[tuple[str, list[str]]] = []
    disagreeing = rec.extra.get("input_warnings")
    if disagreeing:
        sections.append(("Inputs that disagree", [str(message) for message in disagreeing]))
    managed = rec.extra.get("managed_alternative")
    if isinstance(managed, dict):
        sections.append(("Managed alternative", [
            f"{managed.get('service')}: {managed.get('rationale', '')} (Source: {managed.get('source', '')})"]))
    if "pricing" in rec.extra:
        sections.append(("Prices", [price_basis_words(rec.extra)]))
    changes = rec.extra.get("what_would_change")
    if changes is not None:
        lines = [str(item.get("message", "")) for item in changes]
        sections.append(("What would change the answer",
                         lines or ["No single change a team could make would change first place."]))
    similar = rec.extra.get("similar")
    if similar:
        sections.append(("Similar reference workloads", [
            f"{item.get('name')} (accepted: {', '.join(item.get('accepted', []))}): {item.get('rationale', '')}"
            for item in similar]))
    model = rec.extra.get("model")
    if isinstance(model, dict):
        used = "blend of rules and learned model" if model.get("used") else "rules only"
        sections.append(("Scoring", [
            f"{used} (blend weight {model.get('blend_weight', 0)}; nested cross-validated first-place accuracy: "
            f"rules {model.get('cv_accuracy_rules')}, blend {model.get('cv_accuracy_blend')})"]))
    return sections


def to_json(rec: Recommendation) -> str:
    return json.dumps(rec.to_dict(), indent=2, ensure_ascii=False) + "\n"


def to_yaml(rec: Recommendation) -> str:
    import yaml

    return yaml.safe_dump(rec.to_dict(), sort_keys=False, allow_unicode=True, width=100)


def _md_cell(text: object) -> str:
    """Escape a value for a Markdown table cell: pipes, newlines and HTML."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")
    return value.replace("<", "&lt;").replace(">", "&gt;")


def to_markdown(rec: Recommendation) -> str:
    lines = [f"# {_md_cell(rec.name)}", "", f"**{_md_cell(headline(rec))}**", ""]
    lines += ["| rank | runtime | feasible | score | " + " | ".join(AXES) + " | monthly cost |",
              "|---:|---|---|---:|" + "---:|" * len(AXES) + "---:|"]
    for place, result in enumerate(rec.ranking, start=1):
        axes = " | ".join(f"{result.axes[a]:.2f}" for a in AXES)
        lines.append(f"| {place} | {RUNTIME_LABELS[result.runtime]} | {'yes' if result.feasible else 'no'} | "
                     f"{result.score:.3f} | {axes} | {format_usd(result.monthly_cost_usd)} |")
    for result in rec.ranking:
        lines += ["", f"## {RUNTIME_LABELS[result.runtime]}", ""]
        if result.sizing:
            lines.append(f"Sized as: {_md_cell(result.sizing)}")
            lines.append("")
        for blocker in result.blockers:
            lines.append(f"- **Blocker ({_md_cell(blocker.constraint)}):** {_md_cell(blocker.message)} "
                         f"_Source: {_md_cell(blocker.source)}_")
        for caution in result.cautions:
            lines.append(f"- **Caution:** {_md_cell(caution)}")
        for reason in result.reasons:
            lines.append(f"- {_md_cell(reason)}")
    for title, items in extra_sections(rec):
        lines += ["", f"## {title}", ""] + [f"- {_md_cell(item)}" for item in items]
    if rec.assumed_defaults:
        lines += ["", "Assumed defaults: " + ", ".join(rec.assumed_defaults)]
    lines.append("")
    return "\n".join(lines)


FORMATTERS: dict[OutputFormat, Callable[[Recommendation], str]] = {
    OutputFormat.json: to_json,
    OutputFormat.yaml: to_yaml,
    OutputFormat.markdown: to_markdown,
}


def render(rec: Recommendation, fmt: OutputFormat) -> str:
    """The recommendation in `fmt` (any format but `table`, which needs a terminal's width)."""
    return FORMATTERS[fmt](rec)
