"""The unit of a processing time the portal gave as a bare number ("1"), when the record's text states it.

~335 channel rows carry a number with no unit. We never guess one: the unit is taken only when
every explicit time in the steps and channel descriptions ("trong thời hạn 05 ngày làm việc")
is that same number with one unit, so a sub-step's "01 ngày làm việc" never passes for the total.
"""

from __future__ import annotations

import re

from procedure_kb.procedures import Channel, Procedure

__all__ = ["stated_unit"]

_UNITS = {"ngày làm việc": "Ngày làm việc", "ngày": "Ngày", "giờ làm việc": "Giờ", "giờ": "Giờ", "tháng": "Tháng"}
_TIME = re.compile(
    r"\b(?:trong thời hạn|thời hạn giải quyết(?: là)?|trong vòng|trong|không quá|tối đa)\s+"
    r"(\d{1,3})\s*(?:\([^)]{0,30}\)\s*)?(ngày làm việc|giờ làm việc|ngày|giờ|tháng)\b",
    re.I,
)


def stated_unit(proc: Procedure, channel: Channel) -> str | None:
    """The unit ("Ngày làm việc"…) for a unitless `channel.time_value`, or None when the text is not clear."""
    if channel.time_value is None or channel.time_unit:
        return None
    text = " ".join(proc.steps + [c.description for c in proc.channels])
    found = {(float(n), _UNITS[u.lower()]) for n, u in _TIME.findall(text)}
    if len(found) != 1:
        return None
    value, unit = found.pop()
    return unit if value == channel.time_value else None
