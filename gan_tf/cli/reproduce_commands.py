"""`gan-tf list` and `gan-tf reproduce`: the reproduction scripts of a source checkout."""

import argparse
import pathlib
import runpy
import sys

REPRODUCTIONS = pathlib.Path(__file__).resolve().parents[2] / "reproductions"


def reproduction_scripts():
    """name -> path of every runnable script in `reproductions/` (empty outside a source checkout)."""
    if not REPRODUCTIONS.is_dir():
        return {}
    return {path.stem: path for path in sorted(REPRODUCTIONS.glob("*.py")) if not path.stem.startswith("_")}


def list_command(arguments):
    del arguments
    for name, path in reproduction_scripts().items():
        print(f"{name:40s} {path}")


def reproduce_command(arguments):
    scripts = reproduction_scripts()
    if arguments.name not in scripts:
        raise FileNotFoundError(
            f"No reproduction named {arguments.name!r} in {REPRODUCTIONS}: expected one of {sorted(scripts)} "
            "(reproductions ship with the source checkout, not with an installed wheel)."
        )
    sys.argv = [str(scripts[arguments.name]), *arguments.script_arguments]
    runpy.run_path(str(scripts[arguments.name]), run_name="__main__")


def add_commands(commands):
    commands.add_parser("list", help="list the reproduction scripts").set_defaults(run=list_command)
    reproduce = commands.add_parser("reproduce", help="run a reproduction script")
    reproduce.add_argument("name")
    reproduce.add_argument("script_arguments", nargs=argparse.REMAINDER)
    reproduce.set_defaults(run=reproduce_command)
