"""The benchmark runs end to end at small scale and reports what the README quotes (issue 5).

Timings are not asserted here (the machine is shared; ``scripts/bench.py --scale large --check`` is the
performance gate). What must hold on any machine: the run succeeds, every page renders without an error,
its last line is the JSON report with the required keys, and concurrent writes lose nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.bench import REQUIRED_KEYS  # noqa: E402


@pytest.mark.slow
def test_bench_small_runs_and_reports_json():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATA_DIR")}
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--scale", "small", "--reruns", "20"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    missing = [k for k in REQUIRED_KEYS if k not in report]
    assert not missing, f"report lacks {missing}"
    assert report["write_errors"] == 0, report["writes"]
    assert report["lost_writes"] == 0, report["writes"]
    assert report["writes"]["found"] == report["writes"]["writes"] == 1600
    assert report["pages"], "no page was measured"
    broken = {name: p["errors"] for name, p in report["pages"].items() if p["errors"]}
    assert not broken, broken
    assert all(p["p50_ms"] > 0 and p["p95_ms"] >= p["p50_ms"] for p in report["pages"].values())
    assert report["floor_ms"] > 0 and report["peak_rss_mb"] > 0
