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
# # 損失を最小化するとなぜネットワークが学習するのか: パーセプトロンで一歩ずつ
#
# このファイルは Jupyter でノートブックとして開けます (`pip install '.[notebook]'` のあと
# `jupyter lab notebooks/walkthrough_ja.py`。jupytext が `.py` をノートブックとして開きます)。
# 数値はすべてライブラリ `losslab` が計算し、図はそれを表示するだけです。

# %%
# %matplotlib inline
import ipywidgets as widgets
import numpy as np
from IPython.display import display

import losslab as ll
from losslab.plots import networks as network_figures
from losslab.plots import optimizers as optimizer_figures
from losslab.plots import static

LANG = "ja"

# %% [markdown]
# ## 1. データ
#
# 教師は `y = 2x + 1` で、`x = -1, -0.8, ..., 3` の 21 点で標本を取ります。モデルは
# パーセプトロン `y = w*x + b` で、`w = 3, b = 2` から始めます (青い直線)。

# %%
wt = ll.walkthrough(teacher="2*x + 1", init=(3, 2), learning_rate=0.1)
wt

# %%
static.figure_setting(wt, LANG)

# %% [markdown]
# ## 2. 損失
#
# 損失は、モデルの直線と教師データとの誤差の 2 乗の平均です。データは固定なので、
# 損失は `(w, b)` だけの関数です。

# %%
objective = wt.objective
print("出発点 (3, 2) での損失:", objective.loss([3, 2]))
print("教師 (2, 1) での損失:", objective.loss([2, 1]))

# %% [markdown]
# ## 3. 損失の地形
#
# `-10 <= w, b <= 10` で描くと、損失はお椀 (楕円放物面) の形で、最も低い点は `(2, 1)` です。
# 等高線は楕円になります。

# %%
static.figure_landscape_3d(wt.landscape, wt.quadratic, LANG)

# %%
static.figure_contour(wt.landscape, wt.quadratic, None, LANG)

# %% [markdown]
# ## 4. 数式: 5 つの和
#
# 展開すると、損失は `(w, b)` の 2 次形式で、係数はデータの 5 つの和です:
# `loss(w, b) = (1/n)(w²Sxx + n b² + Syy - 2w Sxy - 2b Sy + 2wb Sx)`。ヘッセ行列
# `(2/n)[[Sxx, Sx], [Sx, n]]` は定数で、その固有ベクトルが楕円の軸、`2/λmax` が
# 勾配降下法の収束する最大の学習率です。

# %%
q = wt.quadratic
q

# %%
print("(3, 2) での展開式:", q.expanded(3, 2), " 直接の平均:", objective.loss([3, 2]))
print("格子全体での最大の差:", wt.formula_max_difference)
print("ヘッセ行列:", q.hessian.round(4).tolist(), " 固有値:", q.eigenvalues.round(4).tolist())
print("2/λmax =", round(q.stability_limit, 4), " 条件数 =", round(q.condition_number, 2))

# %% [markdown]
# ## 5. 勾配降下法
#
# `(3, 2)` から勾配と逆向きに進みます: `(w, b) <- (w, b) - 学習率 * 勾配`。
# 学習率 0.1 (`2/λmax` より小さい) なら、経路は最小点へ転がり落ちます。

# %%
static.figure_contour(wt.zoom, q, wt.trajectory, LANG, "fig.path_title")

# %%
static.figure_path_3d(wt.zoom, wt.trajectory, q, LANG)

# %%
static.figure_loss_curve(wt.trajectory, q.min_loss, LANG)

# %%
static.figure_fit_steps(wt, LANG)

# %% [markdown]
# ## 6. 1 ステップを手で計算する
#
# 学習の 4 つの段階を、最初の更新の実際の数値で。

# %%
s = wt.first_step
print("1. 入力 x:", s.x[:4], "...  教師 t:", s.t[:4], "...")
print("2. 予測 y = 3x + 2:", s.prediction[:4], "...")
print("3. 誤差 y - t:", s.error[:4], "...  損失 = 誤差² の平均 =", s.loss)
print("4. 勾配 (dL/dw, dL/db):", s.gradient, " 新しい (w, b):", s.new_params.round(6))
print("数式による (3, 2) での勾配:", q.gradient([3, 2]))

# %% [markdown]
# ## 7. 最適化手法
#
# 『ゼロから作る Deep Learning』6 章の最適化手法を、同じ出発点から。

# %%
comparison = ll.compare(
    None, ["gd", "momentum", "adagrad", "rmsprop", "adam"], init=wt.init, data=wt.data
)
optimizer_figures.figure_compare_overlay(comparison, LANG)

# %%
optimizer_figures.figure_compare_losses(comparison, LANG)

# %% [markdown]
# `2/λmax` のいくつかの割合の学習率での勾配降下法: なめらか、ジグザグ、振動、発散。

# %%
optimizer_figures.figure_lr_sweep(ll.lr_sweep(init=wt.init, data=wt.data), LANG)

# %% [markdown]
# ### 試してみよう: 学習率と出発点
#
# 学習率のスライダーは対数目盛りで、ラベルに `2/λmax` を示します。それを超えると
# 経路は発散します。

# %%
limit = q.stability_limit
learning_rate = widgets.FloatLogSlider(
    value=0.1, base=10, min=-3, max=np.log10(3 * limit), step=0.02, readout_format=".3g",
    description="学習率", style={"description_width": "initial"}, layout={"width": "480px"},
)  # fmt: skip
start_w = widgets.FloatSlider(value=3.0, min=-8, max=8, step=0.5, description="出発点 w")
start_b = widgets.FloatSlider(value=2.0, min=-8, max=8, step=0.5, description="出発点 b")
verdict = widgets.HTML()
figure = widgets.Output()


def redraw(change: object = None) -> None:
    """スライダーの値で勾配降下法を走らせ、その経路を描く。"""
    lr, start = learning_rate.value, (start_w.value, start_b.value)
    path = ll.run(wt.objective, ll.gradient_descent(lr), start, steps=60)
    ratio = lr / limit
    side = "より小さい: 収束する" if ratio < 1 else "以上: 収束しない"
    verdict.value = (
        f"学習率 {lr:.3g} = {ratio:.2f} × 2/λmax ({limit:.3g})、{side}。"
        f"{ll.optim.stop_message(path, LANG)}"
    )
    figure.clear_output(wait=True)
    with figure:
        display(static.figure_contour(wt.landscape, q, path, LANG, "fig.path_title"))


for slider in (learning_rate, start_w, start_b):
    slider.observe(redraw, names="value")
redraw()
display(widgets.VBox([learning_rate, widgets.Label(f"2/λmax = {limit:.4g}"), start_w, start_b,
                      verdict, figure]))  # fmt: skip

# %% [markdown]
# ## 8. 自分のデータで
#
# CSV ファイルの任意の 2 列で試せます。ここでは 1929 年のハッブルによる 24 個の銀河の
# 距離と速度 (`examples/hubble1929.csv`)。最小点は最小二乗の直線で、格子と学習率は
# データのスケールに合わせて決まります。

# %%
hubble = ll.csv_walkthrough("../examples/hubble1929.csv", "distance_mpc", "velocity_km_s")
print("最小点:", hubble.quadratic.minimum, " numpy.polyfit:", np.polyfit(hubble.data.x,
      hubble.data.t, 1))  # fmt: skip
static.figure_fit_steps(hubble, LANG)

# %%
static.figure_contour(hubble.zoom, hubble.quadratic, hubble.trajectory, LANG, "fig.path_title")

# %% [markdown]
# ## 9. パーセプトロンの先へ
#
# ネットワークの損失の地形はお椀ではありません。XOR を学習した 2-2-1 のネットワークには
# 等価な 2 つの極小値 (隠れユニットを入れ替えたもの) と、その間の鞍点があります。

# %%
network_figures.figure_xor(ll.xor_landscape(), LANG)

# %% [markdown]
# 2 つの月 (moons) を学ぶ小さなネットワークと、学習経路の 2 つの主成分方向の平面での損失。

# %%
moons = ll.build_objective(ll.toy_data("moons"), hidden=(8,), activation="tanh")
network_figures.figure_plane(ll.train_and_scan(moons, steps=300, points=31), LANG)
