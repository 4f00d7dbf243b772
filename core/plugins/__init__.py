"""The plugin system: hook specifications and the per-runtime plugin manager."""

from .hookspecs import PROJECT, hookimpl, hookspec

__all__ = ["PROJECT", "hookimpl", "hookspec"]
