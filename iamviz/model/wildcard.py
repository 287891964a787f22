"""IAM wildcard matching: ``*`` is any run of characters, ``?`` is any one character; nothing else is special.

Patterns are compiled to escaped regular expressions (never ``replace("*", ".*")``) and cached.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=4096)
def _compile(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    flags = re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE
    return re.compile("".join(parts), flags)


def wildcard_match(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """Whether ``value`` matches the IAM wildcard ``pattern`` as a whole.

    >>> wildcard_match("sts:Assume*", "sts:AssumeRole")
    True
    >>> wildcard_match("repo:org/?", "repo:org/ab")
    False
    """
    if "*" not in pattern and "?" not in pattern:
        return pattern == value if case_sensitive else pattern.lower() == value.lower()
    return _compile(pattern, case_sensitive).fullmatch(value) is not None


def has_wildcard(text: str) -> bool:
    """Whether ``text`` holds an IAM wildcard character."""
    return "*" in text or "?" in text
