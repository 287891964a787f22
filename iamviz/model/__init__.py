"""The Qt-free domain model: ARNs, policies, principals, conditions, accounts and snapshots."""

from iamviz.model.account import (
    Account,
    Group,
    InlinePolicy,
    ManagedPolicy,
    OidcProvider,
    Organization,
    Role,
    SamlProvider,
    Snapshot,
    Tag,
    User,
)
from iamviz.model.arn import Arn, account_root, arn_like
from iamviz.model.policy import (
    Condition,
    Effect,
    PolicyDocument,
    Principal,
    PrincipalKind,
    Statement,
    parse_policy_document,
)

__all__ = [
    "Account",
    "Arn",
    "Condition",
    "Effect",
    "Group",
    "InlinePolicy",
    "ManagedPolicy",
    "OidcProvider",
    "Organization",
    "PolicyDocument",
    "Principal",
    "PrincipalKind",
    "Role",
    "SamlProvider",
    "Snapshot",
    "Statement",
    "Tag",
    "User",
    "account_root",
    "arn_like",
    "parse_policy_document",
]
