"""`distilpipe publish` against a plain `HfApi.upload_folder` of the same folder, in one run.

    python bench/publish.py [--size-mb 32] [--repeats 3]

Run from the project root (the card is rendered from this project's params, metrics and
dvc.lock). The model folder is the committed stand-in student plus a `--size-mb` weights shard of
random bytes; both uploads go to the Hub stand-in of the tests (tests/hub_standin.py) on
127.0.0.1, every file sent as a regular blob, so what is compared is the client side and the
transfer, not the Hub. Median of `--repeats`, each to a new repo:

1. baseline: `create_repo(exist_ok=True)` + `upload_folder` of the folder, no card;
2. publish: render the card, link the folder into a staging folder with the card as
   README.md, `create_repo` + `upload_folder` (what `distilpipe publish` does);
3. the card alone (`render_card`).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.hub_standin

from huggingface_hub import HfApi  # noqa: E402

from distilpipe import publish  # noqa: E402
from tests.hub_standin import HubStandin  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=32, help="extra weights shard, MB")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.environ["HF_TOKEN"] = "hf_bench"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "student"
        shutil.copytree(ROOT / "models/tiny/student", model)  # the committed stand-in
        shard = model / "model-extra.safetensors"
        shard.write_bytes(os.urandom(args.size_mb * 1024 * 1024))
        files = [p for p in model.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        times: dict[str, list[float]] = {"baseline": [], "publish": [], "card": []}
        with HubStandin() as hub:
            api = HfApi(endpoint=hub.url, token="hf_bench")
            for i in range(args.repeats):
                start = time.perf_counter()
                api.create_repo(f"bench/plain-{i}", exist_ok=True)
                api.upload_folder(repo_id=f"bench/plain-{i}", folder_path=model)
                times["baseline"].append(time.perf_counter() - start)

                start = time.perf_counter()
                card = publish.render_card(ROOT, model, f"bench/card-{i}")
                times["card"].append(time.perf_counter() - start)

                start = time.perf_counter()
                card = publish.render_card(ROOT, model, f"bench/publish-{i}")
                publish.upload(model, f"bench/publish-{i}", card, endpoint=hub.url)
                times["publish"].append(time.perf_counter() - start)
                sent = hub.files(f"bench/publish-{i}")
                assert sent["model-extra.safetensors"] == shard.read_bytes()
                assert sent["README.md"] == card.encode()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"folder: {size / 1e6:.1f} MB in {len(files)} files; median of {args.repeats}")
    base = statistics.median(times["baseline"])
    print("| | seconds | MB/s | vs baseline |")
    print("|---|---:|---:|---:|")
    for name, label in (
        ("baseline", "`create_repo` + `upload_folder`, no card"),
        ("publish", "`distilpipe publish` (card + staging + upload)"),
        ("card", "the card alone"),
    ):
        t = statistics.median(times[name])
        rate = f"{size / 1e6 / t:.1f}" if name != "card" else ""
        print(f"| {label} | {t:.3f} | {rate} | {t / base:.2f}x |")


if __name__ == "__main__":
    main()
