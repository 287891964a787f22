"""``iamviz snapshot``: capture live AWS accounts (read-only) into one snapshot bundle, written atomically."""

from __future__ import annotations

import argparse
import sys


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


def run(args: argparse.Namespace) -> int:
    """Capture and write the bundle; return 0 (errors raise IamvizError: one line, exit 2)."""
    from dataclasses import replace

    from iamviz.loading.bundle import write_bundle
    from iamviz.loading.live import CaptureProgress, capture_snapshot

    def progress(report: CaptureProgress) -> None:
        if report.is_warning:
            print(f"iamviz: warning: {report.message}", file=sys.stderr)
        elif not args.quiet:
            who = report.profile or "default"
            print(f"iamviz: [{who}] {report.message}", file=sys.stderr)

    snapshot = capture_snapshot(
        profiles=args.profiles or [None],
        region=args.region,
        endpoint_url=args.endpoint_url,
        progress=progress,
        max_attempts=args.max_attempts,
        connect_timeout=args.connect_timeout,
        read_timeout=args.read_timeout,
    )
    for warning in snapshot.warnings:
        print(f"iamviz: warning: {warning}", file=sys.stderr)
    if args.title:
        snapshot = replace(snapshot, title=args.title)
    write_bundle(snapshot, args.output)
    if not args.quiet:
        accounts = ", ".join(account.label for account in snapshot.accounts)
        print(f"iamviz: wrote {args.output} ({accounts})", file=sys.stderr)
    return 0
