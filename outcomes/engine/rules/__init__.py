"""The rules of the Family Outcomes Plan, one named function per indicator and per outcome.

Importing this package registers every rule; the plan names them (`"rule": "…"`).
"""

from . import abuse, attendance, children, crime, health, nominated, school, work  # noqa: F401  (register)
from .base import INDICATOR_RULES, OUTCOME_RULES, RuleSpec

__all__ = ["INDICATOR_RULES", "OUTCOME_RULES", "RuleSpec"]
