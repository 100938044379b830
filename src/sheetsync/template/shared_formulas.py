"""``formulas_shared`` where it was before openpyxl's internals moved to ``_openpyxl``."""

from sheetsync.template._openpyxl import formulas_shared

__all__ = ["formulas_shared"]
