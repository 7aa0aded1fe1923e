"""gan_tf.cpu_path: the oneDNN choice per CPU, set only when unset and only before TensorFlow is imported."""

import pytest

from gan_tf import cpu_path

AVX2 = {"sse4_2", "avx", "avx2", "fma"}  # AMD Zen 1-3, Intel Haswell to Skylake client
AVX512_VNNI = AVX2 | {"avx512f", "avx512_vnni"}  # TensorFlow turns oneDNN on by itself
SSE = {"sse4_2"}


def test_cpu_flags_and_model_are_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse4_2 AVX2 fma\n\n"
                       "processor\t: 1\n")
    assert cpu_path.cpu_flags(cpuinfo) == {"fpu", "sse4_2", "avx2", "fma"}
    assert cpu_path.cpu_model(cpuinfo) == "AMD EPYC 7B13"
    assert cpu_path.cpu_flags(tmp_path / "missing") == set()
    assert cpu_path.cpu_model(tmp_path / "missing") == "unknown CPU"


@pytest.mark.parametrize("flags, expected",
                         [(AVX512_VNNI, "AVX-512"), (AVX2, "AVX2"), ({"avx"}, "AVX"), (SSE, "other")])
def test_instruction_set_names_the_widest_vector_extension(flags, expected):
    assert cpu_path.instruction_set(flags) == expected


def test_avx2_cpu_gets_onednn_when_nothing_is_set():
    environ = {}
    choice = cpu_path.configure(environ, modules={}, flags=AVX2)
    assert environ == {"TF_ENABLE_ONEDNN_OPTS": "1"}
    assert choice.onednn is True and "AVX2" in choice.reason
    assert cpu_path.in_effect(environ, AVX2).onednn is True


@pytest.mark.parametrize("value, onednn", [("0", False), ("1", True), ("false", False)])
def test_the_users_setting_is_kept(value, onednn):
    environ = {"TF_ENABLE_ONEDNN_OPTS": value}
    choice = cpu_path.configure(environ, modules={}, flags=AVX2)
    assert environ == {"TF_ENABLE_ONEDNN_OPTS": value}
    assert choice.onednn is onednn and "in the environment" in choice.reason


def test_nothing_is_set_where_tensorflow_already_chooses_onednn_or_where_nothing_was_measured():
    for flags, onednn in ((AVX512_VNNI, True), (SSE, False)):
        environ = {}
        assert cpu_path.configure(environ, modules={}, flags=flags).onednn is onednn
        assert environ == {}


def test_too_late_after_tensorflow_is_imported_warns_and_changes_nothing():
    environ = {}
    with pytest.warns(RuntimeWarning, match="called after TensorFlow was imported"):
        choice = cpu_path.configure(environ, modules={"tensorflow": object()}, flags=AVX2)
    assert environ == {} and choice.onednn is False


def test_describe_names_model_instruction_set_and_setting():
    text = cpu_path.describe({"TF_ENABLE_ONEDNN_OPTS": "1"}, AVX2)
    assert text.endswith("(AVX2); oneDNN on: TF_ENABLE_ONEDNN_OPTS=1 in the environment")
    assert "oneDNN off: TensorFlow's default" in cpu_path.describe({}, AVX2)


def test_xla_is_advised_for_convolutional_gans_only_without_onednn():
    assert cpu_path.xla_for_convolutional_gans({"TF_ENABLE_ONEDNN_OPTS": "1"}, AVX2) is False
    assert cpu_path.xla_for_convolutional_gans({}, AVX512_VNNI) is False  # oneDNN on by TensorFlow's default
    assert cpu_path.xla_for_convolutional_gans({}, AVX2) is True  # TensorFlow's default here: oneDNN off
    assert cpu_path.xla_for_convolutional_gans({"TF_ENABLE_ONEDNN_OPTS": "0"}, AVX512_VNNI) is True
