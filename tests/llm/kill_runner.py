"""A stand-in LLM stage for the kill test: prompts in, generations out, through the layer.

    python kill_runner.py MODEL_DIR CACHE_DIR OUT_JSON [PAUSE_S]

PAUSE_S sleeps after each batch so the test can kill it between batches.
"""

import json
import sys
import time
from pathlib import Path

from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient
from distilpipe.llm.transformers_backend import TransformersBackend
from distilpipe.llm.types import GenerateRequest, Sampling
from distilpipe.params import ModelSpec

PROMPTS = [f"What is {i} plus {i}?" for i in range(12)]


class Paused(TransformersBackend):
    pause_s = 0.0

    def generate(self, requests):  # type: ignore[no-untyped-def]
        out = super().generate(requests)
        time.sleep(self.pause_s)
        return out


def main() -> None:
    model, cache_dir, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    Paused.pause_s = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    backend = Paused(ModelSpec(model=model, device="cpu", dtype="float32"), cache_dir)
    requests = [
        GenerateRequest(({"role": "user", "content": p},), Sampling(max_new_tokens=16))
        for p in PROMPTS
    ]
    with CallCache(cache_dir) as cache:
        client = LLMClient(backend, cache, batch_size=2, name="kill-test")
        texts = [getattr(r, "text", None) for r in client.generate(requests)]
    out.write_text(json.dumps({"texts": texts, "stats": client.stats.as_dict()}))


if __name__ == "__main__":
    main()
