"""Architectures: builder functions returning Functional `keras.Model`s.

Networks know nothing about losses, and the GAN models know nothing about architectures. Every output
head (generator sample, discriminator logit) is float32 so that a `mixed_float16` policy never leaks
half precision into the losses.
"""

import keras
from keras import ops

# The blog's TF1 code initialised every dense layer with truncated normal (stddev 0.1) and biases 0.1.
BLOG_KERNEL_STDDEV = 0.1
BLOG_BIAS = 0.1


@keras.saving.register_keras_serializable(package="gan_tf")
class LocationScale(keras.layers.Layer):
    """x = |a| * z + b, elementwise: the blog's linear generator.

    With z ~ N(0, 1), x ~ N(b, |a|), so `mean` = b and `stddev` = |a|. It starts at mean 0, stddev 1.
    The absolute value (the blog wrote sqrt(a^2)) keeps `a` free to cross zero.
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
    """The blog's generator G(z) = |a| z + b on `dim` independent coordinates (see `LocationScale`).

    It starts at N(mean, stddev) in every coordinate: N(0, 1) by default, as in the blog.
    """
    _check_positive_int("dim", dim)
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
    """ReLU MLP generator: latent_dim -> hidden[0] -> ... -> output_dim (linear output), blog init."""
    _check_hidden(hidden)
    _check_positive_int("latent_dim", latent_dim)
    _check_positive_int("output_dim", output_dim)
    latent = keras.Input(shape=(latent_dim,), name="latent")
    features = latent
    for index, units in enumerate(hidden):
        features = _blog_dense(units, "relu", f"hidden_{index}")(features)
    samples = _blog_dense(output_dim, None, "samples", dtype="float32")(features)
    return keras.Model(latent, samples, name="mlp_generator")


def mlp_discriminator(hidden, l2=0.0, dropout=0.0, input_dim=1):
    """ReLU MLP discriminator returning one float32 logit per sample, blog init.

    Args:
      hidden: units of each hidden layer, e.g. `[256, 256]`.
      l2: Keras L2 coefficient on every kernel (output included, biases excluded): adds
        l2 * sum(W ** 2) to `model.losses`. The blog's TF1 code used reg * tf.nn.l2_loss(W) =
        reg * sum(W ** 2) / 2, so its 5e-4 is `l2=2.5e-4` here.
      dropout: fraction of hidden units dropped after each hidden layer, in training only. The blog's
        `--dropout 0.5` was a keep probability: 0.5 either way.
      input_dim: size of a sample.
    """
    _check_hidden(hidden)
    _check_positive_int("input_dim", input_dim)
    if not l2 >= 0.0:
        raise ValueError(f"l2 must be >= 0, got {l2!r}.")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a fraction in [0, 1), got {dropout!r}.")
    regularizer = keras.regularizers.L2(l2) if l2 > 0.0 else None
    samples = keras.Input(shape=(input_dim,), name="samples")
    features = samples
    for index, units in enumerate(hidden):
        features = _blog_dense(units, "relu", f"hidden_{index}", regularizer)(features)
        if dropout > 0.0:
            features = keras.layers.Dropout(dropout, name=f"dropout_{index}")(features)
    logits = _blog_dense(1, None, "logits", regularizer, dtype="float32")(features)
    return keras.Model(samples, logits, name="mlp_discriminator")


def _blog_dense(units, activation, name, regularizer=None, dtype=None):
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=keras.initializers.TruncatedNormal(stddev=BLOG_KERNEL_STDDEV),
        bias_initializer=keras.initializers.Constant(BLOG_BIAS),
        kernel_regularizer=regularizer,
        dtype=dtype,
        name=name,
    )


def _check_hidden(hidden):
    valid = isinstance(hidden, (list, tuple)) and len(hidden) > 0
    if not valid or any(not isinstance(units, int) or units <= 0 for units in hidden):
        raise ValueError(f"hidden must be a non-empty list of positive layer sizes, got {hidden!r}.")


def _check_positive_int(name, value):
    if not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
