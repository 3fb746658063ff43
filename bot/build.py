"""Build the artefacts the assistant needs, only when their inputs changed.

    python -m bot.build model    # train the Rasa model (models/current.tar.gz)
    python -m bot.build safety   # train the safety classifier
    python -m bot.build all

The model's name is a hash of everything training reads (config, domain, data,
our NLU components, the Rasa version), so an unchanged project reuses the
trained model in well under a second, without importing Rasa.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bot.settings import PROJECT_DIR

MODELS = PROJECT_DIR / "models"
CURRENT = MODELS / "current.tar.gz"
INPUTS = ["config.yml", "domain", "data", "bot/nlu"]


def model_fingerprint() -> str:
    """A short hash of the model's inputs (config, domain, data, bot/nlu, requirements.lock): its file name."""
    h = hashlib.sha256()
    for item in INPUTS:
        path = PROJECT_DIR / item
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            if f.suffix in (".pyc",) or "__pycache__" in f.parts:
                continue
            h.update(str(f.relative_to(PROJECT_DIR)).encode())
            h.update(f.read_bytes())
    lock = PROJECT_DIR / "requirements.lock"
    if lock.exists():
        h.update(lock.read_bytes())
    return h.hexdigest()[:16]


def build_model(force: bool = False) -> Path:
    """Train the Rasa model unless one for the current inputs exists (or `force`); point
    models/current.tar.gz at it, keep the three newest and return its path."""
    fp = model_fingerprint()
    target = MODELS / f"{fp}.tar.gz"
    if target.exists() and not force:
        _point_current(target)
        print(f"model: current ({target.name})")
        return target
    MODELS.mkdir(exist_ok=True)
    print(f"model: training {fp} (inputs changed or no model yet; usually under a minute)...", flush=True)
    t0 = time.time()
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    cmd = [
        str(Path(sys.executable).parent / "rasa"),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain",
        "--data",
        "data",
        "--out",
        str(MODELS),
        "--fixed-model-name",
        fp,
        "--quiet",
    ]
    _run_with_progress(cmd, env, t0)
    if not target.exists():
        raise SystemExit(f"model: training did not produce {target}")
    _point_current(target)
    # Keep the three newest models (each is ~40 MB); switching back to one of them costs nothing.
    kept = sorted(
        (m for m in MODELS.glob("*.tar.gz") if m.name != CURRENT.name and not m.is_symlink()),
        key=lambda m: m.stat().st_mtime,
        reverse=True,
    )
    for old in kept[3:]:
        if old.name != target.name:
            old.unlink()
    print(f"model: trained in {time.time() - t0:.0f} s -> {target.name}")
    return target


def _run_with_progress(cmd, env, t0: float, every: float = 10.0) -> None:
    """Run the training, saying every few seconds that it is still going."""
    proc = subprocess.Popen(cmd, cwd=PROJECT_DIR, env=env)
    while True:
        try:
            code = proc.wait(timeout=every)
            break
        except subprocess.TimeoutExpired:
            print(f"model: still training ({time.time() - t0:.0f} s)...", flush=True)
    if code != 0:
        raise subprocess.CalledProcessError(code, cmd)


def _point_current(target: Path) -> None:
    tmp = MODELS / ".current.tmp"
    if tmp.exists() or tmp.is_symlink():
        tmp.unlink()
    try:
        tmp.symlink_to(target.name)
    except OSError:
        shutil.copyfile(target, tmp)
    tmp.replace(CURRENT)


def build_safety(force: bool = False) -> None:
    """Train the safety classifier unless the saved one matches its data (or `force`), and say which."""
    from bot.safety.classifier import MODEL_FILE, build

    before = MODEL_FILE.stat().st_mtime if MODEL_FILE.exists() else None
    t0 = time.time()
    path = build(force=force)
    trained = before is None or path.stat().st_mtime != before
    print(f"safety classifier: {'trained in %.0f s' % (time.time() - t0) if trained else 'current'} ({path.name})")


def main(argv=None) -> int:
    """`python -m bot.build [model|safety|all] [--force]`: build what is named (default: both)."""
    args = list(argv if argv is not None else sys.argv[1:]) or ["all"]
    force = "--force" in args
    what = [a for a in args if not a.startswith("--")] or ["all"]
    if "safety" in what or "all" in what:
        build_safety(force)
    if "model" in what or "all" in what:
        build_model(force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
