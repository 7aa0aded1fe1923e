"""Independent training runs of a reproduction, several at a time in threads, each the same as when run alone.

A toy GAN's step is too small to keep two cores busy, and TensorFlow runs ops outside Python's lock, so runs
side by side finish sooner (strakhov2018_normal's five runs on 2 idle Zen 3 cores, wall s, 3 runs each: one at a
time 65-68, 2 at a time 50-58, 3: 45-54, 4: 44-45; later, with oneDNN on and no XLA, in 3 alternating rounds:
4 at a time 40.3-43.2, all 5 at once 37.1-40.6 and about 5 s less CPU, the same metrics.json). A run stays
reproducible when everything it seeds (the global seeds, then its networks, optimizers, data sets and
`keras.random.SeedGenerator`s) is made while it holds `seeded_set_up`, and its steps draw only from those
generators, as `gan_tf.models` do.

  seeded_set_up(seed)        a block that sets the global seeds and makes a run's seeded objects, one at a time
  train_side_by_side(...)    {name: function(**arguments)} of several runs, RUNS_AT_ONCE at a time

While several runs train, TensorFlow's warning "N out of the last N calls to F triggered tf.function retracing" is
not shown: TensorFlow counts traces per Python code object across instances, so five runs that each trace their
own probe and TensorBoard functions once look to it like one function retraced five times.
"""

import concurrent.futures
import contextlib
import logging
import threading

import keras

RUNS_AT_ONCE = 5  # measured fastest for the toys on 2 cores (module docstring)
_SET_UP = threading.Lock()
RETRACING_WARNING = "triggered tf.function retracing"  # in TensorFlow's frequent-tracing warning


@contextlib.contextmanager
def seeded_set_up(seed):
    """`keras.utils.set_random_seed(seed)`, then the block, while no other run sets seeds or makes random ops."""
    with _SET_UP:
        keras.utils.set_random_seed(seed)
        yield


def train_side_by_side(function, jobs, threads=RUNS_AT_ONCE, on_done=None):
    """{name: `function(**arguments)`} for `jobs` (name -> arguments; the result in that order), `threads` calls
    at a time. `on_done(name, result)` is called in this thread as each call ends (e.g. to save what is done so
    far). The first error is raised once the calls under way have ended; calls not yet started are dropped.
    `function` must make its seeded objects inside `seeded_set_up`."""
    results = {}
    with _expected_retracing_not_shown(), concurrent.futures.ThreadPoolExecutor(threads) as pool:
        futures = {pool.submit(function, **arguments): name for name, arguments in jobs.items()}
        try:
            for future in concurrent.futures.as_completed(futures):
                results[futures[future]] = future.result()
                if on_done is not None:
                    on_done(futures[future], results[futures[future]])
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    return {name: results[name] for name in jobs}


class _WithoutRetracingWarnings(logging.Filter):
    def filter(self, record):
        return RETRACING_WARNING not in record.getMessage()


@contextlib.contextmanager
def _expected_retracing_not_shown():
    """A block in which TensorFlow's logger (`tf.get_logger()`, "tensorflow") drops the frequent-retracing warning."""
    logger, quiet = logging.getLogger("tensorflow"), _WithoutRetracingWarnings()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)
