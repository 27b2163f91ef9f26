"""Rasa NLU component that normalises Vietnamese text ahead of tokenisation.

It rewrites the message text to its folded form (NFC, modern tone placement, lowercase,
abbreviations expanded, diacritics removed) so that "Đăng ký khai sinh", "dang ky khai sinh"
and "dk khai sinh" give the classifier the same tokens. The citizen's own words are kept in
``text_original`` (and Rasa keeps them in the tracker's user event), so actions and ticket
descriptions never see the folded form. It also emits a ``language`` entity ("vi"/"en")
that fills the ``language`` slot, so replies follow the citizen's language.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from hotline.inbound import MAX_MESSAGE_CHARS
from procedure_kb.language import language_evidence
from procedure_kb.textnorm import fold

ORIGINAL_TEXT = "text_original"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class VietnameseNormalizer(GraphComponent):
    """Folds Vietnamese text and detects the message language."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"detect_language": True}

    def __init__(self, config: Dict[str, Any]) -> None:
        self._detect_language = config.get("detect_language", True)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseNormalizer:
        return cls(config)

    def _normalise(self, message: Message, at_inference: bool) -> None:
        text = message.get(TEXT)
        if not text:
            return
        if at_inference:  # every path into the NLU (channels, /model/parse) gets the same cap
            text = text[:MAX_MESSAGE_CHARS]
        message.set(TEXT, fold(text))
        if at_inference:
            message.set(ORIGINAL_TEXT, text, add_to_output=True)
            # A bare code or phone digits says nothing about the language: keep the slot.
            language = language_evidence(text) if self._detect_language else None
            if language:
                entity = {
                    "entity": "language",
                    "value": language,
                    "start": 0,
                    "end": len(text),
                    "extractor": self.__class__.__name__,
                }
                message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalise(example, at_inference=False)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalise(message, at_inference=True)
        return messages
