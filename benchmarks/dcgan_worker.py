"""The TensorFlow side of `dcgan_images_per_second.py`, in its own process: TensorFlow reads
`TF_ENABLE_ONEDNN_OPTS` once, at import, so each oneDNN setting needs a process. The parent starts one worker per
setting (`python benchmarks/dcgan_worker.py`, the setting in its environment) and times the variants of all
workers in the same interleaved rounds.

Protocol (one line each way): the parent writes "VARIANT COUNT JPEG_FOLDER", the worker runs COUNT training steps
(or input batches) of VARIANT and answers with the seconds they took; "describe" answers `cpu_path.describe()`.
Variants: fit, fit_xla, fit_shared (GAN(share_fake_batch=True)), fit_shared_xla, fit_shared_jpeg (fed by the
JPEG pipeline instead of one in-memory batch), pipeline (the JPEG pipeline alone, batches); small_fit,
small_fit_xla: the 32x32 DCGAN of reproductions/dcgan_digits.py (filters 32, 3 channels).
"""

import sys
import time

import keras
import tensorflow as tf

import gan_tf
from gan_tf import cpu_path, networks
from gan_tf.images import datasets

BATCH_SIZE, IMAGE_SIZE, LATENT_DIM = 64, 64, 100
LEARNING_RATE, BETA_1 = 2e-4, 0.5


def gan_tf_model(jit_compile, share_fake_batch=False, image_size=IMAGE_SIZE, filters=64, seed=0):
    keras.utils.set_random_seed(seed)
    generator = networks.dcgan_generator(LATENT_DIM, image_size, filters=filters)
    gan = gan_tf.GAN(generator, networks.dcgan_discriminator(image_size, filters=filters), latent_dim=LATENT_DIM,
                     seed=seed, share_fake_batch=share_fake_batch)
    optimizers = [keras.optimizers.Adam(LEARNING_RATE, beta_1=BETA_1, epsilon=1e-8) for _ in range(2)]
    gan.compile(d_optimizer=optimizers[0], g_optimizer=optimizers[1], jit_compile=jit_compile)
    return gan


def in_memory_batches(image_size=IMAGE_SIZE, seed=0):
    batch = tf.random.stateless_uniform([BATCH_SIZE, image_size, image_size, 3], [seed, 0], -1.0, 1.0)
    return tf.data.Dataset.from_tensors(batch).repeat()


def jpeg_batches(folder):
    """The CelebA pipeline over `folder`, cache off, repeated forever."""
    return datasets.celeba_folder(folder, IMAGE_SIZE, BATCH_SIZE, seed=0, cache_bytes=0).repeat()


class StepClock(keras.callbacks.Callback):
    """Seconds from the start of the first batch to the end of the last one in a `fit` call: the steps,
    without fit's own start-up and teardown (1-3 s per call here, paid once per epoch in real training)."""

    def on_train_begin(self, logs=None):
        self.first_start = self.last_end = None

    def on_train_batch_begin(self, batch, logs=None):
        if self.first_start is None:
            self.first_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.last_end = time.perf_counter()


def fit_runner(gan, dataset):
    """run(count): fit for `count` steps; returns the seconds the steps took (see StepClock)."""
    clock = StepClock()

    def run(count):
        gan.fit(dataset, steps_per_epoch=count, epochs=1, verbose=0, callbacks=[clock])
        return clock.last_end - clock.first_start

    return run


def pipeline_runner(dataset):
    batches = iter(dataset)

    def run(count):
        start = time.perf_counter()
        for _ in range(count):
            next(batches)
        return time.perf_counter() - start

    return run


def make_runner(variant, folder):
    if variant == "pipeline":
        return pipeline_runner(jpeg_batches(folder))
    if variant.startswith("small"):  # the 32x32 DCGAN of reproductions/dcgan_digits.py (filters 32)
        return fit_runner(gan_tf_model(variant.endswith("xla"), image_size=32, filters=32), in_memory_batches(32))
    shared = variant.startswith("fit_shared")
    data = jpeg_batches(folder) if variant.endswith("jpeg") else in_memory_batches()
    return fit_runner(gan_tf_model(variant.endswith("xla"), shared), data)


def main():
    runners = {}
    for line in sys.stdin:
        variant, count, folder = line.split()
        if variant == "describe":
            answer = cpu_path.describe()
        else:
            if variant not in runners:
                runners[variant] = make_runner(variant, folder)
            answer = f"{runners[variant](int(count)):.6f}"
        print(answer, flush=True)


if __name__ == "__main__":
    main()
