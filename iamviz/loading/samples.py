"""The built-in sample accounts: every bundle in :func:`iamviz._paths.samples_dir` (name = file stem).

The classroom sample (``classroom``) combines every use case of the seed lesson across two accounts; the GUI and
the CLI open it when given no source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iamviz._paths import samples_dir
from iamviz.errors import InputError
from iamviz.loading.bundle import read_bundle, read_bundle_data
from iamviz.model import Snapshot

DEFAULT_SAMPLE = "classroom"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class SampleInfo:
    """One built-in sample: its name (the file stem), title and description (from the bundle), and file."""

    name: str
    title: str
    description: str
    path: Path


def _folder() -> Path:
    try:
        return samples_dir()
    except FileNotFoundError as exc:
        raise InputError(str(exc)) from None


def list_samples() -> list[SampleInfo]:
    """Every readable sample bundle, sorted by name (files that are not bundles are left out)."""
    samples = []
    for path in sorted(_folder().glob("*.json")):
        try:
            data = read_bundle_data(path)
        except InputError:
            continue
        title = data.get("title") if isinstance(data.get("title"), str) else None
        description = data.get("description") if isinstance(data.get("description"), str) else None
        samples.append(SampleInfo(name=path.stem, title=title or path.stem, description=description or "", path=path))
    return samples


def sample_path(name: str) -> Path:
    """The file of the sample called ``name``.

    Raises:
        InputError: no such sample (the message lists those that exist).
    """
    path = _folder() / f"{name}.json"
    if not _NAME.match(name) or not path.is_file():
        available = ", ".join(sorted(p.stem for p in _folder().glob("*.json"))) or "none"
        raise InputError(f"no built-in sample named {name!r} (available: {available})")
    return path


def load_sample(name: str = DEFAULT_SAMPLE) -> Snapshot:
    """Load the built-in sample ``name``."""
    return read_bundle(sample_path(name))


def sample_teaching(name: str = DEFAULT_SAMPLE) -> dict[str, Any]:
    """The sample's ``teaching`` block (intended findings, facts); ``{}`` when it has none."""
    path = sample_path(name)
    teaching = read_bundle_data(path).get("teaching")
    if teaching is None:
        return {}
    if not isinstance(teaching, dict):
        raise InputError("teaching must be an object", file=str(path), path="$.teaching")
    return teaching
