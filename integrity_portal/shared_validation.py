"""Request bodies validated by one serializer instance per language, instead of a new
serializer per request, on the two endpoints DESIGN section 10 sets speed targets for.

DRF builds a serializer's fields anew for every instance (``Serializer.fields`` deep-copies
every declared field). After the standard fixes, that copy was the largest single cost left on
both hot paths: 16% of a submission's instructions (14.8 → 12.4 M per request) and 17% of a
credit check's (3.59 → 2.98 M), counted with ``benchmarks/request_cpu.py intake --instructions``
and ``… credit-check --instructions`` (valgrind, 200 and 500 requests); it is what let the
intake keep up with the bare-DRF yardstick and the credit check with its throughput target.

Why one instance can serve every request and thread: validation keeps nothing on the
serializer — ``run_validation(data)``, the public method ``is_valid`` calls, returns the
validated data or raises ``ValidationError`` with the same detail ``is_valid`` would — and a
relation field clones its queryset for each lookup. Messages DRF formats once when a field is
built (``max_length``, ``min_value``: a ``lazy_format`` keeps its first text) come out in the
reader's language because each language has its own instance. Only for serializers that read
no ``context``. Public DRF API only.
"""

import threading

from django.utils.translation import get_language

_instances: dict[tuple[type, str | None], object] = {}
_lock = threading.Lock()


def validated_data(serializer_class, data) -> dict:
    """What ``serializer_class(data=data).is_valid(raise_exception=True)`` would leave in
    ``validated_data`` (or the ``ValidationError`` it would raise)."""
    key = (serializer_class, get_language())
    serializer = _instances.get(key)
    if serializer is None:
        with _lock:
            serializer = _instances.get(key)
            if serializer is None:
                serializer = serializer_class()
                serializer.fields  # noqa: B018 — bind the fields before any thread shares it
                _instances[key] = serializer
    return serializer.run_validation(data)
