"""The API's OpenAPI 3.1 description, written out (GET /openapi.json)."""

from __future__ import annotations

from typing import Any

_ID = {"name": "district_id", "in": "path", "required": True, "schema": {"type": "string"},
       "description": "A district id of the cohort, e.g. KY-003."}
_ERROR = {"description": "See `detail`.", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"detail": {"type": "string"}}}}}}
_JSON = {"application/json": {"schema": {"type": "object"}}}


def _get(summary: str, description: str, ok: str, params: list[Any] | None = None,
         errors: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"get": {"summary": summary, "description": description,
                    "parameters": params or [],
                    "responses": {"200": {"description": ok, "content": _JSON},
                                  **{e: _ERROR for e in errors}}}}


def openapi(version: str) -> dict[str, Any]:
    job = "The pull: id, state (queued, running, done, failed, skipped), times, totals."
    return {
        "openapi": "3.1.0",
        "info": {"title": "sheetsync", "version": version,
                 "description": "The cohort's latest pull, as `sheetsync pull --json` and "
                                "`sheetsync check --json` print it. With a token, every call "
                                "needs `Authorization: Bearer TOKEN`."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}, {}],
        "paths": {
            "/api/summary": _get("The latest pull", "Exactly `sheetsync pull --json` of the "
                                 "latest pull (the service's or the command's). 503 before "
                                 "the first pull, and when the store cannot be used.",
                                 "The pull summary.", errors=("401", "503")),
            "/api/districts/{district_id}": _get(
                "One district's check", "Exactly `sheetsync check --json` of the district's "
                "latest good read; 503 when the store cannot be used.", "The check "
                "result.", [_ID], ("401", "404", "503")),
            "/api/pull": {"post": {
                "summary": "Pull now",
                "description": "Asks for a pull (the one already waiting, if any). Answers "
                               "202 with its status URL, or with `?wait=true` 200 when it is "
                               "done (429 when 32 callers already wait). Refused (403) from "
                               "another site's page, and (503, saying why) when the store "
                               "cannot be used.",
                "parameters": [{"name": "wait", "in": "query", "required": False,
                                "schema": {"type": "boolean"}}],
                "responses": {"202": {"description": job, "content": _JSON},
                              "200": {"description": job, "content": _JSON},
                              "401": _ERROR, "403": _ERROR, "429": _ERROR,
                              "503": _ERROR}}},
            "/api/pulls/{job_id}": _get("A pull's status", job, job,
                                        [{"name": "job_id", "in": "path", "required": True,
                                          "schema": {"type": "string"}}], ("401", "404")),
            "/health": {"get": {
                "summary": "Is it up", "description": "`{\"status\": \"ok\"}`, or 503 "
                "`{\"status\": \"store-unusable\", \"detail\": ...}` when the store cannot "
                "be used (nothing is pulled; the last master is served); needs no token.",
                "responses": {"200": {"description": "Up.", "content": _JSON},
                              "503": {"description": "Up, but the store cannot be used.",
                                      "content": _JSON}}}},
            "/master.xlsx": {"get": {
                "summary": "The master", "description": "The master workbook as the last "
                "pull left it (also when the store cannot be used).",
                "responses": {"200": {"description": "The .xlsx file.", "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}}}},
                    "401": _ERROR, "404": _ERROR}}},
            "/metrics": {"get": {
                "summary": "Metrics", "description": "The Prometheus text format: the last "
                "pull's time, duration and districts, reminders, requests by route and status.",
                "responses": {"200": {"description": "The metrics.",
                                      "content": {"text/plain": {"schema": {"type": "string"}}}},
                              "401": _ERROR}}},
        },
    }
