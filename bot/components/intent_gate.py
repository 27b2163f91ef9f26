"""Rasa NLU component: a form starts only on a clear request.

Questions about a procedure or the reform sometimes look like the complaint, dossier or
address requests to the intent classifier ("cán bộ từ chối nhận hồ sơ thì sao?"). A form that
starts on such a question asks for a description or a dossier code instead of answering.
This component runs after the classifier: when the top intent starts a form but its
confidence is below `threshold`, the message becomes `nlu_fallback`, which the question
router (procedure_kb.answers) answers — and it offers the form as a button when it has no
answer. The original prediction stays in the ranking for the action to read.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from procedure_kb.messages import FORM_OFFERS

FORM_INTENTS = tuple(FORM_OFFERS)  # the intents that start a form: each has its button when held back
GATED_FROM = "gated_intent"  # the intent the classifier had, kept on the message for the router


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FormIntentGate(GraphComponent):
    """Turns a low-confidence form-starting intent into nlu_fallback."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"threshold": 0.7, "intents": list(FORM_INTENTS)}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.threshold = float(config.get("threshold", 0.7))
        self.intents = set(config.get("intents") or FORM_INTENTS)

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> FormIntentGate:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            name, confidence = intent.get(INTENT_NAME_KEY), intent.get(PREDICTED_CONFIDENCE_KEY, 0.0)
            text = message.get("text") or ""
            if name in self.intents and confidence < self.threshold and not text.startswith("/"):
                message.set(INTENT, {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: confidence},
                            add_to_output=True)
                message.set(GATED_FROM, name, add_to_output=True)
        return messages
