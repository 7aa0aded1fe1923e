"""The README's TensorBoard screenshots: what a user sees of the blog's four discriminators.

Command:  python docs/make_screenshots.py [--logdir DIR] [--steps 300] [--out docs/images]
Needs:    Debian's `chromium` package (apt-get install chromium) and the project's environment.
Writes:   docs/images/tensorboard_{scalars,histograms,distributions,images}.png (each under ~120 KB)
Runtime:  ~5 minutes on 2 loaded CPU cores (measured): training 4 x 300 steps, then 6 screenshots of ~5 s per view.

Without --logdir it trains the four runs of reproductions/strakhov2018_normal.py (N(2, 3), linear G, the blog's
set-up) for --steps steps with their TensorBoard logs (`gan_tf.reproduction.toy1d.train_discriminator_runs`),
then starts `tensorboard` on them (a free local port), takes one headless-Chromium screenshot per view (1280 x
900, the fullest of six: about half the loads of a Time Series view leave its cards empty; `forceSVG=true` draws
the charts without WebGL) and writes each downscaled to 1000 pixels
wide, as a 256-colour PNG. Look at each before committing: it must show the charts.
"""

import argparse
import contextlib
import importlib.util
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
WINDOW = (1280, 900)
WIDTH = 1000  # pixels of the committed PNGs
ATTEMPTS = 6  # screenshots per view, the largest file kept: a view loaded too early has empty (white) cards
SETTINGS_PANE = 1030  # Time Series' settings pane starts here: cut off
# name -> (URL query and fragment, cut the settings pane): a view of the four discriminators' runs.
VIEWS = {
    "scalars": ("?darkMode=false&forceSVG=true&smoothing=0&tagFilter=D%2Fmean_output%7Closs%2F"
                "&runColorGroup=regex:(real%7Cfake)#timeseries", True),
    "histograms": ("?darkMode=false&forceSVG=true&runFilter=%5Eplain&tagFilter=%5Edata%2Fsamples%24%7C%5ED%2Foutput%24"
                   "&runColorGroup=regex:(real%7Cfake)#timeseries", True),
    "distributions": ("?darkMode=false#distributions&tagFilter=data%2Fsamples&regexInput=%5Eplain", False),
    "images": ("?darkMode=false&forceSVG=true&tagFilter=data%2Fsamples%2Freal_and_fake#timeseries", True),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logdir", type=pathlib.Path,
                        help="TensorBoard logs to show; trained into it first when it holds none (default: a "
                             "temporary folder)")
    parser.add_argument("--steps", type=int, default=300, help="training steps per run (default: %(default)s)")
    parser.add_argument("--out", type=pathlib.Path, default=REPOSITORY / "docs" / "images")
    arguments = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        parser.error("chromium is not installed (Debian: apt-get install chromium).")
    with tempfile.TemporaryDirectory() as scratch:
        logdir = arguments.logdir or pathlib.Path(scratch) / "tensorboard"
        if not list(logdir.rglob("events.out.tfevents.*")):
            train_runs(logdir, arguments.steps)
        arguments.out.mkdir(parents=True, exist_ok=True)
        with tensorboard(logdir) as port:
            for name, (address, cut) in VIEWS.items():
                shots = [pathlib.Path(scratch) / f"{name}_{attempt}.png" for attempt in range(ATTEMPTS)]
                for shot in shots:
                    screenshot(chromium, f"http://localhost:{port}/{address}", shot)
                path = arguments.out / f"tensorboard_{name}.png"
                shrink(max(shots, key=lambda shot: shot.stat().st_size), path, cut)
                print(f"{path}: {path.stat().st_size // 1024} KB")


def train_runs(logdir, steps):
    """The four discriminators' runs of strakhov2018_normal, `steps` steps each, logged into `logdir`."""
    spec = importlib.util.spec_from_file_location("normal", REPOSITORY / "reproductions" / "strakhov2018_normal.py")
    normal = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(normal)
    from gan_tf import distributions, networks  # noqa: PLC0415  (TensorFlow only when training)
    from gan_tf.reproduction import toy1d  # noqa: PLC0415

    real = distributions.normal(normal.TARGET_MEAN, normal.TARGET_STDDEV)
    with tempfile.TemporaryDirectory() as out_dir:  # the runs log into <out_dir>/tensorboard
        toy1d.train_discriminator_runs(real, networks.linear_generator, steps, normal.SEED, normal.SETTINGS,
                                       pathlib.Path(out_dir), normal.RUNS)
        shutil.copytree(pathlib.Path(out_dir) / "tensorboard", logdir, dirs_exist_ok=True)


@contextlib.contextmanager
def tensorboard(logdir, timeout=120):
    """A tensorboard server on `logdir` at a free local port (yielded), stopped on exit."""
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir), "--host",
                                "localhost", "--port", str(port), "--load_fast=false", "--reload_interval=0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while not runs_listed(port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"tensorboard did not list the runs of {logdir} within {timeout} s.")
            time.sleep(1)
        time.sleep(15)  # let every run load
        yield port
    finally:
        process.kill()
        process.wait()


def runs_listed(port):
    try:
        with urllib.request.urlopen(f"http://localhost:{port}/data/runs", timeout=5) as response:
            return len(response.read()) > 2  # "[]" before the first run is loaded
    except (urllib.error.URLError, ConnectionError):
        return False  # not listening yet


def screenshot(chromium, url, path):
    """A headless-Chromium screenshot of `url` after 30 s of (virtual) page time."""
    subprocess.run([chromium, "--headless", "--no-sandbox", "--hide-scrollbars", f"--screenshot={path}",
                    f"--window-size={WINDOW[0]},{WINDOW[1]}", "--virtual-time-budget=30000", url],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)


def shrink(source, path, cut):
    """`source` without Time Series' settings pane (`cut`), `WIDTH` pixels wide, 256 colours, as `path`."""
    import PIL.Image  # noqa: PLC0415

    image = PIL.Image.open(source).convert("RGB")
    if cut:
        image = image.crop((0, 0, SETTINGS_PANE, image.height))
    height = round(image.height * WIDTH / image.width)
    image.resize((WIDTH, height), PIL.Image.LANCZOS).quantize(256).save(path, optimize=True)


if __name__ == "__main__":
    main()
