"""JAX twins of the toy GANs, for speed comparisons only (jax is not a gan_tf dependency): many training steps
in one compiled program, `jax.lax.scan` of the step inside one `jax.jit`, the way a JAX user would write a toy.

Install the CPU build with `pip install jax==0.10.2 jaxlib==0.10.2` (or `make benchmark`). Without jax,
`available()` is False and `MISSING_MESSAGE` says why; nothing else here may be called then.

Models (the same layer sizes, initialisation, losses and Adam as the Keras twins in benchmarks/toy_vs_pytorch.py):
  blog_1d     G(z) = |a| z + b (a = 1, b = 0), D = MLP [256, 256] (ReLU), truncated normal (stddev 0.1, cut at
              2 stddevs) kernels, biases 0.1; Adam D 0.01, G 0.02; real batches N(2, 3), batch 32, z ~ N(0, 1).
  lecture_2d  G = Dense(8 -> 100), ReLU, Dense(100 -> 2); D = Dense(2 -> 100), ReLU, Dense(100 -> 1); nn.Linear's
              init U(-1/sqrt(fan_in), 1/sqrt(fan_in)); Adam 1e-3; saturating G loss; batch 10 of two Gaussians.
A step is `gan_tf.GAN.train_step`'s: one D update on a real batch (G(z) without gradients), then one G update on
fresh z. Adam is Keras' (epsilon 1e-7 outside the square root, bias corrections folded into the step size).
"""

import functools

try:
    import jax
    from jax import numpy as jnp
except ImportError:  # jax is optional: the benchmarks print MISSING_MESSAGE and skip the JAX row
    jax = jnp = None

JAX_VERSION = "0.10.2"
MISSING_MESSAGE = (f"JAX is not installed: the JAX row is skipped. Install the CPU build with "
                   f"`pip install jax=={JAX_VERSION} jaxlib=={JAX_VERSION}` (or run `make benchmark`).")
BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-7


def available():
    return jax is not None


def dense(key, fan_in, units, blog_init):
    """{"kernel": [fan_in, units], "bias": [units]}: the blog's init (truncated normal 0.1, bias 0.1) or nn.Linear's."""
    if blog_init:
        kernel = 0.1 * jax.random.truncated_normal(key, -2.0, 2.0, (fan_in, units))
        return {"kernel": kernel, "bias": jnp.full((units,), 0.1)}
    kernel_key, bias_key = jax.random.split(key)
    bound = fan_in ** -0.5
    return {"kernel": jax.random.uniform(kernel_key, (fan_in, units), minval=-bound, maxval=bound),
            "bias": jax.random.uniform(bias_key, (units,), minval=-bound, maxval=bound)}


def mlp(layers, inputs):
    """Dense layers with ReLU between them, no activation after the last."""
    for index, layer in enumerate(layers):
        inputs = inputs @ layer["kernel"] + layer["bias"]
        if index < len(layers) - 1:
            inputs = jax.nn.relu(inputs)
    return inputs


def adam_state(parameters):
    def zeros():
        return jax.tree_util.tree_map(jnp.zeros_like, parameters)

    return {"m": zeros(), "v": zeros(), "t": jnp.zeros((), jnp.float32)}


def adam_update(parameters, gradients, state, learning_rate):
    """Keras' Adam: m, v moving averages; step lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)."""
    t = state["t"] + 1.0
    rate = learning_rate * jnp.sqrt(1.0 - BETA_2 ** t) / (1.0 - BETA_1 ** t)
    m = jax.tree_util.tree_map(lambda m, g: m + (g - m) * (1.0 - BETA_1), state["m"], gradients)
    v = jax.tree_util.tree_map(lambda v, g: v + (g * g - v) * (1.0 - BETA_2), state["v"], gradients)
    parameters = jax.tree_util.tree_map(lambda p, m, v: p - rate * m / (jnp.sqrt(v) + EPSILON), parameters, m, v)
    return parameters, {"m": m, "v": v, "t": t}


def blog_1d(key):
    """(generate, discriminate, sample_real, g_parameters, d_parameters, settings) of the blog's Normal toy."""
    keys = jax.random.split(key, 3)
    d_parameters = [dense(keys[0], 1, 256, True), dense(keys[1], 256, 256, True), dense(keys[2], 256, 1, True)]
    g_parameters = {"scale": jnp.ones((1,)), "location": jnp.zeros((1,))}

    def generate(parameters, latent):
        return latent * jnp.abs(parameters["scale"]) + parameters["location"]

    def sample_real(key):
        return 2.0 + 3.0 * jax.random.normal(key, (32, 1))

    settings = dict(batch_size=32, latent_dim=1, learning_rates=(0.01, 0.02), saturating=False)
    return generate, mlp, sample_real, g_parameters, d_parameters, settings


def lecture_2d(key, latent_dim=8, hidden=100):
    """The same for EE-559 lecture 10.1's minimal GAN on two 2-D Gaussians."""
    keys = jax.random.split(key, 4)
    g_parameters = [dense(keys[0], latent_dim, hidden, False), dense(keys[1], hidden, 2, False)]
    d_parameters = [dense(keys[2], 2, hidden, False), dense(keys[3], hidden, 1, False)]
    means, stddevs = jnp.array([[-1.5, 0.0], [1.5, 0.0]]), jnp.array([[0.2, 0.6], [0.2, 0.6]])

    def sample_real(key):
        component_key, normal_key = jax.random.split(key)
        components = jax.random.randint(component_key, (10,), 0, 2)
        return means[components] + stddevs[components] * jax.random.normal(normal_key, (10, 2))

    settings = dict(batch_size=10, latent_dim=latent_dim, learning_rates=(1e-3, 1e-3), saturating=True)
    return mlp, mlp, sample_real, g_parameters, d_parameters, settings


def toy_runner(toy, steps_per_call, seed=0):
    """run(count): `count` training steps (a multiple of `steps_per_call`), `steps_per_call` per jitted call."""
    generate, discriminate, sample_real, g_parameters, d_parameters, settings = {
        "blog_1d": blog_1d, "lecture_2d": lecture_2d}[toy](jax.random.PRNGKey(seed))
    latent_shape = (settings["batch_size"], settings["latent_dim"])
    d_rate, g_rate = settings["learning_rates"]

    def d_loss(d_parameters, real, fake):
        real_logits, fake_logits = discriminate(d_parameters, real), discriminate(d_parameters, fake)
        return jnp.mean(jax.nn.softplus(-real_logits)) + jnp.mean(jax.nn.softplus(fake_logits))

    def g_loss(g_parameters, d_parameters, latent):
        fake_logits = discriminate(d_parameters, generate(g_parameters, latent))
        if settings["saturating"]:
            return -jnp.mean(jax.nn.softplus(fake_logits))
        return jnp.mean(jax.nn.softplus(-fake_logits))

    def step(state, _):
        g_parameters, d_parameters, g_adam, d_adam, key = state
        key, real_key, d_latent_key, g_latent_key = jax.random.split(key, 4)
        fake = generate(g_parameters, jax.random.normal(d_latent_key, latent_shape))
        d_gradients = jax.grad(d_loss)(d_parameters, sample_real(real_key), fake)
        d_parameters, d_adam = adam_update(d_parameters, d_gradients, d_adam, d_rate)
        g_gradients = jax.grad(g_loss)(g_parameters, d_parameters, jax.random.normal(g_latent_key, latent_shape))
        g_parameters, g_adam = adam_update(g_parameters, g_gradients, g_adam, g_rate)
        return (g_parameters, d_parameters, g_adam, d_adam, key), None

    @functools.partial(jax.jit, donate_argnums=0)
    def train(state):
        return jax.lax.scan(step, state, None, length=steps_per_call)[0]

    state = [(g_parameters, d_parameters, adam_state(g_parameters), adam_state(d_parameters),
              jax.random.PRNGKey(seed + 1))]

    def run(count):
        for _ in range(count // steps_per_call):
            state[0] = train(state[0])
        jax.block_until_ready(state[0])

    return run
