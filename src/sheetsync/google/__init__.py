"""Google Sheets and Drive: where half the districts keep their scorecards.

``constants`` states the addresses, MIME types, scopes and messages once; ``address`` reads
where a cohort entry points; ``client`` is the one client every Sheets and Drive request
goes through (reads, writes, Drive), over the ``session`` transport (bounded retries of
what ``errors`` marks transient, the quota limiter, request counts); ``auth`` finds
credentials and builds the client; ``sources`` reads district sheets for the pull;
``template`` and ``master`` write the template and the cohort master as Google Sheets.
Importing this package imports nothing from Google: the pull of a cohort of local
workbooks never needs it.
"""
