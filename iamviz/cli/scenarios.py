"""``iamviz scenarios``: the animated use cases and found chains, as text or JSON (formatting lives here)."""

from __future__ import annotations

import argparse
from typing import Any

from iamviz.cli._common import add_sources, load_sources, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scenarios",
        help="list the STS scenarios (the five use cases, their what-ifs, chains found) with steps and decisions",
        description="List the scenarios the player animates, each step with its API call and the engine's decision.",
    )
    add_sources(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON list")
    parser.add_argument("--scenario", metavar="ID", help="only this scenario (e.g. break-glass)")
    parser.add_argument("--what-if", metavar="ID", help="build the scenario with this what-if (e.g. no-mfa)")
    parser.add_argument(
        "--chains", type=int, default=5, metavar="N", help="also animate the N longest chains found (default 5)"
    )
    parser.set_defaults(func=run)


def collect(snapshot, *, scenario: str | None, what_if: str | None, chains: int) -> list:
    """The scenarios to show: built-ins (with every what-if unless one is chosen) and the longest chains."""
    from iamviz.analysis import build_trust_graph
    from iamviz.analysis.chains import find_chains
    from iamviz.errors import InputError
    from iamviz.playback import available_builtins, build_builtin, scenario_from_chain

    facts = snapshot.teaching.get("facts") if snapshot.teaching else None
    names = available_builtins(facts)
    result = []
    if scenario and not scenario.startswith("chain:"):
        if scenario not in names:
            raise InputError(
                f"no scenario {scenario!r} for these sources; available: {', '.join(names) or 'none (no sample facts)'}"
            )
        names = [scenario]
    for name in names:
        base = build_builtin(snapshot, facts, name, what_if)
        result.append(base)
        if what_if is None:
            result.extend(build_builtin(snapshot, facts, name, option.id) for option in base.what_ifs)
    if scenario is None and chains > 0:
        graph = build_trust_graph(snapshot)
        found = sorted(find_chains(graph), key=lambda c: (-len(c.hops), c.source, c.target))
        for chain in found:
            if len(result) >= len(names) * 3 + chains or chains <= 0:
                break
            try:
                result.append(scenario_from_chain(graph, chain))
            except InputError:
                continue
            chains -= 1
    return result


def _step_dict(step) -> dict[str, Any]:
    data: dict[str, Any] = {
        "index": step.index,
        "kind": str(step.kind),
        "title": step.title,
        "caption": step.caption,
        "actor": step.actor,
        "target": step.target,
        "allowed": step.allowed,
        "reasons": list(step.reasons),
        "statements": list(step.statements),
        "time": step.time,
    }
    if step.api_call is not None:
        data["api_call"] = {"action": step.api_call.action, "parameters": step.api_call.as_dict()}
    if step.credentials is not None:
        c = step.credentials
        data["credentials"] = {
            "access_key_id": c.access_key_id,
            "session_token": c.session_token,
            "expiration": c.expiration,
            "assumed_role_arn": c.assumed_role_arn,
        }
    if step.event:
        data["event"] = dict(step.event)
    return data


def run(args: argparse.Namespace) -> int:
    snapshot = load_sources(args)
    scenarios = collect(snapshot, scenario=args.scenario, what_if=args.what_if, chains=args.chains)
    if args.json:
        print_json(
            [
                {
                    "id": s.id,
                    "title": s.title,
                    "summary": s.summary,
                    "what_if": s.what_if.id if s.what_if else None,
                    "outcome": "allow" if s.outcome_allowed else "deny",
                    "steps": [_step_dict(step) for step in s.steps],
                }
                for s in scenarios
            ]
        )
        return 0
    if not scenarios:
        print("No scenarios: these sources hold no sample facts and no chains.")
        return 0
    for s in scenarios:
        heading = s.title + (f" — what if: {s.what_if.label}" if s.what_if else "")
        print(f"{s.id}: {heading} [{'ends allowed' if s.outcome_allowed else 'ends denied'}]")
        for step in s.steps:
            mark = "✓" if step.allowed else "✗"
            call = f" {step.api_call.action}" if step.api_call else ""
            print(f"  {step.index + 1}. {mark}{call} — {step.title}")
            print(f"     {step.caption}")
        print()
    return 0
