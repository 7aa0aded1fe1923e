"""`python -m gan_tf.cli ...`: the same as the `gan-tf` command."""

from gan_tf import cli

cli.main()
