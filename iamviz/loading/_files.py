"""Reading JSON files the way users produce them, with one clear line for every way that can go wrong.

A file may hold one JSON value or several written one after another (``aws ... --no-paginate`` pages appended to
one file). Text must be UTF-8 (a UTF-8 byte-order mark is fine); UTF-16 with a byte-order mark, as Windows
PowerShell's ``>`` writes it, is read too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from iamviz.errors import InputError

_WHITESPACE = re.compile(r"[ \t\n\r]*")


def type_name(value: Any) -> str:
    """How an error message names the JSON type of ``value``."""
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def read_text(path: Path) -> str:
    """Read ``path`` as text; raise :class:`InputError` naming the file when it cannot be read or decoded."""
    name = str(path)
    if path.is_dir():
        raise InputError("is a folder, not a file", file=name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except PermissionError:
        raise InputError("cannot read the file (permission denied)", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", file=name) from None
    return decode_bytes(data, file=name)


def decode_bytes(data: bytes, *, file: str | None = None) -> str:
    """Decode file bytes: UTF-8 (with or without BOM), or UTF-16 when a UTF-16 byte-order mark says so."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("not valid UTF-16 text despite its byte-order mark", file=file) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}, line {line}); save it as UTF-8 JSON",
            file=file,
        ) from None


def parse_json_values(text: str, *, file: str | None = None) -> list[Any]:
    """Parse one JSON value, or several written one after another; raise :class:`InputError` with line/column."""
    decoder = json.JSONDecoder()
    values: list[Any] = []
    end = len(text)
    position = _WHITESPACE.match(text, 0).end()  # type: ignore[union-attr]
    while position < end:
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            reason = exc.msg.removesuffix(" at")  # "Invalid control character at" reads badly without its position
            raise InputError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {reason}", file=file) from None
        except RecursionError:
            raise InputError("JSON nested too deeply to read", file=file) from None
        values.append(value)
        position = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]
    if not values:
        raise InputError("the file is empty", file=file)
    return values


def read_json_values(path: Path) -> list[Any]:
    """Read every JSON value in the file at ``path``."""
    return parse_json_values(read_text(path), file=str(path))
