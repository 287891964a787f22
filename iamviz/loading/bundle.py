"""iamviz snapshot bundles: versioned JSON holding one or more accounts (format in CONTRACTS.md).

Version 1::

    {"format": "iamviz-snapshot", "version": 1, "generator": "iamviz 0.1.0", "created_at": "...",
     "title": "...", "description": "...", "teaching": {...},
     "accounts": [{"account_id", "alias", "captured_at", "source", "authorization_details",
                   "saml_providers", "oidc_providers", "organization", "gaps"}]}

Unknown keys are ignored. ``version`` may be ``1`` or a ``"1.x"`` string: any minor revision of major 1 is read;
any other major version is refused with :class:`~iamviz.errors.SnapshotVersionError`. Bundles are written
atomically (a temporary file in the same folder, then :func:`os.replace`) and only hold what the model holds:
never a credential.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from iamviz import __version__
from iamviz.errors import InputError, SnapshotVersionError
from iamviz.loading._files import read_json_values, type_name
from iamviz.loading.gaad import GAAD_LISTS, _Fields, account_from_details
from iamviz.model import Account, OidcProvider, Organization, SamlProvider, Snapshot
from iamviz.model.policy import is_account_id

FORMAT = "iamviz-snapshot"
VERSION = 1


def utc_now() -> str:
    """The current time as ``2026-11-28T12:00:00Z``."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def is_bundle(value: Any) -> bool:
    """Whether ``value`` claims to be a bundle (it has a ``format`` key; :func:`parse_bundle` checks the rest)."""
    return isinstance(value, dict) and "format" in value


def _major_version(data: dict[str, Any]) -> int:
    if "version" not in data or data["version"] is None:
        raise InputError("the bundle has no version", path="$.version")
    raw = data["version"]
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        head = raw.split(".", 1)[0].strip()
        if head.isdigit():
            return int(head)
    raise InputError(f"version must be a number such as 1, not {raw!r}", path="$.version")


def _saml(fields: _Fields) -> SamlProvider:
    return SamlProvider(
        arn=fields.string("arn", required=True) or "",
        valid_until=fields.string("valid_until"),
        create_date=fields.string("create_date"),
    )


def _oidc(fields: _Fields) -> OidcProvider:
    arn = fields.string("arn", required=True) or ""
    url = fields.string("url") or arn.split(":oidc-provider/", 1)[-1]
    if not url.startswith(("https://", "http://")):
        url = f"https://{url}"
    return OidcProvider(
        arn=arn,
        url=url,
        client_ids=fields.strings("client_ids"),
        thumbprints=fields.strings("thumbprints"),
        create_date=fields.string("create_date"),
    )


def _organization(fields: _Fields | None) -> Organization | None:
    if fields is None:
        return None
    return Organization(
        id=fields.string("id", required=True) or "",
        management_account_id=fields.string("management_account_id"),
        account_ids=fields.strings("account_ids"),
    )


def _parse_account(fields: _Fields, warnings: list[str]) -> Account:
    account_id = fields.string("account_id", required=True) or ""
    if not is_account_id(account_id):
        raise InputError(f"account_id must be 12 digits, not {account_id!r}", path=fields.at("account_id"))
    details = fields.raw.get("authorization_details")
    if details is not None and not isinstance(details, (dict, list)):
        raise InputError(
            f"authorization_details must be an object, not {type_name(details)}",
            path=fields.at("authorization_details"),
        )
    return account_from_details(
        details,
        account_id=account_id,
        path=fields.at("authorization_details"),
        warnings=warnings,
        alias=fields.string("alias"),
        captured_at=fields.string("captured_at"),
        source=fields.string("source") or "",
        saml_providers=[_saml(item) for item in fields.objects("saml_providers")],
        oidc_providers=[_oidc(item) for item in fields.objects("oidc_providers")],
        organization=_organization(fields.object("organization")),
        gaps=fields.strings("gaps"),
    )


def parse_bundle(data: Any, *, file: str | None = None) -> Snapshot:
    """Turn the JSON value of a bundle into a :class:`Snapshot`.

    Raises:
        SnapshotVersionError: the bundle's major version is not one this iamviz reads.
        InputError: anything else of the wrong shape (the message names the JSON path).
    """
    try:
        top = _Fields(data, "$")
        fmt = top.raw.get("format")
        if fmt != FORMAT:
            raise InputError(f"format is {fmt!r}, not {FORMAT!r}: not an iamviz snapshot bundle", path="$.format")
        major = _major_version(top.raw)
        if major != VERSION:
            raise SnapshotVersionError(
                f"bundle version {top.raw['version']!r} cannot be read by iamviz {__version__}, which reads version "
                f"{VERSION}" + ("; update iamviz" if major > VERSION else ""),
                path="$.version",
            )
        if "accounts" not in top.raw:
            raise InputError("the bundle has no accounts list", path="$.accounts")
        warnings: list[str] = []
        accounts: list[Account] = []
        seen: set[str] = set()
        for item in top.objects("accounts"):
            account = _parse_account(item, warnings)
            if account.account_id in seen:
                raise InputError(f"account {account.account_id} appears twice", path=item.at("account_id"))
            seen.add(account.account_id)
            accounts.append(account)
        if not accounts:
            raise InputError("the bundle holds no accounts", path="$.accounts")
        prefix = f"{file}: " if file else ""
        return Snapshot(
            accounts=tuple(accounts),
            warnings=tuple(prefix + w for w in warnings),
            title=top.string("title"),
            description=top.string("description"),
            teaching=data["teaching"] if isinstance(data.get("teaching"), dict) else {},
        )
    except InputError as exc:
        raise exc.with_file(file) if file and not exc.file else exc from None


def read_bundle_data(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The raw JSON object of the bundle at ``path`` (checked to be a bundle of a readable version, not parsed)."""
    path = Path(path)
    values = read_json_values(path)
    data = values[0]
    if len(values) != 1 or not is_bundle(data):
        raise InputError("not an iamviz snapshot bundle", file=str(path), path="$")
    if data.get("format") != FORMAT:
        raise InputError(f"format is {data.get('format')!r}, not {FORMAT!r}", file=str(path), path="$.format")
    return data


def read_bundle(path: str | os.PathLike[str]) -> Snapshot:
    """Read the bundle at ``path``.

    Raises:
        SnapshotVersionError: an unknown major version.
        InputError: a file that cannot be read or is not a bundle.
    """
    path = Path(path)
    values = read_json_values(path)
    if len(values) != 1:
        raise InputError("holds several JSON values; a bundle is one object", file=str(path), path="$")
    return parse_bundle(values[0], file=str(path))


def _document(document: Any) -> Any:
    try:
        return json.loads(document.text)
    except (ValueError, TypeError):
        return {}


def details_from_account(account: Account) -> dict[str, list[dict[str, Any]]]:
    """GAAD-shaped authorization details rebuilt from the model (for accounts built in code, not loaded)."""

    def inline(policies: Any) -> list[dict[str, Any]]:
        return [{"PolicyName": p.name, "PolicyDocument": _document(p.document)} for p in policies]

    def attached(arns: Any) -> list[dict[str, str]]:
        return [{"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn} for arn in arns]

    def boundary(arn: str | None) -> dict[str, Any]:
        if not arn:
            return {}
        return {"PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}}

    def optional(**values: Any) -> dict[str, Any]:
        return {key: value for key, value in values.items() if value is not None}

    users = [
        {
            "Path": u.path,
            "UserName": u.name,
            "Arn": u.arn,
            **optional(UserId=u.user_id, CreateDate=u.create_date),
            "UserPolicyList": inline(u.inline_policies),
            "GroupList": list(u.group_names),
            "AttachedManagedPolicies": attached(u.managed_policy_arns),
            **boundary(u.permissions_boundary_arn),
            "Tags": [{"Key": t.key, "Value": t.value} for t in u.tags],
        }
        for u in account.users
    ]
    groups = [
        {
            "Path": g.path,
            "GroupName": g.name,
            "Arn": g.arn,
            **optional(GroupId=g.group_id, CreateDate=g.create_date),
            "GroupPolicyList": inline(g.inline_policies),
            "AttachedManagedPolicies": attached(g.managed_policy_arns),
        }
        for g in account.groups
    ]
    roles = []
    for r in account.roles:
        entry: dict[str, Any] = {
            "Path": r.path,
            "RoleName": r.name,
            "Arn": r.arn,
            **optional(RoleId=r.role_id, CreateDate=r.create_date),
            "AssumeRolePolicyDocument": _document(r.trust_policy),
            "RolePolicyList": inline(r.inline_policies),
            "AttachedManagedPolicies": attached(r.managed_policy_arns),
            **boundary(r.permissions_boundary_arn),
            "Tags": [{"Key": t.key, "Value": t.value} for t in r.tags],
            **optional(MaxSessionDuration=r.max_session_duration, Description=r.description),
        }
        if r.last_used is not None:
            entry["RoleLastUsed"] = optional(LastUsedDate=r.last_used or None, Region=r.last_used_region)
        roles.append(entry)
    policies = [
        {
            "PolicyName": p.name,
            "Arn": p.arn,
            "Path": p.path,
            **optional(
                PolicyId=p.policy_id,
                AttachmentCount=p.attachment_count,
                Description=p.description,
            ),
            "DefaultVersionId": p.default_version_id or "v1",
            "PolicyVersionList": [
                {"Document": _document(p.document), "VersionId": p.default_version_id or "v1", "IsDefaultVersion": True}
            ],
        }
        for p in account.managed_policies
    ]
    return {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies}


def _account_data(account: Account) -> dict[str, Any]:
    details = account.authorization_details
    if not any(details.get(key) for key in GAAD_LISTS):
        details = details_from_account(account)
    else:
        details = {key: list(details.get(key) or []) for key in GAAD_LISTS}
    return account_entry(
        account_id=account.account_id,
        alias=account.alias,
        captured_at=account.captured_at,
        source=account.source,
        details=details,
        saml_providers=account.saml_providers,
        oidc_providers=account.oidc_providers,
        organization=account.organization,
        gaps=account.gaps,
    )


def account_entry(
    *,
    account_id: str,
    alias: str | None,
    captured_at: str,
    source: str,
    details: dict[str, Any],
    saml_providers: Iterable[SamlProvider],
    oidc_providers: Iterable[OidcProvider],
    organization: Organization | None,
    gaps: Iterable[str],
) -> dict[str, Any]:
    """One account of a bundle's ``accounts`` list (format version 1), from the model's parts."""
    return {
        "account_id": account_id,
        "alias": alias,
        "captured_at": captured_at,
        "source": source,
        "authorization_details": details,
        "saml_providers": [
            {"arn": p.arn, "valid_until": p.valid_until, "create_date": p.create_date} for p in saml_providers
        ],
        "oidc_providers": [
            {
                "arn": p.arn,
                "url": p.url,
                "client_ids": list(p.client_ids),
                "thumbprints": list(p.thumbprints),
                "create_date": p.create_date,
            }
            for p in oidc_providers
        ],
        "organization": None
        if organization is None
        else {
            "id": organization.id,
            "management_account_id": organization.management_account_id,
            "account_ids": list(organization.account_ids),
        },
        "gaps": list(gaps),
    }


def bundle_data(snapshot: Snapshot, *, teaching: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON object of a version-1 bundle holding ``snapshot`` (``teaching`` defaults to the snapshot's own)."""
    teaching = snapshot.teaching if teaching is None else teaching
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "generator": f"iamviz {__version__}",
        "created_at": utc_now(),
    }
    if snapshot.title:
        data["title"] = snapshot.title
    if snapshot.description:
        data["description"] = snapshot.description
    if teaching:
        data["teaching"] = teaching
    data["accounts"] = [_account_data(account) for account in snapshot.accounts]
    return data


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder; on failure nothing is left behind.

    Raises:
        InputError: the folder does not exist or cannot be written, or ``path`` is a folder.
    """
    atomic_write_chunks(path, (text,))


def atomic_write_chunks(path: str | os.PathLike[str], chunks: Iterable[str]) -> None:
    """Write ``chunks`` one after another to ``path`` as :func:`atomic_write_text` writes a text (a large output
    is written as it is made, never held whole); on failure, or an exception from ``chunks``, nothing is left.

    Raises:
        InputError: the folder does not exist or cannot be written, or ``path`` is a folder.
    """
    target = Path(path)
    name = str(target)
    if target.is_dir():
        raise InputError("is a folder, not a file", file=name)
    folder = target.parent
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise InputError(f"cannot write: the folder {str(folder)!r} does not exist", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror or exc})", file=name) from None
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.writelines(chunks)
            stream.flush()
            os.fsync(stream.fileno())
        temp.replace(target)
    except OSError as exc:
        with suppress(OSError):
            temp.unlink()
        raise InputError(f"cannot write ({exc.strerror or exc})", file=name) from None
    except BaseException:
        with suppress(OSError):
            temp.unlink()
        raise


def write_bundle(snapshot: Snapshot, path: str | os.PathLike[str], *, teaching: dict[str, Any] | None = None) -> None:
    """Write ``snapshot`` as a version-1 bundle at ``path``, atomically (the file is readable by its owner only).

    Raises:
        InputError: the file cannot be written.
    """
    text = json.dumps(bundle_data(snapshot, teaching=teaching), indent=2, ensure_ascii=False, default=str) + "\n"
    atomic_write_text(path, text)
