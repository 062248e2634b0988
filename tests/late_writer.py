"""A second connection that writes a row and keeps its transaction open until told to commit,
the way a slow request does (PostgreSQL tests of consumers that read a table by id)."""

import threading
from collections.abc import Callable

from django.db import connection, transaction


class LateWriter:
    """Runs ``write`` (returning the id of the row it wrote) in a transaction of its own
    thread and connection; ``commit`` ends that transaction."""

    def __init__(self, write: Callable[[], int]):
        self.write = write
        self.written, self.release = threading.Event(), threading.Event()
        self.row_id, self.errors = None, []
        self.thread = threading.Thread(target=self.run)
        self.thread.start()
        assert self.written.wait(10), self.errors
        assert self.row_id is not None, self.errors

    def run(self):
        try:
            with transaction.atomic():
                self.row_id = self.write()
                self.written.set()
                assert self.release.wait(10)
        except Exception as exc:  # surfaced by the test
            self.errors.append(exc)
            self.written.set()
        finally:
            connection.close()

    def commit(self):
        self.release.set()
        self.thread.join()
        assert self.errors == []
