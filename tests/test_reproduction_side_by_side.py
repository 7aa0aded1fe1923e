"""gan_tf.reproduction.side_by_side: results in the jobs' order, each reported as it ends, errors raised."""

import logging
import threading
import time

import numpy as np
import pytest

from gan_tf.reproduction import side_by_side


def test_results_come_in_the_jobs_order_and_each_is_reported_when_it_ends():
    done = []
    jobs = {name: {"seconds": seconds} for name, seconds in (("slow", 0.3), ("fast", 0.0), ("middle", 0.1))}
    results = side_by_side.train_side_by_side(lambda seconds: time.sleep(seconds) or seconds, jobs, threads=3,
                                              on_done=lambda name, result: done.append((name, result)))
    assert list(results) == ["slow", "fast", "middle"] and results["slow"] == 0.3
    assert [name for name, _ in done] == ["fast", "middle", "slow"]  # in the order they ended


def test_the_first_error_is_raised_and_calls_not_started_are_dropped():
    started = []

    def run(name):
        started.append(name)
        if name == "bad":
            raise ValueError("bad run")
        time.sleep(0.2)

    jobs = {name: {"name": name} for name in ("bad", "a", "b", "c", "d")}
    with pytest.raises(ValueError, match="bad run"):
        side_by_side.train_side_by_side(run, jobs, threads=2)
    assert len(started) < len(jobs)


def test_a_seeded_set_up_is_not_interleaved_with_another():
    """Two threads that set their seeds and then draw from NumPy's global generator inside `seeded_set_up` get
    what each would get alone, however the threads are scheduled."""
    draws = {}

    def set_up(seed):
        with side_by_side.seeded_set_up(seed):
            time.sleep(0.05)  # the other thread tries to set its seed here
            draws[seed] = np.random.random(3)

    threads = [threading.Thread(target=set_up, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seed in (1, 2):
        np.testing.assert_array_equal(draws[seed], np.random.RandomState(seed).random_sample(3))


class _Messages(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _traces_counted(trace_one, calls, side_by_side_runs):
    """TensorFlow's log messages while `trace_one(value)` runs `calls` times, side by side or one after another."""
    logger, handler = logging.getLogger("tensorflow"), _Messages()
    logger.addHandler(handler)
    try:
        if side_by_side_runs:
            side_by_side.train_side_by_side(trace_one, {i: {"value": float(i)} for i in range(calls)}, threads=2)
        else:
            for i in range(calls):
                trace_one(float(i))
    finally:
        logger.removeHandler(handler)
    return [message for message in handler.messages if side_by_side.RETRACING_WARNING in message]


def test_runs_side_by_side_do_not_show_the_retracing_each_of_their_own_functions_causes():
    import tensorflow as tf  # noqa: PLC0415

    def trace_own_function(value):  # a new tf.function per call, one code object: TensorFlow sees retracing
        def plus_one(x):
            return x + 1
        return float(tf.function(plus_one)(tf.constant(value)))

    def trace_own_function_too(value):  # the same, another code object (TensorFlow warns once per object)
        def plus_two(x):
            return x + 2
        return float(tf.function(plus_two)(tf.constant(value)))

    assert _traces_counted(trace_own_function, 6, side_by_side_runs=False)  # the warning exists
    assert not _traces_counted(trace_own_function_too, 6, side_by_side_runs=True)
    assert not logging.getLogger("tensorflow").filters  # and the filter is gone afterwards
