"""What every reproduction script shares: its command line, its output folder, its JSON files, its table, its
figure files.

    arguments, out_dir = script.start(__file__, __doc__, argv, seed=0, seeds=3)  # flags; out_dir created
    for seed in script.run_seeds(arguments): ...             # seed, seed + 1, ... (one with --smoke)
    script.save_figure(figure, out_dir / "modes.png", title="...")
    metrics["claims"] = [script.claim("modes of consensus", modes, expected=8, tolerance=0)]
    script.write_json(out_dir / "metrics.json", metrics)
    script.print_table(rows, ["method", "seed", ("final_modes", "modes")])
    script.print_claims(metrics["claims"])

A script adds its own flags through `add_arguments(parser)`, called before parsing. With `--smoke` the default
folder is `outputs/<script>/smoke/` (a smoke run never overwrites a full one), every pyplot figure carries a
"SMOKE RUN" mark and every printed table is headed by it.

A claim is one number the script's docstring promises, in the form the report (`gan_tf.reproduction.report`)
reads from metrics.json: {"name", "measured", "expected", "tolerance", "low", "high", "passed"}, passed when
low <= measured <= high (expected +- tolerance). A smoke run checks the same claims on a few steps: expect
them to fail.
"""

import argparse
import json
import math
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

OUTPUTS = pathlib.Path("outputs")
SMOKE_FOLDER = "smoke"
SMOKE_MARK = "SMOKE RUN (a few steps: not the expected numbers)"
_SMOKE_HOOK = "gan_tf.reproduction.script:mark_smoke_figure"
_state = {"smoke": False}  # the current run's --smoke, for the table headings


def default_output_directory(script_stem, smoke=False):
    """outputs/<script stem>/ (outputs/<script stem>/smoke/ with `smoke`): where a script writes unless given
    --out-dir."""
    return OUTPUTS / script_stem / SMOKE_FOLDER if smoke else OUTPUTS / script_stem


def parse_arguments(script_path, description, argv=None, seed=None, seeds=None, add_arguments=None):
    """The common flags, parsed from `argv` (None: the command line).

    `--out-dir` (default `outputs/<script stem>/`) and `--smoke` always; `--seed` (default `seed`) when the script
    takes a base seed, `--seeds` (default `seeds`) when it repeats its runs over several seeds; then the flags
    that `add_arguments(parser)` adds. `description` (the script's docstring) is the `--help` text.
    """
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter,
                                     allow_abbrev=False)
    stem = pathlib.Path(script_path).stem
    parser.add_argument("--out-dir", type=pathlib.Path, default=None,
                        help=f"where figures and JSON files go (default: {default_output_directory(stem)}, "
                             f"with --smoke {default_output_directory(stem, smoke=True)})")
    parser.add_argument("--smoke", action="store_true", help="a few steps only: checks that the script runs")
    if seed is not None:
        parser.add_argument("--seed", type=int, default=seed, help="base seed (default: %(default)s)")
    if seeds is not None:
        parser.add_argument("--seeds", type=int, default=seeds,
                            help="number of seeds: seed, seed + 1, ... (default: %(default)s; 1 with --smoke)")
    if add_arguments is not None:
        add_arguments(parser)
    arguments = parser.parse_args(argv)
    if seeds is not None and arguments.seeds < 1:
        parser.error(f"--seeds must be a positive integer, got {arguments.seeds}.")
    if arguments.out_dir is None:
        arguments.out_dir = default_output_directory(stem, arguments.smoke)
    mark_smoke_runs(arguments.smoke)
    return arguments


def mark_smoke_runs(smoke):
    """With `smoke`, every pyplot figure made from now on gets the smoke mark (matplotlib's "figure.hooks") and
    every `print_table` is headed by it; without, neither."""
    _state["smoke"] = bool(smoke)
    hooks = [hook for hook in plt.rcParams["figure.hooks"] if hook != _SMOKE_HOOK]
    plt.rcParams["figure.hooks"] = [*hooks, _SMOKE_HOOK] if smoke else hooks


def mark_smoke_figure(figure):
    """Write SMOKE_MARK in red in the top-left corner of `figure` (the "figure.hooks" entry of smoke runs)."""
    figure.text(0.005, 0.995, SMOKE_MARK, color="red", fontsize=8, ha="left", va="top")


def start(script_path, description, argv=None, seed=None, seeds=None, add_arguments=None):
    """(arguments, output folder): `parse_arguments` with these arguments, then `output_directory`."""
    arguments = parse_arguments(script_path, description, argv, seed, seeds, add_arguments)
    return arguments, output_directory(arguments)


def output_directory(arguments, *subfolders):
    """`arguments.out_dir` (joined with `subfolders`), created if missing."""
    path = pathlib.Path(arguments.out_dir, *subfolders)
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_seeds(arguments):
    """[seed, seed + 1, ..., seed + seeds - 1]; only [seed] with --smoke."""
    return [arguments.seed + offset for offset in range(1 if arguments.smoke else arguments.seeds)]


def safe_file_name(name):
    """A file-name-safe form of a run name: "L2 5e-4 + dropout 0.5" -> "l2_5e_4___dropout_0_5"."""
    return "".join(character if character.isalnum() else "_" for character in name).strip("_").lower()


def write_json(path, data):
    """`data` (dicts, lists, tuples, NumPy values) as indented JSON, keys in insertion order.

    JSON has no NaN or infinity: non-finite floats are written as the strings "nan", "inf", "-inf"
    (`float(value)` reads them back).
    """
    pathlib.Path(path).write_text(json.dumps(_to_builtin(data), indent=2) + "\n")


def print_table(rows, columns, digits=4):
    """Print `rows` (dicts) as a plain-text table. `columns` holds keys, or (key, header) pairs; a missing key
    prints empty; floats get `digits` significant digits."""
    columns = [column if isinstance(column, tuple) else (column, column) for column in columns]
    if _state["smoke"]:
        print(f"[{SMOKE_MARK}]")

    def cell(value):
        return f"{value:.{digits}g}" if isinstance(value, (float, np.floating)) else str(value)

    cells = [[cell(row.get(key, "")) for key, _ in columns] for row in rows]
    widths = [max([len(header), *(len(line[index]) for line in cells)]) for index, (_, header) in enumerate(columns)]
    print("  ".join(header.ljust(width) for (_, header), width in zip(columns, widths)))
    for line in cells:
        print("  ".join(text.ljust(width) for text, width in zip(line, widths)))


def claim(name, measured, expected, tolerance):
    """One checked number: `name` (what is claimed), `measured`, `expected` +- `tolerance` (>= 0); passed when
    expected - tolerance <= measured <= expected + tolerance. A missing (None) or NaN `measured` fails."""
    if not tolerance >= 0:
        raise ValueError(f"claim {name!r}: tolerance must be >= 0, got {tolerance!r}.")
    return _claim(name, measured, expected, tolerance, expected - tolerance, expected + tolerance)


def claim_range(name, measured, low, high):
    """`claim` of a range: passed when low <= measured <= high (expected is the middle)."""
    if not low <= high:
        raise ValueError(f"claim {name!r}: expected low <= high, got {low!r} and {high!r}.")
    return _claim(name, measured, (low + high) / 2, (high - low) / 2, low, high)


def stated_range(low_text, high_text):
    """(low, high) of a range as a docstring states it, rounded: each end widened by half a unit of its last
    digit, stated_range("0.003", "0.006") = (0.0025, 0.0065), since 0.0063 is stated as 0.006."""
    def half_unit(text):
        if not text.lstrip("-").replace(".", "", 1).isdigit():
            raise ValueError(f"stated_range: expected a plain decimal such as '0.25', got {text!r}.")
        return 0.5 * 10.0 ** -len(text.partition(".")[2])

    return float(low_text) - half_unit(low_text), float(high_text) + half_unit(high_text)


def _claim(name, measured, expected, tolerance, low, high):
    measured = math.nan if measured is None else float(measured)
    return {"name": name, "measured": measured, "expected": float(expected), "tolerance": float(tolerance),
            "low": float(low), "high": float(high), "passed": bool(low <= measured <= high)}


def print_claims(claims):
    """The claims as a table: name, measured, low, high, pass / FAIL."""
    print_table([{**item, "result": "pass" if item["passed"] else "FAIL"} for item in claims],
                [("name", "claim"), "measured", ("low", "from"), ("high", "to"), "result"], digits=6)


def save_figure(figure, path, title=None, title_size=10, dpi=120):
    """Give `figure` its title (if any), lay it out, write it to `path` and close it."""
    if title is not None:
        figure.suptitle(title, fontsize=title_size)
    figure.tight_layout()
    figure.savefig(path, dpi=dpi)
    plt.close(figure)


def _to_builtin(value):
    if isinstance(value, dict):
        return {str(key): _to_builtin(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_builtin(item) for item in value]
    if isinstance(value, np.ndarray):
        return _to_builtin(value.tolist())
    if isinstance(value, np.generic):
        return _to_builtin(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value
