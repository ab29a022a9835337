"""ingest@<source>: one source in its own layout -> data/ingested/<source>.parquet.

Usage: python stages/ingest.py <source>
"""

import sys

from distilpipe import io, stage
from distilpipe.params import load_params
from distilpipe.schema import validate_rows
from distilpipe.sources import ingest_records, read_hub, read_path
from distilpipe.sources.readers import RawRecords


def main() -> None:
    name = sys.argv[1]
    params = load_params()
    source = params.all_sources()[name]
    raw: RawRecords
    with stage.timed(f"ingest@{name}: read", rows=lambda: raw.frame.height):
        if source.hf is not None:
            hf = source.hf
            raw = read_hub(hf.name, hf.split, hf.revision, hf.config, source.limit)
        else:
            assert source.path is not None
            raw = read_path(source.path, source.on_error)
            if source.limit is not None:
                raw.frame = raw.frame.head(source.limit)
    with stage.timed(
        f"ingest@{name}: map, validate, normalise, hash", rows=lambda: result.rows.height
    ):
        result = ingest_records(raw, source.format, name, source.role_map)
    validate_rows(result.rows, f"ingest@{name}")
    io.write_parquet(result.rows, stage.ingested_path(name))
    io.write_jsonl(result.rejects, f"data/rejects/ingest/{name}.jsonl")
    metrics = result.metrics(name)
    io.write_json(metrics, f"metrics/ingest/{name}.json")
    kept = ", ".join(f"{k}: {v}" for k, v in metrics["reasons"].items() if v)
    stage.log(
        f"ingest@{name}: {metrics['records']:,} records -> {metrics['rows']:,} rows"
        + (f"; rejected {metrics['rejected']:,} ({kept})" if kept else "")
    )


if __name__ == "__main__":
    stage.run(main)
