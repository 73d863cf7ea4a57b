"""Run `python -m mockgraph serve` as a user would, for tests over real HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

LISTENING = re.compile(r"^mockgraph listening on (https?://\S+/beta)$")


class ServedMock:
    def __init__(self, *args: str, quiet: bool = True, timeout: float = 30):
        argv = [sys.executable, "-m", "mockgraph", "serve", "--port", "0", *args]
        if quiet:
            argv.append("--quiet")
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.base_url = self._wait_for_line(timeout)

    def _wait_for_line(self, timeout: float) -> str:
        found: list[str] = []

        def read():
            line = self.process.stdout.readline()
            found.append(line.strip())

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        match = LISTENING.match(found[0]) if found else None
        if not match:
            self.process.kill()
            raise RuntimeError(f"server did not start: {found} {self.process.stderr.read()}")
        return match.group(1)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> str:
        """Stop politely; the server's stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.stderr.read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
