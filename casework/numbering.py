"""Gap-free number series for the regulation's numbers (case numbers, archive numbers, warnings).

The counter itself is the engine's (engine/sequences.py), which also numbers every case's reference."""
from __future__ import annotations

from engine.sequences import next_number

__all__ = ["next_number"]
