"""Reading a district's workbook: open the file, find its tables, clean what was typed.

``source`` opens a file (or a Google Sheet's values) whatever it turns out to be;
``rows`` finds each sheet's header and rows; ``coerce`` turns typed text into numbers and
dates; ``scorecard`` assembles the ``models`` a check and a pull work on.
"""
