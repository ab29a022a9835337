"""classify over scripted backends and realistic instructions: the taxonomy and the Magpie map,
the seed order, the constrained LLM answer (logprob and generate), the source-label mode, the
classifier (accuracy, save/load, byte-identical refits) and what the metrics say."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import polars as pl
import pytest

from distilpipe.errors import DistilpipeError
from distilpipe.llm.cache import CallCache
from distilpipe.llm.client import LLMClient
from distilpipe.llm.types import (
    ChoiceProbs,
    ChoiceRequest,
    Failure,
    GenerateRequest,
    Generation,
    LabelProbs,
    LabelRequest,
)
from distilpipe.ops.classify import (
    CLASSIFY_COLUMNS,
    LLMLabeller,
    classify_rows,
    label_from_probs,
    parse_task_code,
    seed_order,
    source_agreement,
    source_seed_labels,
)
from distilpipe.ops.task_classifier import TaskClassifier
from distilpipe.params import Classify
from distilpipe.schema import ROW_SCHEMA, validate_rows
from distilpipe.sources.rows import message_id
from distilpipe.taxonomy import N_TYPES, default_shares, source_map, task_types

CODE_OF = {t.id: t.code for t in task_types()}
ID_OF = {t.code: t.id for t in task_types()}

# Realistic instructions per type, English and Chinese, with templates to make many distinct ones.
TEMPLATES = {
    "math": [
        "Solve for x: {a}x + {b} = {c}. Show each step.",
        "What is the derivative of x^{a} + {b}x with respect to x?",
        "A rectangle is {a} cm by {b} cm. What is its area and its perimeter?",
        "求解方程 {a}x + {b} = {c}，并写出每一步。",
        "计算 {a} 乘以 {b} 再加上 {c} 的结果。",
    ],
    "code_generation": [
        "Write a Python function that returns the {a} largest numbers of a list.",
        "Write a SQL query that counts orders per customer in table orders_{a}.",
        "Implement binary search in JavaScript for an array of {a} integers.",
        "用 Python 写一个函数，返回列表中前 {a} 个最大的数。",
        "请用 Java 实现一个栈，容量为 {a}。",
    ],
    "writing": [
        "Write a short poem about the sea at dawn, in {a} lines.",
        "Write a story for children about a fox who learns to share, about {a} words.",
        "Draft a polite email asking my manager for {a} days of leave.",
        "写一首关于秋天的诗，共 {a} 行。",
        "写一篇 {a} 字左右的短文，描写家乡的春天。",
    ],
    "history": [
        "What caused the fall of the Western Roman Empire in the {a}th century?",
        "Summarise the main events of the French Revolution between 178{a} and 1799.",
        "Who was the first emperor of the Qin dynasty and what did he unify?",
        "简述唐朝在公元 {a}00 年前后的政治制度。",
        "明朝为什么在 16{a}4 年灭亡？",
    ],
}
KEYWORDS = {  # what the scripted LLM reads an instruction's type from
    "math": ("Solve", "derivative", "area", "方程", "计算"),
    "code_generation": ("Python", "SQL", "JavaScript", "Java"),
    "writing": ("poem", "story", "email", "诗", "短文"),
    "history": ("Empire", "Revolution", "dynasty", "朝"),
}


def _instruction(kind: str, i: int) -> str:
    templates = TEMPLATES[kind]
    return templates[i % len(templates)].format(a=i % 9 + 2, b=i % 7 + 1, c=i + 3)


def _row(text: str, source: str = "magpie", lang: str | None = None, category: str | None = None):
    messages = [{"role": "user", "content": text}, {"role": "assistant", "content": "Answer."}]
    lang = lang or ("zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en")
    meta = json.dumps({"task_category": category} if category else {})
    return {
        "id": message_id(messages),
        "source": source,
        "source_id": None,
        "messages": messages,
        "lang": lang,
        "origin": "source",
        "parent_id": None,
        "meta": meta,
    }


CATEGORY_OF = {
    "math": "Math",
    "code_generation": "Coding & Debugging",
    "writing": "Creative writing",
}


def _rows(n_per_kind: int = 40) -> pl.DataFrame:
    records = []
    for k, kind in enumerate(TEMPLATES):
        for i in range(n_per_kind):
            source = ("magpie", "openhermes")[i % 2]
            category = CATEGORY_OF.get(kind) if source == "magpie" else None
            records.append(_row(_instruction(kind, i * 4 + k), source, category=category))
    # the pool keeps one row per id
    return pl.DataFrame(records, schema=ROW_SCHEMA).unique("id", keep="first", maintain_order=True)


def _instruction_part(prompt: str) -> str:
    return prompt.split("[Instruction]")[-1].split("【指令】")[-1]


def _kind_of(prompt: str) -> str | None:
    instruction = _instruction_part(prompt)
    return next((k for k, words in KEYWORDS.items() if any(w in instruction for w in words)), None)


class ScriptedClassifier:
    """A Backend that reads the type from keywords: label_logprobs puts 0.7 on the right code
    and spreads 0.2 over the others (0.1 is left for replies that are no label); generate
    answers with a reason and a last line `Task: NN`."""

    def __init__(
        self, fail_on: str | None = None, reply: str = "It asks for {name}.\nTask: {code}"
    ):
        self.identity = f"scripted-classifier:{fail_on}:{reply}"
        self.fail_on = fail_on
        self.reply = reply
        self.asked: list[str] = []

    def label_logprobs(self, requests: list[LabelRequest]) -> list[LabelProbs | Failure]:
        out: list[LabelProbs | Failure] = []
        for r in requests:
            prompt = r.messages[-1]["content"]
            self.asked.append(prompt)
            if self.fail_on and self.fail_on in _instruction_part(prompt):
                out.append(Failure("HTTP 503 after 6 attempts"))
                continue
            kind = _kind_of(prompt) or "others"
            rest = 0.2 / (len(r.labels) - 1)
            probs = {c: (0.7 if c == CODE_OF[kind] else rest) for c in r.labels}
            out.append(LabelProbs(probs, 100))
        return out

    def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
        out: list[Generation | Failure] = []
        for r in requests:
            prompt = r.messages[-1]["content"]
            self.asked.append(prompt)
            kind = _kind_of(prompt) or "others"
            text = self.reply.format(name=kind, code=CODE_OF[kind])
            out.append(Generation(text, "stop", 100, 8))
        return out

    def choice_logprobs(self, requests: list[ChoiceRequest]) -> list[ChoiceProbs | Failure]:
        raise AssertionError("classify never asks for single-token choices")

    def close(self) -> None:
        pass


def _client(cache: CallCache, backend: ScriptedClassifier, **kw) -> LLMClient:
    return LLMClient(backend, cache, batch_size=8, name="classifier", **kw)


# --- the taxonomy ---------------------------------------------------------------------------


def test_taxonomy_has_33_types_with_both_languages_and_shares_summing_to_one() -> None:
    types = task_types()
    assert len(types) == N_TYPES == 33
    assert [t.code for t in types] == [f"{i:02d}" for i in range(1, 34)]
    for t in types:
        assert t.en and t.zh and t.desc_en and t.desc_zh and t.share > 0
        assert any("\u4e00" <= ch <= "\u9fff" for ch in t.zh + t.desc_zh)
    assert math.isclose(sum(default_shares().values()), 1.0, abs_tol=1e-9)
    shares = default_shares()
    assert shares["math"] == shares["reasoning"] == 0.167
    assert shares["code_generation"] == shares["code_debug"] == 0.083
    assert shares["data_analysis"] == 0.017  # the 33rd type, taken from others (0.041)


def test_every_magpie_category_maps_onto_the_taxonomy() -> None:
    magpie = {
        "Math", "Coding & Debugging", "Information seeking", "Reasoning", "Planning", "Editing",
        "Data analysis", "Role playing", "Advice seeking", "Brainstorming", "Creative writing",
        "Others",
    }  # fmt: skip
    mapping = source_map()
    assert set(mapping) == magpie
    ids = {t.id for t in task_types()}
    assert all(set(v) <= ids and v for v in mapping.values())
    unambiguous = {c for c, v in mapping.items() if len(v) == 1}
    assert unambiguous == {
        "Math", "Reasoning", "Data analysis", "Role playing", "Creative writing", "Others"
    }  # fmt: skip
    labels = source_seed_labels(["Math", "Coding & Debugging", None, "Data analysis", "Nope"])
    assert [s.task_type for s in labels] == ["math", None, None, "data_analysis", None]
    assert [s.reason for s in labels] == [None, *["ambiguous_source"] * 2, None, "ambiguous_source"]


def test_source_agreement_counts_a_label_among_the_categorys_types() -> None:
    labels = ["math", "code_debug", "writing", "math", None]
    categories = ["Math", "Coding & Debugging", "Math", None, "Math"]
    result = source_agreement(labels, categories)
    assert result["rows"] == 3  # no category, or no label: not counted
    assert result["agreement"] == pytest.approx(2 / 3)
    assert result["per_category"]["Math"] == {"rows": 2, "agreement": 0.5}


# --- the constrained answer -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("It is arithmetic.\nTask: 01", "01"),
        ("Task: 33", "33"),
        ("**Task:** 07", "07"),
        ("task：12。", "12"),
        ("这是写作任务。\n类型：06", "06"),
        ("Task: 7", None),
        ("Task: 34", None),  # not a code
        ("Task: 01 Math", None),
        ("Task: 01\nThanks!", None),
        ("The task is 01.", None),
        ("", None),
    ],
)
def test_parse_task_code_is_strict(text: str, code: str | None) -> None:
    assert parse_task_code(text, set(CODE_OF.values())) == code


def test_label_from_probs_is_always_a_label_with_its_share_of_the_label_mass() -> None:
    types = task_types()
    label = label_from_probs({"01": 0.2, "03": 0.5, "12": 0.1}, types)
    assert label.task_type == "code_generation"
    assert label.conf == pytest.approx(0.5 / 0.8)
    tie = label_from_probs({"05": 0.3, "02": 0.3}, types)
    assert tie.task_type == "reasoning"  # ties: the lowest code
    assert label_from_probs({}, types).reason == "no_label_mass"


# --- the seed order -------------------------------------------------------------------------


def test_seed_order_is_stratified_and_growing_the_seed_only_adds_rows() -> None:
    records = [_row(f"English question number {i}?", "magpie") for i in range(60)]
    records += [_row(f"中文问题第 {i} 个？", "magpie") for i in range(10)]
    records += [_row(f"Another source, question {i}?", "openhermes") for i in range(30)]
    rows = pl.DataFrame(records, schema=ROW_SCHEMA)
    place = seed_order(rows, seed=0)
    assert sorted(place.to_list()) == list(range(rows.height))
    first = rows.filter(place < 15)
    counts = dict(first.group_by("source", "lang").len().select(
        pl.concat_str("source", "lang"), "len").iter_rows())  # fmt: skip
    assert counts == {"magpieen": 5, "magpiezh": 5, "openhermesen": 5}  # round-robin
    for small, large in ((10, 20), (20, 45), (45, 100)):
        assert set(rows.filter(place < small)["id"]) <= set(rows.filter(place < large)["id"])
    # the order belongs to the rows, not to where they sit in the input
    shuffled = rows.sample(fraction=1.0, shuffle=True, seed=3)
    again = seed_order(shuffled, seed=0)
    assert dict(zip(shuffled["id"], again, strict=True)) == dict(
        zip(rows["id"], place, strict=True)
    )
    assert seed_order(rows, seed=1).to_list() != place.to_list()


# --- classify_rows --------------------------------------------------------------------------


def test_classify_rows_logprob_seed_labels_train_a_classifier_that_labels_every_row(
    tmp_path: Path,
) -> None:
    rows = _rows(40)
    backend = ScriptedClassifier()
    with CallCache(tmp_path) as cache:
        client = _client(cache, backend)
        result = classify_rows(rows, lambda role: client, Classify(seed_size=80))
    out = validate_rows(result.rows, "classified")
    assert out.columns[-len(CLASSIFY_COLUMNS) :] == list(CLASSIFY_COLUMNS)
    assert out.height == rows.height
    assert set(out["task_type"]) <= set(CODE_OF)
    m = result.metrics
    assert m["seed_size"] == m["seed_labelled"] == 80
    assert m["calls"]["calls"] == m["calls"]["cache_misses"] == 80 == len(backend.asked)
    assert m["label_by"] == {"llm": 80, "classifier": rows.height - 80}
    # the keywords are in the texts, so the classifier learns them: cross-validated and on
    # the rows it never saw
    assert m["cv_agreement"] >= 0.9
    unseen = out.filter(pl.col("task_label_by") == "classifier")
    truth = [_kind_of("[Instruction]" + m[0]["content"]) for m in unseen["messages"].to_list()]
    accuracy = sum(a == b for a, b in zip(unseen["task_type"], truth, strict=True)) / len(truth)
    assert accuracy >= 0.9
    # the LLM's seed labels: 0.7 of 0.9 label mass on the right code
    llm = out.filter(pl.col("task_label_by") == "llm")
    assert llm["task_conf"].to_list() == pytest.approx([0.7 / 0.9] * 80)
    assert (llm["task_type"] == llm["seed_task_type"]).all()
    assert m["source_agreement"]["seed"]["agreement"] == 1.0
    assert sum(m["distribution"].values()) == rows.height
    assert len(result.plots["confusion"]) == 80
    assert {p["task_type"] for p in result.plots["labels"]} == set(CODE_OF)
    # both prompt languages were used
    assert any("【指令】" in a for a in backend.asked) and any(
        "[Instruction]" in a for a in backend.asked
    )


def test_the_llm_labeller_labels_as_the_seed_rows_are_labelled_in_each_language(
    tmp_path: Path,
) -> None:
    """expand's type-back check: any of the 33 types (not only those among the seeds), in
    the instruction's language, with its share of the label mass; failures give no label."""
    backend = ScriptedClassifier(fail_on="Empire")
    with CallCache(tmp_path) as cache:
        labeller = LLMLabeller(_client(cache, backend, max_failure_rate=1.0), Classify())
        texts = ["Write a poem about rain.", "计算 3 + 4。", "When did the Empire fall?"]
        labels, confs = labeller.label(texts, ["en", "zh", "en"])
        assert labels == ["writing", "math", None]
        assert confs == pytest.approx([0.7 / 0.9, 0.7 / 0.9, 0.0])
        assert [("【指令】" in a) for a in backend.asked if "计算" in a] == [True]
        assert not any("【指令】" in a for a in backend.asked if "计算" not in a)
        assert labeller.stats.calls == 3 and labeller.stats.failed == 1
        labeller.label(texts[:2], ["en", "zh"])  # the same calls again: cache hits
        assert labeller.stats.cache_hits == 2 and len(backend.asked) == 3


def test_raising_seed_size_calls_the_llm_only_for_new_seed_rows(tmp_path: Path) -> None:
    rows = _rows(30)
    with CallCache(tmp_path) as cache:
        first = classify_rows(
            rows, lambda r: _client(cache, ScriptedClassifier()), Classify(seed_size=40)
        )
        more = classify_rows(
            rows, lambda r: _client(cache, ScriptedClassifier()), Classify(seed_size=56)
        )
    assert first.metrics["calls"]["cache_misses"] == 40
    assert more.metrics["calls"]["cache_hits"] == 40
    assert more.metrics["calls"]["cache_misses"] == 16
    seeds_first = set(first.rows.filter(pl.col("seed_task_type").is_not_null())["id"])
    seeds_more = set(more.rows.filter(pl.col("seed_task_type").is_not_null())["id"])
    assert seeds_first < seeds_more


def test_failed_seed_calls_fall_back_to_the_classifier_and_are_counted(tmp_path: Path) -> None:
    rows = _rows(20)
    backend = ScriptedClassifier(fail_on="poem")
    with CallCache(tmp_path) as cache:
        client = _client(cache, backend, max_failure_rate=0.5)
        result = classify_rows(rows, lambda r: client, Classify(seed_size=80))
    m = result.metrics
    failed = m["seed_unlabelled"]["failed"]
    assert failed > 0 and m["seed_labelled"] == m["seed_size"] - failed == rows.height - failed
    poem_rows = result.rows.filter(
        pl.col("messages").list.first().struct.field("content").str.contains("poem")
    )
    assert (poem_rows["task_label_by"] == "classifier").all()
    assert poem_rows["seed_task_type"].null_count() == poem_rows.height
    assert result.rows.height == rows.height  # no row is dropped


def test_generate_mode_parses_strictly_and_counts_unparsed(tmp_path: Path) -> None:
    rows = _rows(10)
    n = rows.height

    class Rambling(ScriptedClassifier):
        """Writing rows get a task line followed by more text: not parsed, never guessed."""

        def generate(self, requests: list[GenerateRequest]) -> list[Generation | Failure]:
            outs = super().generate(requests)
            return [
                Generation(o.text + "\nHope this helps!", "stop", 100, 12)
                if isinstance(o, Generation) and "writing" in o.text
                else o
                for o in outs
            ]

    with CallCache(tmp_path) as cache:
        p = Classify(mode="generate", seed_size=n)
        good = classify_rows(rows, lambda r: _client(cache, ScriptedClassifier()), p)
        mixed = classify_rows(
            rows, lambda r: _client(cache, Rambling(reply="{name}\nTask: {code}")), p
        )
        bad = ScriptedClassifier(reply="I think it is {name}.")
        with pytest.raises(DistilpipeError, match=f"none of the {n} seed rows got a label"):
            classify_rows(rows, lambda r: _client(cache, bad), p)
    assert good.metrics["seed_labelled"] == n
    writing = sum(
        _kind_of("[Instruction]" + m[0]["content"]) == "writing" for m in rows["messages"]
    )
    assert mixed.metrics["seed_unlabelled"]["unparsed"] == writing > 0
    assert mixed.metrics["seed_labelled"] == n - writing


def test_source_seed_labels_make_no_llm_call_and_never_become_the_final_label(
    tmp_path: Path,
) -> None:
    rows = _rows(30)

    def no_llm(role: str) -> LLMClient:
        raise AssertionError("seed_labels: source must not ask for an LLM")

    result = classify_rows(rows, no_llm, Classify(seed_labels="source", seed_size=120))
    m = result.metrics
    assert m["calls"] is None
    # only Math and Creative writing map onto one type; Coding & Debugging is ambiguous
    assert m["seed_unlabelled"]["ambiguous_source"] > 0
    assert set(m["cv_per_class"]) == {"math", "writing"}
    assert (result.rows["task_label_by"] == "classifier").all()


def test_task_classifier_round_trips_and_refits_byte_identically(tmp_path: Path) -> None:
    rows = _rows(30)
    texts = [m[0]["content"] for m in rows["messages"].to_list()]
    labels = [_kind_of("[Instruction]" + t) or "others" for t in texts]
    clf = TaskClassifier.fit(texts, labels)
    clf.save(tmp_path / "a")
    TaskClassifier.fit(texts, labels).save(tmp_path / "b")

    def digest(folder: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}

    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    loaded = TaskClassifier.load(tmp_path / "a")
    probe = ["Write a Python function that sorts a list.", "写一首关于月亮的诗。", "Solve 3x = 12."]
    assert (
        loaded.predict(probe)[0] == clf.predict(probe)[0] == ["code_generation", "writing", "math"]
    )
    probs = loaded.predict_proba(probe)
    assert probs.shape == (3, 4) and probs.sum(axis=1) == pytest.approx([1.0, 1.0, 1.0])
    with pytest.raises(DistilpipeError, match="cannot load"):
        TaskClassifier.load(tmp_path / "missing")


def test_no_rows_give_empty_outputs_not_an_error(tmp_path: Path) -> None:
    """A keep rule upstream that keeps nothing: classify writes empty outputs."""
    result = classify_rows(_rows(2).head(0), lambda r: pytest.fail("no call"), Classify())
    assert result.rows.height == 0
    assert result.rows.columns[-len(CLASSIFY_COLUMNS) :] == list(CLASSIFY_COLUMNS)
    assert result.metrics["seed_size"] == result.metrics["rows"] == 0
    assert result.metrics["cv_agreement"] is None
    result.classifier.save(tmp_path / "empty")
    assert TaskClassifier.load(tmp_path / "empty").labels == []
