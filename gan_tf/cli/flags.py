"""argparse types for `gan-tf` flags: each parses the text, then checks the value with the library's rule
(`gan_tf.checks`), so that a flag and the API refuse the same values with the same words. TensorFlow-free."""

import argparse

from gan_tf import checks


def _flag_value(parse, check, *bounds):
    """An argparse type: `parse` the text, then `check` it with the library's rule (`gan_tf.checks`)."""
    def convert(text):
        try:
            return check(FLAG_VALUE, parse(text), *bounds)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error).removeprefix(f"{FLAG_VALUE} ")) from None
    return convert


def _integer(text):
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{FLAG_VALUE} must be an integer, got {text!r}.") from None


def _number(text):
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{FLAG_VALUE} must be a number, got {text!r}.") from None


FLAG_VALUE = "value"  # the name the checks' messages start with; argparse puts the flag in front instead
positive_integer = _flag_value(_integer, checks.positive_integer)
non_negative_integer = _flag_value(_integer, checks.integer_at_least, 0)
seed_integer = _flag_value(_integer, checks.integer_in_range, 0, 2**32, "2**32")
non_negative_number = _flag_value(_number, checks.non_negative_number)
