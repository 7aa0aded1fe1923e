"""Worker for test_distribute.py, run in a subprocess: logical CPU devices must exist before TF starts.

Prints one JSON object: weights and logged metrics after one training step on one replica, on two replicas,
on two replicas without dividing the loss by the number of replicas (a control that must differ); the same
for a batch-normalized DCGAN with and without synchronized batch norm; the z that two replicas draw from one
seed generator; and a short `gan_tf.images.training.train` run with strategy="mirrored".
"""

import json
import tempfile

import tensorflow as tf

tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0], [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import gan_tf  # noqa: E402
from gan_tf import networks  # noqa: E402
from gan_tf.images import training  # noqa: E402
from gan_tf.models import gan as gan_module  # noqa: E402

GLOBAL_BATCH = np.linspace(-3.0, 5.0, 8, dtype=np.float32).reshape(8, 1)


class ConstantLatentGAN(gan_tf.GAN):
    """Every z = 0.5, so one and two replicas see the same fake samples."""

    def sample_latent(self, batch_size, seed=None):
        return tf.fill([batch_size, self.latent_dim], 0.5)


GLOBAL_IMAGES = np.random.default_rng(1).uniform(-1.0, 1.0, (8, 16, 16, 1)).astype(np.float32)
GLOBAL_LATENT = np.random.default_rng(2).normal(size=(8, 4)).astype(np.float32)


class ReplicaSliceLatentGAN(gan_tf.GAN):
    """Replica r draws rows [r b, (r + 1) b) of one fixed global z: one and two replicas use the same 8 z."""

    def sample_latent(self, batch_size, seed=None):
        context = tf.distribute.get_replica_context()
        replica = 0 if context is None else context.replica_id_in_sync_group
        return tf.slice(tf.constant(GLOBAL_LATENT), [replica * batch_size, 0], [batch_size, self.latent_dim])


def mlp_gan():
    return ConstantLatentGAN(networks.linear_generator(), networks.mlp_discriminator([8, 8]), latent_dim=1)


def dcgan(synchronized):
    options = dict(image_size=16, channels=1, filters=4, synchronized_batch_norm=synchronized)
    return ReplicaSliceLatentGAN(networks.dcgan_generator(latent_dim=4, **options),
                                 networks.dcgan_discriminator(**options), latent_dim=4)


def weights_after_one_step(strategy, make_gan=mlp_gan, batch=GLOBAL_BATCH):
    """(weights, the metrics fit logged) after one SGD step on the global batch `batch`."""
    with strategy.scope():
        keras.utils.set_random_seed(0)
        gan = make_gan()
        gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    history = gan.fit(tf.data.Dataset.from_tensors(batch).repeat(), steps_per_epoch=1, epochs=1, verbose=0)
    weights = [np.array(weight).ravel().tolist() for weight in gan.generator.weights + gan.discriminator.weights]
    return {"weights": weights, "logs": {name: values[-1] for name, values in history.history.items()}}


def batch_norm_runs():
    results = {}
    for synchronized in (True, False):
        for name, strategy in (("one_replica", tf.distribute.get_strategy()), ("two_replicas", mirrored())):
            results[f"bn_{name}_{'sync' if synchronized else 'local'}"] = weights_after_one_step(
                strategy, lambda synchronized=synchronized: dcgan(synchronized), GLOBAL_IMAGES)
    return results


def mirrored_training_run():
    mirrored()  # sets a fresh key base for the strategy that training makes
    config = training.TrainConfig(data="digits", epochs=1, image_size=16, filters=4, latent_dim=8, batch_size=8,
                                  steps_per_epoch=2, every_n_steps=100, jit_compile=False, strategy="mirrored",
                                  sync_batch_norm=True)
    with tempfile.TemporaryDirectory() as run_dir:
        gan = training.train(config, run_dir, verbose=0)
        return {"replicas": gan.distribute_strategy.num_replicas_in_sync,
                "checkpoint": tf.train.latest_checkpoint(f"{run_dir}/checkpoints") is not None,
                "d_loss": gan.history.history["d_loss"][-1]}


def replica_latents(strategy):
    with strategy.scope():
        gan = gan_tf.GAN(networks.linear_generator(), networks.mlp_discriminator([4]), latent_dim=1, seed=3)
    latents = tf.function(lambda: strategy.run(lambda: gan.sample_latent(4)))()
    return [np.array(value).ravel().tolist() for value in strategy.experimental_local_results(latents)]


def mirrored():
    """A new strategy with its own collective keys for every model: models trained one after another in one
    process otherwise reuse collective instance keys and abort with "Shape mismatch in the collective
    instance" (tensorflow/tensorflow#62790). TF's own tests offset the keys the same way."""
    mirrored.count = getattr(mirrored, "count", 0) + 1
    tf.distribute.MirroredStrategy._collective_key_base = 1000 * mirrored.count
    return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


def main():
    results = {
        "one_replica": weights_after_one_step(tf.distribute.get_strategy()),
        "two_replicas": weights_after_one_step(mirrored()),
        "replica_latents": replica_latents(mirrored()),
        **batch_norm_runs(),
        "training_run": mirrored_training_run(),
    }
    gan_module.GAN._scaled_for_update = lambda gan, optimizer, loss: optimizer.scale_loss(loss)  # the control
    results["two_replicas_unscaled"] = weights_after_one_step(mirrored())
    print("RESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
