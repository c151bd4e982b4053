"""Consent's whole life after the request that first recorded it (DOMAIN §1): the written form
arriving for a verbal consent, consent from another member or for another agency, and its
withdrawal, which ends exactly the access it gave and is a reason to close the episode."""
