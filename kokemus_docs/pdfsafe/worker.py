"""The reading process as its caller sees it: started once, replaced when a file overruns the time limit."""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from kokemus_docs.pdfsafe.limits import (
    MAX_REPLY_BYTES,
    READ_WAIT_FACTOR,
    WORKER_START_LIMIT,
    ReaderUnavailable,
)


class _Worker:
    """A child Python process that parses one file at a time; requests and replies travel over two pipes,
    replies as JSON (never pickles: the child handles hostile bytes)."""

    def __init__(self) -> None:
        from multiprocessing.connection import Connection

        to_child, from_parent = os.pipe()
        from_child, to_parent = os.pipe()
        for descriptor in (from_parent, from_child):
            _widen(descriptor)
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH", "")]))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "import sys; from kokemus_docs.pdfsafe.walk import serve; "
                                       "serve(int(sys.argv[1]), int(sys.argv[2]))", str(to_child), str(to_parent)],
                pass_fds=(to_child, to_parent), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
        finally:
            os.close(to_child)
            os.close(to_parent)
        self.owner = os.getpid()
        self.requests = Connection(from_parent, readable=False)
        self.replies = Connection(from_child, writable=False)
        if not self.replies.poll(WORKER_START_LIMIT):
            self.stop()
            raise ReaderUnavailable(f"did not start within {WORKER_START_LIMIT:g} seconds")
        try:
            self.replies.recv_bytes(64)
        except (EOFError, OSError):
            self.stop()
            raise ReaderUnavailable("did not start (see the messages above)") from None

    def run(self, request: dict, data: bytes, time_limit: float) -> dict:
        """The worker's reply; {'error': 'too-complex', ...} when it overruns `time_limit`. Raises EOFError or
        OSError when the worker has ended (before or while reading the file)."""
        used_before = _processor_seconds(self.process.pid)
        self.requests.send_bytes(json.dumps(request).encode() + b"\n" + data)
        if not self._answers_within(time_limit, used_before):
            self.stop(kill=True)
            return {"error": "too-complex",
                    "what": f"reading the PDF took longer than {time_limit:g} seconds and was stopped"}
        try:
            reply = self.replies.recv_bytes(MAX_REPLY_BYTES)
        except OSError:  # an answer longer than any form's
            self.stop(kill=True)
            return {"error": "too-complex", "what": "the PDF holds far more than a form"}
        try:
            return json.loads(reply)
        except ValueError:
            self.stop(kill=True)
            return {"error": "damaged", "what": "the PDF reader's answer cannot be used"}

    def _answers_within(self, time_limit: float, used_before: float | None) -> bool:
        """Whether the reply (or the end of the worker) comes before the worker has spent `time_limit` seconds of
        processor time on the file. Time spent waiting for a processor on a busy machine does not count against
        the file, but READ_WAIT_FACTOR times the limit is the most it is waited for; where the system does not
        tell a process's processor time, the time limit is wall-clock time."""
        deadline = time.monotonic() + READ_WAIT_FACTOR * time_limit
        wait = time_limit
        while not self.replies.poll(wait):
            used = _processor_seconds(self.process.pid)
            left = deadline - time.monotonic()
            if used is None or used_before is None or used - used_before >= time_limit or left <= 0:
                return False
            wait = min(max(time_limit - (used - used_before), 0.05), left)
        return True

    def alive(self) -> bool:
        return self.process.poll() is None and self.owner == os.getpid()

    def stop(self, kill: bool = False) -> None:
        if self.owner != os.getpid():
            return  # a copy of the parent's handle in a forked process: the worker is not ours to stop
        if kill:
            self.process.kill()
        for connection in (self.requests, self.replies):
            connection.close()
        try:
            self.process.wait(timeout=0.5)  # it ends by itself once its request pipe is closed
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _processor_seconds(pid: int) -> float | None:
    """The processor time (user and system) a child process has used so far, or None where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _widen(pipe: int) -> None:
    """Let a pipe hold a whole form (1 MB instead of 64 KB), so that handing one over takes one switch between
    the processes rather than several (which a busy machine makes slow); where the system allows it."""
    try:
        import fcntl

        fcntl.fcntl(pipe, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1024 * 1024)
    except (ImportError, OSError):
        pass


class _Workers:
    """The process's one worker, shared by its threads (one file at a time), started when first needed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.worker: _Worker | None = None

    def run(self, request: dict, data: bytes, time_limit: float) -> dict:
        with self.lock:
            for attempt in range(2):
                if self.worker is None or not self.worker.alive():
                    if self.worker is not None:
                        self.worker.stop()
                    self.worker = _Worker()
                worker = self.worker
                try:
                    reply = worker.run(request, data, time_limit)
                except (EOFError, OSError):
                    # The worker ended: after the last file (out of memory), or while reading this one (its
                    # memory limit, a crash in C code, or stopped from outside). A fresh one tries it once more.
                    worker.stop(kill=True)
                    self.worker = None
                    if attempt:
                        return {"error": "too-complex",
                                "what": "the PDF stopped the reader twice (it needs too much memory or is damaged)"}
                    continue
                except BaseException:  # interrupted: the answer still to come must not be taken for the next file's
                    worker.stop(kill=True)
                    self.worker = None
                    raise
                if not worker.alive():
                    worker.stop()
                    self.worker = None
                return reply
        raise AssertionError("unreachable")

    def stop(self) -> None:
        with self.lock:
            if self.worker is not None:
                self.worker.stop()
                self.worker = None


WORKERS = _Workers()
atexit.register(WORKERS.stop)
