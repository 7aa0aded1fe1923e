"""Watching a GAN train: one probe callback, a measurement (what to measure) and sinks (where to write it).

    memory = callbacks.MemorySink()
    probe = callbacks.Probe(measurements.LossesAndSamples(probe_data),
                            [callbacks.TensorBoardSink("logs/run1"), memory], every_n_steps=10)

`Probe` calls `measurement.measure(model)` (a `measurements.Observation`: scalars, samples, images) outside
`train_step`, so it works when that is XLA-compiled (where `tf.summary` ops cannot run), and hands the
observation to every sink, at:
  - the model's step when training begins, unless that step was probed already (by an earlier `fit`),
  - the first callback at or after each multiple of `every_n_steps`,
  - the last step, when training ends, unless probed already.
The step is `model.trained_batches()`: the real batches trained on so far, read from the optimizers'
iterations, so it continues across `fit` calls and after a restored checkpoint (no initial step to pass).
Keras calls back after each Keras step, or after every k steps with `steps_per_execution=k`; with
`compile(stacked_batches=True)` one Keras step trains a stack of K batches and advances the step by K. A probe
then falls on the first step reached at or after each multiple of `every_n_steps` (steps 0, 8, 12, 20 for
K = 4, every_n_steps = 6, 20 batches). Measurements: `gan_tf.measurements` (toy GANs, the generator's
gradient) and `gan_tf.images.observation` (image GANs).

Sinks (`write(step, observation)`, `flush()`):
  TensorBoardSink(log_dir)   scalars, histograms, image grids under the observation's tags, in log_dir and its
                             sibling runs log_dir/real and log_dir/fake; real and fake samples on one picture
  MemorySink(max_values)     steps, scalars, samples and images as lists under their names, one entry per probe
`run_name(name)` turns a run's name into a readable TensorBoard run folder name.

`StopOnNonFiniteLoss` stops `fit` with `NonFiniteLossError` naming the step when a loss becomes NaN or infinite.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks, measurements

MAX_CONSECUTIVE_SKIPPED_STEPS = 100  # a loss scale of 2**15 needs at most ~30 halvings to fit any gradient


class Probe(keras.callbacks.Callback):
    """Measures the model with `measurement` and writes the observation to `sinks` (one sink or a list), at
    the steps given in the module docstring. `last_step` is the step of the latest probe (None before any)."""

    def __init__(self, measurement, sinks, every_n_steps=10):
        super().__init__()
        checks.positive_integer("every_n_steps", every_n_steps)
        if not callable(getattr(measurement, "measure", None)):
            raise ValueError(f"measurement must have a measure(model) method, got {type(measurement).__name__}.")
        sinks = list(sinks) if isinstance(sinks, (list, tuple)) else [sinks]
        if not sinks or not all(callable(getattr(sink, "write", None)) and callable(getattr(sink, "flush", None))
                                for sink in sinks):
            raise ValueError(f"sinks must be one or more objects with write(step, observation) and flush(), "
                             f"got {sinks!r}.")
        self.measurement, self.sinks, self.every_n_steps = measurement, sinks, every_n_steps
        self.last_step = None

    def on_train_begin(self, logs=None):
        self._probe_unless_done(int(self.model.trained_batches()))

    def on_train_batch_end(self, batch, logs=None):
        step = int(self.model.trained_batches())
        if self.last_step is None or step // self.every_n_steps > self.last_step // self.every_n_steps:
            self._probe(step)

    def on_train_end(self, logs=None):
        self._probe_unless_done(int(self.model.trained_batches()))
        for sink in self.sinks:
            sink.flush()

    def _probe_unless_done(self, step):
        if step != self.last_step:
            self._probe(step)

    def _probe(self, step):
        observation = self.measurement.measure(self.model)
        for sink in self.sinks:
            sink.write(step, observation)
        self.last_step = step


class TensorBoardSink:
    """Writes each observation to TensorBoard event files under `log_dir` at its step, where its `placements`
    say (`measurements.Placement`; a name without one goes under its own name in `log_dir`): `tf.summary.scalar`
    per scalar, `tf.summary.histogram` per sample (one per coordinate with `per_coordinate`), one image grid
    (`plotting.images_to_grid`) per image batch. A placement's run is a sub-folder: `log_dir/real` and
    `log_dir/fake` hold the real and fake versions of one tag, which TensorBoard lists as the runs
    "<run>/real" and "<run>/fake" beside "<run>", the folder's name.

    TensorBoard draws one histogram per run, each on its own x axis, so for each tag written in both "real"
    and "fake" the sink also draws them on one chart (`plotting.real_and_fake_picture`: overlaid histograms, or
    a scatter plot for samples of dimension >= 2) as the image `<tag>/real_and_fake` in `log_dir`, at the first
    write and then at most once every `picture_every_n_steps` steps (None: never; a picture costs ~0.1 s).
    """

    def __init__(self, log_dir, picture_every_n_steps=100):
        self.log_dir = str(log_dir)
        self.picture_every_n_steps = checks.optional_positive_integer("picture_every_n_steps", picture_every_n_steps)
        self._writers, self._write_functions, self._last_picture_step = {}, {}, None

    def write(self, step, observation):
        placements = observation.placements
        scalars, histograms, pairs = {}, {}, {}  # run -> {tag: value}; tag -> {run: samples}
        for name, value in observation.scalars.items():
            placement = _placement(placements, name)
            scalars.setdefault(placement.run, {})[placement.tag] = value
        for name, values in observation.samples.items():
            placement = _placement(placements, name)
            for tag, column in _histograms(placement, np.asarray(values)):
                histograms.setdefault(placement.run, {})[tag] = column
            pairs.setdefault(placement.tag, {})[placement.run] = values
        for run in sorted({*scalars, *histograms}):
            self._write_function(run)(
                tf.constant(step, tf.int64),
                {tag: tf.constant(value, tf.float32) for tag, value in scalars.get(run, {}).items()},
                {tag: tf.convert_to_tensor(values) for tag, values in histograms.get(run, {}).items()})
        if observation.images:
            from gan_tf import plotting  # noqa: PLC0415  (matplotlib only when images are written)

            for name, images in observation.images.items():
                placement = _placement(placements, name)
                with self._writer(placement.run).as_default(step=step):
                    tf.summary.image(placement.tag, plotting.images_to_grid(images)[None])
        compared = {tag: runs for tag, runs in pairs.items() if {"real", "fake"} <= set(runs)}
        if compared and self._picture_due(step):
            self._write_pictures(step, compared)

    def flush(self):
        for writer in self._writers.values():
            writer.flush()

    def _writer(self, run):
        if run not in self._writers:
            self._writers[run] = tf.summary.create_file_writer(os.path.join(self.log_dir, run) if run else self.log_dir)
        return self._writers[run]

    def _write_function(self, run):
        """The scalars and histograms of one probe in one graph call per run (written eagerly, a histogram costs
        ~100 small ops)."""
        if run not in self._write_functions:
            writer = self._writer(run)

            def write_summaries(step, scalars, histograms):
                with writer.as_default(step=step):
                    for tag, value in scalars.items():
                        tf.summary.scalar(tag, value)
                    for tag, values in histograms.items():
                        tf.summary.histogram(tag, values)

            self._write_functions[run] = tf.function(write_summaries, reduce_retracing=True)
        return self._write_functions[run]

    def _picture_due(self, step):
        every, last = self.picture_every_n_steps, self._last_picture_step
        return every is not None and (last is None or step // every > last // every)

    def _write_pictures(self, step, compared):
        from gan_tf import plotting  # noqa: PLC0415

        with self._writer("").as_default(step=step):
            for tag, runs in compared.items():
                picture = plotting.real_and_fake_picture(runs["real"], runs["fake"], f"{tag}, step {step}")
                tf.summary.image(f"{tag}/real_and_fake", picture[None])
        self._last_picture_step = step


def _placement(placements, name):
    return placements.get(name) or measurements.Placement(name)


def _histograms(placement, values):
    """[(tag, values)]: one histogram of all of `values`, or with `per_coordinate` one per column of `[n, d]`."""
    if placement.per_coordinate and values.ndim == 2 and values.shape[1] > 1:
        return [(f"{placement.tag}/x{index}", values[:, index]) for index in range(values.shape[1])]
    return [(placement.tag, values)]


def run_name(name):
    """A readable TensorBoard run (folder) name for `name`: the name itself, path separators replaced by "-"
    ("L2 5e-4 + dropout 0.5" stays as it is). TensorBoard shows a run by its folder's path under --logdir."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a non-empty string, got {name!r}.")
    return name.strip().replace("/", "-").replace("\\", "-")


class MemorySink:
    """Keeps every observation in memory, for plotting and summaries.

    Attributes:
      steps: the probed steps.
      scalars: name -> list of floats, one per step.
      samples: name -> list of NumPy arrays, one per step. With `max_values`, each is flattened and thinned
        to at most `max_values` values, taken at a fixed stride (the same positions at every probe).
      images: name -> list of image batches, one per step.
    """

    def __init__(self, max_values=None):
        self.max_values = checks.optional_positive_integer("max_values", max_values)
        self.steps, self.scalars, self.samples, self.images = [], {}, {}, {}

    def write(self, step, observation):
        self.steps.append(step)
        for name, value in observation.scalars.items():
            self.scalars.setdefault(name, []).append(float(value))
        for name, values in observation.samples.items():
            self.samples.setdefault(name, []).append(self._kept(np.asarray(values)))
        for name, images in observation.images.items():
            self.images.setdefault(name, []).append(np.asarray(images))

    def flush(self):
        """Nothing to flush: everything is in memory."""

    def final(self, name, window=10):
        """Mean of the last `window` recorded values of the scalar `name`."""
        if name not in self.scalars:
            raise ValueError(f"No scalar {name!r} was recorded; recorded: {sorted(self.scalars)}.")
        return float(np.mean(self.scalars[name][-window:]))

    def arrays(self):
        """{"step": [P], scalar name: [P], sample name: [P, ...]} as NumPy arrays (P probes; images left out)."""
        series = {"step": self.steps, **self.scalars, **self.samples}
        return {name: np.asarray(values) for name, values in series.items()}

    def _kept(self, values):
        if self.max_values is None:
            return values
        values = values.reshape(-1)
        stride = max(1, len(values) // self.max_values)
        return values[::stride][: self.max_values]


class NonFiniteLossError(FloatingPointError):
    """A training loss became NaN or infinite."""


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Stops `fit` when training goes non-finite, before later callbacks (put it before checkpoint savers, so
    that the last checkpoint is the last good state).

    Without loss scaling: raises `NonFiniteLossError` naming the step (`model.trained_batches()`) as soon as a
    logged loss (a log whose name ends in "loss") is NaN or infinite; with `steps_per_execution` k, after the
    k steps run together. With `LossScaleOptimizer`s (mixed_float16) a step with non-finite gradients is
    skipped by the optimizer (which halves its scale); this callback counts skipped updates into each epoch's
    logs (`d_skipped_updates`, `g_skipped_updates`: expected updates minus the optimizer's iterations, one
    train step per Keras step assumed) and raises only after more than `MAX_CONSECUTIVE_SKIPPED_STEPS` steps
    in a row without any update.
    """

    def __init__(self):
        super().__init__()
        self.max_consecutive_skips = MAX_CONSECUTIVE_SKIPPED_STEPS
        self.epoch, self.consecutive_skips = 0, 0

    def on_train_begin(self, logs=None):
        self.updates_per_step = {"d": self.model.d_steps, "g": self.model.g_steps}
        self.start = {player: self._iterations(player) for player in self.updates_per_step}
        self.steps_done, self.epoch_start, self.last = 0, 0, dict(self.start)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.epoch_start = epoch, self.steps_done

    def on_train_batch_end(self, batch, logs=None):
        previous, self.steps_done = self.steps_done, self.epoch_start + batch + 1
        if not self._loss_scaled():
            bad = {name: float(value) for name, value in (logs or {}).items()
                   if name.endswith("loss") and not np.isfinite(value)}
            if bad:
                raise NonFiniteLossError(f"Non-finite loss at training step {int(self.model.trained_batches())} (epoch "
                                         f"{self.epoch + 1}): {bad}. Training stopped before the callbacks after "
                                         "this one (e.g. a checkpoint) saw it.")
            return
        now = {player: self._iterations(player) for player in self.updates_per_step}
        advanced = any(now[player] > self.last[player] for player in now)
        self.consecutive_skips = 0 if advanced else self.consecutive_skips + self.steps_done - previous
        self.last = now
        if self.consecutive_skips > self.max_consecutive_skips:
            raise NonFiniteLossError(f"{self.consecutive_skips} consecutive steps after step "
                                     f"{int(self.model.trained_batches())} had non-finite gradients at every loss "
                                     "scale: training stopped.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None and self._loss_scaled():
            logs.update({f"{player}_skipped_updates": self.skipped_updates(player) for player in self.updates_per_step})

    def skipped_updates(self, player):
        """Updates of `player` ("d" or "g") skipped since training began."""
        done = self._iterations(player) - self.start[player]
        return self.steps_done * self.updates_per_step[player] - done

    def _iterations(self, player):
        return int(getattr(self.model, f"{player}_optimizer").iterations.numpy())

    def _loss_scaled(self):
        return any(isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
                   for optimizer in (self.model.d_optimizer, self.model.g_optimizer))
