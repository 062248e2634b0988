"""A local webhook receiver for tests and the benchmark: records every POST and answers from a
script of status codes (then 200)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, script=(), delay: float = 0.0):
        self.script = list(script)
        self.delay = delay
        self.requests: list[tuple[dict, bytes]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append((dict(self.headers), body))
                    code = receiver.script.pop(0) if receiver.script else 200
                if receiver.delay:
                    import time

                    time.sleep(receiver.delay)
                self.send_response(code)
                if 300 <= code < 400:
                    self.send_header("Location", "http://elsewhere.invalid/")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":  # a receiver in its own process (the benchmark): prints its URL
    import sys

    with Receiver(delay=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0) as served:
        print(served.url, flush=True)
        served.thread.join()
