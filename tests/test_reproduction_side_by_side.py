"""gan_tf.reproduction.side_by_side: results in the jobs' order, each reported as it ends, errors raised."""

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
