"""`gan-tf train`'s model variants (--gradient-penalty, --instance-noise, --packing): each recorded in config.json,
built from it, trained, resumable; combinations that do not make sense refused before TensorFlow is imported."""

import dataclasses
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from conftest import REPOSITORY, event_tags

from gan_tf import cli, models
from gan_tf.images import checkpointing, choices, recipes, run_config, run_generator, training

TINY = ["--data", "digits", "--recipe", "dcgan", "--image-size", "16", "--filters", "4", "--batch-size", "8",
        "--steps-per-epoch", "2", "--every-n-steps", "100", "--no-xla"]


def train(run, *flags, epochs=1):
    cli.main(["train", *TINY, "--out", str(run), "--epochs", str(epochs), *flags])


def saved_settings(run):
    return json.loads((run / "config.json").read_text())


def checkpoint_value(run, prefix, part=""):
    reader = tf.train.load_checkpoint(str(run / "checkpoints"))
    name = next(name for name in reader.get_variable_to_shape_map() if name.startswith(prefix) and part in name)
    return reader.get_tensor(name)


def test_gradient_penalty_trains_a_wgan_gp_with_d_steps_critic_updates(tmp_path, capsys):
    run = tmp_path / "wgan_gp"
    train(run, "--loss", "wasserstein", "--gradient-penalty", "10", "--d-steps", "3")
    saved = saved_settings(run)
    assert (saved["loss"], saved["gradient_penalty"], saved["d_steps"]) == ("wasserstein", 10.0, 3)
    assert "gradient_penalty:" in capsys.readouterr().out  # the penalty's tracker: the term is in D's loss
    assert int(checkpoint_value(run, "d_optimizer/", "iterations")) == 2 * 3  # n_critic = --d-steps per batch
    gan, _ = run_generator.load_generator(run)
    assert isinstance(gan, models.WGANGP) and gan.gp_weight == 10.0 and gan.n_critic == 3
    assert gan.loss_name == "wasserstein"


@pytest.fixture(scope="module")
def noisy_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("variants") / "noisy"
    train(run, "--instance-noise", "0.1", "--instance-noise-steps", "4")
    return run


def test_instance_noise_is_recorded_built_and_its_schedule_checkpointed(noisy_run):
    saved = saved_settings(noisy_run)
    assert (saved["instance_noise"], saved["instance_noise_steps"]) == (0.1, 4)
    assert int(checkpoint_value(noisy_run, "instance_noise/noise_step")) == 2  # two batches of the schedule
    gan, _ = run_generator.load_generator(noisy_run)
    assert isinstance(gan, models.InstanceNoiseGAN) and (gan.initial_stddev, gan.anneal_steps) == (0.1, 4)


def test_a_noisy_run_resumes_its_schedule_and_refuses_another_stddev(noisy_run, capsys):
    refusal = r"other settings.*'instance_noise': \(0.1, 0.2\)} \(flags: --instance-noise\)"
    with pytest.raises(ValueError, match=refusal):
        cli.main(["--debug", "train", *TINY, "--out", str(noisy_run), "--epochs", "2", "--instance-noise", "0.2",
                  "--instance-noise-steps", "4"])
    train(noisy_run, "--instance-noise", "0.1", "--instance-noise-steps", "4", epochs=2)
    assert "resuming" in capsys.readouterr().out
    assert int(checkpoint_value(noisy_run, "instance_noise/noise_step")) == 4  # continued, not restarted
    assert int(checkpoint_value(noisy_run, "epoch")) == 2
    assert saved_settings(noisy_run)["instance_noise"] == 0.1


def test_packing_trains_a_pacgan_whose_d_sees_packs(tmp_path):
    run = tmp_path / "packed"
    train(run, "--packing", "2")
    assert saved_settings(run)["packing"] == 2
    gan, _ = run_generator.load_generator(run)
    inner = gan.discriminator.layers[-1]
    assert inner.input_shape == (None, 16, 16, 2)  # two one-channel digits per pack
    assert gan.discriminator(np.zeros((8, 16, 16, 1), np.float32)).shape == (4, 1)
    shapes = tf.train.load_checkpoint(str(run / "checkpoints")).get_variable_to_shape_map().values()
    assert [4, 4, 2, 4] in shapes  # the trained first conv of D takes the packs' two channels
    # the probe finds D's conv inside the wrapper
    assert "D/first_layer_weights" in event_tags(run / "tensorboard" / run.name)


def test_a_run_written_before_the_variants_resumes_without_them():
    """Such a run's config.json lacks the variants' fields; its checkpoints are a plain GAN's, as a run's without
    variants still are (`checkpointing.model_state` adds nothing for it)."""
    wanted = {**dataclasses.asdict(training.TrainConfig(data="digits")), "channels": 1, "data_fingerprint": None}
    new_fields = ("gradient_penalty", "instance_noise", "instance_noise_steps", "packing")
    saved = run_config.migrate({name: value for name, value in wanted.items() if name not in new_fields})
    assert run_config.differences(saved, wanted) == {}  # the same command resumes it
    assert run_config.differences(saved, {**wanted, "packing": 2}) == {"packing": (1, 2)}  # no variant added later
    gan = recipes.build_gan(dataclasses.replace(training.TrainConfig(**{
        name: value for name, value in saved.items() if name not in run_config.RUN_FIELDS}), image_size=16,
        filters=4, jit_compile=False), channels=1)
    assert type(gan) is models.GAN and checkpointing.model_state(gan) == {}


def test_variants_compose_into_one_class_each():
    config = training.TrainConfig(data="digits", image_size=16, filters=4, batch_size=8, gradient_penalty=1.0,
                                  instance_noise=0.1, augment="diffaugment", d_steps=2)
    model_class, variant = recipes.model_class_of(config)
    assert model_class.__mro__[1:5] == (models.WGANGP, models.InstanceNoiseGAN, models.AugmentedGAN, models.GAN)
    assert model_class is recipes.model_class_of(config)[0]  # built once per combination
    assert (variant["gp_weight"], variant["n_critic"], variant["initial_stddev"]) == (1.0, 2, 0.1)
    r1_augmented = training.TrainConfig(data="digits", r1_gamma=1.0, augment="ada")
    assert recipes.model_class_of(r1_augmented)[0] is recipes.AugmentedR1GAN


def test_the_composed_d_loss_is_the_loss_family_s_plus_lambda_times_the_penalty():
    config = training.TrainConfig(data="digits", image_size=16, filters=4, latent_dim=8, batch_size=8,
                                  loss="wasserstein", gradient_penalty=10.0, instance_noise=0.5, augment="diffaugment",
                                  jit_compile=False)
    gan = recipes.build_gan(config, channels=1)
    real = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype(np.float32)
    fake = gan.generator(gan.sample_latent(8, seed=1), training=False)
    loss, real_logits, fake_logits = gan.compute_discriminator_loss(real, fake)
    penalty = float(gan.gradient_penalty_tracker.result())
    wasserstein = float(np.mean(fake_logits) - np.mean(real_logits))  # E[D(G(z))] - E[D(x)]
    assert penalty > 0 and float(loss) == pytest.approx(wasserstein + 10.0 * penalty, rel=1e-5)
    assert float(gan.noise_stddev()) == 0.5  # D saw noisy, augmented images: the penalty is on the images as they are


def test_the_combination_defaults_are_train_configs():
    defaults = training.TrainConfig(data="digits")
    assert choices.COMBINATION_DEFAULTS == {name: getattr(defaults, name) for name in choices.COMBINATION_DEFAULTS}
    assert set(run_config.ADDED_SETTINGS) >= {"gradient_penalty", "instance_noise", "instance_noise_steps", "packing"}


@pytest.mark.parametrize("flags, message", [
    (["--gradient-penalty", "10", "--r1", "1"], "--gradient-penalty and --r1 do not combine: two gradient penalties"),
    (["--gradient-penalty", "10", "--packing", "2"], "--gradient-penalty and --packing do not combine"),
    (["--packing", "2", "--augment", "ada"], "--packing and --augment ada do not combine"),
    (["--feature-matching", "0.1", "--instance-noise", "0.1"], "--feature-matching and --instance-noise do not"),
    (["--packing", "3"], r"--batch-size \(8\) must be a multiple of --packing \(3\)"),
    (["--instance-noise-steps", "100"], "--instance-noise-steps anneals the instance noise: it needs --instance-noise"),
    (["--packing", "0"], "--packing: must be a positive integer"),
    (["--instance-noise", "-0.1"], "--instance-noise: must be a finite number >= 0"),
    (["--gradient-penalty", "nan"], "--gradient-penalty: must be a finite number >= 0"),
])
def test_bad_variant_flags_are_one_line_naming_them(tmp_path, capsys, flags, message):
    with pytest.raises(SystemExit) as stopped:
        train(tmp_path / "run", *flags)
    error = capsys.readouterr().err.strip()
    assert stopped.value.code == 2 and re.fullmatch("gan-tf: error: .*" + message + ".*", error), error
    assert not (tmp_path / "run").exists()


def test_the_flag_of_each_setting():
    assert [run_config.flag_of(name) for name in ("instance_noise", "r1_gamma", "precision", "latent_dim")] == [
        "--instance-noise", "--r1", "--mixed-precision", None]
    assert run_config.flag_of("data (contents)") is None


def test_the_api_refuses_the_same_combinations():
    with pytest.raises(ValueError, match="--gradient-penalty and --r1 do not combine"):
        training.TrainConfig(data="digits", gradient_penalty=10.0, r1_gamma=1.0)


def test_combinations_are_refused_before_tensorflow_is_imported(tmp_path):
    program = ("import sys\nfrom gan_tf import cli\ntry:\n    cli.main(sys.argv[1:])\nexcept SystemExit as stop:\n"
               "    print(stop.code, 'tensorflow' in sys.modules)\n")
    argv = ["train", "--data", "digits", "--out", str(tmp_path / "x"), "--gradient-penalty", "1", "--r1", "1"]
    result = subprocess.run([sys.executable, "-c", program, *argv], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, PYTHONPATH=str(REPOSITORY)))
    assert result.stdout.strip().splitlines()[-1] == "2 False", (result.stdout, result.stderr)
