"""Clipping vs gradient penalty on toy data: the panels of WGAN-GP's Fig. 1.

Compares weight clipping (WGAN) and the gradient penalty (WGAN-GP) with the
same MLPs and optimizer on the 8 Gaussians, 25 Gaussians and swiss roll of
Gulrajani et al. (2017), and the four models of keras_wgan on a 1D
Gaussian, then writes into `docs/images/`:

- `toy_value_surfaces.png` (Fig. 1a): the value over the plane of critics
  trained against a generator fixed at the real data plus Gaussian noise,
  clipping (top) vs penalty (bottom);
- `toy_gradient_norms.png` (Fig. 1b, left): log10 of the critic loss's gradient
  norm at each layer of a 12-layer critic on the swiss roll;
- `toy_weight_histograms.png` (Fig. 1b, right): the 12-layer critics' weights;
- `toy_1d_models.png`: real and generated densities and the critic or
  discriminator output on a 1D Gaussian, after 1 epoch and after training,
  for MinimaxGAN, NonSaturatingGAN, WGAN and WGAN-GP.

`--only 1a-lipschitz` writes `docs/lipschitz/value_surfaces.png` instead:
the value surfaces of Fig. 1a for the seven Lipschitz methods of
`keras_wgan.models.registry` (clipping, WGAN-GP, WGAN-LP, DRAGAN, R1,
spectral normalisation with the Wasserstein and the hinge loss), one row
each.

Usage: `python scripts/toy_figures.py [--steps 300] [--out docs/images]
[--only {1a,1a-lipschitz,1b,1d}]`.
Set `KERAS_BACKEND` to pick the backend; `--steps` sets the budget.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras_wgan  # noqa: E402  (sets the default backend before keras)

import keras  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from keras import ops  # noqa: E402

from keras_wgan import penalty  # noqa: E402

from keras_wgan.models import registry  # noqa: E402
from keras_wgan.studies import diagnostics  # noqa: E402
from keras_wgan.studies import fixed_generator  # noqa: E402
from keras_wgan.studies import toy  # noqa: E402

TITLES = {
    "8gaussians": "8 Gaussians",
    "25gaussians": "25 Gaussians",
    "swissroll": "Swiss roll",
}
CLIP_VALUE = 0.01
BATCH = 256
# The penalty weight of the 1D panels: the paper's released toy code uses
# 0.1 ("smaller lambda seems to help for toy tasks"). In 1D the gradient
# norm is |D'(x)|, whose two minima +1 and -1 the penalty separates by a
# barrier: for fakes at distance d beyond the data, the critics D' = s
# trade s d against lambda (|s| - 1)^2, and the slope s = 1 - d / (2
# lambda) that still points the generator away from the data is a local
# optimum until d >= 2 lambda. With lambda = 10 the generator that
# overshot the data kept running (mean 15.6 after 200 steps, slope 0.31
# measured vs 0.32 predicted); with 0.1 it settles on the data. In 2D and
# above the gradient can turn round without its norm passing through 0.
GP_WEIGHT_1D = 0.1
# The Lipschitz setting of each variant in the value-surface figures:
# clipping at the WGAN paper's c, the penalties at lambda (gamma for R1) =
# 10; the others at their defaults (DRAGAN's c = 0.5, one power iteration).
SURFACE_SETTINGS = {
    "wgan": {"clip_value": CLIP_VALUE},
    "wgan-gp": {"gp_weight": 10.0},
    "wgan-lp": {"gp_weight": 10.0},
    "dragan": {"gp_weight": 10.0},
    "wgan-r1": {"gp_weight": 10.0},
    "wgan-sn": {},
    "sngan-hinge": {},
}


def _optimizer(learning_rate):
    # One optimizer for every model (the WGAN-GP paper's toy setting, with
    # a larger rate for the short budget), so only the constraint differs.
    return keras.optimizers.Adam(learning_rate, beta_1=0.5, beta_2=0.9)


def _make(kind, critic, generator, n_critic=5, seed=0, gp_weight=10.0):
    if kind == "clipping":
        return keras_wgan.WGAN(critic, generator, n_critic=n_critic,
                               clip_value=CLIP_VALUE, seed=seed)
    if kind == "penalty":
        return keras_wgan.WGANGP(critic, generator, n_critic=n_critic,
                                 gp_weight=gp_weight, seed=seed)
    if kind == "minimax":
        return keras_wgan.MinimaxGAN(critic, generator, seed=seed)
    return keras_wgan.NonSaturatingGAN(critic, generator, seed=seed)


def _train(gan, data, steps, learning_rate, callbacks=(), epochs=1):
    gan.compile(critic_optimizer=_optimizer(learning_rate),
                generator_optimizer=_optimizer(learning_rate))
    per_step = BATCH * gan.n_critic
    count = per_step * max(1, steps // epochs)
    gan.fit(data[:count], batch_size=BATCH, epochs=epochs, verbose=0,
            callbacks=list(callbacks))
    return gan


def _surface_label(variant):
    """The row label of a variant in the value-surface figures."""
    setting = ", ".join(f"{key}={value:g}"
                        for key, value in SURFACE_SETTINGS[variant].items())
    label = registry.get_variant(variant).label
    return f"{label}, {setting}" if setting else label


def _grid_points(xs, ys):
    """The points of `critic_surface`'s grid, `(len(xs) * len(ys), 2)`."""
    return np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(
        "float32")


def value_surfaces(steps, width, variants, path):
    """Fig. 1a: critics trained on a fixed generator, real data + noise.

    As in the paper, the generator is held fixed at the real data plus
    N(0, I) noise and each critic trains alone for `5 * steps` updates (the
    critic updates of a GAN run of `steps` generator steps), so the surface
    is the constraint's answer to one fixed pair of distributions and not a
    snapshot of a moving game. One row per variant (its own critic update,
    `keras_wgan.studies.fixed_generator`), one column per 2D data set.
    """
    rows = len(variants)
    fig, axes = plt.subplots(rows, 3, figsize=(12, 0.6 + 4.2 * rows),
                             constrained_layout=True, squeeze=False)
    rng = np.random.default_rng(2)
    for col, (name, sampler) in enumerate(toy.DISTRIBUTIONS_2D.items()):
        data = sampler(BATCH * 5 * steps, seed=0)
        real = sampler(512, seed=1)
        fake = real[:256] + rng.standard_normal((256, 2)).astype("float32")
        for row, variant in enumerate(variants):
            start = time.time()
            trainer = fixed_generator.FixedGeneratorCritic(
                toy.toy_critic(2, width, 3), variant, seed=0,
                **SURFACE_SETTINGS[variant])
            trainer.compile(critic_optimizer=_optimizer(1e-3))
            trainer.fit(data, batch_size=BATCH, verbose=0)
            xs, ys, values = diagnostics.critic_surface(
                trainer.critic, (-2.5, 2.5), resolution=120)
            slope, slope_at_real = (
                ops.convert_to_numpy(penalty.gradient_norm(trainer.critic,
                                                           points))
                for points in (_grid_points(xs, ys), real))
            ax = axes[row, col]
            # Each panel has its own colour scale (the clipped critic's
            # values span ~1e-3, the penalised one's a few units); the
            # range is in the title.
            ax.contourf(xs, ys, values, levels=30, cmap="viridis")
            ax.scatter(*real.T, s=3, c="orange", label="real")
            ax.scatter(*fake.T, s=3, c="white", edgecolors="none",
                       label="fixed generator: real + N(0, I)")
            ax.set_title(f"{TITLES[name]}, {_surface_label(variant)}\n"
                         f"D(x) from {values.min():.3g} (purple) to "
                         f"{values.max():.3g} (yellow)\n|grad D|: max "
                         f"{slope.max():.2g} (box), median "
                         f"{np.median(slope_at_real):.2g} (real)",
                         fontsize=9)
            ax.set_xlabel("x1")
            ax.set_ylabel("x2")
            # Fakes beyond the box must not stretch the critic's panel.
            ax.set_xlim(-2.5, 2.5)
            ax.set_ylim(-2.5, 2.5)
            ax.set_aspect("equal", adjustable="box")
            print(f"  1a {name} {variant}: {time.time() - start:.0f}s, D "
                  f"in [{values.min():.3g}, {values.max():.3g}], |grad D| "
                  f"max {slope.max():.3g} on the box, median "
                  f"{np.median(slope):.3g} on the box and "
                  f"{np.median(slope_at_real):.3g} on the real points",
                  flush=True)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2,
               markerscale=5, facecolor="lightgrey")
    fig.suptitle(f"Critic value surfaces (WGAN-GP Fig. 1a): {5 * steps} "
                 f"critic updates against a fixed generator, 3 x {width} "
                 "ReLU MLP, Adam(1e-3, 0.5, 0.9)")
    fig.savefig(path, dpi=90)
    plt.close(fig)


def deep_critics(steps, width, out):
    """Fig. 1b, left and right: gradient norms and weights of 12-layer critics."""
    data = toy.swiss_roll(BATCH * 5 * steps, seed=0)
    probe = toy.swiss_roll(BATCH, seed=3)
    results = {}
    for kind in ("clipping", "penalty"):
        start = time.time()
        history = diagnostics.GradientNormHistory(probe, seed=4)
        gan = _make(kind, toy.toy_critic(2, width, 11),
                    toy.toy_generator(2, 2, width, 3))
        _train(gan, data, steps, 1e-4, callbacks=[history], epochs=5)
        results[kind] = (history, diagnostics.critic_weights(gan.critic))
        print(f"  1b {kind}: {time.time() - start:.0f}s", flush=True)

    fig, ax = plt.subplots(figsize=(6.4, 4.4), constrained_layout=True)
    for kind, color in (("clipping", "tab:red"), ("penalty", "tab:blue")):
        history = results[kind][0]
        layers = np.arange(1, len(history.norms) + 1)
        final = np.array([v[-1] for v in history.norms.values()])
        label = ("weight clipping (c=0.01)" if kind == "clipping"
                 else "gradient penalty (lambda=10)")
        nonzero = final > 0
        ax.plot(layers[nonzero], np.log10(final[nonzero]), "o-", color=color,
                label=label)
        if not nonzero.all():
            # log10(0) cannot be drawn: layers whose gradient is exactly 0
            # (no ReLU active on the probe batch) get a cross at the
            # bottom of the axes instead of a made-up value.
            ax.plot(layers[~nonzero], np.zeros(np.sum(~nonzero)), "x",
                    color=color, markersize=9, clip_on=False,
                    transform=ax.get_xaxis_transform(),
                    label=f"{label}: exactly 0")
    ax.set_xlabel("critic layer (1 = input side, 12 = output)")
    ax.set_ylabel("log10 ||d critic loss / d layer weights||")
    ax.set_title("Swiss roll, 12-layer ReLU critic: gradient norm per layer\n"
                 f"after {steps} generator steps")
    ax.set_xticks(layers)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.savefig(os.path.join(out, "toy_gradient_norms.png"), dpi=90)
    plt.close(fig)

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), constrained_layout=True)
    for ax, kind in zip(axes, ("clipping", "penalty")):
        weights = results[kind][1]
        ax.hist(weights, bins=80, color="tab:red" if kind == "clipping"
                else "tab:blue")
        if kind == "clipping":
            ax.set_xticks([-CLIP_VALUE, -CLIP_VALUE / 2, 0, CLIP_VALUE / 2,
                           CLIP_VALUE])
        ax.set_xlabel("critic weight value")
        ax.set_ylabel("count")
        ax.set_title("Weight clipping (c=0.01)" if kind == "clipping"
                     else "Gradient penalty (lambda=10)")
    fig.suptitle("Swiss roll, 12-layer critic: histogram of kernel weights")
    fig.savefig(os.path.join(out, "toy_weight_histograms.png"), dpi=90)
    plt.close(fig)
    return results


def one_dimensional(steps, out):
    """Densities and critic outputs on a 1D Gaussian for the four models."""
    data = toy.gaussian_1d(BATCH * 5 * steps, mean=2.0, std=0.5, seed=0)
    grid = np.linspace(-4, 6, 400, dtype="float32")[:, None]
    kinds = [("minimax", "MinimaxGAN"), ("non_saturating", "NonSaturatingGAN"),
             ("clipping", "WGAN (clipping)"),
             ("penalty", f"WGAN-GP (lambda={GP_WEIGHT_1D})")]
    fig, axes = plt.subplots(2, 4, figsize=(16, 7), constrained_layout=True)
    epochs = 10
    for col, (kind, title) in enumerate(kinds):
        start = time.time()
        gan = _make(kind, toy.toy_critic(1, 32, 2),
                    toy.toy_generator(1, 1, 32, 2), gp_weight=GP_WEIGHT_1D)
        snapshots = []
        snap = keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs, gan=gan, snaps=snapshots:
            snaps.append((epoch + 1, gan.generate(4096, seed=5),
                          diagnostics.critic_values(gan.critic, grid)))
            if epoch in (0, epochs - 1) else None)
        _train(gan, data, steps, 1e-3, callbacks=[snap], epochs=epochs)
        for row, (epoch, fake, values) in enumerate(snapshots):
            ax = axes[row, col]
            bins = np.linspace(-4, 6, 80)
            ax.hist(data[:4096, 0], bins=bins, density=True, alpha=0.5,
                    color="tab:orange", label="real N(2, 0.5^2)")
            ax.hist(fake[:, 0], bins=bins, density=True, alpha=0.5,
                    color="tab:blue", label="generated")
            ax.set_xlabel("x")
            ax.set_ylabel("density")
            twin = ax.twinx()
            if kind in ("minimax", "non_saturating"):
                twin.plot(grid[:, 0], 1 / (1 + np.exp(-values)), "k-",
                          label="D(x) = sigmoid(logit)")
                twin.set_ylim(0, 1)
                twin.set_ylabel("discriminator D(x)")
            else:
                twin.plot(grid[:, 0], values, "k-", label="critic D(x)")
                twin.set_ylabel("critic value D(x)")
            ax.set_title(f"{title}, after {epoch} epoch"
                         f"{'s' if epoch > 1 else ''}", fontsize=10)
            if col == 0 and row == 0:
                lines = ax.get_legend_handles_labels()
                extra = twin.get_legend_handles_labels()
                ax.legend(lines[0] + extra[0], lines[1] + extra[1],
                          fontsize=8, loc="upper left")
            elif row == 0 and col == 2:
                twin.legend(fontsize=8, loc="upper left")
        print(f"  1D {kind}: {time.time() - start:.0f}s", flush=True)
    fig.suptitle(f"1D Gaussian: {epochs} epochs of {steps // epochs} "
                 "generator steps; same MLPs (2 x 32 ReLU) and "
                 "Adam(1e-3, 0.5, 0.9); n_critic 5 for the WGANs, 1 for "
                 "the GANs")
    fig.savefig(os.path.join(out, "toy_1d_models.png"), dpi=90)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300,
                        help="generator steps per model; the fixed-generator "
                        "critics of 1a get 5 x as many critic updates "
                        "(default 300)")
    parser.add_argument("--width", type=int, default=128,
                        help="hidden units of the toy MLPs (default 128)")
    parser.add_argument("--out", default="docs/images",
                        help="folder for the PNGs (default docs/images)")
    parser.add_argument("--lipschitz-out", default="docs/lipschitz",
                        help="folder of value_surfaces.png, the 1a-lipschitz "
                        "figure (default docs/lipschitz)")
    parser.add_argument("--only", choices=("1a", "1a-lipschitz", "1b", "1d"),
                        default=None,
                        help="make one figure: 1a value surfaces (clipping "
                        "and penalty), 1a-lipschitz the value surfaces of "
                        "the seven Lipschitz methods, 1b the gradient norms "
                        "and weight histograms, 1d the 1D comparison "
                        "(default: 1a, 1b and 1d)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    keras.utils.set_random_seed(0)
    start = time.time()
    if args.only in (None, "1a"):
        value_surfaces(args.steps, args.width, ("wgan", "wgan-gp"),
                       os.path.join(args.out, "toy_value_surfaces.png"))
    if args.only == "1a-lipschitz":
        os.makedirs(args.lipschitz_out, exist_ok=True)
        value_surfaces(args.steps, args.width, tuple(SURFACE_SETTINGS),
                       os.path.join(args.lipschitz_out, "value_surfaces.png"))
    if args.only in (None, "1b"):
        deep_critics(args.steps, args.width // 2, args.out)
    if args.only in (None, "1d"):
        one_dimensional(args.steps, args.out)
    print(f"done in {time.time() - start:.0f}s "
          f"({keras.backend.backend()} backend)")


if __name__ == "__main__":
    main()
