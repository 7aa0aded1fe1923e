"""Residual generator and discriminator for 32-128 px images, as in SNGAN and BigGAN.

After "Spectral Normalization for Generative Adversarial Networks" (Miyato, Kataoka, Koyama, Yoshida 2018,
https://arxiv.org/abs/1802.05957, Appendix B.4, the CIFAR-10 ResNet) and Gulrajani et al.'s WGAN-GP ResNet:
  G: z -> dense 4x4xW -> log2(size/4) up-blocks [BN, ReLU, 2x nearest, conv3, BN, ReLU, conv3; shortcut 2x nearest,
     conv1] -> BN, ReLU, conv3 -> tanh
  D: first block [conv3, ReLU, conv3, avg-pool; shortcut avg-pool, conv1] -> down-blocks [ReLU, conv3, ReLU, conv3,
     avg-pool; shortcut conv1, avg-pool] until 8x8 -> two blocks without pooling -> ReLU -> global sum -> dense 1
Every convolution and dense layer of D is wrapped in Keras' `SpectralNormalization` when `spectral_norm=True`
(one power iteration per training call, as the paper). D has no batch norm. Heads are float32 (mixed precision).
"""

import math

import keras

from gan_tf import checks

INITIALIZER = "glorot_uniform"  # SNGAN's ResNets (the Chainer code) use Xavier uniform


def residual_generator(latent_dim=128, image_size=32, channels=3, width=128, synchronized_batch_norm=False):
    """z `[batch, latent_dim]` -> images `[batch, size, size, channels]` in [-1, 1] (float32)."""
    blocks = _blocks(image_size)
    checks.positive_integer("latent_dim", latent_dim)
    checks.positive_integer("width", width)
    latent = keras.Input(shape=(latent_dim,), name="latent")
    features = keras.layers.Dense(4 * 4 * width, kernel_initializer=INITIALIZER, name="dense")(latent)
    features = keras.layers.Reshape((4, 4, width), name="dense_as_image")(features)
    for index in range(blocks):
        features = _generator_block(features, width, f"up_{index}", synchronized_batch_norm)
    features = _batch_norm("out_bn", synchronized_batch_norm)(features)
    features = keras.layers.ReLU(name="out_relu")(features)
    features = _convolution(channels, 3, "to_image")(features)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(features)
    return keras.Model(latent, images, name=f"residual_generator_{image_size}")


def residual_discriminator(image_size=32, channels=3, width=128, spectral_norm=True):
    """images -> one float32 logit `[batch, 1]`; spectrally normalised when `spectral_norm`."""
    blocks = _blocks(image_size)
    checks.positive_integer("width", width)
    wrap = _spectral if spectral_norm else (lambda layer: layer)
    images = keras.Input(shape=(image_size, image_size, channels), name="images")
    features = _first_discriminator_block(images, width, wrap)
    for index in range(blocks - 2):  # down to 8x8 (SNGAN: 32 -> 16 -> 8)
        features = _discriminator_block(features, width, wrap, f"down_{index}", downsample=True)
    for index in range(2):
        features = _discriminator_block(features, width, wrap, f"same_{index}", downsample=False)
    features = keras.layers.ReLU(name="out_relu")(features)
    pooled = keras.layers.GlobalAveragePooling2D(name="global_mean")(features)
    # SNGAN sums over the 8x8 positions; float32 from here (the wrapper casts its output to its input's dtype)
    pooled = keras.layers.Rescaling(8.0 * 8.0, dtype="float32", name="global_sum")(pooled)
    logits = wrap(keras.layers.Dense(1, kernel_initializer=INITIALIZER, dtype="float32", name="logits"))(pooled)
    return keras.Model(images, logits, name=f"residual_discriminator_{image_size}")


def _generator_block(inputs, width, name, synchronized):
    features = _batch_norm(f"{name}_bn_0", synchronized)(inputs)
    features = keras.layers.ReLU(name=f"{name}_relu_0")(features)
    features = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_upsample")(features)
    features = _convolution(width, 3, f"{name}_conv_0")(features)
    features = _batch_norm(f"{name}_bn_1", synchronized)(features)
    features = keras.layers.ReLU(name=f"{name}_relu_1")(features)
    features = _convolution(width, 3, f"{name}_conv_1")(features)
    shortcut = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_shortcut_upsample")(inputs)
    shortcut = _convolution(width, 1, f"{name}_shortcut_conv")(shortcut)
    return keras.layers.Add(name=f"{name}_add")([features, shortcut])


def _first_discriminator_block(images, width, wrap):
    features = wrap(_convolution(width, 3, "first_conv_0"))(images)
    features = keras.layers.ReLU(name="first_relu")(features)
    features = wrap(_convolution(width, 3, "first_conv_1"))(features)
    features = keras.layers.AveragePooling2D(2, name="first_pool")(features)
    shortcut = keras.layers.AveragePooling2D(2, name="first_shortcut_pool")(images)
    shortcut = wrap(_convolution(width, 1, "first_shortcut_conv"))(shortcut)
    return keras.layers.Add(name="first_add")([features, shortcut])


def _discriminator_block(inputs, width, wrap, name, downsample):
    features = keras.layers.ReLU(name=f"{name}_relu_0")(inputs)
    features = wrap(_convolution(width, 3, f"{name}_conv_0"))(features)
    features = keras.layers.ReLU(name=f"{name}_relu_1")(features)
    features = wrap(_convolution(width, 3, f"{name}_conv_1"))(features)
    shortcut = inputs
    if downsample:
        features = keras.layers.AveragePooling2D(2, name=f"{name}_pool")(features)
        shortcut = wrap(_convolution(width, 1, f"{name}_shortcut_conv"))(shortcut)
        shortcut = keras.layers.AveragePooling2D(2, name=f"{name}_shortcut_pool")(shortcut)
    return keras.layers.Add(name=f"{name}_add")([features, shortcut])


def _convolution(depth, kernel, name):
    return keras.layers.Conv2D(depth, kernel, padding="same", kernel_initializer=INITIALIZER, name=name)


def _spectral(layer):
    # The wrapper computes in its own dtype: give it the wrapped layer's (float32 for the logit).
    return keras.layers.SpectralNormalization(layer, power_iterations=1, dtype=layer.dtype_policy,
                                              name=f"{layer.name}_sn")


def _batch_norm(name, synchronized):
    return keras.layers.BatchNormalization(synchronized=synchronized, name=name)


def _blocks(image_size):
    """Up-blocks of G from 4x4 to `image_size` (32 -> 3); D pools the same number of times minus one."""
    if image_size not in (16, 32, 64, 128):
        raise ValueError(f"image_size must be 16, 32, 64 or 128 for the residual networks, got {image_size!r}.")
    return int(math.log2(image_size // 4))

