#!/usr/bin/env python3
"""Summarises bench/run.sh's runs: one row per estate and tool, medians of the runs.

    report.py RESULTS_JSONL FORMATS [JSON_OUT] [RESULTS_MD]

Prints the table; JSON_OUT (if not empty) gets the figures as JSON, RESULTS_MD (if not empty)
is replaced by a Markdown page with the machine, the date and the table.
"""
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

TOOLS = ["floor", "parse", "govmomi", "pyvmomi", "single", "vcaudit", "single-cj", "csv+json", "offline", "audit-snap", "diff"]
PHASES = ["collect", "read", "audit", "csv", "json", "xlsx", "html", "rvtools", "rvtools_csv", "sync"]


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(open("/proc/meminfo").readline().split()[1])
        mem = f", {kb / 1048576:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.release()}"


def main():
    path, formats = sys.argv[1], sys.argv[2]
    json_out = sys.argv[3] if len(sys.argv) > 3 else ""
    md_out = sys.argv[4] if len(sys.argv) > 4 else ""
    runs = [json.loads(l) for l in open(path) if l.strip()]
    estates = list(dict.fromkeys(r["estate"] for r in runs))
    rows = []
    for estate in estates:
        mine = [r for r in runs if r["estate"] == estate]
        floor = [r["wall"] for r in mine if r["tool"] == "floor"]
        floor_wall = statistics.median(floor) if floor else None
        for tool in TOOLS:
            rs = [r for r in mine if r["tool"] == tool]
            if not rs:
                continue
            vms = rs[0]["vms"]
            wall = statistics.median(r["wall"] for r in rs)
            cpu = statistics.median(r["cpu"] for r in rs)
            rss = statistics.median(r["rss_mib"] for r in rs)
            phases = {}
            for p in PHASES:
                vals = [r["phases"][p] for r in rs if p in r["phases"]]
                if vals:
                    phases[p] = statistics.median(vals)
            rows.append({
                "estate": estate, "vms": vms, "tool": tool, "runs": len(rs),
                "wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "peak_rss_mib": round(rss, 1),
                "x_floor": round(wall / floor_wall, 2) if floor_wall and tool not in ("parse", "offline", "audit-snap", "diff") else None,
                "cpu_us_per_vm": round(cpu * 1e6 / vms, 1),
                "rss_kib_per_vm": round(rss * 1024 / vms, 2),
                "phase_share": {p: round(v / wall, 3) for p, v in phases.items()},
                "phase_s": {p: round(v, 3) for p, v in phases.items()},
            })
    head = f"{'estate':<16} {'tool':<8} {'runs':>4} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'x floor':>8} {'cpu us/VM':>10}  phases (share of wall)"
    lines = [head]
    for r in rows:
        xf = f"{r['x_floor']:.2f}" if r["x_floor"] is not None else "-"
        ph = " ".join(f"{p} {s * 100:.0f}%" for p, s in r["phase_share"].items())
        lines.append(f"{r['estate']:<16} {r['tool']:<8} {r['runs']:>4} {r['wall_s']:>8.2f} {r['cpu_s']:>8.2f} "
                     f"{r['peak_rss_mib']:>9.1f} {xf:>8} {r['cpu_us_per_vm']:>10.1f}  {ph}")
    table = "\n".join(lines)
    print("\n" + table)
    print("\nfloor = vcaudit's SOAP requests replayed by curl, answers discarded; single = vcaudit on one"
          "\nof the multi estate's vCenters; offline = audit of a snapshot of the estate (no network).")
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    doc = {"date": when, "machine": machine(), "formats": formats, "rows": rows}
    if json_out:
        with open(json_out, "w") as f:
            json.dump(doc, f, indent=2)
    if md_out:
        md = [
            "# Benchmark results",
            "",
            f"Measured by `bench/run.sh` on {when}, {machine()}, shared with other work (every",
            "process at `nice`). Medians of the runs; every tool measured round by round on the same",
            f"estate. vcaudit writes the formats `{formats}`.",
            "",
            "| estate | tool | runs | wall s | CPU s | peak RSS MiB | x floor | CPU us/VM | phases (share of wall) |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in rows:
            xf = f"{r['x_floor']:.2f}" if r["x_floor"] is not None else ""
            ph = ", ".join(f"{p} {s * 100:.0f}%" for p, s in r["phase_share"].items())
            md.append(f"| {r['estate']} | {r['tool']} | {r['runs']} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | "
                      f"{r['peak_rss_mib']:.1f} | {xf} | {r['cpu_us_per_vm']:.1f} | {ph} |")
        md += [
            "",
            "- floor: vcaudit's own SOAP requests (recorded by the server) replayed by curl, answers",
            "  discarded: what the server and the wire cost. govmomi, pyvmomi: the baselines",
            "  (bench/govmomi-baseline, bench/pyvmomi_baseline.py), VM retrieval into a CSV only.",
            "- parse: the same answers, kept, tokenized by quick-xml from memory (examples/xml_floor.rs):",
            "  the least CPU any XML client spends on them beyond receiving them (floor's CPU).",
            "- vcaudit: collect every object type and events, audit, write every report; csv+json: the",
            "  same writing CSV and JSON only (what the issue's time and CPU targets measure).",
            "- single: vcaudit on one of the multi estate's vCenters; offline: `audit --snapshot` of",
            "  a snapshot of the estate (read, rules, reports).",
            "- Reports are written to tmpfs (/dev/shm): `sync` is the fsync of every report before",
            "  it is renamed into place, which on a disk shared with other work can take seconds.",
            "- vcsim answers a retrieval in one response and costs more CPU than the client (its CPU",
            "  is on the same 2 cores); paged is bench/paged-server, which pages like vCenter.",
        ]
        extra = os.environ.get("BENCH_NOTES_FILE")
        if extra and os.path.exists(extra):
            md += ["", open(extra).read().rstrip()]
        with open(md_out, "w") as f:
            f.write("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
