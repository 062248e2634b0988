"""The API's JSON parser (DRF's, hardened). Its own module: DRF reads the parser setting when
``rest_framework.views`` is first imported, so the class cannot live beside the views' helpers."""

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body nested deeper than the interpreter's recursion limit
    (about 1,000 levels) refused as malformed instead of escaping as a RecursionError (a 500).
    No field of the API nests more than three levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON 嵌套层级过深。")) from None
