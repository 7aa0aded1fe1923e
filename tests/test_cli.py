"""The `gan-tf` command."""

import pytest

from gan_tf import cli


def test_list_names_the_reproductions(capsys):
    cli.main(["list"])
    assert "strakhov2018_normal" in capsys.readouterr().out


def test_unknown_reproduction_names_the_choices():
    with pytest.raises(FileNotFoundError, match="No reproduction named 'nope'.*strakhov2018_normal"):
        cli.main(["reproduce", "nope"])


def test_a_command_is_required():
    with pytest.raises(SystemExit):
        cli.main([])
