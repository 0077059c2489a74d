"""Dash callbacks, one module per page; importing this package registers them all."""

from callbacks import engine, overview

__all__ = ["engine", "overview"]
