"""Worker for test_models_augmented.py, run in a subprocess: logical CPU devices must exist before TF starts.

Trains an ADA `AugmentedGAN` for `STEPS` steps on the same global batches of 8 images on one replica (with and
without XLA) and under MirroredStrategy on two logical CPUs (4 images each), and prints (as JSON) the signs of
D(real) it was built to give and each run's probability p after every step.

The data makes r_t = E[sign(D(x_real))] known whatever the augmentation: every real image is constant (+0.5 or
-0.5), D(x) = sum of the pixels (kernel of ones, no bias, learning rate 0) and the transforms are translation
(zero padding) and cutout (a zeroed square of a quarter of the image), which keep the sum's sign. Replica 0's
half of every batch is positive; replica 1's is not always, so a p computed from one replica's signs (or its
image count alone) would differ from the global one. Adam, whose slots `GAN.fit` creates before the first step
(created inside it, they fail under MirroredStrategy with "You must feed a value for placeholder tensor").
"""

import json

import tensorflow as tf

tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0], [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from gan_tf.models import augmented  # noqa: E402

SIZE, LATENT = 16, 4
SIGNS = [[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, -1, -1, -1, -1], [1, 1, 1, 1, 1, -1, -1, -1]]  # batches, cycled
STEPS = 12
ADA = {"probability": 0.5, "ada_target": 0.6, "ada_interval": 2, "ada_speed_images": 160}


def generator():
    latent = keras.Input((LATENT,))
    images = keras.layers.Reshape((SIZE, SIZE, 1))(keras.layers.Dense(SIZE * SIZE, activation="tanh")(latent))
    return keras.Model(latent, images)


def sign_discriminator():
    images = keras.Input((SIZE, SIZE, 1))
    logits = keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")(keras.layers.Flatten()(images))
    return keras.Model(images, logits)


def batches():
    images = 0.5 * np.asarray(SIGNS, np.float32)[:, :, None, None, None] * np.ones((1, 1, SIZE, SIZE, 1), np.float32)
    return tf.data.Dataset.from_tensor_slices(images).repeat()


def probabilities(strategy, jit_compile):
    """p after each of STEPS steps."""
    with strategy.scope():
        keras.utils.set_random_seed(0)
        gan = augmented.AugmentedGAN(generator(), sign_discriminator(), LATENT, seed=0,
                                     policies=("translation", "cutout"), **ADA)
        gan.compile(d_optimizer=keras.optimizers.Adam(0.0), g_optimizer=keras.optimizers.Adam(1e-3),
                    jit_compile=jit_compile)
    trace = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: trace.append(float(gan.augment_probability.numpy())))
    gan.fit(batches(), steps_per_epoch=STEPS, epochs=1, verbose=0, callbacks=[record])
    return {"replicas": strategy.num_replicas_in_sync, "p": trace}


def main():
    results = {"signs": SIGNS, "steps": STEPS, "ada": ADA,
               "one_replica": probabilities(tf.distribute.get_strategy(), jit_compile=False),
               "one_replica_xla": probabilities(tf.distribute.get_strategy(), jit_compile=True),
               "two_replicas": probabilities(tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]), jit_compile=False)}
    print("RESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
