"""A linear intent classifier: fast to train and the same on every machine.

DIET took about 20 minutes to train on a 2-core machine and its result changed with the
machine's threads and libraries, despite fixed seeds. This classifier reads word and
character n-grams (TF-IDF, computed here from the text, so no other featurizer is needed)
and fits a logistic regression with liblinear, which is single-threaded and deterministic:
the same training data gives the same weights, whatever the thread count.

Training takes seconds. The intent ranking carries calibrated probabilities, so the
FallbackClassifier's threshold keeps its meaning.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

FILE = "linear_intent.pkl"
RANKING_LENGTH = 10


def _clean(text: str) -> str:
    return " ".join((text or "").lower().split())


def build_pipeline(config: Dict[Text, Any]):
    """The scikit-learn pipeline: word and character n-grams, then a logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, token_pattern=r"(?u)\b\w+\b|[?!]"),
            ),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
        ]
    )
    model = LogisticRegression(
        C=float(config["C"]),
        solver="liblinear",
        max_iter=1000,
        class_weight="balanced",
        random_state=int(config["random_seed"]),
    )
    return Pipeline([("features", features), ("model", model)])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent):
    """Intent from TF-IDF n-grams and a one-vs-rest logistic regression (deterministic)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The logistic regression's regularisation strength C and random seed."""
        return {"C": 10.0, "random_seed": 42}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LinearIntentClassifier":
        """A new, untrained classifier (Rasa's constructor for a component)."""
        return cls(config, model_storage, resource)

    def __init__(
        self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, pipeline: Optional[Any] = None
    ) -> None:
        self._config = {**self.get_default_config(), **(config or {})}
        self._storage = model_storage
        self._resource = resource
        self._pipeline = pipeline

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the pipeline on the intent examples and save it to the model storage; return the resource
        (nothing is learned with fewer than two intents)."""
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        texts = [_clean(m.get(TEXT)) for m in examples]
        labels = [m.get(INTENT) for m in examples]
        if len(set(labels)) < 2:
            logger.warning("intent classifier: fewer than two intents, nothing to learn")
            return self._resource
        pipeline = build_pipeline(self._config)
        pipeline.fit(texts, labels)
        self._pipeline = pipeline
        with self._storage.write_to(self._resource) as directory:
            (directory / FILE).write_bytes(pickle.dumps(pipeline))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LinearIntentClassifier":
        """The classifier with its trained pipeline (without one, every message is left unclassified)."""
        pipeline = None
        try:
            with model_storage.read_from(resource) as directory:
                pipeline = pickle.loads((directory / FILE).read_bytes())  # noqa: S301 (our own model file)
        except (ValueError, FileNotFoundError):
            logger.warning("intent classifier: no trained model found; every message will be unclassified")
        return cls(config, model_storage, resource, pipeline)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data passes through unchanged."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Set each message's intent and intent ranking (top 10) from the pipeline's probabilities."""
        if self._pipeline is None:
            return messages
        texts = [_clean(m.get(TEXT) or "") for m in messages]
        probabilities = self._pipeline.predict_proba(texts)
        names = list(self._pipeline.classes_)
        for message, row in zip(messages, probabilities):
            if not message.get(TEXT):
                continue
            ranking = sorted(zip(names, row), key=lambda pair: -pair[1])[:RANKING_LENGTH]
            message.set(INTENT, {"name": ranking[0][0], "confidence": float(ranking[0][1])}, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY, [{"name": n, "confidence": float(c)} for n, c in ranking], add_to_output=True
            )
        return messages
