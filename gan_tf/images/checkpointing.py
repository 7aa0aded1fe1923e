"""Training state that survives a kill.

Atomic files: a checkpoint is written by `tf.train.CheckpointManager`, whose data and index files are written
under temporary names and renamed once complete, and whose list of checkpoints (`checkpoints/checkpoint`) is
rewritten atomically afterwards. A process killed while saving leaves at worst unlisted files behind: the
listed latest checkpoint is the previous, complete one, and that is the one a rerun restores. Our own files
(`run_folder.atomic_write`) are written to a temporary name and renamed.

Non-finite losses: `gan_tf.callbacks.StopOnNonFiniteLoss`, put before the checkpoint saver, stops training
before the epoch's checkpoint is written, so the last checkpoint is the last good state.
"""

import pathlib

import keras
import tensorflow as tf

from gan_tf import models, plotting
from gan_tf.images import run_folder
from gan_tf.models import sampling


def checkpoint_of(gan, epoch):
    """Everything a resumed run needs (the SeedGenerator is not trackable: its state variable is), with the
    generator average, ADA's state and instance noise's step when the GAN has them (so checkpoints of runs without
    them still match)."""
    return tf.train.Checkpoint(generator=gan.generator, discriminator=gan.discriminator,
                               d_optimizer=gan.d_optimizer, g_optimizer=gan.g_optimizer,
                               seed_state=gan.seed_generator.state, epoch=epoch, **model_state(gan))


def generator_state(gan):
    """{"generator": G} plus {"generator_average": its averaged weights} when the GAN keeps an average: what
    sampling and export restore."""
    average = {"generator_average": list(gan.average_variables)} if gan.average_variables else {}
    return {"generator": gan.generator, **average}


def model_state(gan):
    """The GAN's own variables beyond its networks: the generator average (`GAN(ema_half_life=...)`), an
    `AugmentedGAN`'s augmentation probability with ADA's running sums and an `InstanceNoiseGAN`'s step."""
    state = {name: value for name, value in generator_state(gan).items() if name != "generator"}
    if isinstance(gan, models.AugmentedGAN):
        state["augmentation"] = {"probability": gan.augment_probability, "overfitting_sum": gan.overfitting_sum,
                                 "overfitting_images": gan.overfitting_images, "d_steps_taken": gan.d_steps_taken}
    if isinstance(gan, models.InstanceNoiseGAN):  # the annealing schedule's position
        state["instance_noise"] = {"noise_step": gan.noise_step}
    return state


class CheckpointSaver(keras.callbacks.Callback):
    """After each epoch: the checkpoint, and with `write_files` the fixed-noise grid samples/epoch_NNN.png and
    generator.keras, both of the generator average when the GAN keeps one (a multi-worker run's non-chief
    workers save only their scratch checkpoint)."""

    def __init__(self, manager, epoch, run_dir, seed=0, grid_size=64, write_files=True):
        super().__init__()
        self.manager, self.epoch, self.run_dir = manager, epoch, pathlib.Path(run_dir)
        self.seed, self.grid_size, self.write_files = seed, grid_size, write_files

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.assign(epoch + 1)
        self.manager.save(checkpoint_number=epoch + 1)
        if not self.write_files:
            return
        (self.run_dir / "samples").mkdir(exist_ok=True)
        images = self.model.generate(self.grid_size, seed=self.seed)
        run_folder.atomic_write(self.run_dir / "samples" / f"epoch_{epoch + 1:03d}.png",
                     lambda path: plotting.save_image_grid(images, path))
        with sampling.averaged_weights(self.model.generator, self.model.generator_average):
            run_folder.atomic_write(self.run_dir / "generator.keras", self.model.generator.save, suffix=".keras")
