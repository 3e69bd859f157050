"""Draws the figures of the docs from the reference solutions.

    .venv/bin/python docs/make_figures.py            # writes docs/deep_linear_loss.png

deep_linear_loss.png (CSC413 Q4): log10 of the population loss of the two-weight linear network
f(x) = w2 w1 x after k gradient-descent steps with learning rates (alpha1, alpha2), over a
log-spaced grid, for k = 10, 25, 50, 100, 200 (``reference.deep_linear.loss_after_steps``).
Grid points whose iterates overflowed (diverged) are drawn in one flat colour, apart from the
colour scale of the convergent ones.
"""

from __future__ import annotations

import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from reference.deep_linear import loss_after_steps  # noqa: E402

STEPS = (10, 25, 50, 100, 200)


def deep_linear_figure(path, w1_0=1.0, w2_0=2.0, n=241, lo=-3.0, hi=1.0):
    """Saves the (alpha1, alpha2) loss maps after each k in STEPS to ``path``."""
    alphas = np.logspace(lo, hi, n)
    a1, a2 = alphas[None, :], alphas[:, None]           # alpha1 along x, alpha2 along y
    fig, axes = plt.subplots(1, len(STEPS), figsize=(3.0 * len(STEPS) + 1.2, 3.4),
                             sharey=True, constrained_layout=True)
    cmap = plt.get_cmap("viridis")
    floor = -20.0                                         # losses below 1e-20 drawn as 1e-20
    start = np.log10(0.5 * w1_0 ** 2 * w2_0 ** 2)
    vmax = max(start + 1.0, 2.0)
    image = None
    for ax, k in zip(axes, STEPS):
        loss = loss_after_steps(a1, a2, w1_0, w2_0, k)
        diverged = ~np.isfinite(loss)
        with np.errstate(divide="ignore"):
            logl = np.clip(np.log10(np.where(diverged, 1.0, loss)), floor, vmax)
        extent = (lo, hi, lo, hi)
        image = ax.imshow(np.ma.masked_where(diverged, logl), origin="lower", extent=extent,
                          cmap=cmap, vmin=floor, vmax=vmax, aspect="auto", interpolation="nearest")
        ax.imshow(np.ma.masked_where(~diverged, np.ones_like(logl)), origin="lower", extent=extent,
                  cmap=ListedColormap(["#d62728"]), vmin=0, vmax=1, aspect="auto",
                  interpolation="nearest")
        ax.set_title(f"k = {k}  ({diverged.mean():.0%} diverged)", fontsize=10)
        ax.set_xlabel(r"$\log_{10}\,\alpha_1$")
    axes[0].set_ylabel(r"$\log_{10}\,\alpha_2$")
    bar = fig.colorbar(image, ax=axes, shrink=0.9, pad=0.01)
    bar.set_label(r"$\log_{10} L(w_1, w_2)$ after k steps")
    axes[-1].legend(handles=[Patch(color="#d62728", label="diverged (overflow)")],
                    loc="lower left", fontsize=8, framealpha=0.9)
    fig.suptitle(f"Deep linear network, gradient descent from (w1, w2) = ({w1_0:g}, {w2_0:g}): "
                 f"loss after k steps over the learning rates", fontsize=11)
    fig.savefig(path, dpi=72)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(HERE, "deep_linear_loss.png"))
    parser.add_argument("--w1", type=float, default=1.0, help="initial w1 (default 1)")
    parser.add_argument("--w2", type=float, default=2.0, help="initial w2 (default 2)")
    args = parser.parse_args(argv)
    path = deep_linear_figure(args.out, args.w1, args.w2)
    print(f"wrote {path} ({os.path.getsize(path) // 1024} KB)")


if __name__ == "__main__":
    main()
