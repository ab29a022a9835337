"""The `distilpipe` command: what is not a pipeline stage (the LLM call cache: stats, prune,
and export/import of shards that travel with the project's data; the plots report; params
presets; publishing a trained student to the Hub)."""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from distilpipe import io, plots, presets, publish, status
from distilpipe.errors import DistilpipeError
from distilpipe.llm.cache import DB_NAME, CallCache, resolve_cache_dir, role_identities
from distilpipe.llm.share import export_cache, import_cache
from distilpipe.params import load_params

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")


def parse_duration(text: str) -> float:
    """Parse "90s", "15m", "12h", "30d" or "2w" into seconds. A unit is required, so "30"
    is not silently read as seconds or days. Raises argparse.ArgumentTypeError otherwise."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: use a number and a unit s, m, h, d or w (e.g. 30d)"
        )
    return float(match.group(1)) * _UNITS[match.group(2)]


def _iso(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


def format_stats(
    stats: dict[str, Any], roles: Mapping[str, Sequence[tuple[str, str]]] | None = None
) -> str:
    """Render `CallCache.stats()` as the lines `distilpipe cache stats` prints. `roles`
    ({identity: [(role, model)]}, as `role_identities` gives them) adds which roles of
    params.yaml use each model; without it the roles column is left out."""
    lines = [
        f"cache:   {stats['path']}",
        f"rows:    {stats['rows']:,}",
        f"size:    {stats['bytes'] / 1e6:,.1f} MB",
        f"tokens:  {stats['prompt_tokens']:,} prompt, {stats['completion_tokens']:,} completion",
        f"oldest:  {_iso(stats['oldest'])}",
        f"newest:  {_iso(stats['newest'])}",
    ]
    if stats["per_kind"]:
        lines.append("by kind:")
        width = max(len(name) for name in stats["per_kind"])
        lines.extend(f"  {name:<{width}}  {n:>12,}" for name, n in stats["per_kind"].items())
    if stats["per_model"]:
        lines += ["by model:", *_model_table(stats, roles)]
    return "\n".join(lines)


def _model_table(
    stats: dict[str, Any], roles: Mapping[str, Sequence[tuple[str, str]]] | None
) -> list[str]:
    """One line per model identity: its name (the folders, Hub ids or API models it was
    called by, and the model params give each role of that identity; "(name unknown)" for a
    cache written before names were kept), the roles of params.yaml that use it, its calls,
    and the identity (what `cache export --model` takes)."""
    rows = []
    for identity, n in stats["per_model"].items():
        used_by = (roles or {}).get(identity, [])
        names = sorted({*stats["names"].get(identity, []), *(m for _, m in used_by)})
        role_text = ", ".join(role for role, _ in used_by) or "-"
        name = ", ".join(names) if names else "(name unknown)"
        rows.append(((not names, name, identity), (name, role_text, f"{n:,}", identity)))
    rows.sort()  # named models first, by name
    header = ("model", "roles in params.yaml", "calls", "identity")
    shown = range(4) if roles is not None else (0, 2, 3)  # no params: no roles column
    table = [tuple(row[i] for i in shown) for row in (header, *(cells for _, cells in rows))]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    out = []
    for row in table:
        cells = [
            cell.rjust(width) if i == len(row) - 2 else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        out.append(("  " + "  ".join(cells)).rstrip())
    return out


def _cache_stats(args: argparse.Namespace) -> int:
    cache_dir = resolve_cache_dir(args.cache_dir)
    if not (cache_dir / DB_NAME).exists():
        print(f"no call cache at {cache_dir / DB_NAME}")
        return 0
    roles = None
    if Path(args.params).is_file():
        try:
            roles = role_identities(load_params(args.params), cache_dir)
        except DistilpipeError as exc:
            print(f"roles not shown: {exc}", file=sys.stderr)
    with CallCache(cache_dir) as cache:
        print(format_stats(cache.stats(), roles))
    return 0


def _cache_prune(args: argparse.Namespace) -> int:
    cache_dir = resolve_cache_dir(args.cache_dir)
    if not (cache_dir / DB_NAME).exists():
        print(f"no call cache at {cache_dir / DB_NAME}: nothing to prune")
        return 0
    cutoff = time.time() - args.older_than
    with CallCache(cache_dir) as cache:
        removed = cache.prune(args.older_than)
        left = cache.stats()["rows"]
    print(f"removed {removed:,} entries last used before {_iso(cutoff)}; {left:,} left")
    return 0


def parse_date(text: str) -> float:
    """Parse an ISO date or date-time ("2026-11-01", "2026-11-01T12:00") into epoch seconds
    (local time unless it names a zone). Raises argparse.ArgumentTypeError otherwise."""
    try:
        return datetime.fromisoformat(text.strip()).astimezone().timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid date {text!r}: use an ISO date such as 2026-11-01"
        ) from None


def _cache_export(args: argparse.Namespace) -> int:
    cache_dir = resolve_cache_dir(args.cache_dir)
    if not (cache_dir / DB_NAME).exists():
        print(f"no call cache at {cache_dir / DB_NAME}: nothing to export")
        return 1
    with CallCache(cache_dir) as cache:
        report = export_cache(cache, args.folder, args.model, args.since)
    print(
        f"exported {report.entries:,} entries as {report.shards} shards into {args.folder} "
        f"({report.written} written, {report.shards - report.written} unchanged, "
        f"{report.removed} removed)"
    )
    return 0


def _cache_import(args: argparse.Namespace) -> int:
    with CallCache(resolve_cache_dir(args.cache_dir)) as cache:
        report = import_cache(cache, args.folder)
        path = cache.path
    print(
        f"imported {report.imported:,} of {report.entries:,} entries from {report.shards} "
        f"shards into {path} ({report.skipped:,} were already there)"
    )
    return 0


def _dvc(*args: str, cwd: Path | None = None) -> str:
    """Run `dvc ARGS` with this Python's DVC; its stdout, or one error line."""
    proc = subprocess.run(
        [sys.executable, "-m", "dvc", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        reason = (proc.stderr.strip() or proc.stdout.strip()).splitlines() or ["no output"]
        raise DistilpipeError(f"dvc {' '.join(args)} failed: {reason[-1]}")
    return proc.stdout


def _report(args: argparse.Namespace) -> int:
    root = Path(_dvc("root").strip()).resolve()
    show = ["plots", "diff", *args.revs] if args.revs else ["plots", "show"]
    try:
        specs = plots.vega_specs(json.loads(_dvc(*show, "--json", cwd=root)))
        declared = plots.declared_plots(yaml.safe_load((root / "dvc.yaml").read_text()))
    except ValueError as exc:
        raise DistilpipeError(str(exc)) from exc
    out = Path(args.out) if args.out else root / "reports" / "plots"
    problems = plots.write_report(specs, declared, out)
    wrong = {plot_id: p for plot_id, p in problems.items() if p}
    print(f"{out / 'index.md'}: {len(problems)} plots, {len(wrong)} reading wrong")
    for plot_id, lines in wrong.items():
        for line in lines:
            print(f"{plot_id}: {line}", file=sys.stderr)
    return 1 if wrong else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `distilpipe` command."""
    parser = argparse.ArgumentParser(prog="distilpipe", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    cache = commands.add_parser("cache", help="inspect or prune the LLM call cache")
    cache_commands = cache.add_subparsers(dest="cache_command", required=True)
    dir_help = "cache folder (default: $DISTILPIPE_CACHE_DIR, else $XDG_CACHE_HOME/distilpipe)"

    stats = cache_commands.add_parser(
        "stats",
        help="rows, size, per kind, per model (by name, with the roles using it), ages",
        description="Print the cache's rows, size, tokens and ages, its calls per kind, and "
        "per model: the folder, Hub id or API model it was called by, which roles of "
        "params.yaml use it now, its calls, and its identity (what `cache export --model` "
        "takes). A cache written before names were kept shows an identity no role uses as "
        "it is.",
    )
    stats.add_argument(
        "--params",
        default="params.yaml",
        help="the params whose roles are shown (default: params.yaml; none when absent)",
    )
    stats.add_argument("--cache-dir", help=dir_help)
    stats.set_defaults(handler=_cache_stats)

    prune = cache_commands.add_parser("prune", help="delete entries not used for a while")
    prune.add_argument(
        "--older-than",
        required=True,
        type=parse_duration,
        metavar="AGE",
        help="e.g. 90s, 15m, 12h, 30d, 2w: delete entries last used longer ago than this",
    )
    prune.add_argument("--cache-dir", help=dir_help)
    prune.set_defaults(handler=_cache_prune)

    export = cache_commands.add_parser(
        "export", help="write the cache as content-addressed Parquet shards (for dvc add/push)"
    )
    export.add_argument("folder", help="the shard folder; afterwards it holds exactly this export")
    export.add_argument("--model", help="only this model identity (as `cache stats` lists it)")
    export.add_argument(
        "--since", type=parse_date, metavar="DATE", help="only entries created on or after DATE"
    )
    export.add_argument("--cache-dir", help=dir_help)
    export.set_defaults(handler=_cache_export)

    imp = cache_commands.add_parser(
        "import", help="merge a shard folder into the cache (verified; existing keys kept)"
    )
    imp.add_argument("folder", help="a folder written by `distilpipe cache export`")
    imp.add_argument("--cache-dir", help=dir_help)
    imp.set_defaults(handler=_cache_import)

    report = commands.add_parser(
        "report",
        help="draw every dvc.yaml plot as PNG next to a Markdown page, offline",
        description="Draw every plot declared in dvc.yaml (from `dvc plots show --json`, or "
        "`dvc plots diff REV... --json` when revisions are given) as a PNG file, and write "
        "index.md listing them with what reads wrong in any. Run inside the DVC project. "
        "Exits 1 when a plot reads wrong (the files are written all the same).",
    )
    report.add_argument(
        "revs", nargs="*", metavar="REV", help="git revisions to compare with the workspace"
    )
    report.add_argument("--out", help="folder for index.md and the PNGs (default: reports/plots/)")
    report.set_defaults(handler=_report)

    state = commands.add_parser(
        "status",
        help="the pipeline at a glance: rows, drops, LLM calls and cache hits per stage, evals",
        description="Read every stage's metrics files (dvc.yaml order) and print rows in and "
        "out, drops by reason, LLM calls with the cache hit rate and failures, whether DVC "
        "sees the stage as changed, and the evaluation table. Run inside the DVC project.",
    )
    state.add_argument(
        "--no-dvc", action="store_true", help="skip `dvc status` (faster; no changed column)"
    )
    state.set_defaults(handler=_status)

    preset = commands.add_parser(
        "preset", help="list, show or apply a params preset (presets/<name>.yaml)"
    )
    preset_commands = preset.add_subparsers(dest="preset_command", required=True)
    listing = preset_commands.add_parser("list", help="the presets and what each is for")
    listing.set_defaults(handler=_preset_list)
    show = preset_commands.add_parser("show", help="print a preset's file")
    show.add_argument("name")
    show.set_defaults(handler=_preset_show)
    apply = preset_commands.add_parser(
        "apply",
        help="merge a preset into params.yaml, pinning its Hub ids",
        description="Merge presets/NAME.yaml into params.yaml (comments kept), pin every Hub "
        "dataset and model without a revision to the commit the Hub reports now, and check "
        "the result validates before writing. `dvc params diff` then shows what changed.",
    )
    apply.add_argument("name")
    apply.add_argument("--params", default="params.yaml", help="default: params.yaml")
    apply.add_argument(
        "--no-pin", action="store_true", help="leave Hub ids unpinned (no Hub access needed)"
    )
    apply.set_defaults(handler=_preset_apply)

    push = commands.add_parser(
        "publish",
        help="push a trained student with a generated model card to a Hugging Face Hub repo",
        description="Render a model card for MODEL_DIR from the project's params.yaml, "
        "metrics (data mix, evaluation) and dvc.lock (lineage), then upload the folder with the "
        "card as README.md to the model repo OWNER/NAME in one commit (the repo is created if "
        "missing). Credentials: HF_TOKEN, or the token `hf auth login` stored; without them "
        "nothing is uploaded. --card-only writes the card and uploads nothing.",
    )
    push.add_argument("model_dir", metavar="MODEL_DIR", help="e.g. models/student-dpo")
    push.add_argument("--repo", required=True, metavar="OWNER/NAME", help="the Hub model repo")
    push.add_argument("--private", action="store_true", help="create the repo private")
    push.add_argument("--revision", default="main", help="branch to commit to (default: main)")
    push.add_argument(
        "--card-only", metavar="OUT.md", help="write the card to OUT.md; upload nothing"
    )
    push.add_argument(
        "--endpoint", help="the Hub's address (default: $HF_ENDPOINT, else huggingface.co)"
    )
    push.add_argument(
        "--license", default="apache-2.0", help="the card's license (default: %(default)s)"
    )
    push.add_argument(
        "--project", default=".", help="the project root the card is read from (default: .)"
    )
    push.set_defaults(handler=_publish)
    return parser


def _publish(args: argparse.Namespace) -> int:
    model_dir = Path(args.model_dir)
    publish.check_repo_id(args.repo)
    publish.check_model_dir(model_dir)
    card = publish.render_card(Path(args.project), model_dir, args.repo, args.license)
    if args.card_only:
        io.write_text(card, args.card_only)
        print(f"{args.card_only}: model card for {args.repo} ({len(card.splitlines())} lines)")
        return 0
    url = publish.upload(
        model_dir,
        args.repo,
        card,
        private=args.private,
        revision=args.revision,
        endpoint=args.endpoint,
    )
    print(f"published {model_dir} to {args.repo} ({args.revision}): {url}")
    return 0


def _status(args: argparse.Namespace) -> int:
    root = Path(_dvc("root").strip()).resolve()
    changed = None if args.no_dvc else set(json.loads(_dvc("status", "--json", cwd=root) or "{}"))
    evaluation = root / "metrics" / "eval.json"
    print(
        status.format_status(
            status.read_status(root, changed),
            json.loads(evaluation.read_text()) if evaluation.is_file() else None,
        )
    )
    return 0


def _preset_list(args: argparse.Namespace) -> int:
    for name in presets.available():
        print(f"{name}: {presets.load_preset(name).description}")
    return 0


def _preset_show(args: argparse.Namespace) -> int:
    presets.load_preset(args.name)  # a clear error for an unknown name
    print((presets.PRESETS_DIR / f"{args.name}.yaml").read_text(encoding="utf-8"), end="")
    return 0


def _preset_apply(args: argparse.Namespace) -> int:
    applied = presets.apply(args.name, Path(args.params), pin=not args.no_pin)
    print(f"preset {args.name}: {len(applied.changed)} params changed in {args.params}")
    for key in applied.changed:
        pin = applied.pinned.get(key)
        print(f"  {key}" + (f" = {pin}" if pin else ""))
    print("see them with: dvc params diff")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the `distilpipe` command with `argv` (default: sys.argv[1:]); return the exit
    status. Bad arguments exit with status 2 (argparse); a failure prints one `error:` line
    and returns 1."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.handler(args)
    except (DistilpipeError, sqlite3.Error, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return status
