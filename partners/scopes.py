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
    "actions:read": "Read the team around the family's actions the client owns",
    "actions:write": "Update the status of actions the client owns",
    "case_notes:read": "Read the case notes the client wrote",
    "case_notes:write": "Add case notes to families whose team the client is on",
    "changes:read": "Follow the change feed of everything the client may read",
    "outcomes:read": "Read outcomes and claim status",
    "evaluate": "Evaluate family snapshots against the outcomes plan",
}
