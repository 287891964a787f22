"""Policy documents pretty-printed with the character span of each statement, so one can be highlighted.

Qt-free. :func:`format_policy` re-indents a document (its top-level keys in their order, each statement as its own
block) and returns where each statement starts and ends; :func:`policy_html` turns that into escaped HTML with one
statement marked.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class FormattedPolicy:
    """A pretty-printed policy and the ``(start, end)`` character span of each statement, by statement index."""

    text: str
    spans: tuple[tuple[int, int], ...]


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def format_policy(document: Any) -> FormattedPolicy:
    """Pretty-print ``document`` (a dict, or its JSON text) with the span of every statement.

    Text that is not a JSON object comes back as it is, with no spans.
    """
    if isinstance(document, str):
        try:
            data = json.loads(document)
        except ValueError:
            return FormattedPolicy(text=document, spans=())
    else:
        data = document
    if not isinstance(data, dict):
        return FormattedPolicy(text=json.dumps(data, indent=2), spans=())
    parts: list[str] = ["{\n"]
    spans: list[tuple[int, int]] = []
    offset = 2
    keys = list(data)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        value = data[key]
        head = f"  {json.dumps(key)}: "
        if key == "Statement":
            statements = value if isinstance(value, list) else [value]
            block = [head + "[\n"]
            offset += len(block[0])
            for j, statement in enumerate(statements):
                body = _indent(json.dumps(statement, indent=2, ensure_ascii=False), "    ")
                spans.append((offset, offset + len(body)))
                piece = body + ("," if j < len(statements) - 1 else "") + "\n"
                block.append(piece)
                offset += len(piece)
            tail = f"  ]{comma}\n"
            block.append(tail)
            offset += len(tail)
            parts.extend(block)
        else:
            rendered = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
            piece = f"{head}{rendered}{comma}\n"
            parts.append(piece)
            offset += len(piece)
    parts.append("}")
    return FormattedPolicy(text="".join(parts), spans=tuple(spans))


def policy_html(document: Any, *, highlight: int | None = None, style: str = "") -> str:
    """``<pre>`` HTML of the document, the statement at index ``highlight`` wrapped in a styled span."""
    formatted = format_policy(document)
    text = formatted.text
    if highlight is None or not 0 <= highlight < len(formatted.spans):
        return f"<pre>{html.escape(text)}</pre>"
    start, end = formatted.spans[highlight]
    return (
        f"<pre>{html.escape(text[:start])}<a name='stmt'></a><span style='{style}'>{html.escape(text[start:end])}"
        f"</span>{html.escape(text[end:])}</pre>"
    )
