"""Image pipelines: the contract (dtype, shape, range, full batches), determinism, bad input, TFDS (mocked)."""

import numpy as np
import PIL.Image
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from gan_tf.images import datasets


def write_images(folder, count, size=(20, 12), fmt="JPEG", seed=0):
    """`count` random RGB images of `size` (width, height) under `folder`; returns their pixel arrays."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(count, size[1], size[0], 3), dtype=np.uint8)
    for index, image in enumerate(pixels):
        PIL.Image.fromarray(image).save(folder / f"{index:03d}.{fmt.lower()}", format=fmt)
    return pixels


def all_batches(dataset):
    return [batch.numpy() for batch in dataset]


def check_contract(batch, batch_size, size, channels):
    assert batch.dtype == np.float32
    assert batch.shape == (batch_size, size, size, channels)
    assert batch.min() >= -1.0 and batch.max() <= 1.0


def test_image_folder_contract_and_drop_remainder(tmp_path):
    write_images(tmp_path / "a", 7)
    write_images(tmp_path / "a" / "nested", 3, fmt="PNG", seed=1)
    batches = all_batches(datasets.image_folder(tmp_path / "a", image_size=16, batch_size=4, seed=0))
    assert len(batches) == 2  # 10 images -> two full batches of 4, the last 2 dropped
    for batch in batches:
        check_contract(batch, 4, 16, 3)


def test_pixel_mapping_is_linear_to_minus_one_one(tmp_path):
    folder = tmp_path / "flat"
    folder.mkdir()
    for index, value in enumerate((0, 255, 51)):
        PIL.Image.fromarray(np.full((8, 8, 3), value, np.uint8)).save(folder / f"{index}.png")
    values = np.sort(all_batches(datasets.image_folder(folder, image_size=4, batch_size=3, seed=0))[0][:, 0, 0, 0])
    np.testing.assert_allclose(values, [-1.0, 51 / 127.5 - 1.0, 1.0], atol=1e-6)


def test_seeded_pipeline_is_deterministic_and_reshuffles_each_epoch(tmp_path):
    write_images(tmp_path, 12, size=(8, 8))
    first = datasets.image_folder(tmp_path, image_size=8, batch_size=12, seed=3)
    second = datasets.image_folder(tmp_path, image_size=8, batch_size=12, seed=3)
    epoch_1, epoch_2 = all_batches(first), all_batches(first)
    np.testing.assert_array_equal(epoch_1[0], all_batches(second)[0])
    assert not np.array_equal(epoch_1[0], epoch_2[0])  # a new order each epoch
    np.testing.assert_allclose(np.sort(epoch_1[0].ravel()), np.sort(epoch_2[0].ravel()))  # same images


def test_celeba_crop_takes_the_central_108_pixels(tmp_path):
    image = np.zeros((218, 178, 3), np.uint8)
    top, left = (218 - 108) // 2, (178 - 108) // 2
    image[top:top + 108, left:left + 108] = 255  # white centre, black border
    PIL.Image.fromarray(image).save(tmp_path / "000001.png")
    batch = all_batches(datasets.celeba_folder(tmp_path, image_size=64, batch_size=1, seed=0))[0]
    np.testing.assert_allclose(batch, 1.0, atol=1e-5)  # the crop removed every black pixel


def test_empty_and_missing_folders_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="empty"):
        datasets.image_folder(tmp_path / "empty_does_not_exist")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no images")
    with pytest.raises(FileNotFoundError, match="holds no"):
        datasets.image_folder(tmp_path / "empty")


def test_non_image_file_raises_naming_it_or_is_skipped_and_counted(tmp_path):
    write_images(tmp_path, 4, size=(8, 8))
    (tmp_path / "quota_exceeded.jpg").write_text("<html>Google Drive quota exceeded</html>")
    with pytest.raises(ValueError, match="quota_exceeded.jpg"):
        datasets.image_folder(tmp_path, image_size=8, batch_size=2)
    with pytest.warns(UserWarning, match="Skipped 1 of 5 files"):
        dataset = datasets.image_folder(tmp_path, image_size=8, batch_size=2, skip_invalid=True)
    assert len(all_batches(dataset)) == 2


def test_truncated_jpeg_is_caught_by_verify(tmp_path):
    write_images(tmp_path, 2, size=(64, 64))
    body = (tmp_path / "000.jpeg").read_bytes()
    (tmp_path / "000.jpeg").write_bytes(body[: len(body) // 2])  # a valid header, half a body
    assert datasets.scan_image_folder(tmp_path).skipped == []  # the header check alone cannot see it
    with pytest.raises(ValueError, match="000.jpeg"):
        datasets.scan_image_folder(tmp_path, verify=True)


def test_crop_larger_than_image_names_the_file(tmp_path):
    write_images(tmp_path, 2, size=(20, 12))
    # Both images are too small; with parallel decoding either one may be the first to fail.
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"00[01]\.jpeg"):
        all_batches(datasets.image_folder(tmp_path, image_size=8, batch_size=2, crop=108))


def test_batch_larger_than_dataset_is_rejected(tmp_path):
    write_images(tmp_path, 3, size=(8, 8))
    with pytest.raises(ValueError, match=r"batch_size \(--batch-size\) 4 is larger than the 3 images"):
        datasets.image_folder(tmp_path, image_size=8, batch_size=4)


def test_uncached_pipeline_gives_the_same_contract(tmp_path):
    write_images(tmp_path, 6, size=(8, 8))
    batches = all_batches(datasets.image_folder(tmp_path, image_size=8, batch_size=3, seed=0, cache_bytes=0))
    assert len(batches) == 2
    check_contract(batches[0], 3, 8, 3)


@pytest.mark.parametrize("name, loader", [
    ("celeb_a", lambda data_dir: datasets.celeb_a(data_dir, batch_size=4, seed=0)),
    ("tf_flowers", lambda data_dir: datasets.tf_flowers(data_dir, batch_size=4, seed=0)),
    ("oxford_flowers102", lambda data_dir: datasets.oxford_flowers102(data_dir, batch_size=4, seed=0)),
])
def test_tfds_datasets_on_mock_data(tmp_path, name, loader):
    with tfds.testing.mock_data(num_examples=8, data_dir=str(tmp_path)):
        batches = all_batches(loader(tmp_path))
    assert len(batches) == 2
    check_contract(batches[0], 4, 64, 3)


def test_unprepared_tfds_dataset_says_where_the_files_go(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"downloads/manual.*img_align_celeba.zip"):
        datasets.celeb_a(tmp_path)


def test_digits_contract_split_and_coverage():
    batch = all_batches(datasets.digits(image_size=32, batch_size=64, seed=0))[0]
    check_contract(batch, 64, 32, 1)
    assert batch.min() == pytest.approx(-1.0) and batch.max() == pytest.approx(1.0, abs=0.02)
    train, test = datasets.digits_arrays("train")[1], datasets.digits_arrays("test")[1]
    assert len(train) + len(test) == 1797 and len(test) == 359
    assert set(np.unique(train)) == set(range(10))


def test_manual_files_in_place_prepare_the_tfds_dataset_from_them(tmp_path, monkeypatch):
    manual = tmp_path / "downloads" / "manual"
    manual.mkdir(parents=True)
    (manual / "flower_photos.tgz").write_bytes(b"placeholder")
    calls = []

    def record(builder, download_config=None, **unused):
        calls.append((builder.name, download_config.manual_dir))
        raise RuntimeError("stop after recording")

    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", record)
    with pytest.raises(RuntimeError, match="stop after recording"):
        datasets.tf_flowers(tmp_path)
    assert calls == [("tf_flowers", str(manual))]


def test_tfds_uncached_pipeline_is_seeded(tmp_path):
    with tfds.testing.mock_data(num_examples=8, data_dir=str(tmp_path)):
        first, second = (all_batches(datasets.tfds_images("tf_flowers", tmp_path, image_size=8, batch_size=4,
                                                          seed=1, cache_bytes=0)) for _ in range(2))
    assert len(first) == 2
    check_contract(first[0], 4, 8, 3)
    np.testing.assert_array_equal(np.concatenate(first), np.concatenate(second))


def test_conditional_digits_carry_their_own_labels():
    source = datasets.open_spec("digits", image_size=8, batch_size=1437, conditional=True)
    assert source.class_names == [str(digit) for digit in range(10)]
    images, labels = next(iter(source.dataset))
    arrays, digit_labels = datasets.digits_arrays("train")
    # each batch row is the digit of its label: match rows to the arrays by their pixels
    upscaled = datasets.upscale_digits(arrays[..., None], 8).numpy().reshape(len(arrays), -1)
    rows = [int(np.argmin(np.abs(upscaled - image.reshape(1, -1)).sum(axis=1))) for image in images.numpy()[:50]]
    np.testing.assert_array_equal(labels.numpy()[:50], digit_labels[rows])


def test_conditional_training_refuses_a_tfds_name(tmp_path):
    with pytest.raises(ValueError, match=r"--data 'celeb_a': a conditional run \(--conditional\) takes 'digits'"):
        datasets.open_spec("celeb_a", data_dir=tmp_path, conditional=True)
