"""The README's API snippet runs as written (with fewer steps, as acceptance checks do)."""

import re

import numpy as np


def test_readme_snippet_runs(repository):
    readme = (repository / "README.md").read_text()
    snippet = re.search(r"```python\n(import keras\nimport gan_tf\n.*?)```", readme, re.DOTALL).group(1)
    shortened = snippet.replace("steps_per_epoch=2000", "steps_per_epoch=50")
    assert shortened != snippet
    namespace = {}
    exec(compile(shortened, "README.md", "exec"), namespace)
    assert set(namespace["history"].history) >= {"d_loss", "g_loss", "p_real_on_real", "p_real_on_fake"}
    assert namespace["samples"].shape == (10000, 1)
    assert np.all(np.isfinite(namespace["samples"]))
