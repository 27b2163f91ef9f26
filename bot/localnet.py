"""Local servers: a free port on 127.0.0.1, and waiting until a started server answers.

Used by the cluster, the benches and the tests, which start real servers on free ports.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 240) -> float:
    """Seconds until `url` answered 2xx/3xx; RuntimeError if `process` exited first, TimeoutError after `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a local server we started
                return time.monotonic() - start
        except OSError:  # not listening yet, or an error status
            time.sleep(0.3)
    raise TimeoutError(f"{url} not ready after {timeout}s")
