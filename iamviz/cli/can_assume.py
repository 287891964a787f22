"""``iamviz can-assume SOURCE... --caller CALLER --role ROLE_ARN``: may this caller assume this role, and why.

The options mirror ``aws sts assume-role``. ``--context KEY=VALUE`` repeats; a key given more than once is
multi-valued. Exit code 0 for either answer, 2 for bad input (an unknown role, a caller that is not a principal).
"""

from __future__ import annotations

import argparse

from iamviz.analysis.conditions import RequestContext
from iamviz.analysis.trust import AssumeRoleRequest, Decision, evaluate_assume_role
from iamviz.cli._common import add_sources, load_sources, print_json
from iamviz.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``can-assume`` subcommand."""
    parser = subparsers.add_parser(
        "can-assume",
        help="decide whether a caller may assume a role, with the reasons",
        description="Evaluate one sts:AssumeRole* request against the loaded accounts: the role's trust policy, the "
        "caller's own policies where they matter, and the session rules. What the snapshot cannot show (SCPs, "
        "session policies, an account that is not loaded) is listed as assumptions.",
    )
    add_sources(parser)
    parser.add_argument("--caller", required=True, help="user, role or session ARN, service principal, or provider")
    parser.add_argument("--role", required=True, metavar="ROLE_ARN", help="the role to assume")
    parser.add_argument(
        "--action",
        help="sts:AssumeRole, sts:AssumeRoleWithSAML or sts:AssumeRoleWithWebIdentity "
        "(default: the one that fits the caller)",
    )
    parser.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a condition key of the request, e.g. aws:MultiFactorAuthPresent=true (repeatable)",
    )
    parser.add_argument("--role-session-name", metavar="NAME")
    parser.add_argument("--external-id", metavar="ID")
    parser.add_argument("--duration-seconds", type=int, metavar="S")
    parser.add_argument(
        "--tags", action="append", default=[], metavar="Key=K,Value=V", help="a session tag (repeatable)"
    )
    parser.add_argument(
        "--transitive-tag-keys",
        action="append",
        default=[],
        metavar="KEY",
        help="a session tag key to make transitive (repeatable)",
    )
    parser.add_argument("--source-identity", metavar="ID")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def parse_context(items: list[str]) -> RequestContext:
    """``["k=v", "k=w", "x=y"]`` -> ``{k: [v, w], x: [y]}``; a key given once stays single-valued."""
    values: dict[str, list[str]] = {}
    spelled: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--context {item!r}: expected KEY=VALUE")
        key = key.strip()
        spelled.setdefault(key.lower(), key)
        values.setdefault(key.lower(), []).append(value)
    return RequestContext.of({spelled[k]: v[0] if len(v) == 1 else v for k, v in values.items()})


def parse_tag(text: str) -> tuple[str, str]:
    """``Key=project,Value=blue`` (the AWS CLI shorthand) -> ``("project", "blue")``."""
    fields: dict[str, str] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep or name.strip() not in ("Key", "Value"):
            raise InputError(f"--tags {text!r}: expected Key=K,Value=V")
        fields[name.strip()] = value
    if "Key" not in fields:
        raise InputError(f"--tags {text!r}: expected Key=K,Value=V")
    return fields["Key"], fields.get("Value", "")


def format_decision(decision: Decision) -> str:
    """A short readable explanation."""
    lines = [f"{decision.outcome.upper()}: {decision.reasons[0]}" if decision.reasons else str(decision.outcome)]
    lines += [f"  - {reason}" for reason in decision.reasons[1:]]
    if decision.matched_statements:
        lines.append("Statements:")
        lines += [f"  - {ref}" for ref in decision.matched_statements]
    if decision.caller_side:
        lines.append(f"Caller's own policies: {decision.caller_side}")
    if decision.assumptions:
        lines.append("Assumptions:")
        lines += [f"  - {note}" for note in decision.assumptions]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Evaluate the request and print the decision; 0 for allow and deny alike."""
    if args.duration_seconds is not None and args.duration_seconds <= 0:
        raise InputError(f"--duration-seconds {args.duration_seconds}: expected a positive number of seconds")
    request = AssumeRoleRequest(
        caller=args.caller,
        role_arn=args.role,
        action=args.action,
        context=parse_context(args.context),
        duration_seconds=args.duration_seconds,
        role_session_name=args.role_session_name,
        external_id=args.external_id,
        tags=tuple(parse_tag(t) for t in args.tags),
        transitive_tag_keys=tuple(args.transitive_tag_keys),
        source_identity=args.source_identity,
    )
    snapshot = load_sources(args)
    decision = evaluate_assume_role(snapshot, request)
    if args.json:
        data = decision.to_dict()
        print_json(
            {
                "decision": data["decision"],
                "reasons": data["reasons"],
                "matched_statements": data["matched_statements"],
                "assumptions": data["assumptions"],
                "action": data["action"],
                "caller_side": data["caller_side"],
                "conditions": data["conditions"],
            }
        )
    else:
        print(format_decision(decision))
    return 0
