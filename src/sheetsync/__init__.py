"""sheetsync: District Scorecard templates, checks, progress status and the monthly pull.

The command line is ``sheetsync``; the library's entry points are
``sheetsync.check.assess.check_workbook`` (one district) and
``sheetsync.pull.run.pull`` (a cohort).
"""

__version__ = "0.1.0"
