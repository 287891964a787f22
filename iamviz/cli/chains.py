"""``iamviz chains``: every assume-role path through role chaining, as text lines or JSON hops."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from iamviz.cli._common import add_sources


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``chains`` subcommand."""
    parser = subparsers.add_parser(
        "chains",
        help="list assume-role chains: who can reach a role, what a principal can reach",
        description="List assume-role paths over the trust graph, shortest first. --to ROLE: who can reach the role; "
        "--from PRINCIPAL: what the principal can reach; both: the paths between them; neither: every chain of two "
        "or more hops. Principals and roles are named by ARN or by name. Badges in brackets are what the caller "
        "must bring (MFA, ExternalId, ...); 'max 1h' marks a chained hop into a role set up for longer sessions.",
    )
    add_sources(parser)
    parser.add_argument("--from", dest="source", metavar="PRINCIPAL", help="start of the chains (ARN or name)")
    parser.add_argument("--to", dest="target", metavar="ROLE", help="end of the chains (ARN or name)")
    parser.add_argument("--max-hops", type=_positive, default=5, metavar="N", help="longest chain (default 5)")
    parser.add_argument("--limit", type=_positive, default=1000, metavar="N", help="stop after N chains (default 1000)")
    parser.add_argument(
        "--duration",
        type=_positive,
        default=None,
        metavar="SECONDS",
        help="session length wanted at every hop; chained hops above 3600 are marked",
    )
    parser.add_argument(
        "--include-unknown", action="store_true", help="also follow edges whose conditions iamviz cannot judge"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list of chains, each a list of hops")
    parser.set_defaults(func=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, not {value}")
    return value


def run(args: argparse.Namespace) -> int:
    """Load the sources, find the chains, print them; return 0."""
    from iamviz.analysis import build_trust_graph
    from iamviz.analysis.chains import TRAVERSABLE, resolve_node, search_chains
    from iamviz.cli._common import load_sources, print_json
    from iamviz.model.graph import DecisionKind

    snapshot = load_sources(args)
    graph = build_trust_graph(snapshot)
    source = resolve_node(graph, args.source) if args.source else None
    target = resolve_node(graph, args.target) if args.target else None
    decisions = set(DecisionKind) if args.include_unknown else TRAVERSABLE
    result = search_chains(
        graph,
        source=source,
        target=target,
        max_hops=args.max_hops,
        limit=args.limit,
        decisions=decisions,
        duration_seconds=args.duration,
    )
    if args.json:
        print_json([chain_json(graph, chain) for chain in result.chains])
    elif result.chains:
        for chain in result.chains:
            print(chain_line(graph, chain))
    else:
        print("No chains.")
    if result.note:
        print(f"iamviz: note: {result.note}", file=sys.stderr)
    return 0


_DECISION_BADGES = {"needs-caller-policy": "caller policy", "unknown": "unknown"}


def chain_line(graph: Any, chain: Any) -> str:
    """``wayne -AssumeRole[MFA]-> BreakGlass -AssumeRole-> Admin``: short names, badges in brackets."""
    from iamviz.analysis.chains import iter_hops, short_name

    parts = [short_name(graph, chain.source)]
    for _, hop, _chained, capped in iter_hops(chain):
        badges = list(hop.requirements)
        decision = str(hop.decision) if hop.decision else "unknown"
        if decision in _DECISION_BADGES:
            badges.append(_DECISION_BADGES[decision])
        if capped:
            badges.append("max 1h")
        action = (hop.action or "AssumeRole").removeprefix("sts:")
        badge = f"[{', '.join(badges)}]" if badges else ""
        parts.append(f"-{action}{badge}-> {short_name(graph, hop.target)}")
    return " ".join(parts)


def chain_json(graph: Any, chain: Any) -> list[dict[str, Any]]:
    """One chain as a list of hops: source, target, action, decision, requirements, statement, chained, capped."""
    from iamviz.analysis.chains import iter_hops, short_name

    hops = []
    for _, hop, chained, capped in iter_hops(chain):
        hops.append(
            {
                "source": hop.source,
                "source_name": short_name(graph, hop.source),
                "target": hop.target,
                "target_name": short_name(graph, hop.target),
                "action": hop.action,
                "decision": str(hop.decision) if hop.decision else None,
                "requirements": list(hop.requirements),
                "statement": {"index": hop.statement_index, "sid": hop.statement_sid},
                "via_account_root": hop.via_account_root,
                "chained": chained,
                "session_capped": capped,
            }
        )
    return hops
