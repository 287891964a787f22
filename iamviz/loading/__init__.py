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
from iamviz.loading._files import collector_paused, printable, read_json_values, type_name
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
_READS = "iamviz reads `aws iam get-account-authorization-details` output or an iamviz snapshot bundle"

#: Files people often pick by mistake, recognised by a top-level key: what to tell them.
FOREIGN_SHAPES: tuple[tuple[str, str], ...] = (
    ("Roles", "this is `aws iam list-roles` output, which lacks the roles' policies"),
    ("Users", "this is `aws iam list-users` output, which lacks the users' groups and policies"),
    ("Groups", "this is `aws iam list-groups` output, which lacks the groups' members and policies"),
    ("Role", "this is `aws iam get-role` output: one role, without its permissions"),
    ("User", "this is `aws iam get-user` output: one user, without its permissions"),
    ("AWSTemplateFormatVersion", "this is a CloudFormation template, not a capture of an account"),
    ("Resources", "this looks like a CloudFormation template, not a capture of an account"),
    ("Statement", "this is a single IAM policy document, not a capture of an account"),
    ("terraform_version", "this is a Terraform state file, not a capture of an account"),
)

#: Largest message and JSON path an error line shows (a 10 MB string in a file must not become a 10 MB line).
MAX_MESSAGE = 400
MAX_PATH = 200


def _foreign(value: dict[str, Any]) -> InputError:
    for key, hint in FOREIGN_SHAPES:
        if key in value:
            return InputError(f"{hint}; {_READS}", path="$")
    keys = ", ".join(printable(str(k), 40) for k in sorted(value, key=str)[:6]) or "none"
    return InputError(f"{_NOT_RECOGNISED} (top-level keys: {keys})", path="$")


def _not_a_page(value: Any, path: str, what: str) -> InputError:
    if is_bundle(value):
        return InputError("a bundle must be the only JSON value in its file (one object, not a list)", path=path)
    return InputError(f"{what} ({type_name(value)})", path=path)


def clip(error: InputError) -> InputError:
    """``error`` with its message and JSON path cut to a readable length (huge keys and values stay in the file)."""
    message, path = error.message, error.path
    if len(message) <= MAX_MESSAGE and (path is None or len(path) <= MAX_PATH):
        return error
    clone = type(error).__new__(type(error))
    if path is not None and len(path) > MAX_PATH:
        path = f"{path[: MAX_PATH // 2]}…{path[-MAX_PATH // 2 :]}"
    if len(message) > MAX_MESSAGE:
        message = f"{message[: MAX_MESSAGE - 1]}…"
    InputError.__init__(clone, message, file=error.file, path=path)
    return clone


def _pages(values: list[Any]) -> list[tuple[str, Any]]:
    if len(values) > 1:
        for i, value in enumerate(values):
            if is_bundle(value):
                raise _not_a_page(value, f"$[{i}]", "")
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
                raise _not_a_page(page, f"$[{i}]", "not a get-account-authorization-details page")
        return [(f"$[{i}]", page) for i, page in enumerate(value)]
    if isinstance(value, dict):
        raise _foreign(value)
    raise InputError(f"{_NOT_RECOGNISED}: expected a JSON object, not {type_name(value)}", path="$")


def load_file(path: str | os.PathLike[str]) -> Snapshot:
    """Load one file: a GAAD export (one account per account ID in its ARNs) or a bundle.

    Raises:
        InputError: the file cannot be read or is of the wrong shape (names the file and the JSON path).
    """
    path = Path(path)
    with collector_paused(survivors_are_old=True):  # the collector's passes over a large file cost more than decoding
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
            try:
                snapshot = load_source(name)
            except InputError as exc:
                raise clip(exc) from None
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
