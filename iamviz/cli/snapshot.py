"""``iamviz snapshot``: capture live AWS accounts (read-only) into one snapshot bundle, written atomically."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``snapshot`` subcommand."""
    parser = subparsers.add_parser(
        "snapshot",
        help="capture live AWS accounts into a snapshot bundle (read-only)",
        description="Read one account per --profile (none: AWS_PROFILE or the default credential chain) with "
        "read-only calls and write them into one iamviz snapshot bundle. The file is written only when every "
        "capture succeeded, and atomically. Needs the policy printed by 'iamviz permissions'; a denied optional "
        "call is skipped with a warning and recorded in the bundle.",
    )
    parser.add_argument(
        "--profile", metavar="P", action="append", dest="profiles", help="AWS profile (repeat for several accounts)"
    )
    parser.add_argument("--region", metavar="R", help="AWS region (default: the profile's, else us-east-1)")
    parser.add_argument("--endpoint-url", metavar="URL", help="endpoint for every service (a moto server, LocalStack)")
    parser.add_argument("-o", "--output", metavar="FILE", required=True, help="bundle to write (.json)")
    parser.add_argument("--title", help="title stored in the bundle")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr (warnings still shown)")
    network = parser.add_argument_group("network")
    network.add_argument(
        "--max-attempts", type=_positive_int, default=DEFAULT_MAX_ATTEMPTS, metavar="N",
        help=f"attempts per call, retries with backoff included (default {DEFAULT_MAX_ATTEMPTS})",
    )  # fmt: skip
    network.add_argument(
        "--connect-timeout", type=_positive_float, default=DEFAULT_CONNECT_TIMEOUT, metavar="S",
        help=f"seconds to wait for a connection (default {DEFAULT_CONNECT_TIMEOUT:g})",
    )  # fmt: skip
    network.add_argument(
        "--read-timeout", type=_positive_float, default=DEFAULT_READ_TIMEOUT, metavar="S",
        help=f"seconds to wait for an answer (default {DEFAULT_READ_TIMEOUT:g})",
    )  # fmt: skip
    parser.set_defaults(func=run)


# The live module's defaults, repeated so that `iamviz --help` does not import boto3.
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return value


def bundle_text(data: Any, *, depth: int = 0) -> str:
    """``data`` as JSON indented down to the users, roles, groups and policies, each of those on one line.

    As readable and as easy to diff as fully indented JSON, but written by the C encoder: ``json.dumps`` with
    ``indent`` runs in pure Python (0.1 s for a 1,000-role account).
    """
    if depth < BUNDLE_LINE_DEPTH and isinstance(data, dict | list) and data:
        pad = "\n" + "  " * (depth + 1)
        if isinstance(data, dict):
            items = [f"{pad}{json.dumps(key, ensure_ascii=False)}: {bundle_text(value, depth=depth + 1)}"
                     for key, value in data.items()]  # fmt: skip
            return "{" + ",".join(items) + "\n" + "  " * depth + "}"
        items = [pad + bundle_text(value, depth=depth + 1) for value in data]
        return "[" + ",".join(items) + "\n" + "  " * depth + "]"
    return json.dumps(data, ensure_ascii=False, default=str)


#: Bundle > accounts > account > authorization_details > RoleDetailList > one role a line.
BUNDLE_LINE_DEPTH = 5


def run(args: argparse.Namespace) -> int:
    """Capture and write the bundle; return 0 (errors raise IamvizError: one line, exit 2)."""
    from iamviz.loading.bundle import atomic_write_text
    from iamviz.loading.live import CaptureProgress, capture_snapshot_data

    def progress(report: CaptureProgress) -> None:
        if report.is_warning:
            print(f"iamviz: warning: {report.message}", file=sys.stderr)
        elif not args.quiet:
            who = report.profile or "default"
            print(f"iamviz: [{who}] {report.message}", file=sys.stderr)

    # The answers go into the bundle as they are: reading the bundle parses (and checks) them.
    captured = capture_snapshot_data(
        profiles=args.profiles or [None],
        region=args.region,
        endpoint_url=args.endpoint_url,
        progress=progress,
        title=args.title,
        max_attempts=args.max_attempts,
        connect_timeout=args.connect_timeout,
        read_timeout=args.read_timeout,
    )
    for warning in captured.warnings:
        print(f"iamviz: warning: {warning}", file=sys.stderr)
    atomic_write_text(args.output, bundle_text(captured.data) + "\n")
    if not args.quiet:
        print(f"iamviz: wrote {args.output} ({', '.join(captured.labels)})", file=sys.stderr)
    return 0
