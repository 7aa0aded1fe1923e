"""DCGAN 64x64, batch 64: images/s of one training step (D update + G update), gan_tf on each TensorFlow CPU path
(oneDNN off / on, XLA off / on) against the lecture's PyTorch DCGAN, against the CPU's measured sgemm rate, and
the JPEG input pipeline against what training consumes. All in one run: ratios, not absolute rates, carry over.

Command:  python benchmarks/dcgan_images_per_second.py [--rounds 5] [--block-seconds 6] [--images 512]
                                                        [--rows "oneDNN: fit" "oneDNN: fit, shared" ...]
          (or: make benchmark-dcgan)
Measures: images/s (= steps/s x 64), variants timed in alternating rounds (`timing.py`), medians compared. The
          TensorFlow rows run in two worker processes (`dcgan_worker.py`), one with TF_ENABLE_ONEDNN_OPTS=0
          (TensorFlow's Eigen kernels; its default on CPUs without AVX512_VNNI/BF16, AVX-VNNI or AMX) and one
          with TF_ENABLE_ONEDNN_OPTS=1, timed in the same rounds as PyTorch; `fit` rows time the steps from the
          first batch's start to the last batch's end, not fit's start-up:
            PyTorch eager          the lecture's DCGAN (pytorch/examples) and its training loop, with 2
                                   intra-op threads and with 1; ratios use the faster
            gan_tf fit             gan_tf.GAN.fit, networks.dcgan_generator/dcgan_discriminator (Radford,
                                   ngf = ndf = 64), one in-memory real batch repeated (no input cost); "XLA":
                                   jit_compile=True; "shared": GAN(share_fake_batch=True), G forward once per
                                   step as the lecture's loop; "JPEG": fed by the input pipeline below
            input pipeline alone   gan_tf.images.datasets.celeba_folder over --images synthetic 178x218 JPEGs (about
                                   12 KB each, as CelebA's) in a temporary folder: read, decode, central 108 crop,
                                   antialiased resize to 64, batch 64, cache off (cache_bytes=0)
            32x32, filters 32      the DCGAN of reproductions/dcgan_digits.py (3 channels), with and without XLA
            sgemm                  NumPy float32 2048x2048 matrix products (its BLAS, both cores): GFLOP/s, and the
                                   images/s a step would reach at that rate (FLOPs counted by `step_flops`)
Expected: see benchmarks/README.md (CPU model and instruction set with every figure). On the AVX2 AMD EPYC
          (Zen 3) there, heavily loaded: oneDNN rows 1.3-1.8x TensorFlow's default (Eigen) rows, XLA rows slower
          than no XLA with oneDNN (0.65-0.78x), oneDNN + shared fake batch the fastest, 1.1-1.5x the faster
          PyTorch; one step takes several seconds under load, so a full run takes 10-20 minutes.
Without torch installed the PyTorch rows are skipped with a message.
"""

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import PIL.Image
import timing
import torch_reference

BATCH_SIZE, IMAGE_SIZE, LATENT_DIM = 64, 64, 100
CELEBA_WIDTH, CELEBA_HEIGHT = 178, 218
LEARNING_RATE, BETA_1 = 2e-4, 0.5
TORCH_2_THREADS, TORCH_1_THREAD = "PyTorch eager, 2 threads", "PyTorch eager, 1 thread"
WORKER = pathlib.Path(__file__).with_name("dcgan_worker.py")
# (row, oneDNN setting of its worker, worker variant)
TENSORFLOW_ROWS = [
    ("TF default (Eigen): fit", "0", "fit"),
    ("TF default (Eigen): fit + XLA", "0", "fit_xla"),
    ("oneDNN: fit", "1", "fit"),
    ("oneDNN: fit + XLA", "1", "fit_xla"),
    ("oneDNN: fit, shared", "1", "fit_shared"),
    ("oneDNN: fit, shared, JPEG input", "1", "fit_shared_jpeg"),
    ("input pipeline alone", "1", "pipeline"),
    ("32x32, filters 32, oneDNN: fit", "1", "small_fit"),
    ("32x32, filters 32, oneDNN: fit + XLA", "1", "small_fit_xla"),
]
SGEMM_SIZE = 2048


def step_flops(share_fake_batch):
    """FLOPs per image of one gan_tf training step (2 per multiply-add) of the 64x64 DCGAN (ngf = ndf = 64, z of
    100): per layer, forward = weight gradient = input gradient multiply-adds; D's first layer needs no input
    gradient in the D update, G's first none in the G update. The D update runs D forward and backward on the
    real and the fake batch; the G update runs G forward (unless shared), D forward, D's input gradients and G
    backward. Unshared 2.48 GFLOP, shared 2.27."""
    g_layers = [1 * 16 * 100 * 512, 16 * 16 * 512 * 256, 64 * 16 * 256 * 128, 256 * 16 * 128 * 64, 1024 * 16 * 64 * 3]
    d_layers = [1024 * 16 * 3 * 64, 256 * 16 * 64 * 128, 64 * 16 * 128 * 256, 16 * 16 * 256 * 512, 16 * 512]
    g_forward, d_forward = sum(g_layers), sum(d_layers)
    d_update = 2 * (d_forward + d_forward + d_forward - d_layers[0]) + (0 if share_fake_batch else g_forward)
    g_update = g_forward + d_forward + d_forward + g_forward + g_forward - g_layers[0]
    return 2 * (d_update + g_update)


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


class Worker:
    """A `dcgan_worker.py` process with TF_ENABLE_ONEDNN_OPTS=`onednn`; `ask(variant, count)` -> its answer."""

    def __init__(self, onednn, folder):
        environment = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": onednn, "TF_CPP_MIN_LOG_LEVEL": "2"}
        environment["PYTHONPATH"] = os.pathsep.join([str(WORKER.parent), *sys.path])
        self.folder = folder
        self.process = subprocess.Popen([sys.executable, str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, env=environment)

    def ask(self, variant, count=0):
        self.process.stdin.write(f"{variant} {count} {self.folder}\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        if not answer:
            raise RuntimeError(f"the benchmark worker stopped (exit code {self.process.poll()}) on {variant!r}")
        return answer

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def worker_runner(worker, variant):
    return lambda count: float(worker.ask(variant, count))


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


def sgemm_runner():
    """run(count): `count` float32 products of two 2048x2048 matrices with NumPy (one unit = one product)."""
    rng = np.random.default_rng(0)
    left, right = (rng.standard_normal((SGEMM_SIZE, SGEMM_SIZE), dtype=np.float32) for _ in range(2))
    out = np.empty_like(left)

    def run(count):
        for _ in range(count):
            np.matmul(left, right, out=out)

    return run


def variants(workers, rows=None):
    """The timed rows; `rows` (None: all) keeps only the TensorFlow rows named (PyTorch and sgemm always run)."""
    chosen = []
    if torch_reference.available():
        chosen.append(timing.Variant(TORCH_2_THREADS, torch_runner(2), 1))
        chosen.append(timing.Variant(TORCH_1_THREAD, torch_runner(1), 1))
    else:
        print(torch_reference.MISSING_MESSAGE)
    for name, onednn, variant in TENSORFLOW_ROWS:
        if rows is not None and name not in rows:
            continue
        chosen.append(timing.Variant(name, worker_runner(workers[onednn], variant), 4 if variant == "pipeline" else 1))
    chosen.append(timing.Variant("sgemm", sgemm_runner(), 1))
    return chosen


def report(rates):
    """The images/s table (sgemm as the images/s it would allow for the shared step) and the sgemm shares."""
    sgemm_gflops = [rate * 2 * SGEMM_SIZE ** 3 / 1e9 for rate in rates.pop("sgemm")]
    images = {name: [rate * BATCH_SIZE for rate in values] for name, values in rates.items()}
    images["compute limit (sgemm rate, shared step)"] = [gflops * 1e9 / step_flops(True) for gflops in sgemm_gflops]
    print(f"\nDCGAN {IMAGE_SIZE}x{IMAGE_SIZE}, batch {BATCH_SIZE}: images/s (one D and one G update per batch)")
    baselines = {"oneDNN: fit": "oneDNN: fit"} if "oneDNN: fit" in images else {}
    if TORCH_1_THREAD in images:
        baselines["PyTorch (faster)"] = [TORCH_2_THREADS, TORCH_1_THREAD]
    middle = timing.print_table(images, baselines, "images/s")
    sgemm = float(np.median(sgemm_gflops))
    print(f"\nsgemm (NumPy float32 {SGEMM_SIZE}^3): {sgemm:.0f} GFLOP/s (median; min-max "
          f"{min(sgemm_gflops):.0f}-{max(sgemm_gflops):.0f}). Share of it reached by each training row:")
    for name, value in middle.items():
        if name.startswith(("TF", "oneDNN")):
            flops = step_flops("shared" in name)
            print(f"  {name:40s} {value * flops / 1e9:6.0f} GFLOP/s = {100 * value * flops / 1e9 / sgemm:3.0f}%")
    consumed = max(rate for name, rate in middle.items() if name.startswith(("TF", "oneDNN", "PyTorch")))
    if "input pipeline alone" in middle:
        print(f"\ninput pipeline alone / fastest training step: {middle['input pipeline alone'] / consumed:.1f}x")
    return middle


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed blocks per variant (medians are reported)")
    parser.add_argument("--block-seconds", type=float, default=6.0, help="approximate length of one timed block")
    parser.add_argument("--images", type=int, default=512, help="synthetic JPEGs written for the input pipeline")
    parser.add_argument("--rows", nargs="+", choices=[name for name, _, _ in TENSORFLOW_ROWS], default=None,
                        help="time only these TensorFlow rows (default: all), e.g. for a quick check")
    arguments = parser.parse_args(argv)
    if arguments.images < BATCH_SIZE:
        raise ValueError(f"--images must be at least one batch ({BATCH_SIZE}), got {arguments.images}.")
    print(f"machine: {timing.machine_text()}")
    with tempfile.TemporaryDirectory(prefix="dcgan_benchmark_") as folder:
        write_jpegs(folder, arguments.images)
        workers = {onednn: Worker(onednn, folder) for onednn in ("0", "1")}
        try:
            for worker in workers.values():
                print(f"TensorFlow worker: {worker.ask('describe')}")
            started = time.strftime("%H:%M %Z")
            rates = timing.interleaved(variants(workers, arguments.rows), arguments.rounds, arguments.block_seconds)
        finally:
            for worker in workers.values():
                worker.close()
    middle = report(rates)
    print(f"started {started}; load average at the end: {timing.load_text()}")
    return middle


if __name__ == "__main__":
    main()
