"""``sheetsync serve``: one process that pulls on a schedule, serves the live dashboard (the
report's own pages) and a JSON API, and, with ``--remind``, sends the reminders due.

``settings`` turns options and the environment into checked settings (loopback unless a
token protects it); ``scheduler`` runs the pulls, one at a time, under the store's lock;
``pages`` renders the dashboard from the report views and keeps what it rendered;
``events`` tells open pages a pull landed; ``auth`` guards every request; ``app`` ties
them together under uvicorn.
"""

from sheetsync.serve.settings import Settings, parse_every, read_token

__all__ = ["Settings", "parse_every", "read_token"]
