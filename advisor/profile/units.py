"""Human units for the fields people type: durations (`2h`), sizes (`512MB`, `1.5GiB`) and counts (`3M`).

Sizes follow the convention of the AWS consoles for memory: 1 GB = 1 GiB = 1024 MB, so that
"120 GB" of Fargate memory is 122,880 MB, as the ECS task-size table means it.
"""

from __future__ import annotations

import math
import re

from advisor.errors import UnitError

_NUMBER = r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
_PATTERN = re.compile(rf"^\s*{_NUMBER}\s*([A-Za-z]*)\s*$")

_DURATION_SECONDS = {
    "": None, "ms": 0.001, "msec": 0.001, "millisecond": 0.001, "milliseconds": 0.001,
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
}
_SIZE_MB = {
    "": None, "b": 1 / 1024 / 1024, "kb": 1 / 1024, "kib": 1 / 1024, "k": 1 / 1024,
    "mb": 1.0, "mib": 1.0, "m": 1.0,
    "gb": 1024.0, "gib": 1024.0, "g": 1024.0,
    "tb": 1024.0 * 1024, "tib": 1024.0 * 1024, "t": 1024.0 * 1024,
}
_COUNT = {"": 1.0, "k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9, "g": 1e9}



def _split(text: str) -> tuple[float, str]:
    match = _PATTERN.match(text)
    if not match:
        raise UnitError(f"{text!r} is not a number with an optional unit")
    value = float(match.group(1))
    if not math.isfinite(value):
        raise UnitError(f"{text!r} is not a finite number")
    return value, match.group(2).lower()


def _parse_with(text: str, table: dict[str, float | None], units: str, choices: str) -> tuple[float, bool]:
    """(value, has_unit): the number in `table`'s base unit, or the bare number and False."""
    value, suffix = _split(text)
    if suffix not in table:
        raise UnitError(f"unknown {units} unit {suffix!r} (use {choices})")
    factor = table[suffix]
    return (value, False) if factor is None else (value * factor, True)


def parse_duration(text: str, unit: str) -> float:
    """Parse `2h`, `90s`, `500ms`, `15min` into `unit` ("s" or "ms"); a bare number is already in `unit`."""
    seconds, converted = _parse_with(text, _DURATION_SECONDS, "duration", "ms, s, min, h or d")
    return seconds * 1000.0 if converted and unit == "ms" else seconds


def parse_size(text: str, unit: str) -> float:
    """Parse `512MB`, `1.5GiB`, `20GB` into `unit` ("mb" or "gb"); a bare number is already in `unit`."""
    mb, converted = _parse_with(text, _SIZE_MB, "size", "MB, GB, TB or their MiB/GiB/TiB spellings")
    return mb / 1024.0 if converted and unit == "gb" else mb


def parse_count(text: str) -> float:
    """Parse `3M`, `2.5k`, `1B` into a plain number."""
    value, suffix = _split(text.replace(",", "").replace("_", ""))
    if suffix not in _COUNT:
        raise UnitError(f"unknown count suffix {suffix!r} (use k, M or B)")
    return value * _COUNT[suffix]


def format_duration(seconds: float) -> str:
    """A short human form: 900 s -> '15 min', 7200 -> '2 h', 0.25 -> '250 ms'."""
    if seconds < 1:
        return f"{seconds * 1000:g} ms"
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200:
        return f"{seconds / 60:.4g} min"
    if seconds < 172800:
        return f"{seconds / 3600:.4g} h"
    return f"{seconds / 86400:.4g} days"


def format_size_mb(mb: float) -> str:
    """A short human form: 10240 -> '10 GB', 512 -> '512 MB'."""
    if mb >= 1024 * 1024:
        return f"{mb / 1024 / 1024:.4g} TB"
    if mb >= 1024:
        return f"{mb / 1024:.4g} GB"
    return f"{mb:.4g} MB"


def format_count(value: float) -> str:
    """A short human form: 3000000 -> '3M'."""
    for factor, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g}{suffix}"
    return f"{value:g}"


def format_usd(value: float | None) -> str:
    """US dollars for people, the one money format of every table, report and message: '$1,234' from
    100 up, '$12.34' below, 'n/a' for no estimate."""
    if value is None or value != value:  # None or NaN
        return "n/a"
    return f"${value:,.0f}" if abs(value) >= 100 else f"${value:,.2f}"
