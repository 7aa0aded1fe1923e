"""gan_tf.reproduction.catalogue: what a script's docstring says about it, read without importing the script."""

import pytest
from conftest import REPOSITORY

from gan_tf.reproduction import catalogue

SCRIPTS = sorted((REPOSITORY / "reproductions").glob("*.py"))


def test_fields_run_to_the_next_field_and_figures_come_from_outputs(tmp_path):
    path = tmp_path / "fake.py"
    path.write_text('"""Title line.\n\nSource:   A, "B"\n          (2018).\nOutputs:  a.png, b_<run>.gif,\n'
                    '          a.png, metrics.json\nRuntime:  about 2 min (quiet machine); --smoke ~5 s.\n\n'
                    'Method: not a field of the head.\n"""\nraise SystemExit("never run")\n')
    entry = catalogue.describe(path)
    assert entry.fields == {"Source": 'A, "B" (2018).', "Outputs": "a.png, b_<run>.gif, a.png, metrics.json",
                            "Runtime": "about 2 min (quiet machine); --smoke ~5 s."}
    assert entry.figures == ["a.png", "b_<run>.gif"] and entry.source == "papers"
    assert catalogue.short_runtime(entry.fields["Runtime"]) == "about 2 min; --smoke ~5 s"


@pytest.mark.parametrize("source_field, source", [
    ("Max Strakhov, ... https://arxiv.org/abs/1", "blog"),
    ("Mescheder 2018 (https://arxiv.org/abs/1801.04406); N. Popov, M. Ryabinin, slides", "papers"),
    ("François Fleuret, EE-559; Goodfellow et al. (https://arxiv.org/abs/1406.2661)", "lecture"),
    ("N. Popov, M. Ryabinin; Sønderby et al. 2016 (https://arxiv.org/abs/1610.04490)", "slides"),
    ("Sarath Shekkizhar, write-up; Fleuret's lecture", "writeup"),
])
def test_a_script_belongs_to_the_source_it_cites_first(source_field, source):
    assert catalogue.source_of(source_field) == source


def test_every_script_states_its_source_runtime_and_figures():
    assert len(SCRIPTS) == 15
    for path in SCRIPTS:
        entry = catalogue.describe(path)
        assert entry.fields.get("Source") and "--smoke" in entry.fields.get("Runtime", ""), path.name
        assert entry.figures, path.name
        assert "\n" not in catalogue.listing_line(entry)
    sources = {path.stem: catalogue.describe(path).source for path in SCRIPTS}
    assert {name for name, source in sources.items() if source == "blog"} == {
        "strakhov2018_normal", "strakhov2018_mixture_linear", "strakhov2018_mixture_mlp"}
    assert sources["popov2018_jsd_instance_noise"] == "slides" and sources["dcgan_bad_init"] == "writeup"
