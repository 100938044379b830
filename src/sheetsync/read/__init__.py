"""Reading a district's workbook: open the file, find its tables, clean what was typed.

``sniff`` checks a file before any parser sees it; ``source`` opens it (or a Google
Sheet's values) as rows;
``rows`` finds each sheet's header and rows; ``coerce`` turns typed text into numbers and
dates; ``scorecard`` assembles the ``models`` a check and a pull work on.
"""
