"""A URLconf with ``i18n_patterns``, for the locale middleware's test: the project's own has
none, and with one the middleware must behave exactly as Django's."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path
from django.utils import translation


def language(request):
    return HttpResponse(translation.get_language())


urlpatterns = i18n_patterns(path("language/", language), prefix_default_language=True)
