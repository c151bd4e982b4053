"""The API's JSON parser: DRF's, refusing JSON nested deeper than any request of ours needs.

`[` × 100,000 as a body made Python's parser recurse until it gave up (a server error);
now it is a 400 problem, like any body that is not JSON.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from earlyhelp import json_input

TOO_DEEP = f"JSON parse error - {json_input.NestedTooDeep()}"


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if json_input.too_deep(data):
            raise ParseError(TOO_DEEP)
        return data
