"""What only the scripts in `reproductions/` share; not part of the library's API.

  script          the scripts' common set-up: flags, output folder, JSON files, claims, printed table, figures
  catalogue       what each script's docstring says (source, figures, runtime), read without importing it
  report          the report of all reproductions (HTML + Markdown) from their outputs folders
  toy1d           1-D toy experiments: recorded runs, summaries, figure sets of Max Strakhov's blog post (2018)
  dynamics_plots  figures of training dynamics: 2-D samples over training, per-seed series

It imports the library and the analysis wing; nothing imports it but the scripts, their tests and `gan-tf list /
reproduce` (catalogue and report, which import no TensorFlow).
"""
