"""Steps per second of the blog's Normal experiment (linear G, MLP D [256, 256], batch 32), several ways.

Command:  python benchmarks/toy_steps_per_second.py [--steps 2000] [--eager-steps 300]   (or: make benchmark)
Prints:   steps/s of each variant and its ratio to a plain eager `GradientTape` loop measured in the same run:
            eager loop          Python loop, eager ops, tf.random sampling (the baseline)
            tf.function loop    the same step in one tf.function, called once per step from Python
            fit                 gan_tf.GAN.fit, steps_per_execution=1, no XLA
            fit spe=100         steps_per_execution=100 (100 steps per call into the graph)
            fit spe=100 + XLA   and jit_compile=True
Expected: on 2 CPU cores, fit with steps_per_execution and XLA runs tens of times faster than the eager loop
          (see benchmarks/README.md for measured figures). Compilation is excluded: every variant is warmed up.
"""

import argparse
import time

import keras
import tensorflow as tf

import gan_tf
from gan_tf import distributions, losses, networks

BATCH_SIZE = 32


def build(seed=0):
    keras.utils.set_random_seed(seed)
    generator, discriminator = networks.linear_generator(), networks.mlp_discriminator([256, 256])
    return generator, discriminator, keras.optimizers.Adam(0.01), keras.optimizers.Adam(0.02)


def hand_written_step(generator, discriminator, d_optimizer, g_optimizer):
    """One D update then one G update, written out with GradientTape (what a user would write by hand)."""
    real = tf.random.normal([BATCH_SIZE, 1], 2.0, 3.0)
    with tf.GradientTape() as tape:
        fake = generator(tf.random.normal([BATCH_SIZE, 1]), training=True)
        d_loss = losses.non_saturating_discriminator_loss(discriminator(real, training=True),
                                                          discriminator(fake, training=True))
    d_optimizer.apply(tape.gradient(d_loss, discriminator.trainable_variables), discriminator.trainable_variables)
    with tf.GradientTape() as tape:
        fake = generator(tf.random.normal([BATCH_SIZE, 1]), training=True)
        g_loss = losses.non_saturating_generator_loss(discriminator(fake, training=True))
    g_optimizer.apply(tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables)


def time_loop(step, steps, warmup=20):
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - start)


def time_fit(steps, steps_per_execution, jit_compile):
    generator, discriminator, d_optimizer, g_optimizer = build()
    gan = gan_tf.GAN(generator, discriminator, latent_dim=1, seed=0)
    gan.compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer,
                steps_per_execution=steps_per_execution, jit_compile=jit_compile)
    data = distributions.sample_dataset(distributions.normal(2.0, 3.0), BATCH_SIZE, seed=0)
    gan.fit(data, steps_per_epoch=steps_per_execution * 2, epochs=1, verbose=0, shuffle=False)  # compile
    start = time.perf_counter()
    gan.fit(data, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    return steps / (time.perf_counter() - start)


def measure(steps, eager_steps):
    networks_and_optimizers = build()
    eager = time_loop(lambda: hand_written_step(*networks_and_optimizers), eager_steps)
    compiled_step = tf.function(hand_written_step)
    networks_and_optimizers = build()
    function = time_loop(lambda: compiled_step(*networks_and_optimizers), steps)
    return {
        "eager loop": eager,
        "tf.function loop": function,
        "fit": time_fit(steps, 1, False),
        "fit spe=100": time_fit(steps, 100, False),
        "fit spe=100 + XLA": time_fit(steps, 100, True),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=2000, help="timed steps per compiled variant")
    parser.add_argument("--eager-steps", type=int, default=300, help="timed steps of the eager baseline")
    arguments = parser.parse_args(argv)
    results = measure(arguments.steps, arguments.eager_steps)
    baseline = results["eager loop"]
    print(f"\n{'variant':20s} {'steps/s':>9s} {'x eager':>8s}")
    for name, rate in results.items():
        print(f"{name:20s} {rate:9.0f} {rate / baseline:8.1f}")
    return results


if __name__ == "__main__":
    main()
