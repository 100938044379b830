"""Reminders for monthly updates that are due and not submitted (``sheetsync remind``).

``plan`` reads who is due from the store, ``message`` builds the e-mails, ``send`` talks to
the SMTP server, and ``run.remind`` ties them together; ``serve --remind`` calls the same
function.
"""

from sheetsync.remind.plan import KIND, due_month
from sheetsync.remind.run import Reminder, RemindReport, remind
from sheetsync.remind.send import SmtpTransport, Transport

__all__ = ["KIND", "RemindReport", "Reminder", "SmtpTransport", "Transport", "due_month",
           "remind"]
