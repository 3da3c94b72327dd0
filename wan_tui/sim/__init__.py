"""A simulator of the Wan video API (AceData Cloud) on loopback, quirks included.

Tests, benchmarks and the demo run against it; it never touches the network beyond loopback.
Magic prompt words (case-insensitive): fail, stall, hiccup, vanish, weird (see tasks.py);
"forbidden" or "nsfw" are refused by moderation.
Requests are judged by the simulator's own rules (rules.py, written from the API reference),
never by the client's code. Test hooks (no token): GET /_sim/stats, GET /_sim/requests (the
bodies received), GET/POST /_sim/control (settings), POST /_sim/seed (tasks "made by another
client"); the POST hooks answer loopback clients only.
"""

from .faults import FAULT_KINDS
from .seeding import MAX_SEED_TASKS
from .simulator import Simulator, serve
from .stats import SimStats
from .tasks import MAGIC_WORDS

__all__ = ["FAULT_KINDS", "MAGIC_WORDS", "MAX_SEED_TASKS", "SimStats", "Simulator",
           "serve"]
