"""What every reproduction script shares: its command line, its output folder, its JSON files, its table, its
figure files.

    arguments, out_dir = script.start(__file__, __doc__, argv, seed=0, seeds=3)  # flags; out_dir created
    for seed in script.run_seeds(arguments): ...             # seed, seed + 1, ... (one with --smoke)
    script.write_json(out_dir / "metrics.json", metrics)
    script.print_table(rows, ["method", "seed", ("final_modes", "modes")])
    script.save_figure(figure, out_dir / "modes.png", title="...")

A script adds its own flags through `add_arguments(parser)`, called before parsing.
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


def default_output_directory(script_stem):
    """outputs/<script stem>/: where a script writes unless given --out-dir."""
    return OUTPUTS / script_stem


def parse_arguments(script_path, description, argv=None, seed=None, seeds=None, add_arguments=None):
    """The common flags, parsed from `argv` (None: the command line).

    `--out-dir` (default `outputs/<script stem>/`) and `--smoke` always; `--seed` (default `seed`) when the script
    takes a base seed, `--seeds` (default `seeds`) when it repeats its runs over several seeds; then the flags
    that `add_arguments(parser)` adds. `description` (the script's docstring) is the `--help` text.
    """
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter,
                                     allow_abbrev=False)
    stem = pathlib.Path(script_path).stem
    parser.add_argument("--out-dir", type=pathlib.Path, default=default_output_directory(stem),
                        help="where figures and JSON files go (default: %(default)s)")
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
    return arguments


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

    def cell(value):
        return f"{value:.{digits}g}" if isinstance(value, (float, np.floating)) else str(value)

    cells = [[cell(row.get(key, "")) for key, _ in columns] for row in rows]
    widths = [max(len(header), *(len(line[index]) for line in cells)) for index, (_, header) in enumerate(columns)]
    print("  ".join(header.ljust(width) for (_, header), width in zip(columns, widths)))
    for line in cells:
        print("  ".join(text.ljust(width) for text, width in zip(line, widths)))


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
