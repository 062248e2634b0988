"""The benchmarks' shared load generator (benchmarks/http_load.py) counts what the server
answered: successes with their latencies, other statuses and dropped connections as errors,
and reconnects when the server closes the connection."""

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import http_load


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the answer says close
    connections: set = set()

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        Handler.connections.add(self.client_address)
        status = 400 if self.path == "/bad" else 201
        body = b"{}"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/close":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Handler.connections = set()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_clients_tally_successes_errors_and_reconnect_after_close(port):
    def loop(n):
        client = http_load.KeepAliveClient(port)
        for path in ("/ok", "/ok", "/bad", "/close", "/ok"):
            client.request("POST", path, body=b"x", ok=201)
        client.close()
        return client.tally

    total, wall = http_load.run_clients(3, loop)
    assert wall > 0
    assert (total.ok, total.errors) == (12, 3)
    assert total.statuses == {201: 12, 400: 3}
    assert len(total.latencies) == 12
    # Each client reopened its connection once, after the server's "Connection: close".
    assert len(Handler.connections) == 6


def test_a_refused_connection_is_an_error_not_a_crash(port):
    client = http_load.KeepAliveClient(port + 1 if port < 65535 else port - 1, timeout=1)
    assert client.request("POST", "/ok", body=b"x") is None
    assert (client.tally.ok, client.tally.errors, client.tally.statuses) == (
        0,
        1,
        {"connection": 1},
    )


def test_latency_line_reads_the_percentiles():
    # 1 … 100 ms: the nearest rank (index rounded half to even, as the benchmarks always did).
    line = http_load.latency_line([0.001 * i for i in range(100, 0, -1)])
    assert line == "latency ms: p50 51.0  p95 95.0  p99 99.0  mean 50.5  max 100.0"
    assert http_load.latency_line([]) == "latency ms: no successful request"
