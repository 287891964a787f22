"""Amazon Resource Names: parsing, the parts iamviz needs, and per-component wildcard matching."""

from __future__ import annotations

from dataclasses import dataclass

from iamviz.errors import ArnError
from iamviz.model.fast import fast_constructor
from iamviz.model.wildcard import wildcard_match

_PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")


@dataclass(frozen=True, slots=True, kw_only=True)
class Arn:
    """A parsed ARN: ``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE``.

    >>> Arn.parse("arn:aws:iam::111111111111:role/ops/BreakGlass").resource_name
    'BreakGlass'
    """

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn:
        """Parse ``text``; raise :class:`ArnError` when it is not an ARN."""
        if not isinstance(text, str):
            raise ArnError(f"expected an ARN string, got {type(text).__name__}")
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            raise ArnError(f"not an ARN: {text!r} (expected arn:partition:service:region:account:resource)")
        _, partition, service, region, account, resource = parts
        if not partition or not service or not resource:
            raise ArnError(f"not an ARN: {text!r} (partition, service and resource must not be empty)")
        if account and not (account == "aws" or (len(account) == 12 and account.isdigit())):
            raise ArnError(f"not an ARN: {text!r} (account {account!r} is not a 12-digit account ID)")
        if cls is Arn:  # the loaders parse an ARN per entry: skip the keyword __init__
            return _new_arn(partition, service, region, account, resource)
        return cls(partition=partition, service=service, region=region, account=account, resource=resource)

    @classmethod
    def try_parse(cls, text: object) -> Arn | None:
        """Parse ``text`` or return ``None`` when it is not an ARN."""
        if not isinstance(text, str):
            return None
        try:
            return cls.parse(text)
        except ArnError:
            return None

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_type(self) -> str:
        """The part before the first ``/`` of the resource (``role``, ``user``, ``assumed-role``, ``root``)."""
        return self.resource.split("/", 1)[0].split(":", 1)[0]

    @property
    def resource_name(self) -> str:
        """The last path segment of the resource: the role, user or provider name."""
        if self.resource_type in ("oidc-provider",):
            return self.resource.split("/", 1)[1] if "/" in self.resource else self.resource
        if self.resource_type == "assumed-role":
            pieces = self.resource.split("/")
            return pieces[1] if len(pieces) > 1 else self.resource
        return self.resource.rsplit("/", 1)[-1]

    @property
    def is_account_root(self) -> bool:
        """Whether this is ``arn:aws:iam::ACCOUNT:root``, the whole account."""
        return self.service == "iam" and self.resource == "root"

    @property
    def session_name(self) -> str | None:
        """For ``arn:aws:sts::ACCT:assumed-role/ROLE/SESSION``, the session name."""
        if self.service == "sts" and self.resource_type == "assumed-role":
            pieces = self.resource.split("/")
            return pieces[2] if len(pieces) > 2 else None
        return None

    def role_arn_of_session(self) -> Arn | None:
        """For an assumed-role session ARN, the ARN of the role (path unknown, so none is given)."""
        if self.service == "sts" and self.resource_type == "assumed-role":
            return Arn(
                partition=self.partition,
                service="iam",
                region="",
                account=self.account,
                resource=f"role/{self.resource_name}",
            )
        return None


_new_arn = fast_constructor(Arn)


def account_root(account_id: str, *, partition: str = "aws") -> str:
    """The ARN string that names a whole account."""
    return f"arn:{partition}:iam::{account_id}:root"


def arn_like(pattern: str, value: str) -> bool:
    """ArnLike matching: each of the six colon-separated components is matched on its own, wildcards never cross ``:``.

    >>> arn_like("arn:aws:iam::*:role/ci-*", "arn:aws:iam::111111111111:role/ci-deploy")
    True
    >>> arn_like("arn:aws:iam::*", "arn:aws:iam::111111111111:role/x")
    False
    """
    pattern_parts = pattern.split(":", 5)
    value_parts = value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(wildcard_match(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def is_partition(name: str) -> bool:
    """Whether ``name`` is a known AWS partition."""
    return name in _PARTITIONS
