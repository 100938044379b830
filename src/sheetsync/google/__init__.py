"""Google Sheets and Drive: where half the districts keep their scorecards.

``api`` is the transport (base URL, bounded retries, the quota limiter, request counts);
``auth`` finds credentials and builds the client; ``sources`` reads district sheets for
the pull. Importing this package imports nothing from Google: the pull of a cohort of
local workbooks never needs it.
"""
