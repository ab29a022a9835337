#!/usr/bin/env python3
"""Benchmark distilpipe's ingest and pool stages on a large synthetic corpus.

    .venv/bin/python bench/ingest_pool.py                     # 1M records (~2 GB), the default
    .venv/bin/python bench/ingest_pool.py --rows 30000 --baseline-rows 5000 \
        --baseline-pool-rows 2000

What it does, in one run:

1. Writes a synthetic corpus in the three source layouts (magpie.jsonl, openhermes.json as one
   indented JSON array, mammoth2.jsonl), deterministic from --seed and cached under
   <workdir>/corpus (a marker file records rows, seed and generator version).
2. Times distilpipe: ingest of each file (read_path -> ingest_records -> write_parquet) and
   pool (build_pool over the three ingested frames -> write_parquet). Every phase runs in a
   fresh child process (this script with a hidden --child flag), like the DVC stages do, so the
   peak RSS it reports (VmHWM) belongs to that phase alone.
3. Times a naive baseline in the same run on slices: the first --baseline-rows records of each
   format for ingest (stdlib json + per-record Python + pandas + to_parquet) and the first
   --baseline-pool-rows ingested rows of each source for pool (pandas drop_duplicates +
   langdetect + datasketch MinHashLSH). distilpipe runs on the same slices too, so there is a
   same-input comparison and a check that both give the same row ids.
4. Prints one table (and writes <workdir>/results.json).
"""

from __future__ import annotations

import argparse
import codecs
import hashlib
import itertools
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import orjson

GEN_VERSION = 1  # bump when the generator changes, to invalidate cached corpora
FORMATS = ("magpie", "openhermes", "mammoth2")
FILE_NAMES = {
    "magpie": "magpie.jsonl",
    "openhermes": "openhermes.json",
    "mammoth2": "mammoth2.jsonl",
}
# Share of records in Chinese per format; with an even split this averages to 25%.
# (WebInstructSub is almost all English, Magpie and OpenHermes less so.)
ZH_SHARE = {"magpie": 0.35, "openhermes": 0.30, "mammoth2": 0.10}
# Median assistant text length in bytes per format, calibrated so that a record averages
# ~2 KB of JSON (Magpie and MAmmoTH2 carry every text twice: instruction/response next to
# conversations, orig_* next to the refined question/answer).
RESPONSE_MEDIAN_BYTES = {"magpie": 300, "openhermes": 800, "mammoth2": 400}
TEXT_COPIES = {"magpie": 2.0, "openhermes": 1.0, "mammoth2": 1.8}
RESPONSE_SIGMA = 0.85  # lognormal: long tail, a few records of 20-50 KB
MAX_RECORD_BYTES = 50_000
HUGE_SHARE = 0.0005  # forced 20-50 KB records, so the tail is there at any --rows
EXACT_DUP_SHARE = 0.02
NEAR_DUP_SHARE = 0.02
EMPTY_ANSWER_SHARE = 0.001
DONOR_WINDOW = 5000  # duplicates copy one of the last DONOR_WINDOW records (kept in a ring)
CHUNK = 10_000  # records generated per numpy draw / per write
POOL_PARAMS = {"near_dup_threshold": 0.85, "languages": ["en", "zh"], "max_chars": 16000}


def _words(text: str) -> list[str]:
    return text.split()


# --- vocabulary ----------------------------------------------------------------------------
# Real words, so that fastText/langdetect see English and Chinese, and MinHash sees a natural
# token distribution (a few frequent words, a long tail).

EN_NOUNS = _words("""
time person year way day thing man world life hand part child eye woman place work week case
point government company number group problem fact system program question night home water
room mother area money story month lot study book job word business issue side kind head house
service friend father power hour game line end member law car city community name president
team minute idea kid body information back parent face others level office door health art war
history party result change morning reason research girl guy moment air teacher force education
foot boy age policy process music market sense nation plan college interest death experience
effect class control care field development role effort rate heart drug show leader light voice
wife police mind price report decision son view relationship town road arm difference value
building action model season society tax director position player record paper space ground form
event official matter center couple site project activity star table need court oil situation
cost industry figure street image phone data picture practice piece land product doctor wall
patient worker news test movie north love support technology step baby computer type attention
film tree source organization hair window evidence population site bank network memory energy
function variable method algorithm database server client request response error library module
framework interface parameter equation theorem proof matrix vector integral derivative function
probability distribution sample dataset feature model training language sentence paragraph essay
recipe garden river mountain ocean forest climate weather planet species cell protein gene
molecule reaction economy inflation budget investment strategy customer product marketing brand
contract employee manager meeting schedule deadline travel hotel museum festival tradition
culture poem novel character plot chapter author audience concert instrument painting sculpture
""")
EN_VERBS = _words("""
use make find give tell work call try ask need feel become leave put mean keep let begin seem
help show hear play run move like live believe bring happen write provide sit stand lose pay
meet include continue set learn change lead understand watch follow stop create speak read allow
add spend grow open walk win offer remember consider appear buy wait serve die send expect build
stay fall cut reach kill remain suggest raise pass sell require report decide pull explain
develop carry drive break receive agree support hold describe improve reduce increase compare
measure analyze compute calculate define implement optimize design test deploy store parse
convert return process transform evaluate predict estimate solve simplify prove derive assume
summarize translate organize plan prepare review check update install configure debug refactor
""")
EN_ADJS = _words("""
other new good high old great big small large national young different black long little
important political bad white real best right social only public sure low early able human
local late hard major better economic strong possible whole free military true federal
international full special easy clear recent certain personal open red difficult available
likely short single medical current wrong private past foreign fine common poor natural
significant similar hot dead central happy serious ready simple left physical general
environmental financial blue democratic dark various entire close legal religious cold final
main green nice huge popular traditional cultural efficient robust scalable reliable accurate
complex linear quadratic random discrete continuous numerical statistical typical practical
modern ancient historical creative careful detailed brief quick slow useful helpful
""")
EN_ADVS = _words("""
also very often however too usually really early never always sometimes together likely simply
generally instead actually again rather almost especially ever quickly probably already below
directly therefore else thus easily eventually exactly certainly normally currently extremely
finally constantly properly carefully gradually roughly mostly clearly
""")
EN_PREPS = _words("in on with for about from into over under between through after before during")
EN_RARE = ["café", "naïve", "résumé", "façade", "déjà vu", "coöperate", "Zürich", "São Paulo"]
EN_OPENERS = [
    "Can you explain",
    "How do I",
    "Write a short essay about",
    "What is the difference between",
    "Please summarize",
    "I need help with",
    "Give me three tips on",
    "Explain step by step how to",
    "Why does",
    "What are the main causes of",
    "Could you write a poem about",
    "Describe the relationship between",
    "How can I improve",
    "Is it true that",
    "Create a plan for",
    "Write a Python function to",
    "List the pros and cons of",
    "What would happen if",
    "Compare and contrast",
    "Help me understand",
]
EN_TEMPLATES = [
    "The {a} {n} {v3} the {n} {p} the {a} {n}.",
    "{A} {n} can {v} a {a} {n} if the {n} is {a}.",
    "In {a} {ns}, the {n} {d} {v3} {p} the {n}.",
    "This is why the {n} {v3} {d} {a} for most {ns}.",
    "However, a {a} {n} does not always {v} the {n}.",
    "We {v} the {n} and then {v} the {a} {n} {p} each {n}.",
    "For example, the {n} of a {a} {n} {v3} {p} its {n}.",
    "It is {d} {a} to {v} the {n} before you {v} the {n}.",
    "Many {ns} {v} {a} {ns}, but few {v} the {n} {d}.",
    "The {n} {v3} {d}, so the {a} {n} {v3} the {n}.",
    "If you {v} the {n}, the {n} will {v} {p} the {a} {n}.",
    "Most {a} {ns} {v} {p} the {n} and {v} a {a} {n}.",
    "First, {v} the {a} {n}; then {v} the {n} {p} the {n}.",
    "A {n} is {a} when its {n} {v3} the {a} {n}.",
    "You should {d} {v} your {n} {p} a {a} {n}.",
    "Note that the {a} {n} {v3} {d} {p} the {n} of the {n}.",
]
ZH_NOUNS = _words("""
学习 数据 问题 方法 系统 模型 时间 学生 老师 城市 经济 文化 历史 技术 社会 环境 健康 公司 市场
产品 用户 政府 国家 世界 生活 工作 家庭 孩子 朋友 能力 知识 经验 结果 原因 影响 作用 发展 变化
关系 过程 目标 计划 资源 信息 网络 手机 电脑 软件 程序 代码 函数 算法 数学 物理 化学 生物 语言
文章 故事 诗歌 音乐 电影 运动 饮食 睡眠 天气 季节 春天 夏天 秋天 冬天 河流 森林 动物 植物 空气
能源 交通 教育 医疗 科学 研究 实验 理论 观点 意见 建议 方案 标准 质量 效率 成本 价格 收入 风险
安全 隐私 法律 规则 制度 管理 团队 领导 员工 客户 服务 价值 意义 未来 传统 人工智能 机器学习 大数据
云计算 区块链 数据库 服务器 操作系统 编程语言 面试 简历 旅行 博物馆 餐厅 菜谱 咖啡 茶叶 书籍 图书馆
考试 作业 课程 大学 中学 专业 论文 实验室 医院 医生 病人 药物 症状 习惯 情绪 压力 心理 时间管理
""")
ZH_VERBS = _words("""
分析 提高 解决 理解 学习 使用 需要 考虑 影响 促进 改善 保护 选择 比较 总结 解释 介绍 讨论 设计
实现 优化 管理 支持 发现 认为 建立 推动 减少 增加 控制 处理 完成 参与 关注 注意 帮助 计算 证明
描述 评价 安排 准备 调整 检查 记录 表达 组织 培养 提供 获得 保持 避免 利用 掌握 探索 改变
""")
ZH_ADJS = _words("""
重要 有效 复杂 简单 明显 合理 基本 主要 不同 具体 可靠 稳定 快速 长期 传统 现代 良好 积极 丰富
清楚 充分 独特 普遍 严重 关键 实际 准确 灵活 系统 全面 深入 广泛 必要 常见 困难 容易 安全 健康
""")
ZH_CONN = _words("""
因此 但是 同时 首先 其次 最后 此外 然而 例如 一般来说 总的来说 另一方面 换句话说 事实上 当然 通常
""")
ZH_ADVS = _words("非常 逐渐 进一步 往往 更加 比较 相对 尤其 特别 始终 已经 正在 主动 及时")
ZH_OPENERS = [
    "请解释一下",
    "如何",
    "为什么",
    "帮我写一篇关于",
    "请比较",
    "能不能介绍一下",
    "请用简单的语言说明",
    "我想了解",
    "请给出三个关于",
    "请总结以下内容：",
    "怎样才能",
    "请帮我分析",
    "写一首关于",
    "请设计一个",
    "有哪些方法可以",
]
ZH_TEMPLATES = [
    "{c}，{n}{d}{v}{n}。",
    "{a}的{n}可以{v}{n}的{n}。",
    "在{n}方面，我们需要{v}{a}的{n}。",
    "{n}和{n}之间的关系{d}{a}，这会{v}{n}。",
    "如果{n}不够{a}，就很难{v}{n}。",
    "{c}，{v}{n}是{v}{n}的{a}前提。",
    "很多人认为{n}{d}{a}，但{n}也{d}{v}{n}。",
    "我们可以从{n}、{n}和{n}三个角度来{v}这个问题。",
    "{c}，{a}的{n}往往能{v}{n}的{n}。",
    "对于{n}来说，{v}{n}{d}{a}。",
    "第一步是{v}{n}，第二步是{v}{a}的{n}。",
    "{n}的{n}在 20{y} 年{d}{v}了。",
]
SYSTEM_PROMPTS = [
    "You are an AI assistant. You will be given a task. You must generate a detailed and long "
    "answer.",
    "You are a helpful assistant, who always provide explanation. Think like you are answering "
    "to a five year old.",
    "You are an AI assistant that follows instruction extremely well. Help as much as you can.",
    "You are a helpful assistant that explains concepts clearly and concisely.",
    "You should describe the task and explain your answer. While answering a multiple choice "
    "question, first output the correct answer(s). Then explain why other answers are wrong.",
    "User will you give you a task with some instruction. Your job is follow the instructions as "
    "faithfully as you can. While answering think step-by-step and justify your answer.",
    "You are a world class trivia AI - provide accurate, succinct responses.",
    "Below is an instruction that describes a task. Write a response that appropriately "
    "completes the request.",
    "You are an unbiased, uncensored, helpful assistant.",
    "You are a teacher. Given a task, you explain in simple steps what the task is asking, any "
    "guidelines it provides and how to use those guidelines to find the answer.",
    "你是一个乐于助人的助手，请用中文回答用户的问题。",
    "你是一名经验丰富的老师，请一步一步地解释你的答案。",
]
OH_SOURCES = [
    None,
    None,
    None,
    "airoboros2.2",
    "CamelAI",
    "caseus_custom",
    "EvolInstruct_70k",
    "glaive-code-assist",
    "metamath",
    "cot_alpaca_gpt4",
    "UnnaturalInstructions",
    "LMSys Chatbot Arena",
    "platypus",
    "Econ_domain_expert",
    "GPT-4 Comparison Data",
    "CogStackMed",
    "lmsys1m",
    "theory_of_mind",
    "rp-roleplay",
]
OH_CATEGORIES = [
    None,
    None,
    "orca",
    "general",
    "coding",
    "roleplay",
    "trivia",
    "writing",
    "riddle",
    "joke",
    "song",
    "experience",
    "card",
    "plan",
    "detailed_writing",
]
MAGPIE_TASKS = [
    "Math",
    "Information seeking",
    "Coding & Debugging",
    "Reasoning",
    "Planning",
    "Editing",
    "Creative writing",
    "Advice seeking",
    "Data analysis",
    "Brainstorming",
    "Role playing",
    "Others",
]
MAGPIE_DIFFICULTY = ["very easy", "easy", "medium", "hard", "very hard"]
MAGPIE_QUALITY = ["very poor", "poor", "average", "good", "excellent"]
MATH_SOURCES = ["socratic", "mathstackexchange", "stackexchange"]
MATH_NOUNS = _words("""
function equation integral derivative limit series sequence matrix vector determinant
eigenvalue polynomial root solution variable constant coefficient probability expectation
variance triangle circle angle area volume slope tangent asymptote domain range
""")


# --- text pools ----------------------------------------------------------------------------
# Long texts are joins of random "segments" (sentences with their separators) from a pool made
# once per process; only the first user turn gets a word-level random head, because that is
# what near-dedup compares: joins of pool sentences alone would make prompts collide.


def _fill(template: str, draw: Any, words: dict[str, list[str]]) -> str:
    out = []
    for i, part in enumerate(template.split("{")):
        if i == 0:
            out.append(part)
            continue
        key, rest = part.split("}", 1)
        out.append(words[key][draw() % len(words[key])] + rest)
    return "".join(out)


class _Ints:
    """A stream of random ints drawn a million at a time (numpy per call is ~1 us each)."""

    def __init__(self, rng: np.random.Generator, high: int = 1 << 30) -> None:
        self.rng, self.high = rng, high
        self.buf: list[int] = []
        self.pos = 0

    def __call__(self) -> int:
        if self.pos >= len(self.buf):
            self.buf = self.rng.integers(0, self.high, 1 << 20).tolist()
            self.pos = 0
        self.pos += 1
        return self.buf[self.pos - 1]


def _plural(noun: str) -> str:
    return _third_person(noun)  # the same spelling rules, near enough


def _third_person(verb: str) -> str:
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _en_segments(rng: np.random.Generator, n: int) -> np.ndarray:
    draw = _Ints(rng)
    words = {
        "n": EN_NOUNS,
        "ns": [_plural(w) for w in EN_NOUNS],
        "v": EN_VERBS,
        "v3": [_third_person(v) for v in EN_VERBS],
        "a": EN_ADJS,
        "A": [a.capitalize() for a in EN_ADJS],
        "d": EN_ADVS,
        "p": EN_PREPS,
    }
    segs = []
    for _ in range(n):
        s = _fill(EN_TEMPLATES[draw() % len(EN_TEMPLATES)], draw, words)
        r = draw() % 1000
        if r < 20:  # ~2% non-ASCII: curly quotes, dashes, accented words (as GPT-4 writes)
            s = s[:-1] + f" — “{EN_RARE[draw() % len(EN_RARE)]}” aside."
        elif r < 60:
            heading = f"{_pick(EN_ADJS, draw).capitalize()} {_plural(_pick(EN_NOUNS, draw))}"
            s = f"\n\n### {heading}\n\n"
        elif r < 110:
            s = "\n- " + s
        elif r < 118:
            name = f"{_pick(EN_VERBS, draw)}_{_pick(EN_NOUNS, draw)}"
            s = (
                f"\n\n```python\ndef {name}(x, n={draw() % 100}):\n    "
                f"return [v * n for v in x if v > {draw() % 10}]\n```\n"
            )
        sep = "" if s.endswith("\n") else "\n\n" if r % 7 == 0 else " "
        segs.append(s + sep)
    return np.array(segs, dtype=object)


def _zh_segments(rng: np.random.Generator, n: int) -> np.ndarray:
    draw = _Ints(rng)
    words = {
        "n": ZH_NOUNS,
        "v": ZH_VERBS,
        "a": ZH_ADJS,
        "c": ZH_CONN,
        "d": ZH_ADVS,
        "y": [f"{i:02d}" for i in range(25)],
    }
    segs = []
    for _ in range(n):
        s = _fill(ZH_TEMPLATES[draw() % len(ZH_TEMPLATES)], draw, words)
        r = draw() % 1000
        if r < 40:
            n1, n2 = _pick(ZH_NOUNS, draw), _pick(ZH_NOUNS, draw)
            s = f"\n\n### {'一二三四五六'[draw() % 6]}、{n1}的{n2}\n\n"
        elif r < 100:
            s = f"\n{draw() % 5 + 1}. **{_pick(ZH_NOUNS, draw)}**：" + s
        elif r < 110:
            fn, v, n1 = _pick(EN_VERBS, draw), _pick(ZH_VERBS, draw), _pick(ZH_NOUNS, draw)
            s = f"在 Python 中可以用 `{fn}()` 来{v}{n1}。"
        segs.append(s + ("\n\n" if r % 6 == 0 else ""))
    return np.array(segs, dtype=object)


def _math_segments(rng: np.random.Generator, n: int, zh: bool) -> np.ndarray:
    draw = _Ints(rng)
    prose = _zh_segments(rng, n // 2) if zh else _en_segments(rng, n // 2)
    segs = []
    for i in range(n):
        a, b, c, k = (draw() % 19 + 1 for _ in range(4))
        noun = _pick(MATH_NOUNS, draw)
        choice = draw() % 12  # half formulas, half prose
        if choice == 0:
            s = f"Let $f(x) = {a}x^{{2}} + {b}x - {c}$. Then $f'(x) = {2 * a}x + {b}$."
        elif choice == 1:
            s = (
                f"$$\\int_{{0}}^{{{k}}} {a}x\\,dx = \\frac{{{a} \\cdot {k}^{{2}}}}{{2}} "
                f"= {a * k * k / 2:g}$$"
            )
        elif choice == 2:
            s = f"Since $\\sqrt{{{a * a}}} = {a}$, the {noun} satisfies $x \\le {a}$."
        elif choice == 3:
            s = (
                f"$$\\lim_{{n \\to \\infty}} \\left(1 + \\frac{{{a}}}{{n}}\\right)^{{n}} "
                f"= e^{{{a}}}$$"
            )
        elif choice == 4:
            s = (
                f"The {noun} is $\\begin{{pmatrix}} {a} & {b} \\\\ {c} & {k} \\end{{pmatrix}}$, "
                f"with determinant ${a * k - b * c}$."
            )
        elif choice == 5:
            s = f"Therefore $P(X = {k}) = \\binom{{{a + k}}}{{{k}}} p^{{{k}}}(1-p)^{{{a}}}$."
        else:
            s = str(prose[i % len(prose)]).strip()
        sep = "\n\n" if draw() % 5 == 0 else " "
        segs.append(s + sep)
    return np.array(segs, dtype=object)


def _pick(seq: list[str], draw: Any) -> str:
    return seq[draw() % len(seq)]


class _Text:
    """Builds texts of a target byte length from a segment pool, plus word-level prompt heads."""

    def __init__(self, segs: np.ndarray, rng: np.random.Generator, zh: bool) -> None:
        self.segs = segs
        self.seg_bytes = float(np.mean([len(s.encode()) for s in segs[:2000]]))
        self.idx = _Ints(rng, len(segs))
        self.rng = rng
        self.zh = zh
        self.vocab = np.array(
            (ZH_NOUNS + ZH_VERBS + ZH_ADJS + ZH_ADVS) if zh else (EN_NOUNS + EN_VERBS + EN_ADJS),
            dtype=object,
        )
        self.openers = ZH_OPENERS if zh else EN_OPENERS

    def body(self, nbytes: float) -> str:
        k = max(1, round(nbytes / self.seg_bytes))
        return "".join([self.segs[self.idx()] for _ in range(k)]).strip()

    def head_tokens(self, n: int) -> list[str]:
        return [
            self.openers[self.idx() % len(self.openers)],
            *self.vocab[self.rng.integers(0, len(self.vocab), n)],
        ]

    def join_head(self, tokens: list[str]) -> str:
        if self.zh:
            return tokens[0] + "".join(tokens[1:]) + "？"
        return tokens[0] + " " + " ".join(tokens[1:]) + "?"


# --- corpus generation ---------------------------------------------------------------------


def _uuid(rng_bytes: bytes) -> str:
    h = rng_bytes.hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


class _Conversations:
    """Draws conversations (list of (role, text)) for one format, with dups and defects.

    Each conversation remembers its first user turn as (head tokens, rest) so that a near
    duplicate can change exactly one word of it.
    """

    def __init__(self, fmt: str, rng: np.random.Generator) -> None:
        self.fmt = fmt
        self.rng = rng
        # Independent pools per language; mammoth2 gets LaTeX-heavy pools.
        if fmt == "mammoth2":
            self.text = {
                False: _Text(_math_segments(rng, 60_000, False), rng, False),
                True: _Text(_math_segments(rng, 30_000, True), rng, True),
            }
        else:
            self.text = {
                False: _Text(_en_segments(rng, 120_000), rng, False),
                True: _Text(_zh_segments(rng, 80_000), rng, True),
            }
        self.ring: list[tuple[bool, list[str], str, list[tuple[str, str]]]] = []
        self.count = 0
        self.stats = {
            "exact_dup": 0,
            "near_dup": 0,
            "empty_answer": 0,
            "zh": 0,
            "system": 0,
            "multi_turn": 0,
        }

    def chunk(self, n: int) -> list[tuple[bool, list[tuple[str, str]]]]:
        rng = self.rng
        zh = rng.random(n) < ZH_SHARE[self.fmt]
        kind = rng.random(n)  # < exact dup < near dup < fresh
        head_len = rng.integers(6, 16, n)
        prompt_segs = np.where(
            rng.random(n) < 0.35, 0, np.clip(np.rint(rng.lognormal(np.log(2.5), 1.0, n)), 1, 150)
        ).astype(int)
        # Assistant text bytes; the caps divide by how often the format repeats its text, so
        # the largest JSON records land at 20-50 KB.
        cap = MAX_RECORD_BYTES * 0.95 / TEXT_COPIES[self.fmt]
        size = rng.lognormal(np.log(RESPONSE_MEDIAN_BYTES[self.fmt]), RESPONSE_SIGMA, n)
        huge = rng.random(n) < HUGE_SHARE
        size = np.where(huge, rng.uniform(20_000 / TEXT_COPIES[self.fmt], cap, n), size)
        size = np.minimum(size, cap)
        system = rng.random(n) < (0.2 if self.fmt == "openhermes" else 0.0)
        exchanges = np.where(
            rng.random(n) < (0.15 if self.fmt == "openhermes" else 0.0), rng.integers(2, 5, n), 1
        )
        empty = rng.random(n) < EMPTY_ANSWER_SHARE
        donor_off = rng.integers(1, DONOR_WINDOW + 1, n)
        swap_pos = rng.integers(1, 1 << 30, n)
        out = []
        for i in range(n):
            lang = bool(zh[i])
            t = self.text[lang]
            if self.ring and kind[i] < EXACT_DUP_SHARE + NEAR_DUP_SHARE:
                d_lang, d_head, d_rest, d_conv = self.ring[
                    (self.count - min(int(donor_off[i]), len(self.ring))) % DONOR_WINDOW
                ]
                lang, head, rest, conv = d_lang, d_head, d_rest, list(d_conv)
                if kind[i] < EXACT_DUP_SHARE:
                    self.stats["exact_dup"] += 1
                else:  # one word of the first user turn's head replaced by another word
                    t = self.text[lang]
                    head = list(head)
                    pos = 1 + int(swap_pos[i]) % (len(head) - 1)
                    word = t.vocab[int(swap_pos[i]) // 16 % len(t.vocab)]
                    head[pos] = word if word != head[pos] else t.vocab[0] + t.vocab[1]
                    first = next(j for j, (role, _) in enumerate(conv) if role == "user")
                    conv[first] = ("user", t.join_head(head) + rest)
                    self.stats["near_dup"] += 1
            else:
                head = t.head_tokens(int(head_len[i]))
                # Most prompts are just the head; some go on with sentences (pasted context).
                rest = ""
                if prompt_segs[i]:
                    rest = ("" if lang else " ") + t.body(prompt_segs[i] * t.seg_bytes)
                conv = []
                if system[i]:
                    conv.append(("system", SYSTEM_PROMPTS[int(swap_pos[i]) % len(SYSTEM_PROMPTS)]))
                    self.stats["system"] += 1
                turns = int(exchanges[i])
                self.stats["multi_turn"] += turns > 1
                for j in range(turns):
                    if j == 0:
                        user = t.join_head(head) + rest
                    else:
                        user = t.join_head(t.head_tokens(int(head_len[i]) // 2 + 2))
                    conv.append(("user", user))
                    conv.append(("assistant", t.body(size[i] / turns)))
                if empty[i]:
                    conv[-1] = ("assistant", "")
                    self.stats["empty_answer"] += 1
            self.stats["zh"] += lang
            item = (lang, head, rest, conv)
            if len(self.ring) < DONOR_WINDOW:
                self.ring.append(item)
            else:
                self.ring[self.count % DONOR_WINDOW] = item
            self.count += 1
            out.append((lang, conv))
        return out


def _magpie_record(
    lang: bool, conv: list[tuple[str, str]], ids: bytes, r: np.ndarray
) -> dict[str, Any]:
    instruction, response = conv[0][1], conv[1][1]
    task = MAGPIE_TASKS[int(r[0] * len(MAGPIE_TASKS))]
    return {
        "uuid": _uuid(ids),
        "model": "Qwen/Qwen2-72B-Instruct",
        "gen_input_configs": {
            "temperature": 1.0,
            "top_p": 1.0,
            "input_generator": "Qwen/Qwen2-72B-Instruct",
            "seed": None,
            "pre_query_template": "<|im_start|>user\n",
        },
        "instruction": instruction,
        "response": response,
        "conversations": [
            {"from": "human", "value": instruction},
            {"from": "gpt", "value": response},
        ],
        "task_category": task,
        "other_task_category": [MAGPIE_TASKS[int(r[1] * len(MAGPIE_TASKS))]],
        "task_category_generator": "meta-llama/Meta-Llama-3-8B-Instruct",
        "difficulty": MAGPIE_DIFFICULTY[int(r[2] * 5)],
        "intent": f"The user wants to get help with a {task.lower()} question",
        "knowledge": f"To solve this problem, the models need to know about {task.lower()}",
        "difficulty_generator": "meta-llama/Meta-Llama-3-8B-Instruct",
        "input_quality": MAGPIE_QUALITY[int(r[3] * 5)],
        "quality_explanation": "The user query is clear and specific, with enough context.",
        "quality_generator": "meta-llama/Meta-Llama-3-8B-Instruct",
        "llama_guard_2": "safe",
        "reward_model": "sfairXC/FsfairX-LLaMA3-RM-v0.1",
        "instruct_reward": round(float(r[4]) * 10 - 2, 4),
        "min_neighbor_distance": round(float(r[5]), 4),
        "repeat_count": 0,
        "min_similar_uuid": None,
        "instruction_length": len(instruction),
        "response_length": len(response),
        "language": "ZH" if lang else "EN",
    }


def _openhermes_record(conv: list[tuple[str, str]], r: np.ndarray, crlf: bool) -> dict[str, Any]:
    roles = {"system": "system", "user": "human", "assistant": "gpt"}
    weighted = r[0] < 0.3  # some OpenHermes sources carry per-turn weights, most have null
    turns = []
    for role, text in conv:
        if crlf and role == "assistant":
            text = text.replace("\n", "\r\n")
        weight = (1.0 if role == "assistant" else 0.0) if weighted else None
        turns.append({"from": roles[role], "value": text, "weight": weight})
    filled = r[1] < 0.1  # the metadata fields are null for ~90% of records
    return {
        "conversations": turns,
        "source": OH_SOURCES[int(r[2] * len(OH_SOURCES))],
        "category": OH_CATEGORIES[int(r[3] * len(OH_CATEGORIES))],
        "custom_instruction": None,
        "topic": "Biology" if filled and r[4] < 0.5 else None,
        "model_name": "GPT-4" if filled else None,
        "model": None,
        "skip_prompt_formatting": bool(r[5] < 0.5) if filled else None,
        "views": int(r[4] * 1000) if filled else None,
        "language": "English" if filled else None,
        "id": f"{int(r[5] * 1e9):09d}" if filled else None,
        "title": None,
        "idx": None,
        "hash": None,
        "avatarUrl": None,
        "system_prompt": None,
    }


def _mammoth2_record(conv: list[tuple[str, str]], index: int, r: np.ndarray) -> dict[str, Any]:
    question, answer = conv[0][1], conv[1][1]
    cut = int(len(answer) * (0.5 + 0.4 * float(r[1])))
    orig_answer = answer[:cut] if answer else ""
    if r[2] < 0.0005:
        answer = None  # a null answer: rejected as missing_field
    return {
        "orig_question": ("Homework Statement\n" if r[3] < 0.3 else "") + question,
        "orig_answer": orig_answer,
        "question": question,
        "answer": answer,
        "source": MATH_SOURCES[int(r[0] * 3)],
        "index": index,
    }


def generate_format(fmt: str, rows: int, seed: int, path: Path) -> dict[str, Any]:
    """Write `rows` records of `fmt` to `path`; return counts of what was put in."""
    seq = np.random.SeedSequence([seed, FORMATS.index(fmt)])
    rng = np.random.default_rng(seq)
    convs = _Conversations(fmt, rng)
    tmp = path.with_suffix(path.suffix + ".tmp")
    written = 0
    with tmp.open("wb", buffering=1 << 22) as fh:
        if fmt == "openhermes":
            fh.write(b"[\n")
        for lo in range(0, rows, CHUNK):
            n = min(CHUNK, rows - lo)
            items = convs.chunk(n)
            meta_r = rng.random((n, 6))
            id_bytes = rng.bytes(16 * n)
            if fmt == "magpie":
                recs = [
                    _magpie_record(lang, conv, id_bytes[16 * i : 16 * i + 16], meta_r[i])
                    for i, (lang, conv) in enumerate(items)
                ]
            elif fmt == "openhermes":
                crlf = rng.random(n) < 0.005
                recs = [
                    _openhermes_record(conv, meta_r[i], bool(crlf[i]))
                    for i, (_, conv) in enumerate(items)
                ]
            else:
                recs = [
                    _mammoth2_record(conv, lo + i, meta_r[i]) for i, (_, conv) in enumerate(items)
                ]
            if fmt == "openhermes":
                # One indented array: dump each chunk as an indented list and splice the chunks
                # (drop each chunk's "[\n" ... "\n]"), so memory stays at one chunk.
                body = orjson.dumps(recs, option=orjson.OPT_INDENT_2)[2:-2]
                fh.write((b",\n" if lo else b"") + body)
            else:
                fh.write(b"\n".join(orjson.dumps(r) for r in recs) + b"\n")
            written += n
        if fmt == "openhermes":
            fh.write(b"\n]\n")
    tmp.replace(path)
    return {"records": written, **convs.stats}


def _generate_worker(args: tuple[str, int, int, str]) -> tuple[str, dict[str, Any], float]:
    fmt, rows, seed, path = args
    t0 = time.perf_counter()
    stats = generate_format(fmt, rows, seed, Path(path))
    return fmt, stats, time.perf_counter() - t0


def ensure_corpus(workdir: Path, rows: int, seed: int) -> dict[str, Any]:
    """Generate the corpus unless the marker says these files are for (rows, seed, version)."""
    corpus = workdir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    marker = corpus / "marker.json"
    key = {"rows": rows, "seed": seed, "version": GEN_VERSION}
    if marker.exists():
        saved = json.loads(marker.read_text())
        sizes_ok = all(
            (corpus / FILE_NAMES[f]).exists()
            and (corpus / FILE_NAMES[f]).stat().st_size == saved.get("sizes", {}).get(f)
            for f in FORMATS
        )
        if saved.get("key") == key and sizes_ok:
            print(f"corpus: cached in {corpus} (rows={rows}, seed={seed})")
            return {**saved, "cached": True}
    marker.unlink(missing_ok=True)
    per = [rows // 3 + (i < rows % 3) for i in range(3)]
    jobs = [(f, n, seed, str(corpus / FILE_NAMES[f])) for f, n in zip(FORMATS, per, strict=True)]
    print(f"corpus: generating {rows:,} records into {corpus} ...", flush=True)
    t0 = time.perf_counter()
    # One process per format, left to the OS to spread over the cores (magpie is the biggest,
    # so a pool of fewer processes would leave a core idle at the end); each format has its
    # own seeded stream, so the files do not depend on scheduling.
    import multiprocessing as mp

    with mp.get_context("spawn").Pool(len(jobs)) as pool:
        done = pool.map(_generate_worker, jobs)
    seconds = time.perf_counter() - t0
    stats = {fmt: s for fmt, s, _ in done}
    sizes = {f: (corpus / FILE_NAMES[f]).stat().st_size for f in FORMATS}
    saved = {
        "key": key,
        "sizes": sizes,
        "stats": stats,
        "generate_seconds": round(seconds, 2),
        "per_format_seconds": {fmt: round(s, 2) for fmt, _, s in done},
    }
    marker.write_text(json.dumps(saved, indent=2) + "\n")
    return {**saved, "cached": False}


# --- slices for the baseline ---------------------------------------------------------------


def first_records_of_array(path: Path, n: int) -> list[Any]:
    """The first n elements of a (large) JSON array file, parsing only as much as needed."""
    decoder = json.JSONDecoder()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    out: list[Any] = []
    buf, pos, eof = "", 0, False
    with path.open("rb") as fh:

        def more() -> bool:
            nonlocal buf, pos
            data = fh.read(1 << 24)
            buf = buf[pos:] + utf8.decode(data, final=not data)
            pos = 0
            return bool(data)

        more()
        pos = buf.index("[") + 1
        while len(out) < n:
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                pos += 1
            if buf[pos : pos + 1] == "]":
                break
            try:
                obj, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError:
                if eof:
                    raise
                eof = not more()
                continue
            out.append(obj)
            pos = end
            if pos >= len(buf) - 1 and not eof:
                eof = not more()
    return out


def make_ingest_slices(corpus: Path, out: Path, n: int) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for fmt in FORMATS:
        src, dst = corpus / FILE_NAMES[fmt], out / FILE_NAMES[fmt]
        if fmt == "openhermes":
            records = first_records_of_array(src, n)
            dst.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", "utf-8")
        else:
            with src.open("rb") as fin, dst.open("wb") as fout:
                fout.writelines(itertools.islice(fin, n))
        paths[fmt] = dst
    return paths


# --- child phases --------------------------------------------------------------------------


def _peak_rss_bytes() -> int:
    """This process's peak resident set (VmHWM); ru_maxrss (KiB on Linux) as a fallback."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child_distilpipe_ingest(spec: dict[str, Any]) -> dict[str, Any]:
    from distilpipe.io import write_parquet
    from distilpipe.sources import ingest_records, read_path

    t0 = time.perf_counter()
    raw = read_path(spec["path"])
    t_read = time.perf_counter()
    result = ingest_records(raw, spec["fmt"], spec["fmt"])
    t_map = time.perf_counter()
    write_parquet(result.rows, spec["out"])
    t1 = time.perf_counter()
    return {
        "seconds": t1 - t0,
        "rows": result.records_read,
        "rows_out": result.rows.height,
        "split": {"read": t_read - t0, "ingest_records": t_map - t_read, "write": t1 - t_map},
        "reasons": {k: v for k, v in result.reason_counts.items() if v},
    }


def child_distilpipe_pool(spec: dict[str, Any]) -> dict[str, Any]:
    import polars as pl

    from distilpipe.io import write_parquet
    from distilpipe.ops.pool import build_pool

    t0 = time.perf_counter()
    frames = [pl.read_parquet(p) for p in spec["inputs"]]
    t_read = time.perf_counter()
    result = build_pool(frames, **POOL_PARAMS)
    t_pool = time.perf_counter()
    write_parquet(result.rows, spec["out"])
    t1 = time.perf_counter()
    return {
        "seconds": t1 - t0,
        "rows": sum(f.height for f in frames),
        "rows_out": result.rows.height,
        "split": {"read": t_read - t0, "build_pool": t_pool - t_read, "write": t1 - t_pool},
        "rejected": result.metrics["rejected"],
        "languages": result.metrics["languages"],
    }


# The naive baseline: what one would write first, record by record in Python.
_CONTROL = re.compile(r"[\x00-\x08\x0B-\x1F\x7F-\x9F]")
_BASE_ROLES = {
    "human": "user",
    "gpt": "assistant",
    "system": "system",
    "user": "user",
    "assistant": "assistant",
}


def _base_clean(text: str) -> str:
    return _CONTROL.sub("", unicodedata.normalize("NFC", text))


def _base_id(messages: list[dict[str, str]]) -> str:
    """The row id as distilpipe defines it (sources/rows.py, message_id), with hashlib.

    Written out here rather than imported so the baseline process does not load polars; the
    id-parity check in the report catches any drift from distilpipe's definition.
    """
    turns = (
        m["role"] + "\x1f" + hashlib.sha256(m["content"].encode("utf-8")).hexdigest()
        for m in messages
    )
    return hashlib.sha256("\x1e".join(turns).encode("utf-8")).hexdigest()[:32]


def _base_row(fmt: str, rec: dict[str, Any]) -> dict[str, Any] | None:
    if fmt == "mammoth2":
        q, a = rec.get("question"), rec.get("answer")
        if q is None or a is None:
            return None
        turns = [("user", str(q)), ("assistant", str(a))]
        source_id = None if rec.get("index") is None else str(rec["index"])
        mapped = ("question", "answer", "index")
        extra: dict[str, Any] = {}
    else:
        conv = rec.get("conversations")
        if not conv or any(c.get("from") is None or c.get("value") is None for c in conv):
            return None
        turns = [(_BASE_ROLES.get(c["from"], ""), c["value"]) for c in conv]
        id_key = "uuid" if fmt == "magpie" else "id"
        source_id = None if rec.get(id_key) is None else str(rec[id_key])
        mapped = ("conversations", id_key, "instruction", "response")
        extra = {
            f"conversations.{k}": [c.get(k) for c in conv]
            for k in conv[0]
            if k not in ("from", "value")
        }
    messages = [{"role": r, "content": _base_clean(t)} for r, t in turns]
    roles = [m["role"] for m in messages]
    body = roles[1:] if roles and roles[0] == "system" else roles
    ok = (
        all(m["content"].strip() for m in messages)
        and "" not in roles
        and len(body) % 2 == 0
        and len(body) > 0
        and all(r == ("user", "assistant")[i % 2] for i, r in enumerate(body))
    )
    if not ok:
        return None
    meta = {k: v for k, v in rec.items() if k not in mapped} | extra
    return {
        "id": _base_id(messages),
        "source": fmt,
        "source_id": source_id,
        "messages": messages,
        "lang": "und",
        "origin": "source",
        "parent_id": None,
        "meta": json.dumps(meta, ensure_ascii=False),
    }


def child_baseline_ingest(spec: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    t0 = time.perf_counter()
    path, fmt = Path(spec["path"]), spec["fmt"]
    if path.suffix == ".json":
        with path.open(encoding="utf-8") as fh:
            records = json.load(fh)
    else:
        with path.open(encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh if line.strip()]
    rows = [r for r in (_base_row(fmt, rec) for rec in records) if r is not None]
    frame = pd.DataFrame(
        rows,
        columns=["id", "source", "source_id", "messages", "lang", "origin", "parent_id", "meta"],
    )
    frame.to_parquet(spec["out"], compression="zstd", index=False)
    return {"seconds": time.perf_counter() - t0, "rows": len(records), "rows_out": len(frame)}


_BASE_TOKEN = re.compile(r"[\u4e00-\u9fff]|[^\W\u4e00-\u9fff]+")


def child_baseline_pool(spec: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd
    from datasketch import MinHash, MinHashLSH
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    t0 = time.perf_counter()
    frames = [pd.read_parquet(p) for p in spec["inputs"]]
    rows_in = sum(len(f) for f in frames)
    df = pd.concat(frames, ignore_index=True).drop_duplicates("id", keep="first")
    chars = df["messages"].map(lambda ms: sum(len(m["content"]) for m in ms))
    df = df[chars <= POOL_PARAMS["max_chars"]]
    prompt = df["messages"].map(lambda ms: next(m["content"] for m in ms if m["role"] == "user"))

    def lang_of(text: str) -> str:
        try:
            code = detect(text)
        except LangDetectException:
            return "und"
        return "zh" if code.startswith("zh") else code

    df = df.assign(lang=prompt.map(lang_of), _prompt=prompt)
    df = df[df["lang"].isin(POOL_PARAMS["languages"])]
    lsh = MinHashLSH(threshold=POOL_PARAMS["near_dup_threshold"], num_perm=32)
    keep = []
    for key, text in zip(df["id"], df["_prompt"], strict=True):
        tokens = _BASE_TOKEN.findall(text.lower())
        shingles = {" ".join(tokens[i : i + 3]) for i in range(max(1, len(tokens) - 2))}
        m = MinHash(num_perm=32, seed=1)
        m.update_batch([s.encode("utf-8") for s in shingles])
        dup = bool(lsh.query(m))
        if not dup:
            lsh.insert(key, m)
        keep.append(not dup)
    df = df[keep].drop(columns=["_prompt"])
    df.to_parquet(spec["out"], compression="zstd", index=False)
    return {"seconds": time.perf_counter() - t0, "rows": rows_in, "rows_out": len(df)}


CHILDREN = {
    "distilpipe_ingest": child_distilpipe_ingest,
    "distilpipe_pool": child_distilpipe_pool,
    "baseline_ingest": child_baseline_ingest,
    "baseline_pool": child_baseline_pool,
}


def run_child(kind: str, spec: dict[str, Any], workdir: Path, label: str) -> dict[str, Any]:
    """Run one phase in a fresh interpreter; returns its result or {'error': ...}."""
    result_path = workdir / "tmp" / f"{label.replace(' ', '_').replace('@', '_')}.json"
    result_path.parent.mkdir(parents=True, exist_ok=True)
    result_path.unlink(missing_ok=True)
    payload = json.dumps({"kind": kind, "spec": spec, "result": str(result_path)})
    print(f"  running {label} ...", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", payload], check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not result_path.exists():
        print(f"  !! {label} failed (exit {proc.returncode}); see the traceback above", flush=True)
        return {"error": f"exit {proc.returncode}", "wall": wall}
    result = json.loads(result_path.read_text())
    result["wall"] = wall
    print(
        f"     {result['rows']:,} rows in {result['seconds']:.2f} s, peak "
        f"{result['peak_rss'] / 2**30:.2f} GiB",
        flush=True,
    )
    return result


def child_main(payload: str) -> None:
    job = json.loads(payload)
    result = CHILDREN[job["kind"]](job["spec"])
    result["peak_rss"] = _peak_rss_bytes()
    Path(job["result"]).write_text(json.dumps(result))


# --- parent --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count() or 1
    import polars as pl

    return {
        "nproc": nproc,
        "cpu": model,
        "mem_gib": round(mem / 2**30, 1),
        "python": platform.python_version(),
        "polars": pl.__version__,
    }


def _phase(label: str, res: dict[str, Any], in_bytes: int) -> dict[str, Any]:
    if "error" in res:
        return {"phase": label, "error": res["error"]}
    secs = res["seconds"]
    return {
        "phase": label,
        "rows": res["rows"],
        "rows_out": res["rows_out"],
        "seconds": round(secs, 3),
        "rows_per_s": res["rows"] / secs if secs else None,
        "mb_per_s": in_bytes / 1e6 / secs if secs else None,
        "input_mb": in_bytes / 1e6,
        "peak_gib": res["peak_rss"] / 2**30,
        **{k: res[k] for k in ("split", "reasons", "rejected", "languages") if k in res},
    }


def _combine(label: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """All files of an ingest: summed rows, bytes and time; peak is the largest child's."""
    if any("error" in p for p in parts):
        return {"phase": label, "error": "a file failed"}
    secs = sum(p["seconds"] for p in parts)
    rows = sum(p["rows"] for p in parts)
    in_mb = sum(p["input_mb"] for p in parts)
    return {
        "phase": label,
        "rows": rows,
        "rows_out": sum(p["rows_out"] for p in parts),
        "seconds": round(secs, 3),
        "rows_per_s": rows / secs,
        "mb_per_s": in_mb / secs,
        "input_mb": in_mb,
        "peak_gib": max(p["peak_gib"] for p in parts),
    }


def _fmt_table(phases: list[dict[str, Any]]) -> str:
    head = f"{'phase':<34} {'rows':>10} {'seconds':>9} {'rows/s':>10} {'MB/s':>8} {'peak GiB':>9}"
    lines = [head, "-" * len(head)]
    for p in phases:
        if "error" in p:
            lines.append(f"{p['phase']:<34} FAILED: {p['error']}")
            continue
        lines.append(
            f"{p['phase']:<34} {p['rows']:>10,} {p['seconds']:>9.2f} {p['rows_per_s']:>10,.0f} "
            f"{p['mb_per_s']:>8.1f} {p['peak_gib']:>9.2f}"
        )
    return "\n".join(lines)


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


def _ids(path: Path) -> set[str]:
    import polars as pl

    return set(pl.read_parquet(path, columns=["id"])["id"].to_list())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--rows", type=int, default=1_000_000, help="records in the corpus, all formats"
    )
    ap.add_argument(
        "--baseline-rows",
        type=int,
        default=50_000,
        help="records per format for the ingest baseline",
    )
    ap.add_argument(
        "--baseline-pool-rows",
        type=int,
        default=5_000,
        help="ingested rows per source for the pool baseline (langdetect is slow)",
    )
    ap.add_argument("--workdir", type=Path, default=Path("bench/out"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--generate-only", action="store_true", help="write the corpus and stop")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child_main(args.child)
        return 0

    workdir: Path = args.workdir
    info = ensure_corpus(workdir, args.rows, args.seed)
    corpus = workdir / "corpus"
    files = {f: corpus / FILE_NAMES[f] for f in FORMATS}
    total_bytes = _size(list(files.values()))
    gen = "cached" if info["cached"] else f"generated in {info['generate_seconds']:.1f} s"
    print(
        f"corpus: {args.rows:,} records, {total_bytes / 1e6:,.1f} MB "
        f"({total_bytes / max(args.rows, 1):,.0f} B/record), {gen}"
    )
    for fmt in FORMATS:
        s = info["stats"][fmt]
        print(
            f"  {FILE_NAMES[fmt]:<16} {files[fmt].stat().st_size / 1e6:>9,.1f} MB  "
            + ", ".join(f"{k}={v:,}" for k, v in s.items())
        )
    if args.generate_only:
        return 0

    phases: list[dict[str, Any]] = []
    ingested = workdir / "ingested"
    print("distilpipe, full corpus:")
    parts = []
    for fmt in FORMATS:
        out = ingested / f"{fmt}.parquet"
        res = run_child(
            "distilpipe_ingest",
            {"path": str(files[fmt]), "fmt": fmt, "out": str(out)},
            workdir,
            f"ingest {fmt}",
        )
        parts.append(_phase(f"distilpipe ingest {fmt}", res, files[fmt].stat().st_size))
    phases += parts
    ingest_all = _combine("distilpipe ingest (all 3 files)", parts)
    phases.append(ingest_all)
    pool_inputs = [ingested / f"{fmt}.parquet" for fmt in FORMATS]
    pool_all: dict[str, Any] = {"phase": "distilpipe pool", "error": "ingest failed"}
    if "error" not in ingest_all:
        res = run_child(
            "distilpipe_pool",
            {"inputs": [str(p) for p in pool_inputs], "out": str(workdir / "pool.parquet")},
            workdir,
            "pool",
        )
        pool_all = _phase("distilpipe pool", res, _size(pool_inputs))
    phases.append(pool_all)

    # Same-size comparison on slices: the first N records of each file.
    n = args.baseline_rows
    print(f"ingest on slices of {n:,} records per format (distilpipe and baseline):")
    slices = make_ingest_slices(corpus, workdir / "slices", n)
    base_parts, dp_parts, parity = [], [], {}
    for fmt in FORMATS:
        size = slices[fmt].stat().st_size
        dp_out = workdir / "slices_out" / f"distilpipe_{fmt}.parquet"
        b_out = workdir / "slices_out" / f"baseline_{fmt}.parquet"
        b_out.parent.mkdir(parents=True, exist_ok=True)
        res = run_child(
            "distilpipe_ingest",
            {"path": str(slices[fmt]), "fmt": fmt, "out": str(dp_out)},
            workdir,
            f"ingest@slice {fmt}",
        )
        dp_parts.append(_phase(f"distilpipe ingest@slice {fmt}", res, size))
        res = run_child(
            "baseline_ingest",
            {"path": str(slices[fmt]), "fmt": fmt, "out": str(b_out)},
            workdir,
            f"baseline ingest {fmt}",
        )
        base_parts.append(_phase(f"baseline ingest {fmt}", res, size))
        if dp_out.exists() and b_out.exists() and "error" not in res:
            a, b = _ids(dp_out), _ids(b_out)
            parity[fmt] = {
                "same_ids": a == b,
                "distilpipe_only": len(a - b),
                "baseline_only": len(b - a),
            }
    dp_slice = _combine(f"distilpipe ingest@{n // 1000}k/format", dp_parts)
    base_slice = _combine(f"baseline ingest@{n // 1000}k/format", base_parts)
    phases += [dp_slice, base_slice]

    m = args.baseline_pool_rows
    print(f"pool on the first {m:,} ingested rows per source (distilpipe and baseline):")
    pool_slices = []
    dp_pool_slice: dict[str, Any] = {"phase": "distilpipe pool@slice", "error": "no input"}
    base_pool: dict[str, Any] = {"phase": "baseline pool@slice", "error": "no input"}
    if all(p.exists() for p in pool_inputs):
        import polars as pl

        from distilpipe.io import write_parquet

        for p in pool_inputs:
            dst = workdir / "pool_slices" / p.name
            dst.parent.mkdir(parents=True, exist_ok=True)
            write_parquet(pl.read_parquet(p, n_rows=m), dst)
            pool_slices.append(dst)
        spec = {"inputs": [str(p) for p in pool_slices]}
        size = _size(pool_slices)
        res = run_child(
            "distilpipe_pool",
            {**spec, "out": str(workdir / "pool_slice_dp.parquet")},
            workdir,
            "pool@slice",
        )
        dp_pool_slice = _phase(f"distilpipe pool@{m // 1000}k/source", res, size)
        try:
            import datasketch  # noqa: F401
        except ImportError:
            print(
                "  !! datasketch is not installed: skipping the pool baseline "
                "(.venv/bin/pip install datasketch)"
            )
            base_pool = {"phase": "baseline pool@slice", "error": "datasketch not installed"}
        else:
            res = run_child(
                "baseline_pool",
                {**spec, "out": str(workdir / "pool_slice_base.parquet")},
                workdir,
                "baseline pool@slice",
            )
            base_pool = _phase(f"baseline pool@{m // 1000}k/source", res, size)
    phases += [dp_pool_slice, base_pool]

    def ratio(a: dict[str, Any], b: dict[str, Any]) -> float | None:
        if "error" in a or "error" in b:
            return None
        return a["rows_per_s"] / b["rows_per_s"]

    speedups = {
        "ingest (full vs baseline slice)": ratio(ingest_all, base_slice),
        "ingest (same slice)": ratio(dp_slice, base_slice),
        "pool (full vs baseline slice)": ratio(pool_all, base_pool),
        "pool (same slice)": ratio(dp_pool_slice, base_pool),
    }
    mach = machine()
    print()
    print(
        f"machine: {mach['nproc']} CPUs ({mach['cpu']}), {mach['mem_gib']} GiB RAM, "
        f"Python {mach['python']}, polars {mach['polars']}"
    )
    print(
        f"corpus: {args.rows:,} records, {total_bytes / 1e6:,.1f} MB, seed {args.seed}; "
        f"generation: {gen}"
    )
    print(_fmt_table(phases))
    print(
        "MB/s = input bytes per second (JSON files for ingest, Parquet inputs for pool); "
        "peak = VmHWM of the phase's own process"
    )
    for name, r in speedups.items():
        print(
            f"speed-up distilpipe / baseline, {name}: " + (f"{r:,.1f}x" if r is not None else "n/a")
        )
    if parity:
        print(
            "row ids, distilpipe vs baseline on the slices: "
            + ", ".join(f"{f}: {'same' if p['same_ids'] else p}" for f, p in parity.items())
        )
    if "error" not in pool_all:
        print(
            f"pool rejected: {pool_all['rejected']}; kept {pool_all['rows_out']:,} of "
            f"{pool_all['rows']:,}; languages {pool_all['languages']}"
        )
    if "error" not in dp_pool_slice and "error" not in base_pool:
        print(
            f"pool@slice rows kept: distilpipe {dp_pool_slice['rows_out']:,}, "
            f"baseline {base_pool['rows_out']:,}"
        )

    results = {
        "machine": mach,
        "args": {k: str(v) for k, v in vars(args).items() if k != "child"},
        "corpus": {"rows": args.rows, "bytes": total_bytes, **info},
        "phases": phases,
        "speedups": speedups,
        "id_parity": parity,
    }
    (workdir / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"wrote {workdir / 'results.json'}")
    # A missing datasketch only skips a baseline; any other failure is an error.
    failed = [p for p in phases if "error" in p and "datasketch" not in p["error"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
