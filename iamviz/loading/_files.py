"""Reading JSON files the way users produce them, with one clear line for every way that can go wrong.

A file may hold one JSON value or several written one after another (``aws ... --no-paginate`` pages appended to
one file). Text must be UTF-8 (a UTF-8 byte-order mark is fine: editors on Windows add one, and it cannot be
mistaken for content); UTF-16 with a byte-order mark, as Windows PowerShell's ``>`` writes it, is read too. UTF-16
without a byte-order mark, compressed files, and anything that is not a regular file (a folder, a pipe, a device)
are refused with a line that says what the file is.

Strict JSON only: ``NaN`` and ``Infinity`` (which Python's json module would accept) are refused, and so are
duplicate keys in one object. IAM documents are security decisions; a parser that silently keeps the last of two
``"Statement"`` or ``"Effect"`` keys may show a different policy from the one another tool (or AWS) reads, so the
error names the object's JSON path and the key instead.
"""

from __future__ import annotations

import gc
import json
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from iamviz.errors import InputError

_WHITESPACE = re.compile(r"[ \t\n\r]*")


@contextmanager
def collector_paused(*, survivors_are_old: bool = False) -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a file is decoded and parsed, and restore it after.

    Decoding and parsing allocate millions of objects that all stay alive; the collector's full collections would
    walk the whole heap (the decoded JSON included) again and again, for no garbage: more than half the decode time
    of a 20,000-role account, about half the parse time of a 5,000-role one. Reference counting still frees
    everything as usual. A collector already paused by the caller stays paused.

    With ``survivors_are_old``, when the block ends without an exception, what it left alive (the snapshot and its
    JSON) goes straight to the oldest generation instead of waiting there in the youngest: the first allocation
    after the collector is back would otherwise walk every one of them in a young collection (a fifth of the load
    time of a 1,000-role file), and a middle-generation collection would walk them again, only to find them alive.
    They are still walked by full collections, as every old object is, so a cycle among them is still collected
    (``gc.freeze()`` then ``gc.unfreeze()``: the way CPython offers to move objects to the oldest generation; skipped
    when something else has frozen objects, which the unfreeze would thaw).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if was_enabled and survivors_are_old and not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
    finally:
        if was_enabled:
            gc.enable()


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


def printable(text: str, limit: int = 60) -> str:
    """``text`` fit for a one-line message: control characters escaped, cut to about ``limit`` characters."""
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _file_error(exc: OSError, name: str) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError("no such file", file=name)
    if isinstance(exc, PermissionError):
        return InputError("cannot read the file (permission denied)", file=name)
    if isinstance(exc, IsADirectoryError):
        return InputError("is a folder, not a file", file=name)
    return InputError(f"cannot read the file ({exc.strerror or exc})", file=name)


def read_text(path: Path) -> str:
    """Read ``path`` as text; raise :class:`InputError` naming the file when it cannot be read or decoded."""
    name = str(path)
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise InputError("is a folder, not a file", file=name)
        if not stat.S_ISREG(mode):  # a FIFO would block forever, a device never end
            raise InputError("is not a regular file (a pipe, socket or device); save the JSON to a file", file=name)
        data = path.read_bytes()
    except OSError as exc:
        raise _file_error(exc, name) from None
    return decode_bytes(data, file=name)


_SIGNATURES = (
    (b"\x1f\x8b", "is gzip-compressed, not JSON text; decompress it first (gunzip)"),
    (b"PK\x03\x04", "is a zip archive, not JSON text; extract the JSON file from it first"),
    (b"\x28\xb5\x2f\xfd", "is zstd-compressed, not JSON text; decompress it first"),
)


def decode_bytes(data: bytes, *, file: str | None = None) -> str:
    """Decode file bytes: UTF-8 (with or without BOM), or UTF-16 when a UTF-16 byte-order mark says so."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("not valid UTF-16 text despite its byte-order mark", file=file) from None
    for signature, message in _SIGNATURES:
        if data.startswith(signature):
            raise InputError(message, file=file)
    if len(data) >= 4 and b"\x00" in data[:4] and (data[1] == data[3] == 0 or data[0] == data[2] == 0):
        raise InputError("looks like UTF-16 text without a byte-order mark; save it as UTF-8", file=file)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}, line {line}); save it as UTF-8 JSON",
            file=file,
        ) from None


class _NotJson(Exception):
    """Raised from inside the decoder on ``NaN``/``Infinity``: strict JSON has neither."""


class _Duplicates(dict):
    """An object that held a key twice (the decoder keeps the last; :func:`parse_json_values` refuses it)."""

    __slots__ = ("duplicate",)


def _refuse_constant(name: str) -> Any:
    raise _NotJson(name)


def _decoder(flags: list[bool]) -> json.JSONDecoder:
    """A strict decoder; ``flags`` gets an entry when an object held a duplicate key (so the tree is searched)."""

    def parse_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        seen: set[str] = set()
        marked = _Duplicates(result)
        marked.duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        flags.append(True)
        return marked

    return json.JSONDecoder(parse_constant=_refuse_constant, object_pairs_hook=parse_object)


def _line_column(text: str, literal: str, start: int) -> tuple[int, int]:
    """Where ``literal`` first occurs outside a string from ``start`` on (1-based line and column)."""
    in_string = escaped = False
    position = start
    for position in range(start, len(text)):
        char = text[position]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif text.startswith(literal, position) and not (literal[0] != "-" and text[position - 1 : position] == "-"):
            break
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _find_duplicate(value: Any, path: str) -> tuple[str, str] | None:
    """The JSON path of the first object holding a duplicate key, and that key."""
    stack = [(value, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            if isinstance(current, _Duplicates):
                return where, current.duplicate
            stack.extend((v, f"{where}.{k}") for k, v in reversed(current.items()))
        elif isinstance(current, list):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(current))))
    return None


def parse_json_values(text: str, *, file: str | None = None) -> list[Any]:
    """Parse one JSON value, or several written one after another; raise :class:`InputError` with line/column.

    Raises:
        InputError: invalid or non-strict JSON (``NaN``, ``Infinity``, a duplicate key), or no value at all.
    """
    values: list[Any] = []
    duplicates: list[bool] = []
    decoder = _decoder(duplicates)
    end = len(text)
    position = _WHITESPACE.match(text, 0).end()  # type: ignore[union-attr]
    while position < end:
        try:
            value, next_position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            reason = exc.msg.removesuffix(" at")  # "Invalid control character at" reads badly without its position
            raise InputError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {reason}", file=file) from None
        except _NotJson as exc:
            line, column = _line_column(text, str(exc), position)
            raise InputError(
                f"invalid JSON at line {line} column {column}: {exc} is not JSON (write a number, or null)", file=file
            ) from None
        except RecursionError:
            raise InputError("JSON nested too deeply to read", file=file) from None
        values.append(value)
        position = _WHITESPACE.match(text, next_position).end()  # type: ignore[union-attr]
    if not values:
        raise InputError("the file is empty", file=file)
    for i, value in enumerate(values if duplicates else ()):
        found = _find_duplicate(value, f"$[{i}]" if len(values) > 1 else "$")
        if found is not None:
            where, key = found
            raise InputError(
                f"duplicate key {printable(key)!r} in one object: which one counts is ambiguous; keep one",
                file=file,
                path=where,
            )
    return values


def read_json_values(path: Path) -> list[Any]:
    """Read every JSON value in the file at ``path``."""
    return parse_json_values(read_text(path), file=str(path))
