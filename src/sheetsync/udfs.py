"""sheetsync in the district's own Excel: worksheet functions for xlwings.

This is the module every add-in names (the classic add-in's ``UDF Modules`` setting,
``addin/lite/main.py``): the classic add-in imports it and registers each attribute xlwings
decorated, so the six functions are here. They live in ``sheetsync.excel``: ``arguments``
(Excel's arguments and ranges as a scorecard), ``functions`` (the six functions, thin
wrappers over the engine of ``sheetsync check``: nothing applies a rule of its own) and
``addin`` (the add-ins' scripts' helpers).

The functions are declared with ``xlwings.func`` and ``xlwings.arg``, which xlwings Lite
(Excel on Windows, Mac and the web) and the classic add-in (Excel on Windows) register. On
Linux and macOS, and where xlwings is not installed, they are plain Python functions. The
module starts no threads and opens no sockets, so it runs in xlwings Lite's Pyodide.

How Excel passes arguments: ranges arrive as 2-D lists with ``None`` for empty cells
(``ndim=2``); dates as datetimes (classic add-in) or serial numbers (Lite); error values as
strings such as ``"#DIV/0!"`` (``err_to_str=True``), Office.js error objects or COM error
codes. All of them are read as the reader reads a file's cells.

What Excel does not pass is a cell's number format: a typed 46% arrives as 0.46, which
``sheetsync check`` reads from the file as 46. The functions read it as passed, and where a
measure's number could be such a percentage (a number between -1 and 1 other than 0) they
say they could not tell: SHEETSYNC_CHECK adds a ``format-unknown`` note at the cell, and the
status, progress and expected functions add "if 0.46 is not 46%" to that row's value.
"""

from sheetsync.errors import BadArgument
from sheetsync.excel.addin import check_grids, status_table, xlwings_conf_rows
from sheetsync.excel.arguments import read_grids, sheets_arg
from sheetsync.excel.functions import (
    SHEETSYNC_ALIGNMENT,
    SHEETSYNC_CHECK,
    SHEETSYNC_EXPECTED,
    SHEETSYNC_PROGRESS,
    SHEETSYNC_SMART,
    SHEETSYNC_STATUS,
    UDFS,
    alignment_table,
    findings_table,
    measure_statuses,
)

__all__ = [
    "SHEETSYNC_ALIGNMENT", "SHEETSYNC_CHECK", "SHEETSYNC_EXPECTED", "SHEETSYNC_PROGRESS",
    "SHEETSYNC_SMART", "SHEETSYNC_STATUS", "UDFS", "BadArgument", "alignment_table",
    "check_grids", "findings_table", "measure_statuses", "read_grids", "sheets_arg", "status_table",
    "xlwings_conf_rows",
]
