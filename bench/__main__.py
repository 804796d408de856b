"""``python -m bench [--quick] [--runs N] [--only build,noop,ingest,formatted,plan,scale] [--rows N] [--sizes 83,300,1000]
[--no-sequential] [--doc PATH | --no-doc] [--keep]``"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench import doc, machine
from bench.run import INGEST_ROWS, PARTS, Config, execute, say

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_DOC = PROJECT / "docs" / "benchmarks.md"
DEFAULT_RUNS = 3


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one run of each measurement instead of three")
    parser.add_argument("--runs", type=int, help=f"runs of each measurement (default {DEFAULT_RUNS}, median taken)")
    parser.add_argument("--only", help="comma-separated parts to run: " + ", ".join(PARTS))
    parser.add_argument("--rows", type=int, default=INGEST_ROWS, help="rows of the generated ingest set")
    parser.add_argument("--doc", type=Path, help=f"write the table here (default {DEFAULT_DOC.relative_to(PROJECT)} "
                                                 "for a full run of every part)")
    parser.add_argument("--no-doc", action="store_true", help="do not write the table")
    parser.add_argument("--keep", action="store_true", help="keep the temporary working folder")
    parser.add_argument("--project", type=Path, default=PROJECT, help="checkout to benchmark (default: this one)")
    parser.add_argument("--workdir", type=Path, help="where the temporary working folder goes (default: system temp)")
    parser.add_argument("--sizes", default="83,300,1000", help="KPIs of the generated plans of the scaling series")
    parser.add_argument("--no-sequential", action="store_true",
                        help="skip the naive loop in sequence (the reference; the parallel loop is the peer)")
    args = parser.parse_args(argv)
    parts = tuple(p.strip() for p in (args.only or ",".join(PARTS)).split(",") if p.strip())
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        parser.error(f"--only takes {', '.join(PARTS)}; got {args.only!r}")
    args.parts = parts
    args.sizes = tuple(int(n) for n in args.sizes.split(",") if n.strip())
    args.runs = args.runs or (1 if args.quick else DEFAULT_RUNS)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = Config(project=args.project.resolve(), runs=args.runs, parts=args.parts, rows=args.rows, keep=args.keep,
                 workdir=args.workdir, sizes=args.sizes, sequential=not args.no_sequential)
    info = machine.describe(cfg.project)
    say(f"reportlib benchmark — {info['cores']} cores, {doc.size(info['memory_bytes'])}, Python {info['python']}, "
        f"commit {info['commit'] or '?'}, {cfg.runs} run(s) per measurement")
    results = execute(cfg)
    say("")
    header = ["measurement", "median", "min", "max", "CPU", "runs"]
    for line in doc.markdown_table(header, doc.rows(results, cfg), "lrrrrr"):
        say(line)
    say("")
    if results.scale:
        for line in doc.scale_table(results):
            say(line)
        say("")
    verdicts = doc.verdicts(results)
    for target, ok, measured in verdicts:
        say(f"{'PASS' if ok else 'FAIL'} {target}: {measured}")
    failed_checks = [name for name, ok, _ in results.checks if not ok]
    for name in failed_checks:
        say(f"FAIL check: {name}")
    full = set(cfg.parts) == set(PARTS)
    target = None if args.no_doc else args.doc or (DEFAULT_DOC if full else None)
    if target:
        doc.write(target, doc.render(results, cfg, info))
        say(f"wrote {target}")
    return 1 if failed_checks or not all(ok for _, ok, _ in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
