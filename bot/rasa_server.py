"""Start Rasa's own command line (``rasa run …``) with one measured performance fix.

Measured with py-spy on the Rasa server under bench/chat_load.py:
- Rasa 3.6 checks every action-server response with ``jsonschema.validate``, which re-checks
  the schema itself and rebuilds a validator on every call: 46% of the server's CPU. Here
  the same schema is compiled once; every response is still validated, with the same error.
- Loading a conversation from the tracker store looks each event's class up by walking all
  subclasses of ``Event`` (6%). Here the name -> class table is built once; unknown names
  still go through Rasa's own lookup.
"""

from __future__ import annotations

import sys
from functools import lru_cache


@lru_cache(maxsize=1)
def _response_validator():
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


def _validate_action_result(self, result) -> bool:
    from jsonschema import ValidationError
    from rasa.core.actions.action import DOCS_BASE_URL

    try:
        _response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise


@lru_cache(maxsize=1)
def _event_classes() -> dict:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    table = {}
    for cls in reversed(all_subclasses(Event)):  # reversed: the first match wins, as in Rasa
        table[cls.type_name] = cls
    return table


def install_fixes() -> None:
    """Replace the per-call schema check and the per-event class search with cached ones."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event

    RemoteAction._validate_action_result = _validate_action_result
    rasa_lookup = Event.resolve_by_type

    def resolve_by_type(type_name, default=None):
        return _event_classes().get(type_name) or rasa_lookup(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)


def main() -> None:
    install_fixes()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
