"""What a user sees in TensorBoard: a real `tensorboard` server started on the logs of a few probes, asked
through its HTTP data API (the one its web page reads) for the runs, tags and values it shows.

Runs: "plain" and "dropout 0.5" (a 1-D GAN, three probes each) and "ring" (a 2-D GAN, one probe), each with
its sibling runs "<run>/real" and "<run>/fake". Takes ~15 s on an idle 2-core machine (server start-up
included), ~40 s on a loaded one."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pytest

pytest.importorskip("tensorboard", reason="the tensorboard package is not installed")

import keras
import tensorflow as tf

import gan_tf
from gan_tf import callbacks, distributions, measurements, networks

STARTUP_SECONDS = 60
RUNS = {"plain", "plain/real", "plain/fake", "dropout 0.5", "dropout 0.5/real", "dropout 0.5/fake",
        "ring", "ring/real", "ring/fake"}


def probed_gan(generator, discriminator, latent_dim, real_data, log_dir, steps):
    """Writes a `LossesAndSamples` probe of an untrained GAN at each of `steps` into TensorBoard and memory."""
    keras.utils.set_random_seed(0)
    gan = gan_tf.GAN(generator, discriminator, latent_dim=latent_dim, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(0.01), g_optimizer=keras.optimizers.Adam(0.01))
    measurement, memory = measurements.LossesAndSamples(real_data), callbacks.MemorySink()
    sinks = [callbacks.TensorBoardSink(log_dir, picture_every_n_steps=10), memory]
    for step in steps:
        observation = measurement.measure(gan)
        for sink in sinks:
            sink.write(step, observation)
    for sink in sinks:
        sink.flush()
    return memory


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """The log folder and the `MemorySink` of each 1-D run (what the server must give back)."""
    log_dir = tmp_path_factory.mktemp("logs")
    normal = distributions.sample_dataset(distributions.normal(2.0, 3.0), 64, seed=1)
    memories = {name: probed_gan(networks.linear_generator(), networks.mlp_discriminator([8], dropout=dropout), 1,
                                 normal, log_dir / callbacks.run_name(name), steps=[0, 10, 20])
                for name, dropout in (("plain", 0.0), ("dropout 0.5", 0.5))}
    rng = np.random.default_rng(0)  # a 2-D target: x in [0, 1], y in [10, 11]
    square = np.stack([rng.uniform(0, 1, 256), rng.uniform(10, 11, 256)], axis=1).astype(np.float32)
    probed_gan(networks.linear_generator(dim=2), networks.mlp_discriminator([8], input_dim=2), 2,
               tf.data.Dataset.from_tensor_slices(square).batch(256), log_dir / "ring", steps=[0])
    return log_dir, memories


@pytest.fixture(scope="module")
def server(logs):
    """`get(path, **query)`: JSON from a tensorboard server on the logs (on a free local port)."""
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "tensorboard.main", "--logdir", str(logs[0]), "--host", "localhost",
               "--port", str(port), "--load_fast=false", "--reload_interval=1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def get(path, **query):
        url = f"http://localhost:{port}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())

    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"tensorboard exited with {process.returncode}: {process.stderr.read().decode()[-2000:]}")
            try:
                if set(get("/data/runs")) == RUNS:  # every run loaded
                    break
            except (urllib.error.URLError, ConnectionError):
                pass  # not listening yet
            if time.monotonic() > deadline:
                pytest.fail(f"tensorboard did not list the runs {sorted(RUNS)} within {STARTUP_SECONDS} s.")
            time.sleep(0.5)
        yield get
    finally:
        process.kill()  # it holds no state worth a clean shutdown (which takes it ~5 s)
        process.wait(timeout=10)


def tags(listing):
    """{run: set of tags} of a plugin's /tags answer."""
    return {run: set(run_tags) for run, run_tags in listing.items()}


def test_scalars_group_by_prefix_and_real_and_fake_share_a_chart(server):
    scalars = tags(server("/data/plugin/scalars/tags"))
    for name in ("plain", "dropout 0.5"):
        assert scalars[name] == {"loss/d", "loss/g", "G/mean", "G/stddev"}
        assert scalars[f"{name}/real"] == scalars[f"{name}/fake"] == {"D/mean_output"}  # one chart, two lines
    assert scalars["ring"] == {"loss/d", "loss/g", "G/mean_0", "G/mean_1", "G/stddev_0", "G/stddev_1"}


def test_the_served_values_are_the_measured_ones(server, logs):
    memories = logs[1]
    for name, memory in memories.items():
        for side in ("real", "fake"):
            points = server("/data/plugin/scalars/scalars", run=f"{name}/{side}", tag="D/mean_output")
            assert [step for _, step, _ in points] == [0, 10, 20]  # [wall time, step, value] rows
            np.testing.assert_allclose([value for _, _, value in points], memory.scalars[f"p_real_on_{side}"],
                                       rtol=1e-6)


def test_histograms_of_real_and_fake_sit_under_one_tag_in_sibling_runs(server):
    histograms = tags(server("/data/plugin/histograms/tags"))
    assert set(histograms) == {"plain/real", "plain/fake", "dropout 0.5/real", "dropout 0.5/fake",
                               "ring/real", "ring/fake"}
    assert histograms["plain/real"] == histograms["plain/fake"] == {"data/samples", "D/output"}
    # A 2-D target: one histogram per coordinate, not x and y pooled.
    assert histograms["ring/real"] == {"data/samples/x0", "data/samples/x1", "D/output"}
    for tag, (low, high) in (("data/samples/x0", (0, 1)), ("data/samples/x1", (10, 11))):
        [[_, step, buckets]] = server("/data/plugin/histograms/histograms", run="ring/real", tag=tag)
        edges = np.array(buckets)[:, :2]  # [left, right, count] rows
        assert step == 0 and low <= edges.min() and edges.max() <= high, (tag, edges.min(), edges.max())


def test_real_and_fake_pictures_are_images_of_the_main_run(server):
    images = tags(server("/data/plugin/images/tags"))
    assert images == {name: {"data/samples/real_and_fake", "D/output/real_and_fake"}
                      for name in ("plain", "dropout 0.5", "ring")}
    steps = [entry["step"] for entry in server("/data/plugin/images/images", run="plain",
                                                tag="data/samples/real_and_fake")]
    assert steps == [0, 10, 20]  # picture_every_n_steps=10
