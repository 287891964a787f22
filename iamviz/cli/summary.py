"""``iamviz summary SOURCE...``: per account, counts of identities, policies, providers and trust statements."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from iamviz.cli._common import add_sources, print_json
from iamviz.model import Account, PrincipalKind

_KINDS = tuple(kind.value for kind in PrincipalKind)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``summary`` subcommand."""
    parser = subparsers.add_parser(
        "summary",
        help="count users, groups, roles, policies, providers and trust statements per account",
        description="Per account: users, groups, roles, managed policies, identity providers (SAML, OIDC), and "
        "trust-policy statements by principal kind (a statement naming several kinds counts once for each). "
        "Bad files are reported on stderr (exit 2) while the others are still summarised.",
    )
    add_sources(parser)
    parser.add_argument("--json", action="store_true", help="print the same as one JSON object")
    parser.set_defaults(func=run)


def account_summary(account: Account) -> dict[str, Any]:
    """The counts of one account, as plain data."""
    statements = dict.fromkeys(_KINDS, 0)
    not_principal = 0
    total = 0
    for role in account.roles:
        for statement in role.trust_policy.statements:
            total += 1
            if statement.not_principals is not None:
                not_principal += 1
            for kind in {principal.kind for principal in statement.principals or ()}:
                statements[kind.value] += 1
    aws_managed = sum(1 for p in account.managed_policies if p.is_aws_managed)
    return {
        "account_id": account.account_id,
        "alias": account.alias,
        "source": account.source,
        "users": len(account.users),
        "groups": len(account.groups),
        "roles": len(account.roles),
        "managed_policies": len(account.managed_policies),
        "customer_managed_policies": len(account.managed_policies) - aws_managed,
        "aws_managed_policies": aws_managed,
        "identity_providers": {"saml": len(account.saml_providers), "oidc": len(account.oidc_providers)},
        "trust_statements": {"total": total, **statements, "not-principal": not_principal},
        "gaps": list(account.gaps),
    }


def _print_text(summaries: list[dict[str, Any]]) -> None:
    for i, s in enumerate(summaries):
        if i:
            print()
        label = f"{s['account_id']} ({s['alias']})" if s["alias"] else s["account_id"]
        print(f"account {label}" + (f"  [{s['source']}]" if s["source"] else ""))
        print(f"  users {s['users']}, groups {s['groups']}, roles {s['roles']}")
        print(
            f"  managed policies {s['managed_policies']} "
            f"(customer {s['customer_managed_policies']}, AWS {s['aws_managed_policies']})"
        )
        providers = s["identity_providers"]
        print(f"  identity providers: SAML {providers['saml']}, OIDC {providers['oidc']}")
        trust = s["trust_statements"]
        kinds = ", ".join(f"{kind} {trust[kind]}" for kind in (*_KINDS, "not-principal"))
        print(f"  trust statements {trust['total']}: {kinds}")
        for gap in s["gaps"]:
            print(f"  not captured: {gap}")


def run(args: argparse.Namespace) -> int:
    """Print the summary; return 0, or 2 when a source could not be loaded."""
    from iamviz.cli import one_line
    from iamviz.loading import load_paths

    result = load_paths(list(args.sources or []))
    for warning in result.snapshot.warnings:
        print(f"iamviz: warning: {one_line(warning)}", file=sys.stderr)
    for error in result.errors:
        print(f"iamviz: error: {one_line(error)}", file=sys.stderr)
    summaries = [account_summary(account) for account in result.snapshot.accounts]
    if args.json:
        print_json({"accounts": summaries, "errors": [one_line(e) for e in result.errors]})
    elif summaries:
        _print_text(summaries)
    return 2 if result.errors else 0
