# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Why does minimising a loss train a network? The perceptron walk-through
#
# Open this file as a notebook with Jupyter (`pip install '.[notebook]'`, then
# `jupyter lab notebooks/walkthrough_en.py`: jupytext opens the `.py` file as a notebook).
# Every number comes from the library `losslab`; the figures only display it.

# %%
# %matplotlib inline
import ipywidgets as widgets
import numpy as np
from IPython.display import display

import losslab as ll
from losslab.plots import networks as network_figures
from losslab.plots import optimizers as optimizer_figures
from losslab.plots import static

# %% [markdown]
# ## 1. Data
#
# The teacher is `y = 2x + 1`, sampled at 21 points `x = -1, -0.8, ..., 3`. The model is
# the perceptron `y = w*x + b`, starting at `w = 3, b = 2` (the blue line).

# %%
wt = ll.walkthrough(teacher="2*x + 1", init=(3, 2), learning_rate=0.1)
wt

# %%
static.figure_setting(wt)

# %% [markdown]
# ## 2. Loss
#
# The loss is the mean of the squared errors between the model's line and the teacher data.
# It depends on `(w, b)` only: the data are fixed.

# %%
objective = wt.objective
print("loss at the start (3, 2):", objective.loss([3, 2]))
print("loss at the teacher (2, 1):", objective.loss([2, 1]))

# %% [markdown]
# ## 3. The landscape of the loss
#
# Drawn over `-10 <= w, b <= 10`, the loss is a bowl (an elliptic paraboloid) with its
# lowest point at `(2, 1)`. Its contours are ellipses.

# %%
static.figure_landscape_3d(wt.landscape, wt.quadratic)

# %%
static.figure_contour(wt.landscape, wt.quadratic)

# %% [markdown]
# ## 4. The formula: five sums
#
# Expanded, the loss is a quadratic form in `(w, b)` whose coefficients are five sums over
# the data: `loss(w, b) = (1/n)(w²Sxx + n b² + Syy - 2w Sxy - 2b Sy + 2wb Sx)`. Its Hessian
# `(2/n)[[Sxx, Sx], [Sx, n]]` is constant; its eigenvectors are the ellipses' axes, and
# `2/λmax` is the largest learning rate at which gradient descent converges.

# %%
q = wt.quadratic
q

# %%
print("expanded formula at (3, 2):", q.expanded(3, 2), " direct mean:", objective.loss([3, 2]))
print("largest difference over the grid:", wt.formula_max_difference)
print("Hessian:", q.hessian.round(4).tolist(), " eigenvalues:", q.eigenvalues.round(4).tolist())
print("2/λmax =", round(q.stability_limit, 4), " condition number =", round(q.condition_number, 2))

# %% [markdown]
# ## 5. Gradient descent
#
# From `(3, 2)`, step against the gradient: `(w, b) <- (w, b) - learning_rate * gradient`.
# With learning rate 0.1 (below `2/λmax`), the path rolls down to the minimum.

# %%
static.figure_contour(wt.zoom, q, wt.trajectory, title_key="fig.path_title")

# %%
static.figure_path_3d(wt.zoom, wt.trajectory, q)

# %%
static.figure_loss_curve(wt.trajectory, q.min_loss)

# %%
static.figure_fit_steps(wt)

# %% [markdown]
# ## 6. One step by hand
#
# The four steps of learning, with the real numbers of the first update.

# %%
s = wt.first_step
print("1. input x:", s.x[:4], "...  teacher t:", s.t[:4], "...")
print("2. prediction y = 3x + 2:", s.prediction[:4], "...")
print("3. error y - t:", s.error[:4], "...  loss = mean(error²) =", s.loss)
print("4. gradient (dL/dw, dL/db):", s.gradient, " new (w, b):", s.new_params.round(6))
print("the formula's gradient at (3, 2):", q.gradient([3, 2]))

# %% [markdown]
# ## 7. Optimizers
#
# The optimizers of *Deep Learning from Scratch*, chapter 6, from the same start.

# %%
comparison = ll.compare(
    None, ["gd", "momentum", "adagrad", "rmsprop", "adam"], init=wt.init, data=wt.data
)
optimizer_figures.figure_compare_overlay(comparison)

# %%
optimizer_figures.figure_compare_losses(comparison)

# %% [markdown]
# Gradient descent at fractions of `2/λmax`: smooth, zig-zag, oscillating, diverging.

# %%
optimizer_figures.figure_lr_sweep(ll.lr_sweep(init=wt.init, data=wt.data))

# %% [markdown]
# ### Try it: learning rate and start point
#
# The learning rate slider is on a log scale; its label marks `2/λmax`. Above it, the
# path diverges.

# %%
limit = q.stability_limit
learning_rate = widgets.FloatLogSlider(
    value=0.1, base=10, min=-3, max=np.log10(3 * limit), step=0.02, readout_format=".3g",
    description="learning rate", style={"description_width": "initial"},
    layout={"width": "480px"},
)  # fmt: skip
start_w = widgets.FloatSlider(value=3.0, min=-8, max=8, step=0.5, description="start w")
start_b = widgets.FloatSlider(value=2.0, min=-8, max=8, step=0.5, description="start b")
verdict = widgets.HTML()
figure = widgets.Output()


def redraw(change: object = None) -> None:
    """Run gradient descent with the sliders' values and draw its path."""
    lr, start = learning_rate.value, (start_w.value, start_b.value)
    path = ll.run(wt.objective, ll.gradient_descent(lr), start, steps=60)
    ratio = lr / limit
    side = "below: converges" if ratio < 1 else "above: does not converge"
    verdict.value = (
        f"learning rate {lr:.3g} = {ratio:.2f} × 2/λmax ({limit:.3g}), {side}; "
        f"{ll.optim.stop_message(path)}"
    )
    figure.clear_output(wait=True)
    with figure:
        display(static.figure_contour(wt.landscape, q, path, title_key="fig.path_title"))


for slider in (learning_rate, start_w, start_b):
    slider.observe(redraw, names="value")
redraw()
display(widgets.VBox([learning_rate, widgets.Label(f"2/λmax = {limit:.4g}"), start_w, start_b,
                      verdict, figure]))  # fmt: skip

# %% [markdown]
# ## 8. Your own data
#
# Any two columns of a CSV file: here Hubble's 1929 distances and velocities of 24
# galaxies (`examples/hubble1929.csv`). The minimum is the least-squares line; the grid
# and the learning rate follow the data's scale.

# %%
hubble = ll.csv_walkthrough("../examples/hubble1929.csv", "distance_mpc", "velocity_km_s")
print("minimum:", hubble.quadratic.minimum, " numpy.polyfit:", np.polyfit(hubble.data.x,
      hubble.data.t, 1))  # fmt: skip
static.figure_fit_steps(hubble)

# %%
static.figure_contour(hubble.zoom, hubble.quadratic, hubble.trajectory, title_key="fig.path_title")

# %% [markdown]
# ## 9. Beyond the perceptron
#
# A network's landscape is not a bowl. A 2-2-1 network trained on XOR has two equivalent
# minima (its hidden units swapped) and a saddle between them.

# %%
network_figures.figure_xor(ll.xor_landscape())

# %% [markdown]
# A small network on the two moons, and its loss in the plane of the training path's two
# principal directions.

# %%
moons = ll.build_objective(ll.toy_data("moons"), hidden=(8,), activation="tanh")
network_figures.figure_plane(ll.train_and_scan(moons, steps=300, points=31))
