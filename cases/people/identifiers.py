"""Identifiers a person may carry, each checked with a specific error message.

- NHS number: ten digits, the last a modulus 11 check digit.
- National Insurance number: two prefix letters, six digits, a suffix A–D,
  with the prefixes HMRC never issues refused.
- Unique pupil number (UPN): a check letter then twelve characters (DfE's
  modulus 23 scheme; a temporary UPN ends with a letter).
"""

import re

from django.core.exceptions import ValidationError

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S


def normalise_identifier(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None where no valid number can end them."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def validate_nhs_number(value: str) -> None:
    number = normalise_identifier(value)
    if not re.fullmatch(r"\d{10}", number):
        raise ValidationError("NHS number must be 10 digits, like 943 476 5919", code="format")
    if nhs_check_digit(number[:9]) != int(number[9]):
        raise ValidationError(
            "NHS number is not valid: check the digits (the last one does not match)",
            code="check_digit",
        )


_NI_FIRST_BANNED = set("DFIQUV")
_NI_SECOND_BANNED = set("DFIOQUV")
_NI_PREFIX_BANNED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def validate_ni_number(value: str) -> None:
    number = normalise_identifier(value)
    if not re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", number):
        raise ValidationError(
            "National Insurance number must be 2 letters, 6 numbers, then A, B, C or D, "
            "like QQ 12 34 56 C",
            code="format",
        )
    prefix = number[:2]
    if prefix[0] in _NI_FIRST_BANNED or prefix[1] in _NI_SECOND_BANNED:
        raise ValidationError(
            f"National Insurance number cannot start with {prefix}", code="prefix"
        )
    if prefix in _NI_PREFIX_BANNED:
        raise ValidationError(
            f"National Insurance number cannot start with {prefix}", code="prefix"
        )


def upn_check_letter(body: str) -> str:
    """The check letter for the twelve characters after it."""
    total = 0
    for weight, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else UPN_LETTERS.index(char)
        total += value * weight
    return UPN_LETTERS[total % 23]


def validate_upn(value: str) -> None:
    upn = normalise_identifier(value)
    if not re.fullmatch(rf"[{UPN_LETTERS}]\d{{11}}[\d{UPN_LETTERS}]", upn):
        raise ValidationError(
            "Unique pupil number must be a letter followed by 12 characters, like A123456789012",
            code="format",
        )
    if upn_check_letter(upn[1:]) != upn[0]:
        raise ValidationError(
            "Unique pupil number is not valid: the first letter does not match the rest",
            code="check_letter",
        )
