#!/usr/bin/env python3
# ruff: noqa: E501
"""Write corpus.jsonl: the fixed training corpus of the tiny bootstrap models.

The tiny teacher and student stand in for real models such as Qwen2, which never change
when the data being distilled changes. So they train on this corpus of their own, never on
the distillation sources: adding, removing or editing a source leaves the models, and every
LLM call cached with them, as they are.

The corpus is chat conversations (`{"messages": [...]}` per line, the `messages` source
format) in English and Chinese, made from templates whose answers are computed here:
arithmetic with worked steps, unit conversions, facts from small tables, short Python
functions, word puzzles, definitions, a few two-turn follow-ups, and answer grading that
ends in a single digit (the judge's reply format). Everything is drawn from
`random.Random(SEED)`, so the file is byte-identical on every run. It is committed; run this
script only to change the corpus on purpose (the tiny models, and so the call cache, change
with it).

Usage: python3 data/bootstrap/make_corpus.py
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

SEED = 20261201
OUT = Path(__file__).with_name("corpus.jsonl")
PER_KIND = 130  # conversations per generator and language

Conversation = list[dict[str, str]]

SYSTEM_EN = ["You are a helpful assistant.", "You are a concise, accurate assistant."]
SYSTEM_ZH = ["你是一个乐于助人的助手。", "你是一个简洁、准确的助手。"]

# (English name, Chinese name, capital EN, capital ZH, continent EN, continent ZH)
COUNTRIES = [
    ("France", "法国", "Paris", "巴黎", "Europe", "欧洲"),
    ("Japan", "日本", "Tokyo", "东京", "Asia", "亚洲"),
    ("Brazil", "巴西", "Brasília", "巴西利亚", "South America", "南美洲"),
    ("Kenya", "肯尼亚", "Nairobi", "内罗毕", "Africa", "非洲"),
    ("Canada", "加拿大", "Ottawa", "渥太华", "North America", "北美洲"),
    ("Australia", "澳大利亚", "Canberra", "堪培拉", "Oceania", "大洋洲"),
    ("Egypt", "埃及", "Cairo", "开罗", "Africa", "非洲"),
    ("Germany", "德国", "Berlin", "柏林", "Europe", "欧洲"),
    ("India", "印度", "New Delhi", "新德里", "Asia", "亚洲"),
    ("Mexico", "墨西哥", "Mexico City", "墨西哥城", "North America", "北美洲"),
    ("Peru", "秘鲁", "Lima", "利马", "South America", "南美洲"),
    ("Norway", "挪威", "Oslo", "奥斯陆", "Europe", "欧洲"),
    ("Thailand", "泰国", "Bangkok", "曼谷", "Asia", "亚洲"),
    ("Morocco", "摩洛哥", "Rabat", "拉巴特", "Africa", "非洲"),
    ("Chile", "智利", "Santiago", "圣地亚哥", "South America", "南美洲"),
    ("Italy", "意大利", "Rome", "罗马", "Europe", "欧洲"),
    ("Vietnam", "越南", "Hanoi", "河内", "Asia", "亚洲"),
    ("New Zealand", "新西兰", "Wellington", "惠灵顿", "Oceania", "大洋洲"),
    ("Spain", "西班牙", "Madrid", "马德里", "Europe", "欧洲"),
    ("South Korea", "韩国", "Seoul", "首尔", "Asia", "亚洲"),
]
# (symbol, English name, Chinese name, atomic number)
ELEMENTS = [
    ("H", "hydrogen", "氢", 1),
    ("He", "helium", "氦", 2),
    ("C", "carbon", "碳", 6),
    ("N", "nitrogen", "氮", 7),
    ("O", "oxygen", "氧", 8),
    ("Na", "sodium", "钠", 11),
    ("Mg", "magnesium", "镁", 12),
    ("Al", "aluminium", "铝", 13),
    ("Si", "silicon", "硅", 14),
    ("S", "sulfur", "硫", 16),
    ("Cl", "chlorine", "氯", 17),
    ("K", "potassium", "钾", 19),
    ("Ca", "calcium", "钙", 20),
    ("Fe", "iron", "铁", 26),
    ("Cu", "copper", "铜", 29),
    ("Zn", "zinc", "锌", 30),
    ("Ag", "silver", "银", 47),
    ("Au", "gold", "金", 79),
]
# (English term, English definition, Chinese term, Chinese definition)
GLOSSARY = [
    (
        "photosynthesis",
        "the process by which plants use light to turn water and carbon dioxide into sugar and oxygen",
        "光合作用",
        "植物利用光能把水和二氧化碳转化为糖和氧气的过程",
    ),
    (
        "an algorithm",
        "a finite sequence of precise steps that solves a problem",
        "算法",
        "解决问题的一系列有限而明确的步骤",
    ),
    (
        "inflation",
        "a general rise in prices that lowers what money can buy",
        "通货膨胀",
        "物价普遍上涨、货币购买力下降的现象",
    ),
    (
        "a prime number",
        "a whole number greater than 1 whose only divisors are 1 and itself",
        "质数",
        "大于1且只能被1和它本身整除的整数",
    ),
    (
        "gravity",
        "the force by which masses attract each other",
        "重力",
        "物体之间因质量而相互吸引的力",
    ),
    (
        "a variable",
        "a named place in a program that holds a value",
        "变量",
        "程序中保存数值的具名位置",
    ),
    (
        "democracy",
        "a system of government in which citizens choose their leaders by voting",
        "民主",
        "公民通过投票选择领导人的政治制度",
    ),
    (
        "an ecosystem",
        "a community of living things together with their physical environment",
        "生态系统",
        "生物群落与其所处环境共同构成的整体",
    ),
    (
        "a metaphor",
        "a figure of speech that describes one thing as if it were another",
        "隐喻",
        "把一种事物说成另一种事物的修辞手法",
    ),
    (
        "evaporation",
        "the change of a liquid into a gas at its surface",
        "蒸发",
        "液体表面转变为气体的过程",
    ),
    (
        "a function",
        "a rule that assigns exactly one output to each input",
        "函数",
        "为每个输入指定唯一输出的对应关系",
    ),
    (
        "supply and demand",
        "the model in which price settles where the amount offered equals the amount wanted",
        "供求关系",
        "价格在供给量等于需求量时趋于稳定的经济模型",
    ),
    (
        "a vaccine",
        "a preparation that trains the immune system to recognise a disease",
        "疫苗",
        "训练免疫系统识别某种疾病的制剂",
    ),
    (
        "recursion",
        "solving a problem by having a function call itself on a smaller case",
        "递归",
        "让函数在更小的问题上调用自身来求解的方法",
    ),
    (
        "erosion",
        "the wearing away of rock and soil by water, wind or ice",
        "侵蚀",
        "水、风或冰对岩石和土壤的磨损与搬运",
    ),
    (
        "a haiku",
        "a short Japanese poem of three lines with five, seven and five syllables",
        "俳句",
        "由五、七、五音节三行组成的日本短诗",
    ),
]
# (function name, English task, Chinese task, Python body lines, example call, example result)
FUNCTIONS = [
    (
        "total",
        "returns the sum of a list of numbers",
        "返回数字列表之和",
        ["return sum(values)"],
        "total([1, 2, 3])",
        "6",
    ),
    (
        "largest",
        "returns the largest number in a non-empty list",
        "返回非空列表中的最大值",
        ["return max(values)"],
        "largest([4, 9, 2])",
        "9",
    ),
    (
        "reverse_text",
        "returns a string reversed",
        "返回反转后的字符串",
        ["return text[::-1]"],
        "reverse_text('abc')",
        "'cba'",
    ),
    (
        "count_vowels",
        "counts the vowels in a string",
        "统计字符串中元音字母的个数",
        ["return sum(ch in 'aeiouAEIOU' for ch in text)"],
        "count_vowels('banana')",
        "3",
    ),
    (
        "is_even",
        "tells whether an integer is even",
        "判断一个整数是否为偶数",
        ["return n % 2 == 0"],
        "is_even(10)",
        "True",
    ),
    (
        "factorial",
        "returns n factorial for n >= 0",
        "返回 n 的阶乘（n >= 0）",
        ["result = 1", "for k in range(2, n + 1):", "    result *= k", "return result"],
        "factorial(5)",
        "120",
    ),
    (
        "fibonacci",
        "returns the n-th Fibonacci number",
        "返回第 n 个斐波那契数",
        ["a, b = 0, 1", "for _ in range(n):", "    a, b = b, a + b", "return a"],
        "fibonacci(10)",
        "55",
    ),
    (
        "average",
        "returns the mean of a non-empty list",
        "返回非空列表的平均值",
        ["return sum(values) / len(values)"],
        "average([2, 4, 9])",
        "5.0",
    ),
    (
        "unique",
        "removes duplicates from a list and keeps the order",
        "去除列表中的重复元素并保持顺序",
        [
            "seen = set()",
            "out = []",
            "for v in values:",
            "    if v not in seen:",
            "        seen.add(v)",
            "        out.append(v)",
            "return out",
        ],
        "unique([3, 1, 3, 2, 1])",
        "[3, 1, 2]",
    ),
    (
        "is_palindrome",
        "tells whether a word reads the same backwards",
        "判断一个单词是否为回文",
        ["return text == text[::-1]"],
        "is_palindrome('level')",
        "True",
    ),
    (
        "word_count",
        "counts the words in a sentence",
        "统计句子中的单词数",
        ["return len(text.split())"],
        "word_count('the cat sat')",
        "3",
    ),
    (
        "celsius_to_fahrenheit",
        "converts degrees Celsius to Fahrenheit",
        "把摄氏度转换为华氏度",
        ["return c * 9 / 5 + 32"],
        "celsius_to_fahrenheit(100)",
        "212.0",
    ),
]
WORDS = [
    "river",
    "apple",
    "stone",
    "cloud",
    "maple",
    "tiger",
    "lemon",
    "piano",
    "orbit",
    "candle",
    "forest",
    "garden",
    "window",
    "silver",
    "planet",
    "bridge",
    "coffee",
    "summer",
    "pencil",
]
HANZI_WORDS = [
    "春天",
    "河流",
    "图书馆",
    "月亮",
    "朋友",
    "音乐",
    "城市",
    "火车",
    "老师",
    "蓝色",
    "早餐",
    "电脑",
]
# (English unit pair, Chinese unit pair, factor)
UNITS = [
    (("kilometres", "metres"), ("千米", "米"), 1000),
    (("kilograms", "grams"), ("千克", "克"), 1000),
    (("hours", "minutes"), ("小时", "分钟"), 60),
    (("metres", "centimetres"), ("米", "厘米"), 100),
    (("litres", "millilitres"), ("升", "毫升"), 1000),
    (("days", "hours"), ("天", "小时"), 24),
]


def _sum(rng: random.Random) -> tuple[str, int, str]:
    """A random operation: (expression, integer result, worked steps)."""
    a, b = rng.randint(2, 999), rng.randint(2, 99)
    op = rng.choice("+-*/")
    if op == "+":
        return f"{a} + {b}", a + b, f"{a} + {b} = {a + b}"
    if op == "-":
        return f"{a} - {b}", a - b, f"{a} - {b} = {a - b}"
    if op == "*":
        tens, ones = b // 10 * 10, b % 10
        steps = f"{a} × {tens} = {a * tens}, {a} × {ones} = {a * ones}, "
        return f"{a} × {b}", a * b, steps + f"{a * tens} + {a * ones} = {a * b}"
    q, r = divmod(a, b)
    return f"{a} ÷ {b}", q, f"{b} × {q} = {b * q}, {a} - {b * q} = {r}, so the quotient is {q}"


def arithmetic(rng: random.Random, zh: bool) -> Conversation:
    expression, result, steps = _sum(rng)
    if zh:
        question = rng.choice([f"计算 {expression}。", f"{expression} 等于多少？"])
        answer = f"步骤：{steps.replace('so the quotient is', '所以商是')}。\n答案是 {result}。"
    else:
        question = rng.choice(
            [
                f"What is {expression}?",
                f"Compute {expression}.",
                f"Calculate {expression} step by step.",
            ]
        )
        answer = f"Steps: {steps}.\nThe answer is {result}."
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


def percent(rng: random.Random, zh: bool) -> Conversation:
    p, base = rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 75]), rng.randrange(20, 2000, 20)
    value = base * p // 100
    if zh:
        return [
            {"role": "user", "content": f"{base} 的 {p}% 是多少？"},
            {"role": "assistant", "content": f"{base} × {p} ÷ 100 = {value}。\n答案是 {value}。"},
        ]
    return [
        {"role": "user", "content": f"What is {p}% of {base}?"},
        {
            "role": "assistant",
            "content": f"{p}% of {base} is {base} × {p} / 100 = {value}.\nThe answer is {value}.",
        },
    ]


def units(rng: random.Random, zh: bool) -> Conversation:
    (big, small), (big_zh, small_zh), factor = rng.choice(UNITS)
    n = rng.randint(2, 90)
    if zh:
        return [
            {"role": "user", "content": f"{n} {big_zh}等于多少{small_zh}？"},
            {
                "role": "assistant",
                "content": f"1 {big_zh} = {factor} {small_zh}，所以 {n} × {factor} = {n * factor}。\n答案是 {n * factor} {small_zh}。",
            },
        ]
    return [
        {"role": "user", "content": f"How many {small} are in {n} {big}?"},
        {
            "role": "assistant",
            "content": f"One of the {big} is {factor} {small}, so {n} × {factor} = {n * factor}.\nThe answer is {n * factor} {small}.",
        },
    ]


def country(rng: random.Random, zh: bool) -> Conversation:
    name, name_zh, cap, cap_zh, cont, cont_zh = rng.choice(COUNTRIES)
    if zh:
        if rng.random() < 0.5:
            return [
                {"role": "user", "content": f"{name_zh}的首都是哪里？"},
                {"role": "assistant", "content": f"{name_zh}的首都是{cap_zh}。"},
            ]
        return [
            {"role": "user", "content": f"{name_zh}位于哪个大洲？"},
            {"role": "assistant", "content": f"{name_zh}位于{cont_zh}，首都是{cap_zh}。"},
        ]
    if rng.random() < 0.5:
        return [
            {"role": "user", "content": f"What is the capital of {name}?"},
            {"role": "assistant", "content": f"The capital of {name} is {cap}."},
        ]
    return [
        {"role": "user", "content": f"Which continent is {name} in?"},
        {"role": "assistant", "content": f"{name} is in {cont}. Its capital is {cap}."},
    ]


def element(rng: random.Random, zh: bool) -> Conversation:
    symbol, name, name_zh, number = rng.choice(ELEMENTS)
    if zh:
        return [
            {"role": "user", "content": f"化学符号 {symbol} 代表什么元素？它的原子序数是多少？"},
            {"role": "assistant", "content": f"{symbol} 是{name_zh}元素，原子序数为 {number}。"},
        ]
    return [
        {
            "role": "user",
            "content": f"Which element has the symbol {symbol}, and what is its atomic number?",
        },
        {"role": "assistant", "content": f"{symbol} is {name}, with atomic number {number}."},
    ]


def definition(rng: random.Random, zh: bool) -> Conversation:
    term, meaning, term_zh, meaning_zh = rng.choice(GLOSSARY)
    if zh:
        return [
            {
                "role": "user",
                "content": rng.choice([f"什么是{term_zh}？", f"请用一句话解释{term_zh}。"]),
            },
            {"role": "assistant", "content": f"{term_zh}是指{meaning_zh}。"},
        ]
    question = rng.choice(
        [f"What is {term}?", f"Explain {term} in one sentence.", f"Define {term}."]
    )
    return [
        {"role": "user", "content": question},
        {"role": "assistant", "content": f"{term[0].upper() + term[1:]} is {meaning}."},
    ]


def code(rng: random.Random, zh: bool) -> Conversation:
    name, task, task_zh, body, call, result = rng.choice(FUNCTIONS)
    arg = (
        "values"
        if "values" in " ".join(body)
        else ("text" if "text" in " ".join(body) else ("c" if name.startswith("celsius") else "n"))
    )
    source = "\n".join([f"def {name}({arg}):", *("    " + line for line in body)])
    block = f"```python\n{source}\n```"
    if zh:
        return [
            {"role": "user", "content": f"写一个 Python 函数 `{name}`，{task_zh}。"},
            {"role": "assistant", "content": f"{block}\n\n例如 `{call}` 返回 `{result}`。"},
        ]
    return [
        {"role": "user", "content": f"Write a Python function `{name}` that {task}."},
        {"role": "assistant", "content": f"{block}\n\nFor example, `{call}` returns `{result}`."},
    ]


def words(rng: random.Random, zh: bool) -> Conversation:
    if zh:
        word = rng.choice(HANZI_WORDS)
        picks = rng.sample(HANZI_WORDS, 3)
        if rng.random() < 0.5:
            return [
                {"role": "user", "content": f"“{word}”有几个汉字？"},
                {"role": "assistant", "content": f"“{word}”有 {len(word)} 个汉字。"},
            ]
        return [
            {"role": "user", "content": f"用“{picks[0]}”“{picks[1]}”和“{picks[2]}”造一个句子。"},
            {"role": "assistant", "content": f"{picks[0]}里，我和{picks[1]}一起想起了{picks[2]}。"},
        ]
    picks = rng.sample(WORDS, rng.randint(3, 5))
    kind = rng.randrange(3)
    if kind == 0:
        return [
            {"role": "user", "content": f"Sort these words alphabetically: {', '.join(picks)}."},
            {"role": "assistant", "content": ", ".join(sorted(picks)) + "."},
        ]
    if kind == 1:
        word = picks[0]
        return [
            {"role": "user", "content": f'How many letters are in the word "{word}"?'},
            {"role": "assistant", "content": f'"{word}" has {len(word)} letters.'},
        ]
    return [
        {"role": "user", "content": f"Write the words in reverse order: {' '.join(picks)}"},
        {"role": "assistant", "content": " ".join(reversed(picks))},
    ]


def follow_up(rng: random.Random, zh: bool) -> Conversation:
    first = arithmetic(rng, zh)
    result = int(first[-1]["content"].rsplit(" ", 1)[-1].rstrip("。."))
    k = rng.randint(2, 9)
    if zh:
        question, answer = (
            f"再乘以 {k} 呢？",
            f"{result} × {k} = {result * k}。\n答案是 {result * k}。",
        )
    else:
        question = f"And if we multiply that by {k}?"
        answer = f"{result} × {k} = {result * k}.\nThe answer is {result * k}."
    return [*first, {"role": "user", "content": question}, {"role": "assistant", "content": answer}]


def grading(rng: random.Random, zh: bool) -> Conversation:
    """Grade an answer 0-9 and reply with the digit alone: the judge's reply format."""
    a, b = rng.randint(2, 99), rng.randint(2, 99)
    right = rng.random() < 0.5
    given = a + b if right else a + b + rng.choice([-11, -2, 1, 3, 10])
    score = rng.choice("789") if right else rng.choice("012")
    if zh:
        prompt = f"请评价下面的回答。\n\n[问题]\n{a} + {b} 等于多少？\n\n[回答]\n答案是 {given}。\n\n请用 0 到 9 之间的一个数字评分，只回复这个数字。\n评分："
    else:
        prompt = f"Grade the answer below.\n\n[Instruction]\nWhat is {a} + {b}?\n\n[Answer]\nThe answer is {given}.\n\nReply with one digit from 0 to 9 and nothing else.\nScore:"
    return [{"role": "user", "content": prompt}, {"role": "assistant", "content": score}]


GENERATORS: list[Callable[[random.Random, bool], Conversation]] = [
    arithmetic,
    percent,
    units,
    country,
    element,
    definition,
    code,
    words,
    follow_up,
    grading,
]


def build(rng: random.Random) -> list[Conversation]:
    conversations = []
    for generate in GENERATORS:
        for zh in (False, True):
            for _ in range(PER_KIND):
                conversation = generate(rng, zh)
                if rng.random() < 0.25:
                    system = rng.choice(SYSTEM_ZH if zh else SYSTEM_EN)
                    conversation = [{"role": "system", "content": system}, *conversation]
                conversations.append(conversation)
    rng.shuffle(conversations)
    return conversations


def main() -> None:
    conversations = build(random.Random(SEED))
    lines = [json.dumps({"messages": c}, ensure_ascii=False) for c in conversations]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} conversations to {OUT}")


if __name__ == "__main__":
    main()
