"""A moto server for tests that go through real HTTP (the CLI in a subprocess, botocore's whole stack)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from moto.server import ThreadedMotoServer


@contextmanager
def moto_server_url() -> Iterator[str]:
    """A moto server on 127.0.0.1, its state empty on entry and wiped on exit.

    In-process servers share moto's global backends, so without the resets the roles one test module seeds are
    still there for the next (``EntityAlreadyExists`` when two modules seed the same name).
    """
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    reset = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()
    try:
        yield url
    finally:
        urllib.request.urlopen(reset, timeout=10).close()
        server.stop()
