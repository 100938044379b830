"""What sheetsync says to Google, and about Google, stated once: the API addresses, the
MIME types, the scopes, and the sentences a facilitator reads when Google is out of reach.

Importing this module imports only ``datetime`` (the CLI reads it at start-up through
``address``).
"""

from __future__ import annotations

from datetime import datetime

# -- where requests go ----------------------------------------------------------------------

SHEETS_ORIGIN = "https://sheets.googleapis.com"
DRIVE_ORIGIN = "https://www.googleapis.com"
GOOGLE_ORIGINS = (SHEETS_ORIGIN, DRIVE_ORIGIN)  # what SHEETSYNC_GOOGLE_API_URL replaces
SHEETS_API = f"{SHEETS_ORIGIN}/v4/spreadsheets"
DRIVE_API = f"{DRIVE_ORIGIN}/drive/v3"
DRIVE_FILES_URL = f"{DRIVE_API}/files"
DRIVE_ABOUT_URL = f"{DRIVE_API}/about"
SHEETS_WEB = "https://docs.google.com/spreadsheets/d"  # a sheet's address in a browser
ENV_API_URL = "SHEETSYNC_GOOGLE_API_URL"

EPOCH = datetime(1899, 12, 30)  # day 0 of the date serials Sheets reads and writes

# -- what files are ---------------------------------------------------------------------------

SHEET_MIME = "application/vnd.google-apps.spreadsheet"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM_MIME = "application/vnd.ms-excel.sheet.macroEnabled.12"
WORKBOOK_MIMES = {XLSX_MIME: ".xlsx", XLSM_MIME: ".xlsm"}  # Drive-hosted workbooks we read

# -- what sheetsync may do ----------------------------------------------------------------------

READONLY_SCOPES = ("https://www.googleapis.com/auth/spreadsheets.readonly",
                   "https://www.googleapis.com/auth/drive.readonly")
FULL_SCOPES = ("https://www.googleapis.com/auth/spreadsheets",
               "https://www.googleapis.com/auth/drive")

# -- when Google answers "not now" ------------------------------------------------------------

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
RATE_LIMIT_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded"})  # Drive's 403

# -- sentences --------------------------------------------------------------------------------

NO_CREDENTIALS = ("no Google credentials: pass --credentials KEY.json, set "
                  "GOOGLE_APPLICATION_CREDENTIALS, or run `sheetsync auth login`")
TRANSIENT = "Google is rate-limiting or unavailable; try again later"
NOT_AN_ADDRESS = ("not a Google Sheets or Drive file address; use the sheet's URL "
                  "(https://docs.google.com/spreadsheets/d/…) or gsheet:KEY")
