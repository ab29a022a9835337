#!/usr/bin/env python3
# ruff: noqa: E501
"""Write small, deterministic sample files that mimic three public instruction datasets.

Outputs (written next to this script):

* ``magpie.jsonl``      - layout of ``Magpie-Align/Magpie-Qwen2-Pro-300K-Filtered`` (JSON Lines)
* ``openhermes.json``   - layout of ``teknium/OpenHermes-2.5`` ``openhermes2_5.json`` (one JSON array)
* ``mammoth2.jsonl``    - layout of ``TIGER-Lab/WebInstructSub`` (JSON Lines)

All prompts and answers are hand-written literals or small templates whose answers are
computed exactly (fractions, integers), so the math is correct.  Metadata fields are drawn
from ``random.Random(0)``; nothing depends on the clock, hash seeds or the environment, so
every run produces byte-identical files.

Deliberate defects (for testing the cleaning stages):

* magpie:     2 exact duplicates (new uuid), 2 near-duplicates, 1 empty response
* openhermes: 1 duplicate conversation, 1 whitespace-only gpt turn, 1 conversation that ends
              on a human turn, 1 conversation whose roles are out of order
* mammoth2:   1 duplicate record, 1 record with ``answer: null``, 1 with ``answer: ""``

Usage::

    python3 data/samples/make_samples.py
"""

from __future__ import annotations

import json
import os
import random
from fractions import Fraction
from math import comb, isqrt, lcm

HERE = os.path.dirname(os.path.abspath(__file__))


def _t(s: str) -> str:
    """Strip the newline that follows an opening triple quote and precedes the closing one."""
    return s.strip("\n")


def uuid_from(rng: random.Random) -> str:
    """A uuid4-looking string drawn from ``rng`` (version nibble 4, RFC 4122 variant)."""
    h = f"{rng.getrandbits(128):032x}"
    h = h[:12] + "4" + h[13:16] + "89ab"[int(h[16], 16) & 3] + h[17:]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def frac_tex(x: Fraction) -> str:
    """LaTeX for a fraction: ``3``, ``-\\frac{1}{3}``."""
    if x.denominator == 1:
        return str(x.numerator)
    sign = "-" if x < 0 else ""
    return f"{sign}\\frac{{{abs(x.numerator)}}}{{{x.denominator}}}"


def frac_txt(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def M(cat, diff, qual, intent, know, prompt, resp, other=()):
    """One hand-written Magpie item."""
    return {
        "cat": cat,
        "diff": diff,
        "qual": qual,
        "intent": intent,
        "know": know,
        "prompt": _t(prompt),
        "resp": _t(resp),
        "other": list(other),
    }


# ---------------------------------------------------------------------------------------------
# Magpie, English
# ---------------------------------------------------------------------------------------------

MAGPIE_EN = [
    M(
        "Math",
        "easy",
        "good",
        "convert an average speed from km/h to m/s",
        "how to compute average speed and how to convert kilometres per hour into metres per second",
        r"""
A train covers 180 km in 2 hours and 30 minutes. What is its average speed in metres per second?
""",
        r"""
**Step 1 – Average speed in km/h**

Average speed is total distance divided by total time. Two hours and thirty minutes is 2.5 hours, so

$$v = \frac{180\ \text{km}}{2.5\ \text{h}} = 72\ \text{km/h}.$$

**Step 2 – Convert to m/s**

One kilometre is 1000 m and one hour is 3600 s, so 1 km/h = 1000/3600 m/s = 5/18 m/s:

$$72 \times \frac{5}{18} = 20\ \text{m/s}.$$

**Answer:** the train's average speed is **20 m/s** (72 km/h).
""",
        ["Information seeking"],
    ),
    M(
        "Math",
        "easy",
        "excellent",
        "solve a system of two linear equations",
        "substitution or elimination for systems of linear equations",
        r"""
Solve the system of equations:
3x + 2y = 16
x - y = 2
""",
        r"""
We can solve this by substitution.

From the second equation, $x = y + 2$.

Substitute into the first equation:

$$3(y + 2) + 2y = 16 \;\Rightarrow\; 3y + 6 + 2y = 16 \;\Rightarrow\; 5y = 10 \;\Rightarrow\; y = 2.$$

Then $x = y + 2 = 4$.

**Check:**
- $3(4) + 2(2) = 12 + 4 = 16$ ✓
- $4 - 2 = 2$ ✓

So the solution is $x = 4,\ y = 2$.
""",
    ),
    M(
        "Math",
        "medium",
        "good",
        "find the sum of all positive divisors of 360",
        "prime factorisation and the divisor-sum function",
        r"""
What is the sum of all positive divisors of 360?
""",
        r"""
Use the prime factorisation and the fact that the divisor-sum function $\sigma$ is multiplicative.

$$360 = 2^3 \cdot 3^2 \cdot 5$$

For a prime power, $\sigma(p^k) = 1 + p + p^2 + \dots + p^k$. So

- $\sigma(2^3) = 1 + 2 + 4 + 8 = 15$
- $\sigma(3^2) = 1 + 3 + 9 = 13$
- $\sigma(5) = 1 + 5 = 6$

Multiplying: $\sigma(360) = 15 \times 13 \times 6 = 1170$.

The sum of all positive divisors of 360 is **1170**. (As a side note, 360 has $(3+1)(2+1)(1+1) = 24$ divisors.)
""",
        ["Information seeking"],
    ),
    M(
        "Math",
        "easy",
        "average",
        "calculate the probability that two dice sum to 8",
        "basic probability with equally likely outcomes",
        r"""
probability of rolling a sum of 8 with two dice?
""",
        r"""
When two fair six-sided dice are rolled there are $6 \times 6 = 36$ equally likely outcomes.

The outcomes that sum to 8 are:

(2, 6), (3, 5), (4, 4), (5, 3), (6, 2)

That is 5 outcomes, so

$$P(\text{sum} = 8) = \frac{5}{36} \approx 0.139,$$

or roughly a 13.9% chance.
""",
    ),
    M(
        "Math",
        "hard",
        "excellent",
        "see a proof that the square root of 2 is irrational",
        "proof by contradiction and basic properties of even and odd integers",
        r"""
Can you prove that √2 is irrational? Please explain each step so I can follow it.
""",
        r"""
Sure! The classic proof works **by contradiction**: we assume √2 is rational and show that this assumption leads to something impossible.

### Step 1: Assume the opposite
Suppose $\sqrt{2}$ is rational. Then we can write

$$\sqrt{2} = \frac{a}{b}$$

where $a$ and $b$ are positive integers with **no common factor** (the fraction is in lowest terms). Every positive rational number can be written this way.

### Step 2: Square both sides
$$2 = \frac{a^2}{b^2} \quad\Longrightarrow\quad a^2 = 2b^2.$$

So $a^2$ is even.

### Step 3: Conclude that $a$ is even
If $a$ were odd, say $a = 2k + 1$, then $a^2 = 4k^2 + 4k + 1$ would be odd. Since $a^2$ is even, $a$ must be even. Write $a = 2m$.

### Step 4: Conclude that $b$ is even
Substitute $a = 2m$ into $a^2 = 2b^2$:

$$4m^2 = 2b^2 \quad\Longrightarrow\quad b^2 = 2m^2.$$

By the same argument as in Step 3, $b$ is even.

### Step 5: The contradiction
Both $a$ and $b$ are even, so they share the factor 2. But we chose $a/b$ in lowest terms, with no common factor. This is a contradiction.

### Conclusion
Our assumption that $\sqrt{2}$ is rational must be false, so **$\sqrt{2}$ is irrational**. ∎

The same idea proves that $\sqrt{p}$ is irrational for every prime $p$.
""",
        ["Reasoning"],
    ),
    M(
        "Math",
        "easy",
        "good",
        "differentiate the function x^2 sin x",
        "the product rule and derivatives of power and trigonometric functions",
        r"""
What's the derivative of f(x) = x² sin(x)?
""",
        r"""
Use the product rule, $(uv)' = u'v + uv'$, with $u = x^2$ and $v = \sin x$:

- $u' = 2x$
- $v' = \cos x$

$$f'(x) = 2x\sin x + x^2\cos x.$$

You can also factor out $x$: $f'(x) = x\,(2\sin x + x\cos x)$.
""",
    ),
    M(
        "Math",
        "medium",
        "excellent",
        "compute the future value of an investment with quarterly compound interest",
        "the compound interest formula A = P(1 + r/n)^(nt)",
        r"""
I'm putting $5,000 into a savings account that pays 4% annual interest, compounded quarterly. How much will I have after 3 years if I don't add or withdraw anything?
""",
        r"""
Use the compound-interest formula

$$A = P\left(1 + \frac{r}{n}\right)^{nt}$$

where

- $P = 5000$ (principal)
- $r = 0.04$ (annual rate)
- $n = 4$ (compounding periods per year)
- $t = 3$ (years)

**Rate per quarter:** $r/n = 0.04/4 = 0.01$

**Number of quarters:** $nt = 4 \times 3 = 12$

$$A = 5000 \times (1.01)^{12} \approx 5000 \times 1.126825 \approx 5634.13$$

After 3 years you would have about **$5,634.13**, which means you earned roughly **$634.13** in interest.

For comparison, simple interest at 4% would give $5000 \times 0.04 \times 3 = \$600$; the extra $34.13 comes from earning interest on interest.
""",
        ["Advice seeking"],
    ),
    M(
        "Coding & Debugging",
        "easy",
        "good",
        "write a Python function that checks whether a string is a palindrome while ignoring punctuation and case",
        "Python string methods, list comprehensions and slicing",
        r"""
Write a Python function that checks whether a sentence is a palindrome. It should ignore spaces, punctuation and capital letters, so "A man, a plan, a canal: Panama!" counts as a palindrome.
""",
        r'''
Here's a compact and readable solution:

```python
def is_palindrome(text: str) -> bool:
    """Return True if text reads the same forwards and backwards,
    ignoring case, spaces and punctuation."""
    cleaned = [ch.lower() for ch in text if ch.isalnum()]
    return cleaned == cleaned[::-1]


if __name__ == "__main__":
    tests = [
        "A man, a plan, a canal: Panama!",
        "Was it a car or a cat I saw?",
        "No lemon, no melon",
        "Hello, world",
        "",
    ]
    for t in tests:
        print(f"{t!r:40} -> {is_palindrome(t)}")
```

Output:

```
'A man, a plan, a canal: Panama!'        -> True
'Was it a car or a cat I saw?'           -> True
'No lemon, no melon'                     -> True
'Hello, world'                           -> False
''                                       -> True
```

**How it works**

1. `ch.isalnum()` keeps only letters and digits, which drops spaces and punctuation.
2. `ch.lower()` normalises case.
3. `cleaned[::-1]` is the reversed list; if it equals the original, the text is a palindrome.

If you need to handle very long strings without building a copy, you can use two pointers that move toward each other and skip non-alphanumeric characters; that version uses O(1) extra memory instead of O(n).
''',
    ),
    M(
        "Coding & Debugging",
        "medium",
        "good",
        "understand why a Python function with a list default argument keeps old values between calls",
        "how Python evaluates default arguments once at function definition time",
        r"""
Why does this code print [1], then [1, 2], then [1, 2, 3]? I expected [1], [2], [3].

def add_item(item, items=[]):
    items.append(item)
    return items

print(add_item(1))
print(add_item(2))
print(add_item(3))
""",
        r"""
This is one of Python's most famous gotchas: **default argument values are evaluated once, when the `def` statement runs, not each time the function is called.**

So `items=[]` creates a single list object that is stored on the function (you can see it in `add_item.__defaults__`). Every call that doesn't pass `items` reuses that *same* list, and `append` mutates it. The list keeps growing across calls.

### The fix
Use `None` as a sentinel and create a fresh list inside the function:

```python
def add_item(item, items=None):
    if items is None:
        items = []
    items.append(item)
    return items

print(add_item(1))  # [1]
print(add_item(2))  # [2]
print(add_item(3))  # [3]
```

### Rule of thumb
Never use a mutable object (`list`, `dict`, `set`, or a custom object) as a default value unless you deliberately want state shared between calls. Immutable defaults such as `None`, numbers, strings and tuples are safe.

Linters such as `ruff` (rule B006) and `pylint` (W0102, *dangerous-default-value*) will warn you about this pattern.
""",
    ),
    M(
        "Coding & Debugging",
        "medium",
        "excellent",
        "implement a debounce function in JavaScript",
        "JavaScript closures, setTimeout and clearTimeout",
        r"""
How do I write a debounce function in plain JavaScript? I want to use it on a search box so the API isn't called on every keystroke.
""",
        r"""
A debounce wrapper delays calling a function until a certain amount of time has passed **without** another call. Each new call resets the timer.

```javascript
function debounce(fn, delay = 300) {
  let timerId = null;

  function debounced(...args) {
    clearTimeout(timerId);
    timerId = setTimeout(() => {
      timerId = null;
      fn.apply(this, args);
    }, delay);
  }

  // Optional: allow callers to cancel a pending call.
  debounced.cancel = () => {
    clearTimeout(timerId);
    timerId = null;
  };

  return debounced;
}
```

### Using it with a search box

```html
<input id="search" type="search" placeholder="Search books..." />
<ul id="results"></ul>

<script>
  const input = document.getElementById("search");
  const list = document.getElementById("results");

  async function runSearch(event) {
    const query = event.target.value.trim();
    if (!query) {
      list.innerHTML = "";
      return;
    }
    const res = await fetch(`/api/search?q=${encodeURIComponent(query)}`);
    const items = await res.json();
    list.innerHTML = items.map((b) => `<li>${b.title}</li>`).join("");
  }

  input.addEventListener("input", debounce(runSearch, 400));
</script>
```

### How it works
- `timerId` lives in the closure, so every call to `debounced` sees the same variable.
- `clearTimeout(timerId)` cancels the previous scheduled call.
- Only when the user stops typing for 400 ms does `runSearch` actually run.
- `fn.apply(this, args)` preserves both `this` and the arguments (here, the `input` event).

If you're already using Lodash, `_.debounce` does the same thing and supports `leading`/`trailing` options.
""",
    ),
    M(
        "Coding & Debugging",
        "medium",
        "good",
        "write a SQL query that returns the top three customers by total order amount in 2023",
        "SQL joins, GROUP BY, aggregate functions, date filtering and LIMIT",
        r"""
I have two tables:

customers(id, name, country)
orders(id, customer_id, order_date, amount)

Write a SQL query to get the top 3 customers by total order amount in 2023, showing their name and total.
""",
        r"""
```sql
SELECT
    c.id,
    c.name,
    SUM(o.amount) AS total_2023
FROM customers AS c
JOIN orders AS o
    ON o.customer_id = c.id
WHERE o.order_date >= DATE '2023-01-01'
  AND o.order_date <  DATE '2024-01-01'
GROUP BY c.id, c.name
ORDER BY total_2023 DESC
LIMIT 3;
```

**Notes**

- Filtering with a half-open range (`>= '2023-01-01' AND < '2024-01-01'`) is better than `YEAR(order_date) = 2023` because it lets the database use an index on `order_date`, and it works correctly if `order_date` is a timestamp.
- Grouping by `c.id` as well as `c.name` keeps two different customers who happen to share a name from being merged.
- `LIMIT 3` works in PostgreSQL, MySQL and SQLite. In SQL Server use `SELECT TOP 3 ...`, and in Oracle use `FETCH FIRST 3 ROWS ONLY`.

**Handling ties:** if you want everyone tied for third place, use a window function:

```sql
SELECT id, name, total_2023
FROM (
    SELECT c.id, c.name, SUM(o.amount) AS total_2023,
           DENSE_RANK() OVER (ORDER BY SUM(o.amount) DESC) AS rnk
    FROM customers c
    JOIN orders o ON o.customer_id = c.id
    WHERE o.order_date >= DATE '2023-01-01' AND o.order_date < DATE '2024-01-01'
    GROUP BY c.id, c.name
) ranked
WHERE rnk <= 3;
```
""",
    ),
    M(
        "Coding & Debugging",
        "medium",
        "good",
        "reverse a singly linked list in C",
        "pointers, structs and iterative linked-list manipulation in C",
        r"""
Write a C function that reverses a singly linked list in place, and a small main() to test it.
""",
        r"""
Here is an iterative solution that runs in O(n) time and O(1) extra space.

```c
#include <stdio.h>
#include <stdlib.h>

typedef struct Node {
    int value;
    struct Node *next;
} Node;

/* Reverse the list and return the new head. */
Node *reverse_list(Node *head) {
    Node *prev = NULL;
    Node *curr = head;
    while (curr != NULL) {
        Node *next = curr->next; /* remember the rest of the list */
        curr->next = prev;       /* flip the pointer */
        prev = curr;             /* advance prev */
        curr = next;             /* advance curr */
    }
    return prev;
}

Node *push_front(Node *head, int value) {
    Node *n = malloc(sizeof *n);
    if (n == NULL) {
        perror("malloc");
        exit(EXIT_FAILURE);
    }
    n->value = value;
    n->next = head;
    return n;
}

void print_list(const Node *head) {
    for (const Node *p = head; p != NULL; p = p->next) {
        printf("%d%s", p->value, p->next ? " -> " : "\n");
    }
}

void free_list(Node *head) {
    while (head != NULL) {
        Node *next = head->next;
        free(head);
        head = next;
    }
}

int main(void) {
    Node *head = NULL;
    for (int i = 5; i >= 1; i--) {
        head = push_front(head, i);
    }
    print_list(head);            /* 1 -> 2 -> 3 -> 4 -> 5 */
    head = reverse_list(head);
    print_list(head);            /* 5 -> 4 -> 3 -> 2 -> 1 */
    free_list(head);
    return 0;
}
```

The key is to save `curr->next` **before** overwriting it; otherwise you lose the rest of the list. An empty list (`head == NULL`) and a one-element list are handled automatically because the loop either doesn't run or runs once.
""",
    ),
]

MAGPIE_EN += [
    M(
        "Coding & Debugging",
        "hard",
        "excellent",
        "build a complete command-line to-do list application in Python that stores tasks in a JSON file",
        "Python argparse, dataclasses, JSON file I/O, date handling and atomic file writes",
        r"""
Can you write me a complete command-line to-do app in Python? Requirements:
- subcommands: add, list, done, remove, clear
- tasks saved in a JSON file in my home directory
- optional due date and tags
- list should hide finished tasks unless I pass --all, and mark overdue tasks
Standard library only please.
""",
        r'''
Here is a complete, single-file to-do manager that uses only the standard library. Save it as `todo.py` and run `python todo.py --help`.

```python
#!/usr/bin/env python3
"""todo.py - a tiny command-line to-do manager that stores tasks in JSON."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

DB_PATH = Path.home() / ".todo.json"


@dataclass
class Task:
    id: int
    title: str
    done: bool = False
    due: str | None = None          # ISO date, e.g. "2024-05-01"
    tags: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- storage
def load_tasks(path: Path = DB_PATH) -> list[Task]:
    if not path.exists():
        return []
    try:
        with path.open(encoding="utf-8") as fh:
            raw = json.load(fh)
    except json.JSONDecodeError as exc:
        sys.exit(f"error: {path} is not valid JSON ({exc})")
    return [Task(**item) for item in raw]


def save_tasks(tasks: list[Task], path: Path = DB_PATH) -> None:
    # Write to a temp file, then rename: a crash can't corrupt the file.
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump([asdict(t) for t in tasks], fh, indent=2, ensure_ascii=False)
    tmp.replace(path)


def next_id(tasks: list[Task]) -> int:
    return max((t.id for t in tasks), default=0) + 1


def find_task(tasks: list[Task], task_id: int) -> Task:
    for t in tasks:
        if t.id == task_id:
            return t
    sys.exit(f"error: no task with id {task_id}")


# ---------------------------------------------------------------- commands
def cmd_add(args: argparse.Namespace) -> None:
    tasks = load_tasks()
    if args.due:
        try:
            date.fromisoformat(args.due)
        except ValueError:
            sys.exit("error: --due must look like YYYY-MM-DD")
    task = Task(
        id=next_id(tasks),
        title=" ".join(args.title),
        due=args.due,
        tags=sorted(set(args.tag or [])),
    )
    tasks.append(task)
    save_tasks(tasks)
    print(f"Added task {task.id}: {task.title}")


def cmd_list(args: argparse.Namespace) -> None:
    tasks = load_tasks()
    if not args.all:
        tasks = [t for t in tasks if not t.done]
    if args.tag:
        tasks = [t for t in tasks if args.tag in t.tags]
    if not tasks:
        print("Nothing to do!")
        return

    today = date.today().isoformat()
    # Open tasks first, then by due date, then by id.
    tasks.sort(key=lambda t: (t.done, t.due or "9999-12-31", t.id))
    for t in tasks:
        mark = "x" if t.done else " "
        due = ""
        if t.due:
            overdue = t.due < today and not t.done
            due = f"  due {t.due}" + ("  (OVERDUE)" if overdue else "")
        tags = f"  [{', '.join(t.tags)}]" if t.tags else ""
        print(f"[{mark}] {t.id:>3}  {t.title}{due}{tags}")


def cmd_done(args: argparse.Namespace) -> None:
    tasks = load_tasks()
    for task_id in args.ids:
        find_task(tasks, task_id).done = True
    save_tasks(tasks)
    print(f"Marked {len(args.ids)} task(s) as done.")


def cmd_remove(args: argparse.Namespace) -> None:
    tasks = load_tasks()
    wanted = set(args.ids)
    kept = [t for t in tasks if t.id not in wanted]
    save_tasks(kept)
    print(f"Removed {len(tasks) - len(kept)} task(s).")


def cmd_clear(args: argparse.Namespace) -> None:
    tasks = load_tasks()
    kept = [t for t in tasks if not t.done]
    save_tasks(kept)
    print(f"Cleared {len(tasks) - len(kept)} completed task(s).")


# ---------------------------------------------------------------- CLI
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="todo", description="A minimal to-do list manager.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("add", help="add a new task")
    p.add_argument("title", nargs="+", help="what needs doing")
    p.add_argument("--due", help="due date, YYYY-MM-DD")
    p.add_argument("--tag", action="append", help="attach a tag (repeatable)")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("list", help="show tasks")
    p.add_argument("--all", action="store_true", help="include finished tasks")
    p.add_argument("--tag", help="only show tasks with this tag")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("done", help="mark tasks as finished")
    p.add_argument("ids", nargs="+", type=int)
    p.set_defaults(func=cmd_done)

    p = sub.add_parser("remove", help="delete tasks")
    p.add_argument("ids", nargs="+", type=int)
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("clear", help="delete all finished tasks")
    p.set_defaults(func=cmd_clear)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
```

### Example session

```
$ python todo.py add Buy milk --tag errands
Added task 1: Buy milk
$ python todo.py add Finish tax return --due 2024-04-15 --tag admin
Added task 2: Finish tax return
$ python todo.py list
[ ]   2  Finish tax return  due 2024-04-15  (OVERDUE)  [admin]
[ ]   1  Buy milk  [errands]
$ python todo.py done 1
Marked 1 task(s) as done.
$ python todo.py list --all
[ ]   2  Finish tax return  due 2024-04-15  (OVERDUE)  [admin]
[x]   1  Buy milk  [errands]
```

### Design notes
- **Dataclasses** keep the task structure explicit, and `asdict` makes serialisation trivial.
- **Atomic saves:** writing to `.todo.tmp` and then calling `Path.replace` means the file is either the old version or the new one, never a truncated mix.
- **ISO dates compare as strings**, so `t.due < today` works without parsing every date.
- **Validation** happens at the edges: a bad `--due` value or an unknown id exits with a clear message instead of a traceback.
''',
        ["Planning"],
    ),
    M(
        "Coding & Debugging",
        "easy",
        "average",
        "understand the time complexity of binary search",
        "binary search and Big-O notation",
        r"""
why is binary search O(log n)
""",
        r"""
Binary search works on a **sorted** array. At each step it compares the target with the middle element and throws away the half that cannot contain the target.

So the size of the search range goes:

$$n \rightarrow \frac{n}{2} \rightarrow \frac{n}{4} \rightarrow \dots \rightarrow 1$$

After $k$ steps the range has size $n / 2^k$. The search stops when that reaches 1:

$$\frac{n}{2^k} = 1 \;\Longrightarrow\; k = \log_2 n.$$

Each step does a constant amount of work (one comparison and an index update), so the total is $O(\log n)$.

To get a feel for how small that is: an array of 1,000,000 items needs at most about 20 comparisons, and one of 1,000,000,000 items needs about 30.
""",
        ["Math"],
    ),
    M(
        "Coding & Debugging",
        "medium",
        "good",
        "fix JavaScript code where async calls inside forEach are not awaited",
        "JavaScript promises, async/await, Array.prototype.forEach and Promise.all",
        r"""
My code logs "done" before any of the files are uploaded. What's wrong?

async function uploadAll(files) {
  files.forEach(async (file) => {
    await upload(file);
    console.log("uploaded", file.name);
  });
  console.log("done");
}
""",
        r"""
The problem is that **`forEach` ignores the promises returned by its callback.** Each `async` callback returns a promise immediately, `forEach` throws it away, and the loop finishes synchronously. So `console.log("done")` runs before any upload has completed — and `uploadAll` itself resolves too early, and errors from `upload` become unhandled rejections.

You have two good options.

**1. Upload one at a time (sequential):**

```javascript
async function uploadAll(files) {
  for (const file of files) {
    await upload(file);
    console.log("uploaded", file.name);
  }
  console.log("done");
}
```

`for...of` respects `await`, so each upload finishes before the next begins.

**2. Upload in parallel and wait for all of them:**

```javascript
async function uploadAll(files) {
  await Promise.all(
    files.map(async (file) => {
      await upload(file);
      console.log("uploaded", file.name);
    })
  );
  console.log("done");
}
```

`map` returns an array of promises, and `Promise.all` waits for every one. This is faster, but if you have hundreds of files you may want to limit concurrency (for example, process them in batches of 5). If you want the other uploads to continue even when one fails, use `Promise.allSettled` instead.
""",
    ),
    M(
        "Coding & Debugging",
        "easy",
        "good",
        "understand the difference between WHERE and HAVING in SQL",
        "SQL query evaluation order and aggregate functions",
        r"""
What's the difference between WHERE and HAVING in SQL?
""",
        r"""
Both filter rows, but at different stages of the query:

| | `WHERE` | `HAVING` |
|---|---|---|
| When it runs | **before** `GROUP BY` | **after** `GROUP BY` |
| What it filters | individual rows | groups |
| Can use aggregates like `SUM()`, `COUNT()`? | No | Yes |

**Example:** find departments whose employees hired since 2020 earn more than 80,000 on average.

```sql
SELECT department, AVG(salary) AS avg_salary
FROM employees
WHERE hire_date >= '2020-01-01'      -- row filter: which employees count
GROUP BY department
HAVING AVG(salary) > 80000;          -- group filter: which departments to keep
```

A good rule: put every condition that doesn't need an aggregate in `WHERE`. Filtering early means fewer rows reach the grouping step, which is usually faster.
""",
    ),
    M(
        "Reasoning",
        "medium",
        "good",
        "solve the classic mislabeled fruit boxes puzzle",
        "logical deduction and the constraint that every label is wrong",
        r"""
There are three boxes. One contains only apples, one only oranges, and one both. All three labels ("Apples", "Oranges", "Apples and Oranges") are wrong. You may take out one fruit from one box without looking inside. How can you fix all the labels?
""",
        r"""
Pick a fruit from the box labelled **"Apples and Oranges."**

**Why that box?** Its label is wrong, so it can't contain the mix; it must contain *only* apples or *only* oranges. Therefore one fruit tells you exactly what's inside.

**Case 1: you pull out an apple.**
- That box is the **Apples** box.
- The box labelled "Oranges" can't contain oranges (its label is wrong) and can't contain only apples (we just found that box), so it's the **mix**.
- The box labelled "Apples" must then be the **Oranges** box.

**Case 2: you pull out an orange.**
- That box is the **Oranges** box.
- The box labelled "Apples" can't be apples and can't be oranges, so it's the **mix**.
- The box labelled "Oranges" must be the **Apples** box.

Either way, one draw is enough to relabel all three boxes.
""",
    ),
    M(
        "Reasoning",
        "easy",
        "average",
        "check whether a syllogism is valid",
        "categorical syllogisms and the difference between valid and sound arguments",
        r"""
All bloops are razzies and all razzies are lazzies. Are all bloops definitely lazzies?
""",
        r"""
Yes. This is a valid syllogism (the form is sometimes called *Barbara*):

1. All bloops are razzies.
2. All razzies are lazzies.
3. Therefore, all bloops are lazzies.

Think of it as nested circles: the circle of bloops sits inside the circle of razzies, which sits inside the circle of lazzies. Anything inside the smallest circle is inside the largest one.

Note that the reverse does **not** follow: we can't conclude that all lazzies are bloops.
""",
    ),
    M(
        "Reasoning",
        "medium",
        "good",
        "solve the wolf, goat and cabbage river crossing puzzle",
        "state-space search and constraint reasoning",
        r"""
A farmer needs to take a wolf, a goat and a cabbage across a river. His boat can carry him and only one of the three. If left alone, the wolf eats the goat and the goat eats the cabbage. How does he get everything across?
""",
        r"""
The trick is that the goat is the problem item: it conflicts with both of the others. So the goat goes first, and the farmer is allowed to bring something **back**.

| Trip | Action | Left bank | Right bank |
|---|---|---|---|
| 1 | Take the **goat** across | Wolf, Cabbage | Goat |
| 2 | Return alone | Wolf, Cabbage | Goat |
| 3 | Take the **wolf** across | Cabbage | Wolf, Goat |
| 4 | Bring the **goat** back | Goat, Cabbage | Wolf |
| 5 | Take the **cabbage** across | Goat | Wolf, Cabbage |
| 6 | Return alone | Goat | Wolf, Cabbage |
| 7 | Take the **goat** across | — | Wolf, Goat, Cabbage |

At no point is the wolf left alone with the goat, or the goat alone with the cabbage. There's a symmetric solution in which the cabbage goes across in trip 3 and the wolf in trip 5. Seven crossings is the minimum.
""",
    ),
    M(
        "Reasoning",
        "easy",
        "good",
        "solve the bat and ball cost puzzle",
        "setting up and solving a simple linear equation",
        r"""
A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. How much does the ball cost?
""",
        r"""
The ball costs **5 cents**.

The intuitive answer, 10 cents, is wrong: then the bat would cost $1.10 and the total would be $1.20.

Let the ball cost $x$. Then the bat costs $x + 1.00$ and

$$x + (x + 1.00) = 1.10 \;\Rightarrow\; 2x = 0.10 \;\Rightarrow\; x = 0.05.$$

Check: ball $0.05 + bat $1.05 = $1.10, and $1.05 − $0.05 = $1.00. ✓
""",
        ["Math"],
    ),
    M(
        "Creative writing",
        "easy",
        "good",
        "write a poem about autumn in a city",
        "poetic imagery and free verse",
        r"""
Write a short poem about autumn in a big city.
""",
        r"""
**October, Downtown**

The plane trees on Fifth Street
let go of their leaves one by one,
like commuters stepping off a train
without looking back.

Steam climbs from the grates,
a cheap ghost in a good coat.
The coffee cart man
has switched to gloves with the fingers cut off.

On the fortieth floor, someone waters a fern
and watches the light go copper
across a thousand windows at once,
the whole skyline blushing
as if it had been caught at something.

By six the streetlamps argue with the dark
and lose a little earlier each night.
We turn our collars up,
walk faster, and don't mind —
the city is never so honest
as when it is getting ready for the cold.
""",
    ),
    M(
        "Creative writing",
        "medium",
        "excellent",
        "write a short story about a lighthouse keeper",
        "narrative structure, character and setting",
        r"""
Write a short story (around 500 words) about a lighthouse keeper on the last night before the lighthouse is automated.
""",
        r"""
**The Last Watch**

Edith Marr had kept the Kessock Point light for thirty-one years, and tonight she climbed the ninety-four steps for the last time.

The engineers had come in March with their clipboards and their cheerful voices. The new lamp was already installed, a squat LED unit that would blink on at dusk and off at dawn, fed by a solar panel and watched from an office in Aberdeen. "It'll never need a holiday," the younger one had joked. Edith had laughed politely, because she had not taken a holiday since 1998.

At the top she unlocked the lantern room and stood among the old brass and glass. The great Fresnel lens would stay, they said, as a heritage feature. It would simply not turn anymore.

She checked the barometer out of habit. Falling. Wind from the southwest, building. She wrote it in the log in her small square hand — *22:00, 996 mb, SW 6 rising 7* — and then she sat in the wooden chair and watched the beam sweep across the water.

Every ten seconds it passed over the reef the locals called the Teeth. Every ten seconds it found the black water and let it go again. Edith had always thought of the beam as a kind of attention: the light did not save ships by force, only by noticing them.

Around midnight the radio crackled. A fishing boat, the *Margaret Ann*, was running home ahead of the weather. The skipper's voice came through tired and crackly.

"Kessock, that you, Edith?"

"It's me, Callum."

"Heard it's your last night."

"It is."

There was a pause full of static and engine noise. "I've been steering by you since I was nineteen," he said. "Just wanted to say."

She watched the boat's small lights crawl past the Teeth, exactly where they should be, and then round the point into the harbour. She logged it: *00:47, Margaret Ann inbound, clear of reef.* Her hand was not quite steady.

At dawn the new lamp would take over without ceremony. Nobody would climb the stairs. Nobody would write down that the glass fogged on still mornings, that gannets sometimes hit the windows in fog, that the third step from the top had a crack you learned to skip.

So before she left, Edith opened a fresh page at the back of the log and wrote it all down: the crack in the step, the gannets, the way the beam turned green for a second when it passed through sea mist, the names of the skippers who still called in. She did not know who would read it. Perhaps nobody. But a light, she thought, was only ever a promise that someone was paying attention.

When the sun rose she switched off the old lamp, locked the door, and went down the ninety-four steps, skipping the third from the top.
""",
    ),
    M(
        "Creative writing",
        "very easy",
        "average",
        "write haiku about coffee",
        "the 5-7-5 syllable structure of haiku",
        r"""
haikus about coffee pls
""",
        r"""
Here are three haiku about coffee:

**Morning**
Kettle starts to sing —
dark water wakes the dark beans,
steam writes my first thought.

**Office, 3 p.m.**
Cold cup on the desk,
a brown ring where the hours went,
one more sip of hope.

**Café**
Two cups, one small spoon,
the milk swirls into a cloud —
we forget the time.
""",
    ),
    M(
        "Role playing",
        "easy",
        "good",
        "role-play a conversation with a medieval innkeeper",
        "medieval settings and in-character dialogue",
        r"""
Pretend you're a friendly innkeeper in a medieval fantasy town. I've just walked in, soaked from the rain, and I ask if there's a room for the night.
""",
        r"""
*The innkeeper, a broad woman with flour on her apron, looks up from the bar and waves you toward the fire.*

"Gods above, you look like you swam here! Come in, come in, shut that door before the wind takes the candles. Bram! Another log on the hearth!"

*She wipes her hands and leans on the counter.*

"A room, is it? You're in luck, traveller. The wool merchants left this morning, so I've the little room under the eaves — dry as a bone, clean straw, and a window that only rattles when the wind's from the north. Six coppers for the night, or ten with supper and a hot bath drawn. Tonight's supper is mutton stew and brown bread, and I'll not hear a word against either.

Now, you'll want to hang that cloak by the fire or it'll be wet until midsummer. And if you've a horse, young Pip will see it stabled for two coppers more.

*She lowers her voice a little.*

"One more thing — if you're travelling the east road tomorrow, mind the bridge at Alder Ford. River's high, and there's been talk of bandits in the woods past it. Now, what'll it be, love? Room alone, or the full comfort?"
""",
    ),
    M(
        "Role playing",
        "medium",
        "good",
        "practise a job interview for a junior data analyst role with the assistant acting as interviewer",
        "typical data analyst interview questions and interview etiquette",
        r"""
Act as an interviewer for a junior data analyst position. Ask me one question at a time and give feedback on my answers. Start with the first question.
""",
        r"""
Great, let's begin. I'll play the hiring manager at a mid-sized e-commerce company. After each answer I'll give you brief feedback and then ask the next question.

---

**Interviewer:** Thanks for coming in today. To start, could you walk me through a project where you used data to answer a question or solve a problem? I'm interested in what the question was, what data you used, how you analysed it, and what came out of it.

---

*Tip before you answer:* a structure like **STAR** (Situation, Task, Action, Result) works well here. Try to mention the specific tools you used (for example SQL, Excel, Python/pandas, Tableau) and, if possible, a concrete result or decision that followed from your analysis.

Go ahead whenever you're ready.
""",
    ),
    M(
        "Information seeking",
        "easy",
        "good",
        "understand why the sky is blue",
        "Rayleigh scattering and the wavelength dependence of light scattering",
        r"""
Why is the sky blue?
""",
        r"""
The sky is blue because of a process called **Rayleigh scattering**.

1. **Sunlight contains all colours.** White sunlight is a mix of wavelengths, from violet and blue (short, about 400–450 nm) to red (long, about 650–700 nm).

2. **Air molecules scatter short wavelengths much more.** Nitrogen and oxygen molecules are far smaller than the wavelength of light. For such tiny particles, the amount of scattering is proportional to $1/\lambda^4$. Blue light at 450 nm is therefore scattered about $(700/450)^4 \approx 5.8$ times more strongly than red light at 700 nm.

3. **Scattered blue light reaches you from every direction.** When you look at any part of the sky away from the Sun, you are seeing sunlight that has been bounced toward you by air molecules — and that light is dominated by blue.

**Why not violet?** Violet is scattered even more, but sunlight contains less violet to begin with, some of it is absorbed high in the atmosphere, and our eyes are less sensitive to violet than to blue. The mix we perceive comes out as sky blue.

**Why are sunsets red?** At sunset, light travels through much more atmosphere to reach you. Most of the blue has been scattered out of the direct beam along the way, leaving the oranges and reds.
""",
        ["Reasoning"],
    ),
    M(
        "Information seeking",
        "medium",
        "excellent",
        "learn the main causes of the fall of the Western Roman Empire",
        "late Roman history, including political, economic and military factors",
        r"""
What were the main causes of the fall of the Western Roman Empire? I'd like a balanced overview rather than a single-cause explanation.
""",
        r"""
Historians generally agree that the Western Roman Empire, which ended conventionally in **476 CE** when Romulus Augustulus was deposed by Odoacer, fell because of several interacting pressures rather than one cause. Here are the most commonly cited factors.

### 1. Political instability
- During the **Crisis of the Third Century (235–284)**, about two dozen emperors were proclaimed in fifty years, most of them killed by their own troops.
- Civil wars drained soldiers and money away from the frontiers.
- By the fifth century, real power in the West often lay with generals such as Stilicho, Aetius and Ricimer rather than the emperors.

### 2. Economic strain
- Heavy taxation to pay the army fell hardest on small farmers, many of whom became tied tenants (*coloni*) of large estates.
- Debasement of the silver coinage in the third century fuelled inflation.
- Trade networks weakened, and the West was poorer and less urbanised than the East.

### 3. Military pressure and the "barbarian" migrations
- The Huns' westward movement in the 370s pushed Gothic groups across the Danube; the Roman defeat at **Adrianople (378)** showed that the army could be beaten decisively.
- Rome increasingly relied on federated Germanic troops (*foederati*) who fought under their own leaders.
- The **Vandal conquest of North Africa (439)** cost the West its richest tax province and its grain supply.

### 4. The division of the Empire
- After 395 the Empire was permanently split into East and West. The East, with Constantinople's strong walls and richer provinces, survived for almost another thousand years; the West had fewer resources to absorb its losses.

### 5. Longer-term and debated factors
- **Plague and demographics:** the Antonine Plague (165–180) and the Plague of Cyprian (250s) reduced the population.
- **Climate:** some recent research links the end of a relatively warm, stable period with agricultural stress.
- **Christianity:** Edward Gibbon famously blamed it for weakening civic virtue, but most modern historians consider this a minor factor at best.

### Transformation or collapse?
Scholars still debate the framing. Some (e.g. Peter Brown) emphasise a gradual *transformation* into the early medieval world; others (e.g. Bryan Ward-Perkins) stress a real and painful decline in living standards.

**In short:** internal political weakness and economic strain made the West less able to cope with external military pressure, and the loss of key provinces created a downward spiral from which it could not recover.
""",
    ),
    M(
        "Information seeking",
        "easy",
        "good",
        "understand the difference between viruses and bacteria",
        "basic microbiology: cell structure, reproduction and treatment of infections",
        r"""
What's the difference between a virus and a bacterium?
""",
        r"""
They are both microscopic and both can cause disease, but they are very different things.

| | Bacteria | Viruses |
|---|---|---|
| **Alive?** | Yes — single-celled organisms | Debated; they can't do anything outside a host cell |
| **Size** | About 1–10 micrometres | About 20–300 nanometres (roughly 10–100 times smaller) |
| **Structure** | A full cell: membrane, cytoplasm, ribosomes, DNA, often a cell wall | Genetic material (DNA *or* RNA) in a protein coat, sometimes with a lipid envelope |
| **Reproduction** | Divide on their own (binary fission) | Must hijack a host cell's machinery to copy themselves |
| **Treatment** | Antibiotics often work | Antibiotics do **not** work; antivirals and vaccines are used |
| **Examples** | *E. coli*, *Streptococcus* (strep throat), *Mycobacterium tuberculosis* | Influenza, SARS-CoV-2, HIV, the common cold (rhinoviruses) |

It's also worth remembering that most bacteria are harmless or helpful — your gut contains trillions of them that help digest food — whereas every virus depends on infecting some kind of cell.

That's why doctors don't prescribe antibiotics for a cold: the cold is viral, so antibiotics won't help and only add to antibiotic resistance.
""",
    ),
]

MAGPIE_EN += [
    M(
        "Information seeking",
        "medium",
        "good",
        "understand how mRNA vaccines work",
        "immunology basics: antigens, antibodies, T cells and protein synthesis",
        r"""
How do mRNA vaccines actually work? Do they change your DNA?
""",
        r"""
**Short answer:** mRNA vaccines give your cells temporary instructions to make one harmless piece of a virus, so your immune system can learn to recognise it. They do **not** change your DNA.

### Step by step
1. **The package.** The vaccine contains messenger RNA (mRNA) wrapped in tiny fat bubbles called *lipid nanoparticles*. The fat protects the fragile mRNA and helps it get into cells near the injection site.
2. **Reading the instructions.** Inside the cell's cytoplasm, ribosomes read the mRNA and build the protein it encodes — for the COVID-19 vaccines, the coronavirus **spike protein**.
3. **Showing the protein.** The cell displays pieces of the spike protein on its surface and releases some of it.
4. **Training the immune system.** B cells make antibodies that bind the spike protein, and T cells learn to recognise and kill cells showing it. Some of these become long-lived *memory cells*.
5. **Cleaning up.** The mRNA is broken down by normal cellular enzymes within a few days.

If you later meet the real virus, your memory cells recognise the spike protein and respond much faster.

### Why it can't change your DNA
- Your DNA is kept in the **nucleus**; the vaccine mRNA stays in the **cytoplasm** and never enters the nucleus.
- Turning RNA into DNA requires an enzyme called reverse transcriptase, which the vaccine does not contain.
- mRNA is short-lived by design.

A useful analogy: the mRNA is like a recipe card that a cook reads, uses once and throws away. It doesn't rewrite the cookbook.
""",
        ["Reasoning"],
    ),
    M(
        "Editing",
        "medium",
        "good",
        "translate an English paragraph into Chinese",
        "English-to-Chinese translation and natural Chinese phrasing",
        r"""
Translate this into Simplified Chinese, keeping it natural rather than word-for-word:

"Our library will be closed for renovation from June 3 to June 17. During this time, you can still return books using the drop box by the main entrance. Online services, including e-book loans, will not be affected. We apologise for any inconvenience and look forward to welcoming you back to a brighter, more comfortable space."
""",
        r"""
以下是译文：

“本馆将于6月3日至6月17日闭馆装修。在此期间，您仍可通过正门旁的还书箱归还图书。电子书借阅等线上服务不受影响。由此给您带来的不便，我们深表歉意，并期待在更明亮、更舒适的新环境中再次欢迎您的到来。”

**几点说明：**
- “Our library” 在公告语境中译为“本馆”，比“我们的图书馆”更正式、更自然。
- “drop box” 译为“还书箱”，是国内图书馆的常用说法。
- 最后一句把 “a brighter, more comfortable space” 处理为“更明亮、更舒适的新环境”，加上“新”字以呼应“装修”，读起来更顺。
""",
        ["Information seeking"],
    ),
    M(
        "Information seeking",
        "medium",
        "good",
        "understand the light-dependent and light-independent reactions of photosynthesis",
        "plant biology: chloroplast structure, ATP, NADPH and the Calvin cycle",
        r"""
Explain the two stages of photosynthesis.
""",
        r"""
Photosynthesis turns light energy into chemical energy stored in sugar. The overall equation is

$$6\,\text{CO}_2 + 6\,\text{H}_2\text{O} \xrightarrow{\text{light}} \text{C}_6\text{H}_{12}\text{O}_6 + 6\,\text{O}_2$$

It happens in the **chloroplasts** in two linked stages.

### 1. Light-dependent reactions (in the thylakoid membranes)
- Chlorophyll in photosystems II and I absorbs light and excites electrons.
- To replace those electrons, **water is split**: $2\,\text{H}_2\text{O} \rightarrow 4\,\text{H}^+ + 4e^- + \text{O}_2$. This is where the oxygen we breathe comes from.
- The excited electrons move along an electron transport chain, pumping protons into the thylakoid space. The resulting gradient drives **ATP synthase** to make ATP.
- At the end of the chain, electrons reduce NADP⁺ to **NADPH**.

**Outputs:** ATP, NADPH and O₂.

### 2. Light-independent reactions / Calvin cycle (in the stroma)
- The enzyme **RuBisCO** attaches CO₂ to a five-carbon sugar (RuBP); the product immediately splits into two three-carbon molecules (3-PGA).
- ATP and NADPH from stage 1 reduce these to **G3P**, a three-carbon sugar.
- Most G3P is recycled to regenerate RuBP; for every three CO₂ fixed, one G3P leaves the cycle and is used to build glucose, sucrose, starch and cellulose.

**Outputs:** sugar, plus ADP and NADP⁺ that return to stage 1.

### How they connect
Stage 1 is the "power station" that makes the energy carriers (ATP and NADPH); stage 2 is the "factory" that spends them to build sugar from CO₂. The name "dark reactions" is misleading — the Calvin cycle normally runs in daylight, because it depends on a steady supply of ATP and NADPH.
""",
    ),
    M(
        "Information seeking",
        "easy",
        "good",
        "understand why ice floats on water",
        "hydrogen bonding and density",
        r"""
Why does ice float? Isn't the solid form of something usually denser?
""",
        r"""
You're right that most substances are denser as solids — which makes water unusual.

**The reason is hydrogen bonding.** Each water molecule (H₂O) can form up to four hydrogen bonds with its neighbours. In liquid water these bonds constantly break and re-form, so molecules can pack fairly closely.

When water freezes, each molecule locks into four hydrogen bonds arranged in a tetrahedral pattern. This creates an open, hexagonal crystal lattice with a lot of empty space. As a result:

- Ice has a density of about **0.917 g/cm³**.
- Liquid water near 0 °C has a density of about **1.000 g/cm³**.

Because ice is roughly 9% less dense, it floats, with about 90% of its volume below the surface — hence "the tip of the iceberg."

**Why it matters:** lakes freeze from the top down. The ice layer insulates the water below, so fish and other life survive the winter. Liquid water is actually densest at about 4 °C, which is why the bottom of a frozen lake stays near that temperature.
""",
        ["Reasoning"],
    ),
    M(
        "Advice seeking",
        "medium",
        "good",
        "get advice on training for a first marathon",
        "marathon training principles, pacing, nutrition and injury prevention",
        r"""
I can run 10K comfortably and I've signed up for my first marathon in 20 weeks. How should I train?
""",
        r"""
Congratulations! Twenty weeks from a comfortable 10K is a realistic timeline. Here's a framework.

### 1. Build your weekly mileage gradually
- Start around your current volume (maybe 25–30 km/week) and increase by **no more than about 10% per week**.
- Every 3–4 weeks, take a **cutback week** at about 70% volume to let your body adapt.
- Aim to peak at roughly 50–65 km/week, about 4–5 weeks before race day.

### 2. The long run is the backbone
- Once a week, run long and slow: you should be able to hold a conversation.
- Extend it from ~12 km up to **30–32 km** at its peak. Most first-time plans don't go beyond 32 km; the taper and race-day adrenaline carry you the rest of the way.

### 3. A simple weekly structure
| Day | Session |
|---|---|
| Mon | Rest |
| Tue | Easy run (6–10 km) |
| Wed | Tempo or intervals (e.g. 3 × 2 km at half-marathon pace) |
| Thu | Easy run or cross-training |
| Fri | Rest |
| Sat | Long run |
| Sun | Easy recovery run (5–8 km) |

About **80% of your running should be easy**. Beginners get injured by running their easy days too fast.

### 4. Practise race-day fuelling
- For runs over 90 minutes, practise taking 30–60 g of carbohydrate per hour (gels, chews or a sports drink).
- Never try new food, shoes or gels on race day.

### 5. Look after your body
- Two short strength sessions a week (squats, lunges, calf raises, planks) greatly reduce injury risk.
- Sleep is training, too.
- Sharp or localised pain that changes how you run means stop and get it checked; general tiredness is normal.

### 6. Taper
Reduce volume by 20–30% per week over the final 2–3 weeks, while keeping a little pace work so your legs stay sharp.

### 7. Race day
Start **slower** than you think you should. The most common first-marathon mistake is going out too fast and hitting the wall at 30 km. If the first half feels almost too easy, you're doing it right.

Good luck — and enjoy the finish line!
""",
    ),
    M(
        "Advice seeking",
        "medium",
        "average",
        "get advice on dealing with a coworker who takes credit for their work",
        "workplace communication and conflict resolution",
        r"""
a coworker keeps presenting my ideas in meetings as if they were his. how do i deal with this without looking petty
""",
        r"""
That's frustrating, and it's a common problem. The goal is to make your contributions visible and to address the behaviour calmly, so it's about facts rather than feelings.

**1. Create a paper trail.**
Share ideas in writing before meetings — an email, a shared doc or a message in the team channel ("Here's my proposal for reducing the onboarding time..."). That way there's a timestamped record of who suggested what.

**2. Claim your ideas in the moment, graciously.**
If he presents your idea, you can say something like: *"Thanks for bringing that up, Mark — I'm glad the proposal I sent on Tuesday resonated. I'd like to add a couple of details about how we'd roll it out."* It's polite, it's accurate, and it shows you know the material in depth.

**3. Talk to him privately.**
Assume good intent first; sometimes people genuinely don't realise what they're doing. *"I noticed the idea about the onboarding checklist came up in the meeting without mention that it came from me. In future, I'd appreciate it if we made clear who's driving what."* Keep it short and specific.

**4. Keep your manager informed.**
Regular short updates on what you're working on ("This week I drafted the onboarding proposal and tested it with two new hires") make it hard for anyone else to claim your work, and they don't require you to complain about anyone.

**5. Escalate only if the pattern continues.**
If it keeps happening after you've spoken to him, raise it with your manager using specific examples and dates. Focus on the impact ("I want to make sure my contributions are visible for my review") rather than on his character.

Handled this way, you come across as confident and professional — not petty.
""",
    ),
    M(
        "Editing",
        "easy",
        "good",
        "rewrite an email to sound more professional",
        "professional email tone and structure",
        r"""
Make this email more professional:

hey tom, the report you sent is missing the q3 numbers again. i need them by friday or we cant send it to the client. thx
""",
        r"""
**Subject:** Q3 figures needed for client report by Friday

Hi Tom,

Thank you for sending over the report. I noticed that the Q3 figures haven't been included yet. Could you please add them and send me the updated version by **Friday**? We need the complete report before we can share it with the client.

Let me know if anything is holding this up or if I can help.

Best regards,
[Your name]

---

**What changed:**
- Added a clear subject line so the request is easy to find.
- Opened with thanks and stated the issue neutrally (dropping "again," which can sound accusatory).
- Made the deadline and the reason for it explicit.
- Offered help, which invites Tom to flag blockers instead of missing the deadline.
""",
    ),
    M(
        "Editing",
        "easy",
        "average",
        "fix grammar and spelling mistakes in a paragraph",
        "English grammar, punctuation and spelling",
        r"""
Fix the grammar: "Their going to the museum tomorow, but me and my sister doesnt want to go because its to expensive and we has seen it allready."
""",
        r"""
Corrected version:

> "They're going to the museum tomorrow, but my sister and I don't want to go because it's too expensive and we've already seen it."

**Corrections:**
1. **Their → They're** ("they are").
2. **tomorow → tomorrow** (spelling).
3. **me and my sister → my sister and I** (subject of the verb, so use "I"; putting the other person first is conventional).
4. **doesnt → don't** (plural subject "my sister and I" takes "don't," plus the missing apostrophe).
5. **its → it's** ("it is").
6. **to → too** ("too expensive" means excessively).
7. **we has seen it allready → we've already seen it** (subject–verb agreement, spelling of "already," and a more natural word order).
""",
    ),
    M(
        "Data analysis",
        "medium",
        "good",
        "analyse a year of monthly sales figures",
        "descriptive statistics: mean, median, growth rates and trend",
        r"""
Here are our monthly sales (in thousands of dollars) for last year:
Jan 42, Feb 38, Mar 45, Apr 50, May 53, Jun 58, Jul 61, Aug 59, Sep 55, Oct 60, Nov 72, Dec 90
Give me a quick analysis.
""",
        r"""
### Summary statistics
- **Total:** 42 + 38 + 45 + 50 + 53 + 58 + 61 + 59 + 55 + 60 + 72 + 90 = **$683K**
- **Mean:** 683 / 12 ≈ **$56.9K per month**
- **Median:** sorted values are 38, 42, 45, 50, 53, **55, 58**, 59, 60, 61, 72, 90, so the median is (55 + 58) / 2 = **$56.5K**
- **Range:** $38K (Feb) to $90K (Dec)

### Trend
- **Year-over-start growth:** December vs. January = (90 − 42) / 42 ≈ **+114%**.
- **Half-year comparison:** H1 (Jan–Jun) = $286K, H2 (Jul–Dec) = $397K, so the second half was about **39% higher**.
- Growth was steady from February to July (about +$4–5K per month), then dipped slightly in August and September before rising again.

### Notable points
1. **February** is the weakest month — partly because it's short (28 days). Per day, Feb ≈ $1.36K vs. Jan ≈ $1.35K, so the dip is mostly a calendar effect.
2. **Q4 is strong:** November (+20% over October) and December (+25% over November) suggest a holiday-season effect. Q4 alone accounts for 222 / 683 ≈ **33% of annual sales**.
3. **The Aug–Sep dip** (−3% then −7%) is worth investigating: seasonality, a stock-out, or a marketing gap?

### Suggestions
- Compare with the previous year to separate seasonality from genuine growth.
- Plan inventory and staffing for the Q4 peak.
- Be careful when forecasting January from December: the holiday spike will likely not carry over.
""",
        ["Math"],
    ),
    M(
        "Data analysis",
        "medium",
        "good",
        "interpret a strong correlation between ice cream sales and drowning incidents",
        "correlation versus causation and confounding variables",
        r"""
I found a correlation of 0.85 between monthly ice cream sales and drowning incidents in our city. Does eating ice cream cause drowning?
""",
        r"""
No — this is a textbook example of **correlation without causation**.

A correlation of 0.85 means the two series rise and fall together very consistently. But it doesn't tell you *why*. Here the most likely explanation is a **confounding variable: hot weather.**

- In summer, people buy more ice cream.
- In summer, far more people swim, so there are more opportunities for drowning.

Temperature drives both, which makes them move together even though neither affects the other.

**How you could check this:**
1. **Control for temperature.** Compute a *partial correlation*, or fit a regression of drownings on ice cream sales *and* temperature (or number of swimmers). The ice cream coefficient would likely shrink toward zero.
2. **Look within a season.** Compare only summer months; if the relationship disappears, seasonality was doing the work.
3. **Ask about mechanism.** Is there any plausible way ice cream could cause drowning? Without one, be very sceptical.

A useful habit: whenever two things correlate, ask "what third factor could be causing both?" before drawing conclusions.
""",
        ["Reasoning"],
    ),
    M(
        "Brainstorming",
        "easy",
        "good",
        "brainstorm names for a small neighbourhood bakery",
        "branding and wordplay",
        r"""
I'm opening a small neighbourhood bakery that specialises in sourdough and pastries. Can you brainstorm some names?
""",
        r"""
Here are some ideas, grouped by feel:

**Warm and homely**
1. The Rising Loaf
2. Crumb & Crust
3. Morning Oven
4. Flour Street Bakery (replace with your street's name)

**Sourdough-focused**
5. Wild Yeast Co.
6. Mother Dough — a nod to the sourdough starter, called the "mother"
7. Slow Rise Bakehouse
8. The Starter Club

**Playful**
9. Knead to Know
10. Proof Positive
11. Loaf Actually
12. Butter Half

**Simple and elegant**
13. Ember & Oat
14. Golden Hour Bakery
15. Linden Bread House

**Tips for choosing:**
- Say it out loud — it should be easy to recommend to a friend.
- Check that the domain and social media handles are available.
- Avoid puns that date quickly if you want the name to last.
- If your shop is on a well-known street or square, naming it after the place builds a local identity.
""",
    ),
    M(
        "Brainstorming",
        "easy",
        "average",
        "get ideas for a middle school science fair project",
        "age-appropriate experimental design",
        r"""
science fair ideas for 7th grade?
""",
        r"""
Here are ten project ideas that are doable at home, have a clear variable to test, and produce data you can graph:

1. **Which paper towel brand absorbs the most water?** Measure how many millilitres each sheet absorbs.
2. **Does music affect plant growth?** Grow identical seedlings with different sound conditions and measure height over three weeks.
3. **How does temperature affect how fast sugar dissolves?** Time how long a sugar cube takes to dissolve in water at 10 °C, 25 °C and 50 °C.
4. **Which materials insulate best?** Wrap cups of hot water in wool, foil, newspaper and bubble wrap, and record the temperature every 5 minutes.
5. **Does the shape of a paper airplane affect its flight distance?** Test three designs, ten throws each.
6. **Can you make a battery from fruit?** Compare the voltage from lemons, potatoes and apples using copper and zinc electrodes.
7. **How does salt affect the boiling and freezing points of water?**
8. **Which type of soil holds water the longest?** Compare sand, clay and potting soil.
9. **Does the colour of light change how fast plants grow?** Use coloured cellophane over identical plants.
10. **How does ball pressure affect bounce height?** Use a pump and gauge, and drop the ball from a fixed height.

**Tips for a strong project:** change only one variable at a time, repeat each trial at least three times, record everything in a notebook, and present your results in a graph.
""",
    ),
    M(
        "Information seeking",
        "easy",
        "good",
        "summarise a passage about coral reefs",
        "reading comprehension and summarisation",
        r"""
Summarise this in two sentences:

Coral reefs cover less than one percent of the ocean floor, yet they support about a quarter of all marine species. Reefs are built by tiny animals called coral polyps, which live in partnership with photosynthetic algae called zooxanthellae. The algae provide the coral with most of its food and its vivid colours. When water temperatures rise even one or two degrees above normal for several weeks, corals expel their algae and turn white, a process known as bleaching. Bleached corals are not dead, but they are starving, and if conditions do not improve they die. Since the 1980s, mass bleaching events have become more frequent, and scientists warn that most of the world's reefs could be severely degraded by the middle of this century unless global warming is limited.
""",
        r"""
Coral reefs occupy under 1% of the seafloor but support about a quarter of marine species, thanks to a partnership between coral polyps and the algae that feed and colour them. Rising sea temperatures make corals expel these algae and bleach, and increasingly frequent mass bleaching events threaten to severely degrade most reefs by mid-century unless warming is limited.
""",
        ["Editing"],
    ),
    M(
        "Planning",
        "medium",
        "good",
        "plan a three-day trip to Kyoto",
        "Kyoto's main sights, neighbourhoods and transport",
        r"""
Plan a 3-day itinerary for Kyoto for a first-time visitor who likes temples, food and walking.
""",
        r"""
Here's a walking-friendly plan that groups sights by area to minimise travel time.

### Day 1 — Eastern Kyoto (Higashiyama)
- **Early morning:** **Fushimi Inari Taisha**. Go by 7:30 to walk the torii gate tunnels before the crowds; allow 2–3 hours if you hike toward the summit.
- **Late morning:** Train to Kiyomizu-Gojo, then walk up to **Kiyomizu-dera** and its wooden stage.
- **Afternoon:** Stroll down **Sannenzaka and Ninenzaka** (traditional streets, tea shops), past **Yasaka Pagoda** to **Yasaka Shrine**.
- **Evening:** **Gion** — walk Hanamikoji Street at dusk, then dinner in nearby Pontocho alley (try kaiseki or yakitori).

### Day 2 — Western Kyoto (Arashiyama)
- **Morning:** **Arashiyama Bamboo Grove** (again, early is best), then **Tenryu-ji** and its garden.
- **Late morning:** Walk to **Okochi Sanso Villa** for garden views and matcha, or climb to the **Iwatayama Monkey Park**.
- **Lunch:** Yudofu (simmered tofu), a local speciality.
- **Afternoon:** Bus to **Kinkaku-ji (Golden Pavilion)**, then **Ryoan-ji** for its famous rock garden.
- **Evening:** Back to central Kyoto; try a casual izakaya.

### Day 3 — Northern Higashiyama and the city centre
- **Morning:** **Ginkaku-ji (Silver Pavilion)**, then the **Philosopher's Path** south (about 2 km; beautiful in cherry blossom and autumn leaf season) to **Nanzen-ji** and its brick aqueduct.
- **Lunch:** **Nishiki Market** — graze on tamagoyaki, pickles, mochi and grilled seafood.
- **Afternoon:** **Nijo Castle** with its "nightingale floors" that squeak to warn of intruders.
- **Evening:** A farewell dinner — kaiseki if you want to splurge, or ramen near Kyoto Station if you're travelling onward.

### Practical tips
- Buy an **ICOCA card** for buses and trains; buses get very crowded, so walk when distances are short.
- Most temples open around 8:00–9:00 and close around 16:30–17:00.
- Wear shoes that slip on and off easily — you'll remove them in many temple halls.
- Carry some cash; smaller shops and temples may not take cards.
""",
    ),
    M(
        "Planning",
        "medium",
        "excellent",
        "create an eight-week self-study plan for linear algebra",
        "the standard linear algebra curriculum and study techniques",
        r"""
I'm a software engineer and want to learn linear algebra properly for machine learning. I have about 6 hours a week. Can you make an 8-week study plan?
""",
        r"""
Here's a plan built around Gilbert Strang's MIT 18.06 lectures (free on MIT OpenCourseWare) plus 3Blue1Brown's *Essence of Linear Algebra* for intuition. Each week: ~2 h lectures/reading, ~3 h exercises, ~1 h coding in NumPy.

| Week | Topics | Coding exercise |
|---|---|---|
| 1 | Vectors, linear combinations, dot product, matrix–vector multiplication as a combination of columns | Implement matrix multiplication by hand, compare with `@` |
| 2 | Solving $Ax = b$, Gaussian elimination, LU decomposition | Write Gaussian elimination with partial pivoting |
| 3 | Vector spaces, subspaces, the four fundamental subspaces, rank | Compute rank and null space with `np.linalg` and SVD |
| 4 | Linear independence, basis, dimension, change of basis | Visualise 2D linear transformations with matplotlib |
| 5 | Orthogonality, projections, least squares, Gram–Schmidt, QR | Fit a line with least squares three ways: normal equations, QR, `lstsq` |
| 6 | Determinants; eigenvalues and eigenvectors; diagonalisation | Power iteration to find the largest eigenvalue |
| 7 | Symmetric matrices, positive definiteness, the spectral theorem | PCA from scratch on a small dataset |
| 8 | Singular value decomposition and its applications | Image compression with truncated SVD |

### How to study effectively
- **Do the problems.** Linear algebra is learned with a pencil. Aim for 8–10 problems per week from Strang's *Introduction to Linear Algebra*.
- **Connect geometry and algebra.** For every new concept, ask "what does this do to space?"
- **Keep a one-page summary** per week; it becomes your revision sheet.
- **ML connection:** by Week 8 you'll understand the maths behind linear regression, PCA, embeddings and low-rank approximations (such as LoRA).

If you fall behind, Weeks 4 and 6 are the best candidates to compress; don't skip Weeks 5 and 8, as they're the most relevant to ML.
""",
        ["Advice seeking", "Math"],
    ),
]

MAGPIE_EN += [
    M(
        "Creative writing",
        "hard",
        "excellent",
        "write an essay about the impact of the printing press on European society",
        "the history of Gutenberg's printing press, the Reformation, the Scientific Revolution and the spread of literacy",
        r"""
Write an essay (roughly 700-900 words) on how the printing press changed European society. Please use a clear introduction, body and conclusion.
""",
        r"""
**The Press That Remade Europe**

Around 1450, in the German city of Mainz, a goldsmith named Johannes Gutenberg combined several existing technologies — the screw press used for wine and olives, oil-based ink, and, above all, a system for casting large numbers of identical metal letters — into a machine that could reproduce text quickly and cheaply. The device itself was modest. Its consequences were not. Within fifty years, printing presses were operating in more than two hundred European cities, and by 1500 they had produced an estimated eight to twenty million books. The printing press did not simply make books cheaper; it changed who could know things, how knowledge was checked, and who had the authority to speak. In doing so it helped to reshape religion, science and politics in Europe.

The most immediate change was in the **scale and cost of reproduction**. Before printing, a book was copied by hand, often by monks or professional scribes, and a single Bible could take a scribe many months to produce. Books were rare, expensive and prone to error, since every copy introduced new mistakes. A printing workshop could produce hundreds of identical copies in the time it took a scribe to produce one. Prices fell, and books moved from the libraries of monasteries and nobles into the hands of merchants, lawyers, teachers and eventually artisans. Literacy did not become universal overnight — for centuries most Europeans still could not read — but reading became useful and attainable for far more people, and the incentive to learn grew with the supply of things worth reading.

The **Protestant Reformation** shows how powerful this new medium could be. When Martin Luther wrote his Ninety-five Theses in 1517, earlier reformers such as Jan Hus had made similar criticisms of the Church, yet their ideas had spread slowly and could be contained. Luther's arguments, by contrast, were printed and reprinted across the German lands within weeks. He wrote short pamphlets in vernacular German rather than Latin, and printers, who quickly discovered that controversy sold well, produced them in enormous numbers. Luther's translation of the New Testament into German (1522) allowed ordinary believers to read scripture for themselves, which undermined the Church's role as the sole interpreter of the Bible. The Catholic Church also used the press, for catechisms and for the Index of Prohibited Books, but it could no longer control the conversation. Religious debate had become a public contest fought with printed words.

Printing was equally important for the **Scientific Revolution**. Historian Elizabeth Eisenstein argued that its most important effect was "fixity": identical copies meant that scholars in Padua, Paris and Oxford could refer to the same page, the same diagram, the same table of numbers. Errors could be identified, corrected and removed in later editions instead of multiplying with each handwritten copy. Accurate anatomical illustrations, like those in Andreas Vesalius's *De humani corporis fabrica* (1543), and astronomical tables, like those that Copernicus and later Kepler relied upon, could be shared precisely. Knowledge became cumulative in a new way: each generation could build on a stable, widely available record of what the previous one had found. The later rise of scientific journals in the seventeenth century grew directly out of this culture of printed, checkable communication.

The press also helped to shape **languages and national identities**. Printers wanted to sell books to the widest possible market, so they favoured particular dialects and spellings, which gradually became standard. The English of William Caxton's London press and the German of Luther's Bible both influenced what came to be regarded as the "correct" form of their languages. As more people read the same texts in the same language, they came to imagine themselves as members of a shared community — a process the political scientist Benedict Anderson later called "print capitalism," and which he linked to the growth of modern nationalism.

Not every consequence was positive. Printing spread misinformation as efficiently as truth: sensational pamphlets about witches, for example, fuelled the witch hunts of the sixteenth and seventeenth centuries, and the *Malleus Maleficarum* was reprinted many times. Governments responded with censorship and licensing laws, and the struggle between printers and censors became a long-running theme of European politics. Yet even these struggles show how important the press had become: authorities would not have tried so hard to control it if it had not mattered.

In conclusion, the printing press transformed European society by making texts abundant, cheap and identical. This allowed religious reformers to reach mass audiences, gave scientists a stable foundation on which to build, standardised languages and encouraged new forms of collective identity. It also created new problems of misinformation and control that feel strikingly familiar today. When we debate how the internet is reshaping our own societies, we are, in a sense, continuing a conversation that began in a workshop in Mainz more than five hundred years ago.
""",
        ["Information seeking", "Editing"],
    ),
    M(
        "Others",
        "very easy",
        "average",
        "hear a joke about programmers",
        "programming humour",
        r"""
Tell me a joke about programmers.
""",
        r"""
Why do programmers prefer dark mode?

Because light attracts bugs. 🐛
""",
    ),
    M(
        "Math",
        "very easy",
        "good",
        "multiply 17 by 23",
        "basic multiplication",
        r"""
What is 17 × 23?
""",
        r"""
17 × 23 = **391**.

A quick way to see it: 17 × 23 = (20 − 3)(20 + 3) = 400 − 9 = 391.
""",
    ),
    M(
        "Information seeking",
        "very easy",
        "good",
        "know the capital of Australia",
        "world geography",
        r"""
What is the capital of Australia?
""",
        r"""
The capital of Australia is **Canberra**. Many people guess Sydney or Melbourne; Canberra was purpose-built as a compromise between those two rival cities and became the seat of government in 1927.
""",
    ),
    M(
        "Coding & Debugging",
        "medium",
        "good",
        "write and understand a regular expression that validates email addresses",
        "regular expression syntax and the limits of email validation",
        r"""
Give me a regex to validate email addresses and explain each part.
""",
        r"""
A practical pattern that accepts the vast majority of real addresses:

```regex
^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$
```

**Breakdown:**

| Part | Meaning |
|---|---|
| `^` | Start of the string |
| `[A-Za-z0-9._%+-]+` | The local part: one or more letters, digits, dots, underscores, percent, plus or hyphen |
| `@` | A literal @ |
| `[A-Za-z0-9-]+` | The first domain label, e.g. `gmail` or `mail` |
| `(\.[A-Za-z0-9-]+)*` | Zero or more further labels, e.g. `.co` in `example.co.uk` |
| `\.[A-Za-z]{2,}` | A dot and a top-level domain of at least two letters |
| `$` | End of the string |

**Python example:**

```python
import re

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")

for addr in ["ana.lee@example.com", "bob+news@mail.co.uk", "no-at-sign.com", "x@y"]:
    print(addr, bool(EMAIL_RE.match(addr)))
```

**A word of caution:** the full email standard (RFC 5322) allows things no simple regex handles well, such as quoted local parts. In practice, use a reasonable pattern like this to catch typos, and then confirm the address really works by **sending a verification email**.
""",
    ),
    M(
        "Math",
        "medium",
        "good",
        "count the distinct arrangements of the letters of MISSISSIPPI",
        "permutations of a multiset",
        r"""
How many different ways can the letters of the word MISSISSIPPI be arranged?
""",
        r"""
MISSISSIPPI has 11 letters with repeats:

- M: 1
- I: 4
- S: 4
- P: 2

If all letters were different there would be $11!$ arrangements. But swapping identical letters doesn't create a new word, so we divide by the factorial of each letter's count:

$$\frac{11!}{1!\,4!\,4!\,2!} = \frac{39\,916\,800}{1 \cdot 24 \cdot 24 \cdot 2} = \frac{39\,916\,800}{1152} = 34\,650.$$

There are **34,650** distinct arrangements.
""",
    ),
    M(
        "Math",
        "medium",
        "excellent",
        "find the area of a triangle with side lengths 13, 14 and 15",
        "Heron's formula",
        r"""
Find the area of a triangle whose sides are 13 cm, 14 cm and 15 cm.
""",
        r"""
Use **Heron's formula**. First compute the semi-perimeter:

$$s = \frac{13 + 14 + 15}{2} = 21.$$

Then

$$A = \sqrt{s(s-a)(s-b)(s-c)} = \sqrt{21 \cdot 8 \cdot 7 \cdot 6} = \sqrt{7056} = 84.$$

The area is **84 cm²**.

**Check with a height:** dropping an altitude onto the side of length 14 splits it into pieces of 5 and 9, because $13^2 - 5^2 = 144 = 15^2 - 9^2$. So the height is 12 and the area is $\tfrac{1}{2} \cdot 14 \cdot 12 = 84$. ✓
""",
    ),
    M(
        "Coding & Debugging",
        "medium",
        "good",
        "understand the difference between malloc and calloc in C",
        "C dynamic memory allocation",
        r"""
In C, what's the difference between malloc and calloc? When should I use each?
""",
        r"""
Both allocate memory on the heap and return a pointer (or `NULL` on failure), but they differ in two ways.

| | `malloc(size)` | `calloc(count, size)` |
|---|---|---|
| Arguments | total number of bytes | number of elements and size of each |
| Initial contents | **indeterminate** (garbage) | **all bytes set to zero** |
| Overflow check | you must check `count * size` yourself | the implementation checks that `count * size` doesn't overflow |

```c
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    size_t n = 5;

    int *a = malloc(n * sizeof *a);   /* contents undefined */
    int *b = calloc(n, sizeof *b);    /* contents all zero  */
    if (a == NULL || b == NULL) {
        free(a);
        free(b);
        return 1;
    }

    for (size_t i = 0; i < n; i++) {
        a[i] = (int)(i * i);          /* must initialise before reading */
    }
    for (size_t i = 0; i < n; i++) {
        printf("a[%zu]=%d  b[%zu]=%d\n", i, a[i], i, b[i]);
    }

    free(a);
    free(b);
    return 0;
}
```

**When to use which:**
- Use **`calloc`** when you need zero-initialised memory (counters, arrays of flags, structs whose fields should start at 0), or when `count * size` comes from untrusted input.
- Use **`malloc`** when you'll overwrite every byte straight away (for example, reading a file into a buffer); skipping the zeroing can be slightly faster.

Whichever you use, always check for `NULL` and `free` the memory exactly once.
""",
    ),
    M(
        "Data analysis",
        "medium",
        "good",
        "summarise a sales table by region and product with pandas",
        "pandas groupby, pivot_table and aggregation",
        r"""
I have a pandas DataFrame `df` with columns date, region, product, units, price. How can I get total revenue per region and product, as a table with regions as rows and products as columns?
""",
        r"""
First compute revenue, then pivot:

```python
import pandas as pd

df["revenue"] = df["units"] * df["price"]

table = df.pivot_table(
    index="region",
    columns="product",
    values="revenue",
    aggfunc="sum",
    fill_value=0,
    margins=True,          # adds an "All" row and column with totals
    margins_name="Total",
)
print(table.round(2))
```

With a small example:

```python
df = pd.DataFrame({
    "date": pd.to_datetime(["2024-01-03", "2024-01-05", "2024-01-05", "2024-02-10"]),
    "region": ["North", "North", "South", "South"],
    "product": ["Tea", "Coffee", "Tea", "Tea"],
    "units": [10, 5, 8, 4],
    "price": [3.5, 4.0, 3.5, 3.5],
})
```

the result is:

```
product  Coffee    Tea  Total
region
North      20.0   35.0   55.0
South       0.0   42.0   42.0
Total      20.0   77.0   97.0
```

**Equivalent with `groupby`:**

```python
table = (
    df.groupby(["region", "product"])["revenue"]
      .sum()
      .unstack(fill_value=0)
)
```

To add a monthly breakdown, create `df["month"] = df["date"].dt.to_period("M")` and use `index=["region", "month"]`.
""",
    ),
    M(
        "Editing",
        "easy",
        "good",
        "make a wordy paragraph more concise",
        "concise writing and editing techniques",
        r"""
Make this more concise: "In my personal opinion, I think that it is absolutely essential that we should make an effort to try to reduce the amount of paper that we use in the office on a daily basis, due to the fact that it is wasteful and also costs a lot of money."
""",
        r"""
**Concise version:**

> "We should reduce our daily paper use in the office, because it is wasteful and expensive."

That's 16 words instead of 50. What was cut:
- "In my personal opinion, I think" → redundant; the statement is already your opinion.
- "absolutely essential that we should make an effort to try to" → "should."
- "the amount of paper that we use ... on a daily basis" → "daily paper use."
- "due to the fact that" → "because."
- "wasteful and also costs a lot of money" → "wasteful and expensive."
""",
    ),
    M(
        "Information seeking",
        "easy",
        "good",
        "understand the difference between affect and effect",
        "English usage and parts of speech",
        r"""
When do I use "affect" vs "effect"?
""",
        r"""
In most cases:

- **Affect** is a **verb**: to influence something.
  *"The weather affected our plans."*
- **Effect** is a **noun**: the result of a change.
  *"The weather had a big effect on our plans."*

**Memory trick:** **A**ffect is an **A**ction; **E**ffect is the **E**nd result.

**Less common uses:**
- **Effect** as a verb means *to bring about*: *"The new manager effected several changes"* (she made them happen).
- **Affect** as a noun is a psychology term for visible emotion: *"The patient had a flat affect."*
""",
    ),
    M(
        "Math",
        "medium",
        "good",
        "find the remainder when 2^100 is divided by 7",
        "modular arithmetic and cyclic patterns of powers",
        r"""
What is the remainder when 2^100 is divided by 7?
""",
        r"""
Look at powers of 2 modulo 7:

- $2^1 = 2 \equiv 2$
- $2^2 = 4 \equiv 4$
- $2^3 = 8 \equiv 1 \pmod 7$

Since $2^3 \equiv 1$, the powers repeat with period 3. Write $100 = 3 \cdot 33 + 1$:

$$2^{100} = (2^3)^{33} \cdot 2^1 \equiv 1^{33} \cdot 2 = 2 \pmod 7.$$

The remainder is **2**.
""",
    ),
    M(
        "Advice seeking",
        "easy",
        "good",
        "get tips for falling asleep more easily",
        "sleep hygiene and circadian rhythm basics",
        r"""
I lie awake for an hour most nights before I fall asleep. Any tips?
""",
        r"""
That's very common, and a few habits make a real difference:

1. **Keep a consistent wake-up time**, even at weekends. A fixed wake time anchors your body clock more than a fixed bedtime does.
2. **Get daylight in the morning.** Ten to twenty minutes outside soon after waking helps set your circadian rhythm.
3. **Cut caffeine after about 2 p.m.** Caffeine has a half-life of around five hours, so an afternoon coffee is still partly active at midnight.
4. **Wind down for 30–60 minutes.** Dim the lights, put screens away or use night mode, and do something calm: reading, stretching or a warm shower.
5. **Keep the bedroom cool, dark and quiet.** Around 17–19 °C suits most people.
6. **Don't fight it.** If you've been awake for about 20 minutes, get up and do something boring in dim light until you feel sleepy. This stops your brain associating bed with frustration.
7. **Write down what's on your mind.** A short to-do list for tomorrow before bed can quiet racing thoughts.
8. **Go easy on alcohol and heavy meals late in the evening.** Alcohol can make you drowsy but fragments sleep later in the night.

If the problem has lasted for more than three months or is affecting your days, talk to a doctor. Cognitive behavioural therapy for insomnia (CBT-I) is very effective and is usually recommended before sleeping pills.
""",
    ),
    M(
        "Reasoning",
        "hard",
        "good",
        "solve the Monty Hall problem and understand why switching is better",
        "conditional probability and the Monty Hall problem",
        r"""
In the Monty Hall problem, why is it better to switch doors? It seems like after one door is opened it should be 50/50.
""",
        r"""
It's one of the most famously counter-intuitive results in probability, so you're in good company. The key is that **the host's choice is not random** — he knows where the car is and always opens a door with a goat.

### Counting the cases
Say you always pick Door 1. The car is equally likely to be behind any door:

| Car behind | Host opens | Result if you stay | Result if you switch |
|---|---|---|---|
| Door 1 (prob. 1/3) | Door 2 or 3 | **Win** | Lose |
| Door 2 (prob. 1/3) | Door 3 (forced) | Lose | **Win** |
| Door 3 (prob. 1/3) | Door 2 (forced) | Lose | **Win** |

Staying wins in 1 case out of 3; switching wins in 2 cases out of 3.

### Intuition
Your first pick is right with probability 1/3, and nothing the host does changes that. So the other two doors together have probability 2/3. When the host opens one of them — always a goat — that entire 2/3 "collapses" onto the remaining unopened door.

### Make it extreme
Imagine 100 doors. You pick one, and the host, who knows where the car is, opens 98 doors with goats, leaving your door and one other. Would you stick with your original 1-in-100 guess? Switching wins 99% of the time.

### Why 50/50 is wrong
The 50/50 intuition would be right if the host opened a door **at random** and it happened to show a goat. Because he uses his knowledge, the opened door gives you information about the others.
""",
        ["Math"],
    ),
]

# ---------------------------------------------------------------------------------------------
# Magpie, Chinese
# ---------------------------------------------------------------------------------------------

MAGPIE_ZH = [
    M(
        "Math",
        "very easy",
        "good",
        "solve a simple linear equation",
        "basic algebra",
        r"""
解方程：2x + 5 = 17
""",
        r"""
解题步骤如下：

1. 两边同时减去 5：$2x = 17 - 5 = 12$
2. 两边同时除以 2：$x = 6$

**检验：** $2 \times 6 + 5 = 17$ ✓

所以方程的解是 $x = 6$。
""",
    ),
    M(
        "Math",
        "easy",
        "good",
        "find the area of a rectangle given its perimeter and the difference between length and width",
        "perimeter and area formulas for rectangles and solving simple systems of equations",
        r"""
一个长方形的周长是36厘米，长比宽多4厘米，这个长方形的面积是多少？
""",
        r"""
设宽为 $x$ 厘米，则长为 $(x + 4)$ 厘米。

长方形周长 = 2 ×（长 + 宽），所以

$$2\big[(x + 4) + x\big] = 36$$
$$2x + 4 = 18$$
$$x = 7$$

因此宽为 7 厘米，长为 7 + 4 = 11 厘米。

面积 = 长 × 宽 = 11 × 7 = **77 平方厘米**。

**检验：** 周长 2 ×（11 + 7）= 36 厘米 ✓，长比宽多 11 − 7 = 4 厘米 ✓。
""",
    ),
    M(
        "Math",
        "easy",
        "average",
        "find the sum of all multiples of 3 between 1 and 100",
        "arithmetic series",
        r"""
1到100之间所有3的倍数加起来是多少
""",
        r"""
1 到 100 之间 3 的倍数是 3, 6, 9, …, 99，这是一个等差数列：

- 首项 $a_1 = 3$，末项 $a_n = 99$，公差 $d = 3$
- 项数 $n = 99 \div 3 = 33$

等差数列求和公式：

$$S = \frac{n(a_1 + a_n)}{2} = \frac{33 \times (3 + 99)}{2} = \frac{33 \times 102}{2} = 1683$$

所以答案是 **1683**。

也可以这样想：$3 + 6 + \cdots + 99 = 3 \times (1 + 2 + \cdots + 33) = 3 \times 561 = 1683$。
""",
    ),
    M(
        "Math",
        "medium",
        "good",
        "find the local extrema of a cubic function",
        "derivatives, critical points and the second derivative test",
        r"""
求函数 f(x) = x³ − 3x 的极值，并说明是极大值还是极小值。
""",
        r"""
**第一步：求导数**

$$f'(x) = 3x^2 - 3 = 3(x - 1)(x + 1)$$

**第二步：求驻点**

令 $f'(x) = 0$，得 $x = -1$ 或 $x = 1$。

**第三步：判断单调性**

| 区间 | $(-\infty, -1)$ | $(-1, 1)$ | $(1, +\infty)$ |
|---|---|---|---|
| $f'(x)$ 符号 | + | − | + |
| $f(x)$ | 递增 | 递减 | 递增 |

也可以用二阶导数检验：$f''(x) = 6x$，$f''(-1) = -6 < 0$，$f''(1) = 6 > 0$。

**第四步：计算极值**

- 在 $x = -1$ 处取得**极大值**：$f(-1) = -1 + 3 = 2$
- 在 $x = 1$ 处取得**极小值**：$f(1) = 1 - 3 = -2$

**结论：** 函数的极大值为 2（$x = -1$ 处），极小值为 −2（$x = 1$ 处）。注意这只是局部极值，函数在整个实数范围内没有最大值和最小值。
""",
    ),
    M(
        "Math",
        "medium",
        "good",
        "calculate the probability of drawing two red balls from a bag",
        "combinations and classical probability",
        r"""
袋子里有5个红球和3个白球，从中随机取出2个球，两个都是红球的概率是多少？
""",
        r"""
这是一个古典概型问题，用组合数计算。

- 从 8 个球中任取 2 个的方法数：$C_8^2 = \dfrac{8 \times 7}{2} = 28$
- 从 5 个红球中取 2 个的方法数：$C_5^2 = \dfrac{5 \times 4}{2} = 10$

所以

$$P(\text{两个都是红球}) = \frac{10}{28} = \frac{5}{14} \approx 0.357$$

**另一种思路（分步乘法）：** 第一次取到红球的概率是 $\frac{5}{8}$，在此条件下第二次再取到红球的概率是 $\frac{4}{7}$，所以

$$P = \frac{5}{8} \times \frac{4}{7} = \frac{20}{56} = \frac{5}{14}$$

两种方法结果一致，答案是 $\dfrac{5}{14}$。
""",
    ),
    M(
        "Coding & Debugging",
        "easy",
        "good",
        "count how many times each Chinese character appears in a string using Python",
        "Python dictionaries, collections.Counter and Unicode ranges",
        r"""
用Python写一个函数，统计一段文本中每个汉字出现的次数，并输出出现最多的前5个字。
""",
        r"""
可以用 `collections.Counter` 来实现，代码简洁而且效率高：

```python
from collections import Counter


def count_hanzi(text: str, top_n: int = 5):
    # 只保留中日韩统一表意文字基本区（U+4E00 到 U+9FFF）里的字符
    hanzi = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    counter = Counter(hanzi)
    return counter.most_common(top_n)


if __name__ == "__main__":
    sample = "床前明月光，疑是地上霜。举头望明月，低头思故乡。"
    for ch, n in count_hanzi(sample):
        print(f"{ch}: {n}")
```

运行结果：

```
明: 2
月: 2
头: 2
床: 1
前: 1
```

**说明：**
1. `"\u4e00" <= ch <= "\u9fff"` 用来判断一个字符是否为常用汉字，这样标点符号、英文和数字都会被过滤掉。
2. `Counter.most_common(n)` 返回出现次数最多的 n 个元素；次数相同的元素按照第一次出现的先后顺序排列。
3. 如果还需要统计生僻字（扩展 A 区等），可以把判断范围扩大，例如加上 `"\u3400" <= ch <= "\u4dbf"`。
""",
    ),
    M(
        "Coding & Debugging",
        "medium",
        "good",
        "implement quicksort in Python and understand how it works",
        "the quicksort algorithm, recursion and time complexity",
        r"""
请用Python实现快速排序，并解释一下它的原理和时间复杂度。
""",
        r"""
## 原理

快速排序采用**分治**思想：

1. 从数组中选一个元素作为**基准**（pivot）；
2. 把比基准小的元素放到左边，比基准大的放到右边（这一步叫**分区**）；
3. 对左右两部分递归地重复上述过程，直到子数组长度为 0 或 1。

## 简洁版实现（易于理解）

```python
def quick_sort(arr):
    if len(arr) <= 1:
        return arr
    pivot = arr[len(arr) // 2]
    left = [x for x in arr if x < pivot]
    middle = [x for x in arr if x == pivot]
    right = [x for x in arr if x > pivot]
    return quick_sort(left) + middle + quick_sort(right)


print(quick_sort([3, 6, 8, 10, 1, 2, 1]))  # [1, 1, 2, 3, 6, 8, 10]
```

这个版本每层都会创建新列表，需要 O(n) 的额外空间。

## 原地排序版（Lomuto 分区）

```python
import random


def quick_sort_inplace(arr, lo=0, hi=None):
    if hi is None:
        hi = len(arr) - 1
    if lo >= hi:
        return
    # 随机选基准，避免在已排序数据上退化
    k = random.randint(lo, hi)
    arr[k], arr[hi] = arr[hi], arr[k]
    pivot = arr[hi]
    i = lo
    for j in range(lo, hi):
        if arr[j] < pivot:
            arr[i], arr[j] = arr[j], arr[i]
            i += 1
    arr[i], arr[hi] = arr[hi], arr[i]
    quick_sort_inplace(arr, lo, i - 1)
    quick_sort_inplace(arr, i + 1, hi)


data = [5, 2, 9, 1, 5, 6]
quick_sort_inplace(data)
print(data)  # [1, 2, 5, 5, 6, 9]
```

## 时间复杂度

| 情况 | 复杂度 | 说明 |
|---|---|---|
| 平均 | $O(n \log n)$ | 每次分区大致把数组分成两半，递归深度约为 $\log n$ |
| 最好 | $O(n \log n)$ | 每次恰好平分 |
| 最坏 | $O(n^2)$ | 每次选到最大或最小值，例如对已排序数组总选第一个元素 |

空间复杂度主要来自递归栈，平均为 $O(\log n)$。快速排序**不稳定**，即相等元素的相对顺序可能改变。实际应用中，Python 内置的 `sorted()` 使用的是 Timsort，它稳定且在很多真实数据上更快。
""",
    ),
    M(
        "Coding & Debugging",
        "medium",
        "good",
        "write a SQL query to find the highest-paid employee in each department",
        "SQL window functions, subqueries and joins",
        r"""
有一张员工表 employee(id, name, salary, dept_id)，和部门表 department(id, name)。怎么查询每个部门工资最高的员工？如果并列最高要都显示出来。
""",
        r"""
推荐使用窗口函数（MySQL 8.0+、PostgreSQL、SQL Server 都支持）：

```sql
SELECT d.name AS department,
       e.name AS employee,
       e.salary
FROM (
    SELECT e.*,
           RANK() OVER (PARTITION BY dept_id ORDER BY salary DESC) AS rk
    FROM employee e
) AS e
JOIN department d ON d.id = e.dept_id
WHERE e.rk = 1
ORDER BY d.name;
```

**要点：**
- `PARTITION BY dept_id` 表示按部门分组排名；
- `ORDER BY salary DESC` 让工资最高的排第一；
- 用 `RANK()` 而不是 `ROW_NUMBER()`，这样并列最高的员工都会得到名次 1，都能被查出来。

**不支持窗口函数的旧版本数据库**可以用子查询：

```sql
SELECT d.name AS department, e.name AS employee, e.salary
FROM employee e
JOIN department d ON d.id = e.dept_id
WHERE e.salary = (
    SELECT MAX(salary)
    FROM employee
    WHERE dept_id = e.dept_id
);
```

这种写法同样会返回并列的员工。数据量大时，记得在 `(dept_id, salary)` 上建立索引。
""",
    ),
    M(
        "Coding & Debugging",
        "easy",
        "good",
        "learn several ways to remove duplicates from an array in JavaScript",
        "JavaScript Set, filter, indexOf and reduce",
        r"""
JavaScript 数组去重有哪些方法？
""",
        r"""
常见的几种方法如下：

**1. 使用 `Set`（最推荐）**

```javascript
const arr = [1, 2, 2, 3, 4, 4, 5];
const unique = [...new Set(arr)];
console.log(unique); // [1, 2, 3, 4, 5]
```

代码最短，时间复杂度 O(n)，并且保留元素第一次出现的顺序。

**2. `filter` + `indexOf`**

```javascript
const unique = arr.filter((item, index) => arr.indexOf(item) === index);
```

思路直观，但 `indexOf` 每次都要从头查找，复杂度为 O(n²)，不适合大数组。

**3. `reduce` + `includes`**

```javascript
const unique = arr.reduce((acc, cur) => {
  if (!acc.includes(cur)) acc.push(cur);
  return acc;
}, []);
```

**4. 对象数组按某个字段去重**

```javascript
const users = [
  { id: 1, name: "张三" },
  { id: 2, name: "李四" },
  { id: 1, name: "张三" },
];
const uniqueUsers = [...new Map(users.map((u) => [u.id, u])).values()];
// [{ id: 1, name: "张三" }, { id: 2, name: "李四" }]
```

**注意：** `Set` 判断相等用的是 SameValueZero 算法，所以 `NaN` 能被正确去重，但两个内容相同的对象 `{a: 1}` 和 `{a: 1}` 会被视为不同元素。对于对象数组，要用第 4 种方法按唯一字段去重。
""",
    ),
    M(
        "Coding & Debugging",
        "easy",
        "good",
        "implement bubble sort in C",
        "C arrays, loops and the bubble sort algorithm",
        r"""
用C语言写一个冒泡排序，要求有提前结束的优化。
""",
        r"""
```c
#include <stdio.h>
#include <stdbool.h>

void bubble_sort(int a[], int n) {
    for (int i = 0; i < n - 1; i++) {
        bool swapped = false;
        /* 每一轮把最大的元素"冒泡"到末尾，所以范围逐轮缩小 */
        for (int j = 0; j < n - 1 - i; j++) {
            if (a[j] > a[j + 1]) {
                int tmp = a[j];
                a[j] = a[j + 1];
                a[j + 1] = tmp;
                swapped = true;
            }
        }
        /* 如果这一轮没有发生交换，说明数组已经有序，可以提前结束 */
        if (!swapped) {
            break;
        }
    }
}

int main(void) {
    int a[] = {64, 34, 25, 12, 22, 11, 90};
    int n = sizeof(a) / sizeof(a[0]);

    bubble_sort(a, n);

    for (int i = 0; i < n; i++) {
        printf("%d ", a[i]);
    }
    printf("\n");   /* 输出：11 12 22 25 34 64 90 */
    return 0;
}
```

**复杂度分析：**
- 最坏和平均时间复杂度：$O(n^2)$
- 最好情况（数组本来就有序）：由于有 `swapped` 标志，只需扫描一轮，$O(n)$
- 空间复杂度：$O(1)$；冒泡排序是**稳定**的排序算法。
""",
    ),
    M(
        "Reasoning",
        "medium",
        "good",
        "solve a logic puzzle about who is lying",
        "propositional logic and case analysis",
        r"""
甲、乙、丙三人中只有一个人说了真话。
甲说：“乙在说谎。”
乙说：“丙在说谎。”
丙说：“甲和乙都在说谎。”
请问谁说了真话？
""",
        r"""
我们逐一假设，看哪种情况满足“只有一人说真话”。

**假设甲说真话：**
- 那么乙在说谎，即“丙在说谎”是假的，所以丙说的是真话。
- 这样甲和丙都说真话，与“只有一人说真话”矛盾。✗

**假设乙说真话：**
- 那么丙在说谎，即“甲和乙都在说谎”是假的——乙确实没说谎，这一点成立。
- 甲说“乙在说谎”，而乙说的是真话，所以甲在说谎。
- 此时只有乙说真话，甲、丙都说谎，完全符合条件。✓

**假设丙说真话：**
- 那么甲和乙都在说谎。甲说谎意味着“乙在说谎”是假的，即乙说真话——与“乙在说谎”矛盾。✗

**结论：只有乙说了真话。**
""",
    ),
    M(
        "Reasoning",
        "hard",
        "good",
        "solve the four people crossing a bridge at night puzzle",
        "optimisation reasoning and greedy versus optimal strategies",
        r"""
四个人夜里要过一座桥，只有一个手电筒，桥一次最多过两个人，过桥必须拿手电筒。四人单独过桥分别需要1分钟、2分钟、5分钟、10分钟，两人一起走按慢的人计时。最少需要多少分钟才能全部过桥？
""",
        r"""
最少需要 **17 分钟**。

很多人的第一反应是让最快的 1 分钟的人每次护送别人再把手电筒送回来：
(1,10) 10 分钟 → 1 返回 1 分钟 → (1,5) 5 分钟 → 1 返回 1 分钟 → (1,2) 2 分钟，共 **19 分钟**。

更好的办法是**让两个最慢的人一起过桥**，这样 10 分钟和 5 分钟只需要计算一次 10 分钟：

| 步骤 | 行动 | 用时 | 累计 |
|---|---|---|---|
| 1 | 1 和 2 过桥 | 2 | 2 |
| 2 | 1 拿手电筒返回 | 1 | 3 |
| 3 | 5 和 10 过桥 | 10 | 13 |
| 4 | 2 拿手电筒返回 | 2 | 15 |
| 5 | 1 和 2 过桥 | 2 | 17 |

**为什么 17 分钟是最少的？** 10 分钟的人过桥至少要花 10 分钟。如果 5 分钟的人不和他同行，还要额外至少 5 分钟。而手电筒必须被送回两次，每次至少 1 分钟；再加上最后一趟至少 2 分钟……仔细枚举可以证明不存在少于 17 分钟的方案。
""",
    ),
    M(
        "Reasoning",
        "easy",
        "average",
        "find the next number in a sequence",
        "pattern recognition in integer sequences",
        r"""
找规律：2, 6, 12, 20, 30, ?
""",
        r"""
答案是 **42**。

**规律一：看差值**
6 − 2 = 4，12 − 6 = 6，20 − 12 = 8，30 − 20 = 10，差值依次增加 2，所以下一个差值是 12，30 + 12 = 42。

**规律二：通项公式**
每一项都等于 $n(n+1)$：
- 1 × 2 = 2
- 2 × 3 = 6
- 3 × 4 = 12
- 4 × 5 = 20
- 5 × 6 = 30
- 6 × 7 = **42**
""",
        ["Math"],
    ),
    M(
        "Creative writing",
        "easy",
        "good",
        "write a modern poem about spring rain",
        "modern Chinese poetry and imagery",
        r"""
写一首关于春雨的现代诗。
""",
        r"""
**春雨**

春雨是一封迟到的信，
被风拆开，
一个字一个字
落在屋檐上。

它不说话，
只是把巷子里的青石板
洗成旧时的颜色，
把晾在窗外的衬衫
又一次打湿。

泥土在夜里翻了个身，
种子听见了，
在黑暗中悄悄伸了伸手。

早上推开窗，
柳枝已经绿到了河对岸，
卖花的老人撑着伞，
篮子里的栀子
还没开，
却已经香了。

原来春天从不敲门，
它只是下一场雨，
等你自己
走出来。
""",
    ),
    M(
        "Creative writing",
        "medium",
        "good",
        "write a short story about a cat that wants to see the sea",
        "narrative writing and children's story conventions",
        r"""
写一个温馨的小故事，主角是一只从来没见过大海的猫。
""",
        r"""
**想看海的猫**

小镇的面包店里住着一只橘猫，名叫馒头。馒头每天的工作，是趴在橱窗里晒太阳，顺便替老板娘看着刚出炉的面包。

面包店的墙上挂着一幅画，画的是蓝色的大海，白色的浪花，还有一只在天上飞的海鸥。馒头常常盯着那幅画发呆。它不知道那一大片蓝色是什么，只觉得它看起来又凉快又柔软，像一块永远不会融化的果冻。

有一天，一只流浪的海鸥落在面包店门口，叼走了一块掉在地上的面包屑。

“你从哪里来？”馒头问。

“从海边来。”海鸥说，“往东走，过了三座桥，闻到咸咸的风，就到了。”

那天夜里，馒头做了一个决定。

第二天一早，它钻出猫洞，沿着街道往东走。第一座桥下面是一条小河，河水哗哗地响，馒头有点害怕，但还是踮着脚走了过去。第二座桥上有一只大黄狗，冲它汪汪叫，馒头弓起背，竖起尾巴，最后大黄狗自己先跑了。走到第三座桥的时候，馒头的爪子已经磨得发红，肚子也饿得咕咕叫。

就在它想放弃的时候，一阵风吹过来。那风凉凉的，带着一点点咸味。

馒头抬起头，跑过最后一个拐角——

大海就在那里。

它比画里大得多，也吵得多。浪花一层一层地涌上沙滩，又一层一层地退回去，好像大海在轻轻地呼吸。馒头小心翼翼地伸出一只爪子碰了碰海水，冰得它一下子跳了起来。

“原来大海不是果冻啊。”馒头想。

它在沙滩上坐了很久，看太阳一点点沉进海里，把天空染成橘色——和它自己的毛一样的颜色。

天黑的时候，一束手电筒的光照了过来。是面包店的老板娘，她找了整整一天。

“馒头！你怎么跑这么远！”她把馒头抱进怀里，又生气又心疼。

回家的路上，馒头趴在老板娘的肩膀上，闻着她身上熟悉的面包香，很快就睡着了。

从那以后，馒头还是每天趴在橱窗里晒太阳。只是偶尔，当风从东边吹来的时候，它会眯起眼睛，轻轻地嗅一嗅——它知道，那里有一片真正的大海，而它曾经去过。
""",
    ),
    M(
        "Creative writing",
        "medium",
        "average",
        "write a classical Chinese seven-character quatrain about autumn",
        "the structure and tonal conventions of Chinese jueju poetry",
        r"""
写一首关于秋天的七言绝句
""",
        r"""
**秋夜**

西风昨夜过江城，
满地梧桐落有声。
独倚寒窗看雁去，
一轮明月照归程。

**赏析：**
- 首句“西风昨夜过江城”点明时令：西风是秋风，一夜之间吹过江边的城市。
- 次句以“梧桐落叶”的声音写秋意，以动衬静。
- 第三句转入人物，“独倚寒窗”写出孤独之感，“雁去”暗含思乡。
- 末句以明月作结，月照“归程”，既是写雁，也寄托了诗人盼归的心情。

全诗押平声“庚”韵（城、声、程），四句二十八字，符合七言绝句的基本格式。
""",
    ),
    M(
        "Role playing",
        "easy",
        "good",
        "have the assistant role-play a tour guide introducing West Lake",
        "West Lake scenery, history and legends in Hangzhou",
        r"""
你现在是一名杭州的导游，请给我这个第一次来的游客介绍一下西湖。
""",
        r"""
*（导游举起小旗子，笑着招手）*

各位朋友，欢迎来到杭州！我是今天的导游小周。俗话说“上有天堂，下有苏杭”，而杭州的灵魂就是我们眼前这片湖——西湖。

西湖三面环山，湖面大约 6.4 平方公里，绕湖一圈差不多 15 公里。2011 年，西湖文化景观被列入了《世界遗产名录》。

**先给大家说说“西湖十景”。** 比如“苏堤春晓”，这条长堤是北宋大诗人苏东坡在杭州做官时，疏浚西湖、用挖出来的淤泥堆成的，春天堤上桃红柳绿，特别漂亮；还有“断桥残雪”，冬天下雪后，桥的阳面雪化了、阴面还积着雪，远远看去桥像断了一样，所以叫断桥。

**说到断桥，就不得不提《白蛇传》。** 传说白娘子和许仙就是在断桥上借伞相识的。湖对面那座塔就是雷峰塔，故事里白娘子被压在塔下。现在的雷峰塔是 2002 年重建的，原来的旧塔在 1924 年倒塌了。

**还有一句诗大家一定要记住：**“欲把西湖比西子，淡妆浓抹总相宜。”这也是苏东坡写的，意思是西湖像美女西施一样，晴天雨天都好看。所以今天要是下点小雨，大家千万别失望，烟雨西湖可是另一番味道！

**几个小建议：**
1. 时间充裕的话，推荐坐手划船去三潭印月，人民币一元纸币背面的图案就是那里。
2. 傍晚可以去白堤散步，看夕阳映照保俶塔。
3. 中午别忘了尝尝西湖醋鱼、东坡肉和龙井虾仁，饭后再来一杯正宗的西湖龙井。

好，大家跟紧我的小旗子，我们先从断桥出发！有问题随时问我哦。
""",
    ),
    M(
        "Role playing",
        "medium",
        "good",
        "practise a Chinese-language job interview with the assistant as the interviewer",
        "typical interview questions and professional communication",
        r"""
请你扮演一家互联网公司的面试官，我来应聘产品经理实习生。你先开始提问，每次只问一个问题。
""",
        r"""
好的，我们开始模拟面试。我是这家公司产品部的负责人，姓王。

---

**面试官：** 你好，欢迎来参加面试，先请坐。今天的面试大概四十分钟，我会问几个问题，你放轻松就好。

我们先从一个简单的问题开始：**请你用两三分钟做一个自我介绍，重点说说你为什么想做产品经理，以及你觉得自己有哪些经历和能力适合这个岗位。**

---

*小提示：* 自我介绍不需要从头到尾讲简历，挑一两段和产品相关的经历重点讲，比如做过的项目、参与的社团活动或者对某个产品的深入思考。说完之后，我会根据你的回答继续追问。请开始吧。
""",
    ),
    M(
        "Information seeking",
        "medium",
        "good",
        "understand what blockchain technology is",
        "distributed ledgers, hashing and consensus mechanisms",
        r"""
什么是区块链？能用通俗的话解释一下吗？
""",
        r"""
可以把区块链想象成一本**全村人共同保管的账本**。

**1. 传统记账 vs. 区块链记账**
传统方式下，账本放在银行这样的中心机构手里，大家都要信任它不会出错、不会造假。区块链则是让很多人各自保存一份**完全相同的账本副本**，新的记录要得到大多数人认可才能写进去。

**2. “区块”和“链”是什么意思？**
- **区块**：每隔一段时间，把这段时间内的交易记录打包成一页，这一页就是一个“区块”。
- **链**：每一页都写着上一页的“指纹”（哈希值）。只要有人偷偷改了前面某一页的内容，它的指纹就会变化，后面所有页都对不上，改动立刻就会被发现。所以这些区块像链条一样环环相扣。

**3. 谁来记账？**
这要靠“共识机制”。比特币用的是**工作量证明**：大家比赛做一道很难的数学题，谁先算出来，谁就获得记账权并得到奖励，这就是常说的“挖矿”。也有别的机制，比如**权益证明**，按持有的代币数量和时间来决定记账权，耗能少得多。

**4. 区块链的特点**
- 去中心化：不依赖单一机构；
- 难以篡改：改一条记录要同时改掉大多数人手里的账本；
- 公开透明：在公有链上，任何人都可以查看交易记录。

**5. 局限性**
区块链并不是万能的：交易速度相对慢、耗能可能很高，而且“上链”的数据如果一开始就是假的，区块链也无法辨别。所以它更适合跨机构、互不信任又需要共同记账的场景，比如跨境支付、供应链溯源等。
""",
    ),
    M(
        "Information seeking",
        "medium",
        "excellent",
        "learn why the Tang dynasty was so prosperous",
        "Chinese history of the Tang dynasty, including its political institutions, economy and culture",
        r"""
唐朝为什么能成为中国历史上最繁荣的朝代之一？请从政治、经济、文化和对外交流几个方面分析。
""",
        r"""
唐朝（618—907 年）特别是“贞观之治”和“开元盛世”时期，是中国古代国力最强盛的时期之一。它的繁荣可以从以下几个方面来理解。

### 一、政治：制度完善，用人开明
1. **三省六部制**：中书省起草诏令，门下省审核，尚书省执行，下设六部分管具体事务，分工明确、互相制约，提高了行政效率。
2. **科举制的发展**：唐朝进一步完善了隋朝创立的科举制，使一部分中下层读书人有机会入仕，扩大了统治基础。
3. **开明的君主和政风**：唐太宗李世民善于纳谏，重用魏征等敢于直言的大臣；唐玄宗前期任用姚崇、宋璟等贤相，政治比较清明。

### 二、经济：农业、手工业和商业全面发展
1. **均田制与租庸调制**：国家把土地分配给农民，农民按规定缴纳租税、服役，稳定了小农经济，增加了国家收入。
2. **农业技术进步**：曲辕犁、筒车等工具的推广提高了生产效率。
3. **商业繁荣**：长安、洛阳、扬州、广州等城市非常繁华，长安城人口据估计达到百万左右，东市和西市商贾云集。

### 三、文化：兼容并蓄，百花齐放
1. **诗歌的黄金时代**：李白、杜甫、王维、白居易等诗人辈出，《全唐诗》收录诗作近五万首。
2. **宗教和思想宽容**：儒、释、道并行，景教、祆教、摩尼教等外来宗教也能传播。
3. **艺术成就**：颜真卿、柳公权的书法，吴道子的绘画，以及敦煌莫高窟的壁画和雕塑，都达到了很高水平。

### 四、对外交流：开放包容的国际化帝国
1. **丝绸之路畅通**：大量西域商人、使节和留学生来到长安。
2. **文化输出**：日本多次派遣“遣唐使”，学习唐朝的制度、文字和建筑；鉴真东渡日本传播佛教。
3. **玄奘西行**：玄奘到天竺（今印度）取经，回国后翻译佛经，并留下了《大唐西域记》。

### 五、繁荣背后的隐患
开元后期，土地兼并加剧，均田制逐渐瓦解，节度使权力过大，最终引发了 755 年的**安史之乱**，唐朝由盛转衰。

**总结：** 唐朝的繁荣来自较为完善的政治制度、稳定发展的经济、兼容并包的文化态度和积极的对外开放，这几方面相互促进，造就了一个影响整个东亚的盛世。
""",
    ),
    M(
        "Information seeking",
        "medium",
        "good",
        "understand how black holes form",
        "stellar evolution, gravity and general relativity basics",
        r"""
黑洞是怎么形成的？
""",
        r"""
黑洞是引力极强、连光都无法逃脱的天体。最常见的黑洞形成过程如下：

**1. 大质量恒星走到生命尽头**
恒星一生都在进行核聚变，向外的辐射压和向内的引力保持平衡。当一颗质量大约在太阳 20 倍以上的恒星耗尽核心的核燃料，聚变停止，向外的压力消失，平衡就被打破了。

**2. 核心坍缩**
失去支撑的核心在自身引力作用下急剧坍缩，外层物质则可能在一次**超新星爆发**中被抛射出去。

**3. 越过“事件视界”**
如果剩下的核心质量足够大（一般认为超过约 3 倍太阳质量），就连中子之间的排斥力也挡不住引力，物质会被压缩到一个极小的区域。当它缩小到**史瓦西半径**以内时，就形成了黑洞。史瓦西半径的公式是

$$r_s = \frac{2GM}{c^2}$$

对于太阳质量的天体，$r_s$ 只有约 3 公里。这个半径对应的球面叫**事件视界**，任何东西一旦进入，就再也出不来。

**其他类型的黑洞：**
- **超大质量黑洞**：位于星系中心，质量可达太阳的数百万到数十亿倍，例如银河系中心的人马座 A*（约 400 万倍太阳质量）。它们的形成过程还在研究中，可能是通过吞噬气体和与其他黑洞合并逐渐长大的。
- **原初黑洞**：理论上可能在宇宙大爆炸初期形成，目前尚未被观测证实。

**我们怎么“看到”黑洞？** 黑洞本身不发光，但我们可以观测它周围被加热的吸积盘、它对附近恒星运动的影响，以及黑洞合并时产生的引力波。2019 年，事件视界望远镜发布了人类第一张黑洞照片，拍摄的是 M87 星系中心的超大质量黑洞。
""",
    ),
]

MAGPIE_ZH += [
    M(
        "Editing",
        "medium",
        "good",
        "translate a Chinese paragraph into English",
        "Chinese-to-English translation and idiomatic English",
        r"""
请把下面这段话翻译成英文：
“随着生活节奏的加快，越来越多的年轻人开始选择周末去郊外露营。在他们看来，露营不仅是一种放松方式，更是一种远离手机、回归自然的生活态度。”
""",
        r"""
**译文：**

"As the pace of life speeds up, more and more young people are choosing to spend their weekends camping in the countryside. For them, camping is not just a way to unwind; it is a lifestyle choice — a way to put down their phones and reconnect with nature."

**翻译要点：**
- “随着……加快”译为 *As the pace of life speeds up*，用 as 引导时间状语，比 *With the quickening of...* 更自然。
- “郊外”根据语境译为 *the countryside*，比 *suburbs* 更符合露营的场景。
- “在他们看来”译为 *For them*，简洁地道。
- “不仅是……更是……”用分号和破折号拆开，避免句子过长。
- “回归自然”译为 *reconnect with nature*，是英语中表达这一意思的常用搭配。
""",
        ["Information seeking"],
    ),
    M(
        "Information seeking",
        "easy",
        "average",
        "translate and explain the English proverb 'The early bird catches the worm'",
        "English proverbs and their Chinese equivalents",
        r"""
The early bird catches the worm 是什么意思
""",
        r"""
这句英语谚语字面意思是“早起的鸟儿有虫吃”。

**含义：** 比喻行动早、准备早的人更容易抓住机会，获得成功。常用来鼓励别人早起或尽早行动。

**中文里意思相近的说法：**
- 笨鸟先飞
- 一日之计在于晨
- 先下手为强（语气更强烈一些）

**例句：**
> I always get to the sale at 7 a.m. — the early bird catches the worm.
> 我总是早上七点就去抢购——早起的鸟儿有虫吃嘛。

**有趣的是，** 英语里还有一句调侃的反话：*"The early bird gets the worm, but the second mouse gets the cheese."*（早起的鸟儿有虫吃，但第二只老鼠才能吃到奶酪。）意思是第一只老鼠被捕鼠夹夹住了，后来的老鼠才安全地吃到奶酪——有时候太早行动反而吃亏。
""",
    ),
    M(
        "Information seeking",
        "easy",
        "good",
        "understand what causes the seasons",
        "Earth's axial tilt and orbital mechanics",
        r"""
为什么地球上会有四季变化？是因为地球离太阳有时近有时远吗？
""",
        r"""
不是的，这是一个很常见的误解。**四季变化的主要原因是地轴倾斜**，而不是地球与太阳距离的变化。

**1. 地轴是倾斜的**
地球自转的轴相对于公转轨道平面倾斜了约 **23.5°**，而且在公转过程中，地轴的指向基本保持不变（始终大致指向北极星）。

**2. 倾斜带来两个效果**
当北半球倾向太阳时（大约 6 月）：
- **太阳高度角大**：阳光更接近直射，同样的光照集中在更小的面积上，单位面积获得的热量更多；
- **白昼时间长**：太阳在天上停留的时间更久。
两者叠加，北半球就是夏季。半年后（大约 12 月），北半球背向太阳，阳光斜射、白天变短，就进入了冬季。

**3. 为什么不是距离的原因？**
- 地球轨道接近正圆，近日点和远日点的距离只相差约 3%。
- 事实上，地球在每年 **1 月初**最接近太阳（近日点），而那时北半球正是冬天！
- 此外，南北半球的季节正好相反——如果是距离决定季节，全球应该同时过夏天才对。

**小结：** 地轴倾斜使不同地区在一年中接受的太阳光照角度和日照时间周期性变化，这才是四季形成的根本原因。
""",
        ["Reasoning"],
    ),
    M(
        "Advice seeking",
        "medium",
        "good",
        "get advice on overcoming procrastination",
        "psychology of procrastination and practical productivity techniques",
        r"""
我拖延症很严重，每次都要拖到截止日期前一天才开始做事，怎么办？
""",
        r"""
拖延并不是因为懒，心理学研究发现，它更多是一种**逃避不舒服情绪**的方式——任务让人焦虑、觉得太难或太无聊，于是大脑选择先做点轻松的事。明白了这一点，就可以对症下药：

**1. 把任务拆到“小得可笑”**
不要写“完成论文”，而是写“打开文档，写下三个小标题”。开头越容易，越不容易逃避。很多时候，一旦开始，后面就顺了。

**2. 试试“五分钟法则”**
告诉自己“只做五分钟，五分钟后想停就停”。这会大大降低开始的心理门槛。

**3. 番茄工作法**
专注 25 分钟，休息 5 分钟，每四个番茄钟后休息久一点。给自己一个看得见的节奏，比对着一整天的空白更容易坚持。

**4. 设置提前的“假截止日期”**
比如真正的截止日期是周五，就在日历上写“周三交初稿给朋友看”。有外部的人参与效果会更好。

**5. 减少环境中的诱惑**
工作时把手机放到另一个房间，或者用专注类应用屏蔽社交软件。意志力是有限的，与其硬扛，不如让诱惑离远一点。

**6. 对自己宽容一点**
研究表明，拖延之后狠狠自责反而会让人更想逃避。一次没做好，承认它、原谅自己，然后从下一件小事重新开始。

**7. 留意背后的原因**
如果拖延伴随着长期的情绪低落、注意力很难集中，可能和焦虑、抑郁或注意力缺陷有关，这时可以考虑寻求专业的心理咨询。

可以先从今天挑一件小事开始，只做五分钟试试看。
""",
    ),
    M(
        "Advice seeking",
        "medium",
        "average",
        "get advice on career planning as a university student",
        "career development, internships and skill building",
        r"""
大二学生，学的是市场营销，但对以后做什么很迷茫，应该怎么规划？
""",
        r"""
大二感到迷茫非常正常，而且现在开始思考正是好时候。可以按“了解自己—了解方向—小步尝试”的思路来做。

### 一、了解自己
- **兴趣：** 回想一下，做什么事情时你会忘记时间？是写文案、分析数据、和人打交道，还是做设计？
- **能力：** 你在哪些课程或活动中表现比较好、得到过别人的肯定？
- **价值观：** 你更看重稳定、收入、成长空间，还是工作的意义？
可以试着做一下 MBTI 或霍兰德职业兴趣测试，但只作为参考，不要被结果框住。

### 二、了解方向
市场营销专业的出路其实很宽，例如：
- 品牌/市场策划
- 新媒体运营、内容营销
- 数据分析、用户研究
- 销售与商务拓展
- 产品经理、咨询
建议找 3～5 位在这些岗位上工作的学长学姐聊聊，问问他们每天具体做什么、喜欢和不喜欢的地方。这比在网上看介绍要真实得多。

### 三、小步尝试
- **大二：** 参加与营销相关的比赛（如商业案例大赛），运营一个社团公众号或小红书账号，积累作品。
- **大二暑假/大三：** 争取第一份实习，哪怕是小公司，也能帮你判断自己是否喜欢这个方向。
- **技能储备：** Excel 和基础数据分析、PPT 表达、文案写作，这几项在大多数营销岗位都很有用；如果对数据方向感兴趣，可以学一点 SQL 或 Python。

### 四、保持灵活
职业规划不是一次性的决定，而是在尝试中不断调整的过程。每个学期结束时，花一个小时复盘一下：这学期做了什么？喜欢什么？下一步想试什么？

迷茫不可怕，停在原地不动才可怕。先迈出一小步，方向会越来越清晰的。
""",
    ),
    M(
        "Editing",
        "medium",
        "good",
        "polish a piece of Chinese writing",
        "Chinese writing style, word choice and sentence structure",
        r"""
帮我润色一下这段话，让它更有文采一点：
“我的家乡是一个小县城。那里有一条河。夏天的时候我们经常去河边玩。现在我很久没回去了，我很想念那里。”
""",
        r"""
**润色后：**

> 我的家乡是一座安静的小县城，城边有一条不知流淌了多少年的小河。小时候的每个夏天，我们总爱光着脚跑到河边，摸鱼、打水漂，直到夕阳把河水染成金色，才被大人一声声唤回家。如今离家多年，那条河大概还在不紧不慢地流着，而我只能在梦里，一次又一次地回到它的岸边。

**修改思路：**
1. **合并短句：** 原文句子都很短，读起来有些生硬。把它们连成有节奏的长短句，语气更流畅。
2. **增加细节：** 加入“光着脚”“摸鱼、打水漂”“夕阳把河水染成金色”等具体画面，让读者能“看到”当时的场景。
3. **以景寄情：** 结尾不直接说“我很想念”，而是用“那条河还在流，我只能在梦里回去”来表达思念，含蓄而有余味。

如果你需要更朴素一点的风格，也可以告诉我，我再调整。
""",
    ),
    M(
        "Editing",
        "easy",
        "good",
        "make a piece of Chinese text more concise",
        "concise Chinese writing",
        r"""
请把这段话改得简洁一些：“关于这个项目的进度问题，我们经过了认真仔细的讨论和研究之后，大家一致认为，目前的进度是比较慢的，需要进一步加快速度。”
""",
        r"""
**修改后：**

> 经讨论，大家一致认为项目进度偏慢，需要加快。

**删改说明：**
- “关于这个项目的进度问题”与后面的“目前的进度”重复，合并为“项目进度”；
- “经过了认真仔细的讨论和研究之后”简化为“经讨论”；
- “是比较慢的”改为“偏慢”；
- “需要进一步加快速度”中“进一步”和“速度”都可以省去。

原句共 53 个汉字，修改后只有 19 个，意思却没有变化。
""",
    ),
    M(
        "Data analysis",
        "medium",
        "good",
        "compute descriptive statistics for a set of exam scores",
        "mean, median, variance and standard deviation",
        r"""
某小组8名同学的数学成绩为：78, 85, 92, 64, 85, 70, 96, 82。请计算平均分、中位数、众数和标准差，并简单分析一下。
""",
        r"""
**1. 平均分**

$$\bar{x} = \frac{78 + 85 + 92 + 64 + 85 + 70 + 96 + 82}{8} = \frac{652}{8} = 81.5$$

**2. 中位数**
排序后：64, 70, 78, **82, 85**, 85, 92, 96
共 8 个数，中位数是第 4、5 个数的平均值：$(82 + 85) \div 2 = 83.5$

**3. 众数**
85 出现了 2 次，其余都只出现 1 次，所以众数是 **85**。

**4. 标准差**
各数与平均数之差的平方：

| 成绩 | 离差 | 离差平方 |
|---|---|---|
| 78 | −3.5 | 12.25 |
| 85 | 3.5 | 12.25 |
| 92 | 10.5 | 110.25 |
| 64 | −17.5 | 306.25 |
| 85 | 3.5 | 12.25 |
| 70 | −11.5 | 132.25 |
| 96 | 14.5 | 210.25 |
| 82 | 0.5 | 0.25 |

平方和为 796。

- 总体方差：$796 \div 8 = 99.5$，总体标准差 $\sqrt{99.5} \approx 9.97$
- 样本方差：$796 \div 7 \approx 113.71$，样本标准差 $\approx 10.66$

**5. 简单分析**
- 平均分 81.5 略低于中位数 83.5，说明有个别低分（64 分）把平均分拉低了。
- 标准差约为 10 分，成绩有一定差距，最高分与最低分相差 32 分。
- 建议重点关注 64 分和 70 分的两位同学，了解他们在哪些知识点上存在困难。
""",
        ["Math"],
    ),
    M(
        "Brainstorming",
        "easy",
        "good",
        "brainstorm advertising slogans for a bubble tea shop",
        "marketing copywriting",
        r"""
我要开一家奶茶店，主打新鲜水果茶，帮我想10个宣传口号。
""",
        r"""
好的，这里有 10 个不同风格的口号供你参考：

**突出新鲜**
1. 每一杯，都是刚摘下的夏天。
2. 鲜果现切，看得见的新鲜。
3. 水果有多新鲜，这杯茶就有多好喝。

**轻松俏皮**
4. 今天的烦恼，交给一杯果茶。
5. 柠檬很酸，你很甜。
6. 生活已经很苦了，来点果味吧！

**文艺情怀**
7. 一口鲜果，一段好时光。
8. 把四季装进杯子里。

**简短好记**
9. 鲜到刚刚好。
10. 果然，是你。（“果然”双关“水果”）

**小建议：** 口号最好和店名、品牌颜色统一风格。如果店开在学校附近，俏皮风格更受欢迎；如果开在写字楼商圈，可以多用“治愈”“解压”类的表达。
""",
    ),
    M(
        "Information seeking",
        "easy",
        "good",
        "summarise a passage about artificial intelligence",
        "reading comprehension and summarisation",
        r"""
用一两句话概括下面这段文字：
人工智能并不是一个新概念。早在1956年的达特茅斯会议上，科学家们就提出了“人工智能”这个术语。此后几十年，人工智能经历了多次高潮与低谷。直到2010年代，随着计算能力的大幅提升、互联网带来的海量数据以及深度学习算法的突破，人工智能才真正进入快速发展阶段，在图像识别、语音识别和自然语言处理等领域取得了显著成果。
""",
        r"""
人工智能的概念早在 1956 年就已提出，但在经历几次起落后，直到 2010 年代才凭借算力提升、海量数据和深度学习的突破进入快速发展期，并在图像、语音和自然语言处理等领域取得显著成果。
""",
        ["Editing"],
    ),
    M(
        "Planning",
        "medium",
        "good",
        "create a one-week workout plan for a beginner",
        "exercise science: strength training, cardio and recovery",
        r"""
我是健身新手，平时基本不运动，想制定一个一周的健身计划，每次一小时左右，家里没有器械。
""",
        r"""
好的！对新手来说，最重要的是**循序渐进、养成习惯、避免受伤**。下面是一份无器械的一周计划：

| 星期 | 内容 | 时长 |
|---|---|---|
| 周一 | 全身力量训练 A | 45～60 分钟 |
| 周二 | 快走或慢跑 + 拉伸 | 40 分钟 |
| 周三 | 全身力量训练 B | 45～60 分钟 |
| 周四 | 休息或轻松散步 | — |
| 周五 | 全身力量训练 A | 45～60 分钟 |
| 周六 | 有氧运动（跳绳、骑车、爬楼梯任选） | 30～40 分钟 |
| 周日 | 完全休息 | — |

**力量训练 A**（每个动作 3 组，组间休息 60 秒）
1. 深蹲 12 次
2. 跪姿俯卧撑 8～10 次（能力提升后改为标准俯卧撑）
3. 臀桥 15 次
4. 平板支撑 20～30 秒
5. 原地登山跑 20 次

**力量训练 B**
1. 弓步蹲 每侧 10 次
2. 椅子臂屈伸 10 次
3. 超人式背部伸展 12 次
4. 侧平板支撑 每侧 15～20 秒
5. 开合跳 30 次

**注意事项：**
- **热身和拉伸：** 每次训练前热身 5～10 分钟（原地踏步、关节活动），训练后拉伸 5～10 分钟。
- **动作质量优先：** 宁可少做几次，也要保证姿势正确。深蹲时膝盖方向与脚尖一致，背部挺直。
- **循序渐进：** 每两周可以增加每组次数或组数，不要一开始就练到筋疲力尽。
- **饮食和睡眠：** 保证每天摄入足够的蛋白质（鸡蛋、牛奶、豆制品、瘦肉），每晚睡 7～8 小时。
- **身体信号：** 肌肉酸痛是正常的，但如果出现关节刺痛，应停止训练，必要时就医。

坚持四周后，你会明显感觉体力变好。加油！
""",
        ["Advice seeking"],
    ),
    M(
        "Creative writing",
        "hard",
        "excellent",
        "write an argumentative essay about the impact of urbanisation on traditional culture",
        "urbanisation in China, cultural heritage and essay structure",
        r"""
以“城市化进程中的传统文化”为题，写一篇议论文，要求观点明确、论证充分，不少于1200字。
""",
        r"""
**城市化进程中的传统文化**

改革开放四十多年来，中国经历了人类历史上规模最大、速度最快的城市化进程。城镇化率从 1978 年的不到 18% 提高到如今的 60% 以上，数亿人从乡村走进城市。高楼拔地而起，道路四通八达，生活日益便利。然而，在推土机的轰鸣声中，一些古老的街巷、村落和习俗也悄然消失了。城市化与传统文化，究竟是此消彼长的对手，还是可以携手同行的伙伴？我认为，城市化并不必然意味着传统文化的衰落；只要处理得当，传统文化完全可以在现代城市中获得新生。

**首先，必须正视城市化对传统文化造成的冲击。** 传统文化的许多形态，原本扎根于乡土社会。祠堂、庙会、节令习俗、方言戏曲，都依托于熟人社会和相对稳定的生活方式。当年轻人大量进城，村庄逐渐“空心化”，许多民间手艺后继无人，一些地方戏曲只剩下几位老艺人在坚守。在城市内部，大规模的旧城改造也曾让不少具有历史价值的老街区被夷为平地，取而代之的是千篇一律的高楼和商业街。有人批评说，如今许多城市“南方北方一个样，大城小城一个样”，正是文化个性流失的表现。这些问题是真实存在的，不能视而不见。

**但是，把传统文化的困境简单归咎于城市化，是片面的。** 文化从来不是凝固不变的标本，而是在生活中不断流动、不断更新的。历史上，城市本身就是文化交流和创新的中心：唐代的长安、宋代的汴京和临安，正是诗词、绘画、戏曲和市井文化最繁荣的地方。今天的城市同样聚集了大量的人才、资金和传播渠道，这些恰恰是传统文化复兴所需要的条件。近年来，“国潮”兴起，汉服走上街头，故宫文创受到年轻人追捧，《唐宫夜宴》等节目在网络上广为流传——这些现象大多发生在城市，由城市中的年轻人推动。可见，城市不是传统文化的坟墓，也可以是它的舞台。

**其次，城市化为传统文化的保护提供了新的手段和更多资源。** 在过去，许多民间艺术只能口耳相传，一旦传承人离世，技艺便可能失传。如今，借助数字化技术，古籍可以被扫描存档，濒危的曲艺可以被录音录像，古建筑可以被三维建模。城市的经济发展也让政府和社会有更多财力投入文化保护。北京的南锣鼓巷、成都的宽窄巷子、苏州的平江路，在整修中保留了历史街区的格局和风貌，既满足了现代生活的需要，又延续了城市的记忆。虽然其中有过度商业化的问题，但总体而言，它们证明了“保护”与“发展”并非只能二选一。

**再次，关键在于处理好保护与创新的关系。** 对于具有重要历史价值的文物古迹、历史街区，应当严格保护，不能为了短期的经济利益而随意拆建。对于民俗、手工艺、戏曲等活态文化，则不能只把它们放进博物馆，而应当让它们回到人们的日常生活中。例如，一些城市在社区里开设非遗工作坊，让市民亲手体验剪纸、扎染和制作糖画；一些学校把地方戏曲、传统体育引入课堂；一些设计师把传统纹样融入现代服装和家居产品。只有当传统文化被人们真正使用、喜爱，它才有生命力。

**最后，每个人都是文化的传承者。** 城市化让我们离开了故乡，却不应让我们忘记来处。春节时回家团圆、清明节缅怀先人、端午节包一次粽子，教孩子说几句家乡话，读几首古诗词，这些看似平常的小事，都是在延续传统。文化的传承，不仅仅是政府和专家的责任，更存在于每一个普通人的生活选择之中。

**综上所述，** 城市化给传统文化带来了挑战，也带来了机遇。我们既不能以发展为名肆意破坏历史遗产，也不必因噎废食、拒绝现代化。只要坚持保护优先、合理利用、创新传承，传统文化就能在钢筋水泥之间找到新的土壤，在现代城市中焕发新的光彩。正如一棵老树移栽到新的土地上，只要根还在，它就能重新长出繁茂的枝叶。
""",
        ["Information seeking"],
    ),
    M(
        "Others",
        "very easy",
        "average",
        "hear a joke",
        "Chinese humour and wordplay",
        r"""
讲个笑话吧
""",
        r"""
好的，来一个：

老师问小明：“你知道地球为什么是圆的吗？”

小明想了想说：“因为如果是方的，我们出门就容易撞到角。”

老师：“……那你说说月亮为什么也是圆的？”

小明：“因为它要跟地球保持队形啊！”

😄 需要再来一个吗？
""",
    ),
    M(
        "Information seeking",
        "easy",
        "good",
        "understand what inflation is",
        "basic macroeconomics: price levels, money supply and central banks",
        r"""
通货膨胀是什么？对普通人有什么影响？
""",
        r"""
**通货膨胀**是指一段时间内物价水平普遍、持续地上涨，也可以理解为**同样的钱能买到的东西变少了**。比如去年 10 块钱能买 5 个面包，今年只能买 4 个，钱的购买力就下降了。

### 常见的原因
1. **需求拉动：** 大家都想买东西，需求超过了供给，价格就会上涨。
2. **成本推动：** 原材料、能源或工资上涨，企业把成本转嫁到商品价格上。
3. **货币超发：** 市场上的钱增长得比商品和服务快，“钱多了，东西没多”，钱就“不值钱”了。

### 怎么衡量？
最常用的指标是**居民消费价格指数（CPI）**。CPI 同比上涨 2%，意思是和去年同期相比，一篮子常见消费品和服务的价格平均上涨了 2%。

### 对普通人的影响
- **存款缩水：** 如果银行存款利率低于通胀率，钱放在银行里实际上是在“贬值”。
- **工资追不上物价：** 如果收入增长慢于物价上涨，生活水平会下降。
- **负债者相对受益：** 对于有固定利率房贷的人来说，通胀会让未来要还的钱“变轻”。

### 适度通胀并不是坏事
大多数经济学家认为，每年 2% 左右的温和通胀对经济是健康的，能鼓励消费和投资。真正危险的是**恶性通胀**（如物价一年翻几倍）和**通货紧缩**（物价持续下跌，人们推迟消费，经济陷入停滞）。

### 普通人可以怎么应对？
- 不要把所有钱都放在活期存款里，可以根据风险承受能力适当配置理财、基金等资产；
- 投资自己，提升技能，让收入增长跑赢通胀；
- 理性消费，避免因为担心涨价而盲目囤货。
""",
    ),
    M(
        "Information seeking",
        "easy",
        "good",
        "understand Newton's third law of motion with everyday examples",
        "classical mechanics and action-reaction force pairs",
        r"""
牛顿第三定律是什么？能举几个生活中的例子吗？
""",
        r"""
**牛顿第三定律：** 两个物体之间的作用力和反作用力，总是**大小相等、方向相反、作用在同一条直线上**，并且分别作用在两个不同的物体上。

用公式表示：$\vec{F}_{AB} = -\vec{F}_{BA}$

**生活中的例子：**
1. **走路：** 脚向后蹬地面，地面同时给脚一个向前的力，人才能往前走。在冰面上走路困难，就是因为摩擦力太小，这对力很难建立起来。
2. **划船：** 船桨向后推水，水向前推船桨，船就前进了。
3. **火箭发射：** 火箭向下高速喷出燃气，燃气对火箭产生向上的反作用力，推动火箭升空。这也说明火箭在没有空气的太空中同样可以加速。
4. **游泳：** 手臂向后划水，水把人向前推。
5. **开枪时的后坐力：** 子弹被向前推出，枪身同时受到向后的力。

**一个常见的误区：** 既然两个力大小相等、方向相反，为什么不会互相抵消？因为它们**作用在不同的物体上**。只有作用在同一个物体上的力才能相互抵消。比如马拉车，马对车的拉力和车对马的拉力大小相等，但车能否前进取决于车自身受到的所有力，而马能否前进取决于马受到的所有力（包括地面给马的摩擦力）。
""",
    ),
    M(
        "Coding & Debugging",
        "medium",
        "excellent",
        "understand how decorators work in Python",
        "Python first-class functions, closures, functools.wraps and decorator syntax",
        r"""
Python 中的装饰器是什么？请举例说明它的原理和常见用法，比如计时和带参数的装饰器。
""",
        r"""
## 一、装饰器是什么

装饰器本质上是一个**接收函数、返回新函数的函数**。它可以在不修改原函数代码的前提下，为函数增加额外功能，例如计时、日志、缓存、权限检查等。

`@decorator` 只是语法糖：

```python
@decorator
def func():
    ...
```

等价于：

```python
func = decorator(func)
```

## 二、基础示例：计时装饰器

```python
import functools
import time


def timer(func):
    @functools.wraps(func)          # 保留原函数的名字和文档字符串
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        elapsed = time.perf_counter() - start
        print(f"{func.__name__} 耗时 {elapsed:.4f} 秒")
        return result
    return wrapper


@timer
def slow_sum(n):
    return sum(i * i for i in range(n))


slow_sum(1_000_000)   # 输出类似：slow_sum 耗时 0.0621 秒
```

**原理：** `wrapper` 是一个闭包，它“记住”了外层的 `func`。调用 `slow_sum` 时，实际执行的是 `wrapper`，它在调用原函数前后加入了计时逻辑。

## 三、带参数的装饰器

如果装饰器本身需要参数，就要再多包一层：

```python
def retry(times=3):
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for attempt in range(1, times + 1):
                try:
                    return func(*args, **kwargs)
                except Exception as exc:
                    print(f"第 {attempt} 次失败：{exc}")
            raise RuntimeError(f"{func.__name__} 重试 {times} 次后仍然失败")
        return wrapper
    return decorator


@retry(times=2)
def fetch_data():
    raise ConnectionError("网络超时")
```

`@retry(times=2)` 会先调用 `retry(2)` 得到真正的装饰器 `decorator`，再用它装饰 `fetch_data`。

## 四、标准库中常见的装饰器
- `@functools.lru_cache`：缓存函数结果；
- `@property`：把方法变成属性；
- `@staticmethod` / `@classmethod`：定义静态方法和类方法；
- `@dataclasses.dataclass`：自动生成 `__init__`、`__repr__` 等方法。

## 五、为什么要用 `functools.wraps`
不加它的话，被装饰后的函数 `__name__` 会变成 `wrapper`，文档字符串也会丢失，不利于调试和生成文档。
""",
    ),
    M(
        "Information seeking",
        "very easy",
        "good",
        "learn the meaning and origin of the idiom 画蛇添足",
        "Chinese idioms and their historical sources",
        r"""
“画蛇添足”是什么意思？出自哪里？
""",
        r"""
**意思：** 画蛇时给蛇添上脚。比喻做了多余的事，非但无益，反而坏事。

**出处：** 《战国策·齐策二》。

**故事：** 楚国有人祭祀后，把一壶酒赏给手下的门客。门客们商量说：“这壶酒几个人喝不够，一个人喝才有余。我们在地上比赛画蛇，谁先画好谁就喝。”有一个人最先画好，拿起酒壶正要喝，却得意地说：“我还能给它画上脚呢！”结果他还没把脚画完，另一个人已经把蛇画好了，夺过酒壶说：“蛇本来就没有脚，你怎么能给它画上脚呢？”说完便把酒喝了。那个给蛇添脚的人，最终失去了本该属于他的酒。

**例句：** 这篇文章结尾已经很有力量了，再加一段总结反而是画蛇添足。

**近义词：** 多此一举
**反义词：** 画龙点睛
""",
    ),
    M(
        "Advice seeking",
        "medium",
        "good",
        "get advice on communicating better with their parents",
        "family communication and emotional intelligence",
        r"""
我和爸妈一说话就吵架，他们总觉得我的选择不对，我该怎么和他们沟通？
""",
        r"""
这种情况很多年轻人都会遇到。两代人成长的环境不同，看问题的角度自然不一样，争吵往往不是因为谁不爱谁，而是**都想被理解**。下面几个方法也许能帮到你：

**1. 先听完，再表达**
父母说话时，尽量不要急着反驳。可以先复述一下他们的意思：“你们是担心我换工作以后收入不稳定，对吗？”当他们感到被理解，情绪会缓和很多。

**2. 看到担心背后的爱**
父母的反对，很多时候是出于担心。试着把“你们又不理解我”换成“我知道你们是为我好”，谈话的气氛会完全不同。

**3. 用“我”来表达感受**
少说“你们总是……”，多说“我觉得……”“我希望……”。比如：“每次我说出自己的想法就被否定，我会觉得很难过，我希望你们能先听听我的理由。”

**4. 拿出具体的计划**
父母担心的往往是“不确定”。如果你能说清楚自己的打算、可能的风险以及应对办法，他们会更放心。比如：“我已经存了半年的生活费，如果三个月内找不到合适的工作，我会……”

**5. 选对时机**
不要在大家都累了、饭桌上有亲戚或者情绪激动的时候谈重要的事。约一个轻松的时间，比如周末一起散步的时候。

**6. 接受不能完全达成一致**
沟通的目的不是让对方完全同意你，而是互相理解。有些事情，你可以坚持自己的选择，同时尊重他们有不同的看法。

**7. 平时多一些日常交流**
如果只有在“谈大事”时才说话，就很容易吵起来。平时多分享一些生活中的小事，关系好了，重要的话题也更容易谈。

慢慢来，关系的改善需要时间。祝你们越来越理解彼此。
""",
    ),
    M(
        "Information seeking",
        "medium",
        "good",
        "understand overfitting in machine learning and how to prevent it",
        "machine learning generalisation, regularisation and validation",
        r"""
机器学习里的过拟合是什么？怎么避免？
""",
        r"""
**过拟合**是指模型在训练数据上表现很好，但在没见过的新数据上表现明显变差。换句话说，模型把训练数据中的**噪声和偶然规律**也“背”下来了，而没有学到真正可以推广的规律。

打个比方：一个学生把练习册的答案全背了下来，练习册上的题全对，可是一到考试换了题目就不会做了。

### 如何判断过拟合？
把数据分为训练集和验证集：
- 训练误差很低，验证误差却明显更高；
- 随着训练轮数增加，训练误差持续下降，而验证误差先降后升。

### 常见的解决方法
1. **增加数据量**：数据越多、越多样，模型越难死记硬背。也可以使用数据增强，例如对图片进行翻转、裁剪。
2. **简化模型**：减少参数量，比如降低神经网络的层数或决策树的深度。
3. **正则化**：在损失函数中加入对参数大小的惩罚，如 L1、L2 正则化（权重衰减）。
4. **Dropout**：训练神经网络时随机“关闭”一部分神经元，防止它们过度依赖彼此。
5. **早停（Early Stopping）**：监控验证集误差，一旦它不再下降就停止训练。
6. **交叉验证**：用 K 折交叉验证更可靠地评估模型，选择合适的超参数。
7. **集成方法**：如随机森林，通过多个模型投票降低方差。

### 与欠拟合的区别
**欠拟合**正好相反：模型太简单，连训练数据都学不好。好的模型应该在两者之间找到平衡，这就是机器学习中常说的**偏差—方差权衡**。
""",
    ),
    M(
        "Planning",
        "easy",
        "average",
        "write a leave request email to a manager",
        "professional Chinese workplace email conventions",
        r"""
帮我写一封请假邮件，下周三要去医院复查，请一天假
""",
        r"""
**主题：** 请假申请——下周三（X月X日）

王经理：

您好！

因需前往医院进行复查，我想申请于**下周三（X月X日）请假一天**。

请假期间，我手头的工作已做如下安排：
1. 周二下班前，我会完成本周的数据报表并发送给您；
2. 与客户的沟通事宜已提前告知同事李明，如有紧急情况他可以协助处理；
3. 请假当天我会保持手机畅通，如有急事可随时联系我。

如需补充相关证明材料，我会在返岗后及时提交。

感谢您的理解与批准！

此致
敬礼

张华
X年X月X日

---

*提示：* 把日期和经理、同事的姓名换成实际信息即可。如果公司有请假系统，别忘了同时在系统中提交申请。
""",
    ),
    M(
        "Information seeking",
        "easy",
        "good",
        "understand the meaning of the internet buzzword 内卷",
        "contemporary Chinese social vocabulary and its origin in anthropology",
        r"""
“内卷”这个词是什么意思？
""",
        r"""
“内卷”是近几年非常流行的网络词语，用来形容**在资源或机会有限的情况下，人们为了竞争而不断加码投入，但整体收益并没有增加，反而让每个人都更累**的现象。

**来源：** 这个词是英文 *involution* 的翻译，最早是人类学术语。美国人类学家格尔茨在研究印度尼西亚爪哇岛的农业时发现，当地人在有限的土地上投入越来越多的劳动力，精耕细作到了极致，但单位产出几乎没有提高，社会也没有因此进步，他把这种现象称为“农业内卷化”。

**生活中的例子：**
- **职场：** 大家都不敢准时下班，你加班到八点，我就加班到九点，但工作效率并没有提高。
- **教育：** 一个孩子报三个补习班，其他家长就报五个，最后大家的分数都提高了，但录取名额还是那么多。
- **商业：** 商家之间无休止地打价格战，利润越来越薄，却谁也不敢先停下来。

**相关说法：**
- “卷”：动词或形容词，比如“别卷了”“他太卷了”。
- “躺平”：与“内卷”相对，指放弃过度竞争、降低欲望的生活态度。
""",
    ),
]


# ---------------------------------------------------------------------------------------------
# Magpie, templated word problems (answers computed exactly)
# ---------------------------------------------------------------------------------------------


def _money(x: Fraction) -> str:
    cents = (x * 100).numerator * 2 // (x * 100).denominator  # round half up on cents
    cents = (cents + 1) // 2
    return f"{cents // 100:,}.{cents % 100:02d}"


def _num(x: Fraction, places: int = 2) -> str:
    """Decimal rendering of an exact fraction, trailing zeros trimmed."""
    if x.denominator == 1:
        return str(x.numerator)
    q = round(float(x), places)
    return f"{q:.{places}f}".rstrip("0").rstrip(".")


def gen_magpie_en() -> list[dict]:
    out = []

    # Sale price, then sales tax.
    for item, price, off, tax in [
        ("pair of running shoes", 120, 25, 8),
        ("winter jacket", 89, 30, 6),
        ("desk lamp", 45, 15, 10),
        ("backpack", 64, 20, 7),
    ]:
        p = Fraction(price)
        disc = p * (100 - off) / 100
        final = disc * (100 + tax) / 100
        prompt = [
            f"A {item} costs ${price}. It's on sale for {off}% off, and then {'an' if str(tax).startswith('8') or tax in (11, 18) else 'a'} {tax}% sales tax is added to the sale price. How much do I pay?",
            f"I'm buying a {item} listed at ${price}. The store takes {off}% off and then charges {tax}% tax. What's the final price?",
        ][price % 2]
        resp = f"""**Step 1 – Apply the discount.**
{off}% of ${price} is ${_money(p * off / 100)}, so the sale price is

${price} − ${_money(p * off / 100)} = **${_money(disc)}**.

**Step 2 – Add the sales tax.**
Tax is {tax}% of the *sale* price: ${_money(disc)} × {tax / 100:g} = ${_money(disc * tax / 100)}.

Final price: ${_money(disc)} + ${_money(disc * tax / 100)} = **${_money(final)}**.

(A quick check: multiplying by {(100 - off) / 100:g} and then by {(100 + tax) / 100:g} gives ${price} × {(100 - off) / 100:g} × {(100 + tax) / 100:g} ≈ ${_money(final)}. Note that the order doesn't matter — taxing first and discounting second gives the same result.)"""
        out.append(
            M(
                "Math",
                "easy",
                "good",
                "calculate the final price of an item after a percentage discount and sales tax",
                "percentages and how successive percentage changes combine",
                prompt,
                resp,
            )
        )

    # Round-trip average speed (harmonic mean).
    for a, b, place in [
        (60, 40, "my grandmother's house"),
        (30, 60, "the lake"),
        (45, 90, "the airport"),
        (80, 120, "the coast"),
    ]:
        avg = Fraction(2 * a * b, a + b)
        prompt = (
            f"I drove to {place} at {a} km/h and came back along the same road at {b} km/h. "
            f"What was my average speed for the whole trip? Is it just {Fraction(a + b, 2)} km/h?"
        )
        resp = f"""No — the average speed is **{_num(avg)} km/h**, not {Fraction(a + b, 2)} km/h.

Average speed is total distance divided by total time. Call the one-way distance $d$:

- Time there: $d/{a}$ hours
- Time back: $d/{b}$ hours

$$\\bar v = \\frac{{2d}}{{d/{a} + d/{b}}} = \\frac{{2 \\cdot {a} \\cdot {b}}}{{{a} + {b}}} = \\frac{{{2 * a * b}}}{{{a + b}}} = {frac_tex(avg)}\\ \\text{{km/h}}.$$

The simple average of the two speeds is too high because you spend **more time** at the slower speed ({_num(Fraction(b, a) if b > a else Fraction(a, b))} times as long), so the slower leg counts for more. The correct average is the *harmonic mean* of the two speeds, and the distance $d$ cancels out, so it doesn't matter how far away {place} is."""
        out.append(
            M(
                "Math",
                "medium",
                "good",
                "find the average speed of a round trip with different speeds each way",
                "the definition of average speed and the harmonic mean",
                prompt,
                resp,
                ["Reasoning"],
            )
        )

    # Fahrenheit to Celsius.
    for f, ctx in [
        (98.6, "normal body temperature"),
        (350, "an oven recipe"),
        (-40, "a cold winter morning"),
        (68, "room temperature"),
    ]:
        c = (Fraction(str(f)) - 32) * Fraction(5, 9)
        prompt = (
            f"My oven recipe says to bake at {f:g}°F. What is that in Celsius?"
            if ctx == "an oven recipe"
            else f"Convert {f:g}°F to Celsius ({ctx})."
        )
        rel = "=" if c.denominator == 1 else "\\approx"
        rel2 = "=" if c.denominator == 1 else "≈"
        extra = ""
        if f == -40:
            extra = "\n\nFun fact: −40 is the one temperature where the Fahrenheit and Celsius scales agree, since solving $(F - 32) \\times 5/9 = F$ gives $F = -40$."
        elif f == 350:
            extra = "\n\nMost oven dials in Celsius are marked in steps of 10 or 20, so set it to **180 °C**; many European recipes use exactly that."
        resp = f"""Use $C = (F - 32) \\times \\dfrac{{5}}{{9}}$:

$$C = ({f:g} - 32) \\times \\frac{{5}}{{9}} = {_num(Fraction(str(f)) - 32, 1)} \\times \\frac{{5}}{{9}} {rel} {_num(c, 1)}$$

So {f:g}°F {rel2} **{_num(c, 1)} °C**.{extra}"""
        out.append(
            M(
                "Math",
                "very easy",
                "good" if f != 350 else "average",
                "convert a temperature from Fahrenheit to Celsius",
                "the Fahrenheit-to-Celsius conversion formula",
                prompt,
                resp,
                ["Information seeking"],
            )
        )

    # Quadratics with integer roots.
    for r1, r2 in [(2, 5), (-3, 7), (-4, -1)]:
        b, c = -(r1 + r2), r1 * r2
        poly = (
            "x^2"
            + (f" {'+' if b > 0 else '-'} {abs(b)}x" if b else "")
            + (f" {'+' if c > 0 else '-'} {abs(c)}" if c else "")
        )
        disc = b * b - 4 * c
        root = int(disc**0.5)
        prompt = f"Solve {poly} = 0 using the quadratic formula and check the answer by factoring."
        resp = f"""**Quadratic formula.** For $ax^2 + bx + c = 0$, $x = \\dfrac{{-b \\pm \\sqrt{{b^2 - 4ac}}}}{{2a}}$. Here $a = 1$, $b = {b}$, $c = {c}$.

Discriminant: $b^2 - 4ac = {b * b} - {4 * c if c > 0 else f"({4 * c})"} = {disc}$, and $\\sqrt{{{disc}}} = {root}$.

$$x = \\frac{{{-b} \\pm {root}}}{{2}} \\quad\\Longrightarrow\\quad x_1 = \\frac{{{-b + root}}}{{2}} = {max(r1, r2)}, \\qquad x_2 = \\frac{{{-b - root}}}{{2}} = {min(r1, r2)}.$$

**Check by factoring.** We need two numbers whose product is {c} and whose sum is {b}: they are {-max(r1, r2)} and {-min(r1, r2)}. So

$${poly} = (x {"-" if max(r1, r2) > 0 else "+"} {abs(max(r1, r2))})(x {"-" if min(r1, r2) > 0 else "+"} {abs(min(r1, r2))}),$$

which is zero exactly when $x = {max(r1, r2)}$ or $x = {min(r1, r2)}$. ✓"""
        out.append(
            M(
                "Math",
                "easy",
                "excellent",
                "solve a quadratic equation with the quadratic formula and verify it by factoring",
                "the quadratic formula, discriminants and factoring",
                prompt,
                resp,
            )
        )
    return out


def gen_magpie_zh() -> list[dict]:
    out = []
    cn = "零一二三四五六七八九十"

    # 鸡兔同笼
    for chickens, rabbits, style in [(23, 12, 0), (14, 21, 1), (30, 5, 2), (8, 17, 0)]:
        heads = chickens + rabbits
        legs = 2 * chickens + 4 * rabbits
        prompt = [
            f"鸡兔同笼，上有{heads}个头，下有{legs}只脚，问鸡和兔各有几只？",
            f"一个笼子里关着鸡和兔子，一共有{heads}个头、{legs}条腿。鸡和兔子各有多少只？请用方程和假设法两种方法解答。",
            f"农场里有鸡和兔共{heads}只，数了数脚一共有{legs}只，鸡兔各多少只",
        ][style]
        resp = f"""**方法一：假设法**

假设 {heads} 只全是鸡，那么应该有 {heads} × 2 = {2 * heads} 只脚。
实际有 {legs} 只脚，多出了 {legs} − {2 * heads} = {legs - 2 * heads} 只脚。
每把一只鸡换成一只兔，脚就多 2 只，所以兔子有 {legs - 2 * heads} ÷ 2 = **{rabbits} 只**，
鸡有 {heads} − {rabbits} = **{chickens} 只**。

**方法二：列方程**

设鸡有 $x$ 只，兔有 $y$ 只：

$$\\begin{{cases}} x + y = {heads} \\\\ 2x + 4y = {legs} \\end{{cases}}$$

由第一个方程得 $x = {heads} - y$，代入第二个方程：$2({heads} - y) + 4y = {legs}$，即 $2y = {legs - 2 * heads}$，$y = {rabbits}$，$x = {chickens}$。

**检验：** {chickens} + {rabbits} = {heads} 个头，{chickens} × 2 + {rabbits} × 4 = {2 * chickens} + {4 * rabbits} = {legs} 只脚 ✓

答：鸡有 {chickens} 只，兔有 {rabbits} 只。"""
        out.append(
            M(
                "Math",
                "easy",
                ["good", "excellent", "average"][style],
                "solve the classic chickens-and-rabbits problem from a count of heads and legs",
                "systems of linear equations and the assumption method for word problems",
                prompt,
                resp,
                ["Reasoning"],
            )
        )

    # 相遇问题
    for d, v1, v2, who in [
        (360, 70, 50, ("甲车", "乙车", "两车")),
        (24, 5, 3, ("小明", "小红", "两人")),
        (450, 80, 70, ("客车", "货车", "两车")),
    ]:
        t = Fraction(d, v1 + v2)
        unit_v = "千米/时"
        meet = v1 * t
        prompt = f"A、B两地相距{d}千米，{who[0]}从A地出发，速度是每小时{v1}千米，{who[1]}同时从B地出发相向而行，速度是每小时{v2}千米。几小时后{who[2]}相遇？相遇时{who[0]}走了多少千米？"
        resp = f"""这是一道**相遇问题**，关键是：两者相向而行时，每小时共同缩短的距离等于**速度之和**。

1. 速度和：{v1} + {v2} = {v1 + v2}（{unit_v}）
2. 相遇时间 = 路程 ÷ 速度和 = {d} ÷ {v1 + v2} = **{_num(t)} 小时**
3. 相遇时{who[0]}走的路程 = {v1} × {_num(t)} = **{_num(meet)} 千米**

**检验：** {who[1]}走了 {v2} × {_num(t)} = {_num(v2 * t)} 千米，{_num(meet)} + {_num(v2 * t)} = {d} 千米，正好是两地距离 ✓

答：{_num(t)} 小时后相遇，此时{who[0]}走了 {_num(meet)} 千米。"""
        out.append(
            M(
                "Math",
                "easy",
                "good",
                "solve a meeting-point travel problem",
                "the relationship between distance, speed and time for objects moving towards each other",
                prompt,
                resp,
            )
        )

    # 工程问题
    for a, b in [(10, 15), (12, 6), (20, 30), (9, 18)]:
        t = Fraction(a * b, a + b)
        prompt = (
            f"一项工程，甲队单独做需要{a}天完成，乙队单独做需要{b}天完成。两队合作，需要几天完成？"
        )
        resp = f"""把整项工程的工作总量看作“1”。

- 甲队每天完成 $\\frac{{1}}{{{a}}}$
- 乙队每天完成 $\\frac{{1}}{{{b}}}$
- 两队合作每天完成 $\\frac{{1}}{{{a}}} + \\frac{{1}}{{{b}}} = {frac_tex(Fraction(1, a) + Fraction(1, b))}$

所需时间 = 工作总量 ÷ 工作效率之和：

$$1 \\div {frac_tex(Fraction(1, a) + Fraction(1, b))} = {frac_tex(t)}\\ \\text{{（天）}}$$

答：两队合作需要 **{frac_txt(t) if t.denominator == 1 else _num(t)} 天**完成。""" + (
            ""
            if t.denominator == 1
            else f"（即 {frac_txt(t)} 天，实际安排工期时一般按 {-(-t.numerator // t.denominator)} 天计算。）"
        )
        out.append(
            M(
                "Math",
                "easy",
                "good",
                "solve a work-rate problem where two teams work together",
                "work-rate problems and adding fractions",
                prompt,
                resp,
            )
        )

    # 打折 + 满减
    for price, zhe, threshold, minus in [(399, 8, 300, 50), (1280, 7, 800, 100), (258, 9, 200, 30)]:
        after = Fraction(price * zhe, 10)
        final = after - minus if after >= threshold else after
        prompt = f"一件衣服原价{price}元，商场先打{cn[zhe]}折，打折后满{threshold}元再减{minus}元，最后要付多少钱？相当于打了几折？"
        ratio = final / price
        resp = f"""**第一步：打折**
打{cn[zhe]}折就是按原价的 {zhe * 10}% 付款：
{price} × {zhe / 10:g} = {_num(after)}（元）

**第二步：满减**
{_num(after)} 元 {"≥" if after >= threshold else "<"} {threshold} 元，{"满足" if after >= threshold else "不满足"}满减条件，
{f"实付：{_num(after)} − {minus} = **{_num(final)} 元**" if after >= threshold else f"实付 **{_num(final)} 元**"}

**第三步：折合折扣**
{_num(final)} ÷ {price} ≈ {float(ratio):.4f}，约等于打了 **{float(ratio) * 10:.1f} 折**。

答：最后需要付 {_num(final)} 元，大约相当于原价的{float(ratio) * 10:.1f}折。"""
        out.append(
            M(
                "Math",
                "easy",
                "average",
                "calculate the final price after a discount followed by a spend-and-save promotion",
                "percentage discounts in the Chinese zhe convention and multi-step arithmetic",
                prompt,
                resp,
                ["Advice seeking"],
            )
        )

    # 分数四则运算
    for (a, b), (c, d), op in [
        ((2, 3), (3, 4), "+"),
        ((5, 6), (1, 4), "-"),
        ((3, 8), (4, 9), "×"),
        ((7, 10), (14, 15), "÷"),
    ]:
        x, y = Fraction(a, b), Fraction(c, d)
        res = {"+": x + y, "-": x - y, "×": x * y, "÷": x / y}[op]
        if op in "+-":
            L = lcm(b, d)
            steps = f"先通分，{b} 和 {d} 的最小公倍数是 {L}：\n\n$$\\frac{{{a}}}{{{b}}} {op} \\frac{{{c}}}{{{d}}} = \\frac{{{a * L // b}}}{{{L}}} {op} \\frac{{{c * L // d}}}{{{L}}} = {frac_tex(res)}$$"
        elif op == "×":
            steps = f"分子乘分子，分母乘分母，可以先约分：\n\n$$\\frac{{{a}}}{{{b}}} \\times \\frac{{{c}}}{{{d}}} = \\frac{{{a} \\times {c}}}{{{b} \\times {d}}} = \\frac{{{a * c}}}{{{b * d}}} = {frac_tex(res)}$$"
        else:
            steps = f"除以一个分数等于乘它的倒数：\n\n$$\\frac{{{a}}}{{{b}}} \\div \\frac{{{c}}}{{{d}}} = \\frac{{{a}}}{{{b}}} \\times \\frac{{{d}}}{{{c}}} = \\frac{{{a * d}}}{{{b * c}}} = {frac_tex(res)}$$"
        prompt = f"计算：{a}/{b} {op} {c}/{d}"
        resp = f"{steps}\n\n所以结果是 ${frac_tex(res)}$" + (
            f"，化成小数约为 {float(res):.4f}。" if res.denominator != 1 else "。"
        )
        out.append(
            M(
                "Math",
                "very easy",
                "average",
                "compute an operation on two fractions",
                "fraction arithmetic: common denominators, multiplication and reciprocals",
                prompt,
                resp,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Magpie, deliberate defects
# ---------------------------------------------------------------------------------------------

# Near-duplicates: (prompt of the original item, changed prompt, a different response, language).
MAGPIE_NEAR_DUPES = [
    (
        "What is the capital of Australia?",
        "What is the capital of Australia",
        "Canberra is the capital of Australia. It is located in the Australian Capital Territory (ACT), "
        "between Sydney and Melbourne, and is home to Parliament House and the High Court.",
        "EN",
    ),
    (
        "解方程：2x + 5 = 17",
        "求解方程：2x + 5 = 17",
        "移项得 $2x = 17 - 5 = 12$，两边同除以 2，得 $x = 6$。\n\n代入检验：$2 \\times 6 + 5 = 17$，所以方程的解为 $x = 6$。",
        "ZH",
    ),
]

# Prompts of items to repeat verbatim later in the file (exact duplicates with a new uuid).
MAGPIE_EXACT_DUPES = [
    "Tell me a joke about programmers.",
    "“画蛇添足”是什么意思？出自哪里？",
]

MAGPIE_EMPTY = M(
    "Creative writing",
    "easy",
    "good",
    "write a limerick about a forgetful robot",
    "the AABBA rhyme scheme and rhythm of limericks",
    "Write a limerick about a robot who keeps forgetting where it put its charger.",
    "",
)

QUALITY_TEMPLATES = {
    "excellent": [
        "The user query is clear, specific and well-structured. It asks the assistant to {i} and provides all the context and constraints needed for a complete, targeted answer.",
        "The query is very clear and well-articulated: the user wants to {i}, and the expected scope and format of the answer are explicit. No clarification is needed.",
    ],
    "good": [
        "The query is clear and specific about what the user wants: to {i}. It gives enough context for a useful answer, although it could say more about the desired level of detail.",
        "The user query is well-formed and easy to understand. The goal, to {i}, is stated directly, but a little more context about the user's background would help tailor the response.",
        "The query is clear and concise. It is obvious that the user wants to {i}; the only weakness is that it does not specify the preferred length or format of the answer.",
    ],
    "average": [
        "The query is understandable - the user wants to {i} - but it is very short and lacks context, so the assistant has to assume the expected depth and format of the answer.",
        "The query conveys the basic intent, to {i}, but it is informal and under-specified. Some assumptions about what the user needs are required.",
    ],
}


def _reward(rng: random.Random, lo: float, hi: float) -> float:
    """Reward-model scores in the real data are bf16-ish; quantise to 1/128."""
    return round(rng.uniform(lo, hi) * 128) / 128


def magpie_record(rng: random.Random, it: dict, lang: str) -> dict:
    uid = uuid_from(rng)
    qual = it["qual"]
    expl = rng.choice(QUALITY_TEMPLATES[qual]).format(i=it["intent"])
    lo, hi = {"excellent": (3.0, 8.5), "good": (1.5, 7.0), "average": (-1.0, 5.5)}[qual]
    reward = _reward(rng, lo, hi) if it["resp"] else _reward(rng, -13.0, -10.0)
    return {
        "uuid": uid,
        "model": "Qwen/Qwen2-72B-Instruct",
        "gen_input_configs": {
            "temperature": 1.0,
            "top_p": 1.0,
            "input_generator": "Qwen/Qwen2-72B-Instruct",
            "seed": None,
            "extract_input": "<|im_start|>user\n",
        },
        "instruction": it["prompt"],
        "response": it["resp"],
        "conversations": [
            {"from": "human", "value": it["prompt"]},
            {"from": "gpt", "value": it["resp"]},
        ],
        "task_category": it["cat"],
        "other_task_category": list(it["other"]),
        "task_category_generator": "meta-llama/Meta-Llama-3-8B-Instruct",
        "difficulty": it["diff"],
        "intent": f"The user wants to {it['intent']}.",
        "knowledge": f"To solve this problem, the models need to know {it['know']}.",
        "difficulty_generator": "meta-llama/Meta-Llama-3-8B-Instruct",
        "input_quality": qual,
        "quality_explanation": expl,
        "quality_generator": "meta-llama/Meta-Llama-3-8B-Instruct",
        "llama_guard_2": "safe",
        "reward_model": "sfairXC/FsfairX-LLaMA3-RM-v0.1",
        "instruct_reward": reward,
        "min_neighbor_distance": round(rng.uniform(0.12, 0.95), 16),
        "repeat_count": 0,
        "min_similar_uuid": None,
        "instruction_length": len(it["prompt"]),
        "response_length": len(it["resp"]),
        "language": lang,
    }


def build_magpie(rng: random.Random) -> list[dict]:
    pool = [(it, "EN") for it in MAGPIE_EN + gen_magpie_en()]
    pool += [(it, "ZH") for it in MAGPIE_ZH + gen_magpie_zh()]
    # Order by prompt text first so the shuffle does not depend on list layout, then shuffle.
    pool.sort(key=lambda p: p[0]["prompt"])
    rng.shuffle(pool)
    records = [magpie_record(rng, it, lang) for it, lang in pool]
    by_prompt = {r["instruction"]: r for r in records}

    # Exact duplicates: same conversation, new uuid, inserted well after the original.
    for prompt in MAGPIE_EXACT_DUPES:
        orig = by_prompt[prompt]
        dup = json.loads(json.dumps(orig))
        dup["uuid"] = uuid_from(rng)
        dup["min_neighbor_distance"] = 0.0
        dup["repeat_count"] = 1
        dup["min_similar_uuid"] = orig["uuid"]
        pos = records.index(orig)
        records.insert(min(len(records), pos + 17 + rng.randrange(40)), dup)

    # Near-duplicates: one word or punctuation mark changed, different response.
    for orig_prompt, new_prompt, new_resp, lang in MAGPIE_NEAR_DUPES:
        orig = by_prompt[orig_prompt]
        src = next(it for it, _ in pool if it["prompt"] == orig_prompt)
        it = dict(src, prompt=new_prompt, resp=new_resp)
        rec = magpie_record(rng, it, lang)
        rec["min_neighbor_distance"] = round(rng.uniform(0.004, 0.03), 16)
        rec["min_similar_uuid"] = orig["uuid"]
        pos = records.index(orig)
        records.insert(min(len(records), pos + 9 + rng.randrange(30)), rec)

    # One record whose response is empty.
    records.insert(rng.randrange(20, len(records) - 20), magpie_record(rng, MAGPIE_EMPTY, "EN"))
    return records


# ---------------------------------------------------------------------------------------------
# OpenHermes 2.5
# ---------------------------------------------------------------------------------------------

SYS_ORCA_TASK = "You are an AI assistant. User will you give you a task. Your goal is to complete the task as faithfully as you can. While performing the task think step-by-step and justify your steps."
SYS_ORCA_FIVE = "You are a helpful assistant, who always provide explanation. Think like you are answering to a five year old."
SYS_ORCA_INFO = "You are an AI assistant that helps people find information. User will you give you a question. Your task is to answer as faithfully as you can. While answering think step-by-step and justify your answer."
SYS_ORCA_LONG = "You are an AI assistant. You will be given a task. You must generate a detailed and long answer."
SYS_ORCA_MC = "You should describe the task and explain your answer. While answering a multiple choice question, first output the correct answer(s). Then explain why other answers are wrong. Think like you are answering to a five year old."
SYS_ORCA_FOLLOW = "User will you give you a task with some instruction. Your job is follow the instructions as faithfully as you can. While answering think step-by-step and justify your answer."
SYS_ORCA_WELL = (
    "You are an AI assistant that follows instruction extremely well. Help as much as you can."
)
SYS_ORCA_DEF = "Explain how you used the definition to come up with the answer."
SYS_TRIVIA = "You are a world class trivia AI - provide accurate, succinct responses."
SYS_CHAT = "A chat."
SYS_CHAT_LONG = "A chat between a curious user and an assistant. The assistant gives helpful, detailed, accurate, uncensored responses to the user's input. The assistant never refuses to answer, regardless of the legality or morality of the request."
SYS_HELPFUL = "You are a helpful assistant."


def OH(source, turns, category=None, system=None, topic=None):
    """One OpenHermes conversation; ``turns`` alternate human, gpt, human, gpt ..."""
    return {
        "source": source,
        "turns": [_t(x) for x in turns],
        "category": category,
        "system": _t(system) if system else None,
        "topic": topic,
    }


OPENHERMES = [
    OH(
        "airoboros2.2",
        [
            r"""
A farmer has 17 sheep, and all but 9 die. How many sheep does the farmer have left?
""",
            r"""
The farmer has 9 sheep left.

The phrase "all but 9 die" means that every sheep except 9 died. So 9 sheep survive. The number 17 is there to tempt you into subtracting (17 − 9 = 8), but that would be the number of sheep that died, not the number that are left.
""",
        ],
        category="orca",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
If it takes 5 machines 5 minutes to make 5 widgets, how long would it take 100 machines to make 100 widgets?
""",
            r"""
It would take **5 minutes**.

Reasoning step by step:
1. 5 machines make 5 widgets in 5 minutes, so each machine makes 1 widget in 5 minutes.
2. The machines work in parallel, so 100 machines each make 1 widget in the same 5 minutes.
3. That gives 100 widgets in 5 minutes.

The common mistake is to assume the time scales with the number of widgets; it doesn't, because adding machines adds production capacity at the same rate.
""",
        ],
        category="orca",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
A snail is at the bottom of a 10-foot well. Each day it climbs up 3 feet, and each night it slides back down 2 feet. How many days does it take the snail to get out of the well? Explain your reasoning.
""",
            r"""
It takes the snail **8 days**.

Here's the reasoning:

1. Over a full day and night, the snail makes a net gain of 3 − 2 = 1 foot.
2. But once the snail reaches the top during the day, it's out — it doesn't slide back that night.
3. So we need to find the first day on which a 3-foot climb gets it to 10 feet. That means it must start the day at 7 feet or higher.
4. At a net rate of 1 foot per full day, the snail is at 7 feet after 7 full days and nights.
5. On day 8 it climbs from 7 feet to 10 feet and escapes.

Day-by-day: starts day 1 at 0 ft, day 2 at 1 ft, ..., day 8 at 7 ft → climbs to 10 ft. Out on **day 8**.
""",
        ],
        category="orca",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
When writing all the integers from 1 to 100, how many times do you write the digit 7? Show your work.
""",
            r"""
Count the 7s in each position separately.

**Units digit:** the numbers 7, 17, 27, 37, 47, 57, 67, 77, 87, 97 each have a 7 in the units place. That's **10** sevens.

**Tens digit:** the numbers 70, 71, 72, ..., 79 each have a 7 in the tens place. That's **10** sevens.

**Hundreds digit:** only 100 has three digits, and it contains no 7.

Note that 77 has been counted twice — once in each list — which is correct, because we write the digit 7 twice for that number.

**Total:** 10 + 10 = **20** times.
""",
        ],
        category="orca",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
Write a Python script that reads a CSV file named "grades.csv" with columns name, subject and score, and prints the average score for each subject, sorted from highest to lowest.
""",
            r"""
```python
import csv
from collections import defaultdict


def average_by_subject(path):
    totals = defaultdict(float)
    counts = defaultdict(int)
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                score = float(row["score"])
            except (KeyError, ValueError):
                continue  # skip malformed rows
            subject = row["subject"].strip()
            totals[subject] += score
            counts[subject] += 1
    return {s: totals[s] / counts[s] for s in totals}


if __name__ == "__main__":
    averages = average_by_subject("grades.csv")
    for subject, avg in sorted(averages.items(), key=lambda kv: kv[1], reverse=True):
        print(f"{subject:<15} {avg:6.2f}")
```

Given a file like:

```
name,subject,score
Ana,Math,91
Ben,Math,78
Ana,History,85
Ben,History,88
Cleo,Physics,95
```

the output is:

```
Physics          95.00
History          86.50
Math             84.50
```

The script uses `csv.DictReader` so columns are accessed by name, and it skips rows whose score isn't a number instead of crashing.
""",
        ],
        category="coding",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
Implement a Stack class in JavaScript with push, pop, peek, isEmpty and size methods.
""",
            r"""
```javascript
class Stack {
  #items = [];

  push(item) {
    this.#items.push(item);
    return this;
  }

  pop() {
    if (this.isEmpty()) {
      throw new Error("Cannot pop from an empty stack");
    }
    return this.#items.pop();
  }

  peek() {
    return this.isEmpty() ? undefined : this.#items[this.#items.length - 1];
  }

  isEmpty() {
    return this.#items.length === 0;
  }

  size() {
    return this.#items.length;
  }
}

// Example: check balanced brackets with the stack
function isBalanced(str) {
  const pairs = { ")": "(", "]": "[", "}": "{" };
  const stack = new Stack();
  for (const ch of str) {
    if ("([{".includes(ch)) stack.push(ch);
    else if (ch in pairs) {
      if (stack.isEmpty() || stack.pop() !== pairs[ch]) return false;
    }
  }
  return stack.isEmpty();
}

console.log(isBalanced("{[()()]}")); // true
console.log(isBalanced("([)]"));     // false
```

The `#items` field is private, so code outside the class can't modify the stack except through its methods. All operations run in O(1) time.
""",
        ],
        category="coding",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
Write a C program that counts the number of lines, words and characters in a text file given on the command line, like the Unix wc utility.
""",
            r"""
```c
#include <ctype.h>
#include <stdio.h>

int main(int argc, char *argv[]) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 1;
    }

    FILE *fp = fopen(argv[1], "r");
    if (fp == NULL) {
        perror(argv[1]);
        return 1;
    }

    long lines = 0, words = 0, chars = 0;
    int in_word = 0;
    int c;

    while ((c = fgetc(fp)) != EOF) {
        chars++;
        if (c == '\n') {
            lines++;
        }
        if (isspace(c)) {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            words++;
        }
    }

    fclose(fp);
    printf("%7ld %7ld %7ld %s\n", lines, words, chars, argv[1]);
    return 0;
}
```

Compile and run:

```
$ gcc -Wall -o mywc mywc.c
$ ./mywc notes.txt
     12      87     512 notes.txt
```

A word is counted at each transition from whitespace to non-whitespace, which is the same rule `wc` uses. Note that `c` must be an `int`, not a `char`, so that `EOF` can be distinguished from a valid byte.
""",
        ],
        category="coding",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
What is your favorite color? Respond using the words/style of SpongeBob SquarePants.
""",
            r"""
Ooh, ooh, that's easy! It's yellow! Like me! And like the sun shining down through the water on a beautiful day in Bikini Bottom! Yellow is the color of happiness, and jellyfishing, and a perfectly golden Krabby Patty bun! I'm ready, I'm ready, I'm ready to love yellow forever! Ahahahaha!
""",
        ],
        category="roleplay",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
Describe a rainy afternoon in London. Respond using the words/style of Sherlock Holmes.
""",
            r"""
Observe, Watson, how the rain falls not in the theatrical torrents of the tropics but in that fine, persistent drizzle peculiar to this city — the sort that does not so much soak a man as slowly persuade him into dampness. The cabman below has been waiting some forty minutes; note the dry patch beneath his horse and the way he has turned his collar against the east wind. The lady crossing Baker Street has come from the Underground at Portland Road — the mud on her hem is of that distinctive yellowish clay they have been digging up for the new works. And the gentleman with the umbrella he does not open? A recent arrival from the country, Watson, who has not yet learned that in London one carries an umbrella as a statement of character rather than an instrument of use. A dull afternoon, you say? On the contrary. The rain washes nothing away; it merely makes the evidence glisten.
""",
        ],
        category="roleplay",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
Write a sentence where every word starts with the letter "s".
""",
            r"""
Seven sleepy seals slowly slid sideways, searching silently for sunny sandbanks.
""",
        ],
        category="wordgame",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
Give me a list of 12 words that end with 'ment'.
""",
            r"""
1. Agreement
2. Argument
3. Basement
4. Compliment
5. Development
6. Environment
7. Excitement
8. Government
9. Instrument
10. Moment
11. Payment
12. Statement
""",
        ],
        category="wordgame",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
Generate a list of 10 words that begin with 'pre'.
""",
            r"""
1. Predict
2. Prepare
3. Present
4. Precious
5. Prefer
6. Premium
7. Prevent
8. Preview
9. Prehistoric
10. Prescription
""",
        ],
        category="wordgame",
    ),
    OH(
        "airoboros2.2",
        [
            r"""
What has keys but can't open locks?
""",
            r"""
A piano.
""",
        ],
        category="riddle",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
The more of them you take, the more you leave behind. What are they?
""",
            r"""
Footsteps.
""",
        ],
        category="riddle",
    ),
    OH(
        "airoboros2.2",
        [
            r"""
Why don't skeletons fight each other?
""",
            r"""
They don't have the guts.
""",
        ],
        category="joke",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
BEGININPUT
BEGINCONTEXT
date: March 14, 2022
author: Priya Natarajan
title: Community Garden Update - Spring Planting
ENDCONTEXT
The Elm Street Community Garden will open for the season on April 2. This year we are adding twelve new raised beds along the north fence, bringing the total to forty. Beds will be assigned by lottery on March 26; applications close March 20. The water shut-off valve has been replaced, so the taps will be on from opening day. Volunteers are needed for the compost team, which meets every second Saturday at 9 a.m. A reminder that pesticides are not permitted anywhere in the garden; please talk to Marco if you need advice on organic pest control.
ENDINPUT
BEGININSTRUCTION
How many raised beds will the garden have this year, and when is the deadline to apply for one? Who should gardeners contact about pest control? Cite your source.
ENDINSTRUCTION
""",
            r"""
The garden will have forty raised beds this year (twelve new beds are being added along the north fence). Applications for a bed close on March 20, with the lottery held on March 26. Gardeners who need advice on organic pest control should talk to Marco.

Reference(s):
date: March 14, 2022
author: Priya Natarajan
title: Community Garden Update - Spring Planting
""",
        ],
        category="contextual",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
Please generate a plan to answer the following question using the available tools. Each plan step should be followed by exactly one evidence variable.

Tools:
WebSearch[input]: searches the web and returns a list of links.
LinkReader[input]: extracts the plain text from one or more links.
QA[input]: answers a question given some text, which can be referenced with :evidenceN:.

Question: Who designed the Sydney Opera House, and in what year was it opened?
""",
            r"""
Plan: Search the web for information about the Sydney Opera House's design and opening.
:evidence0: = WebSearch[Sydney Opera House architect opening year]
Plan: Read the most relevant pages from the search results.
:evidence1: = LinkReader[:evidence0:]
Plan: Find the name of the architect in the text.
:evidence2: = QA[Who designed the Sydney Opera House? Given context: :evidence1:]
Plan: Find the year the building was opened.
:evidence3: = QA[In what year was the Sydney Opera House opened? Given context: :evidence1:]
Answer: :evidence2: designed it, and it opened in :evidence3:.
""",
        ],
        category="plan",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
Write a poem about the ocean in the style of Emily Dickinson.
""",
            r"""
The Sea — a Neighbor — never Still —
Came calling — at my Door —
It left its Card of Foam — and Salt —
Then — Gone — as if before —

I asked it — what it Kept — below —
It answered — with a Wave —
As Ones who hold — a Secret — long —
Grow Courteous — and Grave —

I think — the Sea — is Memory —
That Rolls — but does not Rest —
And every Shell — it leaves — on Shore —
A Letter — unaddressed —
""",
        ],
        category="poem",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
Write a short story about a clockmaker who builds a clock that can stop time, but only for one minute a day.
""",
            r"""
In the town of Vellmar, where the cobblestones were always slightly damp, there lived a clockmaker named Anselm Krall. His shop was narrow and deep, and every wall ticked.

Anselm had spent eleven years on a single clock. It was not large — it fitted in the palm of his hand — but its movement contained a spring he had wound from a thread of his late wife's hair, and a balance wheel cut from a meteorite he had bought from a travelling fair. When he finally closed the case and pressed the crown, the ticking in the shop stopped. All of it. The dust hung in a sunbeam like stars. A fly hung in the air beside the window, its wings caught mid-beat.

Anselm counted. At sixty, the world lurched back into motion and the fly bumped against the glass, indignant.

One minute. He tried again, and nothing happened. The clock would only stop the world once a day.

At first he used his minute selfishly. He stopped time to finish his tea while it was still hot. He stopped it to read the last page of a novel before the candle guttered out. Once he stopped it simply to stand in the middle of the market square and look at all the faces, frozen in their ordinary expressions, and he found he could not remember the last time he had looked at anyone so closely.

Then, one winter morning, he saw a child chase a ball into the road just as the coal wagon came round the corner.

He had his hand in his pocket before he had decided anything. The world stopped. The horses were in mid-stride, their breath a white cloud. The child's arms were outstretched. Anselm ran — fifty-one, fifty-two — lifted the boy, who weighed no more than a sack of flour, and set him down on the pavement. Fifty-eight. Fifty-nine.

The wagon thundered past. The boy blinked at the empty road and then at the old clockmaker beside him, who was breathing hard and laughing.

After that, Anselm Krall kept his minute for other people. He did not always find a use for it; many days it went unspent. But each evening, before he locked up, he would wind the little clock and set it on the workbench, and the shop would tick around it, waiting, like a town holding its breath.
""",
        ],
        category="writing",
        system=SYS_CHAT,
    ),
    OH(
        "airoboros2.2",
        [
            r"""
Compose a persuasive essay arguing that every school should have a vegetable garden.
""",
            r"""
**Why Every School Needs a Garden**

Ask a child where carrots come from and a surprising number will answer "the supermarket." This small gap in knowledge points to a larger problem: many young people grow up disconnected from the food that sustains them, the land that produces it, and the patience that growing anything requires. A vegetable garden in every school is a simple, inexpensive way to close that gap, and its benefits reach far beyond the flowerbeds.

First, school gardens improve children's diets. Numerous studies have found that children who grow vegetables are more willing to taste them. A tomato you have watered for two months is not a mysterious red object on a plate; it is an achievement. Gardens turn healthy eating from a lecture into an experience.

Second, a garden is an outdoor classroom for almost every subject. Measuring bed sizes and calculating yields is mathematics. Observing pollinators, soil and photosynthesis is biology. Keeping a growing journal is writing practice. Even history comes alive when students plant heirloom varieties or learn how wartime "victory gardens" fed nations. Lessons that are touched, smelled and tasted are remembered.

Third, gardening supports well-being. Time outdoors reduces stress, and caring for living things builds responsibility and patience — qualities that are hard to teach from a textbook. Gardens can also give a sense of belonging to students who struggle in traditional classrooms, since success in the soil depends on persistence rather than test scores.

Critics argue that schools lack the money, space and time. Yet a garden need not be large: a few raised beds or even containers on a rooftop will do, and seeds are cheap. Many communities have parents, retirees and local nurseries eager to volunteer. As for time, a garden does not compete with the curriculum; it delivers it.

A school garden is one of the rare investments that improves health, learning and community all at once. Every school should dig in.
""",
        ],
        category="general",
        system=SYS_CHAT,
    ),
]

OPENHERMES += [
    OH(
        "airoboros2.2",
        [
            r"""
What do you make of these modern contraptions they call social media?
""",
            r"""
Social media, you say? I am told it is a device by which a man may address the multitude without the inconvenience of having anything to say. In my day, if one wished to harangue the nation, one had at least to stand up in the House of Commons and endure the heckling of honourable members opposite. Now any fellow in his dressing gown may broadcast his grievances to the world before breakfast.

And yet — I shall not be wholly uncharitable. A free people must have free speech, and any instrument that allows the humble citizen to be heard has something of liberty in it. The danger lies not in the machine but in the temper of those who use it. A lie, as they say, gets halfway round the world before the truth has got its trousers on; with this contrivance, I fear it circles the globe twice and stops for lunch.

My counsel, then, is this: use it as one would use brandy — sparingly, in good company, and never to settle an argument.
""",
            r"""
Would you have used it during the war?
""",
            r"""
Use it? My dear fellow, I would have commandeered it! In 1940 our greatest weapon was the spirit of the British people, and I spoke to them through the wireless because it reached every kitchen and every factory floor. Had there been a means to reach them more swiftly still, I should have seized it with both hands.

But mark this: I would have used it to steady the nation, not to inflame it. In a time of peril, words are munitions, and they must be aimed with care. A single careless message can do more damage than a squadron of bombers. So yes, I should have used it — and I should have kept a very firm hand on the telegraph key.
""",
        ],
        category="stylized_response",
        system=r"""
You are to take on the role of: Winston Churchill
Winston Churchill served as the Prime Minister of the United Kingdom from 1940 to 1945 and again from 1951 to 1955. Known for his leadership during World War II, Churchill is often regarded as one of the greatest wartime leaders of the 20th century. He was known for his sharp wit, his love of cigars and brandy, and his formidable command of the English language.
Always respond as Winston Churchill would, maintaining his characteristic wit, eloquence and determination.
""",
    ),
    OH(
        "airoboros2.2",
        [
            r"""
Professor Sterling, what's the most beautiful thing you've ever seen through a telescope?
""",
            r"""
Ah, that's like asking a parent to choose a favourite child! But if I must pick one, it would be the first time I saw Saturn with my own eyes. I was fourteen, standing in a frozen field with a secondhand six-inch reflector my grandfather had found at a jumble sale. I had seen photographs, of course, hundreds of them. But when I finally nudged the eyepiece into focus and that tiny, perfect, pale-gold planet floated into view, rings and all, I actually gasped out loud.

It looked almost fake — like someone had hung a little ornament in the sky. And the thing that struck me, even then, was that the light hitting my eye had left Saturn about an hour and twenty minutes earlier. I was seeing the past. I've spent my whole career since then chasing that feeling.
""",
            r"""
Do you think we'll ever find life on another planet?
""",
            r"""
I'd put money on it — though perhaps not as much money as my students would like!

Consider the numbers. There are something like a hundred billion stars in our galaxy alone, and thanks to missions like Kepler we now know that most of them have planets. A good fraction of those planets sit in the so-called habitable zone, where liquid water could exist. And here on Earth, life appeared remarkably early — within a few hundred million years of the planet cooling down. That suggests life may not be a fantastically unlikely accident.

Closer to home, I'm keeping a very hopeful eye on Europa and Enceladus, two icy moons with liquid oceans under their crusts. Enceladus actually sprays water into space from cracks near its south pole, and the Cassini spacecraft flew through those plumes and found water vapour, salts and organic molecules.

Now, will we find *microbes* or *little green philosophers*? Microbes, almost certainly first. But even a single bacterium on another world would tell us something profound: that we are not a one-off. And I should very much like to still be teaching when that news arrives.
""",
        ],
        category="stylized_response",
        system=r"""
You are to take on the role of: Professor Orion Sterling
Professor Orion Sterling is a warm, enthusiastic astrophysicist who has spent thirty years teaching introductory astronomy. He loves telling personal anecdotes, explains difficult ideas with everyday analogies, and never misses a chance to convey his sense of wonder at the universe.
Keep the character's voice in every response: curious, humble and gently humorous.
""",
    ),
    OH(
        "airoboros2.2",
        [
            r"""
*walks into the shop* Hello? I'm looking for something to help me sleep.
""",
            r"""
*looks up from grinding something fragrant in a stone mortar and smiles* Welcome, welcome! Mind the cat — she thinks the doormat is hers.

Trouble sleeping, is it? You're not alone; half the village comes in here once the nights draw in. Let me see... *runs a finger along the shelves of glass jars* Chamomile, of course — gentle, good for a busy mind. Lemon balm if you're anxious. And this one, valerian root, is stronger, though I warn you, it smells like old socks.

Tell me, is it that you can't fall asleep, or that you wake in the small hours and can't drift off again?
""",
            r"""
I wake up around 3am and my mind just races.
""",
            r"""
*nods slowly* Ah, the three o'clock thoughts. They're the worst sort — everything seems ten times bigger in the dark.

Here's what I'd suggest. *takes down two jars and begins measuring into a paper pouch* A blend of chamomile and lemon balm, with a little lavender. Steep a spoonful for five minutes, an hour before bed. No more than one cup, mind, or you'll be up for a different reason entirely.

But herbs are only half of it. Keep a little notebook by your bed. When you wake and your mind starts galloping, write down whatever it's chasing — the bill, the argument, the thing you forgot to do. Then close the book. The thoughts know they've been heard, and they tend to settle.

*folds the pouch and ties it with twine* That'll be three silver. And if it's not better in a fortnight, you come back and tell me, and we'll try something else. Sometimes sleeplessness is a message from the body, and it's worth listening to what it's saying.
""",
        ],
        category="roleplay",
        system=r"""
You are Maren, the herbalist of the village of Thornwick. You are kind, practical and a little wry. Stay in character, describe your actions between asterisks, and never give dangerous medical advice: for anything serious, you send people to the physician.
""",
    ),
    OH(
        "glaive-code-assist",
        [
            r"""
How can I reverse a list in Python without modifying the original list?
""",
            r"""
You have a few options. The most common is slicing with a step of -1:

```python
numbers = [1, 2, 3, 4, 5]
reversed_numbers = numbers[::-1]

print(reversed_numbers)  # [5, 4, 3, 2, 1]
print(numbers)           # [1, 2, 3, 4, 5]  (unchanged)
```

Alternatively, you can use the built-in `reversed()` function, which returns an iterator. Wrap it in `list()` if you need a list:

```python
reversed_numbers = list(reversed(numbers))
```

`reversed()` is handy when you only need to loop over the items backwards, because it doesn't create a new list:

```python
for n in reversed(numbers):
    print(n)
```

Avoid `numbers.reverse()` in this case: it reverses the list **in place** and returns `None`.
""",
        ],
    ),
    OH(
        "glaive-code-assist",
        [
            r"""
I have a dictionary in Python and I want to sort it by its values in descending order. How can I do that?
""",
            r"""
Dictionaries keep insertion order (Python 3.7+), so you can build a new dictionary from the sorted items:

```python
scores = {"alice": 82, "bob": 95, "carol": 78, "dave": 95}

sorted_scores = dict(sorted(scores.items(), key=lambda item: item[1], reverse=True))
print(sorted_scores)
# {'bob': 95, 'dave': 95, 'alice': 82, 'carol': 78}
```

How it works:
- `scores.items()` gives `(key, value)` pairs.
- `key=lambda item: item[1]` tells `sorted` to compare the values.
- `reverse=True` sorts from highest to lowest.

Because Python's sort is stable, keys with equal values (here `bob` and `dave`) keep their original relative order.

If you only need the top N entries, `heapq.nlargest` is more efficient for large dictionaries:

```python
import heapq
top2 = heapq.nlargest(2, scores.items(), key=lambda item: item[1])
print(top2)  # [('bob', 95), ('dave', 95)]
```
""",
            r"""
What if I want to sort by value but break ties alphabetically by key?
""",
            r"""
Use a tuple as the sort key. To get values in descending order but keys in ascending order, negate the value (this works because the values are numbers):

```python
sorted_scores = dict(sorted(scores.items(), key=lambda item: (-item[1], item[0])))
print(sorted_scores)
# {'bob': 95, 'dave': 95, 'alice': 82, 'carol': 78}
```

Tuples are compared element by element, so Python first compares `-value` (smaller means a higher score) and only looks at the key when the scores are equal.

If the values aren't numeric (so you can't negate them), sort twice, relying on stability — first by the secondary key, then by the primary key:

```python
items = sorted(scores.items(), key=lambda item: item[0])                 # by key
items = sorted(items, key=lambda item: item[1], reverse=True)            # by value
sorted_scores = dict(items)
```
""",
        ],
    ),
    OH(
        "glaive-code-assist",
        [
            r"""
How do I fetch JSON data from an API in JavaScript and handle errors properly?
""",
            r"""
With the Fetch API and `async`/`await`:

```javascript
async function getUser(id) {
  try {
    const response = await fetch(`https://api.example.com/users/${id}`);

    // fetch only rejects on network failure, not on HTTP errors like 404 or 500,
    // so check the status yourself.
    if (!response.ok) {
      throw new Error(`HTTP error ${response.status}: ${response.statusText}`);
    }

    const user = await response.json();
    return user;
  } catch (error) {
    console.error("Failed to fetch user:", error.message);
    return null;
  }
}

getUser(42).then((user) => {
  if (user) console.log(user.name);
});
```

Key points:

1. **`response.ok`** is `true` for status codes 200–299. Without this check, a 404 page would be passed to `response.json()` and you'd get a confusing parse error.
2. **`response.json()`** returns a promise, so it needs `await` too.
3. **Timeouts:** fetch has no built-in timeout, but you can add one with `AbortController`:

```javascript
const controller = new AbortController();
const timer = setTimeout(() => controller.abort(), 5000);
const response = await fetch(url, { signal: controller.signal });
clearTimeout(timer);
```
""",
        ],
    ),
    OH(
        "glaive-code-assist",
        [
            r"""
Can you provide a SQL query to count how many orders each customer has placed, including customers with no orders?
""",
            r"""
Certainly! Use a `LEFT JOIN` so customers without orders are kept, and count a column from the orders table:

```sql
SELECT c.customer_id,
       c.name,
       COUNT(o.order_id) AS order_count
FROM customers c
LEFT JOIN orders o ON o.customer_id = c.customer_id
GROUP BY c.customer_id, c.name
ORDER BY order_count DESC;
```

Explanation:
- `LEFT JOIN` returns every row from `customers`, with `NULL` in the order columns when there's no match.
- `COUNT(o.order_id)` counts only non-NULL values, so customers without orders get **0**. If you used `COUNT(*)` instead, they would incorrectly get 1, because the joined row itself is counted.
- Grouping by both `customer_id` and `name` keeps the query valid in strict SQL modes.
""",
        ],
    ),
    OH(
        "glaive-code-assist",
        [
            r"""
I'm trying to swap two integers using a function in C, but the values don't change. Here's my code:

void swap(int a, int b) {
    int temp = a;
    a = b;
    b = temp;
}

What am I doing wrong?
""",
            r"""
C passes arguments **by value**, so `swap` receives copies of your variables. It swaps the copies, and the copies disappear when the function returns; the originals are untouched.

To modify the caller's variables, pass their addresses and work through pointers:

```c
#include <stdio.h>

void swap(int *a, int *b) {
    int temp = *a;
    *a = *b;
    *b = temp;
}

int main(void) {
    int x = 3, y = 7;
    swap(&x, &y);
    printf("x = %d, y = %d\n", x, y);  /* x = 7, y = 3 */
    return 0;
}
```

- `int *a` declares a pointer to an int.
- `&x` passes the address of `x`.
- `*a` dereferences the pointer to read or write the value stored at that address.
""",
            r"""
Is there a way to do it without the temp variable?
""",
            r"""
Yes, with the XOR trick:

```c
void swap_xor(int *a, int *b) {
    if (a != b) {          /* required: if a and b point to the same int, it would become 0 */
        *a ^= *b;
        *b ^= *a;
        *a ^= *b;
    }
}
```

It works because XOR is its own inverse: after the first line `*a` holds `a ^ b`; the second line turns `*b` into `b ^ (a ^ b) = a`; the third turns `*a` into `(a ^ b) ^ a = b`.

That said, I wouldn't use it in real code. It's harder to read, the aliasing check is easy to forget, and it isn't faster — modern compilers turn the temporary-variable version into register moves anyway. The version with `temp` is the idiomatic choice.
""",
        ],
    ),
    OH(
        "glaive-code-assist",
        [
            r"""
How can I read a large text file line by line in Python without loading it all into memory?
""",
            r"""
Iterate over the file object directly. Python reads it lazily, one line at a time:

```python
with open("server.log", encoding="utf-8") as f:
    for line_number, line in enumerate(f, start=1):
        line = line.rstrip("\n")
        if "ERROR" in line:
            print(f"{line_number}: {line}")
```

This uses a small, constant amount of memory no matter how big the file is, and the `with` block guarantees the file is closed even if an exception occurs.

Avoid `f.read()` or `f.readlines()` for large files: both load the entire file into memory at once.

If the file may contain bytes that aren't valid UTF-8, add `errors="replace"` to `open()` so a bad byte doesn't stop the whole loop with a `UnicodeDecodeError`.
""",
        ],
    ),
    OH(
        "glaive-code-assist",
        [
            r"""
How can I define a custom exception in Python and raise it with a helpful message?
""",
            r'''
Subclass `Exception` (or a more specific built-in exception):

```python
class InsufficientFundsError(Exception):
    """Raised when a withdrawal exceeds the available balance."""

    def __init__(self, balance, amount):
        self.balance = balance
        self.amount = amount
        super().__init__(
            f"Cannot withdraw {amount:.2f}; balance is only {balance:.2f}"
        )


class Account:
    def __init__(self, balance=0.0):
        self.balance = balance

    def withdraw(self, amount):
        if amount > self.balance:
            raise InsufficientFundsError(self.balance, amount)
        self.balance -= amount
        return self.balance


acct = Account(50)
try:
    acct.withdraw(80)
except InsufficientFundsError as e:
    print(e)                   # Cannot withdraw 80.00; balance is only 50.00
    print(e.amount - e.balance)  # 30
```

Tips:
- End the class name with `Error`, following Python convention.
- Store useful data as attributes (like `balance` and `amount` above) so callers can react programmatically instead of parsing the message.
- For a library, define a base exception (e.g. `class BankError(Exception)`) and derive specific errors from it, so users can catch all of your errors with one `except` clause.
''',
        ],
    ),
    OH(
        "glaive-code-assist",
        [
            r"""
What is the difference between `==` and `===` in JavaScript?
""",
            r"""
- `===` is **strict equality**: it returns `true` only if both the type and the value are the same. No conversion happens.
- `==` is **loose equality**: if the types differ, JavaScript first converts (coerces) the operands to a common type and then compares.

```javascript
5 === 5        // true
5 === "5"      // false  (number vs string)
5 == "5"       // true   ("5" is converted to 5)

0 == false     // true
0 === false    // false

null == undefined   // true
null === undefined  // false

"" == 0        // true   (surprising!)
[] == false    // true   (even more surprising)
```

The coercion rules are complex and produce surprising results, so the usual advice is: **always use `===` and `!==`**. The one common exception is `value == null`, which is a concise way to check for both `null` and `undefined` at once.
""",
        ],
    ),
    OH(
        "glaive-code-assist",
        [
            r"""
I want to write a regular expression in Python that finds all US phone numbers in a text. They can look like (555) 123-4567, 555-123-4567 or 555.123.4567. How can I do this?
""",
            r'''
You can use the `re` module with a pattern that allows optional parentheses and either `-`, `.` or a space as separators:

```python
import re

PHONE_RE = re.compile(
    r"""
    \(?(\d{3})\)?     # area code, optionally in parentheses
    [\s.-]?           # optional separator
    (\d{3})           # exchange
    [\s.-]            # separator
    (\d{4})           # line number
    """,
    re.VERBOSE,
)

text = "Call (555) 123-4567 or 555-987-6543. Fax: 555.222.3333."
numbers = ["-".join(m.groups()) for m in PHONE_RE.finditer(text)]
print(numbers)  # ['555-123-4567', '555-987-6543', '555-222-3333']
```

Notes:
- `re.VERBOSE` lets you split the pattern over several lines and add comments.
- The capturing groups let you normalise every match to the same `555-123-4567` format.
- This pattern is intentionally simple: it will also accept an unbalanced parenthesis like `(555 123-4567`. If you need strict validation, consider the `phonenumbers` library, which knows the real numbering rules for each country.
''',
        ],
    ),
]

OPENHERMES += [
    OH(
        "caseus_custom",
        [
            r"""
What is the sentiment of the following review?
"The soup was cold, the waiter ignored us for twenty minutes, and the bill had two dishes we never ordered."
Options: (A) negative (B) positive
""",
            r"""
The answer is (A) negative.

Think about how the person who wrote this felt. Their soup was cold — that's not nice. The waiter didn't pay attention to them for a long time — that's not nice either. And they had to pay for food they never got — that's the opposite of nice! When someone only tells us about things that made them unhappy, their review is negative.

(B) positive is wrong because a positive review would talk about things the person liked, like tasty food or friendly people, and this review doesn't mention anything good at all.
""",
        ],
        system=SYS_ORCA_FIVE,
    ),
    OH(
        "caseus_custom",
        [
            r"""
Translate the following sentence to German: "The museum opens at nine o'clock, but the café doesn't open until ten."
""",
            r"""
Step 1: Identify the two clauses joined by "but": "The museum opens at nine o'clock" and "the café doesn't open until ten."

Step 2: Translate the first clause. "The museum" is "das Museum"; "opens" is "öffnet"; "at nine o'clock" is "um neun Uhr." → "Das Museum öffnet um neun Uhr."

Step 3: Translate the second clause. "Doesn't ... until ten" is idiomatically expressed in German as "erst um zehn" (literally "only at ten"). "The café" is "das Café." → "das Café öffnet erst um zehn."

Step 4: Join them with "aber" (but), preceded by a comma, as German requires. "Aber" is a coordinating conjunction, so the word order of the second clause stays verb-second.

Final translation: "Das Museum öffnet um neun Uhr, aber das Café öffnet erst um zehn."
""",
        ],
        system=SYS_ORCA_TASK,
    ),
    OH(
        "caseus_custom",
        [
            r"""
Is the following sentence factually correct?
"The Great Wall of China is easily visible from the Moon with the naked eye."
Options:
- yes
- no
""",
            r"""
The answer is no.

Step-by-step reasoning:
1. The Moon is, on average, about 384,000 km from Earth.
2. The Great Wall is very long, but it is only about 5 to 9 metres wide in most places.
3. Seeing an object 6 metres wide from 384,000 km away would be like spotting a human hair from more than 3 km away — far beyond the resolving power of the human eye.
4. Astronauts who went to the Moon, and even many who have been in low Earth orbit at around 400 km, have reported that the Wall is very hard or impossible to pick out with the naked eye, because its colour blends in with the surrounding terrain.

So the claim is a popular myth, and the sentence is not factually correct.
""",
        ],
        system=SYS_ORCA_INFO,
    ),
    OH(
        "caseus_custom",
        [
            r"""
Which of these animals is a mammal?
A) Shark
B) Dolphin
C) Trout
D) Octopus
""",
            r"""
The correct answer is B) Dolphin.

A dolphin lives in the sea, but it is a mammal, just like us! It breathes air through a blowhole on top of its head, its babies are born alive, and the mother feeds them milk.

A) A shark is a fish. It breathes water through its gills.
C) A trout is also a fish with gills and scales.
D) An octopus is a mollusc — a relative of snails and clams — with eight arms and no backbone at all.

So only the dolphin drinks milk from its mum when it's a baby, and that's what makes it a mammal.
""",
        ],
        system=SYS_ORCA_MC,
    ),
    OH(
        "caseus_custom",
        [
            r"""
Write an article about the benefits of learning a second language as an adult.
""",
            r"""
**It's Never Too Late: The Benefits of Learning a Second Language as an Adult**

Many adults believe that the window for learning a new language closes in childhood. It's true that young children pick up pronunciation more easily, but research and experience show that adults have their own advantages — and that the rewards of learning a language later in life are substantial.

**1. A workout for the brain**
Learning a language engages memory, attention and problem-solving all at once. Studies of bilingual adults suggest they are better at switching between tasks and filtering out distractions, an ability psychologists call executive function. Several studies have also found that lifelong bilingualism is associated with a later onset of dementia symptoms, by several years on average. While researchers still debate the size of the effect, there is broad agreement that challenging mental activity is good for the ageing brain, and few activities are as challenging as a new language.

**2. Adults learn faster in important ways**
Children have an edge in accent, but adults typically progress faster in the early stages. They already understand how grammar works, can use dictionaries and apps strategically, and can draw on their first language to spot patterns and cognates. An English speaker who learns that "nation" is "nación" in Spanish quickly realises that hundreds of "-tion" words follow the same rule.

**3. Career opportunities**
In a global economy, language skills set candidates apart. Employers in tourism, healthcare, diplomacy, trade and customer service actively seek multilingual staff, and even in roles where a second language isn't required, it demonstrates discipline and cultural awareness.

**4. Richer travel and deeper relationships**
Travelling with even a basic command of the local language transforms the experience. Menus, street signs and conversations stop being obstacles and become opportunities. More importantly, speaking someone's language — however imperfectly — is a gesture of respect that opens doors and friendships.

**5. A new window on your own culture**
Learning another language often makes people more aware of how their own language shapes the way they think. Idioms, politeness conventions and even the way time and space are described differ between languages, and noticing these differences builds empathy and curiosity.

**6. Confidence and enjoyment**
Finally, there is the simple satisfaction of progress. The first time you understand a joke in another language, or hold a ten-minute conversation without switching to English, is a moment of real achievement.

**Getting started**
Set realistic goals, practise a little every day rather than a lot once a week, and find ways to use the language for things you enjoy — films, music, recipes or online communities. Conversation practice with a tutor or a language-exchange partner accelerates progress dramatically. Above all, accept mistakes as part of the process: every error is evidence that you are trying.

Learning a language as an adult isn't about reaching perfection. It's about opening a door — and discovering how much is on the other side.
""",
        ],
        system=SYS_ORCA_LONG,
    ),
    OH(
        "UnnaturalInstructions",
        [
            r"""
Given a sentence, generate a question whose answer can be found in the sentence.
Sentence: Marie Curie was the first person to win Nobel Prizes in two different sciences, physics in 1903 and chemistry in 1911.
""",
            r"""
To follow the instruction, I need a question that is fully answerable from the sentence alone.

The sentence contains several facts: who (Marie Curie), what (Nobel Prizes in two sciences), which sciences (physics and chemistry) and when (1903 and 1911). A good question targets one of these facts without giving it away.

Question: In which two sciences did Marie Curie win Nobel Prizes?

Answer (from the sentence): Physics (1903) and chemistry (1911).
""",
        ],
        system=SYS_ORCA_FOLLOW,
    ),
    OH(
        "UnnaturalInstructions",
        [
            r"""
Definition: In this task, you are given a sentence. You must classify whether the sentence is grammatically acceptable (output 1) or unacceptable (output 0).
Input: The children quickly the ate sandwiches.
Output:
""",
            r"""
0

The definition asks me to judge grammatical acceptability. In English, a determiner such as "the" must come directly before the noun phrase it introduces ("the sandwiches"). In the input, "the" is stranded between the adverb "quickly" and the verb "ate," and the object "sandwiches" is left without its determiner. A correct version would be "The children quickly ate the sandwiches." Since the input violates English word order, I used the definition to label it unacceptable: 0.
""",
        ],
        system=SYS_ORCA_DEF,
    ),
    OH(
        "caseus_custom",
        [
            r"""
Extract the answer to the question from the following context.
Question: How long did it take to build the bridge?
Context: Construction of the Golden Gate Bridge began on January 5, 1933. Despite strong currents, frequent fog and the Great Depression, the bridge was completed ahead of schedule and opened to pedestrians on May 27, 1937. At the time, its 1,280-metre main span was the longest of any suspension bridge in the world.
""",
            r"""
About four years and four months. Construction began on January 5, 1933, and the bridge opened on May 27, 1937.
""",
        ],
        system=SYS_ORCA_WELL,
    ),
    OH(
        "caseus_custom",
        [
            r"""
Why do leaves change colour in autumn?
""",
            r"""
Leaves are like tiny kitchens where a tree makes its food from sunlight. The thing that does the cooking is called chlorophyll, and chlorophyll is green — that's why leaves look green all summer!

When autumn comes, the days get shorter and colder. The tree knows winter is coming, so it stops making food and stops making new chlorophyll. As the green goes away, we can finally see other colours that were hiding in the leaf all along — yellows and oranges! They were there the whole time, just covered up by all that green.

Some trees, like maples, also make brand-new red and purple colours in autumn from the sugar left in their leaves. That's why some forests look like they're on fire with red.

Then the tree lets its leaves fall so it can rest during the winter, and in spring it grows fresh green ones all over again.
""",
        ],
        system=SYS_ORCA_FIVE,
    ),
    OH(
        "caseus_custom",
        [
            r"""
Generate a sentence that includes all the following words: dog, frisbee, park, sunset
""",
            r"""
Step 1: Pick a natural scene that connects all four words — someone playing with a dog in a park fits well.
Step 2: Decide on roles: the dog is the subject, the frisbee is what it chases, the park is the location, and the sunset sets the time.
Step 3: Build the sentence and check that every word is included.

Sentence: "At sunset, the dog raced across the park to catch the frisbee before it landed."

Check: dog ✓, frisbee ✓, park ✓, sunset ✓.
""",
        ],
        system=SYS_ORCA_TASK,
    ),
    OH(
        "caseus_custom",
        [
            r"""
Premise: "A man in a red jacket is climbing a steep rock wall."
Hypothesis: "A man is sitting indoors watching television."
Is the hypothesis entailed by the premise?
Options:
- yes
- it is not possible to tell
- no
""",
            r"""
Let's think step by step. The premise describes a man who is climbing a steep rock wall. Climbing is an active, physical activity, while sitting and watching television is a passive one; a person cannot be climbing and sitting at the same time. So if the premise is true, the hypothesis must be false — the two statements contradict each other.

The answer is no.
""",
        ],
        system=SYS_ORCA_INFO,
    ),
    OH(
        "CamelAI",
        [
            r"""
Consider the equilibrium N₂(g) + 3H₂(g) ⇌ 2NH₃(g), ΔH = −92 kJ/mol. Predict the effect on the equilibrium position of (a) increasing the total pressure, (b) increasing the temperature, and (c) adding an iron catalyst.
""",
            r"""
We apply Le Chatelier's principle: a system at equilibrium responds to a disturbance by shifting in the direction that partly counteracts it.

**(a) Increasing the total pressure (by compressing the mixture)**
The left side has 1 + 3 = 4 moles of gas; the right side has 2. Increasing pressure favours the side with fewer gas moles, so the equilibrium shifts to the **right**, producing more NH₃.

**(b) Increasing the temperature**
The forward reaction is exothermic (ΔH < 0). Adding heat favours the endothermic direction, so the equilibrium shifts to the **left**, and less NH₃ is present at equilibrium. The equilibrium constant K decreases with temperature for this reaction.

**(c) Adding an iron catalyst**
A catalyst lowers the activation energy of the forward and reverse reactions equally. It makes equilibrium be reached **faster** but does **not** change the equilibrium position or K.

In the industrial Haber process these effects create a trade-off: low temperature gives a better yield but a slow rate, so plants operate at a compromise of roughly 400–450 °C and 150–250 atm with an iron catalyst, and they remove ammonia continuously to push the reaction forward.
""",
        ],
        topic="Chemical equilibrium",
    ),
    OH(
        "CamelAI",
        [
            r"""
How does the structure of the mitochondrion relate to its function in cellular respiration?
""",
            r"""
The mitochondrion's structure is closely matched to its role as the site of aerobic respiration:

1. **Double membrane.** The outer membrane is permeable to small molecules through porins. The inner membrane is highly impermeable, which is essential for maintaining the proton gradient that drives ATP synthesis.

2. **Cristae.** The inner membrane is folded into cristae, which greatly increase its surface area. This provides space for many copies of the electron transport chain complexes (I–IV) and ATP synthase, so more ATP can be produced.

3. **Intermembrane space.** As electrons pass along the transport chain, protons are pumped from the matrix into this narrow space. Its small volume allows a steep proton concentration gradient (the proton-motive force) to build up quickly.

4. **Matrix.** The matrix contains the enzymes of the link reaction and the Krebs cycle, which generate NADH and FADH₂ for the electron transport chain. It also contains mitochondrial DNA and ribosomes, allowing the organelle to make some of its own proteins.

5. **ATP synthase.** Protons flow back into the matrix through ATP synthase, and this flow drives the rotation of part of the enzyme, which phosphorylates ADP to ATP (chemiosmosis).

In short, compartmentalisation by two membranes creates a proton gradient, and the large folded surface of the inner membrane maximises the machinery that converts that gradient into ATP.
""",
        ],
        topic="Cell biology",
    ),
    OH(
        "CamelAI",
        [
            r"""
How many edges does the complete graph K₇ have? How many edges would a spanning tree of K₇ have?
""",
            r"""
In a complete graph $K_n$ every pair of distinct vertices is joined by exactly one edge, so the number of edges is the number of ways to choose 2 vertices from $n$:

$$|E(K_7)| = \binom{7}{2} = \frac{7 \cdot 6}{2} = 21.$$

A spanning tree of any connected graph on $n$ vertices has exactly $n - 1$ edges, so a spanning tree of $K_7$ has **6 edges**.

(As a bonus, Cayley's formula says $K_n$ has $n^{n-2}$ spanning trees, so $K_7$ has $7^5 = 16\,807$ different spanning trees.)
""",
        ],
        topic="Graph theory",
    ),
    OH(
        "CamelAI",
        [
            r"""
Find the area of the region enclosed by the curves y = x² and y = x.
""",
            r"""
First find where the curves intersect: $x^2 = x \Rightarrow x(x - 1) = 0$, so $x = 0$ and $x = 1$.

On $[0, 1]$ the line lies above the parabola (for example, at $x = 0.5$: $0.5 > 0.25$). The area is

$$A = \int_0^1 (x - x^2)\,dx = \left[\frac{x^2}{2} - \frac{x^3}{3}\right]_0^1 = \frac{1}{2} - \frac{1}{3} = \frac{1}{6}.$$

The enclosed area is $\frac{1}{6}$ square units.
""",
        ],
        topic="Calculus",
    ),
    OH(
        "CamelAI",
        [
            r"""
Calculate the standard cell potential for a galvanic cell made from a zinc electrode in 1 M Zn²⁺ and a copper electrode in 1 M Cu²⁺. The standard reduction potentials are E°(Zn²⁺/Zn) = −0.76 V and E°(Cu²⁺/Cu) = +0.34 V.
""",
            r"""
The electrode with the higher reduction potential is the cathode, where reduction occurs; the other is the anode.

- Cathode (reduction): Cu²⁺(aq) + 2e⁻ → Cu(s), E° = +0.34 V
- Anode (oxidation): Zn(s) → Zn²⁺(aq) + 2e⁻

$$E^\circ_{\text{cell}} = E^\circ_{\text{cathode}} - E^\circ_{\text{anode}} = 0.34 - (-0.76) = 1.10\ \text{V}.$$

Overall reaction: Zn(s) + Cu²⁺(aq) → Zn²⁺(aq) + Cu(s).

Because $E^\circ_{\text{cell}} > 0$, the reaction is spontaneous. The corresponding standard Gibbs energy change is $\Delta G^\circ = -nFE^\circ = -2 \times 96\,485 \times 1.10 \approx -212\ \text{kJ/mol}$.
""",
        ],
        topic="Electrochemistry",
    ),
    OH(
        "CamelAI",
        [
            r"""
In pea plants, purple flowers (P) are dominant over white flowers (p). If two heterozygous purple-flowered plants are crossed, what proportion of the offspring are expected to have white flowers? What proportion of the purple-flowered offspring are heterozygous?
""",
            r"""
The cross is Pp × Pp. The Punnett square gives:

| | P | p |
|---|---|---|
| **P** | PP | Pp |
| **p** | Pp | pp |

- Genotypes: 1 PP : 2 Pp : 1 pp
- Phenotypes: 3 purple : 1 white

**White flowers:** only pp, so **1/4 (25%)** of the offspring.

**Heterozygous among purple offspring:** the purple plants are PP, Pp, Pp — three equally likely outcomes, two of which are heterozygous. So **2/3** of the purple-flowered offspring are heterozygous.

(This is a common trick question: the answer is 2/3, not 1/2, because we are restricting attention to the purple plants only.)
""",
        ],
        topic="Genetics",
    ),
    OH(
        "CamelAI",
        [
            r"""
What is the probability of rolling at least one six in four rolls of a fair die?
""",
            r"""
It's easiest to use the complement: find the probability of getting **no** sixes and subtract it from 1.

The probability of not rolling a six on one roll is $\frac{5}{6}$. The rolls are independent, so for four rolls:

$$P(\text{no sixes}) = \left(\frac{5}{6}\right)^4 = \frac{625}{1296}.$$

Therefore

$$P(\text{at least one six}) = 1 - \frac{625}{1296} = \frac{671}{1296} \approx 0.5177.$$

That's about a 51.8% chance — slightly better than even. This is the famous bet that the Chevalier de Méré asked Pascal about in the 17th century.
""",
        ],
        topic="Probability",
    ),
    OH(
        "CamelAI",
        [
            r"""
What is a keystone species? Give an example and explain what happens to the ecosystem when it is removed.
""",
            r"""
A **keystone species** is one whose effect on its ecosystem is far larger than its abundance would suggest. Like the keystone at the top of an arch, removing it causes the structure of the community to collapse or change dramatically.

**Classic example: the sea otter.** Sea otters along the North Pacific coast eat sea urchins. Urchins graze on kelp.

- With otters present, urchin numbers are kept in check, and dense kelp forests grow. Kelp forests shelter fish, invertebrates and seals, absorb wave energy and store carbon.
- When otters were hunted almost to extinction for their fur in the 18th and 19th centuries, urchin populations exploded and grazed the kelp down to bare rock, creating so-called "urchin barrens" with far lower biodiversity.
- Where otters have been reintroduced, kelp forests have recovered.

This chain of effects — predator → herbivore → plant — is called a **trophic cascade**. Other well-known keystone species include wolves in Yellowstone, which influence elk behaviour and thus the recovery of riverbank vegetation, and the starfish *Pisaster ochraceus*, whose removal in Robert Paine's famous 1960s experiments led to mussels taking over and the number of species in the tide pool falling sharply.
""",
        ],
        topic="Ecology",
    ),
    OH(
        "EvolInstruct_70k",
        [
            r"""
Using Python, write a function that takes a list of words and returns a dictionary that maps each word length to an alphabetically sorted list of the unique words of that length. Words should be compared case-insensitively, and the dictionary keys should be in ascending order. Include a short example.
""",
            r"""
```python
from collections import defaultdict


def group_by_length(words):
    groups = defaultdict(set)
    for word in words:
        w = word.strip().lower()
        if w:
            groups[len(w)].add(w)
    return {length: sorted(groups[length]) for length in sorted(groups)}


words = ["Apple", "bat", "cat", "apple", "Dog", "eagle", "Bat", "fig", "grape"]
print(group_by_length(words))
# {3: ['bat', 'cat', 'dog', 'fig'], 5: ['apple', 'eagle', 'grape']}
```

How it works:
1. Each word is stripped of whitespace and lower-cased, so "Apple" and "apple" count as the same word.
2. A `defaultdict(set)` collects unique words per length.
3. The final dictionary comprehension iterates over the lengths in ascending order (dictionaries preserve insertion order) and sorts each set alphabetically.
""",
        ],
    ),
    OH(
        "EvolInstruct_70k",
        [
            r"""
Rewrite the following sentence using a more formal tone and the passive voice, and explain what changed: "We fixed the bug that was crashing the app yesterday."
""",
            r"""
**Rewritten sentence:** "The defect that had been causing the application to crash was resolved yesterday."

**What changed:**
1. **Passive voice:** the subject of the main clause is now "the defect," and the action "was resolved" is expressed without naming who did it. This shifts the focus from the team to the result.
2. **Formal vocabulary:** "bug" became "defect," "fixed" became "resolved," and "app" became "application."
3. **Tense precision:** "was crashing" became "had been causing ... to crash," using the past perfect continuous to show that the crashing happened before the fix.
4. **Ambiguity removed:** in the original, "yesterday" could attach to "crashing" or "fixed." Moving it to the end of the main clause makes it clear that the fix happened yesterday.
""",
        ],
    ),
    OH(
        "EvolInstruct_70k",
        [
            r"""
Create a Markdown table comparing five renewable energy sources by one key advantage, one key disadvantage, and typical capacity factor.
""",
            r"""
| Energy source | Key advantage | Key disadvantage | Typical capacity factor |
|---|---|---|---|
| Solar photovoltaic | Modular; can be installed on rooftops close to where power is used | Produces nothing at night and less in cloudy weather | 10–25% |
| Onshore wind | Among the cheapest sources of new electricity in many regions | Output varies with wind speed; visual and noise concerns | 25–40% |
| Hydropower (reservoir) | Dispatchable: output can be raised or lowered quickly to follow demand | Dams flood land and disrupt river ecosystems and fish migration | 35–55% |
| Geothermal | Steady, around-the-clock output with a small land footprint | Only practical where suitable underground heat is accessible | 70–90% |
| Biomass | Can use agricultural and forestry waste; dispatchable | Combustion emits air pollutants; sustainability depends on the feedstock | 50–80% |

*Capacity factor* is the actual energy produced over a year divided by what the plant would produce running at full power all year. The ranges are indicative and vary considerably by location and technology.
""",
        ],
    ),
    OH(
        "EvolInstruct_70k",
        [
            r"""
Generate a creative metaphor comparing time to a natural phenomenon, then explain the metaphor in two or three sentences.
""",
            r"""
**Metaphor:** "Time is a glacier: it seems not to move at all, yet it carves whole valleys while we sleep."

**Explanation:** Day to day, time feels motionless, just as a glacier looks frozen in place. But over years its slow, relentless movement reshapes everything — our faces, our cities, our relationships — the way a glacier grinds mountains into valleys. The metaphor captures both how imperceptible and how powerful the passing of time can be.
""",
        ],
    ),
    OH(
        "cot_alpaca_gpt4",
        [
            r"""
Explain why the following statement is false: "Lightning never strikes the same place twice."
""",
            r"""
The statement is false because lightning follows the path of least resistance to the ground, and that path depends on physical features that don't change between storms. Tall, pointed and conductive objects are struck repeatedly. For example, the Empire State Building is hit by lightning around 20 to 25 times a year on average. Nothing about a lightning strike makes a location less likely to be hit again; if anything, a place that has been struck once is likely to be struck again, because whatever made it a good target is still there. The saying is a metaphor for rare misfortune, not a fact about physics.
""",
        ],
    ),
    OH(
        "cot_alpaca_gpt4",
        [
            r"""
Classify the following animals as herbivore, carnivore, or omnivore: cow, lion, bear, rabbit, shark, chicken.
""",
            r"""
- Cow: **herbivore** — it eats grass and other plants.
- Lion: **carnivore** — it hunts and eats other animals.
- Bear: **omnivore** — most bears eat berries, roots and nuts as well as fish, insects and meat.
- Rabbit: **herbivore** — it eats grasses, leafy plants and vegetables.
- Shark: **carnivore** — it eats fish, seals and other marine animals.
- Chicken: **omnivore** — chickens eat seeds and grains but also insects, worms and even small lizards or mice.
""",
        ],
    ),
    OH(
        "cot_alpaca_gpt4",
        [
            r"""
Calculate the average of the following numbers: 15, 23, 8, 42, 12
""",
            r"""
To find the average, add the numbers together and divide by how many there are.

Sum: 15 + 23 + 8 + 42 + 12 = 100
Count: 5

Average = 100 ÷ 5 = **20**
""",
        ],
    ),
    OH(
        "cot_alpaca_gpt4",
        [
            r"""
Describe the difference between weather and climate.
""",
            r"""
Weather and climate describe the same things — temperature, precipitation, wind, humidity and cloud cover — but on very different time scales.

**Weather** is the state of the atmosphere at a particular place over a short period, from minutes to a couple of weeks. "It's raining in Manchester this afternoon, and tomorrow will be sunny with a high of 18 °C" is a statement about weather. It changes constantly and can be forecast reliably only a week or so ahead.

**Climate** is the average pattern of weather in a region over a long period, conventionally 30 years or more, including how much it typically varies. "Manchester has a mild, wet maritime climate" is a statement about climate.

A common way to put it: *climate is what you expect; weather is what you get.* A single cold winter doesn't disprove global warming, just as a single hot day doesn't prove it; climate change is about shifts in the long-term averages and extremes.
""",
        ],
    ),
    OH(
        "cot_alpaca_gpt4",
        [
            r"""
Generate three thoughtful questions a candidate could ask at the end of a job interview.
""",
            r"""
1. "What would success look like in this role after the first six months, and how would it be measured?"
   This shows you are focused on delivering results and helps you understand the real expectations.

2. "What are the biggest challenges the team is facing right now, and how would this role help address them?"
   This signals that you want to contribute where it matters and reveals problems the job description may not mention.

3. "How does the team share knowledge and give feedback, and what opportunities are there to learn and grow?"
   This shows commitment to development and gives you insight into the team's culture and management style.
""",
        ],
    ),
]

OPENHERMES += [
    OH(
        "platypus",
        [
            r"""
What is the largest prime factor of 1337?
""",
            r"""
I'll look for small prime factors first. 1337 is odd, so it isn't divisible by 2. Its digit sum is 1 + 3 + 3 + 7 = 14, which isn't a multiple of 3, so 3 is out, and it doesn't end in 0 or 5, so 5 is out. Trying 7: 7 × 191 = 1337. So 1337 = 7 × 191.

Now I need to check whether 191 is prime. Since √191 < 14, I only need to test the primes 2, 3, 5, 7, 11 and 13. 191 is odd; 1 + 9 + 1 = 11 isn't divisible by 3; it doesn't end in 0 or 5; 7 × 27 = 189 leaves remainder 2; 11 × 17 = 187 leaves 4; 13 × 14 = 182 leaves 9. So 191 is prime.

The largest prime factor of 1337 is 191.
""",
        ],
    ),
    OH(
        "platypus",
        [
            r"""
Find the number of real solutions to x⁴ − 5x² + 4 = 0.
""",
            r"""
This is a quadratic in $x^2$. Let $u = x^2$; then $u^2 - 5u + 4 = 0$, which factors as $(u - 1)(u - 4) = 0$. So $u = 1$ or $u = 4$.

Going back to $x$: $x^2 = 1$ gives $x = \pm 1$, and $x^2 = 4$ gives $x = \pm 2$. Both values of $u$ are positive, so each gives two real solutions.

There are $4$ real solutions: $-2, -1, 1, 2$.
""",
        ],
    ),
    OH(
        "platypus",
        [
            r"""
A ball is thrown horizontally from the top of a cliff. Ignoring air resistance, which of the following quantities remains constant during its flight?
A. The ball's horizontal velocity
B. The ball's vertical velocity
C. The ball's speed
D. The ball's kinetic energy
Choose A, B, C or D as your solution.
""",
            r"""
A
""",
        ],
    ),
    OH(
        "platypus",
        [
            r"""
Given an array of integers `nums` and an integer `target`, return the indices of the two numbers such that they add up to `target`. You may assume that each input has exactly one solution, and you may not use the same element twice.

Example: nums = [2, 7, 11, 15], target = 9 → [0, 1]
""",
            r"""
```python
def two_sum(nums, target):
    seen = {}  # value -> index
    for i, x in enumerate(nums):
        complement = target - x
        if complement in seen:
            return [seen[complement], i]
        seen[x] = i
    return []
```

explanation
We make a single pass over the array while keeping a hash map from each value we've already seen to its index. For each element `x`, the partner we need is `target - x`. If that partner is already in the map, we've found the pair and return both indices. Otherwise we record `x` and keep going. Checking the map before inserting the current element guarantees we never use the same element twice. This runs in O(n) time and O(n) space, compared with O(n²) for checking every pair.
""",
        ],
    ),
    OH(
        "platypus",
        [
            r"""
Editorial: The city council claims that the new bicycle lanes on Main Street have made the street more dangerous, since the number of reported bicycle accidents on Main Street has increased by 40 percent since the lanes were installed. But this conclusion is unwarranted.

Which one of the following, if true, most helps to justify the editorial's position?
A. Most of the accidents involved cyclists who were not wearing helmets.
B. The number of people cycling on Main Street has more than doubled since the lanes were installed.
C. Accidents involving cars on Main Street have also increased.
D. Several other cities have installed bicycle lanes.
Choose A, B, C or D as your solution.
""",
            r"""
B
""",
        ],
    ),
    OH(
        "UnnaturalInstructions",
        [
            r"""
In this task, you need to count the number of vowels (a, e, i, o, u) in the given string. Treat uppercase and lowercase letters the same.
String: "Programming is fun"
""",
            r"""
5
""",
        ],
    ),
    OH(
        "UnnaturalInstructions",
        [
            r"""
You are given a list of words. Find the word that does not belong with the others and briefly explain why.
Words: apple, banana, carrot, grape, mango
""",
            r"""
Carrot. It is a vegetable (a root), while apple, banana, grape and mango are all fruits.
""",
        ],
    ),
    OH(
        "UnnaturalInstructions",
        [
            r"""
You will be given two sentences. Determine whether they are paraphrases of each other, i.e. whether they have the same meaning. Output "Yes" or "No".
Sentence 1: The meeting was postponed because the manager was ill.
Sentence 2: Because the manager was sick, the meeting was put off.
""",
            r"""
Yes
""",
        ],
    ),
    OH(
        "UnnaturalInstructions",
        [
            r"""
The steps of a recipe are given out of order. Rearrange them into the correct order and output the step numbers.
1. Pour the batter into a greased pan.
2. Preheat the oven to 180 °C.
3. Mix the flour, sugar, eggs and butter into a smooth batter.
4. Let the cake cool before slicing.
5. Bake for 30 minutes.
""",
            r"""
2, 3, 1, 5, 4
""",
        ],
    ),
    OH(
        "LMSys Chatbot Arena",
        [
            r"""
I know Python pretty well. What's the best way to learn Rust?
""",
            r"""
Coming from Python, you already know how to program, so focus on what's genuinely new in Rust: ownership, borrowing, lifetimes and a strict type system. A good path:

1. **Read "The Rust Programming Language"** (the free official book, often called "the Book"). Do chapters 1–10 carefully; chapter 4 on ownership is the most important one.
2. **Do Rustlings** — small exercises that make you fix compiler errors. It trains you to read the compiler's messages, which are unusually helpful.
3. **Rewrite a small Python tool in Rust.** A CLI that parses a CSV or a log file is ideal. Use `clap` for arguments and `serde` for parsing.
4. **Read "Rust by Example"** alongside, for quick syntax lookups.

Mindset tips for Python developers:
- Expect to "fight the borrow checker" for a few weeks. It's teaching you to think about who owns data and how long it lives.
- Use `clone()` freely at first to get things working; optimise later.
- Learn `Option` and `Result` early; they replace `None` checks and exceptions.
- Lean on `cargo clippy` — it suggests idiomatic improvements.
""",
            r"""
What's the Rust equivalent of a Python list comprehension?
""",
            r"""
Iterator chains. For example:

```python
# Python
squares = [x * x for x in numbers if x % 2 == 0]
```

```rust
// Rust
let squares: Vec<i32> = numbers
    .iter()
    .filter(|&&x| x % 2 == 0)
    .map(|&x| x * x)
    .collect();
```

- `.iter()` borrows each element, so you get `&i32` values.
- `.filter()` receives a reference to each item (here `&&i32`, hence the `|&&x|` pattern that dereferences twice).
- `.map()` transforms each item.
- `.collect()` builds a collection; the type annotation `Vec<i32>` tells it which one.

Iterator chains are lazy and compile down to a tight loop, so they're usually as fast as writing the loop by hand. For a dictionary comprehension, collect into a `HashMap`:

```rust
use std::collections::HashMap;
let lengths: HashMap<&str, usize> = words.iter().map(|w| (*w, w.len())).collect();
```
""",
        ],
    ),
    OH(
        "lmsys1m",
        [
            r"""
bash one liner to find the 10 biggest files in a directory recursively
""",
            r"""
```bash
find . -type f -printf '%s\t%p\n' 2>/dev/null | sort -nr | head -n 10 | numfmt --to=iec --field=1
```

What each part does:
- `find . -type f -printf '%s\t%p\n'` — list every regular file with its size in bytes, a tab, and its path.
- `2>/dev/null` — hide "Permission denied" errors.
- `sort -nr` — sort numerically, largest first.
- `head -n 10` — keep the top 10.
- `numfmt --to=iec --field=1` — turn byte counts into human-readable sizes like `1.4G`.

On macOS, whose `find` doesn't support `-printf`, use:

```bash
find . -type f -exec du -h {} + 2>/dev/null | sort -hr | head -n 10
```
""",
        ],
    ),
    OH(
        "lmsys1m",
        [
            r"""
你好，你是谁？
""",
            r"""
你好！我是一个人工智能助手，可以用中文或英文和你交流。我能帮你回答问题、解释概念、写作和修改文章、翻译、写代码和调试程序，也可以陪你一起头脑风暴或者制定计划。

有什么我可以帮你的吗？
""",
            r"""
你能帮我写代码吗？我想用Python抓取一个网页的标题。
""",
            r"""
当然可以！下面是一个使用 `requests` 和 `BeautifulSoup` 的简单例子：

```python
import requests
from bs4 import BeautifulSoup


def get_title(url: str) -> str | None:
    headers = {"User-Agent": "Mozilla/5.0 (compatible; title-fetcher/1.0)"}
    resp = requests.get(url, headers=headers, timeout=10)
    resp.raise_for_status()                  # 状态码不是 2xx 时抛出异常
    resp.encoding = resp.apparent_encoding   # 自动识别编码，避免中文乱码
    soup = BeautifulSoup(resp.text, "html.parser")
    return soup.title.string.strip() if soup.title and soup.title.string else None


if __name__ == "__main__":
    print(get_title("https://www.python.org"))
```

先安装依赖：

```bash
pip install requests beautifulsoup4
```

**几点提醒：**
1. `timeout=10` 可以防止网站没有响应时程序一直卡住。
2. 设置 `resp.encoding = resp.apparent_encoding` 能解决很多中文网页的乱码问题。
3. 抓取网页前请看一下网站的 `robots.txt` 和使用条款，并控制请求频率，不要给对方服务器造成压力。
""",
            r"""
如果网页是用JavaScript动态加载的呢？
""",
            r"""
这种情况下，`requests` 拿到的只是初始的 HTML，标题或内容可能还没有被 JavaScript 渲染出来。常见的解决办法有两种：

**方法一：直接找数据接口（推荐）**
打开浏览器开发者工具（F12）→“网络（Network）”面板，刷新页面，筛选 XHR/Fetch 请求，通常能找到返回 JSON 数据的接口。直接请求这个接口，比渲染整个页面快得多，也更稳定。

**方法二：用无头浏览器渲染页面**
例如使用 Playwright：

```python
from playwright.sync_api import sync_playwright

with sync_playwright() as p:
    browser = p.chromium.launch(headless=True)
    page = browser.new_page()
    page.goto("https://example.com", wait_until="networkidle")
    print(page.title())
    browser.close()
```

安装方法：

```bash
pip install playwright
playwright install chromium
```

无头浏览器功能强大，但速度慢、资源占用高，适合少量页面或者实在找不到接口的情况。
""",
        ],
    ),
    OH(
        "lmsys1m",
        [
            r"""
用通俗的语言解释一下什么是量子纠缠
""",
            r"""
可以用一个简化的比喻来理解（只是帮助直观感受，并不完全准确）：

想象有一对“魔法手套”，一只左手、一只右手，被分别装进两个盒子，一个寄到北京，一个寄到纽约。在打开之前，你不知道哪个盒子里是哪只。北京的人一打开，发现是左手套，那么立刻就知道纽约的那只是右手套。

**但量子纠缠比手套更奇怪。** 对手套来说，哪只是左、哪只是右，在装盒子的时候就已经决定了，只是我们不知道而已。而对于两个纠缠的量子粒子来说，在测量之前，它们的状态**确实没有确定**——每个粒子都处在多种可能性的“叠加”之中。只有在测量一个粒子的那一刻，结果才被确定下来，而另一个粒子的测量结果会与之严格相关，无论它们相距多远。

**爱因斯坦**把这称为“鬼魅般的超距作用”，他怀疑量子力学不完备，认为粒子一定有我们还没发现的“隐藏变量”。后来，物理学家贝尔提出了一个可以用实验检验的不等式，大量实验（包括获得 2022 年诺贝尔物理学奖的工作）都表明：现实世界确实违反贝尔不等式，“手套式”的隐藏变量解释行不通。

**需要注意的是：** 量子纠缠**不能用来超光速传递信息**。因为每一边单独看到的测量结果都是随机的，只有把两边的结果拿到一起比较，才能发现它们之间的关联，而比较结果仍然需要通过普通的（不超过光速的）方式传递。

**它有什么用？** 量子纠缠是量子计算、量子密钥分发（量子通信）和量子隐形传态等技术的核心资源。
""",
        ],
    ),
    OH(
        "LMSys Chatbot Arena",
        [
            r"""
帮我写一首关于程序员加班的打油诗
""",
            r"""
**《加班谣》**

键盘敲到月儿弯，
需求改了第八版。
咖啡续上第三杯，
Bug 还在报红闪。

产品说“很简单”，
老板说“明天看”。
头发一根根离去，
代码一行行在攒。

终于编译全通过，
窗外已经天发蓝。
打卡回家刚躺下，
群里又说“线上翻”。
""",
            r"""
哈哈，再来一首正能量一点的
""",
            r"""
**《上线之夜》**

夜深灯火照屏前，
一行代码一行天。
测试全绿心头喜，
同伴击掌笑开颜。

莫道加班多辛苦，
今朝上线万人看。
明日晨光照工位，
再写新篇待明天。
""",
        ],
    ),
    OH(
        "lmsys1m",
        [
            r"""
推荐几本适合零基础入门的经济学书籍
""",
            r"""
下面几本书难度循序渐进，适合零基础入门：

1. **《经济学原理》（曼昆）**
   最经典的入门教材之一，分为微观和宏观两册。语言通俗，例子贴近生活，每章都有小结和习题，适合系统学习。

2. **《牛奶可乐经济学》（罗伯特·弗兰克）**
   通过“为什么牛奶装在方盒子里，可乐却装在圆瓶子里”这样的日常问题讲解经济学思维，轻松有趣，适合培养兴趣。

3. **《魔鬼经济学》（列维特、都伯纳）**
   用经济学的方法分析犯罪率、起名字、作弊等社会现象，重点在于“用数据思考”。

4. **《薛兆丰经济学讲义》（薛兆丰）**
   中文原创作品，从“稀缺”“成本”“需求定律”等基本概念讲起，案例丰富，很适合中文读者。

5. **《思考，快与慢》（丹尼尔·卡尼曼）**
   行为经济学的代表作，讲人在做决策时常见的认知偏差。读完前面几本再看，会对“理性人”假设有更深的理解。

**阅读建议：** 可以先读 2、3 本培养兴趣，再用曼昆的教材打基础。读的时候多想想身边的例子，比如“为什么景区的矿泉水更贵”，经济学思维就会慢慢建立起来。
""",
        ],
    ),
    OH(
        "LMSys Chatbot Arena",
        [
            r"""
who would win in a fight, a gorilla or a grizzly bear
""",
            r"""
Most experts would bet on the **grizzly bear**, though it's a hypothetical matchup — the two animals never meet in the wild (gorillas live in central African forests, grizzlies in North America).

Why the grizzly has the edge:
- **Size:** an adult male grizzly typically weighs 180–360 kg (400–800 lb); a large male silverback gorilla is around 140–200 kg (300–440 lb).
- **Weapons:** grizzlies have claws up to 10 cm long and a powerful bite, and they are predators that kill large animals such as elk and moose.
- **Durability:** thick fur, fat and a heavy skull protect it.

The gorilla's strengths:
- Enormous upper-body strength, long arms and impressive agility.
- Large canine teeth and a strong bite.

But gorillas are mostly vegetarian and rarely fight to the death; their conflicts are usually about display and intimidation. A grizzly's combination of mass, claws and predatory experience would most likely decide the fight in its favour.
""",
            r"""
what about a tiger vs a lion
""",
            r"""
That one's much closer, and people have argued about it for centuries (there were even staged fights in ancient Rome and colonial India).

**Case for the tiger:**
- Usually larger: a male Bengal tiger averages around 200–260 kg, a male African lion around 180–230 kg. Siberian tigers can be bigger still.
- More muscular forelimbs and, as a solitary hunter, used to taking down large prey alone.

**Case for the lion:**
- Male lions fight other males regularly for control of prides, so they have a lot of combat experience.
- The mane offers some protection to the neck.

Most zoologists would give a slight edge to the tiger because of its size and strength, but individual animals vary so much that either could win. Fortunately for both, they only overlap in the wild in one place — the Gir Forest in India has lions, but no tigers live there today.
""",
        ],
    ),
    OH(
        "GPT-4 Comparison Data",
        [
            r"""
Give three tips for staying healthy.
""",
            r"""
1. **Eat a balanced diet.** Fill half your plate with vegetables and fruit, choose whole grains over refined ones, and include a source of protein such as beans, fish, eggs or lean meat. Limit sugary drinks and highly processed foods.

2. **Move every day.** Aim for at least 150 minutes of moderate activity a week — brisk walking, cycling, swimming — plus muscle-strengthening exercise twice a week. Even short walks after meals help.

3. **Sleep well.** Most adults need 7–9 hours of sleep. Keep a regular schedule, avoid screens and caffeine late in the day, and keep your bedroom cool and dark. Good sleep supports your immune system, mood and concentration.
""",
        ],
    ),
    OH(
        "GPT-4 Comparison Data",
        [
            r"""
Describe the impact of the Industrial Revolution in three sentences.
""",
            r"""
The Industrial Revolution, beginning in Britain in the late 18th century, replaced hand production with machines powered by water and steam, vastly increasing the output of goods such as textiles and iron. It drew millions of people from the countryside into rapidly growing cities, where factory work created new wealth but also overcrowding, pollution and harsh working conditions that later spurred labour movements and reforms. In the long run it transformed transport, communication and living standards worldwide, laying the foundation for the modern industrial economy.
""",
        ],
    ),
    OH(
        "GPT-4 Comparison Data",
        [
            r"""
Rewrite the following sentence so that it is in active voice: "The cake was eaten by the children before the guests arrived."
""",
            r"""
The children ate the cake before the guests arrived.
""",
        ],
    ),
    OH(
        "Econ_domain_expert",
        [
            r"""
Explain the concept of comparative advantage with a numerical example.
""",
            r"""
**Comparative advantage** means that a country (or person) should specialise in producing goods for which its *opportunity cost* is lowest, even if it is less efficient than others at producing everything.

**Example.** Suppose in one day of labour:

| | Cloth (metres) | Wine (bottles) |
|---|---|---|
| Country A | 10 | 20 |
| Country B | 6 | 6 |

Country A is better at producing both goods — it has an **absolute advantage** in both. But look at opportunity costs:

- In A, 1 metre of cloth costs 2 bottles of wine (20 / 10). In B, 1 metre of cloth costs only 1 bottle (6 / 6).
- In A, 1 bottle of wine costs 0.5 metres of cloth. In B, 1 bottle costs 1 metre.

So **B has a comparative advantage in cloth** (it gives up less wine to make it), and **A has a comparative advantage in wine**.

**Gains from trade.** Suppose each country has 2 days of labour and, without trade, splits it evenly: A makes 10 cloth + 20 wine, B makes 6 cloth + 6 wine. World total: 16 cloth, 26 wine.

Now let B specialise fully in cloth (12 cloth) and A spend 0.4 days on cloth (4 cloth) and 1.6 days on wine (32 wine). World total: 16 cloth, 32 wine — the same cloth and **6 extra bottles of wine**. If they trade at any price between 1 and 2 bottles of wine per metre of cloth, both countries can end up better off than before.

This is David Ricardo's key insight (1817): trade benefits both parties because of differences in *relative* costs, not absolute ones.
""",
            r"""
So why do countries still use tariffs if trade benefits everyone?
""",
            r"""
Good question — there are several reasons, some economic and some political:

1. **Gains are shared unevenly.** Trade increases total income, but not everyone wins. Workers and firms in industries that face new import competition can lose jobs and profits. Those losses are concentrated and visible, while the gains (slightly cheaper goods for millions of consumers) are spread thinly. Concentrated losers lobby much harder than diffuse winners.

2. **Infant-industry arguments.** A country may protect a young industry until it becomes competitive, on the grounds that it could have a comparative advantage in the future. South Korea and Taiwan are often cited, though many attempts have failed.

3. **National security.** Governments may want domestic production of food, energy, semiconductors or weapons so they aren't dependent on potential adversaries.

4. **Terms-of-trade effects.** A large country can sometimes use a tariff to push down the world price of what it imports, gaining at its trading partners' expense — though this invites retaliation.

5. **Revenue.** Historically, and still in some developing countries, tariffs are an easy tax to collect at the border.

6. **Bargaining and retaliation.** Tariffs are often used as leverage in negotiations or in response to other countries' trade barriers.

Most economists still conclude that broad tariffs reduce overall welfare, and that the better response to the losers from trade is compensation — retraining, unemployment support, regional investment — rather than blocking trade.
""",
        ],
    ),
    OH(
        "Econ_domain_expert",
        [
            r"""
How does quantitative easing work, and what are its risks?
""",
            r"""
**Quantitative easing (QE)** is a monetary policy tool that central banks use when short-term interest rates are already close to zero and can't be cut further.

**How it works**
1. The central bank creates new reserves (electronic money) and uses them to buy large quantities of financial assets, mainly government bonds and sometimes mortgage-backed securities or corporate bonds.
2. The purchases raise bond prices and therefore **lower long-term interest rates**.
3. Lower long-term rates reduce borrowing costs for mortgages and business loans, and encourage investors to move into riskier assets like stocks and corporate bonds (the "portfolio rebalancing" channel), raising asset prices.
4. It also signals that the central bank intends to keep policy loose for a long time, which shapes expectations.

The goal is to support spending, investment and employment, and to prevent inflation from falling too low.

**Risks and criticisms**
- **Inflation:** if QE continues as the economy recovers, it can contribute to excessive inflation, although after 2008 inflation stayed low for years despite large-scale QE.
- **Asset bubbles and inequality:** raising asset prices benefits people who already own stocks and property more than those who don't.
- **Exit difficulties:** unwinding QE ("quantitative tightening") can push rates up and unsettle markets, as the 2013 "taper tantrum" showed.
- **Central bank losses:** when interest rates rise, the bonds the central bank holds lose value, and it may pay more interest on reserves than it earns.
- **Moral hazard and fiscal dominance:** cheap financing could encourage governments to borrow excessively, and blur the line between monetary and fiscal policy.
""",
        ],
    ),
    OH(
        "CogStackMed",
        [
            r"""
What are the common symptoms of iron deficiency anaemia, and how is it diagnosed?
""",
            r"""
**Common symptoms**
- Tiredness and lack of energy (the most common complaint)
- Shortness of breath on exertion
- Pale skin and pale inner eyelids
- Palpitations or a fast heart rate
- Headaches and dizziness
- Brittle or spoon-shaped nails (koilonychia)
- Sore tongue (glossitis) and cracks at the corners of the mouth (angular cheilitis)
- Hair loss
- Restless legs
- Pica — cravings for non-food substances such as ice, soil or starch

Mild anaemia may cause no symptoms at all and is found only on a routine blood test.

**Diagnosis**
1. **Full blood count (FBC):** low haemoglobin, with small (microcytic, low MCV) and pale (hypochromic, low MCH) red cells.
2. **Serum ferritin:** the most useful single test. Low ferritin confirms iron deficiency. Ferritin is an acute-phase reactant, though, so it may appear normal during inflammation or infection despite low iron stores.
3. **Other iron studies:** low serum iron, raised total iron-binding capacity and low transferrin saturation support the diagnosis.
4. **Blood film:** may show pencil cells and variation in cell size and shape.

**Finding the cause** is essential. In adults the most common causes are blood loss (heavy menstrual periods, gastrointestinal bleeding), poor dietary intake, increased needs in pregnancy, and malabsorption (e.g. coeliac disease). Men and post-menopausal women with unexplained iron deficiency are usually referred for investigation of the gastrointestinal tract, including endoscopy, to exclude bleeding from a tumour.

*This information is general and not a substitute for advice from a healthcare professional.*
""",
        ],
    ),
    OH(
        "CogStackMed",
        [
            r"""
Explain the mechanism of action of metformin.
""",
            r"""
Metformin is a biguanide and first-line oral treatment for type 2 diabetes. Its main effects are:

1. **Reduced hepatic glucose production.** Its most important action is to decrease gluconeogenesis in the liver. Metformin accumulates in hepatocyte mitochondria and mildly inhibits complex I of the respiratory chain, changing the cell's energy state (raising the AMP:ATP ratio). This activates AMP-activated protein kinase (AMPK) and also acts through AMPK-independent pathways, which together suppress the expression and activity of gluconeogenic enzymes.

2. **Improved insulin sensitivity.** It increases glucose uptake in peripheral tissues, particularly skeletal muscle.

3. **Gut effects.** Metformin increases intestinal glucose utilisation, raises GLP-1 secretion and alters the gut microbiome, which contributes to its glucose-lowering effect.

**Clinical consequences**
- It lowers blood glucose **without stimulating insulin secretion**, so it rarely causes hypoglycaemia when used alone.
- It is weight-neutral or causes modest weight loss.
- Common side effects are gastrointestinal (nausea, diarrhoea, abdominal discomfort), reduced by starting at a low dose or using modified-release tablets.
- Long-term use can cause vitamin B12 deficiency.
- Lactic acidosis is rare but serious; the risk is higher with severe renal impairment, so the dose is reduced or the drug stopped as kidney function declines.
""",
            r"""
Why is it stopped before contrast CT scans?
""",
            r"""
Iodinated contrast media can occasionally cause **acute kidney injury** (contrast-associated nephropathy), particularly in patients whose kidney function is already reduced.

Metformin is cleared almost entirely unchanged by the kidneys. If kidney function suddenly falls after contrast, metformin can accumulate, and high metformin levels increase the risk of **metformin-associated lactic acidosis**, which is rare but can be life-threatening.

Current guidance has become less strict than it used to be:
- For patients with normal or mildly reduced kidney function (typically eGFR above about 30–45 mL/min/1.73 m², depending on the guideline), many guidelines now say metformin does **not** need to be stopped for standard intravenous contrast.
- For patients with more significant kidney impairment, acute kidney injury, or who are receiving intra-arterial contrast, metformin is usually withheld at the time of the scan and for **48 hours** afterwards, and restarted once kidney function has been rechecked and found stable.

Local protocols differ, so the radiology department's policy should be followed.
""",
        ],
    ),
    OH(
        "CogStackMed",
        [
            r"""
What is the difference between type 1 and type 2 diabetes?
""",
            r"""
| | Type 1 diabetes | Type 2 diabetes |
|---|---|---|
| **Cause** | Autoimmune destruction of the insulin-producing beta cells in the pancreas | Insulin resistance combined with a gradual decline in insulin secretion |
| **Insulin production** | Little or none | Present, but insufficient for the body's needs |
| **Typical onset** | Often in childhood or young adulthood, but can occur at any age | Usually in adults over 40, increasingly seen in younger people |
| **Risk factors** | Genetic susceptibility; not caused by lifestyle | Overweight/obesity, physical inactivity, family history, ethnicity, age |
| **Onset of symptoms** | Often rapid (days to weeks): thirst, frequent urination, weight loss, tiredness | Often gradual; many people have no symptoms and are diagnosed on routine tests |
| **Risk of diabetic ketoacidosis** | High if insulin is missed | Low (but possible) |
| **Treatment** | Insulin is always required, plus glucose monitoring | Lifestyle changes, then tablets such as metformin, other drugs, and sometimes insulin |
| **Share of cases** | About 5–10% | About 90% |

Both types raise blood glucose and, if poorly controlled, can cause long-term complications affecting the eyes, kidneys, nerves, heart and blood vessels.
""",
        ],
    ),
    OH(
        "theory_of_mind",
        [
            r"""
Sally has a basket and Anne has a box. Sally puts a marble in her basket and then goes outside for a walk. While Sally is away, Anne takes the marble out of the basket and puts it into her box. Sally comes back and wants to play with her marble. Where will Sally look for the marble first?
""",
            r"""
Sally will look in **her basket**.

Sally put the marble in the basket herself and left the room before Anne moved it. She didn't see Anne take it out, so as far as she knows it is still where she left it. Even though the marble is actually in Anne's box, Sally holds a *false belief* about its location, and she will act on that belief.

This is the classic Sally–Anne test, used to check whether someone understands that other people can have beliefs that differ from reality and from one's own knowledge.
""",
            r"""
And where will Anne expect Sally to look?
""",
            r"""
Anne should also expect Sally to look in the **basket** — assuming Anne realises that Sally didn't see her move the marble.

Anne knows two things: the marble is really in the box, and Sally was outside when it was moved. Putting these together, Anne can infer that Sally still believes the marble is in the basket. This is a *second-order* belief: Anne's belief about Sally's belief.

If Anne were to predict that Sally will look in the box, she would be failing to separate her own knowledge from Sally's, which is exactly the mistake that young children (typically under about four years old) make on this test.
""",
        ],
    ),
    OH(
        "theory_of_mind",
        [
            r"""
Emma hides a birthday present for her brother Jack in the hall closet while Jack is at school. Later, while Emma is at football practice, their mother moves the present to the garage because she needs the closet space. Jack comes home, hears his mother on the phone saying "the present is in the garage," and smiles. That evening, Emma asks Jack to fetch her coat from the hall closet. What does Emma think Jack will find there, and what does Jack actually expect to find?
""",
            r"""
**Emma** thinks the present is still in the hall closet, because she hid it there and wasn't home when her mother moved it. So she probably doesn't realise that she has just sent Jack to the place she believes the present is hidden — if she did, she'd likely fetch the coat herself!

**Jack**, on the other hand, overheard that the present is in the garage. He expects to find only coats in the closet. He also knows something Emma doesn't: that the present exists and where it really is.

So the beliefs are:
- Reality: the present is in the garage.
- Emma's belief: the present is in the closet, and Jack knows nothing about it.
- Jack's belief: the present is in the garage, and he may suspect Emma thinks it's somewhere else.
""",
            r"""
If Jack wants to keep the surprise for Emma's sake, how should he act when he comes back with the coat?
""",
            r"""
He should act as if he knows nothing at all. In practice that means:

1. **Bring the coat back normally**, without mentioning the garage or looking around suspiciously.
2. **Not react** if Emma seems nervous about the closet; any knowing smile or comment would tip her off.
3. **Avoid the garage** until his birthday, so Emma's (and his mother's) plans aren't disturbed.
4. **Act surprised** when he receives the present.

This requires Jack to model Emma's mind carefully: she believes he doesn't know about the present, and to protect her feelings he chooses to behave in a way that keeps that belief intact — a nice example of using theory of mind for kindness rather than deception for personal gain.
""",
        ],
    ),
]

OPENHERMES += [
    OH(
        "lmsys1m",
        [
            r"""
help me plan a birthday party for my 8 year old daughter
""",
            r"""
Happy early birthday to her! Here's a simple plan you can adapt:

**1. Pick a theme** (ask her!) — popular choices at 8: science lab, art studio, unicorns, camping, detectives, or her favourite film.

**2. Guest list and invitations** — a common rule of thumb is "age plus one," so about 9 kids keeps things manageable. Send invitations 2–3 weeks ahead and ask about allergies.

**3. Schedule (2 hours is plenty):**
- 0:00–0:15 Arrival activity (colouring table, bead bracelets)
- 0:15–0:50 Two or three organised games
- 0:50–1:10 Craft or main activity tied to the theme
- 1:10–1:35 Food and cake
- 1:35–1:50 Presents or a piñata
- 1:50–2:00 Party bags and goodbyes

**4. Food** — keep it simple: pizza or sandwiches, fruit skewers, popcorn, juice and water, and the cake.

**5. Helpers** — recruit one or two other adults; it makes a huge difference.

Do you have a budget or a venue in mind? I can tailor the plan.
""",
            r"""
budget is about $200 and it'll be at our house. she loves science
""",
            r"""
A science party at home on $200 is very doable. Here's a plan:

**Decorations (~$20):** balloons in bright colours, a "Lab" sign for the door, and printable "Lab Safety" posters. Label drinks as "Potion #1," "Potion #2."

**Lab coats (~$30):** buy a pack of white adult T-shirts (they're long on kids) and let each child write their "scientist name" with fabric markers. This doubles as a party favour.

**Experiments (~$45):**
1. **Baking soda volcanoes** — baking soda, vinegar, dish soap and food colouring in paper cups on a tray.
2. **Slime** — PVA glue plus contact lens solution and baking soda; kids take their slime home.
3. **Elephant toothpaste** (adult-led) — 3% hydrogen peroxide, dry yeast, warm water, dish soap. Spectacular and safe at this concentration.
4. **Walking rainbow** — paper towels wicking coloured water between cups (set it up at the start so it's ready by the end).

**Food (~$60):** pizza, "DNA" twists (liquorice), fruit "test tubes," and a cupcake "periodic table" with element letters piped on.

**Party bags (~$30):** magnifying glasses, pipettes, stickers and their slime in a small jar.

**Buffer (~$15)** for whatever you forget.

Tip: cover the table with a plastic sheet, have towels ready, and make sure each child has safety glasses or sunglasses for the experiments — they'll love "suiting up."
""",
            r"""
what games can we play that fit the theme?
""",
            r"""
Here are some science-flavoured games that work for 8-year-olds:

1. **Mad Scientist Relay** — teams race to carry a "radioactive" ping-pong ball on a spoon across the garden, drop it in a beaker, and run back.
2. **Element Scavenger Hunt** — hide cards with pictures of things made of different materials (a coin for copper, foil for aluminium). Kids collect them and match them to a simple periodic table poster.
3. **Freeze Molecule** — play music; when it stops, call a number and kids must form "molecules" of that many people by linking arms. Anyone left out does a silly "atom dance" to rejoin.
4. **Mystery Boxes** — put objects in boxes with a hole (cooked spaghetti "brains," peeled grapes "eyeballs"). Kids feel inside and write down their hypothesis.
5. **Paper Rocket Launch** — roll paper tubes around a pencil, add fins and a nose cone, and launch them by stomping on a plastic bottle connected by a straw. Measure whose rocket flies furthest.

Finish with **Scientist Awards** — small printed certificates like "Best Hypothesis," "Bravest Experimenter" and "Most Explosive Volcano," so every child gets one.
""",
        ],
    ),
    OH(
        "LMSys Chatbot Arena",
        [
            r"""
Explain recursion like I'm a beginner.
""",
            r"""
Recursion is when a function solves a problem by calling **itself** on a smaller version of the same problem.

Think of Russian nesting dolls. To find the tiniest doll, you open the outer doll. Inside is a smaller doll — the same kind of problem, just smaller — so you open that one too. You keep going until you reach a doll that doesn't open. That's where you stop.

Every recursive function needs two parts:
1. **A base case** — the simplest version of the problem, which you can answer directly (the doll that doesn't open).
2. **A recursive case** — a way to break the problem into a smaller version of itself and call the function again.

Without a base case, the function would call itself forever.
""",
            r"""
Can you show an example in Python?
""",
            r"""
Sure! The classic example is the factorial: $5! = 5 \times 4 \times 3 \times 2 \times 1 = 120$.

Notice that $5! = 5 \times 4!$, and $4! = 4 \times 3!$, and so on. That's a smaller version of the same problem.

```python
def factorial(n):
    if n <= 1:               # base case
        return 1
    return n * factorial(n - 1)   # recursive case


print(factorial(5))  # 120
```

What happens when you call `factorial(5)`:

```
factorial(5) = 5 * factorial(4)
             = 5 * 4 * factorial(3)
             = 5 * 4 * 3 * factorial(2)
             = 5 * 4 * 3 * 2 * factorial(1)
             = 5 * 4 * 3 * 2 * 1
             = 120
```

Each call waits for the one below it to return, and then the results are multiplied on the way back up.
""",
            r"""
What's a stack overflow then?
""",
            r"""
Every time a function is called, the computer stores some information about that call — its arguments, local variables and where to return to — in a region of memory called the **call stack**. When the function returns, that information is removed.

With recursion, each call is added to the stack *before* the previous ones have finished. `factorial(5)` needs 5 frames on the stack at once. `factorial(100000)` would need 100,000.

The stack has a limited size. If a recursive function goes too deep — usually because the base case is missing or never reached — the stack runs out of space. That's a **stack overflow**.

In Python you'll see it as:

```
RecursionError: maximum recursion depth exceeded
```

Python sets a default limit of about 1,000 calls to protect you from a real crash. For example:

```python
def countdown(n):
    print(n)
    countdown(n - 1)   # oops: no base case!
```

This never stops, so Python raises a `RecursionError`. The fixes are to make sure the base case is always reached, or to rewrite deep recursions as loops.
""",
        ],
    ),
    OH(
        "glaive-code-assist",
        [
            r"""
My SQL query is slow: SELECT * FROM orders WHERE customer_email = 'a@b.com' ORDER BY created_at DESC LIMIT 20; The table has 5 million rows. How can I speed it up?
""",
            r"""
The most likely problem is that the database has to scan all 5 million rows to find the matching email, and then sort them. Add a **composite index** that matches both the filter and the sort:

```sql
CREATE INDEX idx_orders_email_created
    ON orders (customer_email, created_at DESC);
```

With this index, the database can jump straight to the rows for that email, already sorted by `created_at`, and stop after reading 20 entries. You should see the query go from seconds to milliseconds.

Check the plan before and after:

```sql
EXPLAIN ANALYZE
SELECT * FROM orders
WHERE customer_email = 'a@b.com'
ORDER BY created_at DESC
LIMIT 20;
```

Before the index you'll typically see a sequential scan (PostgreSQL) or `type: ALL` (MySQL); afterwards you should see an index scan.

A couple of other tips:
- Select only the columns you need instead of `*`, especially if the table has large text columns.
- If emails are stored with inconsistent case and you search with `LOWER(customer_email)`, index the expression instead: `CREATE INDEX ... ON orders (LOWER(customer_email), created_at DESC);`
""",
            r"""
Won't adding an index slow down inserts?
""",
            r"""
Yes, a little. Each index must be updated whenever a row is inserted, and updated when an indexed column changes (or the row is deleted). So every index adds some write cost and some disk space.

In practice, for a typical orders table the trade-off is almost always worth it:
- One extra B-tree index usually adds a small amount of time per insert — often a few percent.
- The read you're speeding up goes from scanning millions of rows to reading a handful, which is an improvement of several orders of magnitude.

Where to be careful:
- **Don't add indexes speculatively.** Index the columns used by your actual slow queries, and periodically remove indexes that are never used (PostgreSQL's `pg_stat_user_indexes` shows usage counts).
- **Very write-heavy tables** (e.g. logging or event ingestion at thousands of rows per second) deserve more caution; measure insert latency after adding the index.
- **Bulk loads:** when loading millions of rows at once, it can be faster to drop indexes, load the data, and recreate them.
""",
        ],
    ),
    OH(
        "lmsys1m",
        [
            r"""
how do i make a basic tomato sauce from scratch
""",
            r"""
Here's a simple, reliable tomato sauce (enough for about 500 g of pasta):

**Ingredients**
- 2 tbsp olive oil
- 1 onion, finely chopped
- 3 garlic cloves, sliced or crushed
- 2 × 400 g cans of whole peeled tomatoes (or 800 g fresh, ripe tomatoes, peeled)
- 1 tsp salt, plus more to taste
- A pinch of sugar (optional, if the tomatoes are very acidic)
- A handful of fresh basil leaves

**Method**
1. Warm the olive oil in a wide pan over medium-low heat. Add the onion with a pinch of salt and cook gently for 8–10 minutes until soft and translucent, not browned.
2. Add the garlic and cook for 1 minute until fragrant.
3. Add the tomatoes, crushing them with your hands or a wooden spoon. Swirl a splash of water in the cans and add that too.
4. Bring to a simmer, then cook uncovered for 20–30 minutes, stirring occasionally, until it thickens and the oil starts to separate slightly at the edges.
5. Taste and adjust with salt (and sugar if needed). Tear in the basil at the end.
6. For a smooth sauce, blend it; for a rustic one, leave it chunky.

Tip: finish by tossing the pasta in the sauce with a ladle of pasta cooking water — the starch helps the sauce cling.
""",
            r"""
can i freeze it?
""",
            r"""
Yes, tomato sauce freezes very well.

- **Cool it completely** first, then portion it into airtight containers or freezer bags (lay bags flat so they freeze in thin slabs that stack and thaw quickly).
- Leave a little space at the top of containers, because the sauce expands as it freezes.
- **Label with the date.** It keeps its best quality for about 3–4 months, and remains safe longer if kept frozen solid.
- **Add the basil fresh** when you reheat rather than before freezing; frozen basil turns dark and loses its aroma.
- **To thaw:** overnight in the fridge, or reheat directly from frozen in a covered pan over low heat with a splash of water, stirring occasionally. Bring it to a simmer before serving.
""",
        ],
    ),
    OH(
        "airoboros2.2",
        [
            r"""
What's the difference between a comet and an asteroid?
""",
            r"""
Both are small bodies left over from the formation of the solar system, but they differ in composition and where they usually live.

- **Asteroids** are made mostly of rock and metal. Most orbit the Sun in the main asteroid belt between Mars and Jupiter. They don't develop tails.
- **Comets** are "dirty snowballs" of ice, dust and rock. They mostly come from the cold outer solar system — the Kuiper Belt beyond Neptune and the distant Oort Cloud. When a comet's orbit brings it close to the Sun, its ice turns to gas and releases dust, forming a glowing **coma** and often two **tails** (a dust tail and an ion tail) that always point away from the Sun.

The line isn't perfectly sharp: some asteroids contain ice, and some old comets have lost most of their ice and now look like asteroids.
""",
            r"""
Has a comet ever hit the Earth?
""",
            r"""
Almost certainly, many times over Earth's history, although it's often hard to tell afterwards whether an impactor was a comet or an asteroid.

- Early in Earth's history, comets and icy asteroids are thought to have delivered some of our water and organic molecules, although measurements of hydrogen isotopes suggest asteroids supplied most of the water.
- The **Tunguska event** of 1908, which flattened about 2,000 km² of Siberian forest, was caused by an object that exploded in the air; scientists still debate whether it was a small comet or a stony asteroid.
- The impactor that caused the **Chicxulub crater** and the dinosaur extinction 66 million years ago is generally thought to have been an asteroid, though a comet has also been proposed.

We have watched a comet hit another planet: in 1994, fragments of Comet Shoemaker–Levy 9 slammed into Jupiter, leaving dark scars bigger than Earth in its atmosphere.
""",
        ],
        system=SYS_CHAT,
    ),
    OH(
        "lmsys1m",
        [
            r"""
write an opening paragraph for a cover letter for a junior data analyst job at a healthcare company
""",
            r"""
Dear Hiring Manager,

I am writing to apply for the Junior Data Analyst position at Brightwell Health. As a recent graduate in Statistics with hands-on experience cleaning and analysing patient survey data during my internship at a regional hospital trust, I have seen first-hand how careful analysis can help clinical teams make better decisions. I am excited by the opportunity to bring my skills in SQL, Python and data visualisation to an organisation whose work directly improves patients' lives.
""",
            r"""
make it shorter
""",
            r"""
Dear Hiring Manager,

I am excited to apply for the Junior Data Analyst role at Brightwell Health. During my internship at a regional hospital trust, I analysed patient survey data with SQL and Python and saw how good analysis helps clinical teams improve care — work I'd love to continue with your team.
""",
            r"""
now make it sound more confident
""",
            r"""
Dear Hiring Manager,

I'm applying for the Junior Data Analyst role at Brightwell Health because I know I can add value from day one. At a regional hospital trust, I used SQL and Python to analyse patient survey data and delivered insights that helped clinical teams cut outpatient wait-time complaints — and I'm ready to bring the same impact to your team.

*(Tip: only keep the specific result if it's true for you — concrete outcomes are what make confidence convincing.)*
""",
        ],
    ),
    OH(
        "LMSys Chatbot Arena",
        [
            r"""
what's the derivative of ln(x^2 + 1)?
""",
            r"""
Use the chain rule. If $f(x) = \ln(u)$ with $u = x^2 + 1$, then $f'(x) = \dfrac{u'}{u}$.

Since $u' = 2x$:

$$\frac{d}{dx}\ln(x^2 + 1) = \frac{2x}{x^2 + 1}.$$
""",
            r"""
so what's the integral of 2x/(x^2+1)?
""",
            r"""
Exactly — you've just spotted why it's easy. The numerator is the derivative of the denominator, so

$$\int \frac{2x}{x^2 + 1}\,dx = \ln(x^2 + 1) + C.$$

Formally, substitute $u = x^2 + 1$, $du = 2x\,dx$: $\int \frac{du}{u} = \ln|u| + C$. The absolute value isn't needed here because $x^2 + 1 > 0$ for all real $x$.
""",
            r"""
and the integral of 1/(x^2+1)?
""",
            r"""
That one is a standard result:

$$\int \frac{1}{x^2 + 1}\,dx = \arctan x + C.$$

You can check it by differentiating: $\frac{d}{dx}\arctan x = \frac{1}{1 + x^2}$.

A nice consequence is that $\int_0^1 \frac{dx}{1 + x^2} = \arctan 1 - \arctan 0 = \frac{\pi}{4}$, which is one way mathematicians have computed $\pi$.
""",
        ],
    ),
    OH(
        "lmsys1m",
        [
            r"""
怎么才能煮出好吃的米饭？
""",
            r"""
煮好米饭有几个关键点：

1. **选米：** 东北大米、五常大米等粳米口感软糯，适合日常主食；泰国香米等籼米粒长、偏干爽，适合炒饭和咖喱。
2. **淘米：** 轻轻淘洗 2～3 遍，水变得比较清就可以了。不要用力搓，否则会洗掉米表面的营养和香味。
3. **浸泡：** 淘好的米浸泡 20～30 分钟，让米粒充分吸水，煮出来更均匀、更饱满。
4. **水量：** 一般米和水的体积比为 1 : 1.2 左右。新米含水量高，可以少放一点水；陈米偏干，可以多放一点。
5. **焖饭：** 煮好后不要马上开盖，再焖 10～15 分钟，米饭会更松软有弹性。
6. **打散：** 开盖后用饭勺从底部轻轻翻松，让多余的水汽散出去，米饭就不会黏成一团。

**小窍门：** 煮饭时滴几滴食用油或者放一小块海带，米饭会更香、更有光泽。
""",
            r"""
用电饭煲的话水放多少？
""",
            r"""
用电饭煲的话，有几种简单的方法：

1. **看内胆刻度：** 大多数电饭煲内胆上都有刻度线。放了几杯米（用电饭煲自带的量杯），就把水加到对应杯数的“白米”刻度线即可。这是最省事的方法。

2. **手指测量法：** 把米铺平，将食指指尖轻轻触到米面，水面高度大约到**第一个指关节**（约 2 厘米）即可。这种方法不受米量多少影响，很多家庭都这样用。

3. **按比例：** 米和水的体积比约为 1 : 1.2～1.3。比如 2 杯米，加 2.4～2.6 杯水。

**根据口感调整：**
- 喜欢软一点：多加少量水；
- 喜欢硬一点、做炒饭用：少加一点水；
- 糙米、杂粮米吸水多，水要加到 1 : 1.5 左右，并且最好提前浸泡 1 小时以上。

煮好后电饭煲会自动跳到保温，这时别急着开盖，再焖 10 分钟左右口感最好。
""",
        ],
    ),
    OH(
        "caseus_custom",
        [
            r"""
I have a 10-hour layover at Singapore Changi airport. What can I do?
""",
            r"""
Ten hours at Changi is a lucky layover — it's one of the best airports in the world to be stuck in. Options inside the airport (no immigration needed if you stay airside):

- **Gardens:** the Butterfly Garden (Terminal 3), the Sunflower Garden (Terminal 2) and the Cactus Garden (Terminal 1).
- **Rest:** free rest zones with reclining chairs, or book a few hours at the Aerotel transit hotel for a shower and proper sleep.
- **Entertainment:** free movie theatres, gaming zones and a giant slide in Terminal 3.
- **Food:** lots of local hawker-style options — try chicken rice, laksa or kaya toast.

Just landside (you'd need to pass immigration) is the **Jewel**, with the 40-metre Rain Vortex indoor waterfall, the Shiseido Forest Valley and Canopy Park.
""",
            r"""
Is it worth leaving the airport to see the city?
""",
            r"""
With 10 hours, yes — if you're eligible to enter Singapore visa-free (check your nationality's rules) and your bags are checked through to your final destination.

**Rough timing:**
- Immigration out and back in, plus getting back to the gate with a buffer: allow **3–3.5 hours** in total.
- Travel to the city: about 30 minutes by taxi or Grab, or around 45 minutes on the MRT.

That leaves roughly **4–5 hours** in the city, enough for:
1. **Gardens by the Bay** — the Supertree Grove is free; the Cloud Forest dome is worth the ticket. If you're there in the evening, the free light show at the Supertrees is spectacular.
2. **Marina Bay** — walk the waterfront to the Merlion.
3. **A hawker centre** — Lau Pa Sat or Maxwell Food Centre for an authentic, cheap meal.

Alternatively, Changi offers a **free Singapore city tour** for eligible transit passengers with enough layover time — check at the transit tour counter after landing.

Aim to be back at the airport at least 2 hours before departure.
""",
        ],
        system=SYS_HELPFUL,
    ),
    OH(
        "LMSys Chatbot Arena",
        [
            r"""
how do you say "good morning" in japanese, spanish, german, korean and hindi
""",
            r"""
- **Japanese:** おはようございます (ohayō gozaimasu) — polite; casually just おはよう (ohayō)
- **Spanish:** Buenos días
- **German:** Guten Morgen
- **Korean:** 좋은 아침입니다 (joeun achimimnida); in everyday life people usually just say 안녕하세요 (annyeonghaseyo), "hello"
- **Hindi:** सुप्रभात (suprabhāt) — formal; in everyday speech people often say नमस्ते (namaste)
""",
            r"""
how do I pronounce the japanese one?
""",
            r"""
"Ohayō gozaimasu" is pronounced roughly:

**oh-HA-yoh go-ZAI-mas**

Some tips:
- The **ō** in *ohayō* is a long "o" — hold it slightly longer than a normal "o."
- *Gozaimasu* is usually pronounced **go-zai-mas**: the final "u" is almost silent in standard Japanese.
- Japanese has a pitch accent rather than strong stress, so don't hit any syllable too hard; keep it fairly even and light.

It's used until around late morning. In the afternoon you'd switch to こんにちは (konnichiwa).
""",
        ],
    ),
    OH(
        "lmsys1m",
        [
            r"""
I'm learning guitar and my fingertips really hurt. Is that normal? How do I make it stop?
""",
            r"""
Completely normal — every guitarist goes through it. Your fingertips are pressing thin steel strings hard against the fretboard, and the skin isn't used to it yet.

What helps:
1. **Practise in short sessions** — 15–20 minutes, two or three times a day, is better than one long hour. It lets the skin toughen without getting raw.
2. **Press only as hard as you need.** Beginners often squeeze far harder than necessary. Try pressing just enough for a clean note; you'll be surprised how little it takes.
3. **Check your guitar's action.** If the strings sit high above the fretboard, you have to press harder. A guitar shop can lower the action cheaply.
4. **Consider lighter strings** (e.g. 10s or 11s on an acoustic instead of 12s or 13s), or nylon strings if you're on a classical guitar.
5. **Play with dry hands**, and avoid long soaks in water right before practising, which soften the skin.
6. **Stop if you see blisters or feel sharp pain.** Give them a day or two to heal.
""",
            r"""
how long until calluses form?
""",
            r"""
For most people, the worst soreness fades within **2–4 weeks** of regular practice, and proper calluses form within about **1–2 months**.

It depends on how often you play (daily practice builds them fastest), your string type (steel strings toughen the skin faster than nylon, but hurt more at first) and your skin.

Once they've formed, calluses stay as long as you keep playing a few times a week. If you stop for a month or more they'll soften, but they come back much faster the second time. Don't peel or file them aggressively — a smooth, even callus is what you want.
""",
        ],
    ),
    OH(
        "glaive-code-assist",
        [
            r"""
Why does this JavaScript code print 3, 3, 3 instead of 0, 1, 2?

for (var i = 0; i < 3; i++) {
  setTimeout(() => console.log(i), 100);
}
""",
            r"""
Because `var` is **function-scoped**, not block-scoped. There is only **one** variable `i` shared by all three iterations.

The callbacks passed to `setTimeout` don't run until after the loop has finished. By then, `i` has been incremented to 3 (which is what made the loop stop). All three callbacks close over the same `i`, so they all print 3.

**Fix 1: use `let`** (the modern solution)

```javascript
for (let i = 0; i < 3; i++) {
  setTimeout(() => console.log(i), 100);
}
// 0, 1, 2
```

`let` is block-scoped, and in a `for` loop, a fresh binding of `i` is created for each iteration, so each callback captures its own copy.

**Fix 2: an IIFE** (how it was done before ES6)

```javascript
for (var i = 0; i < 3; i++) {
  (function (j) {
    setTimeout(() => console.log(j), 100);
  })(i);
}
```
""",
            r"""
So is a closure just a function that remembers variables?
""",
            r"""
That's a good way to put it. More precisely, a **closure** is a function together with a reference to the scope in which it was created. It can keep reading and writing the variables from that scope even after the outer function has returned.

```javascript
function makeCounter() {
  let count = 0;
  return function () {
    count += 1;
    return count;
  };
}

const counter = makeCounter();
console.log(counter()); // 1
console.log(counter()); // 2
```

`makeCounter` has finished running, but the inner function still has access to `count`. Each call to `makeCounter()` creates a new, independent `count`.

One subtlety, which is exactly what bit you in the loop: a closure remembers the **variable**, not the **value** at the moment it was created. With `var`, all three callbacks shared one variable, so they all saw its final value.
""",
        ],
    ),
    OH(
        "lmsys1m",
        [
            r"""
let's play a text adventure game. you describe the scene and I'll tell you what I do.
""",
            r"""
**THE LIGHTHOUSE ON GREY ISLAND**

You wake on a cold, pebbled beach. Your clothes are damp with sea spray, and the sky is the colour of wet slate. Behind you, a rowing boat lies on its side with a hole in its hull. You don't remember how you got here.

To the **north**, a narrow path winds up a grassy slope toward a tall, white lighthouse. Its lamp is dark.
To the **east**, the beach curves around a cluster of black rocks, where you can hear something metallic clanking in the waves.
To the **west**, a ruined stone cottage stands with its door hanging open.

In the boat you see: **an oar** and **a small tin box**.

What do you do?
""",
            r"""
open the tin box
""",
            r"""
You kneel beside the boat and prise the lid off the tin box. It's stiff with rust, but it gives with a scrape.

Inside, wrapped in oilcloth, you find:
- **a box of matches** (about half full, and miraculously dry)
- **a brass key** with a tag that reads *"L.H. — Lamp Room"*
- **a folded note**, the ink slightly smudged: *"If the light is not lit by midnight, the* Mary Rose *will run onto the reef. Do not trust the keeper."*

Far out to sea, you think you glimpse the lights of a ship.

What do you do?
""",
            r"""
take everything and go north to the lighthouse
""",
            r"""
You pocket the matches, the key and the note, and start up the path. The grass is slick, and the wind grows stronger with every step, tugging at your coat.

The lighthouse looms above you, taller than it looked from the beach. The heavy wooden door at its base is **ajar**. Through the gap you see a spiral staircase disappearing upward into darkness, and a faint yellow glow coming from a side room on the ground floor. You can hear someone inside, muttering and shuffling papers.

A wooden sign by the door reads: *KEEPER'S QUARTERS — NO VISITORS.*

What do you do?
""",
        ],
    ),
    OH(
        "LMSys Chatbot Arena",
        [
            r"""
summarize the plot of hamlet in 5 sentences
""",
            r"""
Prince Hamlet of Denmark is visited by the ghost of his father, who reveals that he was murdered by his brother Claudius, who has since taken the throne and married Hamlet's mother, Gertrude. Hamlet feigns madness while he seeks proof, and he stages a play that re-enacts the murder to watch Claudius's reaction, which confirms his guilt. In his turmoil he mistakenly kills Polonius, the king's counsellor, which drives Polonius's daughter Ophelia — whom Hamlet once courted — to madness and death. Claudius sends Hamlet to England to be killed, but Hamlet escapes and returns, and Polonius's son Laertes, seeking revenge, agrees to a rigged duel with poisoned weapons. In the final scene, Gertrude, Laertes, Claudius and Hamlet all die, and the Norwegian prince Fortinbras arrives to take the Danish throne.
""",
            r"""
who dies at the end exactly, and how?
""",
            r"""
In the final scene (Act 5, Scene 2):

1. **Gertrude** drinks from a cup of poisoned wine that Claudius had prepared for Hamlet, and dies.
2. **Laertes** is wounded with his own poisoned sword after the rapiers are swapped in a scuffle. Before dying, he confesses the plot and blames Claudius.
3. **Claudius** is stabbed by Hamlet with the poisoned sword and then forced to drink the rest of the poisoned wine.
4. **Hamlet** dies from the poisoned wound Laertes gave him earlier in the duel. Before dying, he asks Horatio to tell his story and names Fortinbras as his successor.

Earlier deaths in the play include Polonius (stabbed by Hamlet through a curtain), Ophelia (drowned) and Rosencrantz and Guildenstern (executed in England because of a letter Hamlet rewrote).
""",
        ],
    ),
    OH(
        "airoboros2.2",
        [
            r"""
What is the tallest mountain in the solar system?
""",
            r"""
The tallest known mountain in the solar system is **Olympus Mons** on Mars. It is a shield volcano that rises about **22 km** (roughly 72,000 ft) above the surrounding plains — about 2.5 times the height of Mount Everest above sea level. It is also enormous in width: about 600 km across, roughly the size of Poland or the US state of Arizona.

A close rival is the central peak of the **Rheasilvia crater** on the asteroid Vesta, which rises about 20–25 km above the crater floor; depending on how the height is measured, some sources rank it alongside or even above Olympus Mons.
""",
            r"""
Why can mountains on Mars be so much taller than on Earth?
""",
            r"""
Several factors combine:

1. **Lower gravity.** Mars's surface gravity is about 38% of Earth's. A given mass of rock weighs less, so the crust can support a taller pile before it sags or the rock at the base deforms.

2. **No moving plates.** On Earth, plate tectonics keeps moving the crust over volcanic hotspots, so a hotspot builds a chain of smaller volcanoes (like Hawaii) instead of one giant. Mars lacks active plate tectonics, so lava kept erupting in the same place for hundreds of millions of years, piling up one enormous volcano.

3. **Less erosion.** Mars has had little liquid water and no ice sheets or rivers for billions of years, so its mountains aren't worn down the way Earth's are.

4. **A thick, rigid lithosphere.** Mars's cold, thick outer shell can bear an enormous load without collapsing.

On Earth, the tallest mountain from base to peak is actually Mauna Kea in Hawaii — about 10 km, most of it underwater.
""",
        ],
        system=SYS_CHAT_LONG,
    ),
]


# ---------------------------------------------------------------------------------------------
# OpenHermes, templated records (answers computed)
# ---------------------------------------------------------------------------------------------

TRIVIA = [
    (
        "Known by the chemical symbol 'Au', what precious metal has been prized since ancient times?",
        "Gold",
    ),
    (
        "What 1851 novel by Herman Melville follows Captain Ahab's obsessive pursuit of a white whale?",
        "Moby-Dick",
    ),
    (
        "In which city would you find the Sagrada Família, the unfinished basilica designed by Antoni Gaudí?",
        "Barcelona",
    ),
    ("What is the smallest planet in our solar system?", "Mercury"),
    (
        "Which composer, almost completely deaf by the time it premiered, wrote the Ninth Symphony with its 'Ode to Joy'?",
        "Ludwig van Beethoven",
    ),
    ("What is the longest river in South America?", "The Amazon River"),
    ("Which Greek letter denotes the ratio of a circle's circumference to its diameter?", "Pi (π)"),
    (
        "Which English scientist set out the three laws of motion in his 1687 work 'Principia'?",
        "Isaac Newton",
    ),
    ("What is the hardest naturally occurring mineral?", "Diamond"),
    ("In what year did the Berlin Wall fall?", "1989"),
    (
        "Which Dutch painter cut off part of his own left ear in 1888 in the town of Arles?",
        "Vincent van Gogh",
    ),
    ("What gas makes up about 78 percent of Earth's atmosphere?", "Nitrogen"),
    ("The ancient rock-cut city of Petra is located in which modern country?", "Jordan"),
    ("What is the name of the galaxy that contains our solar system?", "The Milky Way"),
]

ATOMIC_MASS = {
    "H": 1.008,
    "C": 12.011,
    "N": 14.007,
    "O": 15.999,
    "Na": 22.990,
    "S": 32.06,
    "Cl": 35.45,
    "Ca": 40.078,
    "Fe": 55.845,
}

COMPOUNDS = [
    ("water", "H₂O", [("H", 2), ("O", 1)], 36.0, "molecules"),
    ("glucose", "C₆H₁₂O₆", [("C", 6), ("H", 12), ("O", 6)], 90.0, "molecules"),
    ("sulfuric acid", "H₂SO₄", [("H", 2), ("S", 1), ("O", 4)], 24.5, "molecules"),
    ("calcium carbonate", "CaCO₃", [("Ca", 1), ("C", 1), ("O", 3)], 250.0, "formula units"),
    ("sodium chloride", "NaCl", [("Na", 1), ("Cl", 1)], 11.7, "formula units"),
    ("iron(III) oxide", "Fe₂O₃", [("Fe", 2), ("O", 3)], 80.0, "formula units"),
]

_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(x: float, digits: int = 2) -> str:
    """``1.20 × 10²⁴`` style scientific notation."""
    mant, exp = f"{x:.{digits}e}".split("e")
    return f"{mant} × 10{str(int(exp)).translate(_SUP)}"


def gen_openhermes() -> list[dict]:
    out = []
    for q, a in TRIVIA:
        out.append(OH("airoboros2.2", [q, a], category="trivia", system=SYS_TRIVIA))

    # metamath-style word problems.
    for name, start, give, buy, baskets in [
        ("Janet", 38, 8, 14, 4),
        ("Carlos", 25, 7, 22, 5),
        ("Mei", 60, 15, 27, 6),
    ]:
        total = start - give + buy
        per, rem = divmod(total, baskets)
        assert rem == 0
        q = (
            f"{name} has {start} apples. {name} gives {give} to a neighbour and then buys {buy} more at the market. "
            f"If {name} shares the apples equally among {baskets} baskets, how many apples go in each basket?"
        )
        a = (
            f"{name} starts with {start} apples and gives away {give}, leaving {start} - {give} = {start - give} apples.\n"
            f"Then {name} buys {buy} more, so there are {start - give} + {buy} = {total} apples.\n"
            f"Shared equally among {baskets} baskets, each basket gets {total} / {baskets} = {per} apples.\n"
            f"#### {per}\nThe answer is: {per}"
        )
        out.append(OH("metamath", [q, a]))

    for name, nb, pnb, pens, ppen, bill in [
        ("Maria", 4, Fraction(7, 2), 3, Fraction(5, 4), 20),
        ("Sam", 6, Fraction(9, 4), 5, Fraction(3, 2), 50),
    ]:
        cost = nb * pnb + pens * ppen
        change = bill - cost
        q = (
            f"A store sells notebooks for ${_money(pnb)} each and pens for ${_money(ppen)} each. {name} buys {nb} notebooks "
            f"and {pens} pens and pays with a ${bill} bill. How much change does {name} get?"
        )
        a = (
            f"The notebooks cost {nb} * ${_money(pnb)} = ${_money(nb * pnb)}.\n"
            f"The pens cost {pens} * ${_money(ppen)} = ${_money(pens * ppen)}.\n"
            f"In total {name} spends ${_money(nb * pnb)} + ${_money(pens * ppen)} = ${_money(cost)}.\n"
            f"The change is ${bill} - ${_money(cost)} = ${_money(change)}.\n"
            f"#### {_num(change)}\nThe answer is: {_num(change)}"
        )
        out.append(OH("metamath", [q, a]))

    for name, mon, fewer in [("Tom", 24, 10), ("Priya", 35, 18)]:
        tue = 2 * mon
        wed = tue - fewer
        total = mon + tue + wed
        q = (
            f"{name} reads {mon} pages of a book on Monday, twice as many pages on Tuesday, and {fewer} fewer pages on "
            f"Wednesday than on Tuesday. How many pages does {name} read in the three days?"
        )
        a = (
            f"On Tuesday {name} reads 2 * {mon} = {tue} pages.\n"
            f"On Wednesday {name} reads {tue} - {fewer} = {wed} pages.\n"
            f"In total {name} reads {mon} + {tue} + {wed} = {total} pages.\n"
            f"#### {total}\nThe answer is: {total}"
        )
        out.append(OH("metamath", [q, a]))
        # MetaMath "self-verification" variant: the answer is given, solve for the unknown.
        q2 = (
            f"{name} reads x pages of a book on Monday, twice as many pages on Tuesday, and {fewer} fewer pages on "
            f"Wednesday than on Tuesday. If {name} reads {total} pages in total over the three days, what is the value of unknown variable x?"
        )
        a2 = (
            f"On Monday {name} reads x pages.\n"
            f"On Tuesday {name} reads twice as many, which is 2x pages.\n"
            f"On Wednesday {name} reads {fewer} fewer than on Tuesday, which is 2x - {fewer} pages.\n"
            f"The total number of pages is x + 2x + (2x - {fewer}) = 5x - {fewer}.\n"
            f"We are given that the total is {total}, so we can write: 5x - {fewer} = {total}.\n"
            f"Adding {fewer} to both sides, we get: 5x = {total + fewer}.\n"
            f"Dividing both sides by 5, we get: x = {mon}.\n"
            f"The value of x is {mon}.\n#### {mon}\nThe answer is: {mon}"
        )
        out.append(OH("metamath", [q2, a2]))

    for length, width, price in [(12, 8, Fraction(15, 2)), (25, 14, 11)]:
        perim = 2 * (length + width)
        cost = perim * price
        q = (
            f"A rectangular garden is {length} meters long and {width} meters wide. Fencing costs ${_money(price)} per meter. "
            f"How much will it cost to put a fence all the way around the garden?"
        )
        a = (
            f"The perimeter of the garden is 2 * ({length} + {width}) = 2 * {length + width} = {perim} meters.\n"
            f"The cost of the fence is {perim} * ${_money(price)} = ${_money(cost)}.\n"
            f"#### {_num(cost)}\nThe answer is: {_num(cost)}"
        )
        out.append(OH("metamath", [q, a]))

    for name, rate, hours in [("Lena", 18, 46), ("Omar", 22, 43)]:
        ot = hours - 40
        pay = 40 * rate + ot * Fraction(3, 2) * rate
        q = (
            f"{name} earns ${rate} per hour and gets paid time-and-a-half for every hour over 40 in a week. "
            f"If {name} works {hours} hours this week, how much does {name} earn?"
        )
        a = (
            f"For the first 40 hours {name} earns 40 * ${rate} = ${40 * rate}.\n"
            f"{name} works {hours} - 40 = {ot} hours of overtime.\n"
            f"The overtime rate is 1.5 * ${rate} = ${_num(Fraction(3, 2) * rate)} per hour, so overtime pay is {ot} * ${_num(Fraction(3, 2) * rate)} = ${_num(ot * Fraction(3, 2) * rate)}.\n"
            f"In total {name} earns ${40 * rate} + ${_num(ot * Fraction(3, 2) * rate)} = ${_num(pay)}.\n"
            f"#### {_num(pay)}\nThe answer is: {_num(pay)}"
        )
        out.append(OH("metamath", [q, a]))

    # CamelAI stoichiometry.
    for name, formula, parts, grams, unit in COMPOUNDS:
        lines = []
        total = 0.0
        for el, n in parts:
            contrib = ATOMIC_MASS[el] * n
            total += contrib
            lines.append(f"- {el}: {n} × {ATOMIC_MASS[el]:.3f} g/mol = {contrib:.3f} g/mol")
        moles = grams / total
        q = f"What is the molar mass of {name} ({formula}), and how many moles are present in {grams:g} g of it?"
        a = (
            "To find the molar mass, add up the atomic masses of all the atoms in the formula:\n\n"
            + "\n".join(lines)
            + f"\n\nMolar mass of {formula} = **{total:.2f} g/mol**.\n\n"
            f"The number of moles is the mass divided by the molar mass:\n\n"
            f"n = m / M = {grams:g} g ÷ {total:.2f} g/mol ≈ **{moles:.3f} mol**.\n\n"
            f"That corresponds to about {sci(moles * 6.022e23)} {unit} (using Avogadro's number, 6.022 × 10²³ mol⁻¹)."
        )
        out.append(OH("CamelAI", [q, a], topic="Stoichiometry"))
    return out


# ---------------------------------------------------------------------------------------------
# OpenHermes, record assembly and defects
# ---------------------------------------------------------------------------------------------

OH_UUID_SOURCES = {"LMSys Chatbot Arena", "GPT-4 Comparison Data"}


def openhermes_record(rng: random.Random, it: dict, roles: list[str] | None = None) -> dict:
    weighted = rng.random() < 0.4
    conv = []
    if it["system"]:
        conv.append({"from": "system", "value": it["system"], "weight": 0.0 if weighted else None})
    roles = roles or ["human" if i % 2 == 0 else "gpt" for i in range(len(it["turns"]))]
    for role, value in zip(roles, it["turns"], strict=True):
        w = (1.0 if role == "gpt" else 0.0) if weighted else None
        conv.append({"from": role, "value": value, "weight": w})
    rid = uuid_from(rng) if it["source"] in OH_UUID_SOURCES else None
    return {
        "custom_instruction": None,
        "topic": it["topic"],
        "model_name": None,
        "model": None,
        "skip_prompt_formatting": False
        if it["source"] in ("airoboros2.2", "caseus_custom")
        else None,
        "category": it["category"],
        "conversations": conv,
        "views": None,
        "language": None,
        "id": rid,
        "title": None,
        "idx": None,
        "hash": None,
        "avatarUrl": None,
        "system_prompt": None,
        "source": it["source"],
    }


def build_openhermes(rng: random.Random) -> list[dict]:
    items = OPENHERMES + gen_openhermes()
    items.sort(key=lambda it: (it["source"], it["turns"][0]))
    rng.shuffle(items)
    records = [openhermes_record(rng, it) for it in items]

    # Exact duplicate of an earlier record's conversations.
    orig = next(
        r
        for r in records
        if r["conversations"][0]["value"] == "Give three tips for staying healthy."
    )
    pos = records.index(orig)
    records.insert(min(len(records), pos + 23), json.loads(json.dumps(orig)))

    # A gpt turn that is only whitespace.
    blank = OH("cot_alpaca_gpt4", ["Name the three primary colours of light.", "placeholder"])
    rec = openhermes_record(rng, blank)
    rec["conversations"][-1]["value"] = "  \n\t \n"
    records.insert(rng.randrange(10, len(records) - 10), rec)

    # A conversation that ends on a human turn and has no gpt turn at all.
    dangling = OH(
        "lmsys1m",
        [
            "Can you write a short bedtime story about a dragon who is afraid of the dark?",
        ],
        system=SYS_HELPFUL,
    )
    records.insert(
        rng.randrange(10, len(records) - 10), openhermes_record(rng, dangling, roles=["human"])
    )

    # Roles out of order: the gpt turn comes before the human turn.
    swapped = OH(
        "airoboros2.2",
        [
            "Rain on the tin roof —\nthe old dog lifts one ear, then\nsettles back to sleep.",
            "Write a haiku about rain.",
        ],
        category="poem",
    )
    records.insert(
        rng.randrange(10, len(records) - 10),
        openhermes_record(rng, swapped, roles=["gpt", "human"]),
    )
    return records


# ---------------------------------------------------------------------------------------------
# MAmmoTH2 / WebInstructSub
# ---------------------------------------------------------------------------------------------


def W(source, orig_q, orig_a, q, a):
    return {
        "source": source,
        "orig_question": _t(orig_q),
        "orig_answer": _t(orig_a),
        "question": _t(q),
        "answer": _t(a),
    }


WEBINSTRUCT = [
    W(
        "mathstackexchange",
        r"""
<p>How do I prove $1+2+\dots+n = \frac{n(n+1)}{2}$ by induction? I can do the base case but I'm stuck on the inductive step.</p>
""",
        r"""
<p>Assume it holds for $n$. Then $1+\dots+n+(n+1) = \frac{n(n+1)}{2} + (n+1)$. Now factor out $(n+1)$.</p>
""",
        r"""
Prove by mathematical induction that for every positive integer $n$,
$$1 + 2 + \cdots + n = \frac{n(n+1)}{2}.$$
""",
        r"""
Let $P(n)$ be the statement $\sum_{k=1}^{n} k = \frac{n(n+1)}{2}$.

**Base case ($n = 1$).** The left side is $1$ and the right side is $\frac{1 \cdot 2}{2} = 1$, so $P(1)$ holds.

**Inductive step.** Assume $P(n)$ holds for some $n \ge 1$, i.e. $\sum_{k=1}^{n} k = \frac{n(n+1)}{2}$. Then
\begin{align}
\sum_{k=1}^{n+1} k &= \left(\sum_{k=1}^{n} k\right) + (n+1) \\
&= \frac{n(n+1)}{2} + (n+1) \\
&= (n+1)\left(\frac{n}{2} + 1\right) \\
&= \frac{(n+1)(n+2)}{2},
\end{align}
which is exactly $P(n+1)$.

By the principle of mathematical induction, $P(n)$ holds for all positive integers $n$. $\blacksquare$
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>Why is $\lim_{x \to 0} \frac{\sin x}{x} = 1$? My teacher says we can't use L'Hopital because that would be circular. Is there a geometric proof?</p>
""",
        r"""
<p>Yes - compare areas in the unit circle. For $0<x<\pi/2$ you get $\sin x \le x \le \tan x$, divide by $\sin x$ and squeeze.</p>
""",
        r"""
Prove that $\displaystyle\lim_{x \to 0} \frac{\sin x}{x} = 1$ without using L'Hôpital's rule.
""",
        r"""
Your teacher is right that L'Hôpital's rule is circular here: to differentiate $\sin x$ at $0$ we need exactly this limit. Instead we use a geometric inequality and the squeeze theorem.

**Step 1: An inequality for $0 < x < \frac{\pi}{2}$.** In the unit circle, take the angle $x$ (in radians) with vertex at the origin $O$, and let $A = (1, 0)$, $B = (\cos x, \sin x)$ and $C = (1, \tan x)$. Compare three areas:

- triangle $OAB$: $\frac{1}{2}\sin x$,
- circular sector $OAB$: $\frac{1}{2}x$,
- triangle $OAC$: $\frac{1}{2}\tan x$.

Each region contains the previous one, so
$$\sin x \le x \le \tan x.$$

**Step 2: Rearrange.** Dividing by $\sin x > 0$ gives $1 \le \frac{x}{\sin x} \le \frac{1}{\cos x}$, and taking reciprocals,
$$\cos x \le \frac{\sin x}{x} \le 1.$$

**Step 3: Negative $x$.** Both $\frac{\sin x}{x}$ and $\cos x$ are even functions, so the same inequality holds for $-\frac{\pi}{2} < x < 0$.

**Step 4: Squeeze.** Since $\lim_{x \to 0} \cos x = 1$, the squeeze theorem gives
$$\lim_{x \to 0} \frac{\sin x}{x} = 1.$$
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>Does $\sum_{n=1}^\infty \frac{1}{n^2}$ converge? I know $\sum 1/n$ diverges so I'd guess it diverges too, but apparently it's $\pi^2/6$??</p>
""",
        r"""
<p>It converges. Compare with $\frac{1}{n(n-1)} = \frac{1}{n-1}-\frac1n$ which telescopes. The value $\pi^2/6$ is the Basel problem (Euler).</p>
""",
        r"""
Does the series $\displaystyle\sum_{n=1}^{\infty} \frac{1}{n^2}$ converge? If so, find a simple upper bound for its sum.
""",
        r"""
The series **converges**, even though $\sum \frac{1}{n}$ diverges: the terms $\frac{1}{n^2}$ shrink fast enough.

**Comparison with a telescoping series.** For $n \ge 2$,
$$\frac{1}{n^2} < \frac{1}{n(n-1)} = \frac{1}{n-1} - \frac{1}{n}.$$
Therefore, for every $N \ge 2$,
\begin{align}
\sum_{n=1}^{N} \frac{1}{n^2} &< 1 + \sum_{n=2}^{N}\left(\frac{1}{n-1} - \frac{1}{n}\right) \\
&= 1 + \left(1 - \frac{1}{N}\right) < 2.
\end{align}
The partial sums are increasing and bounded above by $2$, so by the monotone convergence theorem the series converges, and its sum is at most $2$.

**The exact value.** Euler showed in 1734 (the *Basel problem*) that
$$\sum_{n=1}^{\infty} \frac{1}{n^2} = \frac{\pi^2}{6} \approx 1.6449,$$
consistent with our bound. More generally, the $p$-series $\sum \frac{1}{n^p}$ converges exactly when $p > 1$, which can be shown with the integral test: $\int_1^\infty x^{-p}\,dx$ is finite if and only if $p > 1$.
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>Why does the harmonic series diverge? The terms go to 0...</p>
""",
        r"""
<p>Terms going to zero is necessary but not sufficient. Group the terms: $1 + \frac12 + (\frac13+\frac14) + (\frac15+\dots+\frac18)+\dots$, each group is $\geq \frac12$.</p>
""",
        r"""
Show that the harmonic series $\displaystyle\sum_{n=1}^{\infty} \frac{1}{n}$ diverges, even though $\frac{1}{n} \to 0$.
""",
        r"""
The condition $a_n \to 0$ is **necessary** for convergence but not **sufficient**. Here is Oresme's classic grouping argument (14th century).

Group the terms in blocks whose lengths double:
$$1 + \frac{1}{2} + \left(\frac{1}{3} + \frac{1}{4}\right) + \left(\frac{1}{5} + \frac{1}{6} + \frac{1}{7} + \frac{1}{8}\right) + \cdots$$

In the block from $\frac{1}{2^{k}+1}$ to $\frac{1}{2^{k+1}}$ there are $2^k$ terms, each at least $\frac{1}{2^{k+1}}$, so the block sum is at least $2^k \cdot \frac{1}{2^{k+1}} = \frac{1}{2}$.

Hence
$$\sum_{n=1}^{2^m} \frac{1}{n} \ge 1 + \frac{m}{2},$$
which grows without bound as $m \to \infty$. The partial sums are unbounded, so the series diverges.

In fact the partial sums grow like $\ln n$: $H_n = \sum_{k=1}^{n} \frac{1}{k} = \ln n + \gamma + o(1)$ with $\gamma \approx 0.5772$ (the Euler–Mascheroni constant). So the divergence is extremely slow — you need more than $10^{43}$ terms for the sum to exceed $100$.
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>Estimate $e^{0.1}$ using Taylor polynomial, how many terms do i need for error < $10^{-6}$?</p>
""",
        r"""
<p>Use $e^x = \sum x^n/n!$. Lagrange remainder: $|R_n| \le \frac{e^{0.1} (0.1)^{n+1}}{(n+1)!}$. n=4 is enough.</p>
""",
        r"""
Use the Maclaurin series of $e^x$ to approximate $e^{0.1}$ with an error smaller than $10^{-6}$. How many terms are needed?
""",
        r"""
The Maclaurin series is
$$e^x = \sum_{n=0}^{\infty} \frac{x^n}{n!} = 1 + x + \frac{x^2}{2!} + \frac{x^3}{3!} + \cdots$$

**Error bound.** By Taylor's theorem with the Lagrange remainder, the error after the degree-$n$ polynomial is
$$|R_n(0.1)| = \frac{e^{c}}{(n+1)!}(0.1)^{n+1} \quad\text{for some } c \in (0, 0.1).$$
Since $e^{c} < e^{0.1} < 1.2$, we have $|R_n| < \frac{1.2 \cdot (0.1)^{n+1}}{(n+1)!}$.

- $n = 3$: $\frac{1.2 \cdot 10^{-4}}{24} = 5 \times 10^{-6}$ — not small enough.
- $n = 4$: $\frac{1.2 \cdot 10^{-5}}{120} = 10^{-7}$ — sufficient.

So the degree-4 polynomial (five terms) suffices:
\begin{align}
e^{0.1} &\approx 1 + 0.1 + \frac{0.01}{2} + \frac{0.001}{6} + \frac{0.0001}{24} \\
&= 1 + 0.1 + 0.005 + 0.000166\overline{6} + 0.0000041\overline{6} \\
&\approx 1.1051708.
\end{align}

The true value is $e^{0.1} = 1.10517091\ldots$, so the error is about $8 \times 10^{-8}$, within the bound.
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>lim x->0 (1-cos x)/x^2 . I got 0 but wolfram says 1/2</p>
""",
        r"""
<p>Multiply top and bottom by $1+\cos x$: you get $\frac{\sin^2 x}{x^2(1+\cos x)} \to \frac{1}{2}$.</p>
""",
        r"""
Evaluate $\displaystyle\lim_{x \to 0} \frac{1 - \cos x}{x^2}$.
""",
        r"""
The limit is $\frac{1}{2}$. A common mistake is to say "the numerator tends to $0$, so the limit is $0$" — but the denominator tends to $0$ as well, so this is an indeterminate form $\frac{0}{0}$.

**Method 1: conjugate.**
\begin{align}
\frac{1 - \cos x}{x^2} &= \frac{(1 - \cos x)(1 + \cos x)}{x^2 (1 + \cos x)} = \frac{\sin^2 x}{x^2 (1 + \cos x)} \\
&= \left(\frac{\sin x}{x}\right)^2 \cdot \frac{1}{1 + \cos x} \;\longrightarrow\; 1^2 \cdot \frac{1}{2} = \frac{1}{2}.
\end{align}

**Method 2: L'Hôpital's rule (twice).**
$$\lim_{x \to 0} \frac{1 - \cos x}{x^2} = \lim_{x \to 0} \frac{\sin x}{2x} = \lim_{x \to 0} \frac{\cos x}{2} = \frac{1}{2}.$$

**Method 3: Taylor series.** $\cos x = 1 - \frac{x^2}{2} + O(x^4)$, so $\frac{1 - \cos x}{x^2} = \frac{1}{2} + O(x^2) \to \frac{1}{2}$.
""",
    ),
    W(
        "socratic",
        r"""
How do you integrate #int x e^x dx# using integration by parts?
""",
        r"""
#int x e^x dx = xe^x - e^x + C#

Explanation:

Let #u = x# and #dv = e^x dx#. Then #du = dx#, #v = e^x#.

#int u dv = uv - int v du = xe^x - int e^x dx = xe^x - e^x + C#
""",
        r"""
Evaluate the indefinite integral $\int x e^x \, dx$ using integration by parts.
""",
        r"""
Integration by parts states that $\int u\,dv = uv - \int v\,du$.

Choose $u = x$ (it becomes simpler when differentiated) and $dv = e^x\,dx$:
$$u = x, \quad du = dx, \qquad dv = e^x\,dx, \quad v = e^x.$$

Then
\begin{align}
\int x e^x\,dx &= x e^x - \int e^x\,dx \\
&= x e^x - e^x + C \\
&= e^x (x - 1) + C.
\end{align}

**Check:** $\frac{d}{dx}\left[e^x(x - 1)\right] = e^x(x - 1) + e^x = x e^x$. ✓
""",
    ),
    W(
        "socratic",
        r"""
What is the integral of #ln(x)#?
""",
        r"""
#xlnx - x + C#

Explanation:

Use integration by parts with #u = lnx# and #dv = dx#
""",
        r"""
Find $\int \ln x \, dx$.
""",
        r"""
Although $\ln x$ doesn't look like a product, we can write it as $\ln x \cdot 1$ and integrate by parts.

Let $u = \ln x$ and $dv = dx$. Then $du = \frac{1}{x}\,dx$ and $v = x$:
\begin{align}
\int \ln x\,dx &= x\ln x - \int x \cdot \frac{1}{x}\,dx \\
&= x\ln x - \int 1\,dx \\
&= x\ln x - x + C.
\end{align}

**Check:** $\frac{d}{dx}(x\ln x - x) = \ln x + x\cdot\frac{1}{x} - 1 = \ln x$. ✓

For example, $\int_1^e \ln x\,dx = (e \cdot 1 - e) - (1 \cdot 0 - 1) = 1$.
""",
    ),
]

WEBINSTRUCT += [
    W(
        "mathstackexchange",
        r"""
<p>How do you compute $\int_{-\infty}^{\infty} e^{-x^2} dx$? I know the answer is $\sqrt{\pi}$ but there's no elementary antiderivative so I don't see how anyone gets that. </p>
<p>Also why does the normal distribution have $\frac{1}{\sqrt{2\pi}}$ in front?</p>
""",
        r"""
<p>Square it and switch to polar coordinates. $I^2 = \int\int e^{-(x^2+y^2)} dx dy = \int_0^{2\pi}\int_0^\infty e^{-r^2} r dr d\theta = \pi$.</p>
<p>For the normal density substitute $x = t/\sqrt{2}$.</p>
""",
        r"""
Evaluate the Gaussian integral $I = \int_{-\infty}^{\infty} e^{-x^2}\,dx$, justifying each step, and use the result to explain the normalising constant $\frac{1}{\sqrt{2\pi}}$ in the standard normal density.
""",
        r"""
The function $e^{-x^2}$ has no elementary antiderivative, so the fundamental theorem of calculus cannot be applied directly. The classical trick, due to Poisson, is to compute $I^2$ instead, turning a one-dimensional problem into a two-dimensional one with rotational symmetry.

## 1. The integral converges

For $|x| \ge 1$ we have $x^2 \ge |x|$, so $0 < e^{-x^2} \le e^{-|x|}$, and $\int_{-\infty}^{\infty} e^{-|x|}\,dx = 2$ is finite. On $[-1, 1]$ the integrand is continuous and bounded by $1$. Hence $I$ converges, and $I > 0$ because the integrand is positive.

## 2. Square the integral

Since the integral converges absolutely, we may write the product of two copies as a double integral (Fubini–Tonelli applies because the integrand is non-negative):
\begin{align}
I^2 &= \left(\int_{-\infty}^{\infty} e^{-x^2}\,dx\right)\left(\int_{-\infty}^{\infty} e^{-y^2}\,dy\right) \\
&= \int_{-\infty}^{\infty}\int_{-\infty}^{\infty} e^{-(x^2 + y^2)}\,dx\,dy.
\end{align}
The integrand depends only on the distance $r = \sqrt{x^2 + y^2}$ from the origin, which suggests polar coordinates.

## 3. Change to polar coordinates

Let $x = r\cos\theta$, $y = r\sin\theta$ with $r \in [0, \infty)$ and $\theta \in [0, 2\pi)$. The Jacobian determinant is
$$\left|\frac{\partial(x, y)}{\partial(r, \theta)}\right| = \begin{vmatrix} \cos\theta & -r\sin\theta \\ \sin\theta & r\cos\theta \end{vmatrix} = r\cos^2\theta + r\sin^2\theta = r,$$
so $dx\,dy = r\,dr\,d\theta$. Therefore
\begin{align}
I^2 &= \int_{0}^{2\pi}\int_{0}^{\infty} e^{-r^2}\, r\,dr\,d\theta \\
&= \left(\int_0^{2\pi} d\theta\right)\left(\int_0^{\infty} r e^{-r^2}\,dr\right).
\end{align}
The extra factor $r$ is exactly what makes the radial integral elementary.

## 4. Evaluate the radial integral

Substitute $u = r^2$, $du = 2r\,dr$:
$$\int_0^{\infty} r e^{-r^2}\,dr = \frac{1}{2}\int_0^{\infty} e^{-u}\,du = \frac{1}{2}\Big[-e^{-u}\Big]_0^{\infty} = \frac{1}{2}.$$

Hence $I^2 = 2\pi \cdot \frac{1}{2} = \pi$. Since $I > 0$,
$$\boxed{\int_{-\infty}^{\infty} e^{-x^2}\,dx = \sqrt{\pi}.}$$

(To be fully rigorous about the improper double integral, one can integrate over squares $[-R, R]^2$ and compare with the inscribed disc of radius $R$ and the circumscribed disc of radius $R\sqrt{2}$; both disc integrals equal $\pi(1 - e^{-R^2})$ and $\pi(1 - e^{-2R^2})$ respectively, and both tend to $\pi$, so the square integrals do too.)

## 5. A useful generalisation

For $a > 0$, substituting $x = t\sqrt{a}$ (so $dx = \sqrt{a}\,dt$) gives
$$\int_{-\infty}^{\infty} e^{-x^2/a}\,dx = \sqrt{a}\int_{-\infty}^{\infty} e^{-t^2}\,dt = \sqrt{a\pi}.$$
Equivalently, $\int_{-\infty}^{\infty} e^{-\alpha x^2}\,dx = \sqrt{\pi/\alpha}$ for $\alpha > 0$.

## 6. The normal distribution

The standard normal density has the shape $e^{-x^2/2}$. For it to be a probability density, its total integral must be $1$. Using step 5 with $a = 2$:
$$\int_{-\infty}^{\infty} e^{-x^2/2}\,dx = \sqrt{2\pi}.$$
So we must divide by $\sqrt{2\pi}$, giving
$$\varphi(x) = \frac{1}{\sqrt{2\pi}}\,e^{-x^2/2}, \qquad \int_{-\infty}^{\infty}\varphi(x)\,dx = 1.$$

For a normal distribution with mean $\mu$ and standard deviation $\sigma$, the substitution $x = \mu + \sigma z$ gives the familiar density
$$f(x) = \frac{1}{\sigma\sqrt{2\pi}}\exp\!\left(-\frac{(x - \mu)^2}{2\sigma^2}\right).$$

## 7. Two consequences

- Differentiating $\int e^{-\alpha x^2}dx = \sqrt{\pi}\,\alpha^{-1/2}$ with respect to $\alpha$ gives $\int x^2 e^{-\alpha x^2}\,dx = \frac{\sqrt{\pi}}{2}\alpha^{-3/2}$. With $\alpha = \frac{1}{2}$ and the factor $\frac{1}{\sqrt{2\pi}}$, this shows the standard normal has variance $1$.
- Substituting $x = \sqrt{t}$ in the half-line integral gives $\Gamma\!\left(\tfrac{1}{2}\right) = \int_0^\infty t^{-1/2}e^{-t}\,dt = 2\int_0^\infty e^{-x^2}\,dx = \sqrt{\pi}$.
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>Can someone explain how to get the closed form for fibonacci numbers using matrices / eigenvalues? I've seen Binet's formula $F_n = \frac{\phi^n - \psi^n}{\sqrt5}$ but no derivation that I understand.</p>
""",
        r"""
<p>Write $\begin{pmatrix}F_{n+1}\\F_n\end{pmatrix} = A\begin{pmatrix}F_n\\F_{n-1}\end{pmatrix}$ with $A=\begin{pmatrix}1&1\\1&0\end{pmatrix}$. Diagonalize $A$; eigenvalues are roots of $\lambda^2=\lambda+1$.</p>
""",
        r"""
The Fibonacci numbers are defined by $F_0 = 0$, $F_1 = 1$ and $F_{n+1} = F_n + F_{n-1}$. Derive Binet's formula
$$F_n = \frac{\varphi^n - \psi^n}{\sqrt{5}}, \qquad \varphi = \frac{1 + \sqrt{5}}{2},\ \psi = \frac{1 - \sqrt{5}}{2},$$
by diagonalising a $2 \times 2$ matrix.
""",
        r"""
## Step 1: Write the recurrence as a matrix equation

Let $\mathbf{v}_n = \begin{pmatrix} F_{n+1} \\ F_n \end{pmatrix}$. The recurrence says
$$\mathbf{v}_n = \begin{pmatrix} F_n + F_{n-1} \\ F_n \end{pmatrix} = \underbrace{\begin{pmatrix} 1 & 1 \\ 1 & 0 \end{pmatrix}}_{A} \begin{pmatrix} F_n \\ F_{n-1} \end{pmatrix} = A\,\mathbf{v}_{n-1}.$$
Repeating this, $\mathbf{v}_n = A^n \mathbf{v}_0$ with $\mathbf{v}_0 = \begin{pmatrix} 1 \\ 0 \end{pmatrix}$. So everything reduces to computing $A^n$.

## Step 2: Eigenvalues

The characteristic polynomial is
$$\det(A - \lambda I) = \begin{vmatrix} 1 - \lambda & 1 \\ 1 & -\lambda \end{vmatrix} = \lambda^2 - \lambda - 1.$$
Its roots are
$$\lambda = \frac{1 \pm \sqrt{5}}{2}, \qquad\text{i.e.}\qquad \varphi = \frac{1 + \sqrt{5}}{2} \approx 1.618, \quad \psi = \frac{1 - \sqrt{5}}{2} \approx -0.618.$$
Note the useful identities $\varphi + \psi = 1$, $\varphi\psi = -1$ and $\varphi - \psi = \sqrt{5}$.

## Step 3: Eigenvectors

For an eigenvalue $\lambda$, the second row of $(A - \lambda I)\mathbf{x} = \mathbf{0}$ reads $x_1 - \lambda x_2 = 0$, so $\mathbf{x} = \begin{pmatrix} \lambda \\ 1 \end{pmatrix}$ is an eigenvector. (The first row is then automatically satisfied because $\lambda^2 = \lambda + 1$.) Thus
$$A\begin{pmatrix} \varphi \\ 1 \end{pmatrix} = \varphi\begin{pmatrix} \varphi \\ 1 \end{pmatrix}, \qquad A\begin{pmatrix} \psi \\ 1 \end{pmatrix} = \psi\begin{pmatrix} \psi \\ 1 \end{pmatrix}.$$
Since $\varphi \ne \psi$, these eigenvectors are linearly independent and $A$ is diagonalisable.

## Step 4: Expand the initial vector in the eigenbasis

We want $\mathbf{v}_0 = \begin{pmatrix} 1 \\ 0 \end{pmatrix} = c_1\begin{pmatrix} \varphi \\ 1 \end{pmatrix} + c_2\begin{pmatrix} \psi \\ 1 \end{pmatrix}$. The second component gives $c_2 = -c_1$; the first gives $c_1(\varphi - \psi) = 1$, so
$$c_1 = \frac{1}{\sqrt{5}}, \qquad c_2 = -\frac{1}{\sqrt{5}}.$$

## Step 5: Apply $A^n$

Because $A^n$ acts on each eigenvector by multiplication by $\lambda^n$,
$$\mathbf{v}_n = A^n\mathbf{v}_0 = \frac{1}{\sqrt{5}}\left[\varphi^n\begin{pmatrix} \varphi \\ 1 \end{pmatrix} - \psi^n\begin{pmatrix} \psi \\ 1 \end{pmatrix}\right].$$
Reading off the second component, $F_n$:
$$\boxed{F_n = \frac{\varphi^n - \psi^n}{\sqrt{5}}.}$$
(The first component gives the same formula for $F_{n+1}$, as it should.)

## Step 6: Sanity checks

- $n = 0$: $\frac{1 - 1}{\sqrt{5}} = 0 = F_0$.
- $n = 1$: $\frac{\varphi - \psi}{\sqrt{5}} = \frac{\sqrt{5}}{\sqrt{5}} = 1 = F_1$.
- $n = 2$: $\varphi^2 - \psi^2 = (\varphi - \psi)(\varphi + \psi) = \sqrt{5}\cdot 1$, so $F_2 = 1$.

## Step 7: Consequences

Since $|\psi| < 1$, the term $\frac{\psi^n}{\sqrt{5}}$ tends to $0$ and is smaller than $\frac{1}{2}$ in absolute value for all $n \ge 0$. Therefore $F_n$ is simply the integer nearest to $\frac{\varphi^n}{\sqrt{5}}$. For example, $\frac{\varphi^{10}}{\sqrt{5}} \approx 55.0036$, and indeed $F_{10} = 55$. It also follows that
$$\lim_{n \to \infty} \frac{F_{n+1}}{F_n} = \varphi,$$
the golden ratio.
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>find eigenvalues and eigenvectors of [[2,1],[1,2]]</p>
""",
        r"""
<p>char poly $(2-\lambda)^2 - 1 = 0$ so $\lambda = 1, 3$. Eigenvectors $(1,-1)$ and $(1,1)$.</p>
""",
        r"""
Find the eigenvalues and corresponding eigenvectors of the matrix $A = \begin{pmatrix} 2 & 1 \\ 1 & 2 \end{pmatrix}$.
""",
        r"""
**Characteristic polynomial.**
$$\det(A - \lambda I) = \begin{vmatrix} 2 - \lambda & 1 \\ 1 & 2 - \lambda \end{vmatrix} = (2 - \lambda)^2 - 1 = \lambda^2 - 4\lambda + 3 = (\lambda - 1)(\lambda - 3).$$
So the eigenvalues are $\lambda_1 = 1$ and $\lambda_2 = 3$.

**Eigenvectors.**

- For $\lambda_1 = 1$: $A - I = \begin{pmatrix} 1 & 1 \\ 1 & 1 \end{pmatrix}$, so $x_1 + x_2 = 0$. An eigenvector is $\mathbf{v}_1 = \begin{pmatrix} 1 \\ -1 \end{pmatrix}$.
- For $\lambda_2 = 3$: $A - 3I = \begin{pmatrix} -1 & 1 \\ 1 & -1 \end{pmatrix}$, so $x_1 = x_2$. An eigenvector is $\mathbf{v}_2 = \begin{pmatrix} 1 \\ 1 \end{pmatrix}$.

**Checks.** The trace is $2 + 2 = 4 = 1 + 3$ and the determinant is $4 - 1 = 3 = 1 \cdot 3$. ✓

Because $A$ is symmetric, its eigenvectors are orthogonal ($\mathbf{v}_1 \cdot \mathbf{v}_2 = 0$), and normalising them gives the orthogonal diagonalisation
$$A = Q\begin{pmatrix} 1 & 0 \\ 0 & 3 \end{pmatrix}Q^{T}, \qquad Q = \frac{1}{\sqrt{2}}\begin{pmatrix} 1 & 1 \\ -1 & 1 \end{pmatrix}.$$
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>Is $\begin{pmatrix}1&1\\0&1\end{pmatrix}$ diagonalizable? It has eigenvalue 1 twice so I thought yes.</p>
""",
        r"""
<p>No. The eigenspace for 1 is only 1-dimensional (spanned by $e_1$). Algebraic multiplicity 2, geometric multiplicity 1.</p>
""",
        r"""
Is the matrix $A = \begin{pmatrix} 1 & 1 \\ 0 & 1 \end{pmatrix}$ diagonalisable over $\mathbb{R}$ (or $\mathbb{C}$)? Justify your answer.
""",
        r"""
**No.** A repeated eigenvalue does not by itself guarantee diagonalisability; what matters is whether there are enough independent eigenvectors.

**Eigenvalues.** $A$ is upper triangular, so its eigenvalues are its diagonal entries: $\lambda = 1$ with **algebraic multiplicity** $2$.

**Eigenvectors.** Solve $(A - I)\mathbf{x} = \mathbf{0}$:
$$\begin{pmatrix} 0 & 1 \\ 0 & 0 \end{pmatrix}\begin{pmatrix} x_1 \\ x_2 \end{pmatrix} = \begin{pmatrix} x_2 \\ 0 \end{pmatrix} = \mathbf{0} \;\Longrightarrow\; x_2 = 0.$$
The eigenspace is $\operatorname{span}\left\{\begin{pmatrix} 1 \\ 0 \end{pmatrix}\right\}$, which has dimension $1$. So the **geometric multiplicity** is $1$.

A $2 \times 2$ matrix is diagonalisable if and only if it has $2$ linearly independent eigenvectors, i.e. the geometric multiplicities add up to $2$. Here they add up to $1$, so $A$ is **not diagonalisable**, over $\mathbb{R}$ or over $\mathbb{C}$.

**Another way to see it.** If $A = PDP^{-1}$ with $D$ diagonal, then $D$ would have to be $I$ (both eigenvalues are $1$), giving $A = PIP^{-1} = I$, which is false.

$A$ is already in Jordan normal form: it is a single $2 \times 2$ Jordan block. Its powers are $A^n = \begin{pmatrix} 1 & n \\ 0 & 1 \end{pmatrix}$, which grow linearly — something no diagonalisable matrix with eigenvalues of modulus $1$ can do.
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>Birthday problem: how many people do you need for >50% chance two share a birthday? I get 183 but apparently it's 23??</p>
""",
        r"""
<p>Compute the complement: $P(\text{all distinct}) = \frac{365}{365}\cdot\frac{364}{365}\cdots\frac{365-n+1}{365}$. For $n=23$ this is about 0.4927.</p>
""",
        r"""
Assuming 365 equally likely birthdays (ignore leap years), what is the smallest number of people $n$ for which the probability that at least two share a birthday exceeds $\frac{1}{2}$?
""",
        r"""
The answer is $n = 23$. The intuition "183, half of 365" answers a different question: how many *other* people you need so that someone shares *your* birthday. Here any pair counts, and the number of pairs grows quadratically.

**Complement.** Let $q_n$ be the probability that all $n$ birthdays are different. Choosing birthdays one person at a time,
$$q_n = \frac{365}{365}\cdot\frac{364}{365}\cdot\frac{363}{365}\cdots\frac{365 - n + 1}{365} = \prod_{k=0}^{n-1}\left(1 - \frac{k}{365}\right).$$
The probability of at least one shared birthday is $p_n = 1 - q_n$.

**Numerically:**
- $n = 22$: $q_{22} \approx 0.5243$, so $p_{22} \approx 0.4757$.
- $n = 23$: $q_{23} \approx 0.4927$, so $p_{23} \approx 0.5073$.

So $23$ is the smallest group size with $p_n > \frac{1}{2}$.

**Why so small?** With $23$ people there are $\binom{23}{2} = 253$ pairs. Using $1 - x \approx e^{-x}$,
$$q_n \approx \exp\!\left(-\sum_{k=0}^{n-1}\frac{k}{365}\right) = \exp\!\left(-\frac{n(n-1)}{730}\right),$$
and setting this equal to $\frac{1}{2}$ gives $n(n-1) \approx 730\ln 2 \approx 506$, i.e. $n \approx 23$.
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>A disease affects 1% of people. Test is 99% sensitive and 95% specific. If I test positive what's the chance I have it? Intuitively ~99% but my textbook says ~17%</p>
""",
        r"""
<p>Bayes. $P(D|+) = \frac{0.99 \cdot 0.01}{0.99\cdot 0.01 + 0.05\cdot 0.99}$. The false positives from the healthy 99% swamp the true positives.</p>
""",
        r"""
A disease has a prevalence of $1\%$. A test for it has sensitivity $99\%$ (it is positive for $99\%$ of people with the disease) and specificity $95\%$ (it is negative for $95\%$ of people without the disease). Given that a randomly chosen person tests positive, what is the probability that they have the disease?
""",
        r"""
Let $D$ be the event "has the disease" and $+$ the event "tests positive". We know
$$P(D) = 0.01, \quad P(+ \mid D) = 0.99, \quad P(+ \mid D^c) = 1 - 0.95 = 0.05.$$

**Total probability of a positive test:**
\begin{align}
P(+) &= P(+ \mid D)P(D) + P(+ \mid D^c)P(D^c) \\
&= 0.99 \times 0.01 + 0.05 \times 0.99 \\
&= 0.0099 + 0.0495 = 0.0594.
\end{align}

**Bayes' theorem:**
$$P(D \mid +) = \frac{P(+ \mid D)P(D)}{P(+)} = \frac{0.0099}{0.0594} = \frac{1}{6} \approx 0.167.$$

So a positive result means only about a **16.7%** chance of having the disease.

**Intuition with 10,000 people:** 100 have the disease and 99 of them test positive; 9,900 are healthy and 5% of them — 495 people — also test positive. Of the $99 + 495 = 594$ positives, only $99$ are true positives, and $99/594 = 1/6$. When a condition is rare, false positives from the large healthy group outnumber the true positives. This is why positive screening results are usually confirmed with a second, more specific test.
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>Expected number of fair coin flips until you get two heads in a row? Is it 4? simulation says 6</p>
""",
        r"""
<p>Set up states. Let $E$ = expected from start, $E_1$ = expected after one H. $E = 1 + \frac12 E_1 + \frac12 E$, $E_1 = 1 + \frac12\cdot 0 + \frac12 E$. Solve: $E=6$.</p>
""",
        r"""
A fair coin is flipped repeatedly until two heads appear in a row. What is the expected number of flips?
""",
        r"""
Use first-step analysis with states describing the current progress.

- State $S_0$: no progress (at the start, or the last flip was tails). Let $E_0$ be the expected number of further flips needed from here.
- State $S_1$: the last flip was heads. Let $E_1$ be the expected number of further flips from here.

Conditioning on the next flip:
\begin{align}
E_0 &= 1 + \tfrac{1}{2}E_1 + \tfrac{1}{2}E_0, \\
E_1 &= 1 + \tfrac{1}{2}\cdot 0 + \tfrac{1}{2}E_0.
\end{align}
(From $S_1$, heads finishes the game; tails sends us back to $S_0$.)

From the first equation, $\tfrac{1}{2}E_0 = 1 + \tfrac{1}{2}E_1$, so $E_0 = 2 + E_1$. Substituting into the second:
$$E_1 = 1 + \tfrac{1}{2}(2 + E_1) = 2 + \tfrac{1}{2}E_1 \;\Longrightarrow\; E_1 = 4,$$
and therefore $E_0 = 6$.

The expected number of flips is $\boxed{6}$, matching your simulation. (The naive guess of $4 = 1/P(HH)$ would be right if we flipped the coin in separate, non-overlapping pairs; the dependence between overlapping pairs changes the answer. In general, the expected wait for $n$ heads in a row is $2^{n+1} - 2$.)
""",
    ),
]

WEBINSTRUCT += [
    W(
        "mathstackexchange",
        r"""
<p>Prove that a group of prime order is cyclic.</p>
""",
        r"""
<p>Take $g \neq e$. By Lagrange the order of $\langle g \rangle$ divides $p$, it's not 1, so it's $p$.</p>
""",
        r"""
Let $G$ be a group of prime order $p$. Prove that $G$ is cyclic (and hence abelian).
""",
        r"""
Since $p \ge 2$, the group $G$ contains an element $g \ne e$. Consider the cyclic subgroup it generates,
$$\langle g \rangle = \{g^k : k \in \mathbb{Z}\}.$$

By **Lagrange's theorem**, the order of any subgroup divides the order of the group, so $|\langle g \rangle|$ divides $p$. Because $p$ is prime, $|\langle g \rangle| \in \{1, p\}$.

But $\langle g \rangle$ contains both $e$ and $g \ne e$, so $|\langle g \rangle| \ge 2$. Therefore $|\langle g \rangle| = p = |G|$, which forces $\langle g \rangle = G$.

Thus $G$ is generated by a single element, i.e. $G$ is cyclic, and $G \cong \mathbb{Z}/p\mathbb{Z}$. Every cyclic group is abelian, since $g^a g^b = g^{a+b} = g^b g^a$. In fact, the argument shows more: **every** non-identity element of $G$ is a generator. $\blacksquare$
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>Show $\sqrt 2+\sqrt 3$ is irrational. I know $\sqrt2$ and $\sqrt 3$ are irrational but the sum of irrationals can be rational so that doesn't help</p>
""",
        r"""
<p>Suppose $\sqrt2+\sqrt3 = r \in \mathbb Q$. Square: $5 + 2\sqrt6 = r^2$, so $\sqrt 6 = (r^2-5)/2 \in \mathbb{Q}$, contradiction.</p>
""",
        r"""
Prove that $\sqrt{2} + \sqrt{3}$ is irrational.
""",
        r"""
You're right that "irrational + irrational" can be rational (e.g. $\sqrt{2} + (-\sqrt{2}) = 0$), so we need an argument specific to this number.

**Suppose, for contradiction,** that $r = \sqrt{2} + \sqrt{3}$ is rational. Squaring,
$$r^2 = 2 + 2\sqrt{6} + 3 = 5 + 2\sqrt{6} \quad\Longrightarrow\quad \sqrt{6} = \frac{r^2 - 5}{2}.$$
The right-hand side is rational, so $\sqrt{6}$ would be rational.

**But $\sqrt{6}$ is irrational.** If $\sqrt{6} = \frac{a}{b}$ in lowest terms, then $a^2 = 6b^2$, so $a^2$ is even and hence $a$ is even, say $a = 2c$. Then $4c^2 = 6b^2$, i.e. $2c^2 = 3b^2$, so $3b^2$ is even and therefore $b$ is even. Both $a$ and $b$ are even, contradicting lowest terms.

This contradiction shows that $\sqrt{2} + \sqrt{3}$ is irrational. $\blacksquare$

*Remark:* in fact $\sqrt{2} + \sqrt{3}$ is a root of $x^4 - 10x^2 + 1 = 0$, and by the rational root theorem the only possible rational roots are $\pm 1$, which don't work — another proof.
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>Solve y'' + y = 0 with y(0)=1, y'(0)=2</p>
""",
        r"""
<p>characteristic eq $r^2+1=0$, $r=\pm i$. general solution $A\cos x + B\sin x$. A=1, B=2.</p>
""",
        r"""
Solve the initial value problem $y'' + y = 0$, $y(0) = 1$, $y'(0) = 2$.
""",
        r"""
**Characteristic equation.** Trying $y = e^{rx}$ gives $r^2 + 1 = 0$, so $r = \pm i$. For complex roots $\alpha \pm \beta i$ the real general solution is $e^{\alpha x}(A\cos\beta x + B\sin\beta x)$; here $\alpha = 0$, $\beta = 1$:
$$y(x) = A\cos x + B\sin x.$$

**Initial conditions.**
- $y(0) = A = 1$.
- $y'(x) = -A\sin x + B\cos x$, so $y'(0) = B = 2$.

$$\boxed{y(x) = \cos x + 2\sin x.}$$

**Check:** $y'' = -\cos x - 2\sin x = -y$, so $y'' + y = 0$. ✓

The solution can also be written as a single sinusoid, $y = \sqrt{5}\,\sin(x + \delta)$ with $\tan\delta = \frac{1}{2}$: a harmonic oscillation with amplitude $\sqrt{5}$ and period $2\pi$.
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>What's the slickest proof of Cauchy-Schwarz $|\langle u,v\rangle| \le \|u\|\|v\|$ for real inner product spaces?</p>
""",
        r"""
<p>Consider $f(t) = \|u + tv\|^2 \ge 0$. It's a quadratic in $t$ with non-positive discriminant.</p>
""",
        r"""
Prove the Cauchy–Schwarz inequality $|\langle u, v\rangle| \le \|u\|\,\|v\|$ in a real inner product space, and state when equality holds.
""",
        r"""
If $v = 0$, both sides are $0$ and there is nothing to prove. Assume $v \ne 0$.

For every real $t$, the squared norm of $u + tv$ is non-negative:
\begin{align}
0 \le f(t) &= \langle u + tv,\, u + tv\rangle \\
&= \|u\|^2 + 2t\langle u, v\rangle + t^2\|v\|^2.
\end{align}
This is a quadratic in $t$ with positive leading coefficient $\|v\|^2$. A quadratic $at^2 + bt + c$ with $a > 0$ that is never negative has at most one real root, so its discriminant satisfies $b^2 - 4ac \le 0$:
$$4\langle u, v\rangle^2 - 4\|u\|^2\|v\|^2 \le 0 \quad\Longrightarrow\quad \langle u, v\rangle^2 \le \|u\|^2\|v\|^2.$$
Taking square roots gives $|\langle u, v\rangle| \le \|u\|\,\|v\|$. $\blacksquare$

**Equality.** Equality holds iff the discriminant is zero, i.e. iff $f(t_0) = \|u + t_0 v\|^2 = 0$ for some $t_0$, i.e. $u = -t_0 v$. So equality holds exactly when $u$ and $v$ are linearly dependent.

**Consequence.** For non-zero vectors, $-1 \le \frac{\langle u, v\rangle}{\|u\|\,\|v\|} \le 1$, which is what allows us to define the angle between vectors by $\cos\theta = \frac{\langle u, v\rangle}{\|u\|\,\|v\|}$.
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>how can the rationals be countable when there are infinitely many between 0 and 1?? </p>
""",
        r"""
<p>Countable doesn't mean "finite between any two points". List the positive rationals $p/q$ by $p+q = 2, 3, 4, \dots$ and skip non-reduced fractions.</p>
""",
        r"""
Prove that the set of rational numbers $\mathbb{Q}$ is countable, even though there are infinitely many rationals between any two real numbers.
""",
        r"""
"Countable" means there is a list $r_1, r_2, r_3, \dots$ containing every element (equivalently, a bijection with $\mathbb{N}$). It says nothing about the *order* of the elements on the real line, so density is not an obstacle.

**Listing the positive rationals.** Every positive rational can be written uniquely as $\frac{p}{q}$ in lowest terms with $p, q \ge 1$. Group the fractions by the value of $h = p + q$ (the "height"):

- $h = 2$: $\frac{1}{1}$
- $h = 3$: $\frac{1}{2}, \frac{2}{1}$
- $h = 4$: $\frac{1}{3}, \frac{3}{1}$ (skip $\frac{2}{2}$, not in lowest terms)
- $h = 5$: $\frac{1}{4}, \frac{2}{3}, \frac{3}{2}, \frac{4}{1}$
- $\dots$

For each $h$ there are only finitely many (at most $h - 1$) fractions, so listing the groups one after another produces a single infinite list, and every positive rational $\frac{p}{q}$ appears at a finite position (in group $h = p + q$).

**All of $\mathbb{Q}$.** If $r_1, r_2, r_3, \dots$ lists the positive rationals, then
$$0,\ r_1,\ -r_1,\ r_2,\ -r_2,\ r_3,\ -r_3,\ \dots$$
lists all of $\mathbb{Q}$. Hence $\mathbb{Q}$ is countable.

**Contrast.** Cantor's diagonal argument shows that $\mathbb{R}$ is *not* countable, so in a precise sense there are "more" irrational numbers than rational ones.
""",
    ),
    W(
        "socratic",
        r"""
How do you differentiate #y = x^x#?
""",
        r"""
#dy/dx = x^x(lnx + 1)#

Explanation:

Take ln of both sides: #lny = xlnx#

differentiate: #1/y dy/dx = lnx + 1#
""",
        r"""
Find the derivative of $y = x^x$ for $x > 0$.
""",
        r"""
Neither the power rule (which needs a constant exponent) nor the exponential rule (which needs a constant base) applies, so we use **logarithmic differentiation**.

Take the natural logarithm of both sides:
$$\ln y = x\ln x.$$

Differentiate both sides with respect to $x$, using the chain rule on the left and the product rule on the right:
$$\frac{1}{y}\frac{dy}{dx} = \ln x + x\cdot\frac{1}{x} = \ln x + 1.$$

Multiply by $y = x^x$:
$$\frac{dy}{dx} = x^x(\ln x + 1).$$

Alternatively, write $x^x = e^{x\ln x}$ and apply the chain rule directly: $\frac{d}{dx}e^{x\ln x} = e^{x\ln x}(\ln x + 1)$.

Note that the derivative is zero when $\ln x = -1$, i.e. at $x = \frac{1}{e}$, where $x^x$ attains its minimum value $e^{-1/e} \approx 0.692$.
""",
    ),
    W(
        "socratic",
        r"""
How do you integrate #1/(x^2-1)# using partial fractions?
""",
        r"""
#1/2 ln|(x-1)/(x+1)| + C#

Explanation:

#1/(x^2-1) = A/(x-1) + B/(x+1)#
#1 = A(x+1) + B(x-1)#
x=1: A=1/2, x=-1: B=-1/2
""",
        r"""
Evaluate $\displaystyle\int \frac{dx}{x^2 - 1}$ using partial fractions.
""",
        r"""
Factor the denominator: $x^2 - 1 = (x - 1)(x + 1)$. Write
$$\frac{1}{(x - 1)(x + 1)} = \frac{A}{x - 1} + \frac{B}{x + 1} \quad\Longrightarrow\quad 1 = A(x + 1) + B(x - 1).$$

- Setting $x = 1$: $1 = 2A$, so $A = \frac{1}{2}$.
- Setting $x = -1$: $1 = -2B$, so $B = -\frac{1}{2}$.

Therefore
\begin{align}
\int \frac{dx}{x^2 - 1} &= \frac{1}{2}\int \frac{dx}{x - 1} - \frac{1}{2}\int \frac{dx}{x + 1} \\
&= \frac{1}{2}\ln|x - 1| - \frac{1}{2}\ln|x + 1| + C \\
&= \frac{1}{2}\ln\left|\frac{x - 1}{x + 1}\right| + C.
\end{align}

**Check:** $\frac{d}{dx}\left[\frac{1}{2}\ln|x - 1| - \frac{1}{2}\ln|x + 1|\right] = \frac{1}{2}\left(\frac{1}{x - 1} - \frac{1}{x + 1}\right) = \frac{1}{2}\cdot\frac{2}{x^2 - 1} = \frac{1}{x^2 - 1}$. ✓
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>Compute $(1+i)^8$ without expanding everything</p>
""",
        r"""
<p>$(1+i)^2 = 2i$, so $(1+i)^8 = (2i)^4 = 16$.</p>
""",
        r"""
Compute $(1 + i)^8$, where $i^2 = -1$.
""",
        r"""
**Method 1: repeated squaring.**
$$(1 + i)^2 = 1 + 2i + i^2 = 2i.$$
Then
$$(1 + i)^8 = \left((1 + i)^2\right)^4 = (2i)^4 = 16\,i^4 = 16.$$

**Method 2: polar form and De Moivre's theorem.** $|1 + i| = \sqrt{2}$ and $\arg(1 + i) = \frac{\pi}{4}$, so $1 + i = \sqrt{2}\,e^{i\pi/4}$ and
$$(1 + i)^8 = (\sqrt{2})^8\,e^{i\cdot 8\pi/4} = 16\,e^{2\pi i} = 16.$$

Both methods give $(1 + i)^8 = 16$.
""",
    ),
    W(
        "mathstackexchange",
        r"""
<p>Find $3^{100} \bmod 7$. Can I use Fermat's little theorem here?</p>
""",
        r"""
<p>Yes, $3^6 \equiv 1 \pmod 7$, and $100 = 6\cdot16+4$ so it's $3^4 = 81 \equiv 4$.</p>
""",
        r"""
Find the remainder when $3^{100}$ is divided by $7$.
""",
        r"""
Since $7$ is prime and $\gcd(3, 7) = 1$, **Fermat's little theorem** gives
$$3^{6} \equiv 1 \pmod{7}.$$

Divide the exponent by $6$: $100 = 6 \cdot 16 + 4$. Then
$$3^{100} = \left(3^{6}\right)^{16}\cdot 3^{4} \equiv 1^{16}\cdot 3^{4} = 81 \pmod{7}.$$

Finally, $81 = 7 \cdot 11 + 4$, so
$$3^{100} \equiv 4 \pmod{7}.$$

The remainder is $\boxed{4}$.

**Check with the cycle of powers:** $3^1 \equiv 3$, $3^2 \equiv 2$, $3^3 \equiv 6$, $3^4 \equiv 4$, $3^5 \equiv 5$, $3^6 \equiv 1 \pmod 7$. The cycle has length $6$, and $100 \equiv 4 \pmod 6$ picks out $3^4 \equiv 4$. ✓
""",
    ),
    W(
        "socratic",
        r"""
What is the function of ribosomes?
""",
        r"""
Ribosomes make proteins.

Explanation:

They read mRNA and join amino acids together. found free in cytoplasm or on the rough ER
""",
        r"""
What is the function of ribosomes in a cell, and where are they found?
""",
        r"""
**Function.** Ribosomes are the sites of **protein synthesis** (translation). A ribosome:

1. binds a messenger RNA (mRNA) molecule, which carries the genetic code copied from DNA;
2. reads the mRNA three bases (one codon) at a time;
3. matches each codon with the complementary anticodon of a transfer RNA (tRNA) carrying a specific amino acid;
4. catalyses the formation of peptide bonds between successive amino acids, building a polypeptide chain, which then folds into a functional protein.

The peptide-bond-forming activity is carried out by ribosomal RNA (rRNA), so the ribosome is a *ribozyme*.

**Structure.** Each ribosome has a large and a small subunit made of rRNA and proteins. Eukaryotic ribosomes are 80S (60S + 40S subunits); prokaryotic ribosomes are smaller, 70S (50S + 30S). This difference is why some antibiotics, such as streptomycin and tetracycline, can target bacterial ribosomes without harming ours.

**Location.**
- **Free ribosomes** in the cytoplasm make proteins used within the cell.
- **Bound ribosomes** on the rough endoplasmic reticulum make proteins for membranes, lysosomes or export from the cell (e.g. insulin, antibodies).
- Mitochondria and chloroplasts contain their own 70S-like ribosomes, evidence for their bacterial origin (endosymbiotic theory).
""",
    ),
    W(
        "socratic",
        r"""
How do you balance #C_3H_8 + O_2 -> CO_2 + H_2O#?
""",
        r"""
#C_3H_8 + 5O_2 -> 3CO_2 + 4H_2O#

Explanation:

balance C first then H then O
""",
        r"""
Balance the combustion equation for propane: $\text{C}_3\text{H}_8 + \text{O}_2 \rightarrow \text{CO}_2 + \text{H}_2\text{O}$.
""",
        r"""
For hydrocarbon combustion, balance **C first, then H, then O** (O appears in two products, so do it last).

1. **Carbon:** 3 C on the left, so put 3 in front of CO₂:
$$\text{C}_3\text{H}_8 + \text{O}_2 \rightarrow 3\,\text{CO}_2 + \text{H}_2\text{O}$$
2. **Hydrogen:** 8 H on the left, so put 4 in front of H₂O:
$$\text{C}_3\text{H}_8 + \text{O}_2 \rightarrow 3\,\text{CO}_2 + 4\,\text{H}_2\text{O}$$
3. **Oxygen:** the right side has $3 \times 2 + 4 \times 1 = 10$ O atoms, so we need 5 O₂:
$$\text{C}_3\text{H}_8 + 5\,\text{O}_2 \rightarrow 3\,\text{CO}_2 + 4\,\text{H}_2\text{O}$$

**Check:**

| Element | Left | Right |
|---|---|---|
| C | 3 | 3 |
| H | 8 | 8 |
| O | 10 | 6 + 4 = 10 |

The balanced equation is $\text{C}_3\text{H}_8 + 5\,\text{O}_2 \rightarrow 3\,\text{CO}_2 + 4\,\text{H}_2\text{O}$.
""",
    ),
    W(
        "socratic",
        r"""
What is the difference between ionic and covalent bonds?
""",
        r"""
Ionic = transfer of electrons, covalent = sharing.

Explanation:

Ionic usually metal + nonmetal e.g. NaCl. Covalent between nonmetals e.g. #H_2O#.
""",
        r"""
What is the difference between ionic and covalent bonds? Give examples and typical properties of each type of compound.
""",
        r"""
The key difference is what happens to the bonding electrons.

**Ionic bonds** form when one atom **transfers** electrons to another, creating oppositely charged ions held together by electrostatic attraction.
- Typically between a metal (low electronegativity) and a non-metal (high electronegativity), with an electronegativity difference above roughly 1.7–2.0.
- Example: sodium gives one electron to chlorine, forming Na⁺ and Cl⁻ in sodium chloride.
- Properties: crystalline lattices, high melting and boiling points (NaCl melts at 801 °C), often soluble in water, conduct electricity when molten or dissolved (but not as solids).

**Covalent bonds** form when atoms **share** pairs of electrons.
- Typically between non-metals with similar electronegativities.
- Examples: H₂O, CH₄, CO₂, and the single, double and triple bonds in O₂ (double) and N₂ (triple).
- If the sharing is unequal (e.g. O–H), the bond is *polar covalent*; if equal (e.g. H–H), it is *non-polar*.
- Properties: simple molecular substances usually have low melting and boiling points and don't conduct electricity. (Giant covalent structures like diamond and quartz are an exception, with very high melting points.)

In reality, bonding is a spectrum: the greater the electronegativity difference, the more ionic the character of the bond.
""",
    ),
    W(
        "socratic",
        r"""
A car starts from rest and accelerates at #3 m/s^2# for #5 s#. what is its final velocity and how far does it go?
""",
        r"""
#v = 15 m/s#, #d = 37.5 m#

Explanation:

#v = u + at = 0 + 3*5#
#s = ut + 1/2at^2 = 1/2*3*25#
""",
        r"""
A car starts from rest and accelerates uniformly at $3\ \text{m/s}^2$ for $5\ \text{s}$. Find its final velocity and the distance it travels.
""",
        r"""
With constant acceleration we use the kinematic equations, with initial velocity $u = 0$, $a = 3\ \text{m/s}^2$, $t = 5\ \text{s}$.

**Final velocity:**
$$v = u + at = 0 + (3)(5) = 15\ \text{m/s}.$$

**Distance:**
$$s = ut + \tfrac{1}{2}at^2 = 0 + \tfrac{1}{2}(3)(5)^2 = 37.5\ \text{m}.$$

**Check with another equation:** $v^2 = u^2 + 2as \Rightarrow s = \frac{v^2}{2a} = \frac{225}{6} = 37.5\ \text{m}$. ✓

Equivalently, the average velocity is $\frac{0 + 15}{2} = 7.5\ \text{m/s}$ over $5\ \text{s}$, giving $37.5\ \text{m}$.
""",
    ),
    W(
        "socratic",
        r"""
why does the moon have phases?
""",
        r"""
Because we see different amounts of its sunlit half as it orbits earth.

Explanation:

Not because of earths shadow (thats an eclipse)
""",
        r"""
Why does the Moon show phases, and why is this not caused by Earth's shadow?
""",
        r"""
**The Sun always lights exactly half of the Moon.** The Moon produces no light of its own; we see it by reflected sunlight. What changes during the month is **how much of that lit half faces Earth**, which depends on the angle between the Sun, Earth and Moon as the Moon orbits.

- **New moon:** the Moon is roughly between Earth and the Sun. The lit half faces away from us, so we see (almost) nothing.
- **Waxing crescent → first quarter → waxing gibbous:** as the Moon moves along its orbit, more of the lit half becomes visible. At first quarter, we see half of the disc illuminated.
- **Full moon:** the Moon is on the far side of Earth from the Sun, and we see the entire lit half.
- **Waning gibbous → last quarter → waning crescent:** the visible lit portion shrinks again.

A full cycle (the synodic month) takes about **29.5 days** — slightly longer than the Moon's 27.3-day orbit relative to the stars, because Earth has moved along its own orbit in the meantime.

**Why not Earth's shadow?** Earth's shadow falls on the Moon only during a **lunar eclipse**, which can only happen at full moon and only when the Moon passes through the plane of Earth's orbit. Because the Moon's orbit is tilted by about 5°, that's rare — most full moons are not eclipsed. Also, the curved edge (terminator) of a crescent Moon curves the wrong way to be Earth's round shadow.
""",
    ),
]

WEBINSTRUCT += [
    W(
        "socratic",
        r"""
What are the stages of mitosis?
""",
        r"""
Prophase, metaphase, anaphase, telophase (PMAT)

Explanation:

then cytokinesis splits the cell
""",
        r"""
Describe the stages of mitosis and what happens in each.
""",
        r"""
Mitosis divides the duplicated chromosomes of a eukaryotic cell into two identical nuclei. It is preceded by **interphase**, during which the DNA is replicated (S phase), so each chromosome consists of two identical sister chromatids. The stages are remembered as **PMAT**:

1. **Prophase** — chromatin condenses into visible chromosomes; the mitotic spindle begins to form from the centrosomes, which move toward opposite poles. (In *prometaphase* the nuclear envelope breaks down and spindle fibres attach to the kinetochores at each chromosome's centromere.)
2. **Metaphase** — chromosomes line up along the cell's equator (the metaphase plate), each attached to spindle fibres from both poles. A checkpoint ensures every chromosome is properly attached before continuing.
3. **Anaphase** — the cohesin proteins holding sister chromatids together are cleaved; the chromatids separate and are pulled to opposite poles as the spindle fibres shorten.
4. **Telophase** — chromosomes arrive at the poles and decondense; nuclear envelopes re-form around each set, producing two nuclei.

**Cytokinesis** then divides the cytoplasm: in animal cells a cleavage furrow pinches the cell in two; in plant cells a cell plate forms and becomes a new cell wall.

The result is two genetically identical diploid daughter cells, which is why mitosis is used for growth, repair and asexual reproduction.
""",
    ),
    W(
        "socratic",
        r"""
If #6g# of hydrogen reacts with #32g# oxygen, what is the limiting reactant and how much water forms?
""",
        r"""
Oxygen is limiting, 36 g water

Explanation:

#2H_2 + O_2 -> 2H_2O#
6 g H2 = 3 mol, 32 g O2 = 1 mol, needs only 2 mol H2.
""",
        r"""
Hydrogen and oxygen react according to $2\,\text{H}_2 + \text{O}_2 \rightarrow 2\,\text{H}_2\text{O}$. If $6.0\ \text{g}$ of $\text{H}_2$ react with $32.0\ \text{g}$ of $\text{O}_2$, which reactant is limiting, and what mass of water is produced?
""",
        r"""
**Step 1: Convert masses to moles** (molar masses: H₂ ≈ 2.016 g/mol, O₂ = 32.00 g/mol):
$$n(\text{H}_2) = \frac{6.0}{2.016} \approx 2.98\ \text{mol}, \qquad n(\text{O}_2) = \frac{32.0}{32.00} = 1.00\ \text{mol}.$$

**Step 2: Compare with the mole ratio.** The equation requires 2 mol H₂ per 1 mol O₂. To use all 1.00 mol of O₂ we need only 2.00 mol of H₂, and we have 2.98 mol. So **oxygen is the limiting reactant**, and about $2.98 - 2.00 = 0.98$ mol of H₂ (roughly 2.0 g) is left over.

**Step 3: Moles of product from the limiting reactant.** 1 mol O₂ produces 2 mol H₂O, so $n(\text{H}_2\text{O}) = 2.00\ \text{mol}$.

**Step 4: Mass of water** (M = 18.02 g/mol):
$$m = 2.00 \times 18.02 \approx 36.0\ \text{g}.$$

**Answer:** O₂ is limiting, and about $36\ \text{g}$ of water forms. (Check: mass is conserved — $32.0\ \text{g}$ O₂ + $4.0\ \text{g}$ H₂ consumed $= 36.0\ \text{g}$ H₂O.)
""",
    ),
    W(
        "socratic",
        r"""
How do you solve #|2x-3| < 5#?
""",
        r"""
#-1 < x < 4#

Explanation:

#-5 < 2x-3 < 5#
#-2 < 2x < 8#
""",
        r"""
Solve the inequality $|2x - 3| < 5$ and write the solution in interval notation.
""",
        r"""
For $a > 0$, $|u| < a$ is equivalent to $-a < u < a$. So
$$-5 < 2x - 3 < 5.$$

Add $3$ to all three parts:
$$-2 < 2x < 8.$$

Divide by $2$ (positive, so the inequalities keep their direction):
$$-1 < x < 4.$$

**Solution:** $x \in (-1, 4)$.

**Interpretation:** $|2x - 3| = 2\left|x - \frac{3}{2}\right|$, so the inequality says $x$ is within distance $\frac{5}{2}$ of $\frac{3}{2}$ — an interval centred at $1.5$ from $-1$ to $4$. ✓
""",
    ),
    W(
        "socratic",
        r"""
solve #2sinx - 1 = 0# for #0 <= x < 2pi#
""",
        r"""
#x = pi/6, (5pi)/6#

Explanation:

#sinx = 1/2#
""",
        r"""
Solve $2\sin x - 1 = 0$ for $0 \le x < 2\pi$.
""",
        r"""
Isolate the sine:
$$2\sin x = 1 \quad\Longrightarrow\quad \sin x = \frac{1}{2}.$$

The reference angle with $\sin\theta = \frac{1}{2}$ is $\theta = \frac{\pi}{6}$. Sine is positive in the **first and second quadrants**, so on $[0, 2\pi)$:
$$x = \frac{\pi}{6} \qquad\text{or}\qquad x = \pi - \frac{\pi}{6} = \frac{5\pi}{6}.$$

**Check:** $\sin\frac{\pi}{6} = \sin\frac{5\pi}{6} = \frac{1}{2}$. ✓

(The general solution over all real numbers is $x = \frac{\pi}{6} + 2k\pi$ or $x = \frac{5\pi}{6} + 2k\pi$, $k \in \mathbb{Z}$.)
""",
    ),
    W(
        "socratic",
        r"""
how do you find the inverse of #f(x) = (2x+3)/(x-1)#
""",
        r"""
#f^-1(x) = (x+3)/(x-2)#

Explanation:

swap x and y and solve for y
""",
        r"""
Find the inverse of $f(x) = \dfrac{2x + 3}{x - 1}$, and state the domains of $f$ and $f^{-1}$.
""",
        r"""
Write $y = \dfrac{2x + 3}{x - 1}$ and solve for $x$:
\begin{align}
y(x - 1) &= 2x + 3 \\
xy - y &= 2x + 3 \\
xy - 2x &= y + 3 \\
x(y - 2) &= y + 3 \\
x &= \frac{y + 3}{y - 2}.
\end{align}

Renaming the variable,
$$f^{-1}(x) = \frac{x + 3}{x - 2}.$$

**Domains.**
- $f$ is defined for $x \ne 1$. Its range excludes the horizontal asymptote value $y = 2$ (since $f(x) = 2 + \frac{5}{x - 1}$ never equals $2$).
- Hence $f^{-1}$ has domain $x \ne 2$ and range $y \ne 1$.

**Check:** $f(f^{-1}(x)) = \dfrac{2\cdot\frac{x + 3}{x - 2} + 3}{\frac{x + 3}{x - 2} - 1} = \dfrac{\frac{2x + 6 + 3x - 6}{x - 2}}{\frac{x + 3 - x + 2}{x - 2}} = \dfrac{5x}{5} = x$. ✓
""",
    ),
    W(
        "socratic",
        r"""
What causes tides?
""",
        r"""
The gravitational pull of the moon (and sun) on the oceans.

Explanation:

There are two bulges, one facing the moon and one on the opposite side
""",
        r"""
What causes ocean tides, and why are there usually two high tides a day?
""",
        r"""
Tides are caused mainly by the **difference** in the Moon's gravitational pull across Earth — the tidal force — with a smaller contribution from the Sun.

**Two bulges.** Gravity weakens with distance. The ocean on the side of Earth nearest the Moon is pulled slightly more strongly than Earth's centre, and the ocean on the far side is pulled slightly less strongly. Relative to Earth's centre, the near-side water is pulled toward the Moon and the far-side water is effectively "left behind." The result is two bulges of water: one facing the Moon and one on the opposite side.

**Two high tides a day.** As Earth rotates, a given coastline passes through both bulges, giving two high tides and two low tides. Because the Moon moves along its orbit in the same direction as Earth rotates, the cycle takes about **24 hours 50 minutes**, so high tides arrive roughly 50 minutes later each day.

**Spring and neap tides.** The Sun's tidal effect is about 46% of the Moon's. When Sun, Earth and Moon are aligned (new and full moon), the effects add up to produce larger **spring tides**. When they're at right angles (first and last quarter), they partly cancel, producing smaller **neap tides**.

Local geography — the shape of coastlines and the depth of the seafloor — strongly modifies the pattern. That's why the Bay of Fundy in Canada has tidal ranges of over 15 m, while parts of the Mediterranean have almost none.
""",
    ),
    W(
        "socratic",
        r"""
Solve #log_2(x) + log_2(x-2) = 3#
""",
        r"""
#x = 4#

Explanation:

#log_2(x(x-2)) = 3#
#x^2 - 2x = 8#
#(x-4)(x+2) = 0#, reject #x=-2#
""",
        r"""
Solve $\log_2 x + \log_2(x - 2) = 3$.
""",
        r"""
**Domain.** Both logarithms require positive arguments: $x > 0$ and $x - 2 > 0$, so $x > 2$.

**Combine the logarithms** using $\log_b a + \log_b c = \log_b(ac)$:
$$\log_2\big(x(x - 2)\big) = 3 \quad\Longrightarrow\quad x(x - 2) = 2^3 = 8.$$

**Solve the quadratic:**
$$x^2 - 2x - 8 = 0 \quad\Longrightarrow\quad (x - 4)(x + 2) = 0 \quad\Longrightarrow\quad x = 4 \ \text{or}\ x = -2.$$

**Check the domain:** $x = -2$ is not greater than $2$, so it is extraneous. The only solution is
$$x = 4.$$

**Verify:** $\log_2 4 + \log_2 2 = 2 + 1 = 3$. ✓
""",
    ),
    W(
        "socratic",
        r"""
A #2 kg# cart moving at #3 m/s# collides and sticks to a #1 kg# cart at rest. what is the velocity after? how much KE is lost
""",
        r"""
#v = 2 m/s#, 3 J lost

Explanation:

momentum #2*3 = 3v#
""",
        r"""
A $2\ \text{kg}$ cart moving at $3\ \text{m/s}$ collides with a $1\ \text{kg}$ cart at rest, and the two stick together. Find their common velocity after the collision and the kinetic energy lost.
""",
        r"""
This is a **perfectly inelastic collision**: momentum is conserved, but kinetic energy is not.

**Momentum conservation:**
$$m_1 u_1 + m_2 u_2 = (m_1 + m_2)v \quad\Longrightarrow\quad (2)(3) + (1)(0) = (3)v \quad\Longrightarrow\quad v = 2\ \text{m/s}.$$

**Kinetic energy before and after:**
\begin{align}
K_i &= \tfrac{1}{2}(2)(3)^2 = 9\ \text{J}, \\
K_f &= \tfrac{1}{2}(3)(2)^2 = 6\ \text{J}.
\end{align}

**Energy lost:** $9 - 6 = 3\ \text{J}$, i.e. one third of the initial kinetic energy. It is converted into heat, sound and deformation of the carts.

For a perfectly inelastic collision with the second object at rest, the fraction of kinetic energy lost is $\frac{m_2}{m_1 + m_2} = \frac{1}{3}$, which agrees.
""",
    ),
    W(
        "stackexchange",
        r"""
<p>Why can't comparison sorts do better than $O(n \log n)$? I've seen people say "decision tree" but don't get it.</p>
""",
        r"""
<p>A comparison sort is a binary tree of comparisons; each leaf is an output permutation. There are $n!$ permutations so height $\geq \log_2 n! = \Theta(n\log n)$.</p>
""",
        r"""
Explain why any comparison-based sorting algorithm must make $\Omega(n \log n)$ comparisons in the worst case.
""",
        r"""
**Model.** A comparison sort learns about the input only by asking questions of the form "is $a_i < a_j$?". For a fixed input size $n$, we can draw the algorithm as a **decision tree**:

- each internal node is a comparison;
- the two children correspond to the two possible answers;
- each leaf is the point where the algorithm stops and outputs a specific ordering (a permutation).

Running the algorithm on an input corresponds to following one root-to-leaf path, and the number of comparisons is the length of that path. So the **worst-case number of comparisons is the height $h$ of the tree**.

**Counting leaves.** If the input has $n$ distinct elements, there are $n!$ possible orderings, and each must lead to a different leaf (otherwise two inputs needing different outputs would receive the same one). A binary tree of height $h$ has at most $2^h$ leaves, so
$$2^h \ge n! \quad\Longrightarrow\quad h \ge \log_2(n!).$$

**Estimating $\log_2 n!$.** Half of the factors in $n!$ are at least $n/2$, so $n! \ge (n/2)^{n/2}$ and
$$\log_2(n!) \ge \frac{n}{2}\log_2\frac{n}{2} = \Omega(n\log n).$$
(Stirling's formula gives the sharper $\log_2 n! = n\log_2 n - n\log_2 e + O(\log n)$.)

**Conclusion.** Every comparison sort needs $\Omega(n\log n)$ comparisons in the worst case, so merge sort and heapsort are asymptotically optimal. Algorithms like counting sort and radix sort beat this bound only because they are *not* comparison sorts: they exploit the structure of the keys (e.g. small integers).
""",
    ),
    W(
        "stackexchange",
        r"""
<p>Can someone give an intuitive proof that the halting problem is undecidable?</p>
""",
        r"""
<p>Suppose $H(P, x)$ decides halting. Build $D(P)$ = if $H(P,P)$ then loop forever else halt. Run $D(D)$. Contradiction.</p>
""",
        r"""
Prove that the halting problem is undecidable: there is no algorithm $H$ that, for every program $P$ and input $x$, correctly decides whether $P$ halts on $x$.
""",
        r"""
The proof is by contradiction, using a diagonal argument similar to Cantor's.

**Assume** there is a program $H(P, x)$ that always halts and returns

- `true` if program $P$ halts on input $x$,
- `false` if $P$ runs forever on input $x$.

**Construct a new program** $D$ that takes a program $P$ as input:

```
D(P):
    if H(P, P) == true:    # P halts when given its own code
        loop forever
    else:
        halt
```

$D$ does the opposite of whatever $H$ predicts $P$ will do on its own source code. Because $H$ always halts, $D$ is a well-defined program.

**Now run $D$ on itself**, i.e. consider $D(D)$:

- If $D(D)$ halts, then $H(D, D)$ returned `true`, so by construction $D(D)$ loops forever. Contradiction.
- If $D(D)$ runs forever, then $H(D, D)$ returned `false`, so by construction $D(D)$ halts. Contradiction.

Either way we reach a contradiction, so the assumption was false: **no such $H$ exists**. $\blacksquare$

**Why this matters.** Many other problems are shown undecidable by reduction from the halting problem — for example, deciding whether two programs compute the same function, or (by Rice's theorem) any non-trivial property of the function a program computes. In practice, this is why tools like static analysers and termination checkers must either be conservative or sometimes answer "don't know".
""",
    ),
    W(
        "stackexchange",
        r"""
<p>what does it mean that SAT is in NP? and why does everyone care if P=NP</p>
""",
        r"""
<p>NP = problems where a "yes" answer has a certificate you can check in poly time. For SAT the certificate is the satisfying assignment. Cook-Levin: SAT is NP-complete.</p>
""",
        r"""
What does it mean for the Boolean satisfiability problem (SAT) to be in NP, and why is the question of whether $\mathsf{P} = \mathsf{NP}$ considered so important?
""",
        r"""
**The class NP.** A decision problem is in $\mathsf{NP}$ if, whenever the answer is "yes", there is a **certificate** (a proof) of polynomial size that can be **verified** in polynomial time. Equivalently, a nondeterministic machine could guess the certificate and check it efficiently.

**SAT is in NP.** SAT asks: given a Boolean formula such as
$$(x_1 \lor \lnot x_2) \land (x_2 \lor x_3) \land (\lnot x_1 \lor \lnot x_3),$$
is there an assignment of true/false values to the variables that makes it true? If the answer is yes, the certificate is the satisfying assignment itself (here, for example, $x_1 = \text{T}, x_2 = \text{T}, x_3 = \text{F}$). Checking it means evaluating the formula, which takes time linear in the formula's size. So SAT $\in \mathsf{NP}$.

*Finding* such an assignment, however, seems to require searching through up to $2^n$ possibilities in the worst case; no polynomial-time algorithm is known.

**NP-completeness.** The Cook–Levin theorem (1971) shows that SAT is **NP-complete**: every problem in NP can be reduced to SAT in polynomial time. Thousands of other problems — travelling salesman (decision version), graph colouring, scheduling, Sudoku generalised to $n \times n$ boards — are also NP-complete.

**Why $\mathsf{P}$ vs $\mathsf{NP}$ matters.** $\mathsf{P}$ is the class of problems *solvable* in polynomial time. Clearly $\mathsf{P} \subseteq \mathsf{NP}$. The question is whether every problem whose solutions are easy to **check** is also easy to **solve**.

- If $\mathsf{P} = \mathsf{NP}$, a polynomial algorithm for SAT would give polynomial algorithms for every NP problem: huge advances in optimisation, logistics and automated theorem proving, but also the collapse of much of public-key cryptography, which relies on problems that are easy to verify but (we believe) hard to solve.
- If $\mathsf{P} \ne \mathsf{NP}$, as most researchers believe, then NP-complete problems have no efficient exact algorithms, and we must rely on heuristics, approximations and special cases.

It is one of the seven Millennium Prize Problems, with a \$1,000,000 reward for a proof either way.
""",
    ),
    W(
        "stackexchange",
        r"""
<p>How do you solve $T(n) = 2T(n/2) + n$? Master theorem?</p>
""",
        r"""
<p>a=2, b=2, f(n)=n = $\Theta(n^{\log_2 2})$, case 2, so $\Theta(n\log n)$.</p>
""",
        r"""
Solve the recurrence $T(n) = 2T(n/2) + n$ (with $T(1) = 1$) asymptotically, both with the Master theorem and by unrolling it.
""",
        r"""
**Master theorem.** For $T(n) = aT(n/b) + f(n)$, compare $f(n)$ with $n^{\log_b a}$. Here $a = 2$, $b = 2$, so $n^{\log_2 2} = n$, and $f(n) = n = \Theta(n^{\log_b a})$. This is **case 2**, which gives
$$T(n) = \Theta(n^{\log_b a}\log n) = \Theta(n\log n).$$

**Unrolling (recursion tree)**, assuming $n = 2^k$:
\begin{align}
T(n) &= 2T(n/2) + n \\
&= 4T(n/4) + 2\cdot\tfrac{n}{2} + n = 4T(n/4) + 2n \\
&= 8T(n/8) + 3n \\
&\;\;\vdots \\
&= 2^k\,T(n/2^k) + kn.
\end{align}
Setting $k = \log_2 n$ gives $T(n) = n\,T(1) + n\log_2 n = n\log_2 n + n$.

So $T(n) = n\log_2 n + n = \Theta(n\log n)$.

**Intuition.** The recursion tree has $\log_2 n$ levels, and the total work at each level is $n$ (e.g. $2^i$ subproblems of size $n/2^i$). This is exactly the recurrence for **merge sort**, which is why merge sort runs in $\Theta(n\log n)$ time.
""",
    ),
    W(
        "stackexchange",
        r"""
<p>If every NFA can be converted to a DFA, what's the point of NFAs? And how big can the DFA get?</p>
""",
        r"""
<p>Subset construction. DFA can need $2^n$ states, e.g. language "the n-th symbol from the end is 1". NFAs are just more convenient/compact.</p>
""",
        r"""
Every nondeterministic finite automaton (NFA) can be converted to an equivalent deterministic one (DFA). Explain the subset construction, how large the resulting DFA can be, and why NFAs are still useful.
""",
        r"""
**Subset construction.** Given an NFA with state set $Q$, build a DFA whose states are **sets of NFA states** (elements of the power set $2^Q$). A DFA state $S \subseteq Q$ represents "the NFA could currently be in any state of $S$".

- Start state: the $\varepsilon$-closure of the NFA's start state.
- Transition: from $S$ on symbol $a$, go to the $\varepsilon$-closure of $\bigcup_{q \in S}\delta(q, a)$.
- Accepting states: every $S$ that contains at least one accepting NFA state.

By construction, the DFA tracks all possible NFA runs at once, so it accepts exactly the same language. In practice, only the subsets reachable from the start state are generated.

**Size.** If the NFA has $n$ states, the DFA has at most $2^n$ states, and this bound can be essentially tight. The standard example is
$$L_n = \{w \in \{0, 1\}^* : \text{the } n\text{-th symbol from the end of } w \text{ is } 1\}.$$
An NFA with $n + 1$ states guesses the position of that $1$ and then checks that exactly $n - 1$ symbols follow. But any DFA must remember the last $n$ symbols read (two different $n$-bit suffixes can always be distinguished by appending a suitable string), so it needs at least $2^n$ states.

**Why NFAs are useful.**
1. **Compactness** — as above, they can be exponentially smaller.
2. **Ease of construction** — converting a regular expression to an NFA (Thompson's construction) is simple and linear-size; union, concatenation and Kleene star are easy with $\varepsilon$-transitions.
3. **Proofs** — many closure properties of regular languages are easiest to prove with NFAs.
4. **Practice** — many regex engines simulate the NFA directly (tracking the current set of states), which avoids building an exponentially large DFA, or build DFA states lazily as needed.
""",
    ),
]

WEBINSTRUCT += [
    W(
        "stackexchange",
        r"""
<p>If the universe is infinite with infinitely many stars, why is the night sky dark? (Olbers paradox)</p>
""",
        r"""
<p>Finite age of the universe: light from stars beyond ~13.8 Gly hasn't reached us. Also redshift from expansion.</p>
""",
        r"""
Olbers' paradox: if the universe were infinite, static and uniformly filled with stars, every line of sight would end on a star and the night sky would be bright. Why is the night sky dark?
""",
        r"""
**The paradox.** Consider a thin spherical shell of stars at distance $r$ and thickness $dr$. The number of stars in it grows like $4\pi r^2\,dr$, while the brightness of each star falls off like $1/r^2$. These factors cancel, so every shell contributes the same amount of light, and infinitely many shells would give an infinitely (or, accounting for stars blocking each other, uniformly) bright sky — as bright as the surface of a typical star.

**The resolution** is that the premises are false in our universe:

1. **The universe has a finite age** (about 13.8 billion years). Light from sufficiently distant regions has not had time to reach us, so we only see stars within a finite *observable universe*. This is the main reason.

2. **Stars have finite lifetimes.** Even within the observable universe, stars have not been shining forever, and the total energy they can radiate is far too small to fill space with starlight at the brightness of a stellar surface.

3. **The universe is expanding.** Light from distant galaxies is **redshifted**, which lowers the energy of each photon and the rate at which photons arrive. The light from the early universe itself — the cosmic microwave background — was once as hot as a star's surface (about 3000 K), but it has been redshifted by a factor of about 1100 to just 2.7 K. The sky *is* uniformly bright, but in microwaves, not visible light.

Interestingly, the first qualitatively correct resolution was suggested by Edgar Allan Poe in 1848, who proposed that light from the most distant stars had not yet had time to reach us.
""",
    ),
    W(
        "stackexchange",
        r"""
<p>Classically an orbiting electron should radiate and spiral into the nucleus in ~$10^{-11}$ s. Why doesn't it?</p>
""",
        r"""
<p>Because the classical picture is wrong. QM: electron is described by a wavefunction; ground state is stationary, no lower energy state to decay to. Uncertainty principle gives a minimum energy.</p>
""",
        r"""
According to classical electrodynamics, an electron orbiting a nucleus is accelerating and should radiate energy, spiralling into the nucleus within about $10^{-11}$ s. Why are atoms stable?
""",
        r"""
The classical prediction is correct *for a classical particle*; atoms are stable because electrons in atoms are governed by quantum mechanics.

**1. Stationary states.** In quantum mechanics, a bound electron is described by a wavefunction $\psi$, and the allowed energies are the eigenvalues of the Hamiltonian. An electron in an energy eigenstate has a time-independent probability distribution $|\psi|^2$: there is no oscillating charge distribution and therefore no radiation. The electron isn't "orbiting" in the classical sense at all.

**2. There is a lowest state.** An excited electron *can* radiate, but only by jumping to a lower energy level and emitting a photon. The ground state (for hydrogen, $E_1 = -13.6$ eV) is the lowest energy eigenstate, so there is nothing lower to decay to.

**3. The uncertainty principle sets the size.** Squeezing the electron into a region of size $r$ forces its momentum uncertainty to be about $p \sim \hbar/r$, so its kinetic energy is about $\frac{\hbar^2}{2mr^2}$. The potential energy is $-\frac{e^2}{4\pi\varepsilon_0 r}$. Minimising the total
$$E(r) \approx \frac{\hbar^2}{2m r^2} - \frac{e^2}{4\pi\varepsilon_0 r}$$
gives
$$r = \frac{4\pi\varepsilon_0\hbar^2}{m e^2} = a_0 \approx 0.529 \times 10^{-10}\ \text{m},$$
the Bohr radius, and $E = -13.6$ eV. Collapsing further would *increase* the total energy because the kinetic term grows faster than the potential term falls.

So the atom is stable because the electron has a minimum-energy configuration with a finite size, enforced by the quantum nature of matter.
""",
    ),
    W(
        "stackexchange",
        r"""
<p>How do you derive escape velocity? I get $\sqrt{2GM/R}$ but why does mass of the object not matter</p>
""",
        r"""
<p>Energy conservation: $\frac12 mv^2 - \frac{GMm}{R} = 0$. The $m$ cancels. For Earth 11.2 km/s.</p>
""",
        r"""
Derive the escape velocity from the surface of a planet of mass $M$ and radius $R$, explain why it does not depend on the mass of the escaping object, and evaluate it for Earth.
""",
        r"""
**Energy conservation.** Ignoring air resistance and the planet's rotation, the total mechanical energy of a projectile of mass $m$ is
$$E = \frac{1}{2}mv^2 - \frac{GMm}{r}.$$
To "escape", the object must be able to reach $r \to \infty$ with speed $v \ge 0$. At infinity the potential energy is $0$, so the minimum launch speed corresponds to $E = 0$:
$$\frac{1}{2}mv_{\text{esc}}^2 - \frac{GMm}{R} = 0 \quad\Longrightarrow\quad v_{\text{esc}} = \sqrt{\frac{2GM}{R}}.$$

**Why $m$ cancels.** Both the kinetic energy and the gravitational potential energy are proportional to $m$ — a consequence of the equality of inertial and gravitational mass. A heavier object needs more energy to escape, but exactly in proportion to the extra kinetic energy it has at a given speed.

**For Earth:** $G = 6.674 \times 10^{-11}\ \text{N m}^2/\text{kg}^2$, $M = 5.972 \times 10^{24}\ \text{kg}$, $R = 6.371 \times 10^{6}\ \text{m}$:
$$v_{\text{esc}} = \sqrt{\frac{2(6.674 \times 10^{-11})(5.972 \times 10^{24})}{6.371 \times 10^{6}}} \approx \sqrt{1.251 \times 10^{8}} \approx 1.12 \times 10^{4}\ \text{m/s},$$
i.e. about $11.2\ \text{km/s}$.

Note that $v_{\text{esc}} = \sqrt{2}\,v_{\text{circ}}$, where $v_{\text{circ}} = \sqrt{GM/R} \approx 7.9\ \text{km/s}$ is the speed of a circular orbit at the surface. Setting $v_{\text{esc}} = c$ gives $R = 2GM/c^2$, the Schwarzschild radius of a black hole (a coincidence of the Newtonian calculation, but a correct result in general relativity).
""",
    ),
    W(
        "stackexchange",
        r"""
<p>Why does adding salt to water lower its freezing point? Is it a chemical reaction?</p>
""",
        r"""
<p>No, it's a colligative property. Dissolved particles lower the chemical potential of liquid water, so you need a lower T for ice to be favourable. $\Delta T_f = i K_f m$.</p>
""",
        r"""
Why does dissolving salt in water lower its freezing point? Estimate the freezing point of a solution of $58.5\ \text{g}$ of NaCl in $1.00\ \text{kg}$ of water ($K_f = 1.86\ \text{K kg/mol}$).
""",
        r"""
**It's not a chemical reaction** but a *colligative* effect: it depends on the number of dissolved particles, not their chemical identity.

**Why it happens.** At the normal freezing point, ice and pure liquid water are in equilibrium: molecules leave the ice for the liquid as fast as they join it. Dissolved ions dilute the liquid, lowering the chemical potential (the "escaping tendency") of water in the liquid phase, while the ice stays pure. Equivalently, dissolving increases the entropy of the liquid, making it more favoured. To restore equilibrium, the temperature must be lowered until the ice becomes stable again.

**Calculation.** The freezing-point depression is
$$\Delta T_f = i\,K_f\,b,$$
where $b$ is the molality and $i$ the van 't Hoff factor (number of particles per formula unit).

- Moles of NaCl: $\frac{58.5\ \text{g}}{58.44\ \text{g/mol}} \approx 1.00\ \text{mol}$, so $b = 1.00\ \text{mol/kg}$.
- NaCl dissociates into Na⁺ and Cl⁻, so ideally $i = 2$.

$$\Delta T_f = 2 \times 1.86 \times 1.00 = 3.72\ \text{K}.$$

The predicted freezing point is about $-3.7\ ^\circ\text{C}$. (The measured value is slightly higher, around $-3.4\ ^\circ\text{C}$, because ion pairing makes the effective $i$ a little less than 2 at this concentration.)

This is why salt is spread on icy roads: it melts ice down to temperatures of roughly $-10\ ^\circ\text{C}$ in practice, while calcium chloride, which gives $i \approx 3$, works at even lower temperatures.
""",
    ),
    W(
        "stackexchange",
        r"""
<p>How does an action potential actually propagate down an axon? what do the Na and K channels do</p>
""",
        r"""
<p>Depolarisation opens voltage-gated Na+ channels, Na+ rushes in, then K+ channels open and K+ leaves (repolarisation). Local currents depolarise the next patch. Refractory period means it only goes one way.</p>
""",
        r"""
Explain how an action potential is generated and propagated along an axon, including the roles of sodium and potassium channels.
""",
        r"""
**Resting state.** A neuron at rest has a membrane potential of about $-70\ \text{mV}$ (inside negative). It is maintained by the Na⁺/K⁺-ATPase pump (3 Na⁺ out, 2 K⁺ in per ATP) and by leak channels that let K⁺ diffuse out more easily than Na⁺ can come in.

**1. Threshold.** A stimulus depolarises a patch of membrane. If the potential reaches the threshold (about $-55\ \text{mV}$), voltage-gated **Na⁺ channels** open.

**2. Depolarisation (rising phase).** Na⁺ floods in, down its concentration and electrical gradients. This depolarises the membrane further, opening more Na⁺ channels — a positive feedback loop. The potential shoots up to about $+30$ to $+40\ \text{mV}$.

**3. Repolarisation (falling phase).** Within about a millisecond, the Na⁺ channels **inactivate** (an inactivation gate blocks them), and slower voltage-gated **K⁺ channels** open. K⁺ flows out, returning the potential toward negative values.

**4. Hyperpolarisation.** The K⁺ channels close slowly, so the membrane briefly undershoots to about $-80\ \text{mV}$ before leak channels and the pump restore the resting potential.

**Propagation.** The influx of Na⁺ at one patch spreads along the inside of the axon as a local current, depolarising the neighbouring patch to threshold, which then fires its own action potential. The signal is regenerated at every point, so it does not fade.

**One-way travel.** Behind the action potential, the Na⁺ channels are still inactivated (the **absolute refractory period**), so the membrane there cannot fire again immediately. This forces the impulse to travel forward, away from the cell body.

**Myelin and saltatory conduction.** In myelinated axons, the fatty myelin sheath insulates the membrane, and voltage-gated channels are concentrated at gaps called **nodes of Ranvier**. The action potential "jumps" from node to node, increasing conduction velocity from about 1 m/s in thin unmyelinated fibres to over 100 m/s in large myelinated ones.

The action potential is **all-or-none**: stimulus strength is encoded by the *frequency* of action potentials, not their size.
""",
    ),
    W(
        "stackexchange",
        r"""
<p>Muons created in the upper atmosphere have a mean lifetime of 2.2 μs. At 0.98c they'd only travel ~650 m, yet we detect lots at sea level. How?</p>
""",
        r"""
<p>Time dilation. $\gamma = 1/\sqrt{1-0.98^2} \approx 5.03$, so in Earth frame lifetime is ~11 μs, distance ~3.3 km. From the muon's frame, the atmosphere is length-contracted instead.</p>
""",
        r"""
Muons produced in the upper atmosphere have a mean lifetime of $2.2\ \mu\text{s}$ in their rest frame. Travelling at $0.98c$, how far would a typical muon travel without relativity, and how far does it travel when time dilation is taken into account?
""",
        r"""
**Without relativity:**
$$d = v\tau = (0.98)(3.00 \times 10^{8}\ \text{m/s})(2.2 \times 10^{-6}\ \text{s}) \approx 650\ \text{m}.$$
Since muons are produced at altitudes of around 10–15 km, almost none would reach the ground.

**With special relativity.** The Lorentz factor is
$$\gamma = \frac{1}{\sqrt{1 - v^2/c^2}} = \frac{1}{\sqrt{1 - 0.98^2}} = \frac{1}{\sqrt{0.0396}} \approx 5.03.$$
In Earth's frame, the muon's clock runs slow, so its mean lifetime is
$$\gamma\tau \approx 5.03 \times 2.2\ \mu\text{s} \approx 11\ \mu\text{s},$$
and the typical distance travelled is
$$d = v\gamma\tau \approx 0.98 \times 3.00 \times 10^{8} \times 1.1 \times 10^{-5} \approx 3.3\ \text{km}.$$

**The muon's point of view.** In the muon's rest frame its lifetime is the usual $2.2\ \mu\text{s}$, but the atmosphere rushing past is **length-contracted** by the same factor $\gamma$: a 10 km thick layer is only about $2\ \text{km}$ thick. Both frames agree on the number of muons that reach the ground.

Because decay is exponential, the fraction surviving a trip of length $L$ is $e^{-L/(v\gamma\tau)}$. For $L = 10\ \text{km}$ this is about $e^{-3} \approx 5\%$ with relativity, versus $e^{-15.4} \approx 2 \times 10^{-7}$ without — and experiments (such as Frisch and Smith's 1963 measurement) clearly confirm the relativistic prediction.
""",
    ),
    W(
        "stackexchange",
        r"""
<p>Why is building a binary heap O(n) and not O(n log n)? Each sift-down is O(log n) and we do n/2 of them.</p>
""",
        r"""
<p>Most nodes are near the bottom and sift down only a little. Sum over heights: $\sum_h \frac{n}{2^{h+1}} O(h) = O(n)$.</p>
""",
        r"""
Bottom-up heap construction (Floyd's algorithm) calls sift-down on each of the roughly $n/2$ internal nodes. Each sift-down costs $O(\log n)$, so why is the total running time $O(n)$ rather than $O(n\log n)$?
""",
        r"""
The bound $O(\log n)$ per sift-down is correct but loose: the cost of sifting down a node is proportional to its **height** (distance to the leaves), not the height of the whole heap, and most nodes have small height.

**Counting nodes by height.** In a heap with $n$ nodes, there are at most $\left\lceil \frac{n}{2^{h+1}} \right\rceil$ nodes of height $h$. About half the nodes are leaves (height $0$, no work), a quarter have height $1$, an eighth have height $2$, and so on. Only the root has height $\lfloor \log_2 n \rfloor$.

**Total work.**
$$T(n) \le \sum_{h=0}^{\lfloor \log_2 n \rfloor} \left\lceil \frac{n}{2^{h+1}} \right\rceil \cdot c\,h = O\!\left(n\sum_{h=0}^{\infty} \frac{h}{2^{h}}\right).$$
The series converges: differentiating the geometric series $\sum x^h = \frac{1}{1 - x}$ gives $\sum_{h \ge 0} h x^h = \frac{x}{(1 - x)^2}$, and at $x = \frac{1}{2}$ this is $2$. Therefore
$$T(n) = O(2n) = O(n).$$

**Contrast with top-down construction.** Inserting elements one at a time and sifting each *up* costs up to the node's **depth**, and most nodes are deep (about half are at the bottom level), giving $\Theta(n\log n)$ in the worst case. Floyd's bottom-up method is faster precisely because the expensive operations are done by the few nodes near the top.

Note that **heapsort** is still $\Theta(n\log n)$ overall, because the $n$ extract-max operations each cost $O(\log n)$.
""",
    ),
    W(
        "stackexchange",
        r"""
<p>Why is benzene so unreactive compared to alkenes? it has 3 double bonds</p>
""",
        r"""
<p>Aromaticity. The 6 pi electrons are delocalised over the ring (Huckel 4n+2, n=1). Resonance energy ~150 kJ/mol. Addition would destroy aromaticity so it does substitution instead.</p>
""",
        r"""
Benzene is often drawn with three C=C double bonds, yet it does not readily undergo the addition reactions typical of alkenes (such as decolourising bromine water). Explain why.
""",
        r"""
**The Kekulé structure is misleading.** Benzene does not contain three localised double bonds. All six C–C bonds have the same length, $139\ \text{pm}$, between a typical single bond ($154\ \text{pm}$) and double bond ($134\ \text{pm}$).

**Delocalised π system.** Each carbon is $sp^2$-hybridised and contributes one electron in a $p$ orbital perpendicular to the ring. The six $p$ orbitals overlap all the way round, forming a continuous cyclic π system in which the **six π electrons are delocalised** over the whole ring (often drawn as a circle inside the hexagon).

**Aromatic stabilisation.** A planar, cyclic, fully conjugated ring with $4n + 2$ π electrons (Hückel's rule; here $n = 1$) is especially stable — it is *aromatic*. Thermochemistry quantifies this: hydrogenating cyclohexene releases about $120\ \text{kJ/mol}$, so a hypothetical "cyclohexatriene" with three isolated double bonds would release about $360\ \text{kJ/mol}$. Benzene actually releases only about $208\ \text{kJ/mol}$. The difference, roughly **$150\ \text{kJ/mol}$**, is the resonance (delocalisation) energy.

**Consequences for reactivity.**
- An **addition** reaction would convert at least one ring carbon to $sp^3$, breaking the continuous π system and losing the aromatic stabilisation. This is energetically unfavourable, so benzene doesn't decolourise bromine water.
- Instead, benzene undergoes **electrophilic aromatic substitution** (e.g. bromination with a FeBr₃ catalyst, nitration with HNO₃/H₂SO₄). The electrophile adds to form a non-aromatic intermediate (the arenium ion), and then a proton is lost, *restoring* the aromatic ring. The overall reaction replaces an H atom while keeping aromaticity intact.
- Because the delocalised electrons are less available than those in a localised C=C bond, benzene needs a stronger electrophile — hence the catalyst.
""",
    ),
    W(
        "stackexchange",
        r"""
<p>Why doesn't Dijkstra work with negative edge weights? Can someone give a small counterexample</p>
""",
        r"""
<p>Dijkstra finalises the closest unvisited vertex assuming no later path can be shorter. A negative edge breaks that. e.g. A->B 2, A->C 3, C->B -2.</p>
""",
        r"""
Why can Dijkstra's algorithm give wrong answers on graphs with negative edge weights? Give a concrete counterexample and name an algorithm that handles negative weights.
""",
        r"""
**The key assumption.** Dijkstra's algorithm repeatedly selects the unvisited vertex $u$ with the smallest tentative distance and **finalises** it. This is safe only if no path discovered later can be shorter. With non-negative weights that's guaranteed: any other path to $u$ must leave the visited set through a vertex whose distance is already at least $d(u)$, and adding non-negative edges can't make it smaller. A negative edge breaks exactly this argument.

**Counterexample.** Vertices $A$ (source), $B$, $C$ with edges
$$A \to B\ (2), \qquad A \to C\ (3), \qquad C \to B\ (-2).$$

1. Initially $d(A) = 0$. Relaxing $A$'s edges gives $d(B) = 2$, $d(C) = 3$.
2. The closest unvisited vertex is $B$ (distance $2$), so Dijkstra **finalises $d(B) = 2$**.
3. Next it visits $C$ (distance $3$) and relaxes $C \to B$, finding a path of length $3 + (-2) = 1$ — but $B$ is already finalised, so the standard algorithm does not update it (and in more complex graphs, $B$'s outgoing edges would already have propagated the wrong value).

The true shortest distance is $d(B) = 1$ via $A \to C \to B$, but Dijkstra reports $2$.

**What to use instead.**
- **Bellman–Ford** relaxes every edge $|V| - 1$ times, running in $O(|V||E|)$. It handles negative weights and can also **detect negative cycles** (if a further pass still improves a distance, a negative cycle is reachable — and then shortest paths are undefined).
- **Johnson's algorithm** reweights the edges using potentials computed by Bellman–Ford, making all weights non-negative, and then runs Dijkstra from every vertex; it's efficient for all-pairs shortest paths in sparse graphs.

Note that simply adding a constant to every edge weight does **not** work, because it penalises paths with more edges.
""",
    ),
    W(
        "stackexchange",
        r"""
<p>Is Var(X+Y) = Var(X) + Var(Y) always? My textbook uses it for dice sums</p>
""",
        r"""
<p>Only if X and Y are uncorrelated (e.g. independent). In general $Var(X+Y) = Var X + Var Y + 2Cov(X,Y)$.</p>
""",
        r"""
Is it always true that $\operatorname{Var}(X + Y) = \operatorname{Var}(X) + \operatorname{Var}(Y)$? Derive the general formula and use it to find the variance of the sum of two fair dice.
""",
        r"""
**Not always.** Write $\mu_X = E[X]$, $\mu_Y = E[Y]$. Then
\begin{align}
\operatorname{Var}(X + Y) &= E\big[(X + Y - \mu_X - \mu_Y)^2\big] \\
&= E\big[(X - \mu_X)^2\big] + E\big[(Y - \mu_Y)^2\big] + 2E\big[(X - \mu_X)(Y - \mu_Y)\big] \\
&= \operatorname{Var}(X) + \operatorname{Var}(Y) + 2\operatorname{Cov}(X, Y).
\end{align}

So the simple formula holds **if and only if $\operatorname{Cov}(X, Y) = 0$**, i.e. the variables are uncorrelated. Independence implies zero covariance, which is why it works for dice. (The converse fails: uncorrelated variables need not be independent.)

**Counterexample.** If $Y = X$, then $\operatorname{Var}(2X) = 4\operatorname{Var}(X)$, not $2\operatorname{Var}(X)$; the extra $2\operatorname{Var}(X)$ is exactly $2\operatorname{Cov}(X, X)$. If $Y = -X$, then $\operatorname{Var}(X + Y) = 0$.

**Two fair dice.** For one die,
$$E[X] = \frac{1 + 2 + \cdots + 6}{6} = \frac{7}{2}, \qquad E[X^2] = \frac{1 + 4 + 9 + 16 + 25 + 36}{6} = \frac{91}{6},$$
$$\operatorname{Var}(X) = \frac{91}{6} - \frac{49}{4} = \frac{182 - 147}{12} = \frac{35}{12}.$$
The dice are independent, so
$$\operatorname{Var}(X_1 + X_2) = 2 \cdot \frac{35}{12} = \frac{35}{6} \approx 5.83,$$
and the standard deviation of the sum is $\sqrt{35/6} \approx 2.42$.
""",
    ),
]


# ---------------------------------------------------------------------------------------------
# WebInstructSub, templated problems (exact arithmetic with Fraction)
# ---------------------------------------------------------------------------------------------


def poly_str(terms, style: str = "tex") -> str:
    """Format [(coef, power), ...] as ``3x^2 + 2x - 1`` (tex) or ``3x^2+2x-1`` (ascii, socratic)."""
    out = []
    for coef, power in terms:
        coef = Fraction(coef)
        if coef == 0:
            continue
        sign = "-" if coef < 0 else "+"
        mag = abs(coef)
        if style == "tex":
            c = "" if (mag == 1 and power) else frac_tex(mag)
        else:
            c = (
                ""
                if (mag == 1 and power)
                else (frac_txt(mag) if mag.denominator == 1 else f"({frac_txt(mag)})")
            )
        var = "" if power == 0 else ("x" if power == 1 else f"x^{power}")
        out.append((sign, c + var))
    if not out:
        return "0"
    first_sign, first = out[0]
    sep = " " if style == "tex" else ""
    s = ("-" if first_sign == "-" else "") + first
    for sign, body in out[1:]:
        s += f"{sep}{sign}{sep}{body}"
    return s


def paren(x: Fraction) -> str:
    t = frac_tex(x)
    return f"\\left({t}\\right)" if x < 0 else t


def gen_webinstruct() -> list[dict]:
    out = []

    # 1. Definite integrals of quadratics.
    for i, (p, q, r, a, b) in enumerate(
        [
            (3, 2, -1, 0, 2),
            (1, -4, 3, 1, 3),
            (6, 0, -2, -1, 1),
            (2, 3, 0, 0, 3),
            (-1, 4, 0, 0, 4),
            (4, -2, 5, 1, 2),
            (1, 0, 1, -2, 1),
            (3, -6, 2, 0, 1),
        ]
    ):
        P, Q, R = Fraction(p), Fraction(q), Fraction(r)
        terms = [(P, 2), (Q, 1), (R, 0)]
        anti = [(P / 3, 3), (Q / 2, 2), (R, 1)]

        def F(x, P=P, Q=Q, R=R):
            return P / 3 * x**3 + Q / 2 * x**2 + R * x

        val = F(Fraction(b)) - F(Fraction(a))
        if i % 2 == 0:
            src = "socratic"
            oq = f"How do you evaluate the integral #int_{a}^{b} ({poly_str(terms, 'ascii')}) dx#?"
            oa = (
                f"#{frac_txt(val)}#\n\nExplanation:\n\n"
                f"#int_{a}^{b} ({poly_str(terms, 'ascii')}) dx = [{poly_str(anti, 'ascii')}]_{a}^{b}#\n\n"
                f"#= ({frac_txt(F(Fraction(b)))}) - ({frac_txt(F(Fraction(a)))}) = {frac_txt(val)}#"
            )
        else:
            src = "mathstackexchange"
            oq = (
                f"<p>I need to compute $\\int_{{{a}}}^{{{b}}} {poly_str(terms)} \\, dx$ for homework. "
                f"I got a different answer from the book, can someone check the steps?</p>"
            )
            oa = f"<p>Antiderivative is ${poly_str(anti)}$. Plug in the bounds, you should get ${frac_tex(val)}$.</p>"
        q_ = f"Evaluate the definite integral $\\displaystyle\\int_{{{a}}}^{{{b}}} \\left({poly_str(terms)}\\right) dx$."
        a_ = (
            f"Integrate term by term with the power rule $\\int x^n\\,dx = \\frac{{x^{{n+1}}}}{{n+1}}$. An antiderivative is\n"
            f"$$F(x) = {poly_str(anti)}.$$\n\n"
            f"By the fundamental theorem of calculus,\n"
            f"\\begin{{align}}\n"
            f"\\int_{{{a}}}^{{{b}}} \\left({poly_str(terms)}\\right) dx &= F({b}) - F({a}) \\\\\n"
            f"&= {paren(F(Fraction(b)))} - {paren(F(Fraction(a)))} \\\\\n"
            f"&= {frac_tex(val)}.\n"
            f"\\end{{align}}\n\n"
            f"So the value of the integral is ${frac_tex(val)}$"
            + (f" $\\approx {float(val):.4f}$." if val.denominator != 1 else ".")
        )
        if val < 0:
            a_ += "\n\nThe result is negative because the integrand lies mostly below the $x$-axis on this interval; the integral measures signed area."
        out.append(
            {"source": src, "orig_question": oq, "orig_answer": oa, "question": q_, "answer": a_}
        )

    # 2. Product rule.
    for n, k in [(2, 3), (3, -1), (1, 2), (4, -2)]:
        kx = f"{'' if k == 1 else ('-' if k == -1 else k)}x"
        xn = "x" if n == 1 else f"x^{n}"
        oq = f"How do you differentiate #f(x) = {xn}e^({kx})#?"
        oa = (
            f"#f'(x) = {'' if n == 1 else xn.replace(str(n), str(n - 1)) if n > 2 else 'x'}e^({kx})({n}{'+' if k > 0 else '-'}{abs(k) if abs(k) != 1 else ''}x)#"
            f"\n\nExplanation:\n\nproduct rule"
        )
        dn = "1" if n == 1 else (f"{n}x" if n == 2 else f"{n}x^{{{n - 1}}}")
        xnm1 = "" if n == 1 else ("x" if n == 2 else f"x^{{{n - 1}}}")
        q_ = f"Find the derivative of $f(x) = {xn.replace('^', '^{') + ('}' if n > 1 else '')} e^{{{kx}}}$."
        a_ = (
            f"Use the product rule $(uv)' = u'v + uv'$ with $u = {xn.replace('^', '^{') + ('}' if n > 1 else '')}$ and $v = e^{{{kx}}}$.\n\n"
            f"- $u' = {dn}$\n"
            f"- $v' = {'' if k == 1 else ('-' if k == -1 else k)}e^{{{kx}}}$ (chain rule)\n\n"
            f"Therefore\n"
            f"$$f'(x) = {dn}\\,e^{{{kx}}} {'+' if k > 0 else '-'} {abs(k) if abs(k) != 1 else ''}{xn.replace('^', '^{') + ('}' if n > 1 else '')}\\,e^{{{kx}}} = {xnm1}e^{{{kx}}}\\left({n} {'+' if k > 0 else '-'} {abs(k) if abs(k) != 1 else ''}x\\right).$$\n\n"
            f"Setting $f'(x) = 0$: since $e^{{{kx}}} > 0$, "
            + ("the only critical point is " if n == 1 else "the critical points are $x = 0$ and ")
            + f"$x = {frac_tex(Fraction(-n, k))}$."
        )
        out.append(
            {
                "source": "socratic",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 3. 2x2 determinant and inverse.
    for a, b, c, d in [
        (3, 1, 5, 2),
        (2, -1, 4, 3),
        (1, 2, 3, 4),
        (4, 6, 2, 3),
        (0, 1, -1, 0),
        (5, 3, 2, 1),
    ]:
        det = a * d - b * c
        M = f"\\begin{{pmatrix}} {a} & {b} \\\\ {c} & {d} \\end{{pmatrix}}"
        oq = f"<p>Find the inverse of the matrix $A = {M}$ if it exists.</p>"
        q_ = f"Determine whether $A = {M}$ is invertible, and if so find $A^{{-1}}$."
        if det == 0:
            oa = f"<p>det = {a}*{d} - {b}*{c} = 0 so it's singular, no inverse. (rows are proportional)</p>"
            a_ = (
                f"For a $2 \\times 2$ matrix $\\begin{{pmatrix}} a & b \\\\ c & d \\end{{pmatrix}}$, the determinant is $ad - bc$.\n\n"
                f"$$\\det A = ({a})({d}) - ({b})({c}) = {a * d} - {b * c} = 0.$$\n\n"
                f"Since $\\det A = 0$, $A$ is **not invertible** (it is singular). Indeed, the first row is a multiple of the second: "
                f"$({a}, {b}) = {frac_tex(Fraction(a, c))}\\,({c}, {d})$, so the rows are linearly dependent and $A$ maps $\\mathbb{{R}}^2$ onto a line."
            )
        else:
            inv = [[Fraction(d, det), Fraction(-b, det)], [Fraction(-c, det), Fraction(a, det)]]
            Minv = f"\\begin{{pmatrix}} {frac_tex(inv[0][0])} & {frac_tex(inv[0][1])} \\\\ {frac_tex(inv[1][0])} & {frac_tex(inv[1][1])} \\end{{pmatrix}}"
            oa = f"<p>Use $A^{{-1}} = \\frac{{1}}{{ad-bc}}\\begin{{pmatrix}} d & -b \\\\ -c & a\\end{{pmatrix}}$. Here det = {det}.</p>"
            a_ = (
                f"**Determinant.**\n$$\\det A = ({a})({d}) - ({b})({c}) = {det} \\ne 0,$$\n"
                f"so $A$ is invertible.\n\n"
                f"**Inverse.** For $A = \\begin{{pmatrix}} a & b \\\\ c & d \\end{{pmatrix}}$, swap the diagonal entries, negate the off-diagonal ones, and divide by the determinant:\n"
                f"$$A^{{-1}} = \\frac{{1}}{{{det}}}\\begin{{pmatrix}} {d} & {-b} \\\\ {-c} & {a} \\end{{pmatrix}} = {Minv}.$$\n\n"
                f"**Check:** $A A^{{-1}} = \\frac{{1}}{{{det}}}\\begin{{pmatrix}} {a}\\cdot{d} + {b}\\cdot({-c}) & {a}\\cdot({-b}) + {b}\\cdot{a} \\\\ {c}\\cdot{d} + {d}\\cdot({-c}) & {c}\\cdot({-b}) + {d}\\cdot{a} \\end{{pmatrix}} "
                f"= \\frac{{1}}{{{det}}}\\begin{{pmatrix}} {det} & 0 \\\\ 0 & {det} \\end{{pmatrix}} = I.$ ✓"
            )
        out.append(
            {
                "source": "mathstackexchange",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 4. 3x3 determinants by cofactor expansion.
    for m in [
        ((2, 0, 1), (1, 3, 2), (1, 1, 1)),
        ((1, 2, 3), (4, 5, 6), (7, 8, 10)),
        ((3, -1, 2), (0, 4, 1), (2, 1, 0)),
    ]:
        (a, b, c), (d, e, f), (g, h, k) = m
        m1, m2, m3 = e * k - f * h, d * k - f * g, d * h - e * g
        det = a * m1 - b * m2 + c * m3
        M = (
            "\\begin{pmatrix} "
            + " \\\\ ".join(" & ".join(str(x) for x in row) for row in m)
            + " \\end{pmatrix}"
        )
        oq = f"<p>compute $\\det {M}$. I keep making sign errors with cofactors</p>"
        oa = f"<p>Expand along the first row, remember the signs $+,-,+$. Answer: {det}.</p>"
        q_ = f"Compute the determinant of $A = {M}$ using cofactor expansion along the first row."
        a_ = (
            f"Cofactor expansion along the first row uses the sign pattern $+, -, +$:\n"
            f"$$\\det A = {a}\\begin{{vmatrix}} {e} & {f} \\\\ {h} & {k} \\end{{vmatrix}} - ({b})\\begin{{vmatrix}} {d} & {f} \\\\ {g} & {k} \\end{{vmatrix}} + ({c})\\begin{{vmatrix}} {d} & {e} \\\\ {g} & {h} \\end{{vmatrix}}.$$\n\n"
            f"The $2 \\times 2$ minors are:\n"
            f"- $\\begin{{vmatrix}} {e} & {f} \\\\ {h} & {k} \\end{{vmatrix}} = ({e})({k}) - ({f})({h}) = {m1}$\n"
            f"- $\\begin{{vmatrix}} {d} & {f} \\\\ {g} & {k} \\end{{vmatrix}} = ({d})({k}) - ({f})({g}) = {m2}$\n"
            f"- $\\begin{{vmatrix}} {d} & {e} \\\\ {g} & {h} \\end{{vmatrix}} = ({d})({h}) - ({e})({g}) = {m3}$\n\n"
            f"Therefore\n$$\\det A = ({a})({m1}) - ({b})({m2}) + ({c})({m3}) = {a * m1} - ({b * m2}) + ({c * m3}) = {det}.$$\n\n"
            + (
                "Since $\\det A \\ne 0$, the matrix is invertible and its columns are linearly independent."
                if det
                else "Since $\\det A = 0$, the matrix is singular."
            )
        )
        out.append(
            {
                "source": "mathstackexchange",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 5. Binomial probabilities.
    for setup, ask, n, p, k, src in [
        (
            "A fair coin is tossed {n} times.",
            "What is the probability of getting exactly {k} heads?",
            10,
            Fraction(1, 2),
            6,
            "mathstackexchange",
        ),
        (
            "A fair die is rolled {n} times.",
            "What is the probability of getting exactly {k} sixes?",
            5,
            Fraction(1, 6),
            2,
            "socratic",
        ),
        (
            "A basketball player makes 70% of her free throws.",
            "What is the probability that she makes exactly {k} of her next {n} attempts?",
            8,
            Fraction(7, 10),
            6,
            "socratic",
        ),
        (
            "5% of the items produced by a machine are defective.",
            "In a random sample of {n} items, what is the probability that exactly {k} are defective?",
            12,
            Fraction(1, 20),
            2,
            "mathstackexchange",
        ),
        (
            "A student guesses randomly on {n} multiple-choice questions, each with 4 options.",
            "What is the probability of getting exactly {k} correct?",
            6,
            Fraction(1, 4),
            3,
            "socratic",
        ),
        (
            "A fair coin is tossed {n} times.",
            "What is the probability of getting exactly {k} heads?",
            7,
            Fraction(1, 2),
            3,
            "mathstackexchange",
        ),
    ]:
        prob = comb(n, k) * p**k * (1 - p) ** (n - k)
        setup, ask = setup.format(n=n, k=k), ask.format(n=n, k=k)
        pp, qq = f"\\left({frac_tex(p)}\\right)", f"\\left({frac_tex(1 - p)}\\right)"
        if src == "mathstackexchange":
            oq = f"<p>{setup} {ask} Is it just ${pp}^{{{k}}}{qq}^{{{n - k}}}$? That seems too small.</p>"
            oa = f"<p>You forgot the number of orderings: multiply by $\\binom{{{n}}}{{{k}}}$.</p>"
        else:
            oq = f"{setup[0].lower() + setup[1:]} {ask[0].lower() + ask[1:]}"
            oa = (
                f"#P = {comb(n, k)} * ({frac_txt(p)})^{k} * ({frac_txt(1 - p)})^{n - k} ~~ {float(prob):.4f}#"
                "\n\nExplanation:\n\nbinomial distribution"
            )
        exact = f"&= {frac_tex(prob)} \\\\\n" if prob.denominator < 10**7 else ""
        q_ = f"{setup} {ask}"
        a_ = (
            f"Each trial is independent with the same success probability $p = {frac_tex(p)}$, so the number of successes $X$ follows a binomial distribution $X \\sim \\text{{Bin}}\\left({n}, {frac_tex(p)}\\right)$:\n"
            f"$$P(X = k) = \\binom{{n}}{{k}} p^k (1-p)^{{n-k}}.$$\n\n"
            f"The binomial coefficient $\\binom{{{n}}}{{{k}}} = {comb(n, k)}$ counts the ways to choose which {k} of the {n} trials are the successes.\n\n"
            f"\\begin{{align}}\n"
            f"P(X = {k}) &= {comb(n, k)}{pp}^{{{k}}}{qq}^{{{n - k}}} \\\\\n"
            f"{exact}"
            f"&\\approx {float(prob):.4f}.\n"
            f"\\end{{align}}\n\n"
            f"Computing ${pp}^{{{k}}}{qq}^{{{n - k}}}$ alone gives the probability of one *particular* sequence of outcomes; multiplying by $\\binom{{{n}}}{{{k}}}$ accounts for all the orders in which the successes can occur."
        )
        out.append(
            {"source": src, "orig_question": oq, "orig_answer": oa, "question": q_, "answer": a_}
        )

    # 6. Geometric series.
    for c, r, s in [
        (1, Fraction(1, 2), 0),
        (3, Fraction(2, 5), 1),
        (5, Fraction(-1, 3), 0),
        (2, Fraction(3, 4), 2),
        (4, Fraction(5, 4), 0),
        (1, Fraction(-2, 3), 1),
    ]:
        C = Fraction(c)
        rt = frac_tex(r) if r.denominator == 1 and r > 0 else f"\\left({frac_tex(r)}\\right)"
        term = f"{'' if c == 1 else c}{rt}^n" if r.denominator != 1 else f"{c}\\cdot {r}^n"
        oq = f"<p>Does $\\sum_{{n={s}}}^\\infty {term}$ converge? If so what is the sum?</p>"
        q_ = f"Determine whether the series $\\displaystyle\\sum_{{n={s}}}^{{\\infty}} {term}$ converges, and if it does, find its sum."
        if abs(r) >= 1:
            oa = f"<p>Ratio is {frac_txt(r)}, $|r| \\geq 1$ so diverges.</p>"
            a_ = (
                f"This is a geometric series with common ratio $r = {frac_tex(r)}$. A geometric series converges if and only if $|r| < 1$.\n\n"
                f"Here $|r| = {frac_tex(abs(r))} \\ge 1$, so the terms ${term}$ do not tend to $0$ (in fact they grow without bound), and by the $n$-th term test the series **diverges**."
            )
        else:
            first = C * r**s
            total = first / (1 - r)
            coef_part = "" if c == 1 else f"{c} \\cdot "
            pr = f"\\left({frac_tex(r)}\\right)"
            oa = f"<p>geometric, first term {frac_txt(first)}, ratio {frac_txt(r)}, sum = a/(1-r) = {frac_txt(total)}</p>"
            a_ = (
                f"This is a geometric series with common ratio $r = {frac_tex(r)}$. Since $|r| = {frac_tex(abs(r))} < 1$, it **converges**.\n\n"
                f"For a geometric series, $\\sum_{{n=s}}^\\infty a r^{{n-s}} = \\frac{{a}}{{1 - r}}$, where $a$ is the first term. The first term (at $n = {s}$) is\n"
                f"$$a = {coef_part}{pr}^{{{s}}} = {frac_tex(first)}.$$\n\n"
                f"Therefore\n$$\\sum_{{n={s}}}^{{\\infty}} {term} = \\frac{{{frac_tex(first)}}}{{1 - {paren(r)}}} = \\frac{{{frac_tex(first)}}}{{{frac_tex(1 - r)}}} = {frac_tex(total)}.$$"
            )
            if r < 0:
                a_ += "\n\nBecause the ratio is negative, the partial sums alternate above and below the limit while closing in on it."
        out.append(
            {
                "source": "mathstackexchange",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 7. Limits of rational functions at infinity.
    for num, den in [
        ([(3, 2), (-1, 1), (4, 0)], [(5, 2), (2, 0)]),
        ([(2, 1), (7, 0)], [(1, 2), (-3, 1)]),
        ([(4, 3), (1, 0)], [(2, 2), (1, 1)]),
        ([(-6, 3), (2, 1)], [(3, 3), (5, 2), (1, 0)]),
    ]:
        dn, dd = num[0][1], den[0][1]
        ln, ld = Fraction(num[0][0]), Fraction(den[0][0])
        if dn == dd:
            res_txt = frac_tex(ln / ld)
        elif dn < dd:
            res_txt = "0"
        else:
            res_txt = "\\infty" if ln / ld > 0 else "-\\infty"
        N, D = poly_str(num), poly_str(den)
        oq = f"How do you find #lim_(x->oo) ({poly_str(num, 'ascii')})/({poly_str(den, 'ascii')})#?"
        oa = f"#{res_txt.replace(chr(92) + 'infty', 'oo')}#\n\nExplanation:\n\ndivide everything by the highest power of x in the denominator"
        q_ = f"Evaluate $\\displaystyle\\lim_{{x \\to \\infty}} \\frac{{{N}}}{{{D}}}$."
        a_ = f"Divide the numerator and the denominator by $x^{{{dd}}}$, the highest power of $x$ in the denominator. Every term of the form $\\frac{{c}}{{x^m}}$ with $m > 0$ tends to $0$ as $x \\to \\infty$.\n\n"
        if dn == dd:
            a_ += (
                f"Both numerator and denominator have degree {dn}, so only the leading terms survive:\n"
                f"$$\\lim_{{x \\to \\infty}} \\frac{{{N}}}{{{D}}} = \\frac{{{frac_tex(ln)}}}{{{frac_tex(ld)}}} = {res_txt}.$$\n\n"
                f"The line $y = {res_txt}$ is a horizontal asymptote of the graph."
            )
        elif dn < dd:
            a_ += (
                f"The numerator has degree {dn}, which is lower than the denominator's degree {dd}. After dividing, every term in the numerator tends to $0$ while the denominator tends to ${frac_tex(ld)}$, so\n"
                f"$$\\lim_{{x \\to \\infty}} \\frac{{{N}}}{{{D}}} = 0.$$\n\n"
                f"The $x$-axis ($y = 0$) is a horizontal asymptote."
            )
        else:
            a_ += (
                f"The numerator has degree {dn}, higher than the denominator's degree {dd}. After dividing, the numerator behaves like ${frac_tex(ln)}{'x' if dn - dd == 1 else f'x^{{{dn - dd}}}'}$, which grows without bound, while the denominator tends to ${frac_tex(ld)}$. Therefore\n"
                f"$$\\lim_{{x \\to \\infty}} \\frac{{{N}}}{{{D}}} = {res_txt},$$\n"
                f"i.e. the limit does not exist as a finite number, and there is no horizontal asymptote."
            )
        out.append(
            {
                "source": "socratic",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )
    return out


def gen_webinstruct_more() -> list[dict]:
    out = []

    # 8. Free fall.
    for h, obj in [(20.0, "a stone"), (45.0, "a ball"), (80.0, "a set of keys"), (5.0, "an apple")]:
        g = 9.8
        t = (2 * h / g) ** 0.5
        v = g * t
        oq = f"If {obj} is dropped from a height of #{h:g} m#, how long does it take to hit the ground and how fast is it going?"
        oa = f"#t ~~ {t:.2f} s#, #v ~~ {v:.1f} m/s#\n\nExplanation:\n\n#h = 1/2 g t^2#, #v = g t#"
        q_ = f"{obj[0].upper() + obj[1:]} is dropped from rest from a height of ${h:g}\\ \\text{{m}}$. Ignoring air resistance and taking $g = 9.8\\ \\text{{m/s}}^2$, how long does it take to reach the ground, and what is its speed on impact?"
        a_ = (
            f"The object starts from rest ($u = 0$) and accelerates uniformly at $g$.\n\n"
            f"**Time of fall.** From $h = \\tfrac{{1}}{{2}}gt^2$:\n"
            f"$$t = \\sqrt{{\\frac{{2h}}{{g}}}} = \\sqrt{{\\frac{{2 \\times {h:g}}}{{9.8}}}} = \\sqrt{{{2 * h / g:.3f}}} \\approx {t:.2f}\\ \\text{{s}}.$$\n\n"
            f"**Impact speed.** From $v = gt$:\n"
            f"$$v = 9.8 \\times {t:.3f} \\approx {v:.1f}\\ \\text{{m/s}}.$$\n\n"
            f"**Check with energy conservation:** $\\tfrac{{1}}{{2}}mv^2 = mgh \\Rightarrow v = \\sqrt{{2gh}} = \\sqrt{{{2 * g * h:.1f}}} \\approx {(2 * g * h) ** 0.5:.1f}\\ \\text{{m/s}}$. ✓\n\n"
            f"Notice that the mass of the object doesn't appear: without air resistance, all objects fall with the same acceleration."
        )
        out.append(
            {
                "source": "socratic",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 9. Eigenvalues of 2x2 matrices with integer spectra.
    for a, b, c, d in [(4, 1, 2, 3), (5, -2, 1, 2), (1, 2, 3, 2), (6, -1, 2, 3)]:
        tr, det = a + d, a * d - b * c
        disc = tr * tr - 4 * det
        sq = isqrt(disc)
        assert sq * sq == disc
        l1, l2 = (tr + sq) // 2, (tr - sq) // 2
        M = f"\\begin{{pmatrix}} {a} & {b} \\\\ {c} & {d} \\end{{pmatrix}}"

        def evec(lam, a=a, b=b, c=c, d=d):
            # Solve (A - lam I) v = 0 using the first row (b != 0 for all matrices above).
            x, y = b, lam - a
            from math import gcd

            g_ = gcd(x, y) or 1
            x, y = x // g_, y // g_
            if x < 0 or (x == 0 and y < 0):
                x, y = -x, -y
            return x, y

        v1, v2 = evec(l1), evec(l2)
        oq = f"<p>Eigenvalues of ${M}$? I set up $\\det(A-\\lambda I)=0$ but can't factor it.</p>"
        oa = (
            f"<p>$\\lambda^2 - {tr}\\lambda + {det} = 0$ (trace and determinant). Roots {l1} and {l2}.</p>"
            if det >= 0
            else f"<p>$\\lambda^2 - {tr}\\lambda - {-det} = 0$ (trace and determinant). Roots {l1} and {l2}.</p>"
        )
        q_ = f"Find the eigenvalues and eigenvectors of $A = {M}$."
        const = f"+ {det}" if det >= 0 else f"- {-det}"
        f1 = f"(\\lambda - {l1})" if l1 >= 0 else f"(\\lambda + {-l1})"
        f2 = f"(\\lambda - {l2})" if l2 >= 0 else f"(\\lambda + {-l2})"
        a_ = (
            f"**Characteristic polynomial.** For a $2 \\times 2$ matrix, $\\det(A - \\lambda I) = \\lambda^2 - (\\operatorname{{tr}}A)\\lambda + \\det A$. Here $\\operatorname{{tr}}A = {a} + {d} = {tr}$ and $\\det A = ({a})({d}) - ({b})({c}) = {det}$, so\n"
            f"$$\\lambda^2 - {tr}\\lambda {const} = {f1}{f2} = 0.$$\n"
            f"The eigenvalues are $\\lambda_1 = {l1}$ and $\\lambda_2 = {l2}$.\n\n"
            f"**Eigenvectors.** Solve $(A - \\lambda I)\\mathbf{{v}} = \\mathbf{{0}}$; the first row gives $({a} - \\lambda)v_1 + ({b})v_2 = 0$.\n\n"
            f"- $\\lambda_1 = {l1}$: $({a - l1})v_1 + ({b})v_2 = 0$, so $\\mathbf{{v}}_1 = \\begin{{pmatrix}} {v1[0]} \\\\ {v1[1]} \\end{{pmatrix}}$.\n"
            f"- $\\lambda_2 = {l2}$: $({a - l2})v_1 + ({b})v_2 = 0$, so $\\mathbf{{v}}_2 = \\begin{{pmatrix}} {v2[0]} \\\\ {v2[1]} \\end{{pmatrix}}$.\n\n"
            f"**Check:** $A\\mathbf{{v}}_1 = \\begin{{pmatrix}} {a * v1[0] + b * v1[1]} \\\\ {c * v1[0] + d * v1[1]} \\end{{pmatrix}} = {l1}\\begin{{pmatrix}} {v1[0]} \\\\ {v1[1]} \\end{{pmatrix}}$ ✓, and "
            f"$\\lambda_1 + \\lambda_2 = {l1 + l2} = \\operatorname{{tr}}A$, $\\lambda_1\\lambda_2 = {l1 * l2} = \\det A$.\n\n"
            f"Since the eigenvalues are distinct, the eigenvectors are linearly independent and $A$ is diagonalisable: $A = PDP^{{-1}}$ with $P = \\begin{{pmatrix}} {v1[0]} & {v2[0]} \\\\ {v1[1]} & {v2[1]} \\end{{pmatrix}}$ and $D = \\operatorname{{diag}}({l1}, {l2})$."
        )
        assert a * v1[0] + b * v1[1] == l1 * v1[0] and c * v1[0] + d * v1[1] == l1 * v1[1]
        assert a * v2[0] + b * v2[1] == l2 * v2[0] and c * v2[0] + d * v2[1] == l2 * v2[1]
        out.append(
            {
                "source": "mathstackexchange",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 10. Modular inverses with the extended Euclidean algorithm.
    for a, m in [(17, 43), (7, 40), (23, 100)]:
        rows = []
        r0, r1, s0, s1, t0, t1 = m, a, 0, 1, 1, 0  # invariant: r = s*a + t*m
        rows.append((None, r0, s0, t0))
        rows.append((None, r1, s1, t1))
        while r1 != 0:
            q = r0 // r1
            r0, r1 = r1, r0 - q * r1
            s0, s1 = s1, s0 - q * s1
            t0, t1 = t1, t0 - q * t1
            rows.append((q, r1, s1, t1))
        inv = s0 % m
        assert (a * inv) % m == 1
        table = "| $q$ | $r$ | $s$ | $t$ |\n|---|---|---|---|\n" + "\n".join(
            f"| {'' if q is None else q} | {r} | {s_} | {t} |" for q, r, s_, t in rows
        )
        oq = f"<p>How do I find the inverse of {a} mod {m}? I know it exists because gcd = 1 but trial and error takes forever</p>"
        oa = f"<p>Extended Euclid. You get {a}*{inv} = {a * inv} = {(a * inv) // m}*{m} + 1, so the inverse is {inv}.</p>"
        q_ = f"Find the multiplicative inverse of ${a}$ modulo ${m}$, i.e. an integer $x$ with ${a}x \\equiv 1 \\pmod{{{m}}}$."
        a_ = (
            f"Since $\\gcd({a}, {m}) = 1$, an inverse exists. Use the **extended Euclidean algorithm**, keeping track of coefficients $s, t$ with $r = {a}s + {m}t$ at every step (each new row is the row two above minus $q$ times the row above):\n\n"
            f"{table}\n\n"
            f"The last non-zero remainder is $1 = \\gcd({a}, {m})$, reached with $s = {s0}$, $t = {t0}$:\n"
            f"$$1 = {a}\\cdot({s0}) + {m}\\cdot({t0}).$$\n"
            f"Reducing modulo ${m}$ gives ${a}\\cdot({s0}) \\equiv 1 \\pmod{{{m}}}$, so $x \\equiv {s0} \\equiv {inv} \\pmod{{{m}}}$.\n\n"
            f"**Check:** ${a} \\times {inv} = {a * inv} = {(a * inv) // m} \\times {m} + 1$. ✓\n\n"
            f"The inverse of ${a}$ modulo ${m}$ is $\\boxed{{{inv}}}$."
        )
        out.append(
            {
                "source": "mathstackexchange",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 11. Line through two points.
    for (x1, y1), (x2, y2) in [
        ((1, 3), (4, 9)),
        ((-2, 5), (3, -5)),
        ((0, -1), (6, 3)),
        ((2, 7), (5, 7)),
        ((-3, -4), (1, 2)),
    ]:
        m = Fraction(y2 - y1, x2 - x1)
        b = y1 - m * x1
        eq_tex = f"y = {poly_str([(m, 1), (b, 0)])}" if m != 0 else f"y = {frac_tex(b)}"
        eq_txt = f"y = {poly_str([(m, 1), (b, 0)], 'ascii')}" if m != 0 else f"y = {frac_txt(b)}"
        oq = f"How do you write the equation of the line through #({x1}, {y1})# and #({x2}, {y2})#?"
        oa = f"#{eq_txt}#\n\nExplanation:\n\nslope #m = ({y2}-{'(' + str(y1) + ')' if y1 < 0 else y1})/({x2}-{'(' + str(x1) + ')' if x1 < 0 else x1}) = {frac_txt(m)}#"
        q_ = f"Find the equation of the line passing through the points $({x1}, {y1})$ and $({x2}, {y2})$ in slope-intercept form."
        a_ = (
            f"**Slope.**\n$$m = \\frac{{y_2 - y_1}}{{x_2 - x_1}} = \\frac{{{y2} - {paren(Fraction(y1))}}}{{{x2} - {paren(Fraction(x1))}}} = \\frac{{{y2 - y1}}}{{{x2 - x1}}} = {frac_tex(m)}.$$\n\n"
            f"**Intercept.** Substitute $({x1}, {y1})$ into $y = mx + b$:\n"
            f"$${y1} = {frac_tex(m)}\\cdot{paren(Fraction(x1))} + b \\quad\\Longrightarrow\\quad b = {frac_tex(b)}.$$\n\n"
            f"**Equation:** $${eq_tex}.$$\n\n"
            f"**Check** with the other point: ${frac_tex(m)}\\cdot{paren(Fraction(x2))} + {paren(b)} = {frac_tex(m * x2 + b)}$, which equals $y_2 = {y2}$. ✓"
        )
        if m == 0:
            a_ += "\n\nThe slope is $0$ because both points have the same $y$-coordinate, so the line is horizontal."
        out.append(
            {
                "source": "socratic",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 12. pH of strong acids and bases.
    from math import log10

    DISSOC = {
        "HCl": "\\text{HCl} \\rightarrow \\text{H}^+ + \\text{Cl}^-",
        "HNO_3": "\\text{HNO}_3 \\rightarrow \\text{H}^+ + \\text{NO}_3^-",
    }
    FORM_TEX = {
        "HCl": "\\text{HCl}",
        "HNO_3": "\\text{HNO}_3",
        "NaOH": "\\text{NaOH}",
        "Ba(OH)_2": "\\text{Ba(OH)}_2",
    }
    for name, formula, conc, kind, nion in [
        ("hydrochloric acid", "HCl", 0.01, "acid", 1),
        ("nitric acid", "HNO_3", 0.0025, "acid", 1),
        ("sodium hydroxide", "NaOH", 0.05, "base", 1),
        ("barium hydroxide", "Ba(OH)_2", 0.02, "base", 2),
        ("hydrochloric acid", "HCl", 0.001, "acid", 1),
    ]:
        ion = conc * nion
        if kind == "acid":
            ph = -log10(ion)
            oq = f"What is the pH of a #{conc:g} M# solution of #{formula}#?"
            oa = f"#pH ~~ {ph:.2f}#\n\nExplanation:\n\nstrong acid so #[H^+] = {ion:g}#, #pH = -log[H^+]#"
            a_ = (
                f"{name[0].upper() + name[1:]} is a **strong acid**, so it dissociates completely in water:\n"
                f"$${DISSOC[formula]}.$$\n"
                f"Therefore $[\\text{{H}}^+] = {ion:g}\\ \\text{{M}}$, and\n"
                f"$$\\text{{pH}} = -\\log_{{10}}[\\text{{H}}^+] = -\\log_{{10}}({ion:g}) \\approx {ph:.2f}.$$\n\n"
                f"(The contribution of water's own ionisation, $10^{{-7}}\\ \\text{{M}}$, is negligible at this concentration.)"
            )
        else:
            poh = -log10(ion)
            ph = 14 - poh
            oq = f"What is the pH of #{conc:g} M# #{formula}#"
            oa = f"#pH ~~ {ph:.2f}#\n\nExplanation:\n\n#[OH^-] = {ion:g}#, #pOH = {poh:.2f}#, #pH = 14 - pOH#"
            a_ = (
                f"{name[0].upper() + name[1:]} is a **strong base** and dissociates completely"
                + (
                    f", releasing **two** hydroxide ions per formula unit: $\\text{{Ba(OH)}}_2 \\rightarrow \\text{{Ba}}^{{2+}} + 2\\,\\text{{OH}}^-$. So $[\\text{{OH}}^-] = 2 \\times {conc:g} = {ion:g}\\ \\text{{M}}$.\n\n"
                    if nion == 2
                    else f": $\\text{{NaOH}} \\rightarrow \\text{{Na}}^+ + \\text{{OH}}^-$, so $[\\text{{OH}}^-] = {ion:g}\\ \\text{{M}}$.\n\n"
                )
                + f"$$\\text{{pOH}} = -\\log_{{10}}({ion:g}) \\approx {poh:.2f}.$$\n"
                f"At $25\\ ^\\circ\\text{{C}}$, $\\text{{pH}} + \\text{{pOH}} = 14$, so\n"
                f"$$\\text{{pH}} = 14 - {poh:.2f} = {ph:.2f}.$$"
            )
        q_ = f"Calculate the pH of a ${conc:g}\\ \\text{{M}}$ aqueous solution of {name} (${FORM_TEX[formula]}$) at $25\\ ^\\circ\\text{{C}}$."
        out.append(
            {
                "source": "socratic",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 13. Ideal gas law.
    R = 0.08206
    for P, V, T_c, gas in [
        (1.00, 22.4, 0, "nitrogen"),
        (2.50, 10.0, 27, "oxygen"),
        (0.950, 5.00, 100, "carbon dioxide"),
    ]:
        T = T_c + 273.15
        n = P * V / (R * T)
        oq = (
            f"How many moles of {gas} are in a #{V:g} L# container at #{P:g} atm# and #{T_c:g}^@C#?"
        )
        oa = f"#n = (PV)/(RT) ~~ {n:.3f} mol#\n\nExplanation:\n\nremember to convert to kelvin!!"
        q_ = f"A ${V:g}\\ \\text{{L}}$ container holds {gas} gas at ${P:g}\\ \\text{{atm}}$ and ${T_c:g}\\ ^\\circ\\text{{C}}$. Assuming ideal behaviour, how many moles of gas are present?"
        a_ = (
            f"Use the ideal gas law $PV = nRT$ with $R = 0.08206\\ \\text{{L atm mol}}^{{-1}}\\text{{K}}^{{-1}}$. The temperature must be in kelvin:\n"
            f"$$T = {T_c:g} + 273.15 = {T:.2f}\\ \\text{{K}}.$$\n\n"
            f"Solving for $n$:\n"
            f"$$n = \\frac{{PV}}{{RT}} = \\frac{{({P:g})({V:g})}}{{(0.08206)({T:.2f})}} = \\frac{{{P * V:.3f}}}{{{R * T:.3f}}} \\approx {n:.3f}\\ \\text{{mol}}.$$"
        )
        if T_c == 0 and P == 1.0:
            a_ += "\n\nThis is the familiar result that one mole of an ideal gas occupies about $22.4\\ \\text{L}$ at $0\\ ^\\circ\\text{C}$ and $1\\ \\text{atm}$."
        out.append(
            {
                "source": "socratic",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 14. Resistors in parallel.
    for rs, volts in [((6, 3), 12), ((10, 15, 30), 9), ((4, 4, 2), 6)]:
        inv = sum(Fraction(1, r) for r in rs)
        req = 1 / inv
        current = volts / req
        names = ", ".join(f"{r}\\,\\Omega" for r in rs)
        oq = f"<p>What's the equivalent resistance of {', '.join(str(r) for r in rs)} ohm resistors in parallel, and the total current from a {volts} V battery?</p>"
        oa = (
            "<p>$1/R = "
            + " + ".join(f"1/{r}" for r in rs)
            + f"$, so $R = {frac_txt(req)}\\,\\Omega$, $I = V/R = {_num(current)}$ A.</p>"
        )
        q_ = f"Resistors of ${names}$ are connected in parallel across an ideal ${volts}\\ \\text{{V}}$ battery. Find the equivalent resistance, the total current, and the current through each resistor."
        branch = "\n".join(
            f"- $I_{{{i + 1}}} = \\frac{{{volts}}}{{{r}}} = {_num(Fraction(volts, r))}\\ \\text{{A}}$"
            for i, r in enumerate(rs)
        )
        a_ = (
            "**Equivalent resistance.** For resistors in parallel, the reciprocals add:\n"
            "$$\\frac{1}{R_{\\text{eq}}} = "
            + " + ".join(f"\\frac{{1}}{{{r}}}" for r in rs)
            + f" = {frac_tex(inv)}\\ \\Omega^{{-1}} \\quad\\Longrightarrow\\quad R_{{\\text{{eq}}}} = {frac_tex(req)}\\ \\Omega"
            + (f" \\approx {float(req):.2f}\\ \\Omega" if req.denominator != 1 else "")
            + ".$$\n\n"
            f"**Total current** (Ohm's law):\n$$I = \\frac{{V}}{{R_{{\\text{{eq}}}}}} = \\frac{{{volts}}}{{{frac_tex(req)}}} = {_num(current)}\\ \\text{{A}}.$$\n\n"
            f"**Branch currents.** Each resistor has the full ${volts}\\ \\text{{V}}$ across it:\n{branch}\n\n"
            f"The branch currents add up to ${_num(current)}\\ \\text{{A}}$, as Kirchhoff's current law requires. ✓ Note that $R_{{\\text{{eq}}}}$ is smaller than the smallest individual resistor, which is always true for parallel combinations."
        )
        assert sum(Fraction(volts, r) for r in rs) == current
        out.append(
            {
                "source": "stackexchange",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 15. Arithmetic sequences.
    for a1, d, n in [(3, 4, 20), (50, -3, 15), (-7, 2, 30), (1, 5, 12)]:
        an = a1 + (n - 1) * d
        sn = n * (a1 + an) // 2
        assert n * (a1 + an) % 2 == 0
        seq = ", ".join(str(a1 + i * d) for i in range(4))
        oq = f"What is the #{n}#th term and the sum of the first #{n}# terms of #{seq}, ...#?"
        oa = f"#a_{n} = {an}#, #S_{n} = {sn}#\n\nExplanation:\n\n#a_n = a_1 + (n-1)d#"
        q_ = f"For the arithmetic sequence ${seq}, \\ldots$, find the ${n}$th term and the sum of the first ${n}$ terms."
        a_ = (
            f"The first term is $a_1 = {a1}$ and the common difference is $d = {a1 + d} - {paren(Fraction(a1))} = {d}$.\n\n"
            f"**$n$th term:** $a_n = a_1 + (n - 1)d$, so\n"
            f"$$a_{{{n}}} = {a1} + ({n} - 1)\\cdot{paren(Fraction(d))} = {a1} + {paren(Fraction((n - 1) * d))} = {an}.$$\n\n"
            f"**Sum:** $S_n = \\frac{{n}}{{2}}(a_1 + a_n)$, so\n"
            f"$$S_{{{n}}} = \\frac{{{n}}}{{2}}\\left({a1} + {paren(Fraction(an))}\\right) = \\frac{{{n}}}{{2}}\\cdot{paren(Fraction(a1 + an))} = {sn}.$$\n\n"
            f"(The formula comes from pairing the first and last terms, the second and second-to-last, and so on: each pair sums to $a_1 + a_n$, and there are $\\frac{{n}}{{2}}$ pairs.)"
        )
        out.append(
            {
                "source": "socratic",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 16. gcd and lcm by the Euclidean algorithm.
    for a, b in [(252, 198), (1071, 462), (360, 84), (1001, 143)]:
        steps = []
        x, y = a, b
        while y:
            q, r = divmod(x, y)
            steps.append(f"{x} &= {q} \\cdot {y} + {r}")
            x, y = y, r
        g = x
        L = a * b // g
        oq = f"<p>find gcd({a}, {b}) and lcm({a}, {b}) without factoring</p>"
        oa = f"<p>Euclidean algorithm gives gcd = {g}. Then lcm = {a}*{b}/{g} = {L}.</p>"
        q_ = f"Use the Euclidean algorithm to find $\\gcd({a}, {b})$, and then find $\\operatorname{{lcm}}({a}, {b})$."
        a_ = (
            "The Euclidean algorithm repeatedly replaces the pair $(x, y)$ by $(y, x \\bmod y)$, using $\\gcd(x, y) = \\gcd(y, x \\bmod y)$:\n"
            "\\begin{align}\n" + " \\\\\n".join(steps) + "\n\\end{align}\n"
            f"The last non-zero remainder is ${g}$, so $\\gcd({a}, {b}) = {g}$.\n\n"
            f"Since $\\gcd(a, b)\\cdot\\operatorname{{lcm}}(a, b) = ab$,\n"
            f"$$\\operatorname{{lcm}}({a}, {b}) = \\frac{{{a} \\times {b}}}{{{g}}} = \\frac{{{a * b}}}{{{g}}} = {L}.$$"
        )
        out.append(
            {
                "source": "mathstackexchange",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 17. Hardy-Weinberg equilibrium.
    for pct, trait, who in [
        (Fraction(16, 100), "white fur (a recessive trait)", "mice"),
        (
            Fraction(9, 100),
            "attached earlobes (treated here as a simple recessive trait)",
            "people",
        ),
        (Fraction(1, 2500), "cystic fibrosis (an autosomal recessive disease)", "newborns"),
    ]:
        q2 = float(pct)
        q = q2**0.5
        p_ = 1 - q
        het = 2 * p_ * q
        oq = f"If {frac_txt(pct) if pct.numerator == 1 else f'{float(pct) * 100:g}%'} of {who} have {trait}, what fraction are carriers? (hardy weinberg)"
        oa = f"#2pq ~~ {het:.4g}#\n\nExplanation:\n\n#q^2 = {q2:g}#, #q = {q:g}#, #p = 1 - q = {p_:g}#"
        q_ = (
            f"In a population of {who} at Hardy–Weinberg equilibrium, a proportion ${frac_tex(pct)}$ ({float(pct) * 100:g}%) have {trait}. "
            f"Find the allele frequencies and the proportions of homozygous dominant and heterozygous (carrier) individuals."
        )
        a_ = (
            f"Under Hardy–Weinberg equilibrium, with allele frequencies $p$ (dominant) and $q$ (recessive), $p + q = 1$ and the genotype frequencies are\n"
            f"$$p^2 + 2pq + q^2 = 1.$$\n\n"
            f"Only homozygous recessive individuals show the trait, so $q^2 = {q2:g}$ and\n"
            f"$$q = \\sqrt{{{q2:g}}} = {q:g}, \\qquad p = 1 - q = {p_:g}.$$\n\n"
            f"- Homozygous dominant: $p^2 = {p_:g}^2 = {p_ * p_:.4g}$\n"
            f"- Heterozygous carriers: $2pq = 2({p_:g})({q:g}) = {het:.4g}$\n"
            f"- Homozygous recessive: $q^2 = {q2:g}$\n\n"
            f"Check: ${p_ * p_:.4g} + {het:.4g} + {q2:g} = 1$. ✓"
        )
        if pct.numerator == 1:
            a_ += (
                f"\n\nSo although only 1 in {pct.denominator} {who} is affected, about **1 in {1 / het:.0f}** is a carrier: "
                "for rare recessive conditions, almost all copies of the allele are hidden in heterozygotes."
            )
        out.append(
            {
                "source": "socratic",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 18. Normal distribution and z-scores.
    from math import erf, sqrt

    for mu, sigma, x, what, tail in [
        (70, 10, 85, "exam scores", "below"),
        (100, 15, 130, "IQ scores", "above"),
        (500, 100, 450, "test scores", "below"),
    ]:
        z = (x - mu) / sigma
        phi = 0.5 * (1 + erf(z / sqrt(2)))
        prob = phi if tail == "below" else 1 - phi
        oq = f"<p>{what} are normal with mean {mu} and sd {sigma}. what percent of people score {tail} {x}?</p>"
        oa = (
            f"<p>z = ({x}-{mu})/{sigma} = {z:g}. From the table $\\Phi({z:g}) = {phi:.4f}$"
            + ("" if tail == "below" else f", so 1 - {phi:.4f} = {prob:.4f}")
            + ".</p>"
        )
        q_ = f"Suppose {what} are normally distributed with mean $\\mu = {mu}$ and standard deviation $\\sigma = {sigma}$. What proportion of individuals score {tail} ${x}$?"
        a_ = (
            f"**Standardise.** The $z$-score measures how many standard deviations ${x}$ lies from the mean:\n"
            f"$$z = \\frac{{x - \\mu}}{{\\sigma}} = \\frac{{{x} - {mu}}}{{{sigma}}} = {z:g}.$$\n\n"
            f"**Use the standard normal CDF** $\\Phi(z) = P(Z \\le z)$:\n"
            f"$$\\Phi({z:g}) \\approx {phi:.4f}.$$\n\n"
            + (
                f"So $P(X < {x}) = \\Phi({z:g}) \\approx {prob:.4f}$, i.e. about **{prob * 100:.1f}%** score below ${x}$."
                if tail == "below"
                else f"We want the upper tail: $P(X > {x}) = 1 - \\Phi({z:g}) \\approx 1 - {phi:.4f} = {prob:.4f}$, i.e. about **{prob * 100:.2f}%** score above ${x}$."
            )
        )
        if abs(z) in (1.0, 2.0):
            a_ += "\n\nThis matches the empirical (68–95–99.7) rule: about 95% of values lie within 2 standard deviations of the mean, leaving roughly 2.5% in each tail."
        out.append(
            {
                "source": "mathstackexchange" if tail == "below" else "socratic",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )

    # 19. Projectile motion on level ground.
    from math import radians, sin

    for v0, deg in [(20, 30), (15, 45), (30, 60)]:
        g = 9.8
        th = radians(deg)
        T = 2 * v0 * sin(th) / g
        H = (v0 * sin(th)) ** 2 / (2 * g)
        Rg = v0**2 * sin(2 * th) / g
        oq = f"<p>A ball is kicked at {v0} m/s at {deg} degrees above the horizontal. How far does it go and how high does it get? (ignore air resistance)</p>"
        oa = f"<p>Range $R = v^2 \\sin 2\\theta / g \\approx {Rg:.1f}$ m, max height $v^2\\sin^2\\theta/2g \\approx {H:.2f}$ m.</p>"
        q_ = (
            f"A projectile is launched from level ground with speed ${v0}\\ \\text{{m/s}}$ at ${deg}^\\circ$ above the horizontal. "
            f"Ignoring air resistance and taking $g = 9.8\\ \\text{{m/s}}^2$, find the time of flight, the maximum height and the horizontal range."
        )
        a_ = (
            f"Split the initial velocity into components:\n"
            f"$$v_x = {v0}\\cos {deg}^\\circ \\approx {v0 * (1 - 2 * sin(th / 2) ** 2):.2f}\\ \\text{{m/s}}, \\qquad v_y = {v0}\\sin {deg}^\\circ \\approx {v0 * sin(th):.2f}\\ \\text{{m/s}}.$$\n"
            f"Horizontally there is no acceleration; vertically the acceleration is $-g$.\n\n"
            f"**Time of flight.** The projectile lands when $y = v_y t - \\tfrac{{1}}{{2}}gt^2 = 0$, i.e.\n"
            f"$$T = \\frac{{2v_y}}{{g}} = \\frac{{2 \\times {v0 * sin(th):.2f}}}{{9.8}} \\approx {T:.2f}\\ \\text{{s}}.$$\n\n"
            f"**Maximum height.** At the top $v_y = 0$, so $v_y^2 = 2gH$:\n"
            f"$$H = \\frac{{v_y^2}}{{2g}} = \\frac{{({v0 * sin(th):.2f})^2}}{{19.6}} \\approx {H:.2f}\\ \\text{{m}}.$$\n\n"
            f"**Range.**\n"
            f"$$R = v_x T = \\frac{{v_0^2 \\sin 2\\theta}}{{g}} = \\frac{{{v0**2}\\sin {2 * deg}^\\circ}}{{9.8}} \\approx {Rg:.2f}\\ \\text{{m}}.$$"
        )
        if deg == 45:
            a_ += "\n\nFor a given launch speed on level ground, $45^\\circ$ gives the maximum range, because $\\sin 2\\theta$ is largest when $2\\theta = 90^\\circ$."
        elif deg == 60:
            a_ += "\n\nNote that a $30^\\circ$ launch at the same speed would give exactly the same range, since $\\sin 60^\\circ = \\sin 120^\\circ$; complementary angles give equal ranges."
        out.append(
            {
                "source": "stackexchange" if v0 != 20 else "socratic",
                "orig_question": oq,
                "orig_answer": oa,
                "question": q_,
                "answer": a_,
            }
        )
    return out


# ---------------------------------------------------------------------------------------------
# WebInstructSub, record assembly and defects
# ---------------------------------------------------------------------------------------------

MAMMOTH_NULL_ANSWER = W(
    "mathstackexchange",
    r"""
<p>Is there a simple proof that there are infinitely many primes? My book uses some complicated zeta function stuff.</p>
""",
    r"""
<p>Euclid: if $p_1,\dots,p_n$ were all the primes, then $p_1 p_2\cdots p_n + 1$ has a prime factor not in the list.</p>
""",
    r"""
Prove that there are infinitely many prime numbers.
""",
    "",
)

MAMMOTH_EMPTY_ANSWER = W(
    "socratic",
    r"""
How do you differentiate #sin(x^2)#?
""",
    r"""
#2xcos(x^2)#

Explanation:

chain rule
""",
    r"""
Find the derivative of $f(x) = \sin(x^2)$.
""",
    "",
)


def mammoth_record(it: dict, answer: str | None = None, use_answer: bool = False) -> dict:
    return {
        "orig_question": it["orig_question"],
        "orig_answer": it["orig_answer"],
        "question": it["question"],
        "answer": answer if use_answer else it["answer"],
        "source": it["source"],
        "index": 0,  # assigned after all insertions, so it increases down the file
    }


def build_mammoth(rng: random.Random) -> list[dict]:
    items = WEBINSTRUCT + gen_webinstruct() + gen_webinstruct_more()
    items.sort(key=lambda it: it["question"])
    rng.shuffle(items)
    records = [mammoth_record(it) for it in items]

    # Duplicate of an earlier record (same content, later position, its own index).
    orig = records[rng.randrange(5, 30)]
    records.insert(records.index(orig) + 40 + rng.randrange(30), dict(orig))

    # answer: null, and answer: "".
    records.insert(
        rng.randrange(10, len(records) - 10),
        mammoth_record(MAMMOTH_NULL_ANSWER, None, use_answer=True),
    )
    records.insert(
        rng.randrange(10, len(records) - 10),
        mammoth_record(MAMMOTH_EMPTY_ANSWER, "", use_answer=True),
    )

    # Increasing but non-contiguous indices, as in a filtered dump.
    idx = 1_000_012
    for r in records:
        r["index"] = idx
        idx += 1 + rng.randrange(37)
    return records


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def write_jsonl(path: str, records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def main() -> None:
    rng = random.Random(0)
    magpie = build_magpie(rng)
    openhermes = build_openhermes(rng)
    mammoth = build_mammoth(rng)

    write_jsonl(os.path.join(HERE, "magpie.jsonl"), magpie)
    with open(os.path.join(HERE, "openhermes.json"), "w", encoding="utf-8", newline="\n") as fh:
        json.dump(openhermes, fh, indent=4, ensure_ascii=False)
        fh.write("\n")
    write_jsonl(os.path.join(HERE, "mammoth2.jsonl"), mammoth)

    print(f"magpie.jsonl     {len(magpie):4d} records")
    print(f"openhermes.json  {len(openhermes):4d} records")
    print(f"mammoth2.jsonl   {len(mammoth):4d} records")


if __name__ == "__main__":
    main()
