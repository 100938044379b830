"""The school year turns: one writer for a scorecard, next year's draft (rollover) and a
workbook moved onto the current template (upgrade).

``writer`` fills the template from a ``Scorecard`` (the inverse of the reader); ``rollover``
and ``upgrade`` read a workbook, change the model, and write it back through the writer;
``changes`` is the plain-language list of what each did.
"""
