"""evaluate: the models in `evaluate.models` -> metrics/eval.json, reports/eval.md, and
per-category plots, one column per model (plots/evaluate/mt_bench.json: rating per category;
plots/evaluate/ifeval.json: loose accuracy per instruction type)."""

from distilpipe import io, stage
from distilpipe.evaluate.report import report_markdown
from distilpipe.llm import RoleModels, open_cache
from distilpipe.ops.evaluate import eval_spec, evaluate_models, lm_eval_figures, load_sets
from distilpipe.params import load_params

PLOT_KINDS = ("mt_bench", "ifeval")


def main() -> None:
    params = load_params()
    p = params.evaluate
    sets = load_sets(p)
    specs = {name: eval_spec(spec, p.max_new_tokens) for name, spec in p.models.items()}
    with (
        open_cache(params) as cache,
        RoleModels(params, cache) as models,
        stage.timed("evaluate"),
    ):
        clients = {name: models.spec_client(name, spec) for name, spec in specs.items()}
        result = evaluate_models(sets, clients, models.client, p)
    general, skipped = lm_eval_figures(specs, p.lm_eval)  # after the LLM layer's models close
    if skipped:
        stage.log(f"evaluate: {skipped}")
    figures = {name: {**result.figures[name], **general.get(name, {})} for name in specs}
    io.write_json({**figures, "calls": result.calls}, "metrics/eval.json")
    with io.atomic_path("reports/eval.md") as tmp:
        tmp.write_text(report_markdown(figures, p.base), encoding="utf-8")
    for kind in PLOT_KINDS:
        io.write_json(result.plots.get(kind, []), f"plots/evaluate/{kind}.json")
    by_role = result.calls["by_role"] | result.calls["by_model"]
    stage.log(
        f"evaluate: {len(specs)} model(s); "
        f"{sum(c['calls'] for c in by_role.values()):,} calls, "
        f"{sum(c['cache_hits'] for c in by_role.values()):,} cache hits, "
        f"{sum(c['too_long'] for c in by_role.values()):,} too long, "
        f"{sum(c['failed'] for c in by_role.values()):,} failed"
    )


if __name__ == "__main__":
    stage.run(main)
