"""``iamviz findings``: the risky trusts of the loaded accounts, most severe first; ``--fail-on`` for CI."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import datetime
from typing import Any

from iamviz.analysis.catalogue import Severity
from iamviz.cli._common import add_sources


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``findings`` subcommand."""
    names = ", ".join(s.value for s in Severity)
    parser = subparsers.add_parser(
        "findings",
        help="list risky role trusts, most severe first",
        description="Check every role's trust policy (and the chains through them) against the findings catalogue "
        f"and print what applies, most severe first. Severities: {names}. Exit code 0, or 1 when --fail-on is given "
        "and a finding of that severity or worse exists (for CI pipelines).",
    )
    add_sources(parser)
    parser.add_argument("--json", action="store_true", help="print the findings as a JSON list")
    parser.add_argument(
        "--min-severity", type=_severity, default=Severity.INFO, metavar="S", help="print only findings of S or worse"
    )
    parser.add_argument(
        "--fail-on", type=_severity, default=None, metavar="S", help="exit 1 when a finding of S or worse exists"
    )
    parser.add_argument(
        "--now",
        type=_moment,
        default=None,
        metavar="TIME",
        help="ISO 8601 time that role usage is measured against (default: when each account was captured)",
    )
    parser.set_defaults(func=run)


def _severity(text: str) -> Severity:
    try:
        return Severity.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _moment(text: str) -> datetime:
    from iamviz.analysis.findings import parse_time

    moment = parse_time(text)
    if moment is None:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r} (e.g. 2026-11-28T12:00:00Z)")
    return moment


def run(args: argparse.Namespace) -> int:
    """Load, check, print; return 1 when ``--fail-on`` is met, else 0."""
    from iamviz.analysis import build_trust_graph
    from iamviz.analysis.findings import at_least, run_findings
    from iamviz.cli._common import load_sources, print_json

    snapshot = load_sources(args)
    findings = run_findings(snapshot, build_trust_graph(snapshot), now=args.now)
    shown = at_least(findings, args.min_severity)
    if args.json:
        print_json([finding_json(f) for f in shown])
    else:
        print_text(shown)
    if args.fail_on is not None:
        failing = at_least(findings, args.fail_on)
        if failing:
            print(f"iamviz: {len(failing)} finding(s) of severity {args.fail_on} or worse", file=sys.stderr)
            return 1
    return 0


def _role_name(role_arn: str | None) -> str:
    return role_arn.rsplit("/", 1)[-1] if role_arn else "-"


def print_text(findings: list[Any]) -> None:
    """Each finding as a heading line, its detail and the fix, then a count by severity."""
    if not findings:
        print("No findings.")
        return
    for finding in findings:
        where = [f"role {_role_name(finding.role_arn)}"]
        if finding.account_id:
            where.append(f"account {finding.account_id}")
        if finding.statement_label:
            where.append(finding.statement_label)
        if finding.principal:
            where.append(f"principal {finding.principal}")
        print(f"{finding.severity.value.upper():<8} {finding.code}: {finding.title}")
        print(f"         {', '.join(where)}")
        print(f"         {finding.detail}")
        print(f"         Fix: {finding.entry.fix}")
        print(f"         See: {finding.entry.reference}")
        print()
    counts = Counter(f.severity for f in findings)
    summary = ", ".join(f"{counts[s]} {s.value}" for s in Severity if counts[s])
    print(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: {summary}")


def finding_json(finding: Any) -> dict[str, Any]:
    """One finding as plain JSON data, with its catalogue text."""
    entry = finding.entry
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "title": finding.title,
        "role_arn": finding.role_arn,
        "account_id": finding.account_id,
        "statement_index": finding.statement_index,
        "statement_sid": finding.statement_sid,
        "principal": finding.principal,
        "detail": finding.detail,
        "chain": list(finding.chain),
        "why": entry.why,
        "fix": entry.fix,
        "reference": entry.reference,
    }
