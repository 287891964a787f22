"""Arguments and helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from iamviz.model import Snapshot


def add_sources(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    """Add the SOURCE... positional: GAAD exports or iamviz bundles; none means the classroom sample."""
    parser.add_argument(
        "sources",
        nargs="+" if required else "*",
        metavar="SOURCE",
        help="get-account-authorization-details output or iamviz snapshot bundle (one per account); "
        "'sample:NAME' for a built-in sample; none: the classroom sample",
    )


def load_sources(args: argparse.Namespace) -> Snapshot:
    """Load the sources named on the command line (the classroom sample when there are none)."""
    from iamviz.cli import one_line
    from iamviz.loading import load_sources as _load

    snapshot = _load(list(getattr(args, "sources", None) or []))
    for warning in snapshot.warnings:
        print(f"iamviz: warning: {one_line(warning)}", file=sys.stderr)
    return snapshot


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout."""
    json.dump(data, sys.stdout, indent=2, sort_keys=False, default=str)
    sys.stdout.write("\n")
