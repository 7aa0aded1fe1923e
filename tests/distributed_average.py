"""Worker for test_generator_average.py, run in a subprocess: logical CPU devices must exist before TF starts.

Trains a GAN with a generator average under MirroredStrategy on two logical CPUs, one global batch of 8 per step
(SGD; Adam failed here with "You must feed a value for placeholder tensor .../cond/Placeholder" until `GAN.fit`
created the optimizers' slots before the first step), and prints (as JSON) the generator's weights after each
step and the average at the end.
"""

import json

import tensorflow as tf

tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0], [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import gan_tf  # noqa: E402
from gan_tf import networks  # noqa: E402


class FixedLatentGAN(gan_tf.GAN):
    """z = a fixed ramp: the seed generator's draws are not what is tested here."""

    def sample_latent(self, batch_size, seed=None):
        return tf.reshape(tf.linspace(-1.0, 1.0, batch_size * self.latent_dim), [batch_size, self.latent_dim])


def main():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        keras.utils.set_random_seed(0)
        gan = FixedLatentGAN(networks.mlp_generator([4], latent_dim=2), networks.mlp_discriminator([8]), latent_dim=2,
                         seed=0, ema_half_life=16, ema_rampup=0.5)
        gan.compile(d_optimizer=keras.optimizers.SGD(0.05), g_optimizer=keras.optimizers.SGD(0.05), jit_compile=False)
    flat = lambda variables: [np.array(v).ravel().tolist() for v in variables]  # noqa: E731
    weights = [flat(gan.generator.trainable_weights)]
    for step in range(5):
        batch = np.random.default_rng(step).normal(2.0, 1.0, (8, 1)).astype(np.float32)
        gan.fit(tf.data.Dataset.from_tensors(batch).repeat(), steps_per_epoch=1, epochs=1, verbose=0)
        weights.append(flat(gan.generator.trainable_weights))
    print("RESULTS " + json.dumps({"replicas": strategy.num_replicas_in_sync, "weights": weights,
                                   "average": flat(gan.generator_average.variables)}))


if __name__ == "__main__":
    main()
