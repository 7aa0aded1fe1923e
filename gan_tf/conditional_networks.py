"""Class-conditional image networks for `models.ConditionalGAN`, made from the unconditional ones of `networks`
and `residual_networks`. Both take the label as a one-hot second input, as `ConditionalGAN` calls them:
`generator([z, one_hot(y)])`, `discriminator([x, one_hot(y)])`.

  conditional_generator       G(z, y) = G0([z, onehot(y)]): the one-hot label concatenated to z feeds an
                              unconditional generator G0 built for `latent_dim + num_classes` inputs. G0's first
                              layer is linear in its input, so its rows for the one-hot part are a learned class
                              embedding added to the projection of z (Mirza and Osindero 2014, "Conditional
                              Generative Adversarial Nets", https://arxiv.org/abs/1411.1784).
  projection_discriminator    D(x, y) = D0(x) + <V onehot(y), phi(x)>: an unconditional discriminator D0 whose
                              pooled last features phi(x) (the layer `networks.FEATURES_LAYER`, averaged over
                              positions) are projected on a learned class embedding V (Miyato and Koyama 2018,
                              "cGANs with Projection Discriminator", https://arxiv.org/abs/1802.05637, Eq. 3; the
                              paper's psi(phi(x)) is D0's own head). The embedding is not spectrally normalised.

Every layer added is a core Keras layer (the generator exports without gan_tf) and the heads stay float32.
"""

import keras

from gan_tf import checks, networks

LATENT_INPUT, LABEL_INPUT = "latent", "labels"


def conditional_generator(generator, num_classes, name="conditional_generator"):
    """G(z, y) from the unconditional `generator` of `[batch, latent_dim + num_classes]` inputs. Inputs: z
    `[batch, latent_dim]`, one-hot y `[batch, num_classes]`."""
    checks.integer_at_least("num_classes", num_classes, 2)
    input_dim = generator.inputs[0].shape[-1] if len(generator.inputs) == 1 else None
    if input_dim is None or input_dim <= num_classes:
        raise ValueError(f"The generator {generator.name!r} must take one input [batch, latent_dim + num_classes] "
                         f"with num_classes {num_classes}; its inputs: {[tuple(x.shape) for x in generator.inputs]}.")
    latent = keras.Input(shape=(input_dim - num_classes,), name=LATENT_INPUT)
    labels = keras.Input(shape=(num_classes,), name=LABEL_INPUT)
    joined = keras.layers.Concatenate(name="latent_and_label")([latent, labels])
    return keras.Model([latent, labels], generator(joined), name=name)


def projection_discriminator(discriminator, num_classes, name="projection_discriminator"):
    """D(x, y) from the unconditional `discriminator` (one logit per image, a layer named
    `networks.FEATURES_LAYER` or else its last 4-D activation before the head). Inputs: images, one-hot y
    `[batch, num_classes]`; output: one float32 logit `[batch, 1]`."""
    checks.integer_at_least("num_classes", num_classes, 2)
    features = _last_features(discriminator)
    images = keras.Input(shape=discriminator.inputs[0].shape[1:], name="images")
    labels = keras.Input(shape=(num_classes,), name=LABEL_INPUT)
    logits, feature_maps = keras.Model(discriminator.inputs, [discriminator.outputs[0], features],
                                       name=f"{discriminator.name}_with_features")(images)
    pooled = keras.layers.GlobalAveragePooling2D(dtype="float32", name="pooled_features")(feature_maps)
    embedding = keras.layers.Dense(pooled.shape[-1], use_bias=False, dtype="float32", name="class_embedding",
                                   kernel_initializer="glorot_uniform")(labels)
    projection = keras.layers.Dot(axes=1, dtype="float32", name="projection")([embedding, pooled])
    logits = keras.layers.Add(dtype="float32", name="logits_with_projection")([logits, projection])
    return keras.Model([images, labels], logits, name=name)


def _last_features(discriminator):
    names = [layer.name for layer in discriminator.layers]
    if networks.FEATURES_LAYER in names:
        return discriminator.get_layer(networks.FEATURES_LAYER).output
    four_dimensional = [layer for layer in discriminator.layers if len(layer.output.shape) == 4]
    if not four_dimensional:
        raise ValueError(f"The discriminator {discriminator.name!r} has no image-shaped features to project on; "
                         f"its layers: {names}.")
    return four_dimensional[-1].output
