"""Worker for test_distribute.py, run in a subprocess: logical CPU devices must exist before TF starts.

Prints one JSON object: weights after one training step on one replica, on two replicas, on two replicas
without dividing the loss by the number of replicas (a control that must differ), and the z that two
replicas draw from one seed generator.
"""

import json

import tensorflow as tf

tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0], [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import gan_tf  # noqa: E402
from gan_tf import networks  # noqa: E402
from gan_tf.models import gan as gan_module  # noqa: E402

GLOBAL_BATCH = np.linspace(-3.0, 5.0, 8, dtype=np.float32).reshape(8, 1)


class ConstantLatentGAN(gan_tf.GAN):
    """Every z = 0.5, so one and two replicas see the same fake samples."""

    def sample_latent(self, batch_size, seed=None):
        return tf.fill([batch_size, self.latent_dim], 0.5)


def weights_after_one_step(strategy):
    with strategy.scope():
        keras.utils.set_random_seed(0)
        gan = ConstantLatentGAN(networks.linear_generator(), networks.mlp_discriminator([8, 8]), latent_dim=1)
        gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    gan.fit(tf.data.Dataset.from_tensors(GLOBAL_BATCH).repeat(), steps_per_epoch=1, epochs=1, verbose=0)
    return [np.array(weight).tolist() for weight in gan.generator.weights + gan.discriminator.weights]


def replica_latents(strategy):
    with strategy.scope():
        gan = gan_tf.GAN(networks.linear_generator(), networks.mlp_discriminator([4]), latent_dim=1, seed=3)
    latents = tf.function(lambda: strategy.run(lambda: gan.sample_latent(4)))()
    return [np.array(value).ravel().tolist() for value in strategy.experimental_local_results(latents)]


def main():
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    results = {
        "one_replica": weights_after_one_step(tf.distribute.get_strategy()),
        "two_replicas": weights_after_one_step(mirrored),
        "replica_latents": replica_latents(mirrored),
    }
    gan_module._scale_for_update = lambda optimizer, loss: optimizer.scale_loss(loss)  # the control
    results["two_replicas_unscaled"] = weights_after_one_step(mirrored)
    print("RESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
