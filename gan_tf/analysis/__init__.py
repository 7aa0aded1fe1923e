"""The game, analysed rather than trained: closed forms and simulations that explain GAN dynamics.

  dirac        the Dirac-GAN game (Mescheder et al. 2018) in NumPy: vector fields, integrators, eigenvalues
  divergences  KL, JSD and the GAN value of 1-D densities, by numerical integration

NumPy only; it imports nothing from the rest of gan_tf.
"""
