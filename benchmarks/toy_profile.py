"""Where a toy GAN step's time goes in gan_tf: removes one cost at a time, against PyTorch eager (1 thread).

Command:  python benchmarks/toy_profile.py [--toy blog_1d lecture_2d] [--rounds 3] [--block-seconds 1.5]
          (also run by make benchmark)
Measures: steps/s, variants timed in alternating rounds, medians (toys and models as toy_vs_pytorch.py):
            PyTorch eager, 1 thread          the reference of the 3x target
            gan_tf fit + XLA                 as shipped: steps_per_execution=100, real batches sampled by
                                             gan_tf.distributions.sample_dataset (tfp, in tf.data)
            ... one constant batch           the same fit on Dataset.from_tensors(batch).repeat(): no sampling
            real batches alone               next() on the sample_dataset iterator: the input's own cost
            100 steps in one XLA program     not a gan_tf API: the same GAN.train_step called 100 times in a
                                             tf.range loop inside one tf.function(jit_compile=True), real
                                             batches from tf.random in the graph: the floor without Keras'
                                             per-step loop (one iterator get_next and one XLA launch per step)
            fit + XLA, 100 stacked batches   the fix this suggested, now gan_tf's
                                             `GAN.compile(stacked_batches=True)`: through `fit`, each dataset
                                             element holds 100 real batches (the unstacked stream, 100 at
                                             a time) and one Keras step runs the 100 training steps in one
                                             XLA program
Expected: (2 cores, load 2-4; see benchmarks/README.md) 100 steps in one XLA program run 1,200-1,700 (blog_1d)
          and 16,000-18,000 (lecture_2d) steps/s, 3-14x `fit + XLA`; the stacked fit reaches 2-4.5x (blog_1d)
          and 13-17x (lecture_2d) PyTorch. Most of gan_tf's toy step is Keras' per-step machinery around the
          compiled step, not the input pipeline (4-14x faster than fit consumes) and, on lecture_2d, not
          arithmetic.
"""

import argparse

import tensorflow as tf
import timing
import torch_reference
import toy_vs_pytorch

import gan_tf

STEPS = toy_vs_pytorch.STEPS_PER_EXECUTION


def constant_batch_runner(toy):
    generator, discriminator, d_optimizer, g_optimizer, dataset = toy_vs_pytorch.keras_toy(toy)
    settings = toy_vs_pytorch.TOYS[toy]
    constant = tf.data.Dataset.from_tensors(next(iter(dataset))).repeat()
    gan = gan_tf.GAN(generator, discriminator, latent_dim=settings["latent_dim"], seed=0)
    gan.compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer, loss=settings["loss"],
                steps_per_execution=STEPS, jit_compile=True)
    return gan, lambda count: gan.fit(constant, steps_per_epoch=count, epochs=1, verbose=0)


def one_program_runner(toy):
    """run(count): count / STEPS calls of one XLA program holding STEPS whole training steps."""
    gan, fit = constant_batch_runner(toy)
    fit(STEPS)  # builds the optimizers' slots outside the XLA program
    settings = toy_vs_pytorch.TOYS[toy]
    real_shape = [settings["batch_size"], 1 if toy == "blog_1d" else 2]

    @tf.function(jit_compile=True)
    def steps():
        for _ in tf.range(STEPS):
            gan.train_step(tf.random.normal(real_shape))

    return lambda count: [steps() for _ in range(count // STEPS)]


def real_batches_runner(toy):
    batches = iter(toy_vs_pytorch.keras_toy(toy)[-1])
    return lambda count: [next(batches) for _ in range(count)]


def variants(toy):
    chosen = []
    if torch_reference.available():
        chosen.append(timing.Variant(toy_vs_pytorch.TORCH_1_THREAD, toy_vs_pytorch.torch_runner(toy, 1), 1))
    else:
        print(torch_reference.MISSING_MESSAGE)
    chosen.append(timing.Variant("gan_tf fit + XLA", toy_vs_pytorch.fit_runner(toy, True), STEPS))
    chosen.append(timing.Variant("... one constant batch", constant_batch_runner(toy)[1], STEPS))
    chosen.append(timing.Variant("real batches alone", real_batches_runner(toy), STEPS))
    chosen.append(timing.Variant("100 steps in one XLA program", one_program_runner(toy), STEPS))
    chosen.append(timing.Variant("fit + XLA, 100 stacked batches", toy_vs_pytorch.fit_runner(toy, True, True), STEPS))
    return chosen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--toy", nargs="+", choices=sorted(toy_vs_pytorch.TOYS), default=sorted(toy_vs_pytorch.TOYS))
    parser.add_argument("--rounds", type=int, default=3, help="timed blocks per variant (medians are reported)")
    parser.add_argument("--block-seconds", type=float, default=1.5, help="approximate length of one timed block")
    arguments = parser.parse_args(argv)
    return timing.run_toys(arguments.toy, variants, baselines, lambda toy: "steps/s (or real batches/s)",
                           arguments.rounds, arguments.block_seconds)


def baselines(rates):
    chosen = {"gan_tf fit + XLA": "gan_tf fit + XLA"}
    if toy_vs_pytorch.TORCH_1_THREAD in rates:
        chosen["PyTorch 1 thread"] = toy_vs_pytorch.TORCH_1_THREAD
    return chosen


if __name__ == "__main__":
    main()
