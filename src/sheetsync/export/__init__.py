"""A scorecard in another body's format: ``sheetsync export``.

``kde_cdip`` lays a District Scorecard (or a school plan, which shares its model) out in
Kentucky's CDIP/CSIP goal-building columns; ``write`` writes such a table as a workbook.
"""
