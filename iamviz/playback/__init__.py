"""Playback: what an animation shows, step by step, as plain data (no Qt, no timing).

``builtin`` builds the five use cases of the seed lesson (and CI federation) over the classroom sample;
``chains`` animates any chain found in a loaded account; ``cursor`` steps through either.
"""

from iamviz.playback.builtin import BUILTIN, available_builtins, build_builtin
from iamviz.playback.chains import scenario_from_chain
from iamviz.playback.cursor import LoopMode, PlaybackCursor
from iamviz.playback.steps import STS_NODE_ID, ApiCall, Credentials, Scenario, Step, StepKind, WhatIf

__all__ = [
    "BUILTIN",
    "STS_NODE_ID",
    "ApiCall",
    "Credentials",
    "LoopMode",
    "PlaybackCursor",
    "Scenario",
    "Step",
    "StepKind",
    "WhatIf",
    "available_builtins",
    "build_builtin",
    "scenario_from_chain",
]
