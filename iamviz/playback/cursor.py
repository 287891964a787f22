"""Stepping through a scenario, as pure state: no timers, no Qt (the player drives this; tests step it directly)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class LoopMode(StrEnum):
    """What happens after the last step."""

    ONCE = "once"
    LOOP = "loop"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaybackCursor:
    """Where playback stands: ``index`` is the active step, -1 before the first.

    >>> c = PlaybackCursor(count=3)
    >>> c.next().next().index
    1
    """

    count: int
    index: int = -1
    loop: LoopMode = LoopMode.ONCE

    @property
    def at_start(self) -> bool:
        return self.index <= -1

    @property
    def at_end(self) -> bool:
        return self.index >= self.count - 1

    def next(self) -> PlaybackCursor:
        """One step on; at the end, wrap round when looping, else stay."""
        if self.count == 0:
            return self
        if self.at_end:
            return replace(self, index=0) if self.loop is LoopMode.LOOP else self
        return replace(self, index=self.index + 1)

    def previous(self) -> PlaybackCursor:
        """One step back; never before the first step once started."""
        return replace(self, index=max(0 if self.index >= 0 else -1, self.index - 1))

    def seek(self, index: int) -> PlaybackCursor:
        """Jump to ``index`` (clamped)."""
        return replace(self, index=max(-1, min(self.count - 1, index)))

    def home(self) -> PlaybackCursor:
        return self.seek(0)

    def end(self) -> PlaybackCursor:
        return self.seek(self.count - 1)

    def restart(self) -> PlaybackCursor:
        return replace(self, index=-1)
