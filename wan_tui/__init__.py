"""wan-tui: generate videos with Alibaba's Wan 2.6 models from the terminal."""

__version__ = "0.1.0"
