"""How fast and how heavy reading a CSV is, on the files issue 9 named and on an ordinary one.

Cases (each written to a temporary folder):
- ``blank_lines``: a header, one row, then 50 MB of blank lines (a valid file: trailing blank
  lines are allowed);
- ``single_line``: 50 MB on one line (refused: far too many columns, or a line too long);
- ``numeric``: 200,000 rows of 5 numbers and a class label (about 12 MB).

Each case runs in a fresh Python process so that its peak memory is its own. Inside that process
the file is parsed with ``load_csv``, then split into fields by Python's ``csv`` module alone
(the baseline, timed after the parse so that it cannot raise the parse's peak memory). Prints
one JSON line per case: seconds (median of the rounds), the ratio to the baseline (stable on a
busy machine, where the seconds are not), the peak memory of the parse above what the process
used after its imports, and how the parse ended. Run it in an older checkout to compare.

    python bench/csv_bench.py [--rounds 3] [--mb 50]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]

CHILD = r"""
import csv, json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from model.data.csvdata import CSVError, load_csv
path = sys.argv[2]


def baseline():
    # what Python's own csv module takes just to split the file into fields
    try:
        with open(path, newline="", encoding="utf-8") as f:
            for _ in csv.reader(f):
                pass
    except csv.Error:
        pass


base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
try:
    d = load_csv(path, train_ratio=1.0)
    outcome = f"loaded {len(d.X_train)} rows"
except CSVError as e:
    outcome = "refused: " + str(e)[:100]
parse_s = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
baseline()
base_s = time.perf_counter() - t0
print(json.dumps({"baseline_s": base_s, "parse_s": parse_s,
                  "extra_peak_mb": (peak - base) / 1024, "outcome": outcome}))
"""

def write_cases(folder: pathlib.Path, mb: int) -> dict[str, pathlib.Path]:
    size = mb * 2 ** 20
    paths = {}
    p = paths["blank_lines"] = folder / "blank_lines.csv"
    with open(p, "wb") as f:
        f.write(b"x1,x2,label\n1,2,a\n")
        f.write(b"\n" * size)
    p = paths["single_line"] = folder / "single_line.csv"
    with open(p, "wb") as f:
        f.write(b"1," * (size // 2))
    p = paths["numeric"] = folder / "numeric.csv"
    with open(p, "w") as f:
        f.write("a,b,c,d,e,label\n")
        for i in range(200_000):
            f.write(f"{i * 0.5},{i % 7},{-i * 1e-3},{i % 13 * 2.5},{i},{'pq'[i % 2]}\n")
    return paths


def run_case(path: pathlib.Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mb", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for case, path in write_cases(pathlib.Path(tmp), args.mb).items():
            runs = [run_case(path) for _ in range(args.rounds)]
            parse = statistics.median(r["parse_s"] for r in runs)
            base = statistics.median(r["baseline_s"] for r in runs)
            print(json.dumps({
                "case": case, "file_mb": round(path.stat().st_size / 2 ** 20, 1),
                "parse_s": round(parse, 3), "csv_module_s": round(base, 3),
                "ratio_to_csv_module": round(parse / max(base, 1e-9), 2),
                "extra_peak_mb": round(statistics.median(r["extra_peak_mb"] for r in runs), 1),
                "outcome": runs[-1]["outcome"]}), flush=True)


if __name__ == "__main__":
    main()
