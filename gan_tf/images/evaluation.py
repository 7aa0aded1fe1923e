"""Quality measured during training (`gan-tf train --eval-every N --eval-measure swd|fid|kid`): a measurement for
`gan_tf.callbacks.Probe` whose scalar also picks the best checkpoint (`gan_tf.images.best_checkpoint`).

  swd  ProGAN's sliced Wasserstein distance on Laplacian-pyramid patches, x 1e3, mean over the levels
       (`observation.SampleQuality`; Karras et al. 2018, "Progressive Growing of GANs for Improved Quality,
       Stability, and Variation", https://arxiv.org/abs/1710.10196): needs no weights; "quality/swd_mean"
  fid  the Frechet distance of features (`quality.frechet_distance`; Heusel et al. 2017,
       https://arxiv.org/abs/1706.08500); "quality/fid"
  kid  the unbiased squared MMD of features with the cubic kernel (`quality.kernel_inception_distance`; Binkowski
       et al. 2018, https://arxiv.org/abs/1801.01401), on all the images at once; "quality/kid"

Features for fid and kid: for --data digits, the 128 hidden units of the offline digits classifier
(`quality.train_digits_classifier`, trained on real digits as the run sees them: ~10 s at the start); otherwise
InceptionV3's 2048 pool features, with weights read only from the local file `quality.default_inception_weights()`
($KERAS_HOME/models/ or ~/.keras/models/): a run that asks for fid or kid without that file is refused before
anything is written. Every measure compares the first `observation.QUALITY_IMAGES` (512) images of a fixed real
stream with as many samples from fixed latent vectors (of the generator average when the run keeps one). Lower is
better for all three. With 512 images FID and KID are biased upwards (the sample size): compare values of one run,
or of runs measured with the same count, not with published 10k/50k-image numbers.
"""

import numpy as np

from gan_tf import measurements
from gan_tf.images import observation, quality

MEASURES = ("swd", "fid", "kid")
TAGS = {"swd": "quality/swd_mean", "fid": "quality/fid", "kid": "quality/kid"}  # the scalar that picks the best


def check_available(measure, data):
    """Raise before training when `measure` cannot be computed: fid / kid on other data than digits need the
    InceptionV3 weights file (FileNotFoundError naming where it is expected)."""
    if measure not in MEASURES:
        raise ValueError(f"eval_measure (--eval-measure) must be one of {MEASURES}, got {measure!r}.")
    if measure != "swd" and data != "digits":
        path = quality.default_inception_weights()
        if not path.is_file():
            raise FileNotFoundError(
                f"--eval-measure {measure} needs the InceptionV3 weights at {str(path)!r} (nothing downloads during "
                f"a run): on a machine with network, download {quality.INCEPTION_WEIGHTS_URL} and put it there, or "
                "use --eval-measure swd.")


def measurement(measure, real_data, data, image_size, count=observation.QUALITY_IMAGES, seed=0):
    """The measurement of `measure` (see the module docstring) of samples against the first `count` images of
    `real_data` (batches); `data` and `image_size` are the run's (digits get the digits classifier's features)."""
    check_available(measure, data)
    if measure == "swd":
        return observation.SampleQuality(real_data, count, seed)
    if data == "digits":
        classifier = quality.train_digits_classifier(image_size=image_size)
        features = lambda images: quality.digits_features(classifier, images)  # noqa: E731
    else:
        extractor = quality.inception_feature_extractor()
        features = lambda images: quality.inception_features(images, extractor)  # noqa: E731
    return FeatureDistance(real_data, features, measure, count, seed)


class FeatureDistance:
    """`measure(model)`: {"quality/fid": ..} or {"quality/kid": ..} between the features (`features(images) ->
    [n, d]`) of the first `count` images of `real_data` and of as many samples from fixed latent vectors."""

    def __init__(self, real_data, features, measure="fid", count=observation.QUALITY_IMAGES, seed=0):
        if measure not in ("fid", "kid"):
            raise ValueError(f"measure must be 'fid' or 'kid', got {measure!r}.")
        self.real_data, self.features, self.count, self.seed = real_data, features, count, seed
        self.measure_name = measure
        self.real_features = None

    def measure_features(self, real, fake):
        if self.measure_name == "fid":
            return quality.frechet_distance(real, fake)
        # One subset of all the images: subsets of the same size would all be this set again.
        return quality.kernel_inception_distance(real, fake, subsets=1, subset_size=len(real), seed=self.seed)[0]

    def measure(self, model):
        if self.real_features is None:
            self.real_features = np.asarray(self.features(observation.first_images(self.real_data, self.count)))
        fake = model.generate(len(self.real_features), seed=self.seed)
        value = self.measure_features(self.real_features, np.asarray(self.features(fake)))
        return measurements.Observation({TAGS[self.measure_name]: value}, {}, {})
