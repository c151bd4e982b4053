"""JSON from outside (an uploaded file, a request body), read with a limit on its nesting.

Python's parser recurses once per level, so `[` × 100,000 raises RecursionError, a server
error; and a document just under the interpreter's limit parses, then breaks the next
recursive step (a repr in a message, a serializer, PostgreSQL's jsonb). Nothing this service
reads nests more than a few levels (a family snapshot, the deepest, about six), so anything
deeper than MAX_DEPTH is refused with a message saying so. NaN and Infinity are refused too:
they are not JSON, and PostgreSQL's jsonb would refuse them later.
"""

import json

MAX_DEPTH = 32


class NestedTooDeep(ValueError):
    def __init__(self, max_depth: int = MAX_DEPTH):
        super().__init__(f"it is nested more than {max_depth} levels deep")


def loads(text: str, *, max_depth: int = MAX_DEPTH):
    """`json.loads`, refusing NaN, Infinity and nesting deeper than `max_depth` (ValueError)."""
    try:
        data = json.loads(text, parse_constant=_not_json)
    except RecursionError:
        raise NestedTooDeep(max_depth) from None
    if too_deep(data, max_depth):
        raise NestedTooDeep(max_depth)
    return data


def too_deep(data, max_depth: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest more than `max_depth` levels (`[]` is one level)."""
    stack = [(data, 1)] if isinstance(data, dict | list) else []
    while stack:  # a loop, not recursion: the depth is what is being checked
        value, depth = stack.pop()
        if depth > max_depth:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _not_json(name: str):
    raise ValueError(f"{name} is not a JSON value")
