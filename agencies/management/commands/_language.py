"""Which language a command reports in: ``--language``, else ``$LANGUAGE``, else the active one."""

import os

from django.utils import translation


def command_language(option: str | None) -> str | None:
    """A supported language code, or None to keep the active language (zh-hans by default).

    ``$LANGUAGE`` is the gettext variable (``en_US:en``): its first entry counts.
    """
    raw = option or os.environ.get("LANGUAGE", "").split(":")[0]
    raw = raw.split(".")[0].strip()
    if not raw:
        return None
    try:
        return translation.get_supported_language_variant(translation.to_language(raw))
    except LookupError:
        if raw.lower().startswith("zh"):
            return "zh-hans"
        return None
