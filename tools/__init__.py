"""The tools other agents embed, and the small HTTP client behind them.

Import what you need from its module (``tools.client``, ``tools.models``...):
this package imports nothing at start-up so a tool host pays only for what it uses.
"""

from tools._version import __version__

__all__ = ["__version__"]
