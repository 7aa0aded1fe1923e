"""PyTorch twins of the benchmarked gan_tf models, for speed comparisons only (torch is not a gan_tf dependency).

Install the CPU build with `pip install torch==2.13.0` (or `make benchmark`). Without torch, `available()` is
False and `MISSING_MESSAGE` says why; nothing else here may be called then.

Models (each the same layer sizes, initialisation and optimizer as its Keras twin in the benchmarks):
  blog_1d        the blog's Normal experiment: G(z) = |a| z + b, D = MLP [256, 256] (ReLU), truncated normal
                 (stddev 0.1, cut at 2 stddevs as Keras) kernels, biases 0.1; Adam, D 0.01, G 0.02, eps 1e-7.
  lecture_2d     EE-559 lecture 10.1's minimal GAN: G = Linear(8, 100), ReLU, Linear(100, 2); D = Linear(2, 100),
                 ReLU, Linear(100, 1) (a logit: the lecture's Sigmoid moves into the loss, as gan_tf); PyTorch's
                 default initialisation; Adam 1e-3 (eps 1e-7, Keras' default, on both sides).
  dcgan          the lecture's DCGAN (pytorch/examples): `dcgan_generator()` and `dcgan_discriminator()` below,
                 written exactly as the lecture, with its `weights_init`, BCELoss and Adam(2e-4, betas (0.5, 0.999)).

Toy steps (`toy_step`) do what `gan_tf.GAN.train_step` does: one D update on a real batch and G(z) computed
without gradients, then one G update on fresh z; `zero_grad(set_to_none=True)`. The DCGAN step
(`dcgan_step`) is the lecture's loop verbatim (minus its `.item()` logging): its G update reuses the fake batch
of the D update, so it runs G forward once per step where gan_tf runs it twice (fresh z for G).
"""

try:
    import torch
    from torch import nn
    from torch.nn import functional
except ImportError:  # torch is optional: the benchmarks print MISSING_MESSAGE and skip the PyTorch column
    torch = nn = functional = None

TORCH_VERSION = "2.13.0"
MISSING_MESSAGE = (f"PyTorch is not installed: the PyTorch column is skipped. Install the CPU build with "
                   f"`pip install torch=={TORCH_VERSION}` (or run `make benchmark`).")
NUM_THREADS = 2
KERAS_ADAM_EPSILON = 1e-7


def available():
    return torch is not None


def set_up(seed=0):
    """Two intra-op threads (the machine's 2 cores) and a seeded generator."""
    if not available():
        raise ValueError(MISSING_MESSAGE)
    torch.set_num_threads(NUM_THREADS)
    torch.manual_seed(seed)


def parameter_count(module):
    return sum(parameter.numel() for parameter in module.parameters() if parameter.requires_grad)


# ---- the blog's 1-D GAN ------------------------------------------------------------------------------------


def _location_scale_class():
    class LocationScale(nn.Module):
        """x = |a| z + b elementwise (gan_tf.networks.LocationScale), starting at N(0, 1)."""

        def __init__(self, size):
            super().__init__()
            self.scale = nn.Parameter(torch.ones(size))
            self.location = nn.Parameter(torch.zeros(size))

        def forward(self, latent):
            return latent * self.scale.abs() + self.location

    return LocationScale


def blog_dense(fan_in, units, stddev=0.1, bias=0.1):
    """nn.Linear initialised as Strakhov 2018's TF1 code and gan_tf.networks' MLPs (`MLP_KERNEL_STDDEV`, `MLP_BIAS`)."""
    layer = nn.Linear(fan_in, units)
    nn.init.trunc_normal_(layer.weight, std=stddev, a=-2 * stddev, b=2 * stddev)
    nn.init.constant_(layer.bias, bias)
    return layer


def blog_1d():
    """(generator, discriminator, d_optimizer, g_optimizer) of the blog's Normal experiment."""
    generator = _location_scale_class()(1)
    discriminator = nn.Sequential(blog_dense(1, 256), nn.ReLU(), blog_dense(256, 256), nn.ReLU(), blog_dense(256, 1))
    d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=0.01, eps=KERAS_ADAM_EPSILON)
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=0.02, eps=KERAS_ADAM_EPSILON)
    return generator, discriminator, d_optimizer, g_optimizer


def normal_sampler(mean, stddev, batch_size):
    return lambda: torch.randn(batch_size, 1) * stddev + mean


# ---- the lecture's minimal 2-D GAN ---------------------------------------------------------------------------


def lecture_2d(latent_dim=8, hidden=100, learning_rate=1e-3):
    """(generator, discriminator, d_optimizer, g_optimizer) of EE-559 lecture 10.1 (default nn.Linear init)."""
    generator = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, 2))
    discriminator = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, 1))
    d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=learning_rate, eps=KERAS_ADAM_EPSILON)
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=learning_rate, eps=KERAS_ADAM_EPSILON)
    return generator, discriminator, d_optimizer, g_optimizer


def two_gaussians_sampler(batch_size, means=((-1.5, 0.0), (1.5, 0.0)), stddevs=((0.2, 0.6), (0.2, 0.6))):
    """Equal-weight mixture of two diagonal 2-D normals (the lecture reproduction's target)."""
    means, stddevs = torch.tensor(means), torch.tensor(stddevs)

    def sample():
        components = torch.randint(0, len(means), (batch_size,))
        return means[components] + stddevs[components] * torch.randn(batch_size, 2)

    return sample


# ---- one toy training step -------------------------------------------------------------------------------------


def toy_step(generator, discriminator, d_optimizer, g_optimizer, sample_real, latent_dim, batch_size,
             saturating=False):
    """One D update then one G update, as `gan_tf.GAN.train_step` (losses on logits, as `gan_tf.losses`)."""
    real = sample_real()
    with torch.no_grad():
        fake = generator(torch.randn(batch_size, latent_dim))
    d_loss = functional.softplus(-discriminator(real)).mean() + functional.softplus(discriminator(fake)).mean()
    d_optimizer.zero_grad(set_to_none=True)
    d_loss.backward()
    d_optimizer.step()
    fake_logits = discriminator(generator(torch.randn(batch_size, latent_dim)))
    g_loss = -functional.softplus(fake_logits).mean() if saturating else functional.softplus(-fake_logits).mean()
    g_optimizer.zero_grad(set_to_none=True)
    g_loss.backward()
    g_optimizer.step()


def compiled_toy_step(generator, discriminator, d_optimizer, g_optimizer, sample_real, latent_dim, batch_size,
                      saturating=False):
    """step(): `toy_step` compiled whole by `torch.compile` (forward, both backward passes and both Adam updates
    in one compiled graph: `torch._dynamo.config.trace_autograd_ops = True` lets Dynamo trace `.backward()`)."""
    torch._dynamo.config.trace_autograd_ops = True

    @torch.compile
    def step():
        toy_step(generator, discriminator, d_optimizer, g_optimizer, sample_real, latent_dim, batch_size, saturating)

    return step


# ---- the lecture's DCGAN (pytorch/examples), as the lecture writes it -------------------------------------------


def dcgan_generator(nz=100, ngf=64, nc=3):
    return nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh(),
    )


def dcgan_discriminator(ndf=64, nc=3):
    return nn.Sequential(
        nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid(),
    )


def weights_init(module):
    """The lecture's custom initialisation: convs N(0, 0.02), BN gamma N(1, 0.02) and beta 0."""
    classname = module.__class__.__name__
    if classname.find("Conv") != -1:
        module.weight.data.normal_(0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        module.weight.data.normal_(1.0, 0.02)
        module.bias.data.fill_(0)


def dcgan(learning_rate=2e-4, beta1=0.5):
    """(netG, netD, optimizerD, optimizerG) as the lecture (pytorch/examples defaults lr 2e-4, beta1 0.5)."""
    net_g, net_d = dcgan_generator(), dcgan_discriminator()
    net_g.apply(weights_init)
    net_d.apply(weights_init)
    optimizer_d = torch.optim.Adam(net_d.parameters(), lr=learning_rate, betas=(beta1, 0.999))
    optimizer_g = torch.optim.Adam(net_g.parameters(), lr=learning_rate, betas=(beta1, 0.999))
    return net_g, net_d, optimizer_d, optimizer_g


def dcgan_step(net_g, net_d, optimizer_d, optimizer_g, real, nz=100):
    """The lecture's update (1) D on real then fake.detach(), (2) G with the -log D(G(z)) trick."""
    criterion = nn.BCELoss()
    batch_size = real.size(0)
    label = torch.full((batch_size,), 1.0)
    net_d.zero_grad(set_to_none=True)
    criterion(net_d(real).view(-1), label).backward()
    fake = net_g(torch.randn(batch_size, nz, 1, 1))
    label.fill_(0.0)
    criterion(net_d(fake.detach()).view(-1), label).backward()
    optimizer_d.step()
    net_g.zero_grad(set_to_none=True)
    label.fill_(1.0)
    criterion(net_d(fake).view(-1), label).backward()
    optimizer_g.step()

