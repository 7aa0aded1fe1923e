"""Interleaved timing for the benchmarks: every variant is timed once per round, rounds alternate the order,
and the median rate is reported, so a load that comes and goes on a shared machine hits every variant alike.

A variant is `Variant(name, run, granularity)`: `run(count)` performs `count` units of work (training steps)
and `count` is always a multiple of `granularity` (e.g. `steps_per_execution`). `run` may return the seconds
(a float) the units themselves took (e.g. measured by a callback inside `fit`); otherwise the whole call is timed.
"""

import collections
import os
import platform
import statistics
import subprocess
import time

Variant = collections.namedtuple("Variant", ["name", "run", "granularity"])


def calibrate(variant, block_seconds):
    """Warm `variant` up (tracing, XLA compilation), then the count of units that lasts about `block_seconds`."""
    variant.run(variant.granularity)  # compile / first-call costs
    start = time.perf_counter()
    variant.run(variant.granularity)
    seconds_per_unit = (time.perf_counter() - start) / variant.granularity
    blocks = max(1, round(block_seconds / seconds_per_unit / variant.granularity))
    return blocks * variant.granularity


def interleaved(variants, rounds, block_seconds, log=print):
    """{name: [rate per round]} in units per second; round r runs the variants rotated by r."""
    if not isinstance(rounds, int) or rounds < 1:
        raise ValueError(f"rounds must be a positive integer, got {rounds!r}.")
    counts = {}
    for variant in variants:
        counts[variant.name] = calibrate(variant, block_seconds)
        log(f"  warmed up {variant.name!r}: {counts[variant.name]} units per timed block")
    rates = {variant.name: [] for variant in variants}
    for round_index in range(rounds):
        shift = round_index % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            start = time.perf_counter()
            seconds = variant.run(counts[variant.name])
            seconds = seconds if isinstance(seconds, float) else time.perf_counter() - start
            rates[variant.name].append(counts[variant.name] / seconds)
        log(f"  round {round_index + 1}/{rounds} done, load {load_text()}")
    return rates


def medians(rates):
    return {name: statistics.median(values) for name, values in rates.items()}


def spread(values):
    """(min, max) over rounds, to show how much the load moved the figures."""
    return min(values), max(values)


def load_text():
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine_text():
    """CPU model, usable cores and the 1/5/15-minute load averages, for the README."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{model}, {cores} cores usable; load average {load_text()}; {time.strftime('%Y-%m-%d %H:%M %Z')}"


def print_table(rates, baselines, unit, log=print):
    """One row per variant: median rate, min-max over rounds and the ratio of medians to each baseline.

    `baselines` maps a column label to the name of a variant, or to a list of names: the fastest of them.
    """
    middle = medians(rates)
    references = {label: max(middle[name] for name in ([names] if isinstance(names, str) else names))
                  for label, names in baselines.items()}
    header = f"{'variant':30s} {unit + ' (median)':>18s} {'min-max':>15s}"
    header += "".join(f" {'x ' + label:>20s}" for label in references)
    log(header)
    for name, values in rates.items():
        low, high = spread(values)
        row = f"{name:30s} {middle[name]:18.1f} {f'{low:.1f}-{high:.1f}':>15s}"
        row += "".join(f" {middle[name] / reference:20.2f}" for reference in references.values())
        log(row)
    return middle


def run_toys(toys, variants_of, baselines_of, heading_of, rounds, block_seconds):
    """For each toy: time `variants_of(toy)` in interleaved rounds, print the table against the baselines
    `baselines_of(rates)` (see `print_table`); returns {toy: table}."""
    print(f"machine: {machine_text()}")
    results = {}
    for toy in toys:
        print(f"\n{toy}: {heading_of(toy)}")
        rates = interleaved(variants_of(toy), rounds, block_seconds)
        results[toy] = print_table(rates, baselines_of(rates), "steps/s")
    print(f"\nload average at the end: {load_text()}")
    return results
