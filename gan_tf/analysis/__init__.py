"""The game, analysed rather than trained: closed forms and simulations that explain GAN dynamics.

  dirac        the Dirac-GAN game (Mescheder et al. 2018) in NumPy: vector fields, integrators, eigenvalues
  divergences  KL, JSD and the GAN value of 1-D densities, by numerical integration

NumPy only; of the rest of gan_tf it uses only `checks` (one rule for counts).
"""
