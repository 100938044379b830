"""The monthly pull and what drives the stages for a whole cohort: ``run`` (read, check and
store every district, then write the master), ``distribute`` (a copy of the template per
district, or a plan per school: ``schools``), ``add_folder``, ``rebuild`` (the master again
from the store) and ``history`` (a measure's months; dropping a month)."""
