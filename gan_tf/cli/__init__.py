"""The `gan-tf` command.

  gan-tf list                      the reproduction scripts of this checkout
  gan-tf reproduce NAME [ARGS...]  run one of them (ARGS go to the script, e.g. --smoke --out-dir DIR)
  gan-tf reproduce --all [--smoke] run all of them, then write the report outputs/report/index.html
  gan-tf train --data PATH_OR_TFDS_NAME --out RUN_DIR [--recipe dcgan|modern] [--epochs N]
               [--mixed-precision [float16|bfloat16]] [--strategy mirrored|multi_worker|tpu [--sync-batch-norm]]
               [--deterministic] [--skip-invalid] [--ema [HALF_LIFE]] [--augment none|diffaugment|ada] [--loss NAME]
               [--r1 GAMMA] [--spectral-norm] [--architecture radford|dense_dcgan|residual]
               [--gradient-penalty LAMBDA [--d-steps N]] [--instance-noise STDDEV [--instance-noise-steps N]]
               [--packing M] [--generator-resolution N] ...
                                   train a GAN (rerunning the same command resumes; see gan_tf.images.training)
  gan-tf sample --run RUN_DIR [--n 64] [--out grid.png] [--class NAME] [--checkpoint latest|best]
                                   draw from a trained generator

A user's mistake (a bad flag, a missing folder, a damaged or busy run folder, ...) prints one line
`gan-tf: error: ...` and exits with status 2; `--debug` shows the traceback instead. Checks that need no
TensorFlow (flag values, --data paths) run before TensorFlow is imported, so they answer in about a second.
"""

import argparse
import os
import sys

from gan_tf.cli import reproduce_commands, train_commands
from gan_tf.images import run_folder  # no TensorFlow in it

USER_ERRORS = (ValueError, OSError, run_folder.RunFolderError)


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are the one line `gan-tf: error: ...` (exit 2), not the usage text."""

    known_options = set()  # every command's, to suggest one for a typo

    def add_argument(self, *names, **options):
        OneLineParser.known_options.update(name for name in names if name.startswith("--"))
        return super().add_argument(*names, **options)

    def error(self, message):
        if message.startswith("unrecognized arguments:"):
            message += _did_you_mean(message.split(":", 1)[1].split())
        fail(f"{self.prog.split(' ', 1)[-1] + ': ' if ' ' in self.prog else ''}{message} (see {self.prog} --help)")


def _did_you_mean(unknown):
    """" (did you mean --epochs?)" for a mistyped option, from the options of every command."""
    import difflib  # noqa: PLC0415

    matches = [match for word in unknown if word.startswith("-")
               for match in difflib.get_close_matches(word, sorted(OneLineParser.known_options), n=1)]
    return f" (did you mean {', '.join(matches)}?)" if matches else ""


def _without_abbreviations(add_parser):
    def add_command(*arguments, **options):
        command = add_parser(*arguments, allow_abbrev=False, **options)
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,  # also after the command
                             help="show the traceback of an error")
        return command

    return add_command


def fail(message, status=2):
    print(f"gan-tf: error: {message}", file=sys.stderr)
    raise SystemExit(status)


def build_parser():
    parser = OneLineParser(prog="gan-tf", description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    commands.add_parser = _without_abbreviations(commands.add_parser)  # --epoch is a typo, not --epochs
    reproduce_commands.add_commands(commands)
    train_commands.add_commands(commands)
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    arguments = build_parser().parse_args(argv)
    try:
        arguments.run(arguments)
    except KeyboardInterrupt:
        if arguments.debug:
            raise
        fail("interrupted (rerun the same command to resume)", 130)
    except BrokenPipeError:  # the reader left (`gan-tf list | head`): not the user's mistake, and nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush cannot fail again
        raise SystemExit(1) from None
    except (*USER_ERRORS, FloatingPointError) as error:  # FloatingPointError: a non-finite loss stopped training
        if arguments.debug:
            raise
        fail(" ".join(str(error).split()) or type(error).__name__, 2 if isinstance(error, USER_ERRORS) else 1)
