"""A simulator of the Wan video API (AceData Cloud) on loopback, quirks included.

Tests, benchmarks and the demo run against it; it never touches the network beyond loopback.
Magic prompt words (case-insensitive): fail, stall, hiccup, vanish, weird (see tasks.py);
"forbidden" or "nsfw" are refused by moderation.
"""

from .faults import FAULT_KINDS
from .simulator import Simulator, serve
from .stats import SimStats
from .tasks import MAGIC_WORDS

__all__ = ["FAULT_KINDS", "MAGIC_WORDS", "SimStats", "Simulator", "serve"]
