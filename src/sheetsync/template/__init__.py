"""The District Scorecard workbook a district fills in: sheets, formulas, printing, examples."""
