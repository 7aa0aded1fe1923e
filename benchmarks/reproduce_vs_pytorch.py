"""`make reproduce` (reproductions/strakhov2018_normal.py) against PyTorch eager running the same training steps alone.

Command:  python benchmarks/reproduce_vs_pytorch.py [--rounds 2] [--threads 1]
          (or: make benchmark-reproduce, which also installs the CPU build of torch into .venv)
Measures: in alternating rounds (the order flips every round, so a passing load hits both alike), the wall time of
            make reproduce   the whole script in a fresh process, as a user runs it: TensorFlow's import, five
                             traced training steps (TensorFlow's graph; XLA's compilations cost more than they saved
                             here), the 10,000 training steps (4 discriminators and Fig 7's run, 2,000 each), 1,000
                             probes written to TensorBoard, the figures and the GIF
            PyTorch eager    the same number of steps of the blog's 1-D GAN in PyTorch (benchmarks/torch_reference.py,
                             `toy_step`: one D and one G update, batch 32), nothing else: no probe, figure or import
          and the ratio of the medians, the target being <= 1.5. The script's own CPU time (user + system, of the
          child process) is printed too: unlike wall time, a shared machine hardly moves it.
Expected: (2 AMD EPYC cores, shared: load 6-10) see benchmarks/README.md; PyTorch eager runs 200-560 steps/s when
          the machine is quiet (18-50 s for the 10,000 steps).
Without torch installed the PyTorch side is skipped with a message (the script's time is still printed).
"""

import argparse
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import timing
import torch_reference

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "reproductions" / "strakhov2018_normal.py"
TRAINING_STEPS = 2000 * 5  # strakhov2018_normal.py: STEPS for each of its 4 discriminators and for Fig 7's run


def run_reproduction():
    """(wall seconds, child CPU seconds) of the reproduction in a fresh process, outputs in a temporary folder."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out_dir:
        subprocess.run([sys.executable, str(SCRIPT), "--out-dir", out_dir], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def torch_runner(threads):
    """run(): TRAINING_STEPS steps of the blog's 1-D GAN in PyTorch eager; returns the wall seconds."""
    torch_reference.set_up(0)
    models = torch_reference.blog_1d()
    sample_real = torch_reference.normal_sampler(2.0, 3.0, 32)

    def run():
        torch_reference.torch.set_num_threads(threads)
        start = time.perf_counter()
        for _ in range(TRAINING_STEPS):
            torch_reference.toy_step(*models, sample_real, 1, 32)
        return time.perf_counter() - start

    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (medians are reported)")
    parser.add_argument("--threads", type=int, default=1, help="PyTorch intra-op threads (1 is faster for the toy)")
    arguments = parser.parse_args(argv)
    print(f"machine: {timing.machine_text()}")
    run_torch = torch_runner(arguments.threads) if torch_reference.available() else None
    if run_torch is None:
        print(torch_reference.MISSING_MESSAGE)
    walls, cpus, torch_walls = [], [], []
    for round_index in range(arguments.rounds):
        order = ["script", "torch"] if round_index % 2 == 0 else ["torch", "script"]
        for side in order:
            if side == "script":
                wall, cpu = run_reproduction()
                walls.append(wall)
                cpus.append(cpu)
            elif run_torch is not None:
                torch_walls.append(run_torch())
        print(f"  round {round_index + 1}/{arguments.rounds}: make reproduce {walls[-1]:.1f} s wall "
              f"({cpus[-1]:.1f} s CPU)" + (f", PyTorch eager {torch_walls[-1]:.1f} s" if torch_walls else "")
              + f"; load {timing.load_text()}")
    script_wall = statistics.median(walls)
    print(f"\nmake reproduce: median {script_wall:.1f} s wall, {statistics.median(cpus):.1f} s CPU "
          f"({TRAINING_STEPS:,} training steps, probes, figures, GIF, imports)")
    if torch_walls:
        torch_wall = statistics.median(torch_walls)
        print(f"PyTorch eager, {arguments.threads} thread(s), the {TRAINING_STEPS:,} steps alone: median "
              f"{torch_wall:.1f} s ({TRAINING_STEPS / torch_wall:.0f} steps/s)")
        print(f"ratio make reproduce / PyTorch eager: {script_wall / torch_wall:.2f} (target <= 1.5)")
    print(f"load average at the end: {timing.load_text()}")


if __name__ == "__main__":
    main()
