"""The cohort master: one workbook of every district, month by month, built from the store."""
