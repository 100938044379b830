"""``sheetsync serve``: one process that pulls on a schedule, serves the live dashboard (the
report's own pages) and a JSON API, and, with ``--remind``, sends the reminders due.

``settings`` turns options and the environment into checked settings (loopback unless a
token protects it, a token hard to guess, a store that is whole); ``scheduler`` runs the
pulls, one at a time, under the store's lock, in the process ``worker`` keeps (one that
ends with the service); ``pages`` renders the dashboard from the report views and keeps
what it rendered; ``events`` tells open pages a pull landed; ``auth`` guards every request
(the Host, the token); ``signin`` keeps the sessions and slows wrong tokens; ``limits``
bounds every request's headers, body and time; ``observe`` is the log (prose or JSON) and
the metrics; ``app`` ties them together under uvicorn.
"""

from sheetsync.serve.settings import Settings, parse_every, read_token

__all__ = ["Settings", "parse_every", "read_token"]
