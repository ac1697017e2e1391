"""Run every benchmark and write its JSON under bench/results/ (with date and core count).

Each benchmark is a module in bench/ with ``main(argv) -> dict``; databases are fresh per run.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/symfonie_bench")

BENCHMARKS = {
    # name: (module, database URLs); the module prints one JSON line per database
    "timeline": ("bench_timeline", ["sqlite", PG_URL]),
    "inbound": (
        "bench_inbound",
        ["sqlite", PG_URL.replace("symfonie_bench", "symfonie_bench_inbound")],
    ),
    "kpi": ("bench_kpi", ["sqlite", PG_URL.replace("symfonie_bench", "symfonie_bench_kpi")]),
}
# scripts that write their own bench/results/<name>.json (comparisons against a peer library)
SELF_WRITING = [
    "bench_wfm_staffing",
    "bench_simulation",
    "bench_wfm_schedule",
    "bench_routing",
    "bench_routing_e2e",
]


def machine() -> dict[str, object]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def run_one(module: str, database: str | None) -> dict[str, object]:
    command = [sys.executable, str(HERE / f"{module}.py")]
    if database:
        command += ["--database", database]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    RESULTS.mkdir(exist_ok=True)
    only = set(sys.argv[1:])
    for name, (module, databases) in BENCHMARKS.items():
        if only and name not in only:
            continue
        runs = [run_one(module, db) for db in databases]
        document = {"benchmark": name, "machine": machine(), "runs": runs}
        path = RESULTS / f"{name}.json"
        path.write_text(json.dumps(document, indent=2) + "\n")
        print(f"{name}: wrote {path.relative_to(HERE.parent)}")
        for run in runs:
            print("  " + json.dumps(run))
    for module in SELF_WRITING:
        if only and module.removeprefix("bench_") not in only:
            continue
        subprocess.run([sys.executable, str(HERE / f"{module}.py")], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
