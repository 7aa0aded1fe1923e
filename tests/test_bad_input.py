"""Bad input fails early with an error naming the thing and what was expected; nothing is clipped or dropped.

Covered elsewhere, not repeated here: a missing or image-less folder and a non-image or truncated file
(tests/test_images_datasets.py), a --data that is nothing known and a run directory without config.json
(tests/test_cli_train.py), latent_dim against a linear generator and an unknown loss in `GAN.compile`
(tests/test_models_gan.py), an unknown name in `losses.get` (tests/test_losses.py).
"""

import os
import re
import warnings

import keras
import numpy as np
import PIL.Image
import pytest
import tensorflow as tf

import gan_tf
from gan_tf import losses, networks
from gan_tf.images import datasets

LATENT_DIM = 4
IMAGE_SHAPE = (16, 16, 3)


def image_generator():
    """z [None, 4] -> images [None, 16, 16, 3] (tiny, not a DCGAN: only shapes matter here)."""
    latent = keras.Input((LATENT_DIM,), name="latent")
    images = keras.layers.Reshape(IMAGE_SHAPE)(keras.layers.Dense(int(np.prod(IMAGE_SHAPE)), activation="tanh")(latent))
    return keras.Model(latent, images, name="image_generator")


def discriminator(output_layer=None):
    images = keras.Input(IMAGE_SHAPE, name="images")
    logits = keras.layers.Dense(1)(keras.layers.Flatten()(images))
    return keras.Model(images, output_layer(logits) if output_layer else logits, name="critic")


def compiled_gan():
    gan = gan_tf.GAN(image_generator(), discriminator(), LATENT_DIM, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(), g_optimizer=keras.optimizers.Adam())
    return gan


def save_image(path, size, mode="RGB"):
    channels = {"L": (), "RGB": (3,), "RGBA": (4,)}[mode]
    pixels = np.random.default_rng(0).integers(0, 256, (size[1], size[0], *channels), dtype=np.uint8)
    PIL.Image.fromarray(pixels, mode).save(path)


# ---- image folders -------------------------------------------------------------------------------------------


def test_broken_link_is_named_as_unreadable_or_skipped_and_counted(tmp_path):
    for index in range(2):
        save_image(tmp_path / f"{index}.png", (8, 8))
    os.symlink(tmp_path / "gone.png", tmp_path / "broken.png")
    with pytest.raises(ValueError, match=r"broken\.png' cannot be read: No such file"):
        datasets.scan_image_folder(tmp_path)
    with pytest.warns(UserWarning, match="Skipped 1 of 3 files"):
        dataset = datasets.image_folder(tmp_path, image_size=8, batch_size=2, skip_invalid=True)
    assert len(list(dataset)) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_file_without_read_permission_is_named(tmp_path):
    save_image(tmp_path / "private.png", (8, 8))
    (tmp_path / "private.png").chmod(0)
    with pytest.raises(ValueError, match=r"private\.png' cannot be read: Permission denied"):
        datasets.scan_image_folder(tmp_path)


def test_folder_named_like_an_image_is_searched_not_read(tmp_path):
    (tmp_path / "photos.jpg").mkdir()
    with pytest.raises(FileNotFoundError, match="holds no"):  # not IsADirectoryError
        datasets.scan_image_folder(tmp_path)
    save_image(tmp_path / "photos.jpg" / "0.png", (8, 8))
    assert datasets.scan_image_folder(tmp_path).paths == [str(tmp_path / "photos.jpg" / "0.png")]


def test_corrupt_png_body_is_named_with_verify(tmp_path):
    save_image(tmp_path / "0.png", (32, 32))
    body = (tmp_path / "0.png").read_bytes()
    (tmp_path / "0.png").write_bytes(body[:40] + bytes(len(body) - 40))  # a valid header, a zeroed body
    with pytest.raises(ValueError, match=r"0\.png' is truncated or corrupt"):
        datasets.scan_image_folder(tmp_path, verify=True)


def test_mixed_sizes_and_modes_are_resized_and_converted_not_errors(tmp_path):
    """Documented behaviour: every image is resized to image_size and converted to `channels` (no error)."""
    for index, (size, mode) in enumerate([((8, 8), "RGB"), ((30, 17), "L"), ((12, 40), "RGBA"), ((5, 5), "L")]):
        save_image(tmp_path / f"{index}.png", size, mode)
    for channels in (1, 3):
        batches = [batch.numpy() for batch in datasets.image_folder(tmp_path, 16, 4, channels=channels, seed=0)]
        assert [batch.shape for batch in batches] == [(4, 16, 16, channels)]  # all four images, none dropped
        assert -1.0 <= batches[0].min() and batches[0].max() <= 1.0


# ---- networks handed to GAN --------------------------------------------------------------------------------------


@pytest.mark.parametrize("output_layer, shape", [(lambda: keras.layers.Dense(2), r"\(None, 2\)"),
                                                 (lambda: keras.layers.Reshape((1, 1)), r"\(None, 1, 1\)")])
def test_discriminator_output_must_be_one_logit_per_sample(output_layer, shape):
    with pytest.raises(ValueError, match=f"discriminator 'critic' must return .* \\[batch, 1\\]; its output has "
                                         f"shape {shape}"):
        gan_tf.GAN(image_generator(), discriminator(output_layer()), LATENT_DIM)


def test_latent_dim_must_match_an_image_generator():
    with pytest.raises(ValueError, match=r"latent_dim=100 does not match the generator 'image_generator'.*\(None, 4\)"):
        gan_tf.GAN(image_generator(), discriminator(), latent_dim=100)


@pytest.mark.parametrize("name", [["hinge"], None, keras.losses.BinaryCrossentropy()])
def test_loss_that_is_not_a_known_name(name):
    with pytest.raises(ValueError, match=r"Unknown loss .*expected one of \['hinge'"):
        losses.get(name)


def test_wgan_compile_rejects_an_unknown_loss():
    model = gan_tf.models.WGANGP(networks.mlp_generator([4], latent_dim=2, output_dim=2),
                                 networks.mlp_discriminator([4], input_dim=2), 2)
    with pytest.raises(ValueError, match="Unknown loss 'wasserstien'"):
        model.compile(keras.optimizers.Adam(), keras.optimizers.Adam(), loss="wasserstien")


# ---- real batches at the start of fit ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "real, real_shape",
    [
        (np.zeros((8, 32, 32, 3), np.float32), r"\(None, 32, 32, 3\)"),                # wrong image_size
        (np.zeros((8, 16, 16, 1), np.float32), r"\(None, 16, 16, 1\)"),                # grayscale for RGB
        (tf.data.Dataset.from_tensors(np.zeros((8, 16, 16, 1), np.float32)), r"\(8, 16, 16, 1\)"),
        (tf.data.Dataset.from_tensor_slices(np.zeros((8, 16, 16, 3), np.float32)), r"\(16, 16, 3\)"),  # unbatched
        (tf.data.Dataset.from_tensors((np.zeros((8, 16, 16, 4), np.float32), np.zeros(8))), r"\(8, 16, 16, 4\)"),
    ],
)
def test_fit_refuses_real_batches_of_another_shape_before_any_step(real, real_shape):
    gan = compiled_gan()
    weights = [weight.numpy().copy() for weight in gan.generator.weights + gan.discriminator.weights]
    with pytest.raises(ValueError, match=f"real batches have shape {real_shape} but the generator 'image_generator' "
                                         r"makes samples of shape \(None, 16, 16, 3\)"):
        gan.fit(real, batch_size=4, epochs=1, verbose=0)
    assert int(gan.d_optimizer.iterations) == 0 and int(gan.g_optimizer.iterations) == 0
    after = gan.generator.weights + gan.discriminator.weights
    assert all(np.array_equal(before, now.numpy()) for before, now in zip(weights, after))


def test_fit_accepts_matching_batches_and_unknown_batch_sizes():
    gan = compiled_gan()
    dataset = tf.data.Dataset.from_tensor_slices(np.zeros((8,) + IMAGE_SHAPE, np.float32)).batch(3)  # [None, ...]
    gan.fit(dataset, epochs=1, verbose=0)
    assert int(gan.d_optimizer.iterations) == 3


IMAGES = np.zeros((8,) + IMAGE_SHAPE, np.float32)


@pytest.mark.parametrize(
    "data, message",
    [
        (dict(x=tf.data.Dataset.from_tensors((IMAGES, np.zeros(8, np.int32)))), r"elements are a tuple of 2"),
        (dict(x=tf.data.Dataset.from_tensors({"images": IMAGES})), r"elements are a dict"),
        (dict(x=IMAGES, y=np.zeros(8, np.int32)), r"fit\(x\) without y"),
        (dict(x=(IMAGES * 255).astype(np.uint8)), r"floats .* got dtype uint8 .*127\.5 - 1"),
        (dict(x=tf.data.Dataset.from_tensors(IMAGES.astype(np.int32))), r"got dtype int32"),
    ],
)
def test_unconditional_fit_refuses_labels_and_integer_samples(data, message):
    gan = compiled_gan()
    with pytest.raises(ValueError, match=message):
        gan.fit(**data, batch_size=4, epochs=1, verbose=0)
    assert int(gan.d_optimizer.iterations) == 0


def test_fit_warns_on_float_images_far_outside_the_tanh_range():
    gan = compiled_gan()
    images = np.random.default_rng(0).uniform(0.0, 255.0, (8,) + IMAGE_SHAPE).astype(np.float32)
    with pytest.warns(UserWarning, match=r"outside \[-1\.5, 1\.5\].*\[-1, 1\]"):
        gan.fit(images, batch_size=8, epochs=1, verbose=0)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*tanh generator.*")
        gan.fit(images / 127.5 - 1.0, batch_size=8, epochs=1, verbose=0)


def test_fit_forces_shuffle_off_for_a_dataset_even_when_passed_positionally():
    gan = compiled_gan()
    dataset = tf.data.Dataset.from_tensors(IMAGES)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*shuffle.*")
        gan.fit(dataset, None, None, 1, 0, None, 0.0, None, True)
    assert int(gan.d_optimizer.iterations) == 1


def test_gan_tf_train_names_a_corrupt_image_that_tf_cannot_decode(tmp_path):
    from gan_tf.images import training  # noqa: PLC0415

    folder = tmp_path / "images"
    folder.mkdir()
    for index in range(7):
        PIL.Image.fromarray(np.full((16, 16, 3), 30 * index, np.uint8)).save(folder / f"{index}.jpg")
    good = (folder / "0.jpg").read_bytes()
    (folder / "5.jpg").write_bytes(good[: len(good) // 2])  # a JPEG header, half a body
    config = training.TrainConfig(data=str(folder), epochs=1, image_size=16, filters=4, batch_size=7,
                                  jit_compile=False)
    with pytest.raises(ValueError, match=r"5\.jpg.*truncated or corrupt"):
        training.train(config, tmp_path / "run", verbose=0)


@pytest.mark.parametrize("option, value", [("image_size", 48), ("latent_distribution", "gaussian"),
                                           ("strategy", "gpus"), ("precision", "float16")])
def test_train_config_refuses_bad_settings_before_writing_anything(tmp_path, option, value):
    from gan_tf.images import training  # noqa: PLC0415

    with pytest.raises(ValueError, match=f"{option} must be one of .*{value!r}"):
        training.TrainConfig(data="digits", **{option: value})


# ---- gan-tf train: a failed start leaves nothing behind --------------------------------------------------------


def test_a_failed_start_writes_nothing_and_the_corrected_command_works(tmp_path, capsys):
    from gan_tf import cli  # noqa: PLC0415

    folder = tmp_path / "images"
    folder.mkdir()
    for index in range(4):
        save_image(folder / f"{index}.png", (8, 8))
    (folder / "quota.png").write_text("<html>quota exceeded</html>")
    run = tmp_path / "run"
    tiny = ["--recipe", "dcgan", "--image-size", "16", "--filters", "4", "--steps-per-epoch", "1", "--epochs", "1",
            "--no-xla"]
    for extra, message in [([], r"quota\.png' is not an image .*--skip-invalid"),
                           (["--skip-invalid", "--batch-size", "8"], r"batch_size \(--batch-size\) 8 is larger than "
                                                                     "the 4 images")]:
        with pytest.raises(SystemExit) as stopped:
            cli.main(["train", "--data", str(folder), "--out", str(run), *tiny, *extra])
        assert stopped.value.code == 2 and re.search(message, capsys.readouterr().err)
        assert not run.exists()
    cli.main(["train", "--data", str(folder), "--out", str(run), *tiny, "--skip-invalid", "--batch-size", "2"])
    output = capsys.readouterr().out
    assert "4 images -> 16x16, batches of 2, 1 steps per epoch" in output
    assert "skipped 1 invalid image files (--skip-invalid)" in output
    assert f"checkpoints in {run / 'checkpoints'}" in output


@pytest.mark.parametrize("option, value, message", [
    ("seed", -1, r"seed \(--seed\) must be an integer in \[0, 2\*\*32\)"),
    ("feature_matching", float("nan"), r"feature_matching \(--feature-matching\) must be a finite number >= 0"),
    ("feature_matching", -0.5, r"feature_matching \(--feature-matching\) must be a finite number >= 0"),
    ("steps_per_epoch", -1, r"steps_per_epoch \(--steps-per-epoch\) must be a non-negative integer"),
    ("filters", 0, r"filters \(--filters\) must be a positive integer"),
])
def test_train_config_names_the_flag_of_a_bad_number(option, value, message):
    from gan_tf.images import training  # noqa: PLC0415

    with pytest.raises(ValueError, match=message):
        training.TrainConfig(data="digits", **{option: value})
