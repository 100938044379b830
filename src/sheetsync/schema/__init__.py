"""What a scorecard is, declared once: its sheets and columns, its words, its school year.

Everything else (the template, the reader, the checks, the master, the reports, the Google
version and the docs) is driven from here.
"""
