"""Loading: every source of account data becomes one :class:`~iamviz.model.Snapshot`.

Sources are files (``aws iam get-account-authorization-details`` output, see :mod:`iamviz.loading.gaad`, or iamviz
snapshot bundles, see :mod:`iamviz.loading.bundle`), built-in samples (``sample:NAME``, see
:mod:`iamviz.loading.samples`) and live AWS accounts (:mod:`iamviz.loading.live`, the only module that imports
boto3; import it explicitly).

Several sources give several accounts. The same account ID from two sources is refused: the second source gets an
:class:`~iamviz.errors.InputError` naming the first (the trust graph is keyed by ARN, so two captures of one account
cannot be shown side by side; compare them in two windows instead).

For pages written one after another into one file, a JSON path ``$[1]`` names the second JSON value of the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iamviz.errors import InputError
from iamviz.loading._files import read_json_values, type_name
from iamviz.loading.bundle import is_bundle, parse_bundle, read_bundle, write_bundle
from iamviz.loading.gaad import accounts_from_pages, is_gaad_page
from iamviz.loading.samples import DEFAULT_SAMPLE, load_sample
from iamviz.model import Account, Snapshot

SAMPLE_PREFIX = "sample:"

__all__ = [
    "SAMPLE_PREFIX",
    "LoadResult",
    "load_file",
    "load_paths",
    "load_sources",
    "read_bundle",
    "snapshot_from_json",
    "write_bundle",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadResult:
    """What :func:`load_paths` could load, and the error of every source it could not."""

    snapshot: Snapshot
    errors: tuple[InputError, ...] = ()


_NOT_RECOGNISED = "neither get-account-authorization-details output nor an iamviz snapshot bundle"


def _pages(values: list[Any]) -> list[tuple[str, Any]]:
    if len(values) > 1:
        for i, value in enumerate(values):
            if not is_gaad_page(value):
                raise InputError(
                    f"JSON value {i + 1} of {len(values)} is not a get-account-authorization-details page "
                    f"({type_name(value)})",
                    path=f"$[{i}]",
                )
        return [(f"$[{i}]", value) for i, value in enumerate(values)]
    value = values[0]
    if is_gaad_page(value):
        return [("$", value)]
    if isinstance(value, list):
        if not value:
            raise InputError(f"an empty list: {_NOT_RECOGNISED}", path="$")
        for i, page in enumerate(value):
            if not is_gaad_page(page):
                raise InputError(f"not a get-account-authorization-details page ({type_name(page)})", path=f"$[{i}]")
        return [(f"$[{i}]", page) for i, page in enumerate(value)]
    if isinstance(value, dict):
        keys = ", ".join(sorted(str(k) for k in value)[:6]) or "none"
        raise InputError(f"{_NOT_RECOGNISED} (top-level keys: {keys})", path="$")
    raise InputError(f"{_NOT_RECOGNISED}: expected a JSON object, not {type_name(value)}", path="$")


def load_file(path: str | os.PathLike[str]) -> Snapshot:
    """Load one file: a GAAD export (one account per account ID in its ARNs) or a bundle.

    Raises:
        InputError: the file cannot be read or is of the wrong shape (names the file and the JSON path).
    """
    path = Path(path)
    return snapshot_from_json(read_json_values(path), name=str(path), source=f"file:{path.name}")


def snapshot_from_json(values: list[Any], *, name: str, source: str = "") -> Snapshot:
    """The snapshot held by the JSON values of one file (one value, or GAAD pages one after another).

    Raises:
        InputError: the values are neither GAAD output nor a bundle, or are of the wrong shape.
    """
    if len(values) == 1 and is_bundle(values[0]):
        return parse_bundle(values[0], file=name)
    try:
        warnings: list[str] = []
        accounts = accounts_from_pages(_pages(values), source=source, warnings=warnings)
    except InputError as exc:
        raise (exc if exc.file else exc.with_file(name)) from None
    return Snapshot(accounts=accounts, warnings=tuple(f"{name}: {w}" for w in warnings))


def load_source(source: str | os.PathLike[str]) -> Snapshot:
    """Load one source: ``sample:NAME`` or a file path."""
    text = os.fspath(source)
    if isinstance(text, str) and text.startswith(SAMPLE_PREFIX):
        return load_sample(text[len(SAMPLE_PREFIX) :] or DEFAULT_SAMPLE)
    return load_file(text)


def _load(sources: Iterable[str | os.PathLike[str]], *, keep_going: bool) -> LoadResult:
    names = [os.fspath(s) for s in sources] or [f"{SAMPLE_PREFIX}{DEFAULT_SAMPLE}"]
    accounts: list[Account] = []
    origin: dict[str, str] = {}
    warnings: list[str] = []
    errors: list[InputError] = []
    loaded: list[Snapshot] = []
    for name in names:
        try:
            snapshot = load_source(name)
            for account in snapshot.accounts:
                if account.account_id in origin:
                    raise InputError(
                        f"account {account.account_id} is already loaded from {origin[account.account_id]}; "
                        "load one snapshot per account",
                        file=str(name),
                    )
        except InputError as exc:
            if not keep_going:
                raise
            errors.append(exc)
            continue
        loaded.append(snapshot)
        for account in snapshot.accounts:
            origin[account.account_id] = str(name)
            accounts.append(account)
        warnings.extend(snapshot.warnings)
    single = loaded[0] if len(loaded) == 1 and len(names) == 1 else None
    snapshot = Snapshot(
        accounts=tuple(accounts),
        warnings=tuple(warnings),
        title=single.title if single else None,
        description=single.description if single else None,
        teaching=single.teaching if single else {},
    )
    return LoadResult(snapshot=snapshot, errors=tuple(errors))


def load_sources(sources: Iterable[str | os.PathLike[str]]) -> Snapshot:
    """Load every source into one snapshot; no source means the classroom sample.

    Raises:
        InputError: on the first source that cannot be loaded.
    """
    return _load(sources, keep_going=False).snapshot


def load_paths(paths: Iterable[str | os.PathLike[str]]) -> LoadResult:
    """Load every source it can; the others' errors are collected in :attr:`LoadResult.errors`."""
    return _load(paths, keep_going=True)
