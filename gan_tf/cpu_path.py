"""The faster TensorFlow path on this CPU: oneDNN's kernels on or off, chosen before TensorFlow is imported.

TensorFlow (2.21, Linux x86-64 wheels) runs convolutions and matrix products through oneDNN only on CPUs with
neural-network instructions (AVX512_VNNI, AVX512_BF16, AVX_VNNI or AMX): `DefaultOneDnnPolicy` in TensorFlow's
`tensorflow/core/util/port.cc`, after RFC 400 "Enabling oneDNN operations for x86 CPUs" (Penporn Koanantakool,
https://github.com/tensorflow/community/pull/400). Elsewhere it uses its Eigen kernels unless the environment
variable `TF_ENABLE_ONEDNN_OPTS=1` is set before TensorFlow is imported (it is read once, at import).

The choice per instruction set (x86-64; measurements in `benchmarks/README.md`, each with its CPU):

    CPU                                         TensorFlow's default   here          evidence
    AVX-512 VNNI / BF16, AVX-VNNI or AMX        oneDNN on              on (default)  AMD EPYC Zen 4: DCGAN 64x64
                                                                                     step 1.33x PyTorch eager
    AVX2 + FMA without those (Zen 1-3,          oneDNN off             on            AMD EPYC Zen 3: DCGAN 64x64
      Intel Haswell to Skylake client)                                               step 1.3-1.8x TF's default
    older x86, other architectures              TF's default           TF's default  not measured

Use (the `gan-tf` command, the reproduction scripts and the tests do this):

    from gan_tf import cpu_path
    cpu_path.configure()          # before the first `import tensorflow` / `import keras` of the process
    import keras

A `TF_ENABLE_ONEDNN_OPTS` the user set is never changed. This module does not import TensorFlow.
"""

import collections
import os
import sys
import warnings

ONEDNN_VARIABLE = "TF_ENABLE_ONEDNN_OPTS"
# CPU flags (as /proc/cpuinfo names them) with which TensorFlow turns oneDNN on by itself.
TENSORFLOW_ONEDNN_FLAGS = ("avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16")
# What oneDNN needs to beat TensorFlow's Eigen kernels here (measured: benchmarks/README.md).
ONEDNN_FASTER_FLAGS = ("avx2", "fma")

Choice = collections.namedtuple("Choice", ["onednn", "reason"])  # onednn: True, False or None (TF's default)


def cpu_flags(cpuinfo_path="/proc/cpuinfo"):
    """The CPU's feature flags as a set of lower-case names ("avx2", "avx512f", ...); empty when unknown
    (not Linux, or no readable cpuinfo)."""
    try:
        with open(cpuinfo_path, encoding="utf-8", errors="replace") as file:
            for line in file:
                if line.startswith(("flags", "Features")):
                    return set(line.split(":", 1)[1].lower().split())
    except OSError:
        pass
    return set()


def cpu_model(cpuinfo_path="/proc/cpuinfo"):
    """The CPU's model name ("AMD EPYC", ...), or "unknown CPU"."""
    try:
        with open(cpuinfo_path, encoding="utf-8", errors="replace") as file:
            for line in file:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def instruction_set(flags):
    """A short name of the widest vector extension: "AVX-512", "AVX2", "AVX" or "other"."""
    for flag, name in (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX")):
        if flag in flags:
            return name
    return "other"


def onednn_choice(flags):
    """`Choice(onednn, reason)` for a CPU with these flags: True (on) or None (leave TensorFlow's default)."""
    if any(flag in flags for flag in TENSORFLOW_ONEDNN_FLAGS):
        return Choice(True, "TensorFlow's default on this CPU (it has neural-network instructions)")
    if all(flag in flags for flag in ONEDNN_FASTER_FLAGS):
        return Choice(True, "AVX2 + FMA CPU: oneDNN measured faster than TensorFlow's default (Eigen)")
    return Choice(None, "no measurement for this CPU: TensorFlow's default")


def configure(environ=None, modules=None, flags=None):
    """Set `TF_ENABLE_ONEDNN_OPTS` for this CPU (see the module docstring) unless the user set it; returns the
    `Choice` in effect. Call it before TensorFlow is imported: once TensorFlow is loaded the setting can no
    longer change, and this warns (RuntimeWarning) if it would have changed it, leaving the environment alone.

    `environ`, `modules`, `flags` default to `os.environ`, `sys.modules` and this CPU's flags (for tests).
    """
    environ = os.environ if environ is None else environ
    modules = sys.modules if modules is None else modules
    flags = cpu_flags() if flags is None else flags
    if ONEDNN_VARIABLE in environ or not needs_setting(flags):
        return in_effect(environ, flags)
    if "tensorflow" in modules:
        warnings.warn(f"gan_tf.cpu_path.configure() was called after TensorFlow was imported, so TensorFlow keeps "
                      f"its default (oneDNN off on this CPU), the slower path here. Call it before the first "
                      f"`import tensorflow` / `import keras`, or set {ONEDNN_VARIABLE}=1 in the environment.",
                      RuntimeWarning, stacklevel=2)
        return in_effect(environ, flags)
    environ[ONEDNN_VARIABLE] = "1"
    return onednn_choice(flags)


def needs_setting(flags):
    """Whether this CPU's choice (oneDNN on) differs from TensorFlow's default, so the variable must be set."""
    return onednn_choice(flags).onednn is True and not any(flag in flags for flag in TENSORFLOW_ONEDNN_FLAGS)


def in_effect(environ=None, flags=None):
    """The `Choice` TensorFlow follows (or will, if imported now) in this environment, changing nothing."""
    environ = os.environ if environ is None else environ
    flags = cpu_flags() if flags is None else flags
    if ONEDNN_VARIABLE in environ:
        value = environ[ONEDNN_VARIABLE]
        return Choice(value.strip().lower() in ("1", "true"), f"{ONEDNN_VARIABLE}={value} in the environment")
    default_on = any(flag in flags for flag in TENSORFLOW_ONEDNN_FLAGS)
    return Choice(default_on, f"TensorFlow's default on this CPU ({ONEDNN_VARIABLE} unset)")


def describe(environ=None, flags=None):
    """One line for logs and benchmark tables: CPU model, instruction set and the oneDNN setting in effect."""
    flags = cpu_flags() if flags is None else flags
    choice = in_effect(environ, flags)
    return f"{cpu_model()} ({instruction_set(flags)}); oneDNN {'on' if choice.onednn else 'off'}: {choice.reason}"


def xla_for_convolutional_gans(environ=None, flags=None):
    """Whether XLA (`jit_compile=True`) is the faster choice for a convolutional GAN's train step on this CPU (no
    GPU): not where oneDNN is in effect, as XLA programs do not use TensorFlow's oneDNN kernels.

    Measured with `benchmarks/dcgan_images_per_second.py` (benchmarks/README.md): DCGAN 64x64 with XLA at
    0.70-0.78x the speed of oneDNN without XLA on the AVX2 Zen 3, 0.63x on the AVX-512 Zen 4 (oneDNN on by
    TensorFlow's default there), 32x32 at 0.65x on the Zen 3. Without oneDNN the two were within 6% on the Zen 3
    under load (XLA 1.4x ahead in a quieter run): XLA is kept there. Small dense GANs (the toys) are another
    matter: XLA pays off for them (`GAN.compile(stacked_batches=True)`).
    """
    return not in_effect(environ, flags).onednn
