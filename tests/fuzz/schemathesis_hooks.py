"""Schemathesis checks of our own (loaded into .venv-tools by tests/test_api_fuzz.py).

Runs in the tools environment, not the project's: imports nothing but schemathesis.
"""

import re

import schemathesis

# A Vietnamese phone number in clear (0xxxxxxxxx / +84…) or a 12-digit ID number.
_CLEAR_PHONE = re.compile(r"(?<![\d*])(?:\+?84|0)\d{9,10}(?!\d)")
_CLEAR_ID = re.compile(r"(?<![\d*])\d{12}(?!\d)")


@schemathesis.check
def no_unmasked_personal_numbers(response, case):
    """Phone and ID numbers are only ever returned masked."""
    body = response.text or ""
    found = _CLEAR_PHONE.search(body) or _CLEAR_ID.search(body)
    if found:
        raise AssertionError(f"unmasked number in the answer of {case.method} {case.path}: {found.group(0)[:4]}…")
