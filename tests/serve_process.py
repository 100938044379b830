"""`sheetsync serve` as a real process on a free loopback port, for the tests to talk to
over HTTP: started, waited for (GET /health), stopped with SIGTERM, its log kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests import helpers
from tests.helpers import free_port


def copy_cohort(examples: Path, folder: Path) -> Path:
    """The example cohort, unpulled, in ``folder``; its cohort.toml."""
    return helpers.copy_cohort(examples, folder, unpulled=True) / "cohort.toml"


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "sheetsync.cli", *args]


def sheetsync(*args: str, cwd: Path, env: dict[str, str] | None = None,
              timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


class Service:
    """``sheetsync serve --cohort cohort.toml --port PORT ARGS`` run in ``folder``."""

    def __init__(self, folder: Path, *args: str, env: dict[str, str] | None = None,
                 token: str | None = None) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"serve-{self.port}.log"
        self.token = token
        self._log = open(self.log_path, "w")  # noqa: SIM115  (closed in stop)
        self.proc = subprocess.Popen(
            command("serve", "--cohort", "cohort.toml", "--port", str(self.port), *args),
            cwd=folder, stdout=self._log, stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})})

    def wait_ready(self, timeout: float = 90) -> Service:
        """Until GET /health answers and the first pull is in the store."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200 and \
                        self.get("/api/summary").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"serve did not get ready in {timeout} s:\n{self.log()}")

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**auth, **(extra or {})}

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.get(self.url + path, headers=self.headers(kw.pop("headers", None)),
                         timeout=kw.pop("timeout", 60), **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.post(self.url + path, headers=self.headers(kw.pop("headers", None)),
                          timeout=kw.pop("timeout", 300), **kw)

    def pull(self) -> dict[str, Any]:
        """A pull through the API, waited for; its status."""
        answer = self.post("/api/pull?wait=true")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as systemd stops it; the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode

    def __enter__(self) -> Service:
        return self.wait_ready()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def big_cohort(examples: Path, folder: Path, n: int, turn: int = 0) -> Path:
    """A cohort of ``n`` districts in ``folder``, their workbooks copies of the six examples
    (``turn`` shifts which example each district gets, so a second call changes every
    file); its cohort.toml."""
    import zipfile

    seeds = sorted((examples / "districts").glob("*.xlsx"))
    (folder / "districts").mkdir(parents=True, exist_ok=True)
    lines = ["[cohort]", f'name = "Load cohort of {n}"', 'school_year = "2026-27"', "",
             "[master]", 'path = "cohort_master.xlsx"', ""]
    for i in range(1, n + 1):
        k = (i + turn) % len(seeds)
        old, new = f">KY-{k + 1:03d}<".encode(), f">KY-{i:04d}<".encode()
        with zipfile.ZipFile(seeds[k]) as src, \
                zipfile.ZipFile(folder / "districts" / f"d{i:04d}.xlsx", "w",
                                zipfile.ZIP_DEFLATED) as out:
            for item in src.infolist():
                data = src.read(item)
                out.writestr(item, data.replace(old, new)
                             if item.filename.startswith("xl/worksheets/") else data)
        lines += ["[[district]]", f'id = "KY-{i:04d}"', f'name = "District {i}"',
                  f'source = "districts/d{i:04d}.xlsx"', ""]
    (folder / "cohort.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder / "cohort.toml"
