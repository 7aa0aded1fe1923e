"""The image files of a folder, read as they are or refused by name (no TensorFlow here).

  - Folders are walked recursively, following directory symlinks; a folder reached twice (a symlink loop, or
    two links to one folder) is read once.
  - A file counts as an image by its extension: any extension Pillow can open (`IMAGE_EXTENSIONS`: .jpg, .png,
    .gif, .bmp, .webp, .tif, .ppm, ...). Other files are not read, but counted and reported (`ignored`).
  - Only regular files are read: a FIFO, socket or device named x.png is refused by name (reading a FIFO
    would block forever).
  - Every image's header is read first (Pillow, lazily): a file Pillow cannot identify, or one with more than
    `MAX_PIXELS` pixels (a decompression bomb), is refused naming the file and its size.
  - `tf_decodes`: whether TensorFlow's own decoder reads the file as it is (JPEG, PNG, GIF, and BMP in RGB(A));
    the others (WebP, TIFF, palette or 1-bit BMP, CMYK JPEG, ...) are decoded with Pillow (`pillow_pixels`),
    which maps a palette to its colours (TF's BMP decoder returns a palette BMP's indices as grey levels).
"""

import collections
import os
import stat

import numpy as np
import PIL.Image

PIL.Image.init()
IMAGE_EXTENSIONS = tuple(sorted(extension for extension, format_name in PIL.Image.registered_extensions().items()
                                if format_name in PIL.Image.OPEN))
MAX_PIXELS = PIL.Image.MAX_IMAGE_PIXELS or 89_478_485   # Pillow's own bomb threshold (a 9459 x 9459 image)
TF_FORMATS = ("JPEG", "PNG", "GIF", "BMP")
MAGIC_NUMBERS = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"RIFF", b"II*\x00", b"MM\x00*")

ImageFiles = collections.namedtuple("ImageFiles", ["paths", "skipped", "ignored", "tf_decodes"],
                                    defaults=((), ()))


def walk(folder):
    """(image candidates, other files) under `folder`, sorted, symlinked folders followed once each."""
    candidates, others, seen = [], [], set()
    for root, folders, files in os.walk(folder, followlinks=True):
        status = os.stat(root)
        if (status.st_dev, status.st_ino) in seen:
            folders[:] = []
            continue
        seen.add((status.st_dev, status.st_ino))
        folders.sort()
        for name in files:
            path = os.path.join(root, name)
            (candidates if os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS else others).append(path)
    return sorted(candidates), sorted(others)


def scan(folder, skip_invalid=False, verify=False, max_pixels=MAX_PIXELS):
    """The `ImageFiles` of `folder` (see the module docstring). A file that is not a usable image raises a
    ValueError naming it and why, or with `skip_invalid` is listed in `skipped`. `verify` decodes every file
    fully once (catches truncated bodies, ~2 ms per CelebA image)."""
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Image folder {str(folder)!r} does not exist or is not a directory.")
    candidates, others = walk(folder)
    if not candidates:
        found = f" (it holds {len(others)} other files, e.g. {others[:3]})" if others else ""
        raise FileNotFoundError(f"Image folder {str(folder)!r} holds no image files{found}: expected .jpg, .png, "
                                ".gif, .bmp, .webp, .tif, ... (any extension Pillow reads).")
    paths, skipped, tf_decodes = [], [], []
    for path in candidates:
        problem, native = image_problem(path, verify, max_pixels)
        if problem and not skip_invalid:
            raise ValueError(f"{path!r} {problem} (gan-tf train --skip-invalid, or skip_invalid=True, skips such "
                             "files and counts them).")
        if problem:
            skipped.append(path)
        else:
            paths.append(path)
            tf_decodes.append(native)
    if not paths:
        raise ValueError(f"Image folder {str(folder)!r}: none of its {len(candidates)} image files is valid.")
    return ImageFiles(paths, skipped, others, tf_decodes)


def image_problem(path, verify=False, max_pixels=MAX_PIXELS):
    """(why `path` is not a usable image or None, whether TensorFlow's decoder reads it)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return f"cannot be read: {error.strerror or error}", False
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device or other"
        return f"is not a regular file but {kind}: not read", False
    try:
        with open(path, "rb") as file:
            header = file.read(8)
        with PIL.Image.open(path) as image:
            width, height = image.size
            if width * height > max_pixels:
                return (f"is {width} x {height} = {width * height:,} pixels, more than the {max_pixels:,} "
                        "allowed (image_files.MAX_PIXELS): refused as a possible decompression bomb"), False
            native = image.format in TF_FORMATS and image.mode != "CMYK" and (
                image.format != "BMP" or image.mode in ("RGB", "RGBA"))
            if verify:
                image.load()
    except PIL.Image.DecompressionBombError as error:
        return f"is refused as a decompression bomb: {error}", False
    except PIL.UnidentifiedImageError:
        if header.startswith(MAGIC_NUMBERS):
            return "is truncated or corrupt (an image header, but Pillow cannot read the image)", False
        return "is not an image (Pillow cannot identify it: an empty file, an HTML page, ...)", False
    except OSError as error:
        if error.strerror:
            return f"cannot be read: {error.strerror}", False
        return f"is truncated or corrupt: {error}", False
    except (SyntaxError, ValueError) as error:
        return f"is truncated or corrupt: {error}", False
    return None, native


def pillow_pixels(path, channels):
    """uint8 `[height, width, channels]` of `path` decoded by Pillow (palette -> colours, alpha dropped)."""
    path = path.decode() if isinstance(path, bytes) else path
    with PIL.Image.open(path) as image:
        image = image.convert("L" if channels == 1 else "RGB")
        pixels = np.asarray(image, np.uint8)
    return pixels.reshape(pixels.shape[0], pixels.shape[1], channels)


# ---- class folders (gan-tf train --conditional) ----------------------------------------------------------

ClassFiles = collections.namedtuple("ClassFiles", ["files", "labels", "class_names"])


def class_names(folder):
    """The sorted names of `folder`'s subfolders, one class each. A folder with no subfolder, or with image files
    beside its subfolders (whose class would be unknown), raises a ValueError naming it."""
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Image folder {str(folder)!r} does not exist or is not a directory.")
    entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    names = [entry.name for entry in entries if entry.is_dir()]
    loose = [entry.name for entry in entries
             if not entry.is_dir() and os.path.splitext(entry.name)[1].lower() in IMAGE_EXTENSIONS]
    if not names:
        raise ValueError(f"Image folder {str(folder)!r} has no subfolders: a conditional run (--conditional) "
                         "expects one subfolder of images per class.")
    if loose:
        raise ValueError(f"Image folder {str(folder)!r} mixes image files ({len(loose)}, e.g. {loose[:3]}) with class "
                         f"subfolders {names[:5]}: a conditional run (--conditional) expects every image inside "
                         "one class subfolder.")
    return names


def scan_classes(folder, skip_invalid=False, verify=False):
    """`ClassFiles(files, labels, class_names)`: the `scan` of `folder` (invalid files refused or, with
    `skip_invalid`, skipped as there), each image labelled by the index of its top subfolder in the sorted
    `class_names` (images deeper inside a class folder belong to it). A class with no usable image raises a
    ValueError naming it."""
    names = class_names(folder)
    files = scan(folder, skip_invalid, verify)
    index = {name: position for position, name in enumerate(names)}
    labels = [index[os.path.relpath(path, folder).split(os.sep)[0]] for path in files.paths]
    counts = np.bincount(labels, minlength=len(names))
    empty = [name for name, count in zip(names, counts) if count == 0]
    if empty:
        raise ValueError(f"Image folder {str(folder)!r}: the class folder(s) {empty} hold no usable image; every "
                         "class of a conditional run (--conditional) needs images.")
    return ClassFiles(files, labels, names)
