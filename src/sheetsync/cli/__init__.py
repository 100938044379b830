"""The ``sheetsync`` command: a thin layer over the library, one module per command group.

Every command's failures go through ``cli.exit`` (one ``Failure``, one table of exit codes).
"""

from sheetsync.cli.commands import main

__all__ = ["main"]
