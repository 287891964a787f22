"""``iamviz samples``: the built-in sample accounts, one line each (name, title)."""

from __future__ import annotations

import argparse

from iamviz.cli._common import print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``samples`` subcommand."""
    parser = subparsers.add_parser(
        "samples",
        help="list the built-in sample accounts",
        description="List the built-in samples, one line each: name and title. Open one with 'sample:NAME' "
        "wherever a SOURCE is asked for (the classroom sample is the default).",
    )
    parser.add_argument("--json", action="store_true", help="print name, title, description and file as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the samples; return 0."""
    from iamviz.loading.samples import list_samples

    samples = list_samples()
    if args.json:
        print_json(
            [{"name": s.name, "title": s.title, "description": s.description, "path": str(s.path)} for s in samples]
        )
        return 0
    width = max((len(s.name) for s in samples), default=0)
    for sample in samples:
        print(f"{sample.name:<{width}}  {sample.title}")
    return 0
