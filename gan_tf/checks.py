"""Checks of settings shared by the whole package: a bad value fails at once, with one `ValueError` naming the
argument and what was expected. No TensorFlow here (the `gan-tf` command checks flags before importing it); the
checks of what `fit` receives (shapes, dtypes, labels) are in `gan_tf.models.input_checks`.

Counts (`d_steps`, `latent_dim`, `batch_size`, ...) all go through `positive_integer`: a Python or NumPy integer
>= 1. `bool` is refused (`True` is not a count, although Python makes it an int); the value is returned as a
Python int (so configs stay JSON-serializable).
"""

import math

import numpy as np


def integer_at_least(name, value, minimum):
    """`int(value)` if `value` is a Python or NumPy integer (not a bool) >= `minimum`; else a ValueError."""
    is_integer = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if is_integer and value >= minimum:
        return int(value)
    expected = {0: "a non-negative integer", 1: "a positive integer"}.get(minimum, f"an integer >= {minimum}")
    raise ValueError(f"{name} must be {expected}, got {value!r}.")


def positive_integer(name, value):
    """`int(value)` for a count: ValueError "NAME must be a positive integer, got VALUE." unless an integer >= 1."""
    return integer_at_least(name, value, 1)


def optional_positive_integer(name, value):
    """None, or `positive_integer(name, value)` with the message "NAME must be None or a positive integer, ..."."""
    if value is None:
        return None
    try:
        return positive_integer(name, value)
    except ValueError:
        raise ValueError(f"{name} must be None or a positive integer, got {value!r}.") from None


def positive_number(name, value):
    """`float(value)` if it is a real number > 0 (not a bool); else a ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not value > 0:
        raise ValueError(f"{name} must be a number > 0, got {value!r}.")
    return float(value)


def non_negative_number(name, value):
    """`float(value)` if it is a finite real number >= 0 (not a bool); else a ValueError."""
    is_number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if not is_number or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
    return float(value)


def integer_in_range(name, value, low, high, high_text=None):
    """`int(value)` if it is an integer (not a bool) with low <= value < high; else a ValueError."""
    is_integer = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if is_integer and low <= value < high:
        return int(value)
    raise ValueError(f"{name} must be an integer in [{low}, {high_text or high}), got {value!r}.")
