"""Trust analysis: conditions, the assume-role decision, caller-side identity policies and the trust graph.

The public names of the trust engine are re-exported here; the condition language lives in
:mod:`iamviz.analysis.conditions`, findings and chains in their own modules.
"""

from iamviz.analysis.identity import (
    AttachedPolicy,
    IdentityOutcome,
    IdentityResult,
    StatementRef,
    evaluate_identity,
    policies_for,
)
from iamviz.analysis.trust import (
    AssumeRoleRequest,
    Caller,
    CallerKind,
    Decision,
    Outcome,
    evaluate_assume_role,
    resolve_caller,
)
from iamviz.analysis.trust_graph import build_trust_graph

__all__ = [
    "AssumeRoleRequest",
    "AttachedPolicy",
    "Caller",
    "CallerKind",
    "Decision",
    "IdentityOutcome",
    "IdentityResult",
    "Outcome",
    "StatementRef",
    "build_trust_graph",
    "evaluate_assume_role",
    "evaluate_identity",
    "policies_for",
    "resolve_caller",
]
