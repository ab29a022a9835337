"""A stand-in LLM stage for the kill test: prompts in, generations out, through the layer.

    python kill_runner.py MODEL_DIR CACHE_DIR OUT_JSON

The test makes it SIGKILL itself after a given number of committed batches with the kill
points of tests/killpoints (`tests.project.kill_env`).
"""

import json
import sys
from pathlib import Path

from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient
from distilpipe.llm.transformers_backend import TransformersBackend
from distilpipe.llm.types import GenerateRequest, Sampling
from distilpipe.params import ModelSpec

PROMPTS = [f"What is {i} plus {i}?" for i in range(12)]
BATCH_SIZE = 2


def main() -> None:
    model, cache_dir, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    backend = TransformersBackend(ModelSpec(model=model, device="cpu", dtype="float32"), cache_dir)
    requests = [
        GenerateRequest(({"role": "user", "content": p},), Sampling(max_new_tokens=16))
        for p in PROMPTS
    ]
    with CallCache(cache_dir) as cache:
        client = LLMClient(backend, cache, batch_size=BATCH_SIZE, name="kill-test")
        texts = [getattr(r, "text", None) for r in client.generate(requests)]
    out.write_text(json.dumps({"texts": texts, "stats": client.stats.as_dict()}))


if __name__ == "__main__":
    main()
