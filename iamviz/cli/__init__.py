"""The one command line, ``iamviz``, over the Qt-free core (and, lazily, the GUI and the renderer).

Each subcommand is a module of this package with ``register(subparsers)``, which adds a parser whose default
``func`` takes the parsed arguments and returns the exit code. Formatting lives here, never in ``analysis``.
With no subcommand, ``iamviz`` opens the window on the classroom sample.

Exit codes: 0 success; 1 a check failed (``findings --fail-on``); 2 bad input or an error reading AWS;
130 interrupted.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence

from iamviz import __version__
from iamviz.errors import IamvizError

# Order is the order of `iamviz --help`.
COMMAND_MODULES = (
    "gui",
    "samples",
    "summary",
    "snapshot",
    "permissions",
    "can_assume",
    "graph",
    "chains",
    "findings",
    "scenarios",
    "export",
)


MAX_ERROR_LINE = 2000
"""Longest error line printed (the loaders clip their messages; this is the last guard)."""


def one_line(text: object, *, limit: int = MAX_ERROR_LINE) -> str:
    """``text`` as one line: line breaks and other control characters become spaces, cut to ``limit``."""
    flat = " ".join(str(text).replace("\x00", " ").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def build_parser(commands: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser, with every subcommand registered (or only ``commands``, module names).

    Registering a subcommand imports its module; ``main`` registers only the command it runs, so that
    ``iamviz snapshot`` never imports the analysis, networkx or the modules of the other commands.
    """
    parser = argparse.ArgumentParser(
        prog="iamviz",
        description="See AWS IAM role trust: who can assume which role, under which conditions, and why.",
        epilog="Run without a command to open the window on the built-in classroom sample.",
    )
    parser.add_argument("--version", action="version", version=f"iamviz {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES if commands is None else commands:
        try:
            module = importlib.import_module(f"iamviz.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"iamviz.cli.{name}":
                continue  # a command not built yet
            raise
        module.register(subparsers)
    return parser


def _command_module(args: Sequence[str]) -> str | None:
    """The module of the subcommand ``args`` start with (``can-assume`` -> ``can_assume``), if it is one."""
    module = args[0].replace("-", "_") if args else ""
    return module if module in COMMAND_MODULES and module.replace("_", "-") == args[0] else None


def entry() -> int:
    """The ``iamviz`` program (console script and ``python -m iamviz``): :func:`main`, then a quick exit.

    When the interpreter exits, it runs full cyclic garbage collections over every object still alive: for a
    20,000-role account (its snapshot, 228,000 graph edges, 25,000 findings) those took 3.9 s of the 8.7 s that
    ``iamviz findings`` ran, after the output was complete. The process is ending, so everything still alive is
    moved out of the collector's reach first (``gc.freeze``): reference counting still frees it and runs its
    finalizers, and the operating system takes the rest back. Only the program does this, never :func:`main`,
    which tests and other programs call in a process that goes on.
    """
    code = main()
    gc.freeze()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("--") and args_list[0] not in ("--help", "--version")):
        args_list = ["gui", *args_list]
    command = _command_module(args_list)
    # Only the command being run is registered (its module alone is imported); help and errors get them all.
    parser = build_parser(None if command is None else [command])
    args = parser.parse_args(args_list)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except IamvizError as exc:
        print(f"iamviz: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("iamviz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
