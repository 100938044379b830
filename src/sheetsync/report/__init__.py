"""Reports people read: the district's monthly status report, the cohort report and a site.

The pipeline: ``data`` turns a district's stored (or freshly checked) scorecard into plain
data, ``charts`` draws that data as inline SVG, ``html`` renders the Jinja2 templates,
``pdf`` prints the HTML with WeasyPrint and ``site`` writes a folder of pages.
"""
