"""What a partner system may be allowed to do, one scope per resource and action.

Plain data, so that settings (django-oauth-toolkit's scope list) and the
models read the same list.
"""

SCOPES = {
    "families:read": "Read families and persons the agency may see",
    "requests:write": "Send requests for support",
    "requests:read": "Read the status of the agency's own requests",
    "evidence:write": "Send evidence, singly or in bulk files",
    "evidence:read": "Read evidence of families the agency may see",
    "outcomes:read": "Read outcomes and claim status",
    "evaluate": "Evaluate family snapshots against the outcomes plan",
}
