"""A consultant's cohort: the cohort file (``model``, read and written by ``file``, checked by
``fields``), the roster, a school cohort's district plan (``schools``), and the store that
keeps every month (``store``, ``places``)."""
