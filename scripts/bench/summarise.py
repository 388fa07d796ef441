"""Turns the per-round results of scripts/bench.sh into the Markdown table of docs/BENCHMARKS.md.

Each row shows the median over the rounds, then every round's value, so a reader sees the spread
as well as the middle. The ratio is the median of the per-round ratios: each round's API run and
pgbench run were back to back, which cancels the machine's slower drifts.
"""

import csv
import statistics
import sys

SCENARIOS = [
    "list", "search", "detail", "create", "contract-list", "contract-detail",
    "member-list", "member-search", "member-detail",
    "eligibility-id", "eligibility-number", "eligibility-batch", "kpi-performance",
]


def main(path: str, bulk_path: str) -> None:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    print("| scenario | API req/s: median (rounds) | pgbench tps: median (rounds) "
          "| API / pgbench: median (rounds) | p50 | p99 | non-2xx |")
    print("|---|---|---|---|---|---|---|")
    for scenario in SCENARIOS:
        runs = [r for r in rows if r["scenario"] == scenario]
        if not runs:
            continue
        api = [float(r["api"]) for r in runs]
        # Scenarios measured through the API only have no pgbench column.
        db = [float(r["pgbench"]) for r in runs if r["pgbench"]]
        ratios = [100 * a / d for a, d in zip(api, db)]
        db_cell = f"{statistics.median(db):.0f} ({' / '.join(f'{d:.0f}' for d in db)})" if db else "—"
        ratio_cell = f"{statistics.median(ratios):.0f} % ({' / '.join(f'{r:.0f}' for r in ratios)})" if db else "—"
        print(
            f"| {scenario} "
            f"| {statistics.median(api):.0f} ({' / '.join(f'{a:.0f}' for a in api)}) "
            f"| {db_cell} "
            f"| {ratio_cell} "
            f"| {' / '.join(r['p50'] for r in runs)} "
            f"| {' / '.join(r['p99'] for r in runs)} "
            f"| {sum(int(r['non2xx']) for r in runs)} |"
        )


    with open(bulk_path, newline="") as f:
        bulk = list(csv.DictReader(f, delimiter="\t"))
    if bulk:
        on = [float(r["seconds"]) for r in bulk if r["counters"] == "on"]
        off = [float(r["seconds"]) for r in bulk if r["counters"] == "off"]
        ratio = statistics.median(on) / statistics.median(off)
        print()
        print("| bulk insert, one transaction | counters on: median (rounds) | counters off: median (rounds) | on / off |")
        print("|---|---|---|---|")
        print(
            f"| clients | {statistics.median(on):.2f} s ({' / '.join(f'{v:.2f}' for v in on)}) "
            f"| {statistics.median(off):.2f} s ({' / '.join(f'{v:.2f}' for v in off)}) | {ratio:.2f}× |"
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
