"""A consultant's cohort of districts: the cohort file and roster, where each district's
workbook lives, the monthly pull, and the store that keeps every month."""
