"""Layers for discriminators: minibatch discrimination and maxout units.

Minibatch discrimination: Salimans et al. 2016, "Improved Techniques for Training GANs",
https://arxiv.org/abs/1606.03498, Sec. 3.2. For features f(x_i) in R^A and a learned tensor T in R^{A x B x C}:

    M_i = f(x_i) T                      in R^{B x C}   (B kernels of dimension C)
    c_b(x_i, x_j) = exp(-||M_{i,b} - M_{j,b}||_1)
    o(x_i)_b = sum_{j=1..n} c_b(x_i, x_j)                 (j = i included, as in the paper: it adds 1)
    output_i = [f(x_i), o(x_i)]         in R^{A + B}

so each sample's features carry how close it is to the others of its batch: a collapsed generator, whose
samples are close to each other, gets large o(x) that real batches do not have.
"""

import keras
from keras import ops

from gan_tf import checks


@keras.saving.register_keras_serializable(package="gan_tf")
class MinibatchDiscrimination(keras.layers.Layer):
    """Appends B minibatch features to each sample's features (see the module docstring).

    Args:
      num_kernels: B, the number of appended features.
      kernel_dim: C, the dimension of each kernel's projection.
    """

    def __init__(self, num_kernels=5, kernel_dim=3, **kwargs):
        super().__init__(**kwargs)
        self.num_kernels = checks.positive_integer("num_kernels", num_kernels)
        self.kernel_dim = checks.positive_integer("kernel_dim", kernel_dim)

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(f"MinibatchDiscrimination expects features [batch, A], got shape {input_shape}.")
        shape = (input_shape[-1], self.num_kernels * self.kernel_dim)
        self.projection = self.add_weight(name="projection", shape=shape,
                                          initializer=keras.initializers.RandomNormal(stddev=0.1))

    def call(self, features):
        projected = ops.reshape(ops.matmul(features, self.projection), (-1, self.num_kernels, self.kernel_dim))
        differences = ops.expand_dims(projected, 0) - ops.expand_dims(projected, 1)  # [n, n, B, C]
        closeness = ops.exp(-ops.sum(ops.abs(differences), axis=-1))  # c_b(x_i, x_j): [n, n, B]
        return ops.concatenate([features, ops.sum(closeness, axis=1)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] + self.num_kernels)

    def get_config(self):
        return {**super().get_config(), "num_kernels": self.num_kernels, "kernel_dim": self.kernel_dim}


@keras.saving.register_keras_serializable(package="gan_tf")
class Maxout(keras.layers.Layer):
    """Maxout units (Goodfellow et al. 2013, https://arxiv.org/abs/1302.4389): `units` outputs, each the maximum
    of `pieces` affine functions of the input, h_i(x) = max_j (x W_ij + b_ij). PacGAN's 2-D discriminator used
    3 layers of 200 maxout units with 5 pieces ("LinearMaxout").

    Args:
      units: number of outputs.
      pieces: affine pieces per output (>= 2; 1 would be a plain linear layer).
    """

    def __init__(self, units, pieces=5, **kwargs):
        super().__init__(**kwargs)
        self.units = checks.positive_integer("units", units)
        self.pieces = checks.integer_at_least("pieces", pieces, 2)

    def build(self, input_shape):
        if input_shape[-1] is None:
            raise ValueError(f"Maxout needs a known last input dimension, got shape {input_shape}.")
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units * self.pieces),
                                      initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(self.units * self.pieces,), initializer="zeros")

    def call(self, inputs):
        affine = ops.matmul(inputs, self.kernel) + self.bias
        pieces = ops.reshape(affine, (-1, *affine.shape[1:-1], self.units, self.pieces))
        return ops.max(pieces, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "pieces": self.pieces}
