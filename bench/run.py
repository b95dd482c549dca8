"""`make bench`: run every benchmark (or those named: `make bench BENCH="review stats"`, `make bench BENCH=http`).

Each benchmark measures through the real apps in-process, quotes a baseline measured in the same
run (this machine is shared and noisy) and writes bench/results/<name>.json and .md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS = {"review": "review_bench.py", "stats": "stats_bench.py", "http": "http_bench.py"}


def main() -> int:
    wanted = os.environ.get("BENCH", "").split() or list(BENCHMARKS)
    failed = []
    for name in wanted:
        script = HERE / BENCHMARKS[name]
        if not script.exists():
            print(f"[bench] {name}: {script.name} missing", file=sys.stderr)
            failed.append(name)
            continue
        started = time.monotonic()
        print(f"[bench] {name} …", flush=True)
        # Bounded: the HTTP load benchmark takes ~8 minutes on an idle 2-core machine, twice that when shared.
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, timeout=1800 if name == "http" else 900)
        print(f"[bench] {name} finished in {time.monotonic() - started:.1f} s (exit {result.returncode})")
        if result.returncode != 0:
            failed.append(name)
    for md in sorted((HERE / "results").glob("*.md")):
        print(f"\n===== {md.name} =====\n{md.read_text(encoding='utf-8')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
