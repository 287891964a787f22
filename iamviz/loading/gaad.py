"""``aws iam get-account-authorization-details`` output (GAAD) into :mod:`iamviz.model` objects.

Accepted, as the CLI, boto3 and the raw API produce it:

* policy documents as JSON objects, JSON strings, or URL-encoded JSON strings;
* one page, pages written one after another into one file, a JSON list of pages, or pages already merged;
* any of ``UserDetailList``, ``GroupDetailList``, ``RoleDetailList``, ``Policies`` missing or ``null``;
* ``RoleLastUsed`` missing (unknown: ``last_used=None``) or ``{}`` (never used: ``last_used=""``);
* ``MaxSessionDuration`` and ``Description`` of a role, which GAAD gives only under ``InstanceProfileList[].Roles[]``.

Only the default version of a managed policy (``IsDefaultVersion``, else ``DefaultVersionId``) is kept: it is the
only one in force. The account ID comes from the ARNs of users, groups, roles and customer-managed policies (never
from ``arn:aws:iam::aws:policy/...``). A file whose ARNs name several accounts becomes several accounts, each with
the AWS-managed policies, and a warning says so.

Every error is an :class:`~iamviz.errors.InputError` whose ``path`` is the JSON path inside the input
(``$.RoleDetailList[3].AssumeRolePolicyDocument.Statement[0].Principal``); the caller adds the file name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from iamviz.errors import InputError, PolicyError
from iamviz.loading._files import collector_paused, parse_json_values, type_name
from iamviz.model import (
    Account,
    Arn,
    Group,
    InlinePolicy,
    ManagedPolicy,
    OidcProvider,
    Organization,
    PolicyDocument,
    Role,
    SamlProvider,
    Tag,
    User,
    parse_policy_document,
)
from iamviz.model.fast import fast_constructor
from iamviz.model.policy import try_parse_policy_document

USERS = "UserDetailList"
GROUPS = "GroupDetailList"
ROLES = "RoleDetailList"
POLICIES = "Policies"
GAAD_LISTS = (USERS, GROUPS, ROLES, POLICIES)
_PAGE_ONLY_KEYS = ("IsTruncated", "Marker")

AWS_MANAGED = "aws"

#: Recorded in :attr:`Account.gaps` for accounts read from a bare GAAD export.
GAAD_FILE_GAPS = ("SAML and OIDC providers (not part of a get-account-authorization-details export)",)


def is_gaad_page(value: Any) -> bool:
    """Whether ``value`` looks like one page of get-account-authorization-details output."""
    return isinstance(value, dict) and any(key in value for key in (*GAAD_LISTS, *_PAGE_ONLY_KEYS))


class _Fields:
    """Typed access to one JSON object, raising :class:`InputError` at the field's JSON path."""

    __slots__ = ("path", "raw")

    def __init__(self, raw: Any, path: str) -> None:
        if not isinstance(raw, dict):
            raise InputError(f"expected an object, not {type_name(raw)}", path=path)
        self.raw = raw
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}"

    def string(self, key: str, *, required: bool = False) -> str | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                raise InputError(f"{key} is missing", path=self.at(key))
            return None
        if not isinstance(value, str):
            raise InputError(f"{key} must be a string, not {type_name(value)}", path=self.at(key))
        return value

    def integer(self, key: str) -> int | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"{key} must be a whole number, not {type_name(value)}", path=self.at(key))
        return value

    def boolean(self, key: str) -> bool | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise InputError(f"{key} must be true or false, not {type_name(value)}", path=self.at(key))
        return value

    def object(self, key: str) -> _Fields | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise InputError(f"{key} must be an object, not {type_name(value)}", path=self.at(key))
        return _Fields(value, self.at(key))

    def objects(self, key: str) -> list[_Fields]:
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise InputError(f"{key} must be a list, not {type_name(value)}", path=self.at(key))
        return [_Fields(item, f"{self.at(key)}[{i}]") for i, item in enumerate(value)]

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.raw.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise InputError(f"{key} must be a list of strings, not {type_name(value)}", path=self.at(key))
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise InputError(f"expected a string, not {type_name(item)}", path=f"{self.at(key)}[{i}]")
        return tuple(value)

    def arn(self, key: str = "Arn") -> Arn:
        text = self.string(key, required=True)
        assert text is not None
        arn = Arn.try_parse(text)
        if arn is None:
            raise InputError(f"{key} is not an ARN: {text[:200]!r}", path=self.at(key))
        return arn

    def document(self, key: str) -> PolicyDocument:
        if self.raw.get(key) is None:
            raise InputError(f"{key} is missing", path=self.at(key))
        return parse_policy_document(strict_document(self.raw[key], path=self.at(key)), path=self.at(key))


def strict_document(raw: Any, *, path: str) -> Any:
    """A policy document given as a (URL-encoded) JSON string, decoded as strictly as files are.

    The model's own decoding keeps the last of duplicate keys and accepts ``NaN``: a string document with
    ``"Effect": "Deny", "Effect": "Allow"`` would read as Allow. Strings are decoded here first, with the file
    reader's rules (duplicate keys and ``NaN``/``Infinity`` refused, at their JSON path); objects and anything that
    is not a JSON object pass through for :func:`~iamviz.model.parse_policy_document` to judge.

    Raises:
        PolicyError: the string is not strict JSON.
    """
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if text.startswith(("%7B", "%7b")) or ("%22" in text and not text.startswith("{")):
        text = unquote(text)  # the same test as iamviz.model.policy.decode_document
    try:
        values = parse_json_values(text)
    except InputError as exc:
        if exc.path is not None:  # a duplicate key: say where inside the document
            raise PolicyError(exc.message, path=path + exc.path[1:]) from None
        raise PolicyError(f"policy document is not valid JSON ({exc.message})", path=path) from None
    if len(values) != 1:
        raise PolicyError(f"policy document is not valid JSON (it holds {len(values)} JSON values)", path=path)
    return values[0] if isinstance(values[0], dict) else raw


def _inline_policies(fields: _Fields, key: str) -> tuple[InlinePolicy, ...]:
    result = []
    for item in fields.objects(key):
        name = item.string("PolicyName", required=True)
        assert name is not None
        result.append(InlinePolicy(name=name, document=item.document("PolicyDocument")))
    return tuple(result)


def _attached(fields: _Fields) -> tuple[str, ...]:
    arns = []
    for item in fields.objects("AttachedManagedPolicies"):
        arn = item.string("PolicyArn", required=True)
        assert arn is not None
        arns.append(arn)
    return tuple(arns)


def _boundary(fields: _Fields) -> str | None:
    boundary = fields.object("PermissionsBoundary")
    return boundary.string("PermissionsBoundaryArn") if boundary else None


def _tags(fields: _Fields) -> tuple[Tag, ...]:
    tags = []
    for item in fields.objects("Tags"):
        key = item.string("Key", required=True)
        assert key is not None
        tags.append(Tag(key=key, value=item.string("Value") or ""))
    return tuple(tags)


def _principal_account(arn: Arn, fields: _Fields, kind: str) -> str:
    if arn.service != "iam" or arn.resource_type != kind:
        raise InputError(f"Arn {str(arn)!r} is not the ARN of an IAM {kind}", path=fields.at("Arn"))
    return arn.account


def parse_user(fields: _Fields) -> tuple[str, User]:
    """One ``UserDetailList`` entry: its account ID and the :class:`User`."""
    arn = fields.arn()
    account = _principal_account(arn, fields, "user")
    user = User(
        arn=str(arn),
        name=fields.string("UserName") or arn.resource_name,
        user_id=fields.string("UserId"),
        path=fields.string("Path") or "/",
        create_date=fields.string("CreateDate"),
        group_names=fields.strings("GroupList"),
        inline_policies=_inline_policies(fields, "UserPolicyList"),
        managed_policy_arns=_attached(fields),
        permissions_boundary_arn=_boundary(fields),
        tags=_tags(fields),
    )
    return account, user


def parse_group(fields: _Fields) -> tuple[str, Group]:
    """One ``GroupDetailList`` entry: its account ID and the :class:`Group`."""
    arn = fields.arn()
    account = _principal_account(arn, fields, "group")
    group = Group(
        arn=str(arn),
        name=fields.string("GroupName") or arn.resource_name,
        group_id=fields.string("GroupId"),
        path=fields.string("Path") or "/",
        create_date=fields.string("CreateDate"),
        inline_policies=_inline_policies(fields, "GroupPolicyList"),
        managed_policy_arns=_attached(fields),
    )
    return account, group


def parse_role(fields: _Fields) -> tuple[str, Role]:
    """One ``RoleDetailList`` entry: its account ID and the :class:`Role`."""
    arn = fields.arn()
    account = _principal_account(arn, fields, "role")
    role_id = fields.string("RoleId")
    last_used_block = fields.object("RoleLastUsed")
    last_used: str | None = None
    last_used_region: str | None = None
    if last_used_block is not None:
        last_used = last_used_block.string("LastUsedDate") or ""
        last_used_region = last_used_block.string("Region")
    max_session: int | None = fields.integer("MaxSessionDuration")
    description: str | None = fields.string("Description")
    profile_arns = []
    for profile in fields.objects("InstanceProfileList"):
        profile_arn = profile.string("Arn")
        if profile_arn:
            profile_arns.append(profile_arn)
        for copy in profile.objects("Roles"):
            if copy.string("Arn") != str(arn) and (role_id is None or copy.string("RoleId") != role_id):
                continue
            max_session = max_session if max_session is not None else copy.integer("MaxSessionDuration")
            description = description if description is not None else copy.string("Description")
    role = Role(
        arn=str(arn),
        name=fields.string("RoleName") or arn.resource_name,
        role_id=role_id,
        path=fields.string("Path") or "/",
        create_date=fields.string("CreateDate"),
        trust_policy=fields.document("AssumeRolePolicyDocument"),
        inline_policies=_inline_policies(fields, "RolePolicyList"),
        managed_policy_arns=_attached(fields),
        permissions_boundary_arn=_boundary(fields),
        tags=_tags(fields),
        last_used=last_used,
        last_used_region=last_used_region,
        max_session_duration=max_session,
        description=description,
        instance_profile_arns=tuple(profile_arns),
    )
    return account, role


def _default_version(fields: _Fields, default_version_id: str | None, warnings: list[str]) -> PolicyDocument:
    versions = fields.objects("PolicyVersionList")
    flagged = [v for v in versions if v.boolean("IsDefaultVersion")]
    by_id = [v for v in versions if default_version_id and v.string("VersionId") == default_version_id]
    if len(flagged) == 1:
        chosen = flagged[0]
    elif by_id:
        chosen = by_id[0]
    elif flagged:
        chosen = flagged[0]
    elif len(versions) == 1 and not default_version_id:
        chosen = versions[0]
    else:
        warnings.append(
            f"{fields.path}: managed policy {fields.raw.get('Arn')!r} has no default version in this input; "
            "it is treated as granting nothing"
        )
        return PolicyDocument(statements=(), text="{}")
    return chosen.document("Document")


def parse_policy(fields: _Fields, warnings: list[str]) -> tuple[str, ManagedPolicy]:
    """One ``Policies`` entry: its account ID (``"aws"`` for AWS-managed) and the :class:`ManagedPolicy`."""
    arn = fields.arn()
    if arn.service != "iam" or arn.resource_type != "policy":
        raise InputError(f"Arn {str(arn)!r} is not the ARN of an IAM policy", path=fields.at("Arn"))
    default_version_id = fields.string("DefaultVersionId")
    policy = ManagedPolicy(
        arn=str(arn),
        name=fields.string("PolicyName") or arn.resource_name,
        policy_id=fields.string("PolicyId"),
        path=fields.string("Path") or "/",
        default_version_id=default_version_id,
        document=_default_version(fields, default_version_id, warnings),
        attachment_count=fields.integer("AttachmentCount"),
        description=fields.string("Description"),
    )
    return arn.account, policy


@dataclass(slots=True)
class _Bucket:
    """What one account's entries parsed into, plus its raw entries for writing back."""

    users: list[User] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    policies: list[ManagedPolicy] = field(default_factory=list)
    raw: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {key: [] for key in GAAD_LISTS})
    first_path: str | None = None  # the JSON path of its first entry, for messages

    @property
    def size(self) -> int:
        return len(self.users) + len(self.groups) + len(self.roles) + len(self.policies)


def _entries(pages: Sequence[tuple[str, Any]]) -> dict[str, list[tuple[str, list[dict[str, Any]]]]]:
    """The lists of every page with their JSON paths, by key; every entry is checked to be an object."""
    entries: dict[str, list[tuple[str, list[dict[str, Any]]]]] = {key: [] for key in GAAD_LISTS}
    for page_path, page in pages:
        if not isinstance(page, dict):
            raise InputError(
                f"expected a get-account-authorization-details object, not {type_name(page)}", path=page_path
            )
        for key in GAAD_LISTS:
            items = page.get(key)
            if items is None:
                continue
            list_path = f"{page_path}.{key}"
            if not isinstance(items, list):
                raise InputError(f"{key} must be a list, not {type_name(items)}", path=list_path)
            if not set(map(type, items)) <= _OBJECT:
                for i, item in enumerate(items):
                    if not isinstance(item, dict):
                        raise InputError(f"expected an object, not {type_name(item)}", path=f"{list_path}[{i}]")
            entries[key].append((list_path, items))
    return entries


_OBJECT = {dict}


# --- the happy path ---------------------------------------------------------------------------------------------
# Users and roles of the usual shape are parsed below without a _Fields wrapper per object, a JSON path per field
# or a keyword call per value (see iamviz.model.policy.fast_constructor). Anything unusual makes a _quick_* function
# return None (or raise), and the careful parse_user/parse_role parse the entry again from the start: they accept
# exactly what they accepted before and name the first problem, so no error message comes from here. The quick
# functions may refuse more than the careful ones (then the careful result counts), never less; whatever they
# return equals the careful result (tests/test_loading_fastpath.py checks both on mangled entries).

_new_role = fast_constructor(Role)
_new_user = fast_constructor(User)
_new_inline = fast_constructor(InlinePolicy)
_new_tag = fast_constructor(Tag)
_TAG_CACHE: dict[tuple[str, str], Tag] = {}  # frozen and few: the same tags recur on thousands of entries
_CACHE_LIMIT = 100_000


def _quick_document(value: Any, documents: dict[str, PolicyDocument]) -> PolicyDocument | None:
    """The document ``value`` (an object, or a JSON string parsed once per load however often it recurs).

    ``None`` (or an exception) when the careful parser must look at it. Equal strings share one
    :class:`PolicyDocument` (frozen, so sharing is invisible). Objects are not keyed: their ``repr`` (the only
    exact key that costs no Python per value) took longer than parsing them at the rate documents recur in
    generated accounts (half the trust policies, few inline ones).
    """
    if type(value) is dict:
        return try_parse_policy_document(value)
    if type(value) is not str:
        return None
    document = documents.get(value)
    if document is None:
        document = try_parse_policy_document(strict_document(value, path="$"))
        if document is not None:
            documents[value] = document
    return document


_TEXT = {str}
_TEXT_OR_NONE = {str, type(None)}
_TN = (str, type(None))  # ``type(value) in _TN``: a string or None


def _optional_texts(*values: Any) -> bool:
    """Whether every value is a string or ``None``."""
    return set(map(type, values)) <= _TEXT_OR_NONE


def _quick_parts(
    raw: dict[str, Any], inline_key: str, documents: dict[str, PolicyDocument]
) -> tuple[tuple[InlinePolicy, ...], tuple[str, ...], str | None, tuple[Tag, ...]] | None:
    """The inline policies, attached policy ARNs, permissions boundary and tags of a user or role, or ``None``."""
    get = raw.get
    inline: list[tuple[str, Any]] = []
    items = get(inline_key)
    if items is not None:
        if type(items) is not list:
            return None
        for item in items:
            if type(item) is not dict:
                return None
            name = item.get("PolicyName")
            document = item.get("PolicyDocument")
            if type(name) is not str or document is None:
                return None
            inline.append((name, document))
    attached: list[str] = []
    items = get("AttachedManagedPolicies")
    if items is not None:
        if type(items) is not list:
            return None
        for item in items:
            if type(item) is not dict:
                return None
            arn = item.get("PolicyArn")
            if type(arn) is not str:
                return None
            attached.append(arn)
    boundary = get("PermissionsBoundary")
    if boundary is not None:
        if type(boundary) is not dict:
            return None
        boundary = boundary.get("PermissionsBoundaryArn")
        if boundary is not None and type(boundary) is not str:
            return None
    tags: list[Tag] = []
    items = get("Tags")
    if items is not None:
        if type(items) is not list:
            return None
        for item in items:
            if type(item) is not dict:
                return None
            key = item.get("Key")
            value = item.get("Value")
            if type(key) is not str or (value is not None and type(value) is not str):
                return None
            tag = _TAG_CACHE.get((key, value))
            if tag is None:
                if len(_TAG_CACHE) >= _CACHE_LIMIT:
                    _TAG_CACHE.clear()
                tag = _TAG_CACHE[key, value] = _new_tag(key, value or "")
            tags.append(tag)
    policies = []
    for name, document in inline:
        parsed = _quick_document(document, documents)
        if parsed is None:
            return None
        policies.append(_new_inline(name, parsed))
    return tuple(policies), tuple(attached), boundary, tuple(tags)


def _quick_arn(raw: dict[str, Any], prefix: str) -> tuple[str, str, str] | None:
    """The text, account and name of the ``Arn`` of an IAM user (``prefix="user/"``) or role of the usual shape.

    As strict as :meth:`Arn.parse` and the careful parsers' service and resource-type checks, or stricter (an ARN
    without an account, a ``role:`` resource: the careful parser decides), without making an :class:`Arn`.
    """
    text = raw.get("Arn")
    if type(text) is not str:
        return None
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or parts[2] != "iam":
        return None
    account, resource = parts[4], parts[5]
    if not resource.startswith(prefix) or not (account == "aws" or (len(account) == 12 and account.isdigit())):
        return None
    return text, account, resource.rpartition("/")[2]  # Arn.resource_name of a user or role


def _quick_user(raw: dict[str, Any], documents: dict[str, PolicyDocument]) -> tuple[str, User] | None:
    """:func:`parse_user` for a user of the usual shape, or ``None``."""
    arn = _quick_arn(raw, "user/")
    if arn is None:
        return None
    arn_text, account, arn_name = arn
    get = raw.get
    name, user_id, user_path, created = get("UserName"), get("UserId"), get("Path"), get("CreateDate")
    groups = get("GroupList")
    if groups is None:
        groups = ()
    elif type(groups) is not list or not set(map(type, groups)) <= _TEXT:
        return None
    if not (type(name) in _TN and type(user_id) in _TN and type(user_path) in _TN and type(created) in _TN):
        return None
    parts = _quick_parts(raw, "UserPolicyList", documents)
    if parts is None:
        return None
    inline, attached, boundary, tags = parts
    user = _new_user(
        arn_text,
        name or arn_name,
        user_id,
        user_path or "/",
        created,
        tuple(groups),
        inline,
        attached,
        boundary,
        tags,
    )
    return account, user


def _quick_profiles(
    profiles: list[Any], arn: str, role_id: str | None, max_session: int | None, description: str | None
) -> tuple[tuple[str, ...], int | None, str | None] | None:
    """A role's instance profile ARNs, and its session duration and description as its profiles tell them."""
    arns = []
    for profile in profiles:
        if type(profile) is not dict:
            return None
        profile_arn = profile.get("Arn")
        copies = profile.get("Roles")
        if not _optional_texts(profile_arn) or (copies is not None and type(copies) is not list):
            return None
        if profile_arn:
            arns.append(profile_arn)
        for copy in copies or ():
            if type(copy) is not dict:
                return None
            copy_get = copy.get
            copy_arn, copy_id = copy_get("Arn"), copy_get("RoleId")
            copy_session, copy_description = copy_get("MaxSessionDuration"), copy_get("Description")
            if not _optional_texts(copy_arn, copy_id, copy_description):
                return None
            if copy_session is not None and type(copy_session) is not int:
                return None
            if copy_arn != arn and (role_id is None or copy_id != role_id):
                continue
            max_session = max_session if max_session is not None else copy_session
            description = description if description is not None else copy_description
    return tuple(arns), max_session, description


def _quick_role(raw: dict[str, Any], documents: dict[str, PolicyDocument]) -> tuple[str, Role] | None:
    """:func:`parse_role` for a role of the usual shape, or ``None``."""
    arn = _quick_arn(raw, "role/")
    if arn is None:
        return None
    arn_text, account, arn_name = arn
    get = raw.get
    role_id, name, role_path, created = get("RoleId"), get("RoleName"), get("Path"), get("CreateDate")
    description, max_session = get("Description"), get("MaxSessionDuration")
    if not (type(role_id) in _TN and type(name) in _TN and type(role_path) in _TN and type(created) in _TN):
        return None
    if type(description) not in _TN:
        return None
    if max_session is not None and type(max_session) is not int:
        return None
    last_used = last_used_region = None
    block = get("RoleLastUsed")
    if block is not None:
        if type(block) is not dict:
            return None
        last_used, last_used_region = block.get("LastUsedDate"), block.get("Region")
        if type(last_used) not in _TN or type(last_used_region) not in _TN:
            return None
        last_used = last_used or ""
    profile_arns: tuple[str, ...] = ()
    profiles = get("InstanceProfileList")
    if profiles is not None:
        if type(profiles) is not list:
            return None
        if profiles:
            found = _quick_profiles(profiles, arn_text, role_id, max_session, description)
            if found is None:
                return None
            profile_arns, max_session, description = found
    trust_policy = _quick_document(get("AssumeRolePolicyDocument"), documents)
    if trust_policy is None:
        return None
    parts = _quick_parts(raw, "RolePolicyList", documents)
    if parts is None:
        return None
    inline, attached, boundary, tags = parts
    role = _new_role(
        arn_text,
        name or arn_name,
        role_id,
        role_path or "/",
        created,
        trust_policy,
        inline,
        attached,
        boundary,
        tags,
        last_used,
        last_used_region,
        max_session,
        description,
        profile_arns,
    )
    return account, role


_QUICK_PARSERS = {USERS: _quick_user, ROLES: _quick_role}


_PARSERS = {USERS: parse_user, GROUPS: parse_group, ROLES: parse_role}
_TARGETS = {USERS: "users", GROUPS: "groups", ROLES: "roles", POLICIES: "policies"}


def _bucketize(pages: Sequence[tuple[str, Any]], warnings: list[str]) -> tuple[dict[str, _Bucket], _Bucket, _Bucket]:
    """Parse every entry (with the garbage collector paused).

    Returns:
        The buckets by account ID, the bucket of AWS-managed policies, and the bucket of users, groups and roles
        whose ARN names no account (``arn:aws:iam::aws:user/NAME``, as sanitised exports have them).
    """
    with collector_paused():
        return _parse_entries(pages, warnings)


def _parse_entries(
    pages: Sequence[tuple[str, Any]], warnings: list[str]
) -> tuple[dict[str, _Bucket], _Bucket, _Bucket]:
    """Parse every entry.

    Returns:
        The buckets by account ID, the bucket of AWS-managed policies, and the bucket of users, groups and roles
        whose ARN names no account (``arn:aws:iam::aws:user/NAME``, as sanitised exports have them).
    """
    buckets: dict[str, _Bucket] = {}
    aws_bucket = _Bucket()
    orphans = _Bucket()
    duplicates = 0
    documents: dict[str, PolicyDocument] = {}  # the documents of this load, see _quick_document
    for key, lists in _entries(pages).items():
        quick = _QUICK_PARSERS.get(key)
        target = _TARGETS[key]
        seen: set[str] = set()
        for list_path, items in lists:
            for i, raw in enumerate(items):
                parsed = None
                if quick is not None:
                    try:
                        parsed = quick(raw, documents)
                    except Exception:  # the careful parser below decides, and names the problem
                        parsed = None
                if parsed is None:
                    fields = _Fields(raw, f"{list_path}[{i}]")
                    parsed = parse_policy(fields, warnings) if key == POLICIES else _PARSERS[key](fields)
                account, entity = parsed
                if entity.arn in seen:
                    duplicates += 1
                    continue
                seen.add(entity.arn)
                if account == AWS_MANAGED:
                    bucket = aws_bucket if key == POLICIES else orphans
                else:
                    bucket = buckets.get(account)  # type: ignore[assignment]
                    if bucket is None:
                        bucket = buckets[account] = _Bucket()
                getattr(bucket, target).append(entity)
                bucket.raw[key].append(raw)
                if bucket.first_path is None:
                    bucket.first_path = f"{list_path}[{i}]"
    if duplicates:
        warnings.append(f"{duplicates} entries appear more than once (overlapping pages?); the first of each is kept")
    return buckets, aws_bucket, orphans


def _adopt(orphans: _Bucket, bucket: _Bucket, account_id: str, warnings: list[str]) -> None:
    """Move users, groups and roles whose ARN names no account into ``account_id``, with ARNs rewritten to it."""
    if not orphans.size:
        return

    def rewrite(entity: Any) -> Any:
        parts = entity.arn.split(":", 5)
        parts[4] = account_id
        return replace(entity, arn=":".join(parts))

    for target in ("users", "groups", "roles"):
        getattr(bucket, target).extend(rewrite(entity) for entity in getattr(orphans, target))
    for key in (USERS, GROUPS, ROLES):
        bucket.raw[key].extend(orphans.raw[key])
    if bucket.first_path is None:
        bucket.first_path = orphans.first_path
    warnings.append(
        f"{orphans.size} users, groups or roles have no account ID in their ARN (such as {orphans.first_path}.Arn); "
        f"they are read as part of account {account_id}"
    )


def _account(account_id: str, bucket: _Bucket, aws_bucket: _Bucket, **extra: Any) -> Account:
    raw = {key: [*bucket.raw[key], *(aws_bucket.raw[key] if key == POLICIES else ())] for key in GAAD_LISTS}
    return Account(
        account_id=account_id,
        users=tuple(bucket.users),
        groups=tuple(bucket.groups),
        roles=tuple(bucket.roles),
        managed_policies=(*bucket.policies, *aws_bucket.policies),
        authorization_details=raw,
        **extra,
    )


def pages_of(value: Any, *, path: str = "$") -> list[tuple[str, Any]]:
    """The pages of a GAAD value: one page object, or a list of pages (each with its JSON path)."""
    if isinstance(value, list):
        return [(f"{path}[{i}]", page) for i, page in enumerate(value)]
    return [(path, value)]


def _refuse_list_policies(pages: Sequence[tuple[str, Any]]) -> None:
    """``aws iam list-policies`` output shares the ``Policies`` key but holds no documents: say so, do not load it."""
    entries: list[tuple[str, Any]] = []
    for page_path, page in pages:
        if not isinstance(page, dict) or any(page.get(key) for key in (USERS, GROUPS, ROLES)):
            return
        if isinstance(page.get(POLICIES), list):
            entries.extend((f"{page_path}.{POLICIES}[{i}]", entry) for i, entry in enumerate(page[POLICIES]))
    if entries and all(isinstance(entry, dict) and "PolicyVersionList" not in entry for _, entry in entries):
        raise InputError(
            "this is `aws iam list-policies` output: managed policies without their documents (no "
            "PolicyVersionList); export with `aws iam get-account-authorization-details` instead",
            path=entries[0][0],
        )


def accounts_from_pages(
    pages: Sequence[tuple[str, Any]], *, source: str = "", warnings: list[str] | None = None
) -> tuple[Account, ...]:
    """Accounts from the pages of one GAAD export: one per account ID its ARNs name, largest first.

    Raises:
        InputError: a page or entry of the wrong shape, or no ARN that names an account.
    """
    sink: list[str] = [] if warnings is None else warnings
    _refuse_list_policies(pages)
    buckets, aws_bucket, orphans = _bucketize(pages, sink)
    if not buckets:
        if orphans.size:
            raise InputError(
                "no ARN in this export names an account ID ('aws' is not an account), so its account is unknown",
                path=f"{orphans.first_path}.Arn",
            )
        raise InputError(
            "holds no users, groups, roles or customer-managed policies, so its account ID is unknown", path="$"
        )
    ordered = sorted(buckets.items(), key=lambda item: (-item[1].size, item[0]))
    _adopt(orphans, ordered[0][1], ordered[0][0], sink)
    if len(ordered) > 1:
        listing = ", ".join(f"{account_id}: {bucket.size}" for account_id, bucket in ordered)
        sink.append(f"its ARNs name {len(ordered)} accounts ({listing} entries); loaded as {len(ordered)} accounts")
    return tuple(
        _account(account_id, bucket, aws_bucket, source=source, gaps=GAAD_FILE_GAPS) for account_id, bucket in ordered
    )


def account_from_details(
    details: Any,
    *,
    account_id: str,
    path: str = "$",
    warnings: list[str] | None = None,
    alias: str | None = None,
    captured_at: str | None = None,
    source: str = "",
    saml_providers: Iterable[SamlProvider] = (),
    oidc_providers: Iterable[OidcProvider] = (),
    organization: Organization | None = None,
    gaps: Iterable[str] = (),
) -> Account:
    """One account whose ID is known (a bundle entry, a live capture) from its authorization details.

    ``details`` is one page or a list of pages. Every user, group, role and customer-managed policy must belong to
    ``account_id``.

    Raises:
        InputError: a wrong shape, or an entity of another account.
    """
    sink: list[str] = [] if warnings is None else warnings
    if details is None:
        details = {}
    buckets, aws_bucket, orphans = _bucketize(pages_of(details, path=path), sink)
    for other in buckets:
        if other != account_id:
            raise InputError(
                f"this entry's account is {account_id}, but this ARN belongs to account {other}",
                path=f"{buckets[other].first_path}.Arn",
            )
    bucket = buckets.get(account_id, _Bucket())
    _adopt(orphans, bucket, account_id, sink)
    return _account(
        account_id,
        bucket,
        aws_bucket,
        alias=alias,
        captured_at=captured_at,
        source=source,
        saml_providers=tuple(saml_providers),
        oidc_providers=tuple(oidc_providers),
        organization=organization,
        gaps=tuple(gaps),
    )
