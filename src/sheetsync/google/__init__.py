"""Google Sheets and Drive: the adapter every Google feature goes through.

``constants`` states the addresses, MIME types, scopes and messages once; ``address`` reads
where a cohort entry points; ``client`` is the one client every Sheets and Drive request
goes through (reads, writes, Drive), over the ``session`` transport (bounded retries of
what ``errors`` marks transient, the quota limiter, request counts); ``auth`` finds
credentials and builds the client. The Google features live beside the feature they serve
(``read.google``, ``template.google``, ``master.google``); this package imports none of
them. Importing it imports nothing from Google: the pull of a cohort of local workbooks
never needs it.
"""
