"""How long free text may be: one limit for every text a person writes into a box.

A case note, a plan action or a reason is refused past it, on its page and through the API,
with a message that says the limit (GOV.UK: "[Field] must be [n] characters or fewer").
"""

TEXT_MAX = 10_000


def too_long(label: str, limit: int = TEXT_MAX) -> str:
    label = str(label).rstrip("?").strip()
    return f"{label[:1].upper()}{label[1:]} must be {limit:,} characters or fewer"
