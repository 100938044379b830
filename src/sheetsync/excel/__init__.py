"""sheetsync in the district's own Excel: ``arguments`` (Excel's arguments and ranges as a
scorecard), ``functions`` (the six SHEETSYNC_* functions), ``addin`` (helpers for the add-ins'
scripts and settings). ``sheetsync.udfs`` is the public module the add-ins name."""
