"""Toy GANs: steps/s of gan_tf against a plain eager TF loop and against the same model in PyTorch eager.

Command:  python benchmarks/toy_vs_pytorch.py [--toy blog_1d lecture_2d] [--rounds 5] [--block-seconds 2]
          (or: make benchmark, which also installs the CPU builds of torch==2.13.0 and jax==0.10.2 into .venv)
Measures: for each toy, training steps per second (one step = one D update then one G update), of
            PyTorch eager      the same networks, init, Adam and batch in PyTorch 2.13, plain loop, with
                               2 intra-op threads and with 1 (faster for such small layers, and far less
                               hurt when other processes share the cores); ratios use the faster of the two
            torch.compile      the same step compiled whole, backward passes and Adam included
                               (`torch._dynamo.config.trace_autograd_ops = True`), 1 thread
            JAX lax.scan       the JAX twin (benchmarks/jax_reference.py): 100 steps in one `jax.jit` of a
                               `jax.lax.scan`, the fastest way a JAX user writes a toy
            TF eager loop      the same step written with GradientTape, run eagerly from Python
            gan_tf fit         gan_tf.GAN.fit, steps_per_execution=100
            gan_tf fit + XLA   the same with jit_compile=True
            ..., stacked       compile(stacked_batches=True): each dataset element stacks 100 batches and one
                               Keras step (one XLA launch) runs 100 training steps
          Variants are timed in alternating rounds of about --block-seconds each (compilation excluded) and the
          medians compared. Targets (2 cores): stacked >= 4x "PyTorch (faster)" and >= 1.0x "JAX lax.scan" on
          blog_1d, >= 10x PyTorch on lecture_2d.
Toys:     blog_1d     the blog's Normal experiment: linear G, MLP D [256, 256], batch 32, Adam 0.01 / 0.02
          lecture_2d  EE-559 lecture 10.1's minimal GAN: 8 -> 100 -> 2 and 2 -> 100 -> 1, batch 10, Adam 1e-3,
                      saturating G loss, a two-Gaussian 2-D target
Expected: (2 AMD EPYC cores; see benchmarks/README.md) on a quiet machine (load ~1) stacked batches run 3.7x
          PyTorch eager on blog_1d (2,056 vs 558 steps/s) and 14.7x on lecture_2d; `fit` + XLA without them about
          1.7-2x. With another job on one core blog_1d's stacked ratio falls to ~2.5x. PyTorch with 2 threads
          collapses under such load (single rounds at 6-30 steps/s). Why: benchmarks/toy_profile.py.
Without torch (jax) installed the PyTorch (JAX) rows and column are skipped with a message.
"""

import argparse

import jax_reference
import keras
import tensorflow as tf
import tensorflow_probability as tfp
import timing
import torch_reference

import gan_tf
from gan_tf import distributions, losses, networks

STEPS_PER_EXECUTION = 100
TORCH_2_THREADS, TORCH_1_THREAD = "PyTorch eager, 2 threads", "PyTorch eager, 1 thread"
TORCH_COMPILED = "torch.compile, 1 thread"
JAX_SCAN = "JAX lax.scan, 100 steps/jit"
TOYS = {
    # name: batch, latent_dim, loss, learning rates (D, G)
    "blog_1d": dict(batch_size=32, latent_dim=1, loss="non_saturating", learning_rates=(0.01, 0.02)),
    "lecture_2d": dict(batch_size=10, latent_dim=8, loss="minimax", learning_rates=(1e-3, 1e-3)),
}


def torch_like_dense(units, fan_in, activation=None):
    """keras Dense with nn.Linear's default init: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    bound = fan_in ** -0.5
    return keras.layers.Dense(units, activation=activation,
                              kernel_initializer=keras.initializers.VarianceScaling(1.0 / 3.0, "fan_in", "uniform"),
                              bias_initializer=keras.initializers.RandomUniform(-bound, bound))


def lecture_networks(latent_dim=8, hidden=100):
    latent = keras.Input(shape=(latent_dim,))
    generator = keras.Model(latent, torch_like_dense(2, hidden)(torch_like_dense(hidden, latent_dim, "relu")(latent)))
    samples = keras.Input(shape=(2,))
    discriminator = keras.Model(samples, torch_like_dense(1, hidden)(torch_like_dense(hidden, 2, "relu")(samples)))
    return generator, discriminator


def two_gaussians():
    tfd = tfp.distributions
    components = tfd.MultivariateNormalDiag(loc=[[-1.5, 0.0], [1.5, 0.0]], scale_diag=[[0.2, 0.6], [0.2, 0.6]])
    return tfd.MixtureSameFamily(tfd.Categorical(probs=[0.5, 0.5]), components)


def keras_toy(toy, seed=0, stack=None):
    """(generator, discriminator, d_optimizer, g_optimizer, dataset of real batches) for `toy` (stacks of
    `stack` batches when given)."""
    settings = TOYS[toy]
    keras.utils.set_random_seed(seed)
    if toy == "blog_1d":
        generator, discriminator = networks.linear_generator(), networks.mlp_discriminator([256, 256])
        target = distributions.normal(2.0, 3.0)
    else:
        generator, discriminator = lecture_networks(settings["latent_dim"])
        target = two_gaussians()
    d_rate, g_rate = settings["learning_rates"]
    dataset = distributions.sample_dataset(target, settings["batch_size"], seed=seed, stack=stack)
    return generator, discriminator, keras.optimizers.Adam(d_rate), keras.optimizers.Adam(g_rate), dataset


def eager_runner(toy):
    """run(count): the GAN step written by hand with GradientTape, executed eagerly."""
    generator, discriminator, d_optimizer, g_optimizer, dataset = keras_toy(toy)
    settings = TOYS[toy]
    family = losses.get(settings["loss"])
    batches = iter(dataset)
    latent_shape = (settings["batch_size"], settings["latent_dim"])

    def step():
        real = next(batches)
        fake = generator(tf.random.normal(latent_shape), training=False)
        with tf.GradientTape() as tape:
            d_loss = family.discriminator_loss(discriminator(real, training=True), discriminator(fake, training=True))
        d_optimizer.apply(tape.gradient(d_loss, discriminator.trainable_variables), discriminator.trainable_variables)
        with tf.GradientTape() as tape:
            g_loss = family.generator_loss(discriminator(generator(tf.random.normal(latent_shape), training=True),
                                                         training=True))
        g_optimizer.apply(tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables)

    return lambda count: [step() for _ in range(count)]


def fit_runner(toy, jit_compile, stacked=False):
    """run(count): `gan_tf.GAN.fit` for `count` steps (a multiple of STEPS_PER_EXECUTION): STEPS_PER_EXECUTION
    steps per Keras execution, or with `stacked` STEPS_PER_EXECUTION batches per Keras step
    (`compile(stacked_batches=True)`: one XLA launch per 100 steps)."""
    generator, discriminator, d_optimizer, g_optimizer, dataset = keras_toy(
        toy, stack=STEPS_PER_EXECUTION if stacked else None)
    settings = TOYS[toy]
    gan = gan_tf.GAN(generator, discriminator, latent_dim=settings["latent_dim"], seed=0)
    execution = {"stacked_batches": True} if stacked else {"steps_per_execution": STEPS_PER_EXECUTION}
    gan.compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer, loss=settings["loss"], jit_compile=jit_compile,
                **execution)
    elements = (lambda count: count // STEPS_PER_EXECUTION) if stacked else (lambda count: count)
    return lambda count: gan.fit(dataset, steps_per_epoch=elements(count), epochs=1, verbose=0)


def torch_runner(toy, threads, seed=0):
    """run(count): the PyTorch twin, `threads` intra-op threads (set at every call: the setting is global)."""
    settings = TOYS[toy]
    torch_reference.set_up(seed)
    if toy == "blog_1d":
        models = torch_reference.blog_1d()
        sample_real = torch_reference.normal_sampler(2.0, 3.0, settings["batch_size"])
    else:
        models = torch_reference.lecture_2d(settings["latent_dim"])
        sample_real = torch_reference.two_gaussians_sampler(settings["batch_size"])
    saturating = settings["loss"] == "minimax"

    def run(count):
        torch_reference.torch.set_num_threads(threads)
        for _ in range(count):
            torch_reference.toy_step(*models, sample_real, settings["latent_dim"], settings["batch_size"], saturating)

    run.models, run.sample_real = models, sample_real
    return run


def torch_compiled_runner(toy, seed=0):
    """run(count): the PyTorch twin's whole step under `torch.compile` (backward and Adam included), 1 thread."""
    run_eager = torch_runner(toy, 1, seed)
    settings = TOYS[toy]
    models, sample_real = run_eager.models, run_eager.sample_real
    step = torch_reference.compiled_toy_step(*models, sample_real, settings["latent_dim"], settings["batch_size"],
                                             settings["loss"] == "minimax")

    def run(count):
        torch_reference.torch.set_num_threads(1)
        for _ in range(count):
            step()

    return run


def variants(toy):
    chosen = []
    if torch_reference.available():
        chosen.append(timing.Variant(TORCH_2_THREADS, torch_runner(toy, 2), 1))
        chosen.append(timing.Variant(TORCH_1_THREAD, torch_runner(toy, 1), 1))
        chosen.append(timing.Variant(TORCH_COMPILED, torch_compiled_runner(toy), 1))
    else:
        print(torch_reference.MISSING_MESSAGE)
    if jax_reference.available():
        chosen.append(timing.Variant(JAX_SCAN, jax_reference.toy_runner(toy, STEPS_PER_EXECUTION),
                                     STEPS_PER_EXECUTION))
    else:
        print(jax_reference.MISSING_MESSAGE)
    chosen.append(timing.Variant("TF eager loop", eager_runner(toy), 1))
    chosen.append(timing.Variant("gan_tf fit", fit_runner(toy, False), STEPS_PER_EXECUTION))
    chosen.append(timing.Variant("gan_tf fit + XLA", fit_runner(toy, True), STEPS_PER_EXECUTION))
    chosen.append(timing.Variant("gan_tf fit + XLA, stacked", fit_runner(toy, True, stacked=True),
                                 STEPS_PER_EXECUTION))
    return chosen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--toy", nargs="+", choices=sorted(TOYS), default=sorted(TOYS))
    parser.add_argument("--rounds", type=int, default=5, help="timed blocks per variant (medians are reported)")
    parser.add_argument("--block-seconds", type=float, default=2.0, help="approximate length of one timed block")
    arguments = parser.parse_args(argv)
    return timing.run_toys(arguments.toy, variants, baselines, heading, arguments.rounds, arguments.block_seconds)


def heading(toy):
    return f"batch {TOYS[toy]['batch_size']}, steps/s (one D and one G update per step)"


def baselines(rates):
    chosen = {"TF eager loop": "TF eager loop"}
    if TORCH_1_THREAD in rates:
        chosen["PyTorch (faster)"] = [TORCH_2_THREADS, TORCH_1_THREAD]
    if JAX_SCAN in rates:
        chosen["JAX lax.scan"] = JAX_SCAN
    return chosen


if __name__ == "__main__":
    main()
