"""Every text a user sees, in English and Japanese.

``tr(key, lang, **params)`` formats the text for ``key`` in ``lang``. Both
languages of a key use the same ``{placeholders}`` (a test checks this).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Lang = Literal["en", "ja"]
LANGS: tuple[Lang, ...] = ("en", "ja")

_ALLOWED = "x, numbers, + - * / ** ( ), pi, e and "
_FUNCS = (
    "sin cos tan arcsin arccos arctan sinh cosh tanh exp log log2 log10 sqrt abs sign floor ceil"
)

TEXTS: dict[str, dict[Lang, str]] = {
    # --- errors: one sentence, what was wrong and what to do -------------------------
    "error.expr_empty": {
        "en": "The teacher expression is empty: give a formula in x, such as '2*x + 1'.",
        "ja": "教師の式が空です。'2*x + 1' のような x の式を指定してください。",
    },
    "error.expr_long": {
        "en": "The teacher expression is longer than {limit} characters: write a shorter formula.",
        "ja": "教師の式が {limit} 文字を超えています。もっと短い式にしてください。",
    },
    "error.expr_syntax": {
        "en": "The expression '{expr}' is not a valid formula: check its brackets and operators, e.g. '2*x + 1'.",
        "ja": "式 '{expr}' は正しい数式ではありません。括弧と演算子を確認してください(例: '2*x + 1')。",
    },
    "error.expr_name": {
        "en": "The expression '{expr}' uses '{name}', which is not allowed: use "
        + _ALLOWED
        + _FUNCS
        + ".",
        "ja": "式 '{expr}' では '{name}' は使えません。使えるのは x、数値、+ - * / ** ( )、pi、e と "
        + _FUNCS
        + " です。",
    },
    "error.expr_token": {
        "en": "The expression '{expr}' contains {token}, which is not allowed: use "
        + _ALLOWED
        + _FUNCS
        + ".",
        "ja": "式 '{expr}' には使えない要素 {token} があります。使えるのは x、数値、+ - * / ** ( )、pi、e と "
        + _FUNCS
        + " です。",
    },
    "error.expr_arity": {
        "en": "In '{expr}', {name}() takes exactly one argument, e.g. {name}(x).",
        "ja": "'{expr}' の {name}() は引数を 1 つだけ取ります(例: {name}(x))。",
    },
    "error.teacher_nonfinite": {
        "en": "The teacher '{expr}' is not a finite number at x = {x:g}: choose an x range where it is defined.",
        "ja": "教師 '{expr}' は x = {x:g} で有限の値になりません。式が定義される x の範囲を選んでください。",
    },
    "error.samples": {
        "en": "The samples '{spec}' are not valid: write start:stop:count with start <= stop and a whole count from 1 to 1,000,000, e.g. -1:3:21.",
        "ja": "サンプル指定 '{spec}' が正しくありません。start <= stop、個数は 1 から 1,000,000 の整数で start:stop:count と書いてください(例: -1:3:21)。",
    },
    "error.x_nonfinite": {
        "en": "The x values contain NaN or infinity: give finite numbers.",
        "ja": "x に NaN または無限大が含まれています。有限の数を指定してください。",
    },
    "error.noise": {
        "en": "The noise level {noise} is not valid: give a standard deviation of 0 or more.",
        "ja": "ノイズ {noise} は正しくありません。0 以上の標準偏差を指定してください。",
    },
    "error.grid": {
        "en": "The grid '{spec}' is not valid: write start:stop:step with numbers, e.g. -10:10:0.5.",
        "ja": "グリッド '{spec}' が正しくありません。start:stop:step の形で数値を書いてください(例: -10:10:0.5)。",
    },
    "error.grid_empty": {
        "en": "The grid '{spec}' is empty: give start:stop:step with start < stop and step > 0.",
        "ja": "グリッド '{spec}' が空です。start < stop、step > 0 の start:stop:step で指定してください。",
    },
    "error.grid_step": {
        "en": "In the grid '{spec}', the step does not divide stop - start evenly: choose a step that lands on stop.",
        "ja": "グリッド '{spec}' の step で stop - start が割り切れません。stop にちょうど届く step を選んでください。",
    },
    "error.grid_large": {
        "en": "The grid '{spec}' has {count} points per axis, more than the limit of {limit}: use a larger step or a smaller range.",
        "ja": "グリッド '{spec}' は 1 軸あたり {count} 点で、上限 {limit} を超えています。step を大きくするか範囲を狭めてください。",
    },
    "error.grid_memory": {
        "en": "A grid of {count} points is more than the limit of {limit}: use fewer points per axis.",
        "ja": "{count} 点のグリッドは上限 {limit} を超えています。1 軸あたりの点数を減らしてください。",
    },
    "error.point": {
        "en": "The point '{spec}' is not valid: write two finite numbers separated by a comma, e.g. 3,2.",
        "ja": "点 '{spec}' が正しくありません。カンマで区切った 2 つの有限の数を書いてください(例: 3,2)。",
    },
    "error.init": {
        "en": "The start point {value} is not valid: give one finite number per parameter.",
        "ja": "開始点 {value} が正しくありません。パラメーターごとに有限の数を 1 つ指定してください。",
    },
    "error.learning_rate": {
        "en": "The learning rate {value} is not valid: give a positive number, e.g. 0.1.",
        "ja": "学習率 {value} は正しくありません。正の数を指定してください(例: 0.1)。",
    },
    "error.steps": {
        "en": "The number of steps {value} is not valid: give a whole number of 0 or more.",
        "ja": "ステップ数 {value} は正しくありません。0 以上の整数を指定してください。",
    },
    "error.steps_large": {
        "en": "{value} steps is more than the limit of {limit}: ask for fewer steps.",
        "ja": "ステップ数 {value} は上限 {limit} を超えています。もっと少なくしてください。",
    },
    "error.out_exists": {
        "en": "{path} already exists and would be overwritten: pass --overwrite to replace it, or --out to choose another folder.",
        "ja": "{path} はすでに存在し、上書きされてしまいます。置き換えるなら --overwrite を、別のフォルダーにするなら --out を指定してください。",
    },
    "error.out_not_dir": {
        "en": "{path} is not a folder: pass --out with a folder path.",
        "ja": "{path} はフォルダーではありません。--out にフォルダーのパスを指定してください。",
    },
    "error.os": {
        "en": "Could not write {path}: {reason}. Choose another folder with --out.",
        "ja": "{path} に書き込めませんでした({reason})。--out で別のフォルダーを選んでください。",
    },
}

# --- figure labels -------------------------------------------------------------------
TEXTS.update(
    {
        "fig.x": {"en": "input x", "ja": "入力 x"},
        "fig.y": {"en": "output y", "ja": "出力 y"},
        "fig.teacher": {"en": "teacher {expr}", "ja": "教師 {expr}"},
        "fig.data": {"en": "teacher data", "ja": "教師データ"},
        "fig.model": {"en": "model {line}", "ja": "モデル {line}"},
        "fig.setting_title": {
            "en": "Teacher (orange) and the perceptron's line (blue)",
            "ja": "教師(オレンジ)とパーセプトロンの直線(青)",
        },
        "fig.loss": {"en": "loss ({name})", "ja": "損失 ({name})"},
        "fig.minimum": {
            "en": "minimum ({w:.3g}, {b:.3g})",
            "ja": "最小値 ({w:.3g}, {b:.3g})",
        },
        "fig.view": {
            "en": "View {k}: elevation {elev}°, azimuth {azim}°",
            "ja": "視点 {k}: 仰角 {elev}°、方位角 {azim}°",
        },
        "fig.landscape_title": {
            "en": "The loss over (w, b): a bowl with its lowest point in red",
            "ja": "(w, b) に対する損失: 赤い点が最小値のお椀形",
        },
        "fig.contour_title": {
            "en": "Contours of the loss: ellipses around the minimum",
            "ja": "損失の等高線: 最小値を囲む楕円",
        },
        "fig.axis_fast": {
            "en": "steep axis (λmax = {value:.3g})",
            "ja": "急な軸 (λmax = {value:.3g})",
        },
        "fig.axis_slow": {
            "en": "flat axis (λmin = {value:.3g})",
            "ja": "緩やかな軸 (λmin = {value:.3g})",
        },
        "fig.line_of_minima": {"en": "line of minima", "ja": "最小値の直線"},
        "fig.path": {"en": "gradient descent (lr = {lr:g})", "ja": "勾配降下法 (学習率 {lr:g})"},
        "fig.start": {"en": "start ({w:.3g}, {b:.3g})", "ja": "開始点 ({w:.3g}, {b:.3g})"},
        "fig.path_title": {
            "en": "Gradient descent on the contours (zoomed)",
            "ja": "等高線上の勾配降下法(拡大)",
        },
        "fig.path3d_title": {
            "en": "Rolling down the bowl",
            "ja": "お椀を転がり落ちる",
        },
        "fig.step": {"en": "step", "ja": "ステップ"},
        "fig.loss_curve_title": {
            "en": "Loss per step (log scale)",
            "ja": "ステップごとの損失(対数目盛り)",
        },
        "fig.loss_minus_min": {
            "en": "loss − minimum loss",
            "ja": "損失 − 最小の損失",
        },
        "fig.fit_title": {
            "en": "The model's line at a few steps",
            "ja": "いくつかのステップでのモデルの直線",
        },
        "fig.fit_step": {"en": "step {k}: {line}", "ja": "ステップ {k}: {line}"},
    }
)


def tr(key: str, lang: Lang = "en", **params: Any) -> str:
    """The text for ``key`` in ``lang``, formatted with ``params``.

    >>> tr("error.learning_rate", "en", value=-1)
    'The learning rate -1 is not valid: give a positive number, e.g. 0.1.'
    """
    entry = TEXTS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text


# --- the report --------------------------------------------------------------------
TEXTS.update(
    {
        "report.title": {
            "en": "Why does gradient descent train a network? The perceptron, step by step",
            "ja": "勾配法でなぜニューラルネットワークが学習できるのか? パーセプトロンで一歩ずつ",
        },
        "report.lead": {
            "en": "Made by losslab {version}. Every number below was computed by the library from the data; every figure only shows those numbers.",
            "ja": "losslab {version} で作成。以下の数値はすべてライブラリーがデータから計算したもので、図はその数値を表示しているだけです。",
        },
        "report.toc": {"en": "Contents", "ja": "目次"},
        "report.s1": {"en": "1. The setting", "ja": "1. 設定"},
        "report.s2": {"en": "2. The loss", "ja": "2. 損失関数"},
        "report.s3": {"en": "3. The landscape", "ja": "3. 損失の地形"},
        "report.s4": {"en": "4. The formula", "ja": "4. 数式で見る"},
        "report.s5": {"en": "5. Gradient descent", "ja": "5. 勾配降下法"},
        "report.s6": {"en": "6. One step by hand", "ja": "6. 1 ステップを手で計算する"},
        "report.s1.model": {
            "en": "The simplest network is a perceptron with one input and no activation. It computes",
            "ja": "最も単純なネットワークは、入力が 1 つで活性化関数のないパーセプトロンです。計算式は",
        },
        "report.s1.model2": {
            "en": "a straight line: <i>w</i> is its slope and <i>b</i> its intercept.",
            "ja": "で、ただの一次関数です。<i>w</i> が傾き、<i>b</i> が切片を表します。",
        },
        "report.s1.teacher": {
            "en": "The teacher is <code>t = {teacher}</code>, sampled at n = {n} points x from {x0} to {x1}{noise}. The model starts at <i>w</i> = {w0}, <i>b</i> = {b0}. Learning should move the blue line onto the orange one.",
            "ja": "教師は <code>t = {teacher}</code> で、x = {x0} から {x1} までの n = {n} 点で標本をとります{noise}。モデルは <i>w</i> = {w0}、<i>b</i> = {b0} から始まります。学習によって青い直線がオレンジの線に重なればよいわけです。",
        },
        "report.s1.noise": {
            "en": ", with Gaussian noise of standard deviation {noise} (seed {seed}) added to t",
            "ja": "(t には標準偏差 {noise} のガウスノイズを加えています。シード {seed})",
        },
        "report.s1.not_line": {
            "en": "This teacher is not a straight line, so no (w, b) fits it exactly. The bottom of the bowl below is then the least-squares line: the straight line closest to the data in mean squared error (its loss there, {loss}, is not zero).",
            "ja": "この教師は直線ではないので、どの (w, b) でもぴったりとは一致しません。そのとき下のお椀の底は最小二乗直線、つまり平均二乗誤差でデータに最も近い直線になります(そこでの損失 {loss} は 0 ではありません)。",
        },
        "report.s1.noisy": {
            "en": "Because of the noise, the bottom of the bowl is the least-squares line of the noisy data, close to but not exactly the teacher's line.",
            "ja": "ノイズがあるため、お椀の底はノイズを含むデータの最小二乗直線になり、教師の直線に近いものの完全には一致しません。",
        },
        "report.s2.mse": {
            "en": "How far the prediction y<sub>i</sub> is from the teacher t<sub>i</sub> is measured by the mean squared error (MSE):",
            "ja": "予測 y<sub>i</sub> が教師 t<sub>i</sub> からどれだけ離れているかを平均二乗誤差 (MSE) で測ります。",
        },
        "report.s2.sub": {
            "en": "Replacing y<sub>i</sub> by the perceptron's formula gives the loss as a function of (w, b) alone: the data x<sub>i</sub>, t<sub>i</sub> are fixed numbers.",
            "ja": "y<sub>i</sub> をパーセプトロンの式で置き換えると、損失は (w, b) だけの関数になります。データ x<sub>i</sub>、t<sub>i</sub> は決まった数だからです。",
        },
        "report.s2.slip": {
            "en": "Note: the targets t<sub>i</sub> are the teacher's data ({teacher}), not the starting model (3x + 2); and the mean keeps its factor 1/n.",
            "ja": "注意: t<sub>i</sub> は教師データ ({teacher}) であり、開始時のモデル (3x + 2) ではありません。また平均なので 1/n の係数が付きます。",
        },
        "report.s2.start": {
            "en": "At the start, loss({w0}, {b0}) = {loss0}.",
            "ja": "開始点での損失は loss({w0}, {b0}) = {loss0} です。",
        },
        "report.s3.grid": {
            "en": "The loss at every point of the grid {wlo} ≤ w ≤ {whi}, {blo} ≤ b ≤ {bhi} in steps of {wstep} ({nw} × {nb} points), drawn as a 3D scatter. The red point is the minimum ({wmin}, {bmin}). The second view, from lower down, shows that it really is the lowest point.",
            "ja": "グリッド {wlo} ≤ w ≤ {whi}、{blo} ≤ b ≤ {bhi} の {wstep} 刻み ({nw} × {nb} 点) の各点で損失を計算し、3D 散布図にしました。赤い点が最小値 ({wmin}, {bmin}) です。低い位置からの 2 つ目の視点で、本当に最小値であることがわかります。",
        },
        "report.s3.argmin": {
            "en": "The lowest grid point is ({gw}, {gb}) with loss {gl}.",
            "ja": "グリッド上で最も低い点は ({gw}, {gb})、損失は {gl} です。",
        },
        "report.s3.interactive": {
            "en": "Drag the 3D figure to rotate it, scroll to zoom. Beside it, the same loss as contour lines seen from above.",
            "ja": "3D の図はドラッグで回転、スクロールで拡大できます。横の図は同じ損失を上から見た等高線です。",
        },
        "report.s4.expand": {
            "en": "Expanding the square and summing, the loss is a quadratic in w and b whose coefficients are five sums over the data:",
            "ja": "二乗を展開して和をとると、損失は w と b の 2 次式になり、その係数はデータの 5 つの和です。",
        },
        "report.s4.sums": {"en": "The sums for these data:", "ja": "このデータでの和の値:"},
        "report.s4.sum": {"en": "sum", "ja": "和"},
        "report.s4.value": {"en": "value", "ja": "値"},
        "report.s4.numbers": {
            "en": "With the numbers filled in:",
            "ja": "数値を代入すると:",
        },
        "report.s4.check": {
            "en": "Check: this formula and the direct mean over the data agree at {points} grid points to within {diff}.",
            "ja": "確認: この式とデータから直接計算した平均は、グリッドの {points} 点で {diff} 以内で一致します。",
        },
        "report.s4.paraboloid": {
            "en": "A quadratic in two variables whose Hessian has two positive eigenvalues is an <b>elliptic paraboloid</b>: a convex bowl with exactly one lowest point. Its Hessian (matrix of second derivatives) is constant:",
            "ja": "2 変数の 2 次関数で、ヘッセ行列の固有値が 2 つとも正のものは<b>楕円放物面</b>です。最も低い点がちょうど 1 つある凸のお椀形です。ヘッセ行列(2 階微分の行列)は定数です。",
        },
        "report.s4.cylinder": {
            "en": "All x are equal, so the Hessian has a zero eigenvalue: the surface is a <b>parabolic cylinder</b>, a trough with a whole line of minima w·{x0} + b = {tm}, not a single point. Gradient descent stops somewhere on that line. Its Hessian:",
            "ja": "x がすべて等しいので、ヘッセ行列に固有値 0 があります。曲面は<b>放物柱面</b>で、最小値は 1 点ではなく直線 w·{x0} + b = {tm} 全体になります。勾配降下法はこの直線上のどこかで止まります。ヘッセ行列:",
        },
        "report.s4.eigen": {
            "en": "Eigenvalues λ<sub>min</sub> = {lmin}, λ<sub>max</sub> = {lmax}; eigenvectors {vmin} and {vmax}. The contours loss = c are the ellipses d<sup>T</sup>Hd = 2(c − loss<sub>min</sub>), d = (w, b) − minimum: their axes point along the eigenvectors and their half-lengths are proportional to 1/√λ. So the bowl is steep along the eigenvector of λ<sub>max</sub> and flat along that of λ<sub>min</sub> (both drawn on the contour map).",
            "ja": "固有値は λ<sub>min</sub> = {lmin}、λ<sub>max</sub> = {lmax}、固有ベクトルは {vmin} と {vmax} です。等高線 loss = c は楕円 d<sup>T</sup>Hd = 2(c − loss<sub>min</sub>)(d = (w, b) − 最小点)です。楕円の軸は固有ベクトルの向きで、半径は 1/√λ に比例します。つまり λ<sub>max</sub> の固有ベクトルの方向には急で、λ<sub>min</sub> の方向には緩やかです(どちらも等高線図に描いてあります)。",
        },
        "report.s4.minimum": {
            "en": "Setting both partial derivatives to zero gives the normal equations; their solution is the exact minimum w = {w}, b = {b}, with loss {loss}.",
            "ja": "2 つの偏微分を 0 とおくと正規方程式になり、その解が厳密な最小値 w = {w}、b = {b}(損失 {loss})です。",
        },
        "report.s4.lr": {
            "en": "What this means for the learning rate: along each eigenvector, one step of gradient descent multiplies the distance to the minimum by (1 − lr·λ). It shrinks only if |1 − lr·λ| < 1 for both λ, that is if lr < 2/λ<sub>max</sub> = {limit}. The condition number κ = λ<sub>max</sub>/λ<sub>min</sub> = {kappa}: the larger it is, the longer and thinner the ellipses, the more a large step zig-zags across the valley while the flat direction is crossed slowly.",
            "ja": "学習率にとっての意味: 各固有ベクトルの方向で、勾配降下法の 1 ステップは最小値までの距離を (1 − lr·λ) 倍します。両方の λ で |1 − lr·λ| < 1、つまり lr < 2/λ<sub>max</sub> = {limit} のときだけ縮みます。条件数 κ = λ<sub>max</sub>/λ<sub>min</sub> = {kappa} が大きいほど楕円は細長くなり、大きなステップは谷を横切ってジグザグし、緩やかな方向にはゆっくりとしか進みません。",
        },
        "report.s5.grad": {
            "en": "The partial derivatives of the loss (the gradient) say which way is uphill:",
            "ja": "損失の偏微分(勾配)は、どちらが上り坂かを教えてくれます。",
        },
        "report.s5.update": {
            "en": "Gradient descent takes a step downhill, scaled by the learning rate lr:",
            "ja": "勾配降下法は学習率 lr の大きさで下り坂へ一歩進みます。",
        },
        "report.s5.rate": {
            "en": "Here lr = {lr}, which is {ratio} of the largest stable learning rate 2/λ<sub>max</sub> = {limit}.",
            "ja": "ここでは lr = {lr} で、収束する最大の学習率 2/λ<sub>max</sub> = {limit} の {ratio} です。",
        },
        "report.s5.result": {
            "en": "After {steps} steps (stopped by: {stop}) the model is w = {w}, b = {b}, with loss {loss} (minimum {minloss}).",
            "ja": "{steps} ステップ後(停止理由: {stop})、モデルは w = {w}、b = {b}、損失は {loss}(最小値 {minloss})です。",
        },
        "report.s5.diverged": {
            "en": "The learning rate is above 2/λ<sub>max</sub>: the steps overshoot further each time and the loss grows without bound (diverged at step {k}).",
            "ja": "学習率が 2/λ<sub>max</sub> を超えているため、ステップのたびに行き過ぎが大きくなり、損失は際限なく増えます(ステップ {k} で発散)。",
        },
        "report.s5.figs": {
            "en": "The path on the contour map (zoomed to the path), the same path on the surface, the loss per step, and the fitted line at a few steps:",
            "ja": "等高線上の経路(経路の周りを拡大)、曲面上の同じ経路、ステップごとの損失、いくつかのステップでの直線:",
        },
        "report.stop.converged": {"en": "converged", "ja": "収束"},
        "report.stop.step limit": {"en": "step limit", "ja": "ステップ数の上限"},
        "report.stop.diverged": {"en": "diverged", "ja": "発散"},
        "report.s6.intro": {
            "en": "The four steps of learning, with the real numbers of the first update from (w, b) = ({w0}, {b0}):",
            "ja": "学習の 4 つの手順を、(w, b) = ({w0}, {b0}) からの最初の更新の実際の数値で示します。",
        },
        "report.s6.step1": {
            "en": "<b>Input.</b> Give the network the inputs x<sub>i</sub> (first column).",
            "ja": "<b>入力。</b>ニューラルネットワークに入力 x<sub>i</sub> を渡します(1 列目)。",
        },
        "report.s6.step2": {
            "en": "<b>Predict.</b> The network computes y<sub>i</sub> = {w0}·x<sub>i</sub> + {b0} (third column).",
            "ja": "<b>予測。</b>ネットワークが y<sub>i</sub> = {w0}·x<sub>i</sub> + {b0} を計算します(3 列目)。",
        },
        "report.s6.step3": {
            "en": "<b>Compare with the loss.</b> The errors y<sub>i</sub> − t<sub>i</sub> squared and averaged: loss = {loss}.",
            "ja": "<b>損失で比べる。</b>誤差 y<sub>i</sub> − t<sub>i</sub> を二乗して平均します: loss = {loss}。",
        },
        "report.s6.step4": {
            "en": "<b>Update by backpropagation.</b> ∂L/∂w = (2/n)Σ(y<sub>i</sub> − t<sub>i</sub>)x<sub>i</sub> = {gw}, ∂L/∂b = (2/n)Σ(y<sub>i</sub> − t<sub>i</sub>) = {gb}; then w ← {w0} − {lr}·{gw} = {w1}, b ← {b0} − {lr}·{gb} = {b1}. The loss falls from {loss} to {loss1}.",
            "ja": "<b>誤差逆伝播法で更新。</b>∂L/∂w = (2/n)Σ(y<sub>i</sub> − t<sub>i</sub>)x<sub>i</sub> = {gw}、∂L/∂b = (2/n)Σ(y<sub>i</sub> − t<sub>i</sub>) = {gb}。そして w ← {w0} − {lr}·{gw} = {w1}、b ← {b0} − {lr}·{gb} = {b1}。損失は {loss} から {loss1} に変わります。",
        },
        "report.s6.more": {
            "en": "… {k} more rows …",
            "ja": "… 残り {k} 行 …",
        },
        "report.sum_row": {"en": "sum", "ja": "合計"},
        "report.fig_alt": {"en": "Figure: {name}", "ja": "図: {name}"},
        "cli.wrote": {
            "en": "Wrote {count} file(s) to {path}",
            "ja": "{count} 個のファイルを {path} に書き出しました",
        },
        "cli.open": {"en": "Open the report: {path}", "ja": "レポートを開く: {path}"},
        "cli.rendering": {"en": "Rendering figures", "ja": "図を描画中"},
    }
)


# --- the command line ---------------------------------------------------------------
TEXTS.update(
    {
        "cli.description": {
            "en": "losslab: see, and measure, why gradient descent trains a neural network.",
            "ja": "losslab: 勾配降下法でなぜニューラルネットワークが学習できるのかを、見て、測る。",
        },
        "cli.demo": {
            "en": "Write the perceptron walk-through (HTML report and PNG figures).",
            "ja": "パーセプトロンの解説(HTML レポートと PNG の図)を書き出します。",
        },
        "cli.teacher": {
            "en": "teacher expression in x (default: %(default)s)",
            "ja": "x の式で表した教師 (既定: %(default)s)",
        },
        "cli.x": {
            "en": "samples start:stop:count (default: %(default)s)",
            "ja": "サンプル start:stop:count (既定: %(default)s)",
        },
        "cli.init": {
            "en": "start point w,b (default: %(default)s)",
            "ja": "開始点 w,b (既定: %(default)s)",
        },
        "cli.lr": {
            "en": "learning rate of gradient descent (default: %(default)s)",
            "ja": "勾配降下法の学習率 (既定: %(default)s)",
        },
        "cli.steps": {
            "en": "number of gradient-descent steps (default: %(default)s)",
            "ja": "勾配降下法のステップ数 (既定: %(default)s)",
        },
        "cli.grid": {
            "en": "grid for w and b, start:stop:step (default: %(default)s)",
            "ja": "w と b のグリッド start:stop:step (既定: %(default)s)",
        },
        "cli.noise": {
            "en": "standard deviation of Gaussian noise on the teacher (default: %(default)s)",
            "ja": "教師に加えるガウスノイズの標準偏差 (既定: %(default)s)",
        },
        "cli.seed": {
            "en": "random seed (default: %(default)s)",
            "ja": "乱数のシード (既定: %(default)s)",
        },
        "cli.lang": {
            "en": "language: en or ja (default: %(default)s)",
            "ja": "言語: en または ja (既定: %(default)s)",
        },
        "cli.out": {
            "en": "output folder (default: %(default)s)",
            "ja": "出力フォルダー (既定: %(default)s)",
        },
        "cli.overwrite": {
            "en": "replace files that already exist in the output folder",
            "ja": "出力フォルダーにある既存のファイルを置き換えます",
        },
        "cli.quiet": {"en": "print no progress bar", "ja": "進捗バーを表示しません"},
        "cli.summary": {
            "en": "minimum (w, b) = ({w}, {b}); 2/λmax = {limit}; after {steps} steps: w = {w1}, b = {b1}, loss = {loss} ({stop})",
            "ja": "最小値 (w, b) = ({w}, {b})、2/λmax = {limit}、{steps} ステップ後: w = {w1}、b = {b1}、損失 = {loss}({stop})",
        },
        "cli.interrupted": {"en": "Interrupted.", "ja": "中断しました。"},
    }
)


# --- optimizers ----------------------------------------------------------------------
TEXTS.update(
    {
        "error.optimizer": {
            "en": "There is no optimizer '{name}': choose one of {names}.",
            "ja": "最適化手法 '{name}' はありません。{names} から選んでください。",
        },
        "error.batch_size": {
            "en": "The batch size {value} is not valid: give a whole number from 1 to the number of samples ({n}).",
            "ja": "バッチサイズ {value} は正しくありません。1 からサンプル数 ({n}) までの整数を指定してください。",
        },
        "msg.diverged_limit": {
            "en": "Diverged at step {step}: the learning rate {lr:g} is {ratio:.2f} times the stability limit 2/λmax = {limit:.4g}; use a learning rate below it.",
            "ja": "ステップ {step} で発散しました。学習率 {lr:g} は安定限界 2/λmax = {limit:.4g} の {ratio:.2f} 倍です。これより小さい学習率にしてください。",
        },
        "msg.diverged": {
            "en": "Diverged at step {step}: the loss became too large or not a number with learning rate {lr:g}; try a smaller one.",
            "ja": "ステップ {step} で発散しました。学習率 {lr:g} では損失が大きくなりすぎるか数値でなくなりました。もっと小さくしてください。",
        },
        "msg.converged": {
            "en": "Converged after {steps} steps.",
            "ja": "{steps} ステップで収束しました。",
        },
        "msg.step_limit": {
            "en": "Stopped at the step limit ({steps} steps).",
            "ja": "ステップ数の上限 ({steps} ステップ) で停止しました。",
        },
    }
)


# --- experiments ---------------------------------------------------------------------
TEXTS.update(
    {
        "fig.compare_title": {
            "en": "Optimizers side by side on one landscape",
            "ja": "同じ地形の上で最適化手法を比べる",
        },
        "fig.sweep_title": {
            "en": "lr = {fraction:g} × 2/λmax = {lr:.3g}",
            "ja": "学習率 = {fraction:g} × 2/λmax = {lr:.3g}",
        },
        "fig.sweep_suptitle": {
            "en": "Gradient descent at several learning rates (stability limit 2/λmax = {limit:.4g})",
            "ja": "いくつかの学習率での勾配降下法(安定限界 2/λmax = {limit:.4g})",
        },
        "fig.outcome.smooth": {"en": "converges smoothly", "ja": "なめらかに収束"},
        "fig.outcome.zigzag": {"en": "zig-zags, converges", "ja": "ジグザグしながら収束"},
        "fig.outcome.oscillates": {
            "en": "oscillates without progress",
            "ja": "振動して進まない",
        },
        "fig.outcome.diverges": {"en": "diverges", "ja": "発散"},
        "fig.batch": {"en": "SGD, batch size {size}", "ja": "SGD、バッチサイズ {size}"},
        "fig.full_batch": {
            "en": "full batch ({size} samples)",
            "ja": "全データ ({size} サンプル)",
        },
        "fig.minibatch_title": {
            "en": "Mini-batch noise: smaller batches, noisier steps",
            "ja": "ミニバッチのノイズ: バッチが小さいほどステップがばらつく",
        },
        "fig.anim_title": {
            "en": "step {step}: {line}, loss {loss:.4g}",
            "ja": "ステップ {step}: {line}、損失 {loss:.4g}",
        },
        "fig.optimizer_path": {
            "en": "{name} (lr = {lr:g})",
            "ja": "{name}(学習率 {lr:g})",
        },
        "cli.rendering_frames": {"en": "Rendering frames", "ja": "フレームを描画中"},
        "error.preset": {
            "en": "There is no preset '{name}': use book-ch6, or leave --preset out.",
            "ja": "プリセット '{name}' はありません。book-ch6 を使うか、--preset を省いてください。",
        },
    }
)


# --- commands of the optimizers issue -----------------------------------------------
TEXTS.update(
    {
        "cli.compare": {
            "en": "Compare optimizers on one landscape (paths, panels, loss curves, trajectories).",
            "ja": "同じ地形の上で最適化手法を比べます(経路、パネル、損失曲線、軌跡)。",
        },
        "cli.preset": {
            "en": "book-ch6: the book's chapter 6 comparison on x^2/20 + y^2",
            "ja": "book-ch6: 本の 6 章の比較 (x^2/20 + y^2)",
        },
        "cli.optimizers": {
            "en": "comma-separated optimizers: gd, sgd, momentum, nesterov, adagrad, rmsprop, adam (default: %(default)s)",
            "ja": "カンマ区切りの最適化手法: gd, sgd, momentum, nesterov, adagrad, rmsprop, adam (既定: %(default)s)",
        },
        "cli.lr_each": {
            "en": "learning rate of one optimizer, e.g. --lr adam=0.3 (repeatable)",
            "ja": "最適化手法ごとの学習率。例: --lr adam=0.3 (複数回指定可)",
        },
        "cli.steps_compare": {
            "en": "number of updates (default: 29 with the preset, else 100)",
            "ja": "更新の回数 (既定: プリセットでは 29、それ以外は 100)",
        },
        "cli.init_compare": {
            "en": "start point (default: -7,2 with the preset, else 3,2)",
            "ja": "開始点 (既定: プリセットでは -7,2、それ以外は 3,2)",
        },
        "cli.lr_sweep": {
            "en": "Gradient descent at several fractions of the stability limit 2/λmax.",
            "ja": "安定限界 2/λmax のいくつかの割合の学習率で勾配降下法を実行します。",
        },
        "cli.fractions": {
            "en": "comma-separated fractions of 2/λmax (default: %(default)s)",
            "ja": "カンマ区切りの 2/λmax に対する割合 (既定: %(default)s)",
        },
        "cli.minibatch": {
            "en": "SGD with several batch sizes on the same noisy data.",
            "ja": "同じノイズ付きデータで、いくつかのバッチサイズの SGD を比べます。",
        },
        "cli.batch_sizes": {
            "en": "comma-separated batch sizes, 'full' for all samples (default: %(default)s)",
            "ja": "カンマ区切りのバッチサイズ。'full' は全サンプル (既定: %(default)s)",
        },
        "cli.animate": {
            "en": "Write a GIF (and an MP4 with --mp4) of training.",
            "ja": "学習の様子を GIF(--mp4 で MP4 も)に書き出します。",
        },
        "cli.optimizer": {
            "en": "optimizer: gd, sgd, momentum, nesterov, adagrad, rmsprop, adam (default: %(default)s)",
            "ja": "最適化手法: gd, sgd, momentum, nesterov, adagrad, rmsprop, adam (既定: %(default)s)",
        },
        "cli.lr_default": {
            "en": "learning rate (default: a rate that suits the optimizer on this loss)",
            "ja": "学習率 (既定: この損失でその最適化手法に合う値)",
        },
        "cli.batch_size": {
            "en": "mini-batch size (default: all samples)",
            "ja": "ミニバッチのサイズ (既定: 全サンプル)",
        },
        "cli.frames": {
            "en": "number of frames (default: %(default)s)",
            "ja": "フレーム数 (既定: %(default)s)",
        },
        "cli.fps": {
            "en": "frames per second (default: %(default)s)",
            "ja": "1 秒あたりのフレーム数 (既定: %(default)s)",
        },
        "cli.view": {
            "en": "landscape drawn as contour or 3d (default: %(default)s)",
            "ja": "地形の描き方: contour (等高線) または 3d (既定: %(default)s)",
        },
        "cli.mp4": {
            "en": "also write an MP4 (needs ffmpeg)",
            "ja": "MP4 も書き出します (ffmpeg が必要)",
        },
        "cli.no_ffmpeg": {
            "en": "ffmpeg is not installed, so only the GIF is written; install ffmpeg (or pip install 'losslab[video]') for the MP4.",
            "ja": "ffmpeg がないため GIF だけを書き出します。MP4 には ffmpeg(または pip install 'losslab[video]')をインストールしてください。",
        },
        "error.list": {
            "en": "The value '{value}' of {what} is not valid: give a comma-separated list, e.g. 0.3,0.9,1.1.",
            "ja": "{what} の値 '{value}' は正しくありません。カンマ区切りのリストを指定してください(例: 0.3,0.9,1.1)。",
        },
        "error.lr_item": {
            "en": "The learning rate '{value}' is not valid: write NAME=VALUE, e.g. --lr adam=0.3.",
            "ja": "学習率の指定 '{value}' が正しくありません。NAME=VALUE の形で書いてください(例: --lr adam=0.3)。",
        },
        "error.frames": {
            "en": "{value} frames is not valid: give a number from 1 to {limit}.",
            "ja": "フレーム数 {value} は正しくありません。1 から {limit} までの数を指定してください。",
        },
        "error.fps": {
            "en": "{value} frames per second is not valid: give a number from 0.5 to 50.",
            "ja": "1 秒あたりのフレーム数 {value} は正しくありません。0.5 から 50 までの数を指定してください。",
        },
    }
)


# --- report section 7 ---------------------------------------------------------------
TEXTS.update(
    {
        "report.s7": {"en": "7. Optimizers and the learning rate", "ja": "7. 最適化手法と学習率"},
        "report.s7.intro": {
            "en": "Gradient descent is one way down the bowl. The optimizers of the book take other ways, on the same loss and from the same start:",
            "ja": "勾配降下法はお椀を下る方法の 1 つにすぎません。本で紹介されている最適化手法は、同じ損失・同じ開始点から別の道を通ります。",
        },
        "report.s7.momentum": {
            "en": "<b>Momentum</b> and <b>Nesterov</b> keep a velocity, like a ball rolling downhill: they speed up along the flat direction and may overshoot.",
            "ja": "<b>Momentum</b> と <b>Nesterov</b> は速度を持ち、坂を転がるボールのように動きます。緩やかな方向に加速し、行き過ぎることもあります。",
        },
        "report.s7.adaptive": {
            "en": "<b>AdaGrad</b> and <b>RMSprop</b> divide each parameter's step by the size of its past gradients, so steep and flat directions take steps of similar size.",
            "ja": "<b>AdaGrad</b> と <b>RMSprop</b> は、パラメーターごとのステップを過去の勾配の大きさで割ります。そのため急な方向と緩やかな方向で同じくらいの大きさのステップになります。",
        },
        "report.s7.adam": {
            "en": "<b>Adam</b> combines both: a velocity and a per-parameter scale, with a bias correction for the first steps.",
            "ja": "<b>Adam</b> はその両方を組み合わせます。速度とパラメーターごとのスケールを持ち、最初のステップのための偏り補正が入っています。",
        },
        "report.s7.sweep": {
            "en": "Why does a learning rate blow up? Along the steep axis one step multiplies the distance to the minimum by r = 1 − lr·λ<sub>max</sub>. Below half the limit r is positive: the path slides smoothly. Between half and the full limit 2/λ<sub>max</sub> = {limit}, r is negative: the path jumps across the valley and back, a zig-zag that still shrinks. At exactly the limit r = −1: it jumps back and forth forever. Above it |r| > 1: every jump is longer than the last, and the loss grows without bound.",
            "ja": "学習率が大きすぎるとなぜ発散するのでしょうか。急な軸の方向では、1 ステップで最小値までの距離が r = 1 − lr·λ<sub>max</sub> 倍になります。限界の半分より小さいと r は正で、経路はなめらかに滑り降ります。半分から限界 2/λ<sub>max</sub> = {limit} までは r が負になり、経路は谷を飛び越えては戻るジグザグになりますが、それでも縮んでいきます。ちょうど限界では r = −1 で、永遠に行ったり来たりします。限界を超えると |r| > 1 となり、飛ぶたびに距離が伸び、損失は際限なく大きくなります。",
        },
        "report.s7.minibatch": {
            "en": "Stochastic gradient descent uses the gradient of a few samples (a mini-batch) instead of all of them. Each step is cheaper but noisy: with noisy data, the smaller the batch, the more the path jitters around the minimum instead of settling on it.",
            "ja": "確率的勾配降下法 (SGD) は、全サンプルではなく少数のサンプル(ミニバッチ)の勾配を使います。1 ステップは軽くなりますがノイズを含みます。ノイズのあるデータでは、バッチが小さいほど経路は最小値に落ち着かずその周りでふらつきます。",
        },
        "report.s7.more": {
            "en": "More: <code>losslab compare --preset book-ch6</code> reproduces the book's chapter 6 figure; <code>losslab lr-sweep</code>, <code>losslab minibatch</code> and <code>losslab animate</code> draw these experiments with your own settings.",
            "ja": "さらに: <code>losslab compare --preset book-ch6</code> で本の 6 章の図を再現できます。<code>losslab lr-sweep</code>、<code>losslab minibatch</code>、<code>losslab animate</code> で、自分の設定でこれらの実験を描けます。",
        },
    }
)


def optimizer_name(name: str, lang: Lang = "en") -> str:
    """An optimizer's display name in ``lang`` (the book keeps SGD, Adam, ... in English).

    >>> optimizer_name("gradient descent", "ja"), optimizer_name("Adam", "ja")
    ('勾配降下法', 'Adam')
    """
    key = f"opt.{name}"
    return tr(key, lang) if key in TEXTS else name


TEXTS["opt.gradient descent"] = {"en": "gradient descent", "ja": "勾配降下法"}


# --- data, models, landscapes of the models issue -----------------------------------
TEXTS.update(
    {
        "error.csv_missing": {
            "en": "There is no file {path}: check the path.",
            "ja": "ファイル {path} がありません。パスを確認してください。",
        },
        "error.csv_no_inputs": {
            "en": "No input column was given: name at least one with --inputs.",
            "ja": "入力の列が指定されていません。--inputs で 1 つ以上指定してください。",
        },
        "error.csv_read": {
            "en": "Could not read {path} as a UTF-8 CSV file ({reason}): save it as CSV in UTF-8.",
            "ja": "{path} を UTF-8 の CSV として読めませんでした ({reason})。UTF-8 の CSV で保存してください。",
        },
        "error.csv_column": {
            "en": "{path} has no column '{column}': its columns are {columns}.",
            "ja": "{path} には列 '{column}' がありません。列は {columns} です。",
        },
        "error.csv_text": {
            "en": "{path}, line {row}, column '{column}' holds '{value}', which is not a number: fix that cell or choose another column.",
            "ja": "{path} の {row} 行目、列 '{column}' の値 '{value}' は数値ではありません。そのセルを直すか別の列を選んでください。",
        },
        "error.csv_nan": {
            "en": "{path} has {count} row(s) with missing values (lines {lines}): fill them in, or pass --drop-nan to drop those rows.",
            "ja": "{path} には欠損値のある行が {count} 行あります ({lines} 行目など)。値を埋めるか、--drop-nan でその行を除いてください。",
        },
        "error.csv_rows": {
            "en": "{path} has {count} usable row(s); at least {minimum} are needed: add data.",
            "ja": "{path} で使える行は {count} 行です。少なくとも {minimum} 行必要です。データを増やしてください。",
        },
        "error.toy": {
            "en": "There is no toy data set '{name}': choose one of {names}.",
            "ja": "トイデータ '{name}' はありません。{names} から選んでください。",
        },
        "error.toy_n": {
            "en": "{value} samples is not valid for a toy set: give a number from 4 to 1,000,000.",
            "ja": "トイデータのサンプル数 {value} は正しくありません。4 から 1,000,000 までの数を指定してください。",
        },
    }
)


TEXTS.update(
    {
        "error.layers": {
            "en": "The layer sizes '{sizes}' are not valid: give whole numbers from 1 to 4096, e.g. --hidden 8,8.",
            "ja": "層のサイズ '{sizes}' が正しくありません。1 から 4096 までの整数を指定してください(例: --hidden 8,8)。",
        },
        "error.activation": {
            "en": "There is no activation '{name}': choose one of {names}.",
            "ja": "活性化関数 '{name}' はありません。{names} から選んでください。",
        },
        "error.inputs": {
            "en": "The data have {got} input column(s) but the model expects {expected}: match the model to the data.",
            "ja": "データの入力は {got} 列ですが、モデルは {expected} 列を想定しています。モデルとデータを合わせてください。",
        },
        "error.param_name": {
            "en": "There is no parameter '{name}': names look like {names}.",
            "ja": "パラメーター '{name}' はありません。名前の例: {names}。",
        },
    }
)


TEXTS.update(
    {
        "error.two_params": {
            "en": "Choose exactly two different parameters, not '{names}': e.g. --params 'layer1.W[0,0],layer2.b[0]'.",
            "ja": "'{names}' ではなく、異なる 2 つのパラメーターを選んでください(例: --params 'layer1.W[0,0],layer2.b[0]')。",
        },
        "error.pca_short": {
            "en": "A trajectory of {count} point(s) that do not move has no principal directions: train for more steps.",
            "ja": "{count} 点の動かない軌跡には主方向がありません。もっと多くのステップ学習してください。",
        },
    }
)


TEXTS.update(
    {
        "error.loss": {
            "en": "There is no loss '{name}': choose one of {names}.",
            "ja": "損失関数 '{name}' はありません。{names} から選んでください。",
        },
        "error.labels": {
            "en": "The loss {loss} needs class labels 0, 1, ... as targets: choose mse, mae or huber for these values.",
            "ja": "損失関数 {loss} には 0, 1, ... のクラスラベルの目標値が必要です。この値には mse、mae、huber を選んでください。",
        },
        "error.net_points": {
            "en": "{value} grid points per axis is not valid for a network: give 3 to {limit}.",
            "ja": "ネットワークのグリッドの 1 軸あたり {value} 点は正しくありません。3 から {limit} を指定してください。",
        },
        "error.span": {
            "en": "The span {value} is not valid: give a positive number, e.g. 1.",
            "ja": "範囲 {value} は正しくありません。正の数を指定してください(例: 1)。",
        },
        "error.plane": {
            "en": "There is no plane '{name}': choose pca, random or params.",
            "ja": "平面 '{name}' はありません。pca、random、params から選んでください。",
        },
    }
)


TEXTS.update(
    {
        "fig.net_path": {
            "en": "training path ({steps} steps)",
            "ja": "学習の経路 ({steps} ステップ)",
        },
        "fig.plane_start": {
            "en": "start (projected onto the plane)",
            "ja": "開始点(平面に射影)",
        },
        "fig.plane_start_exact": {"en": "start", "ja": "開始点"},
        "fig.plane_end": {"en": "trained", "ja": "学習後"},
        "fig.net_start": {"en": "start (α = 0)", "ja": "開始 (α = 0)"},
        "fig.net_end": {"en": "trained (α = 1)", "ja": "学習後 (α = 1)"},
        "fig.plane.pca": {
            "en": "The loss in the plane of the path's two principal directions",
            "ja": "経路の 2 つの主方向が張る平面での損失",
        },
        "fig.plane.random": {
            "en": "The loss in a random filter-normalised plane (Li et al. 2018)",
            "ja": "フィルター正規化したランダムな平面での損失 (Li ほか 2018)",
        },
        "fig.plane.params": {
            "en": "The loss over two parameters, the others fixed",
            "ja": "2 つのパラメーターに対する損失(他は固定)",
        },
        "fig.pca_explained": {
            "en": "PC1 {a:.1f}%, PC2 {b:.1f}% of the path's variance",
            "ja": "経路の分散の PC1 {a:.1f}%、PC2 {b:.1f}%",
        },
        "fig.net_surface": {"en": "The same plane as a surface", "ja": "同じ平面を曲面で"},
        "fig.alpha": {
            "en": "α: (1 − α)·start + α·trained",
            "ja": "α: (1 − α)·開始 + α·学習後",
        },
        "fig.alpha_ab": {"en": "α: (1 − α)·A + α·B", "ja": "α: (1 − α)·A + α·B"},
        "fig.line_title_ab": {
            "en": "The loss on the straight line from A to B",
            "ja": "A から B までの直線上の損失",
        },
        "fig.line_title": {
            "en": "The loss on the straight line from the start to the trained network",
            "ja": "開始点から学習後のネットワークまでの直線上の損失",
        },
        "fig.class": {"en": "class {k}", "ja": "クラス {k}"},
        "fig.decision_title": {
            "en": "What the trained network predicts (decision boundary)",
            "ja": "学習後のネットワークの予測(決定境界)",
        },
        "fig.net_fit": {"en": "trained network", "ja": "学習後のネットワーク"},
        "fig.fit_curve_title": {"en": "The fitted curve", "ja": "フィットした曲線"},
        "fig.xor_minima": {"en": "minima ({count})", "ja": "極小値 ({count} 個)"},
        "fig.xor_saddles": {"en": "saddle points ({count})", "ja": "鞍点 ({count} 個)"},
        "fig.xor_title": {
            "en": "XOR network: two equivalent minima (α = ±1) and a saddle between",
            "ja": "XOR ネットワーク: 等価な 2 つの極小値 (α = ±1) とその間の鞍点",
        },
    }
)


#: How each loss is named on an axis.
LOSS_NAMES = {"mse": "MSE", "mae": "MAE", "huber": "Huber", "bce": "BCE", "softmax-ce": "CE"}


def loss_label(meta: Mapping[str, Any], lang: Lang = "en") -> str:
    """The axis label of a landscape's loss, e.g. ``loss (MSE)``; ``f`` for a test function.

    >>> loss_label({"loss": "bce"}, "ja")
    '損失 (BCE)'
    """
    name = meta.get("loss")
    return tr("fig.loss", lang, name=LOSS_NAMES.get(str(name), str(name)) if name else "f")


TEXTS.update(
    {
        "cli.landscape": {
            "en": "Train a small network and draw its loss landscape (plane, surface, line, predictions).",
            "ja": "小さなネットワークを学習し、損失の地形(平面、曲面、直線、予測)を描きます。",
        },
        "cli.gradcheck": {
            "en": "Check backpropagation against central differences (the largest relative difference).",
            "ja": "誤差逆伝播法を中心差分と比べて確認します(最大の相対誤差)。",
        },
        "cli.check_all": {
            "en": "check every model and loss on small data",
            "ja": "すべてのモデルと損失関数を小さなデータで確認します",
        },
        "cli.data": {
            "en": "toy data: moons, circles, xor, spirals, sine (default: %(default)s)",
            "ja": "トイデータ: moons, circles, xor, spirals, sine (既定: %(default)s)",
        },
        "cli.n": {"en": "number of samples of the toy set", "ja": "トイデータのサンプル数"},
        "cli.toy_noise": {"en": "noise of the toy set", "ja": "トイデータのノイズ"},
        "cli.csv": {
            "en": "read the data from this CSV file instead",
            "ja": "代わりにこの CSV ファイルからデータを読みます",
        },
        "cli.inputs": {
            "en": "CSV input columns, comma-separated",
            "ja": "CSV の入力の列(カンマ区切り)",
        },
        "cli.target": {"en": "CSV target column", "ja": "CSV の目標値の列"},
        "cli.drop_nan": {
            "en": "drop CSV rows with missing values (and say how many)",
            "ja": "欠損値のある CSV の行を除きます(除いた数を表示)",
        },
        "cli.model": {
            "en": "mlp, linear (no hidden layer) or logistic (linear + sigmoid) (default: %(default)s)",
            "ja": "mlp、linear(隠れ層なし)、logistic(linear + シグモイド)(既定: %(default)s)",
        },
        "cli.hidden": {
            "en": "hidden layer sizes (default: %(default)s)",
            "ja": "隠れ層のサイズ (既定: %(default)s)",
        },
        "cli.activation": {
            "en": "sigmoid, tanh or relu (default: %(default)s)",
            "ja": "sigmoid、tanh、relu (既定: %(default)s)",
        },
        "cli.loss": {
            "en": "mse, mae, huber, bce or softmax-ce (default: from the data)",
            "ja": "mse、mae、huber、bce、softmax-ce (既定: データに合わせて)",
        },
        "cli.plane": {
            "en": "plane: pca of the path, random (filter-normalised) or params (default: %(default)s)",
            "ja": "平面: 経路の pca、random(フィルター正規化)、params (既定: %(default)s)",
        },
        "cli.params": {
            "en": "two parameters for --plane params, e.g. 'layer1.W[0,0],layer2.b[0]'",
            "ja": "--plane params の 2 つのパラメーター。例: 'layer1.W[0,0],layer2.b[0]'",
        },
        "cli.span": {
            "en": "half-width of the plane (default: %(default)s)",
            "ja": "平面の半分の幅 (既定: %(default)s)",
        },
        "cli.points": {
            "en": "grid points per axis (default: %(default)s)",
            "ja": "1 軸あたりのグリッド点数 (既定: %(default)s)",
        },
        "cli.keep_biases": {
            "en": "random plane: move the biases too (default: biases fixed, as Li et al.)",
            "ja": "ランダムな平面でバイアスも動かします (既定: Li ほかと同じくバイアスは固定)",
        },
        "cli.net_summary": {
            "en": "{params} parameters; loss {start:.4g} at the start, {loss:.4g} after training; grid by {method}",
            "ja": "パラメーター {params} 個、損失は開始時 {start:.4g}、学習後 {loss:.4g}、グリッドの計算: {method}",
        },
        "cli.accuracy": {"en": "accuracy {value:.1f}%", "ja": "正解率 {value:.1f}%"},
        "cli.gradcheck_row": {
            "en": "{case}: largest relative difference {value:.2e} at {name}: {verdict}",
            "ja": "{case}: 最大の相対誤差 {value:.2e} ({name}): {verdict}",
        },
        "cli.gradcheck_ok": {
            "en": "Backpropagation agrees with central differences: largest relative difference {value:.2e} < {tolerance:g}.",
            "ja": "誤差逆伝播法は中心差分と一致します。最大の相対誤差 {value:.2e} < {tolerance:g}。",
        },
        "cli.gradcheck_fail": {
            "en": "Backpropagation disagrees with central differences: largest relative difference {value:.2e} >= {tolerance:g}.",
            "ja": "誤差逆伝播法が中心差分と一致しません。最大の相対誤差 {value:.2e} >= {tolerance:g}。",
        },
    }
)


# --- report section 8 ---------------------------------------------------------------
TEXTS.update(
    {
        "report.s8": {
            "en": "8. Beyond the perceptron: a network whose landscape is not a bowl",
            "ja": "8. パーセプトロンの先へ: 地形がお椀ではないネットワーク",
        },
        "report.s8.intro": {
            "en": "The perceptron's loss is a quadratic in (w, b), so it is always a bowl. A network with a hidden layer is not linear in its parameters, and its loss is not a bowl. The smallest example: XOR, which no single line separates, learned by a network with two inputs, two tanh hidden units and one sigmoid output (9 parameters), with the binary cross-entropy.",
            "ja": "パーセプトロンの損失は (w, b) の 2 次式なので、いつもお椀形です。隠れ層のあるネットワークはパラメーターについて線形ではなく、損失はお椀形になりません。最小の例は XOR です。1 本の直線では分けられない XOR を、入力 2 つ、tanh の隠れユニット 2 つ、シグモイド出力 1 つ(パラメーター 9 個)のネットワークで、二値交差エントロピーを損失として学習します。",
        },
        "report.s8.twin": {
            "en": "After training (loss {loss}), swap the two hidden units: the parameters are different, the network computes exactly the same function, so the loss is the same. The figure shows the loss in the plane through both: α = +1 is the trained network, α = −1 its twin, β a direction across.",
            "ja": "学習後(損失 {loss})、2 つの隠れユニットを入れ替えます。パラメーターは違いますが、ネットワークが計算する関数はまったく同じなので、損失も同じです。図は両方を通る平面での損失です。α = +1 が学習したネットワーク、α = −1 がその双子、β はそれを横切る方向です。",
        },
        "report.s8.found": {
            "en": "On this grid there are {minima} minima and {saddles} saddle point(s); the lowest saddle has loss {saddle}.",
            "ja": "このグリッド上には極小値が {minima} 個、鞍点が {saddles} 個あります。最も低い鞍点の損失は {saddle} です。",
        },
        "report.s8.why": {
            "en": "Why it matters for gradient descent: in a bowl every path downhill ends at the one minimum. Here, where you start decides which minimum you reach; between the minima the surface rises to a saddle point, where the gradient is zero but it is not a minimum: gradient descent slows down near it. And the straight line between two good networks can pass over a ridge. Equivalent minima are harmless (they compute the same function), but plateaus and saddles are why training a network can stall for a while and then suddenly improve.",
            "ja": "勾配降下法にとっての意味: お椀ならどこから下っても 1 つの最小値に着きます。ここでは、どこから始めるかでどの極小値に着くかが決まります。極小値の間で曲面は鞍点まで盛り上がります。鞍点では勾配が 0 なのに最小値ではないので、勾配降下法はその近くで遅くなります。また、2 つの良いネットワークを結ぶ直線は尾根を越えることがあります。等価な極小値は無害です(同じ関数を計算するので)が、平坦な領域や鞍点があるため、ネットワークの学習はしばらく停滞してから急に進むことがあるのです。",
        },
        "report.s8.more": {
            "en": "More: <code>losslab landscape --data moons --hidden 8,8</code> trains a network and draws its landscape in the plane of its path (PCA), a random filter-normalised plane (<code>--plane random</code>, Li et al. 2018) or two named parameters, with the loss on the line from start to end and the decision boundary.",
            "ja": "さらに: <code>losslab landscape --data moons --hidden 8,8</code> でネットワークを学習し、その経路の平面 (PCA)、フィルター正規化したランダムな平面 (<code>--plane random</code>、Li ほか 2018)、または名前で選んだ 2 つのパラメーターでの地形を、開始点から学習後までの直線上の損失や決定境界とともに描きます。",
        },
    }
)


def line_text(w: float, b: float) -> str:
    """``y = 3x + 2`` with 3 significant digits and a real minus sign.

    >>> line_text(2.31, -1.6)
    'y = 2.31x − 1.6'
    """
    slope = f"{w:.3g}".replace("-", "−")
    return f"y = {slope}x {'−' if b < 0 else '+'} {abs(b):.3g}"


# --- the web app --------------------------------------------------------------------
TEXTS.update(
    {
        "app.title": {
            "en": "losslab: the perceptron's loss, live",
            "ja": "losslab: パーセプトロンの損失をその場で",
        },
        "app.teacher": {"en": "Teacher t(x)", "ja": "教師 t(x)"},
        "app.x": {"en": "Samples x (start:stop:count)", "ja": "サンプル x (start:stop:count)"},
        "app.noise": {"en": "Noise (standard deviation)", "ja": "ノイズ(標準偏差)"},
        "app.seed": {"en": "Seed", "ja": "シード"},
        "app.apply": {"en": "Use these data", "ja": "このデータを使う"},
        "app.optimizer": {"en": "Optimizer", "ja": "最適化手法"},
        "app.lr": {"en": "Learning rate (log scale)", "ja": "学習率(対数目盛り)"},
        "app.lr_value": {
            "en": "lr = {lr:.3g} = {ratio:.2f} × 2/λmax ({limit:.4g})",
            "ja": "学習率 = {lr:.3g} = {ratio:.2f} × 2/λmax ({limit:.4g})",
        },
        "app.init": {"en": "Start w,b", "ja": "開始点 w,b"},
        "app.set_init": {"en": "Start here", "ja": "ここから始める"},
        "app.click_hint": {
            "en": "or click on the contour map to start there",
            "ja": "または等高線図をクリックしてそこから始める",
        },
        "app.step": {"en": "Step", "ja": "1 ステップ"},
        "app.run": {"en": "Run N steps", "ja": "N ステップ実行"},
        "app.reset": {"en": "Reset", "ja": "リセット"},
        "app.run_steps": {"en": "N", "ja": "N"},
        "app.batch": {
            "en": "Mini-batch size for SGD (empty: all samples)",
            "ja": "SGD のミニバッチサイズ(空欄: 全サンプル)",
        },
        "app.loss": {"en": "loss", "ja": "損失"},
        "app.minimum": {"en": "minimum (w, b)", "ja": "最小値 (w, b)"},
        "app.path_full": {
            "en": "The path has reached {limit} points: press Reset to start again.",
            "ja": "経路が {limit} 点に達しました。リセットしてやり直してください。",
        },
        "app.listening": {
            "en": "losslab {version} is serving the lab at {url} (Ctrl+C stops it)",
            "ja": "losslab {version} が {url} でラボを公開しています (Ctrl+C で停止)",
        },
        "app.remote_warning": {
            "en": "Warning: serving on {host}, which other machines may reach; losslab has no login.",
            "ja": "警告: {host} で公開します。他のマシンから接続できる可能性があり、losslab にはログインがありません。",
        },
        "cli.serve": {
            "en": "Start the interactive lab in the browser (a local web app).",
            "ja": "ブラウザーで使う対話型のラボ(ローカルのウェブアプリ)を起動します。",
        },
        "cli.host": {
            "en": "address to serve on (default: %(default)s; another needs --allow-remote)",
            "ja": "公開するアドレス (既定: %(default)s。それ以外には --allow-remote が必要)",
        },
        "cli.port": {"en": "port (default: %(default)s)", "ja": "ポート (既定: %(default)s)"},
        "cli.allow_remote": {
            "en": "allow an address other than 127.0.0.1",
            "ja": "127.0.0.1 以外のアドレスを許可します",
        },
        "error.app_samples": {
            "en": "The lab takes at most {limit} samples: choose fewer.",
            "ja": "ラボで使えるサンプルは {limit} 個までです。減らしてください。",
        },
        "error.app_run": {
            "en": "Run takes 1 to {limit} steps: change N.",
            "ja": "実行できるのは 1 から {limit} ステップです。N を変えてください。",
        },
        "error.port": {
            "en": "Port {port} on {host} is already in use: choose another with --port.",
            "ja": "{host} のポート {port} はすでに使われています。--port で別のポートを選んでください。",
        },
        "error.port_range": {
            "en": "Port {port} is not valid: give a number from 1 to 65535.",
            "ja": "ポート {port} は正しくありません。1 から 65535 の数を指定してください。",
        },
        "error.remote": {
            "en": "Serving on {host} would expose the lab to other machines: pass --allow-remote if you mean it.",
            "ja": "{host} で公開すると他のマシンからラボに接続できてしまいます。意図したものなら --allow-remote を指定してください。",
        },
        "error.no_dash": {
            "en": "The web app needs Dash, which is not installed: run pip install 'losslab[app]'.",
            "ja": "ウェブアプリには Dash が必要ですが、インストールされていません。pip install 'losslab[app]' を実行してください。",
        },
    }
)


# --- the torch adapter ----------------------------------------------------------------
TEXTS.update(
    {
        "error.torch_data": {
            "en": "The data are not (inputs, targets) tensors or batches of them ({detail}): pass a pair of tensors or a DataLoader.",
            "ja": "データが (入力, 目標) のテンソルまたはそのバッチではありません ({detail})。テンソルの組か DataLoader を渡してください。",
        },
        "error.torch_checkpoint": {
            "en": "The checkpoint has no entry {name} for a parameter of the model: load a checkpoint of this model.",
            "ja": "チェックポイントにモデルのパラメーター {name} がありません。このモデルのチェックポイントを読み込んでください。",
        },
        "error.torch_direction": {
            "en": "A direction has {got} values but the model has {expected} parameters: give one value per parameter.",
            "ja": "方向の値は {got} 個ですが、モデルのパラメーターは {expected} 個です。パラメーターごとに 1 つ値を指定してください。",
        },
        "error.torch_resume": {
            "en": "{path} holds a scan made with other settings: delete it or choose another --resume file.",
            "ja": "{path} には別の設定で作ったスキャンが入っています。削除するか、別の --resume ファイルを選んでください。",
        },
        "error.torch_load": {
            "en": "Could not load {what} from '{spec}' ({reason}): give path/to/file.py:function.",
            "ja": "'{spec}' から {what} を読み込めませんでした ({reason})。path/to/file.py:function の形で指定してください。",
        },
        "error.no_torch": {
            "en": "This command needs PyTorch, which is not installed: run pip install 'losslab[torch]'.",
            "ja": "このコマンドには PyTorch が必要ですが、インストールされていません。pip install 'losslab[torch]' を実行してください。",
        },
    }
)


TEXTS.update(
    {
        "cli.torch_scan": {
            "en": "Scan the loss landscape of a PyTorch model (needs losslab[torch]).",
            "ja": "PyTorch モデルの損失の地形をスキャンします (losslab[torch] が必要)。",
        },
        "cli.torch_model": {
            "en": "path/to/file.py:build, a function that returns the nn.Module",
            "ja": "path/to/file.py:build。nn.Module を返す関数",
        },
        "cli.torch_data": {
            "en": "path/to/file.py:load, a function that returns (inputs, targets) tensors or a DataLoader",
            "ja": "path/to/file.py:load。(入力, 目標) のテンソルか DataLoader を返す関数",
        },
        "cli.torch_checkpoint": {
            "en": "state_dict to load into the model",
            "ja": "モデルに読み込む state_dict",
        },
        "cli.torch_loss": {
            "en": "cross-entropy, mse, or path/to/file.py:fn (default: %(default)s)",
            "ja": "cross-entropy、mse、または path/to/file.py:fn (既定: %(default)s)",
        },
        "cli.torch_trajectory": {
            "en": "comma-separated checkpoints of a training run: scan their PCA plane instead",
            "ja": "学習中のチェックポイント(カンマ区切り)。代わりにその PCA 平面をスキャンします",
        },
        "cli.torch_end": {
            "en": "a second checkpoint: also scan the line from --checkpoint to it",
            "ja": "2 つ目のチェックポイント。--checkpoint からそこまでの直線もスキャンします",
        },
        "cli.device": {
            "en": "cpu or cuda (default: where the model is)",
            "ja": "cpu または cuda (既定: モデルのある場所)",
        },
        "cli.resume": {
            "en": "write the scan to this .npz as it goes, and continue it if it exists",
            "ja": "スキャンを途中経過ごとにこの .npz に書き、すでにあれば続きから再開します",
        },
        "cli.torch_summary": {
            "en": "{params} parameters; loss from {low:.4g} to {high:.4g} on the grid ({method})",
            "ja": "パラメーター {params} 個、グリッド上の損失 {low:.4g} から {high:.4g} ({method})",
        },
    }
)


TEXTS.update(
    {
        "app.net_title": {
            "en": "Beyond the perceptron: a small network",
            "ja": "パーセプトロンの先へ: 小さなネットワーク",
        },
        "app.net_intro": {
            "en": "Train a small network on a toy data set and look at its loss in a plane: the plane of its training path (PCA) or a random filter-normalised one. It is not a bowl.",
            "ja": "トイデータで小さなネットワークを学習し、その損失を平面で見ます。学習の経路の平面 (PCA) か、フィルター正規化したランダムな平面です。お椀形ではありません。",
        },
        "app.net_data": {"en": "Data", "ja": "データ"},
        "app.net_hidden": {"en": "Hidden layers (e.g. 8,8)", "ja": "隠れ層 (例: 8,8)"},
        "app.net_activation": {"en": "Activation", "ja": "活性化関数"},
        "app.net_lr": {"en": "Learning rate", "ja": "学習率"},
        "app.net_steps": {"en": "Steps", "ja": "ステップ数"},
        "app.net_plane": {"en": "Plane", "ja": "平面"},
        "app.net_train": {"en": "Train", "ja": "学習する"},
        "app.net_plane_title": {
            "en": "The loss in the plane (log scale)",
            "ja": "平面上の損失(対数目盛り)",
        },
        "app.net_summary": {
            "en": "{params} parameters, loss {loss:.4g} after training;",
            "ja": "パラメーター {params} 個、学習後の損失 {loss:.4g}。",
        },
        "error.app_net": {
            "en": "The hidden layers '{hidden}' are too large for the lab: use at most 3 layers of at most 64 units.",
            "ja": "隠れ層 '{hidden}' はラボには大きすぎます。64 ユニット以下の層を 3 つまでにしてください。",
        },
    }
)
