"""Image files are read as they are, or refused by name (gan_tf.images.image_files, datasets.image_folder)."""

import os
import threading

import numpy as np
import PIL.Image
import pytest

from gan_tf.images import datasets, image_files


def save(path, pixels, **options):
    PIL.Image.fromarray(pixels).save(path, **options)
    return path


def batches(folder, channels=3, batch_size=1):
    return [batch.numpy() for batch in datasets.image_folder(folder, 16, batch_size, channels=channels, seed=0)]


def test_a_fifo_named_like_an_image_is_refused_without_hanging(tmp_path):
    save(tmp_path / "0.png", np.zeros((8, 8, 3), np.uint8))
    os.mkfifo(tmp_path / "x.png")
    result = {}
    worker = threading.Thread(target=lambda: result.update(files=image_files.scan(tmp_path, skip_invalid=True)),
                              daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "scanning a FIFO hung"
    assert result["files"].skipped == [str(tmp_path / "x.png")]
    with pytest.raises(ValueError, match=r"x\.png' is not a regular file but a FIFO"):
        image_files.scan(tmp_path)


def test_symlinked_folders_are_followed_once_and_loops_end(tmp_path):
    (tmp_path / "real").mkdir()
    save(tmp_path / "real" / "0.png", np.zeros((8, 8, 3), np.uint8))
    os.symlink(tmp_path / "real", tmp_path / "link")            # the same folder twice
    os.symlink(tmp_path, tmp_path / "real" / "loop")            # a loop back to the top
    assert len(image_files.scan(tmp_path).paths) == 1


@pytest.mark.parametrize("extension", [".webp", ".tif", ".ppm"])
def test_other_image_formats_are_decoded_with_pillow(tmp_path, extension):
    pixels = np.zeros((16, 16, 3), np.uint8)
    pixels[..., 0] = 255  # pure red
    save(tmp_path / f"red{extension}", pixels, **({"lossless": True} if extension == ".webp" else {}))
    files = image_files.scan(tmp_path)
    assert files.tf_decodes == [False]
    batch = batches(tmp_path)[0]
    np.testing.assert_allclose(batch[0, ..., 0], 1.0, atol=1e-5)
    np.testing.assert_allclose(batch[0, ..., 1:], -1.0, atol=1e-5)


def test_a_palette_bmp_is_decoded_to_its_colours_not_its_indices(tmp_path):
    image = PIL.Image.new("P", (16, 16))
    image.putpalette([0, 0, 0, 0, 255, 0] + [0] * 762)  # index 1 is pure green
    image.paste(1, (0, 0, 16, 16))
    image.save(tmp_path / "green.bmp")
    assert image_files.scan(tmp_path).tf_decodes == [False]
    batch = batches(tmp_path)[0]
    np.testing.assert_allclose(batch[0, ..., 1], 1.0, atol=1e-5)       # green, not the grey level of index 1
    np.testing.assert_allclose(batch[0, ..., [0, 2]], -1.0, atol=1e-5)


def test_other_files_are_counted_not_read(tmp_path):
    save(tmp_path / "0.png", np.zeros((8, 8, 3), np.uint8))
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / ".DS_Store").write_bytes(b"\x00")
    files = image_files.scan(tmp_path)
    assert files.paths == [str(tmp_path / "0.png")] and len(files.ignored) == 2


def test_an_image_over_the_pixel_cap_is_named_with_its_size(tmp_path):
    save(tmp_path / "big.png", np.zeros((300, 200, 3), np.uint8))
    with pytest.raises(ValueError, match=r"big\.png' is 200 x 300 = 60,000 pixels, more than the 50,000"):
        image_files.scan(tmp_path, max_pixels=50_000)


def test_pillows_decompression_bomb_error_names_the_file(tmp_path, monkeypatch):
    save(tmp_path / "bomb.png", np.zeros((100, 100, 3), np.uint8))
    monkeypatch.setattr(PIL.Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow refuses beyond twice this
    with pytest.raises(ValueError, match=r"bomb\.png' is refused as a decompression bomb"):
        image_files.scan(tmp_path)


def test_a_cmyk_jpeg_is_decoded_with_pillow(tmp_path):
    PIL.Image.new("CMYK", (16, 16), (0, 0, 0, 0)).save(tmp_path / "white.jpg")  # no ink: white
    assert image_files.scan(tmp_path).tf_decodes == [False]
    np.testing.assert_allclose(batches(tmp_path)[0], 1.0, atol=0.02)


# ---- class folders (--conditional) ----------------------------------------------------------------------


def class_folder(root, classes, per_class=2):
    """Subfolders named `classes` (in that order, unsorted), class k's images filled with the grey level 40 k."""
    for position, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for index in range(per_class):
            save(root / name / f"{index}.png", np.full((8, 8, 3), 40 * position, np.uint8))
    return root


def test_subfolders_are_classes_in_sorted_order_with_each_file_labelled_by_its_folder(tmp_path):
    root = class_folder(tmp_path / "data", ["dogs", "cats", "birds"])
    (root / "cats" / "inner").mkdir()
    save(root / "cats" / "inner" / "deep.png", np.full((8, 8, 3), 40, np.uint8))  # deeper: still a cat
    (root / "notes.txt").write_text("not an image: ignored, as in any folder")
    found = image_files.scan_classes(root)
    assert found.class_names == ["birds", "cats", "dogs"]
    by_folder = {os.path.relpath(path, root).split(os.sep)[0]: label
                 for path, label in zip(found.files.paths, found.labels)}
    assert by_folder == {"birds": 0, "cats": 1, "dogs": 2}
    assert found.labels.count(1) == 3


def test_the_dataset_yields_each_images_own_label(tmp_path):
    root = class_folder(tmp_path / "data", ["dogs", "cats", "birds"], per_class=3)
    found = image_files.scan_classes(root)
    pairs = datasets.image_folder(root, 16, 9, seed=0, files=found.files, labels=found.labels)
    images, labels = next(iter(pairs))
    grey = np.round((images.numpy()[:, 0, 0, 0] + 1) * 127.5)
    position = {0: 2, 1: 1, 2: 0}  # sorted label -> the position class_folder filled it by (birds 2, cats 1, dogs 0)
    np.testing.assert_array_equal(grey, [40 * position[label] for label in labels.numpy()])
    assert sorted(labels.numpy().tolist()) == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_a_folder_mixing_images_and_class_folders_is_named(tmp_path):
    root = class_folder(tmp_path / "data", ["a", "b"])
    save(root / "loose.png", np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match=r"'.*data' mixes image files \(1, e.g. \['loose.png'\]\) with class "
                                         r"subfolders \['a', 'b'\]"):
        image_files.scan_classes(root)


def test_a_folder_without_subfolders_is_named(tmp_path):
    save(tmp_path / "x.png", np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match=r"has no subfolders: a conditional run \(--conditional\) expects one"):
        image_files.scan_classes(tmp_path)


def test_a_class_without_images_is_named(tmp_path):
    root = class_folder(tmp_path / "data", ["a", "b"])
    (root / "empty").mkdir()
    (root / "empty" / "readme.txt").write_text("no image here")
    with pytest.raises(ValueError, match=r"the class folder\(s\) \['empty'\] hold no usable image"):
        image_files.scan_classes(root)


def test_skip_invalid_still_skips_but_a_class_left_without_images_is_named(tmp_path):
    root = class_folder(tmp_path / "data", ["a", "b"])
    (root / "a" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match=r"broken.png' is not an image .*--skip-invalid"):
        image_files.scan_classes(root)
    found = image_files.scan_classes(root, skip_invalid=True)
    assert [os.path.basename(path) for path in found.files.skipped] == ["broken.png"] and found.labels == [0, 0, 1, 1]
    for path in (root / "b").iterdir():
        path.write_bytes(b"not a png either")
    with pytest.raises(ValueError, match=r"the class folder\(s\) \['b'\] hold no usable image"):
        image_files.scan_classes(root, skip_invalid=True)
