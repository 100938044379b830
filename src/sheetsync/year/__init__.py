"""The school year turns: next year's draft (rollover) and a workbook moved onto the current
template (upgrade).

``rollover`` and ``upgrade`` read a workbook, change the model, and write it back through
the template's one writer (``template.fill``); ``changes`` is the plain-language list of
what each did; ``cohort`` rolls a whole cohort over.
"""
