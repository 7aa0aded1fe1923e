"""DCGAN 64x64, batch 64: images/s of one training step (D update + G update), gan_tf against the lecture's
PyTorch DCGAN, and the JPEG input pipeline's images/s against what training consumes.

Command:  python benchmarks/dcgan_images_per_second.py [--rounds 5] [--block-seconds 6] [--images 512]
          (or: make benchmark-dcgan)
Measures: images/s (= steps/s x 64), variants timed in alternating rounds, medians compared; `fit` rows time
          the steps from the first batch's start to the last batch's end (StepClock), not fit's start-up:
            PyTorch eager          the lecture's DCGAN (pytorch/examples) and its training loop, with 2
                                   intra-op threads and with 1; ratios use the faster
            gan_tf fit             gan_tf.GAN.fit, networks.dcgan_generator/dcgan_discriminator (Radford,
                                   ngf = ndf = 64), one in-memory real batch repeated (no input cost)
            gan_tf fit + XLA       the same with jit_compile=True
            gan_tf fit + XLA, JPEG the XLA model fed by the JPEG pipeline below instead: input cost included
            input pipeline alone   gan_tf.images.datasets.celeba_folder over --images synthetic 178x218 JPEGs (about
                                   12 KB each, as CelebA's) written to a temporary folder: read, decode, central
                                   108 crop, antialiased resize to 64, batch 64, cache off (cache_bytes=0)
Expected: (2 AMD EPYC cores shared with other jobs, load 1.5-4; see benchmarks/README.md) one step costs 1.5-3 s
          (about 160 GFLOP on either side): gan_tf without XLA 36-38 images/s, 0.9-1.6x the faster PyTorch
          depending on the load; XLA slower than no XLA (0.67-0.75x) on these CPU convolutions; the input
          pipeline alone delivers about 50x what the fastest training step consumes, so the input is not the
          bottleneck (the "JPEG" row matches its in-memory row within the noise).
Without torch installed the PyTorch row is skipped with a message.
"""

import argparse
import pathlib
import tempfile
import time

import keras
import numpy as np
import PIL.Image
import tensorflow as tf
import timing
import torch_reference

import gan_tf
from gan_tf import networks
from gan_tf.images import datasets

BATCH_SIZE, IMAGE_SIZE, LATENT_DIM = 64, 64, 100
CELEBA_WIDTH, CELEBA_HEIGHT = 178, 218
LEARNING_RATE, BETA_1 = 2e-4, 0.5
TORCH_2_THREADS, TORCH_1_THREAD = "PyTorch eager, 2 threads", "PyTorch eager, 1 thread"


def write_jpegs(folder, count, seed=0):
    """`count` smooth random 178x218 RGB JPEGs (quality 90, ~12 KB: CelebA-like size and decode cost)."""
    rng = np.random.default_rng(seed)
    folder = pathlib.Path(folder)
    for index in range(count):
        coarse = PIL.Image.fromarray(rng.integers(0, 256, (14, 12, 3), dtype=np.uint8))
        smooth = np.asarray(coarse.resize((CELEBA_WIDTH, CELEBA_HEIGHT), PIL.Image.BICUBIC)).astype(np.int16)
        noisy = np.clip(smooth + rng.integers(-8, 9, smooth.shape), 0, 255).astype(np.uint8)
        PIL.Image.fromarray(noisy).save(folder / f"{index:06d}.jpg", "JPEG", quality=90)
    return folder


def jpeg_batches(folder):
    """The CelebA pipeline over `folder`, cache off, repeated forever."""
    return datasets.celeba_folder(folder, IMAGE_SIZE, BATCH_SIZE, seed=0, cache_bytes=0).repeat()


def gan_tf_model(jit_compile, seed=0):
    keras.utils.set_random_seed(seed)
    gan = gan_tf.GAN(networks.dcgan_generator(LATENT_DIM, IMAGE_SIZE), networks.dcgan_discriminator(IMAGE_SIZE),
                     latent_dim=LATENT_DIM, seed=seed)
    optimizers = [keras.optimizers.Adam(LEARNING_RATE, beta_1=BETA_1, epsilon=1e-8) for _ in range(2)]
    gan.compile(d_optimizer=optimizers[0], g_optimizer=optimizers[1], jit_compile=jit_compile)
    return gan


def in_memory_batches(seed=0):
    batch = tf.random.stateless_uniform([BATCH_SIZE, IMAGE_SIZE, IMAGE_SIZE, 3], [seed, 0], -1.0, 1.0)
    return tf.data.Dataset.from_tensors(batch).repeat()


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
    return lambda count: [next(batches) for _ in range(count)]


def torch_runner(threads, seed=0):
    """run(count): the lecture's loop with `threads` intra-op threads (set at every call: it is global)."""
    torch_reference.set_up(seed)
    models = torch_reference.dcgan(LEARNING_RATE, BETA_1)
    real = torch_reference.torch.rand(BATCH_SIZE, 3, IMAGE_SIZE, IMAGE_SIZE) * 2 - 1

    def run(count):
        torch_reference.torch.set_num_threads(threads)
        for _ in range(count):
            torch_reference.dcgan_step(*models, real, LATENT_DIM)

    return run


def variants(folder):
    chosen = []
    if torch_reference.available():
        chosen.append(timing.Variant(TORCH_2_THREADS, torch_runner(2), 1))
        chosen.append(timing.Variant(TORCH_1_THREAD, torch_runner(1), 1))
    else:
        print(torch_reference.MISSING_MESSAGE)
    chosen.append(timing.Variant("gan_tf fit", fit_runner(gan_tf_model(False), in_memory_batches()), 1))
    xla = gan_tf_model(True)
    chosen.append(timing.Variant("gan_tf fit + XLA", fit_runner(xla, in_memory_batches()), 1))
    chosen.append(timing.Variant("gan_tf fit + XLA, JPEG input", fit_runner(xla, jpeg_batches(folder)), 1))
    chosen.append(timing.Variant("input pipeline alone", pipeline_runner(jpeg_batches(folder)), 4))
    return chosen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed blocks per variant (medians are reported)")
    parser.add_argument("--block-seconds", type=float, default=6.0, help="approximate length of one timed block")
    parser.add_argument("--images", type=int, default=512, help="synthetic JPEGs written for the input pipeline")
    arguments = parser.parse_args(argv)
    if arguments.images < BATCH_SIZE:
        raise ValueError(f"--images must be at least one batch ({BATCH_SIZE}), got {arguments.images}.")
    print(f"machine: {timing.machine_text()}")
    with tempfile.TemporaryDirectory(prefix="dcgan_benchmark_") as folder:
        write_jpegs(folder, arguments.images)
        rates = timing.interleaved(variants(folder), arguments.rounds, arguments.block_seconds)
    images = {name: [rate * BATCH_SIZE for rate in values] for name, values in rates.items()}
    print(f"\nDCGAN {IMAGE_SIZE}x{IMAGE_SIZE}, batch {BATCH_SIZE}: images/s (one D and one G update per batch)")
    baselines = {"gan_tf fit": "gan_tf fit"}
    if TORCH_1_THREAD in images:
        baselines["PyTorch (faster)"] = [TORCH_2_THREADS, TORCH_1_THREAD]
    middle = timing.print_table(images, baselines, "images/s")
    consumed = max(rate for name, rate in middle.items() if name != "input pipeline alone")
    print(f"\ninput pipeline alone / fastest training step: {middle['input pipeline alone'] / consumed:.1f}x "
          f"(the pipeline needs about {100 * consumed / middle['input pipeline alone']:.0f}% of its own "
          "2-core throughput to keep up)")
    print(f"load average at the end: {timing.load_text()}")
    return middle


if __name__ == "__main__":
    main()
