"""The intent classifier learns the same model whatever the machine's thread count (issue 11).

Two trainings in separate processes, one limited to a single thread and one allowed four,
must give the same intent for every held-out example and the same probabilities to within
floating-point summation order (1e-6; seen: 1e-11 to 1e-9).
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.loading import load_data
from bot.nlu.classifier import _clean, build_pipeline
data = TrainingDataImporter.load_from_dict(domain_path="domain", training_data_paths=["data"]).get_nlu_data()
held = load_data("tests/nlu/test_nlu.yml")
x = [_clean(m.get("text")) for m in data.intent_examples]
y = [m.get("intent") for m in data.intent_examples]
pipe = build_pipeline({"C": 20, "random_seed": 42}).fit(x, y)
probs = pipe.predict_proba([_clean(m.get("text")) for m in held.intent_examples])
print(json.dumps({"classes": list(pipe.classes_), "probs": [[round(float(p), 12) for p in row] for row in probs]}))
"""


def _train(threads: int) -> dict:
    env = {
        "OMP_NUM_THREADS": str(threads),
        "OPENBLAS_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
        "PATH": "/usr/bin:/bin",
        "PYTHONWARNINGS": "ignore",
    }
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_two_trainings_with_different_thread_counts_predict_the_same():
    one, four = _train(1), _train(4)
    assert one["classes"] == four["classes"]
    assert len(one["probs"]) > 100
    labels = [[one["classes"][row.index(max(row))]] for row in one["probs"]]
    assert labels == [[four["classes"][row.index(max(row))]] for row in four["probs"]]
    worst = max(abs(a - b) for r1, r4 in zip(one["probs"], four["probs"]) for a, b in zip(r1, r4))
    assert worst < 1e-6
