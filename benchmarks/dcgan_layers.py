"""Where a DCGAN 64x64 training step (batch 64) spends its time on CPU: each convolution forward and forward +
backward, and the parts of a step, in ms per call, with the share of the machine's sgemm rate each reaches.

Command:  TF_ENABLE_ONEDNN_OPTS=1 python benchmarks/dcgan_layers.py [--rounds 3]   (0: TensorFlow's Eigen kernels)
Measures: each part as a `tf.function` (no XLA), warmed up, then timed in --rounds interleaved rounds (medians);
          GFLOP/s = multiply-adds x 2 / time (forward + backward counts 3x the forward's multiply-adds, 2x for a
          first layer, whose input needs no gradient). The first line names the CPU and the oneDNN setting.
Expected: see benchmarks/README.md ("Where the DCGAN step's time goes"): with oneDNN on, G's transposed
          convolutions run at D's convolutions' speed.
"""

import argparse
import statistics
import time

import keras
import tensorflow as tf

from gan_tf import cpu_path, networks

BATCH_SIZE, LATENT_DIM = 64, 100


def convolution_parts(model, inputs):
    """{name: (function, multiply-adds)} for each convolution of `model` (forward, and forward + backward)."""
    parts, features = {}, inputs
    for layer in model.layers[1:]:
        outputs = layer(features, training=True) if isinstance(layer, keras.layers.BatchNormalization) \
            else layer(features)
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            kernel = layer.kernel.shape  # (k, k, in, out) or, transposed, (k, k, out, in): the product is the same
            positions = features.shape[1] * features.shape[2] if isinstance(layer, keras.layers.Conv2DTranspose) \
                else outputs.shape[1] * outputs.shape[2]
            macs = BATCH_SIZE * positions * kernel[0] * kernel[1] * kernel[2] * kernel[3]
            held = tf.identity(features)
            name = f"{layer.name} {tuple(features.shape[1:])} -> {tuple(outputs.shape[1:])}"
            parts[f"{name} forward"] = (tf.function(lambda layer=layer, held=held: layer(held)), macs)
            parts[f"{name} forward + backward"] = (tf.function(_forward_backward(layer, held)), 3 * macs)
        features = outputs
    return parts


def _forward_backward(layer, inputs):
    def run():
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            outputs = layer(inputs)
            loss = tf.reduce_sum(outputs * outputs)
        return tape.gradient(loss, [inputs, *layer.trainable_variables])

    return run


def step_parts(generator, discriminator, latent, images):
    """The pieces of a training step: G forward, D forward, D's update gradients, G's update gradients."""
    def d_gradients():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(discriminator(images, training=True))
        return tape.gradient(loss, discriminator.trainable_variables)

    def g_gradients():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(discriminator(generator(latent, training=True), training=True))
        return tape.gradient(loss, generator.trainable_variables)

    return {"G forward (training)": (tf.function(lambda: generator(latent, training=True)), None),
            "D forward (training)": (tf.function(lambda: discriminator(images, training=True)), None),
            "D forward + weight gradients (one batch)": (tf.function(d_gradients), None),
            "G update's gradients (G, D forward; D, G backward)": (tf.function(g_gradients), None)}


def sgemm_gflops(size=2048, repeats=5):
    left, right = tf.random.normal([size, size]), tf.random.normal([size, size])
    product = tf.function(lambda: tf.matmul(left, right))
    product().numpy()
    start = time.perf_counter()
    for _ in range(repeats):
        product().numpy()
    return repeats * 2 * size ** 3 / (time.perf_counter() - start) / 1e9


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (medians are reported)")
    arguments = parser.parse_args(argv)
    print(cpu_path.describe())
    generator, discriminator = networks.dcgan_generator(LATENT_DIM, 64), networks.dcgan_discriminator(64)
    latent = tf.random.normal([BATCH_SIZE, LATENT_DIM], seed=1)
    images = tf.random.uniform([BATCH_SIZE, 64, 64, 3], -1.0, 1.0, seed=2)
    parts = {**step_parts(generator, discriminator, latent, images), **convolution_parts(generator, latent),
             **convolution_parts(discriminator, images)}
    for function, _ in parts.values():
        function()
    times = {name: [] for name in parts}
    gemm = []
    for _ in range(arguments.rounds):
        gemm.append(sgemm_gflops())
        for name, (function, _) in parts.items():
            start = time.perf_counter()
            tf.nest.map_structure(lambda tensor: tensor.numpy(), function())
            times[name].append(1000 * (time.perf_counter() - start))
    peak = statistics.median(gemm)
    print(f"TensorFlow sgemm 2048^3: {peak:.0f} GFLOP/s (median of {arguments.rounds})")
    for name, (_, macs) in parts.items():
        milliseconds = statistics.median(times[name])
        gflops = None if macs is None else 2 * macs / milliseconds / 1e6
        rate = "" if gflops is None else f"{gflops:6.0f} GFLOP/s ({100 * gflops / peak:3.0f}% of sgemm)"
        print(f"{name:62s} {milliseconds:8.1f} ms {rate}")


if __name__ == "__main__":
    main()
