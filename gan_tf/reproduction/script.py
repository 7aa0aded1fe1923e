"""What every reproduction script shares: its command line, its output folder, its JSON files, its table.

    arguments = script.parse_arguments(__file__, __doc__)   # --out-dir, --smoke, --seed
    out_dir = script.output_directory(arguments)             # created; default outputs/<script stem>/
    script.write_json(out_dir / "config.json", config)
    script.print_table(rows, ["method", "seed", "modes"])
"""

import argparse
import json
import pathlib

import numpy as np


def parse_arguments(script_path, description, default_seed=0, argv=None):
    """The common flags: `--out-dir` (default `outputs/<script stem>/`), `--smoke`, `--seed`."""
    stem = pathlib.Path(script_path).stem
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", default=str(pathlib.Path("outputs") / stem), help="where figures and JSON go")
    parser.add_argument("--smoke", action="store_true", help="a few steps only: checks that the script runs")
    parser.add_argument("--seed", type=int, default=default_seed, help="base seed (runs use seed, seed + 1, ...)")
    return parser.parse_args(argv)


def output_directory(arguments):
    path = pathlib.Path(arguments.out_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _to_builtin(value):
    if isinstance(value, dict):
        return {str(key): _to_builtin(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_builtin(item) for item in value]
    if isinstance(value, np.ndarray):
        return _to_builtin(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)  # JSON has no inf / nan
    return value


def write_json(path, data):
    """`data` (dicts, lists, NumPy values) as indented JSON; non-finite floats become strings."""
    with open(path, "w") as file:
        json.dump(_to_builtin(data), file, indent=2, sort_keys=True)
        file.write("\n")


def print_table(rows, columns, digits=4):
    """A plain-text table of `rows` (dicts) restricted to `columns`; floats with `digits` significant digits."""

    def cell(value):
        return f"{value:.{digits}g}" if isinstance(value, (float, np.floating)) else str(value)

    cells = [[cell(row.get(column, "")) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[index]) for line in cells)) for index, column in enumerate(columns)]
    print("  ".join(column.ljust(width) for column, width in zip(columns, widths)))
    for line in cells:
        print("  ".join(text.ljust(width) for text, width in zip(line, widths)))
