"""Demo data, one module per process: each defines ``ORDER`` (int) and ``run(ctx)``; re-running adds nothing."""
