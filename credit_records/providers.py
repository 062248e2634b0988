"""Pluggable parts of an agency's credit profile that other apps supply.

``GET /api/v1/agencies/{id}/credit/`` and the profile pages show ``active_sanctions`` and
``restricted_measures``; they come from the sanctions app, which ``credit_records`` must not
import. The sanctions app registers a provider in its ``AppConfig.ready``::

    from credit_records.providers import register_profile_provider
    register_profile_provider(sanctions_profile)  # (agency_id) -> {"active_sanctions": [...],
                                                  #                 "restricted_measures": [...]}

Without a provider both lists are empty. Several providers are merged (lists concatenated).
"""

from collections.abc import Callable

ProfileProvider = Callable[[int], dict]

_providers: list[ProfileProvider] = []
PROFILE_KEYS = ("active_sanctions", "restricted_measures")


def register_profile_provider(provider: ProfileProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def unregister_profile_provider(provider: ProfileProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def profile_extras(agency_id: int) -> dict[str, list]:
    extras: dict[str, list] = {key: [] for key in PROFILE_KEYS}
    for provider in _providers:
        supplied = provider(agency_id) or {}
        for key in PROFILE_KEYS:
            extras[key] += list(supplied.get(key, []))
    return extras
