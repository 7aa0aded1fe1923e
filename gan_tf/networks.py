"""Architectures: builder functions returning Functional `keras.Model`s.

Sources: "Strakhov 2018" is M. Strakhov, "Generative Adversarial Networks" (2018),
https://monnoroch.github.io/posts/2018/04/03/generative-adversarial-networks.html, with its TF1 code
(github.com/Monnoroch/generative); "Shekkizhar's write-up" is S. Shekkizhar, "Difficulties training a Generative
Adversarial Network", https://github.com/shekkizh/neuralnetworks.thought-experiments (Generative Models/GAN), with
its code (github.com/shekkizh/TensorflowProjects, Unsupervised_learning).

Networks know nothing about losses, and the GAN models know nothing about architectures. Every output
head (generator sample, discriminator logit) is float32 so that a `mixed_float16` policy never leaks
half precision into the losses.
"""

import keras
from keras import ops

from gan_tf import checks

# The MLPs' initialisation: kernels truncated normal (stddev 0.1), biases 0.1, as in Strakhov 2018's TF1 code.
MLP_KERNEL_STDDEV = 0.1
MLP_BIAS = 0.1


@keras.saving.register_keras_serializable(package="gan_tf")
class LocationScale(keras.layers.Layer):
    """x = |a| * z + b, elementwise: the linear generator of Strakhov 2018.

    With z ~ N(0, 1), x ~ N(b, |a|), so `mean` = b and `stddev` = |a|. It starts at mean 0, stddev 1.
    The absolute value (Strakhov 2018 wrote sqrt(a^2)) keeps `a` free to cross zero.
    """

    def build(self, input_shape):
        size = input_shape[-1]
        self.location = self.add_weight(name="location", shape=(size,), initializer="zeros")
        self.scale = self.add_weight(name="scale", shape=(size,), initializer="ones")

    def call(self, latent):
        return latent * ops.abs(self.scale) + self.location

    @property
    def mean(self):
        return ops.convert_to_tensor(self.location)

    @property
    def stddev(self):
        return ops.abs(self.scale)


def linear_generator(dim=1, mean=0.0, stddev=1.0):
    """The generator G(z) = |a| z + b of Strakhov 2018 on `dim` independent coordinates (see `LocationScale`).

    It starts at N(mean, stddev) in every coordinate: N(0, 1) by default, as in Strakhov 2018.
    """
    checks.positive_integer("dim", dim)
    if not stddev > 0.0:
        raise ValueError(f"stddev must be > 0, got {stddev!r}.")
    latent = keras.Input(shape=(dim,), name="latent")
    layer = LocationScale(dtype="float32", name="location_scale")
    samples = layer(latent)
    layer.location.assign([float(mean)] * dim)
    layer.scale.assign([float(stddev)] * dim)
    return keras.Model(latent, samples, name="linear_generator")


def location_scale_layer(generator):
    """The `LocationScale` layer of a generator built by `linear_generator`, or None for other generators."""
    for layer in generator.layers:
        if isinstance(layer, LocationScale):
            return layer
    return None


def mlp_generator(hidden, latent_dim=1, output_dim=1):
    """ReLU MLP generator: latent_dim -> hidden[0] -> ... -> output_dim (linear output), `MLP_*` init."""
    _check_hidden(hidden)
    checks.positive_integer("latent_dim", latent_dim)
    checks.positive_integer("output_dim", output_dim)
    latent = keras.Input(shape=(latent_dim,), name="latent")
    features = latent
    for index, units in enumerate(hidden):
        features = _mlp_dense(units, "relu", f"hidden_{index}")(features)
    samples = _mlp_dense(output_dim, None, "samples", dtype="float32")(features)
    return keras.Model(latent, samples, name="mlp_generator")


def mlp_discriminator(hidden, l2=0.0, dropout=0.0, input_dim=1):
    """ReLU MLP discriminator returning one float32 logit per sample, `MLP_*` init.

    Args:
      hidden: units of each hidden layer, e.g. `[256, 256]`.
      l2: Keras L2 coefficient on every kernel (output included, biases excluded): adds
        l2 * sum(W ** 2) to `model.losses`. Strakhov 2018's TF1 code used reg * tf.nn.l2_loss(W) =
        reg * sum(W ** 2) / 2, so its 5e-4 is `l2=2.5e-4` here.
      dropout: fraction of hidden units dropped after each hidden layer, in training only. Strakhov 2018's
        `--dropout 0.5` was a keep probability: 0.5 either way.
      input_dim: size of a sample.
    """
    _check_hidden(hidden)
    checks.positive_integer("input_dim", input_dim)
    if not l2 >= 0.0:
        raise ValueError(f"l2 must be >= 0, got {l2!r}.")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a fraction in [0, 1), got {dropout!r}.")
    regularizer = keras.regularizers.L2(l2) if l2 > 0.0 else None
    samples = keras.Input(shape=(input_dim,), name="samples")
    features = samples
    for index, units in enumerate(hidden):
        features = _mlp_dense(units, "relu", f"hidden_{index}", regularizer)(features)
        if dropout > 0.0:
            features = keras.layers.Dropout(dropout, name=f"dropout_{index}")(features)
    logits = _mlp_dense(1, None, "logits", regularizer, dtype="float32")(features)
    return keras.Model(samples, logits, name="mlp_discriminator")


def _mlp_dense(units, activation, name, regularizer=None, dtype=None):
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=keras.initializers.TruncatedNormal(stddev=MLP_KERNEL_STDDEV),
        bias_initializer=keras.initializers.Constant(MLP_BIAS),
        kernel_regularizer=regularizer,
        dtype=dtype,
        name=name,
    )


def _check_hidden(hidden):
    if not isinstance(hidden, (list, tuple)) or len(hidden) == 0:
        raise ValueError(f"hidden must be a non-empty list of positive layer sizes, got {hidden!r}.")
    for units in hidden:
        checks.positive_integer("every layer size in hidden", units)


# --------------------------------------------------------------------------------------------------
# DCGAN (images). Radford et al. 2015, "Unsupervised Representation Learning with Deep Convolutional
# Generative Adversarial Networks", https://arxiv.org/abs/1511.06434, as in the PyTorch reference
# (pytorch/examples dcgan): 4x4 kernels, no bias before BatchNorm, weights N(0, 0.02), BN gamma N(1, 0.02).
# The dense-ended DCGAN (Shekkizhar's write-up, the layout of carpedm20/DCGAN-tensorflow): G projects z with a
# dense layer, D ends with a dense logit, 5x5 kernels with biases, BN decay 0.9.
# Every generator maps z `[batch, latent_dim]` to images `[batch, size, size, channels]` in [-1, 1] (tanh,
# float32); every discriminator maps images to one float32 logit `[batch, 1]` and names its last conv
# activation "features" (see `feature_extractor`).
# --------------------------------------------------------------------------------------------------

DCGAN_STDDEV = 0.02          # Radford et al.: "initialized from a zero-centered Normal with stddev 0.02"
PYTORCH_BN = dict(momentum=0.9, epsilon=1e-5)  # PyTorch's BN momentum 0.1 is Keras' 0.9; eps 1e-5
DENSE_DCGAN_BN = dict(momentum=0.9, epsilon=1e-5)  # TF1 "decay 0.9", eps 1e-5, as in Shekkizhar's code
FEATURES_LAYER = "features"
DCGAN_SIZES = (16, 32, 64, 128)


def dcgan_generator(latent_dim=100, image_size=64, channels=3, filters=64, stddev=DCGAN_STDDEV,
                    synchronized_batch_norm=False):
    """Radford's generator: z -> 4x4 transposed conv (valid) -> stride-2 transposed convs, BN + ReLU -> tanh.

    At 64x64 and filters=64 the depths are 512-256-128-64-channels (ngf*8 ... ngf); at 32x32, 256-128-64.
    `synchronized_batch_norm`: under `tf.distribute`, batch statistics over the global batch (all replicas)
    instead of each replica's share (the same for every builder here).
    """
    _check_dcgan_arguments(latent_dim, image_size, channels, filters, stddev)
    blocks = _upsampling_blocks(image_size)
    latent = keras.Input(shape=(latent_dim,), name="latent")
    features = keras.layers.Reshape((1, 1, latent_dim), name="latent_as_image")(latent)
    for index in range(blocks):
        depth = filters * 2 ** (blocks - 1 - index)
        features = _transposed_convolution(depth, 4, 1 if index == 0 else 2, stddev, f"deconv_{index}",
                                           padding="valid" if index == 0 else "same")(features)
        features = _batch_norm(PYTORCH_BN, f"deconv_{index}_bn", synchronized_batch_norm)(features)
        features = keras.layers.ReLU(name=f"deconv_{index}_relu")(features)
    features = _transposed_convolution(channels, 4, 2, stddev, "to_image")(features)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(features)
    return keras.Model(latent, images, name=f"dcgan_generator_{image_size}")


def dcgan_discriminator(image_size=64, channels=3, filters=64, stddev=DCGAN_STDDEV, synchronized_batch_norm=False):
    """Radford's discriminator: stride-2 4x4 convs with LeakyReLU 0.2 and BN (not on the first) -> 4x4 valid
    conv to one float32 logit. At 64x64 and filters=64 the depths are 64-128-256-512."""
    _check_dcgan_arguments(1, image_size, channels, filters, stddev)
    blocks = _upsampling_blocks(image_size)
    images = keras.Input(shape=(image_size, image_size, channels), name="images")
    features = images
    for index in range(blocks):
        features = _convolution(filters * 2 ** index, 4, stddev, f"conv_{index}")(features)
        if index > 0:
            features = _batch_norm(PYTORCH_BN, f"conv_{index}_bn", synchronized_batch_norm)(features)
        name = FEATURES_LAYER if index == blocks - 1 else f"conv_{index}_lrelu"
        features = keras.layers.LeakyReLU(0.2, name=name)(features)
    logits = keras.layers.Conv2D(1, 4, padding="valid", use_bias=False, dtype="float32", name="logit_conv",
                                 kernel_initializer=keras.initializers.RandomNormal(0.0, stddev))(features)
    logits = keras.layers.Flatten(dtype="float32", name="logits")(logits)
    return keras.Model(images, logits, name=f"dcgan_discriminator_{image_size}")


def dense_dcgan_generator(latent_dim=100, image_size=64, channels=3, depths=None, stddev=DCGAN_STDDEV,
                          synchronized_batch_norm=False):
    """A DCGAN generator that starts with a dense projection: dense z -> 4x4xdepths[0] (BN, ReLU), then 5x5
    stride-2 transposed convs through depths[1:] (BN, ReLU) and to `channels` (tanh). Default depths:
    512-256-128-64 at 64x64. As in Shekkizhar's write-up (see the module docstring)."""
    depths = _dense_dcgan_depths(depths, image_size)
    _check_dcgan_arguments(latent_dim, image_size, channels, depths[-1], stddev)
    latent = keras.Input(shape=(latent_dim,), name="latent")
    features = keras.layers.Dense(4 * 4 * depths[0], kernel_initializer=_normal(stddev), name="projection")(latent)
    features = keras.layers.Reshape((4, 4, depths[0]), name="projection_as_image")(features)
    features = _batch_norm(DENSE_DCGAN_BN, "projection_bn", synchronized_batch_norm)(features)
    features = keras.layers.ReLU(name="projection_relu")(features)
    for index, depth in enumerate(depths[1:]):
        features = _transposed_convolution(depth, 5, 2, stddev, f"deconv_{index}", use_bias=True)(features)
        features = _batch_norm(DENSE_DCGAN_BN, f"deconv_{index}_bn", synchronized_batch_norm)(features)
        features = keras.layers.ReLU(name=f"deconv_{index}_relu")(features)
    features = _transposed_convolution(channels, 5, 2, stddev, "to_image", use_bias=True)(features)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(features)
    return keras.Model(latent, images, name=f"dense_dcgan_generator_{image_size}")


def dense_dcgan_discriminator(image_size=64, channels=3, depths=None, stddev=DCGAN_STDDEV,
                              synchronized_batch_norm=False):
    """A DCGAN discriminator that ends with a dense logit: 5x5 stride-2 convs through depths (default
    64-128-256-512 at 64x64), LeakyReLU 0.2, BN except on the first, then a dense float32 logit on the flattened
    last features. As in Shekkizhar's write-up (see the module docstring)."""
    depths = tuple(reversed(_dense_dcgan_depths(None if depths is None else tuple(reversed(depths)), image_size)))
    _check_dcgan_arguments(1, image_size, channels, depths[0], stddev)
    images = keras.Input(shape=(image_size, image_size, channels), name="images")
    features = images
    for index, depth in enumerate(depths):
        features = _convolution(depth, 5, stddev, f"conv_{index}", use_bias=True)(features)
        if index > 0:
            features = _batch_norm(DENSE_DCGAN_BN, f"conv_{index}_bn", synchronized_batch_norm)(features)
        name = FEATURES_LAYER if index == len(depths) - 1 else f"conv_{index}_lrelu"
        features = keras.layers.LeakyReLU(0.2, name=name)(features)
    flat = keras.layers.Flatten(name="flatten")(features)
    logits = keras.layers.Dense(1, kernel_initializer=_normal(stddev), dtype="float32", name="logits")(flat)
    return keras.Model(images, logits, name=f"dense_dcgan_discriminator_{image_size}")


def feature_extractor(discriminator, layer_name=FEATURES_LAYER):
    """A model sharing D's weights that returns (logits, features of `layer_name`) in one forward pass."""
    names = [layer.name for layer in discriminator.layers]
    if layer_name not in names:
        raise ValueError(f"The discriminator {discriminator.name!r} has no layer {layer_name!r}; its layers: {names}.")
    outputs = [discriminator.outputs[0], discriminator.get_layer(layer_name).output]
    return keras.Model(discriminator.input, outputs, name=f"{discriminator.name}_with_{layer_name}")


def first_weight_layer(model):
    """The first layer of `model` that has a kernel (D's first conv, G's first dense or transposed conv), looked
    for inside a nested model too (the unconditional network inside a `conditional_networks` one, the D inside
    `models.packing.packed_discriminator`)."""
    found = _first_kernel_layer(model)
    if found is None:
        raise ValueError(f"The model {model.name!r} has no layer with a kernel.")
    return found


def _first_kernel_layer(model):
    for layer in model.layers:
        found = _first_kernel_layer(layer) if isinstance(layer, keras.Model) else None
        if found is not None:
            return found
        if getattr(layer, "kernel", None) is not None:
            return layer
    return None


def _normal(stddev):
    return keras.initializers.RandomNormal(mean=0.0, stddev=stddev)


def _convolution(depth, kernel, stddev, name, use_bias=False):
    return keras.layers.Conv2D(depth, kernel, strides=2, padding="same", use_bias=use_bias,
                               kernel_initializer=_normal(stddev), name=name)


def _transposed_convolution(depth, kernel, strides, stddev, name, padding="same", use_bias=False):
    return keras.layers.Conv2DTranspose(depth, kernel, strides=strides, padding=padding, use_bias=use_bias,
                                        kernel_initializer=_normal(stddev), name=name)


def _batch_norm(options, name, synchronized=False):
    return keras.layers.BatchNormalization(gamma_initializer=keras.initializers.RandomNormal(1.0, DCGAN_STDDEV),
                                           synchronized=synchronized, name=name, **options)


def _upsampling_blocks(image_size):
    """log2(image_size / 4): G's blocks before its output layer (4x4 ... image_size/2), D's strided convs."""
    return {16: 2, 32: 3, 64: 4, 128: 5}[image_size]


def _dense_dcgan_depths(depths, image_size):
    if image_size not in DCGAN_SIZES:
        raise ValueError(f"image_size must be one of {DCGAN_SIZES}, got {image_size!r}.")
    upsamplings = _upsampling_blocks(image_size)
    if depths is None:
        return tuple(64 * 2 ** index for index in reversed(range(upsamplings)))
    depths = tuple(depths)
    if len(depths) != upsamplings:
        raise ValueError(f"depths must be {upsamplings} positive integers for image_size {image_size} "
                         f"(4x4 doubled {upsamplings} times), got {depths!r}.")
    for depth in depths:
        checks.positive_integer("every depth in depths", depth)
    return depths


def _check_dcgan_arguments(latent_dim, image_size, channels, filters, stddev):
    if image_size not in DCGAN_SIZES:
        raise ValueError(f"image_size must be one of {DCGAN_SIZES}, got {image_size!r}.")
    for name, value in (("latent_dim", latent_dim), ("channels", channels), ("filters", filters)):
        checks.positive_integer(name, value)
    if not stddev > 0.0:
        raise ValueError(f"stddev (of the initial weights) must be > 0, got {stddev!r}.")
