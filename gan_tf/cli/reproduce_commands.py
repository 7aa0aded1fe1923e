"""`gan-tf list` and `gan-tf reproduce`: the reproduction scripts of a source checkout.

  gan-tf list                       one line per script: name, source text, figures, runtime (from its docstring)
  gan-tf reproduce NAME [ARGS...]   run one script in this process (ARGS go to it, e.g. --smoke --out-dir DIR)
  gan-tf reproduce --all [--smoke]  run every script, each in its own process (one failing is reported, not
                                    fatal), each output line labelled [name]; then write the report
                                    outputs/report/index.html and README.md (smoke: outputs/report/smoke/)

Neither `list` nor `--all` imports TensorFlow in this process.
"""

import argparse
import pathlib
import runpy
import subprocess
import sys
import time

from gan_tf.reproduction import catalogue  # no matplotlib, no TensorFlow: `gan-tf` starts fast

REPRODUCTIONS = pathlib.Path(__file__).resolve().parents[2] / "reproductions"
# Flags a script needs under --all: the write-up's DCGAN on flowers (its smoke run uses mock data; a full run
# needs flower_photos.tgz, see the script's docstring, and is reported as failed without it).
ALL_ARGUMENTS = {"dcgan_writeup_celeba_flowers": ["--dataset", "flowers"]}


def reproduction_scripts():
    """name -> path of every runnable script in `reproductions/` (empty outside a source checkout)."""
    if not REPRODUCTIONS.is_dir():
        return {}
    return {path.stem: path for path in sorted(REPRODUCTIONS.glob("*.py")) if not path.stem.startswith("_")}


def list_command(arguments):
    del arguments
    for path in reproduction_scripts().values():
        print(catalogue.listing_line(catalogue.describe(path)))


def reproduce_command(arguments):
    scripts = reproduction_scripts()
    if arguments.all:
        if arguments.name is not None:
            raise ValueError(f"reproduce --all runs every script: give no NAME (got {arguments.name!r}).")
        run_all(scripts, arguments.smoke)
        return
    if arguments.name is None:
        raise ValueError("reproduce needs a script NAME (see gan-tf list) or --all.")
    if arguments.name not in scripts:
        raise FileNotFoundError(
            f"No reproduction named {arguments.name!r} in {REPRODUCTIONS}: expected one of {sorted(scripts)} "
            "(reproductions ship with the source checkout, not with an installed wheel)."
        )
    script_arguments = (["--smoke"] if arguments.smoke else []) + arguments.script_arguments
    sys.argv = [str(scripts[arguments.name]), *script_arguments]
    runpy.run_path(str(scripts[arguments.name]), run_name="__main__")


def run_all(scripts, smoke, outputs=pathlib.Path("outputs")):
    """Run every script of `scripts` (name -> path) in turn, record runs.json, write the report; returns the
    report folder. A script that fails is recorded with its exit status and the next one runs."""
    from gan_tf.reproduction import report, script  # noqa: PLC0415  (matplotlib: only for --all)
    if not scripts:
        raise FileNotFoundError(f"No reproduction scripts in {REPRODUCTIONS} (they ship with the source checkout).")
    folder = report.report_directory(outputs, smoke)
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    runs = {}
    for index, (name, path) in enumerate(scripts.items(), start=1):
        command = [sys.executable, str(path), *(["--smoke"] if smoke else []), *ALL_ARGUMENTS.get(name, [])]
        print(f"[{index}/{len(scripts)} {name}] {' '.join(command[1:])}", flush=True)
        runs[name] = run_one(name, command, folder / "logs" / f"{name}.log")
        runs[name]["log"] = f"logs/{name}.log"
        status = "ok" if runs[name]["returncode"] == 0 else f"FAILED (exit status {runs[name]['returncode']})"
        print(f"[{index}/{len(scripts)} {name}] {status} in {runs[name]['seconds']:.0f} s", flush=True)
        script.write_json(folder / report.RUNS_FILE, runs)
        report.write(list(scripts.values()), outputs, smoke)
    failed = [name for name, run in runs.items() if run["returncode"] != 0]
    print(f"report: {folder / 'index.html'} and {folder / 'README.md'}"
          + (f"; failed: {', '.join(failed)}" if failed else "; every script ran"))
    return folder


def run_one(name, command, log_path):
    """Run `command`, each output line printed as "[name] line" and kept in `log_path`; {"command",
    "returncode", "seconds" (wall), "cpu_seconds" (user + system of the process and its children)}."""
    start, cpu_start = time.monotonic(), children_cpu_seconds()
    with open(log_path, "w", encoding="utf-8") as log, subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1) as process:
        for line in process.stdout:
            log.write(line)
            print(f"[{name}] {line.rstrip()}", flush=True)
    return {"command": " ".join(command[1:]), "returncode": process.returncode,
            "seconds": round(time.monotonic() - start, 1),
            "cpu_seconds": round(children_cpu_seconds() - cpu_start, 1)}


def children_cpu_seconds():
    """User + system CPU seconds of this process's finished children (0 where `resource` is missing: Windows)."""
    try:
        import resource  # noqa: PLC0415  (POSIX only)
    except ImportError:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def add_commands(commands):
    commands.add_parser("list", help="list the reproduction scripts").set_defaults(run=list_command)
    reproduce = commands.add_parser("reproduce", help="run a reproduction script, or all of them (--all)")
    reproduce.add_argument("--all", action="store_true", help="run every script, then write outputs/report/")
    reproduce.add_argument("--smoke", action="store_true", help="a few steps per script (outputs/<script>/smoke/)")
    reproduce.add_argument("name", nargs="?")
    reproduce.add_argument("script_arguments", nargs=argparse.REMAINDER)
    reproduce.set_defaults(run=reproduce_command)
