"""wan-tui: generate videos with Alibaba's Wan models (2.6 and 3.0) from the terminal."""

__version__ = "0.1.0"
