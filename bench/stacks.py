"""Read py-spy's collapsed stacks (``--format raw``, as http_bench.py writes them with
HTTP_BENCH_PYSPY) as two tables: the share of samples each function is on the stack for
(inclusive) and at the top of (self). Idle samples (the event loop waiting) are left out.

    python bench/stacks.py bench/results/pyspy-get_by_id-postgresql.txt [--top 40] [--match wenping]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

IDLE = re.compile(r"\b(select|epoll_wait|_run_once) \(")


def frames(stack: str) -> list[str]:
    # "name (path/to/module.py:123)" -> "name (module.py)"; the line number splits one function
    return [re.sub(r"\(([^():]*/)?([^/():]+):\d+\)", r"(\2)", f) for f in stack.split(";")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="")
    parser.add_argument("--under", default="", help="also: what the function named so calls, by share")
    args = parser.parse_args()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    callees: Counter[str] = Counter()
    total = 0
    for line in args.file.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or IDLE.search(stack.rsplit(";", 1)[-1]):
            continue
        n = int(count)
        total += n
        names = frames(stack)
        for name in set(names):
            inclusive[name] += n
        own[names[-1]] += n
        if args.under:
            at = [i for i, name in enumerate(names) if name.startswith(args.under + " (")]
            if at:
                callees[names[at[-1] + 1] if at[-1] + 1 < len(names) else "(self)"] += n
    print(f"{total} busy samples\n\ninclusive:")
    for name, n in inclusive.most_common():
        if args.match in name:
            print(f"{100 * n / total:6.1f}%  {name}")
            args.top -= 1
            if args.top <= 0:
                break
    if args.under:
        print(f"\nunder {args.under}:")
        for name, n in callees.most_common(25):
            print(f"{100 * n / total:6.1f}%  {name}")
    print("\nself:")
    for name, n in own.most_common(30):
        print(f"{100 * n / total:6.1f}%  {name}")


if __name__ == "__main__":
    main()
