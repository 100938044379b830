"""Worker processes that belong to the command that started them (the pull's readers, the
master's encoders): how to start them, and how each makes sure it never outlives its parent.

Workers are forked on Linux when the process has no other thread (nothing to copy but
memory: they start at once with everything already imported), else started from a fork
server (Linux, from a process with threads: forking one is unsafe) or the system's default.
A daemonic process (``multiprocessing`` forbids it children, as the service's pull worker)
gets no pool at all: its work is done in it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from contextlib import suppress
from multiprocessing.context import BaseContext


def may_have_children() -> bool:
    """A pool may be started here (this process is not a daemonic one)."""
    return not multiprocessing.current_process().daemon


def context() -> tuple[BaseContext, int | None]:
    """How to start workers here, and this process's id when they are forked (each checks
    it is still its parent, ``as_child``)."""
    if not sys.platform.startswith("linux"):
        return multiprocessing.get_context(), None
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork"), os.getpid()
    return multiprocessing.get_context("forkserver"), None


def as_child(parent: int | None) -> None:
    """In a worker, first: Ctrl+C is the parent's to handle, and on Linux the worker is
    killed when its parent dies (``parent``: the parent's id when forked, checked once the
    kill is armed, in case the parent died before)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if parent is not None and os.getppid() != parent:
        os._exit(1)
