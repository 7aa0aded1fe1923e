"""What only the scripts in `reproductions/` share; not part of the library's API.

  script          the scripts' common set-up: flags, output folder, JSON files, printed table, figure files
  toy1d           1-D toy experiments: recorded runs, summaries, figure sets of Max Strakhov's blog post (2018)
  dynamics_plots  figures of training dynamics: 2-D samples over training, per-seed series

It imports the library and the analysis wing; nothing imports it but the scripts and their tests.
"""
