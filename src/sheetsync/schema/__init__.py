"""What a scorecard is, declared once: its sheets and columns (``layout``), its words and
colours (``vocabulary``), its status settings (``settings``), its school year
(``schoolyear``) and its cell addresses (``cells``).

Everything else (the template, the reader, the checks, the master, the reports, the Google
version and the docs) is driven from here.
"""
