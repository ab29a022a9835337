"""The stand-in models' training conversations, drawn from the tiny world (distilpipe.world).

The teacher plays Qwen2-72B-Instruct: it knows the whole world and follows the pipeline's own
prompts. So its corpus is the world's instructions with their answers, and every prompt the
pipeline sends a teacher, judge or classifier, rendered from the project's real templates
(src/distilpipe/prompts, through the same functions the stages use) with the reply the
world's truth calls for: grades, task-type codes, translations, new instructions in their
tags, follow-up questions, rewrites, MT-Bench ratings and AlpacaEval verdicts. A changed
template therefore changes the corpus, and the stand-ins must be trained again to follow it.

The student plays a small base model with headroom: it knows only the world's train
instances, asked in their base phrasings, and answers them tersely (no worked steps, no
format instructions); and it can restate an answer it is shown (the self-distiller's
prompt). Nothing in its corpus comes from the evaluation space (`World.eval_space`).

Quality levels of an answer (`VARIANTS`) drive every grading prompt the same way, so the
judge, MT-Bench's grader and AlpacaEval's annotator agree on what is better.
Everything is drawn from one seeded `random.Random`: the same world and seed give the same
conversations.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from distilpipe.evaluate.alpaca import judge_pair_prompt
from distilpipe.evaluate.ifeval import build as ifeval_check
from distilpipe.evaluate.mt_bench import REFERENCE_CATEGORIES, Question, judge_prompt
from distilpipe.ops.rewrite import family_of
from distilpipe.ops.translate import translate_prompt
from distilpipe.params import StudentCorpus, TeacherCorpus
from distilpipe.prompts import render
from distilpipe.taxonomy import task_types
from distilpipe.world import LANGS, Constraint, Instance, Skill, World

Message = dict[str, str]
Conversation = list[Message]

SYSTEMS = {
    "en": ["You are a helpful assistant.", "You are a concise, accurate assistant."],
    "zh": ["你是一个乐于助人的助手。", "你是一个简洁、准确的助手。"],
}
# answer kind -> (judge score 0-9, MT-Bench rating 1-10, rank for pairwise verdicts)
VARIANTS: dict[str, tuple[int, int, int]] = {
    "detail": (9, 10, 6),
    "answer": (9, 9, 5),
    "terse": (5, 6, 3),
    "ignored": (4, 5, 2),  # a right answer that ignores the instruction's format constraint
    "wrong_lang": (2, 3, 1),
    "cut": (2, 3, 1),
    "wrong": (1, 2, 0),  # the right form, the wrong final answer
    "terse_wrong": (1, 2, 0),
    "other": (0, 1, 0),  # the answer to another instruction
    "echo": (0, 1, 0),  # the instruction repeated
}
# A skill's task type -> its MT-Bench category (REFERENCE_CATEGORIES get reference-guided
# grading, as MT-Bench's math, reasoning and coding questions do).
MT_CATEGORIES = {
    "math": "math",
    "reasoning": "reasoning",
    "code_generation": "coding",
    "code_debug": "coding",
    "computer_science": "coding",
    "writing": "writing",
    "paraphrase": "writing",
    "grammar": "writing",
    "roleplay": "roleplay",
    "data_analysis": "extraction",
    "complex_format": "extraction",
    "multilingual": "extraction",
    "biology": "stem",
    "chemistry": "stem",
    "physics": "stem",
    "medicine": "stem",
    "health": "stem",
    "technology": "stem",
    "ecology": "stem",
}
GENERIC_FOLLOWUPS = {
    "detail": {"en": "Can you explain that in more detail?", "zh": "能再详细解释一下吗？"},
    "short": {
        "en": "What is the final answer, in one short line?",
        "zh": "最终答案是什么？请用一句话回答。",
    },
}
SHORT_ANSWER = {"en": "The answer is {key}.", "zh": "答案是{key}。"}


@dataclass(frozen=True)
class Prompt:
    """One instruction of the world: an instance asked in a language and phrasing, maybe
    with a format constraint; `answer` and `detail` are the teacher's (following it)."""

    instance: Instance
    lang: str
    phrasing: int
    base: str  # the instruction without the constraint
    text: str  # what the user writes
    answer: str
    detail: str
    constraint: str | None = None
    kwargs: dict[str, object] = field(default_factory=dict)

    @property
    def skill(self) -> Skill:
        return self.instance.skill

    @property
    def key(self) -> str:
        return self.instance.key(self.lang)

    def plain(self, kind: str) -> str:
        return self.instance.reply(kind, self.lang)


SPACES = ("student", "teacher", "eval")


def draw_prompt(
    world: World,
    rng: random.Random,
    space: str,
    *,
    lang: str | None = None,
    skill: Skill | None = None,
    constraint_rate: float = 0.0,
) -> Prompt:
    """An instruction of `space`: `student` (train instances, base phrasings), `teacher`
    (anything outside the evaluation space) or `eval` (eval instances, held phrasings), in
    `lang` (else drawn), of `skill` (else drawn), with a format constraint at `constraint_rate`
    where one applies and changes the answer."""
    skills = list(world.skills.values())
    for _ in range(1000):
        chosen = skill or rng.choice(skills)
        language = lang or rng.choice(LANGS)
        split = {"student": "train", "eval": "eval"}.get(space)
        instance = world.draw(chosen, rng, split)
        held = {"student": False, "eval": True}.get(space)
        phrasing = rng.choice(chosen.phrasings(language, held))
        if space == "teacher" and world.eval_space(instance, language, phrasing):
            continue
        base = instance.ask(language, phrasing)
        prompt = Prompt(
            instance,
            language,
            phrasing,
            base,
            base,
            instance.reply("answer", language),
            instance.reply("detail", language),
        )
        if rng.random() < constraint_rate:
            prompt = constrain(world, prompt, rng) or prompt
        return prompt
    raise ValueError(f"no {space} instruction of {skill.id if skill else 'any skill'}")


def constrain(world: World, prompt: Prompt, rng: random.Random) -> Prompt | None:
    """`prompt` with a format constraint of its language drawn and followed by the teacher's
    answers, or None when the skill takes none (code answers), when IFEval's check cannot
    confirm the followed answer, or when the drawn one would not change the answer (the
    plain answer already passes the check)."""
    if "```" in prompt.answer:
        return None
    usable = [c for c in world.constraints.values() if prompt.lang in c.langs]
    constraint = rng.choice(usable)
    kwargs = constraint.draw(prompt.lang, rng)
    if constraint.apply == "repeat_prompt":
        kwargs = {"prompt_to_repeat": prompt.base}
    sep = " " if prompt.lang == "en" else ""
    text = prompt.base + sep + constraint.instruction(prompt.lang, kwargs)
    answer = apply_constraint(constraint, prompt, prompt.answer, kwargs)
    detail = apply_constraint(constraint, prompt, prompt.detail, kwargs)
    check = ifeval_check(constraint.id, kwargs)
    # a short text that the language check cannot place ("chile uses the peso.") takes no
    # language-checked constraint; nor does an answer that follows it already
    if not check.check(answer) or not check.check(detail) or check.check(prompt.answer):
        return None
    return Prompt(
        prompt.instance,
        prompt.lang,
        prompt.phrasing,
        prompt.base,
        text,
        answer,
        detail,
        constraint.id,
        kwargs,
    )


def apply_constraint(
    constraint: Constraint, prompt: Prompt, answer: str, kwargs: dict[str, object]
) -> str:
    """`answer` made to follow `constraint` (its `apply`)."""
    lang = prompt.lang
    kind = constraint.apply
    if kind == "lowercase":
        return answer.lower()
    if kind == "uppercase":
        return answer.upper()
    if kind == "end_phrase":
        return f"{answer}\n{kwargs['end_phrase']}"
    if kind == "quotation":
        return f'"{answer}"' if lang == "en" else f"“{answer}”"
    if kind == "title":
        names = [e.text(None, lang) for e in prompt.instance.entities]
        title = names[0] if names else task_name(prompt.skill.type, lang)
        return f"<<{title}>>\n{answer}"
    if kind == "postscript":
        note = "P.S. I hope this is clear." if lang == "en" else "P.S. 希望我讲清楚了。"
        return f"{answer}\n\n{note}"
    if kind == "json":
        return "```json\n" + json.dumps({"answer": answer}, ensure_ascii=False) + "\n```"
    if kind == "no_comma":
        return answer.replace(", ", " ").replace(",", "")
    if kind == "keywords":
        words = kwargs["keywords"]
        assert isinstance(words, list)
        if lang == "zh":
            return f"{answer}\n关键词：{'、'.join(words)}。"
        return f"{answer}\nKeywords: {', '.join(words)}."
    if kind == "chinese":
        full = answer == prompt.detail
        return prompt.instance.reply("detail" if full else "answer", "zh")
    if kind == "repeat_prompt":
        return f"{prompt.base}\n{answer}"
    if kind == "bullets":
        body = " ".join(line.strip() for line in answer.splitlines() if line.strip())
        last = f"Final answer: {prompt.key}" if lang == "en" else f"最终答案：{prompt.key}"
        return f"* {body}\n* {last}"
    raise ValueError(f"constraint {constraint.id}: no transformation {kind!r}")


def task_name(task_type: str, lang: str) -> str:
    return next(t.name(lang) for t in task_types() if t.id == task_type)


# --- answers of every quality --------------------------------------------------------------


def variant(world: World, prompt: Prompt, kind: str, rng: random.Random) -> str:
    """An answer to `prompt` of quality `kind` (VARIANTS)."""
    other_lang = "zh" if prompt.lang == "en" else "en"
    if kind == "detail":
        return prompt.detail
    if kind == "answer":
        return prompt.answer
    if kind == "terse":
        return prompt.plain("terse")
    if kind == "ignored":
        return prompt.plain("answer")
    if kind == "wrong_lang":
        return prompt.instance.reply("answer", other_lang)
    if kind == "cut":
        words = prompt.answer.split(" ") if prompt.lang == "en" else list(prompt.answer)
        keep = max(1, len(words) // 2)
        return (" " if prompt.lang == "en" else "").join(words[:keep])
    if kind in ("wrong", "terse_wrong"):
        text = prompt.answer if kind == "wrong" else prompt.plain("terse")
        return wrong_answer(world, prompt, text, rng)
    if kind == "other":
        return draw_prompt(world, rng, "teacher", lang=prompt.lang).answer
    if kind == "echo":
        return prompt.base
    raise ValueError(f"no answer variant {kind!r}")


def wrong_answer(world: World, prompt: Prompt, text: str, rng: random.Random) -> str:
    """`text` with its final answer (the last place the key appears) replaced by another
    instance's key; code, whose key is code, by another instance's answer."""
    key = prompt.key
    for _ in range(50):
        other = world.draw(prompt.skill, rng)
        other_key = other.key(prompt.lang)
        if other_key == key:
            continue
        if "\n" in key or "(" in key or key not in text:
            return other.reply("answer", prompt.lang)
        head, _, tail = text.rpartition(key)
        return head + other_key + tail
    return draw_prompt(world, rng, "teacher", lang=prompt.lang).answer


def _user(text: str) -> Message:
    return {"role": "user", "content": text}


def _assistant(text: str) -> Message:
    return {"role": "assistant", "content": text}


def _one(prompt_text: str, reply: str) -> Conversation:
    return [_user(prompt_text), _assistant(reply)]


# --- the teacher's corpus --------------------------------------------------------------------


def teacher_corpus(world: World, sizes: TeacherCorpus, seed: int) -> list[Conversation]:
    """The teacher's conversations, every part in its own seeded stream, shuffled together."""
    parts: list[tuple[str, Callable[[World, random.Random, TeacherCorpus], Conversation]]] = [
        ("qa", _qa),
        ("multiturn_qa", _multiturn_qa),
        ("judge", _judge),
        ("classify", _classify),
        ("translate", _translate),
        ("expand", _expand),
        ("followup", _followup),
        ("rewrite", _rewrite),
        ("mt_bench", _mt_bench),
        ("alpaca", _alpaca),
    ]
    out: list[Conversation] = []
    for name, make in parts:
        rng = random.Random(f"{seed}:teacher:{name}")
        out += [make(world, rng, sizes) for _ in range(getattr(sizes, name))]
    random.Random(f"{seed}:teacher:order").shuffle(out)
    return out


def _with_system(messages: Conversation, lang: str, rng: random.Random) -> Conversation:
    if rng.random() < 0.15:
        return [{"role": "system", "content": rng.choice(SYSTEMS[lang])}, *messages]
    return messages


def _qa(world: World, rng: random.Random, s: TeacherCorpus) -> Conversation:
    p = draw_prompt(world, rng, "teacher", constraint_rate=s.constraint_rate)
    return _with_system(_one(p.text, p.answer), p.lang, rng)


def followups(prompt: Prompt) -> list[tuple[str, str]]:
    """The follow-up questions a user may ask after `prompt`'s answer, with the teacher's
    answers: the skill's own, then the generic ones."""
    out = []
    own = prompt.instance.followup(prompt.lang)
    if own is not None:
        out.append(own)
    detail = prompt.plain("detail")
    if detail != prompt.plain("answer"):
        out.append((GENERIC_FOLLOWUPS["detail"][prompt.lang], detail))
    short = SHORT_ANSWER[prompt.lang].format(key=prompt.key)
    if "\n" not in prompt.key:
        out.append((GENERIC_FOLLOWUPS["short"][prompt.lang], short))
    return out


def _with_followups(world: World, rng: random.Random) -> Prompt:
    """A teacher-space prompt that has follow-up questions."""
    while True:
        p = draw_prompt(world, rng, "teacher")
        if followups(p):
            return p


def _multiturn_qa(world: World, rng: random.Random, s: TeacherCorpus) -> Conversation:
    p = _with_followups(world, rng)
    turns: Conversation = [_user(p.text), _assistant(p.answer)]
    options = followups(p)
    rng.shuffle(options)
    for question, answer in options[: rng.choice([1, 1, 2])]:
        turns += [_user(question), _assistant(answer)]
    return _with_system(turns, p.lang, rng)


def _graded(world: World, rng: random.Random, s: TeacherCorpus) -> tuple[Prompt, str, str]:
    """A prompt, the kind of an answer to it and the answer: constrained prompts also get
    their constraint ignored; kinds drawn so that every grade is common."""
    p = draw_prompt(world, rng, "teacher", constraint_rate=s.constraint_rate)
    kinds = list(VARIANTS)
    if p.constraint is None:
        kinds.remove("ignored")
    kind = rng.choice(kinds)
    return p, kind, variant(world, p, kind, rng)


def _judge(world: World, rng: random.Random, s: TeacherCorpus) -> Conversation:
    p, kind, answer = _graded(world, rng, s)
    text, _ = render("judge_logprob", p.lang, instruction=p.text, answer=answer)
    return _one(text, str(VARIANTS[kind][0]))


def _classify(world: World, rng: random.Random, s: TeacherCorpus) -> Conversation:
    # the classify stage shows at most classify.max_chars (400) characters of an instruction
    p = draw_prompt(world, rng, "teacher", constraint_rate=s.constraint_rate)
    types = task_types()
    text, _ = render("classify_logprob", p.lang, instruction=p.text[:400], types=types)
    code = next(t.code for t in types if t.id == p.skill.type)
    return _one(text, code)


def _translate(world: World, rng: random.Random, s: TeacherCorpus) -> Conversation:
    p = draw_prompt(world, rng, "teacher", constraint_rate=s.constraint_rate)
    target = "zh" if p.lang == "en" else "en"
    other = Prompt(
        p.instance,
        target,
        p.phrasing,
        p.instance.ask(target, p.phrasing),
        p.instance.ask(target, p.phrasing),
        p.instance.reply("answer", target),
        p.instance.reply("detail", target),
    )
    constraint = world.constraints.get(p.constraint or "")
    if constraint is not None:
        if target not in constraint.langs or constraint.apply in (
            "chinese",
            "keywords",
            "end_phrase",
            "repeat_prompt",
        ):
            return _translate(world, rng, s)  # its words are the language's own: not translated
        sep = " " if target == "en" else ""
        text = other.base + sep + constraint.instruction(target, p.kwargs)
        other = Prompt(
            other.instance,
            target,
            other.phrasing,
            other.base,
            text,
            apply_constraint(constraint, other, other.answer, p.kwargs),
            other.detail,
        )
    role, source_text, target_text = rng.choice(
        [
            ("user", p.text, other.text),
            ("assistant", p.answer, other.answer),
            ("assistant", p.plain("detail"), other.plain("detail")),
        ]
    )
    prompt, _ = translate_prompt(role, source_text, p.lang, target)
    return _one(prompt, target_text)


def _expand(world: World, rng: random.Random, s: TeacherCorpus) -> Conversation:
    task = rng.choice([t for t in task_types() if world.skills_of(t.id)])
    lang = rng.choice(LANGS)
    skills = world.skills_of(task.id)
    k = rng.choice([0, 1, 2, 3, 3])
    seeds = [
        draw_prompt(world, rng, "teacher", lang=lang, skill=rng.choice(skills)).text[:400]
        for _ in range(k)
    ]
    new = draw_prompt(world, rng, "teacher", lang=lang, skill=rng.choice(skills))
    text, _ = render(
        "expand",
        lang,
        task_name=task.name(lang),
        task_description=task.description(lang),
        seeds=seeds,
    )
    return _one(text, f"<instruction>{new.base}</instruction>")


def _followup(world: World, rng: random.Random, s: TeacherCorpus) -> Conversation:
    p = _with_followups(world, rng)
    turns: Conversation = [_user(p.text), _assistant(p.answer)]
    options = followups(p)
    rng.shuffle(options)
    if len(options) > 1 and rng.random() < 0.4:
        asked, answer = options.pop()
        turns += [_user(asked), _assistant(answer)]
    text, _ = render("multiturn_user", p.lang, turns=turns)
    return _one(text, options[0][0])


def _rewrite(world: World, rng: random.Random, s: TeacherCorpus) -> Conversation:
    p = draw_prompt(world, rng, "teacher", constraint_rate=s.constraint_rate)
    family = family_of(p.skill.type)
    context: Conversation = []
    instruction, original, target = p.text, rng.choice([p.answer, p.detail]), p.detail
    options = followups(p)
    if options and rng.random() < 0.15:  # a follow-up turn of a multi-turn row
        context = [_user(p.text), _assistant(p.answer)]
        instruction, target = rng.choice(options)
        original = target
    text, _ = render(
        f"rewrite_{family}", p.lang, instruction=instruction, answer=original, context=context
    )
    return _one(text, target)


def _mt_bench(world: World, rng: random.Random, s: TeacherCorpus) -> Conversation:
    p, kind, answer = _graded(world, rng, s)
    category = MT_CATEGORIES.get(p.skill.type, "humanities")
    options = followups(p)
    if options and rng.random() < 0.4:  # the second turn is graded
        question_2, reference_2 = rng.choice(options)
        kind = rng.choice(["answer", "wrong_lang", "cut", "other", "echo"])
        answer_2 = {
            "answer": reference_2,
            "wrong_lang": p.instance.reply("answer", "zh" if p.lang == "en" else "en"),
            "cut": reference_2[: max(1, len(reference_2) // 2)],
            "other": draw_prompt(world, rng, "teacher", lang=p.lang).answer,
            "echo": question_2,
        }[kind]
        question = Question(0, category, (p.text, question_2), (p.answer, reference_2))
        text, _ = judge_prompt(question, (p.answer, answer_2), 2, p.lang, rating_only=True)
    else:
        reference = (p.answer, p.answer) if category in REFERENCE_CATEGORIES else ()
        question = Question(0, category, (p.text, p.text), reference)
        text, _ = judge_prompt(question, (answer,), 1, p.lang, rating_only=True)
    return _one(text, f"[[{VARIANTS[kind][1]}]]")


def _alpaca(world: World, rng: random.Random, s: TeacherCorpus) -> Conversation:
    p = draw_prompt(world, rng, "teacher", constraint_rate=s.constraint_rate)
    kinds = [k for k in VARIANTS if k != "ignored" or p.constraint is not None]
    while True:
        first, second = rng.sample(kinds, 2)
        if VARIANTS[first][2] != VARIANTS[second][2]:
            break
    a, b = variant(world, p, first, rng), variant(world, p, second, rng)
    text, _ = judge_pair_prompt(p.text, a, b, True, p.lang)
    return _one(text, "1" if VARIANTS[first][2] > VARIANTS[second][2] else "2")


# --- the student's corpus --------------------------------------------------------------------


def student_corpus(world: World, sizes: StudentCorpus, seed: int) -> list[Conversation]:
    """The student's conversations: train instances in base phrasings answered tersely, and
    restatements of teacher-style answers to them (the self-distiller's prompt, answered by
    restating the answer as it is)."""
    out: list[Conversation] = []
    rng = random.Random(f"{seed}:student:qa")
    for _ in range(sizes.qa):
        p = draw_prompt(world, rng, "student")
        out.append(_with_system(_one(p.text, p.plain("terse")), p.lang, rng))
    rng = random.Random(f"{seed}:student:restate")
    for _ in range(sizes.restate):
        p = draw_prompt(world, rng, "student")
        answer = rng.choice([p.answer, p.detail])
        text, _ = render("self_distill", p.lang, instruction=p.text, answer=answer)
        out.append(_one(text, answer))
    random.Random(f"{seed}:student:order").shuffle(out)
    return out


def conversations_of(world: World, space: str, n: int, seed: int) -> Iterator[Prompt]:
    rng = random.Random(f"{seed}:{space}")
    for _ in range(n):
        yield draw_prompt(world, rng, space)
