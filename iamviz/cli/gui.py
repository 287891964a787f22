"""``iamviz gui``: open the window on files, a sample, or a live account. Qt is imported only when it runs."""

from __future__ import annotations

import argparse
import os
import sys

from iamviz.cli._common import add_sources
from iamviz.errors import IamvizError

THEMES = ("light", "dark", "projector")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``gui`` subcommand."""
    parser = subparsers.add_parser(
        "gui",
        help="open the window (the default command)",
        description="Open the trust-graph window on IAM exports, iamviz snapshots, a built-in sample "
        "(sample:NAME) or, with --live, an AWS account read through boto3. With no SOURCE: the classroom sample.",
    )
    add_sources(parser)
    live = parser.add_argument_group("live AWS account")
    live.add_argument("--live", action="store_true", help="read a live account (read-only calls) instead of files")
    live.add_argument("--profile", metavar="P", help="AWS profile to use (implies --live)")
    live.add_argument("--region", metavar="R", help="AWS region (implies --live)")
    live.add_argument(
        "--endpoint-url", metavar="URL", help="endpoint for IAM/STS, e.g. a moto server or LocalStack (implies --live)"
    )
    parser.add_argument("--present", action="store_true", help="start in presentation mode (full screen; F5/Esc)")
    parser.add_argument("--theme", choices=THEMES, help="colour theme (default: the last one used)")
    parser.set_defaults(func=run)


def live_options(args: argparse.Namespace) -> dict[str, str | None] | None:
    """The live-account options, or ``None`` when reading files."""
    if not (args.live or args.profile or args.region or args.endpoint_url):
        return None
    return {"profile": args.profile, "region": args.region, "endpoint_url": args.endpoint_url}


def run(args: argparse.Namespace) -> int:
    """Open the window; return its exit code."""
    live = live_options(args)
    if live is not None and args.sources:
        raise IamvizError("give either SOURCE files or --live, not both")
    _check_display()
    from iamviz.gui.app import run_gui  # Qt is loaded only here

    return run_gui(list(args.sources), live=live, present=args.present, theme=args.theme)


def _check_display() -> None:
    """Refuse with one clear line where Qt would abort the process: Linux with no display and no platform chosen."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    raise IamvizError(
        "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); run iamviz in a desktop "
        "session, or use the headless commands such as 'iamviz export' and 'iamviz scenarios'"
    )
