"""``iamviz permissions``: the least-privilege IAM policy that live mode (``iamviz snapshot``, the GUI) needs."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``permissions`` subcommand."""
    parser = subparsers.add_parser(
        "permissions",
        help="print the read-only IAM policy live mode needs",
        description="Print, as an IAM policy document, every action a live capture calls (all read-only). "
        "Attach it to the user or role whose credentials iamviz uses.",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the policy; return 0."""
    from iamviz.cli._common import print_json
    from iamviz.loading.live import required_policy

    print_json(required_policy())
    return 0
