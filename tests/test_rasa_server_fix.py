"""The Rasa server's faster action-response check accepts and rejects exactly what Rasa's does."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.rasa_server import _validate_action_result

GOOD = {"events": [{"event": "slot", "name": "language", "value": "vi"}], "responses": [{"text": "Xin chào"}]}
BAD = [{"events": "not a list"}, {"events": [{"no_event_key": 1}]}, {"responses": "x"}]


def test_valid_response_passes_both_checks() -> None:
    assert _validate_action_result(None, GOOD) is True
    jsonschema.validate(GOOD, RemoteAction.action_response_format_spec())


@pytest.mark.parametrize("bad", BAD)
def test_invalid_response_is_rejected_like_rasa_does(bad) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        _validate_action_result(None, bad)


def test_event_lookup_gives_the_same_classes_as_rasa() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    from bot.rasa_server import _event_classes

    for cls in all_subclasses(Event):
        expected = next(c for c in all_subclasses(Event) if c.type_name == cls.type_name)
        assert _event_classes()[cls.type_name] is expected
