/*
 * losslab's perceptron lab: gradient descent and the book's optimizers on the
 * perceptron's loss bowl, in the browser, with no server, no data and no request.
 *
 * The loss and its gradient come from the sums of the data (n, Sx, Sy, Sxx, Sxy, Syy and
 * their centred forms Suu, Suv, Svv), with the formulas of the library's PerceptronSums
 * (src/losslab/core/objective.py). The update rules are those of src/losslab/optim/rules.py
 * and the stopping rules those of losslab.run (src/losslab/optim/loop.py), operation for
 * operation, so that a path here is losslab.run's path to rounding (tests/test_offline_lab.py).
 *
 * The page holds its numbers and texts as JSON in <script type="application/json"
 * class="lab-data"> inside a <div class="losslab-lab">; report/lab.py writes both.
 * The state (data, start, optimizer, learning rate, steps) lives in the URL fragment,
 * "#lab?opt=adam&lr=0.2&w=3&b=2&steps=10&teacher=...", so a link reproduces a run.
 * No eval, no network request, no HTML from a string: texts go in with textContent.
 */
(function () {
  "use strict";

  // ---------- the loss and its gradient, from the sums ----------

  /** The loss at (w, b): PerceptronSums.loss, term for term (no cancellation). */
  function lossAt(s, w, b) {
    const wStar = s.Suu > 0 ? s.Suv / s.Suu : 0.0;
    const minLoss = Math.max(s.Svv - wStar * s.Suv, 0.0) / s.n;
    const offset = b + w * s.x_mean - s.t_mean;
    const dw = w - wStar;
    return minLoss + (s.Suu * (dw * dw)) / s.n + offset * offset;
  }

  /** [dL/dw, dL/db] at (w, b): PerceptronSums.gradient, term for term. */
  function gradientAt(s, w, b) {
    const offset = b + w * s.x_mean - s.t_mean;
    const dw = (2.0 * (w * s.Suu - s.Suv)) / s.n + 2.0 * s.x_mean * offset;
    return [dw, 2.0 * offset];
  }

  // ---------- the update rules of optim/rules.py: update(g, state) -> [updates, state] ----------

  /** The optimizer `key` with learning rate `lr` and the library's constants `hp`. */
  function makeRule(key, lr, hp) {
    const eps = hp.epsilon;
    const both = (f) => [f(0), f(1)];
    switch (key) {
      case "gd":
      case "sgd":
        return { init: () => null, update: (g, st) => [both((i) => -lr * g[i]), st] };
      case "momentum":
        return {
          init: () => ({ v: [0, 0] }),
          update(g, st) {
            const v = both((i) => hp.momentum * st.v[i] - lr * g[i]);
            return [v, { v }];
          },
        };
      case "nesterov":
        return {
          init: () => ({ v: [0, 0] }),
          update(g, st) {
            const m = hp.momentum;
            const v = both((i) => m * st.v[i] - lr * g[i]);
            return [both((i) => m * m * v[i] - (1 + m) * lr * g[i]), { v }];
          },
        };
      case "adagrad":
        return {
          init: () => ({ h: [0, 0] }),
          update(g, st) {
            const h = both((i) => st.h[i] + g[i] * g[i]);
            return [both((i) => (-lr * g[i]) / (Math.sqrt(h[i]) + eps)), { h }];
          },
        };
      case "rmsprop":
        return {
          init: () => ({ h: [0, 0] }),
          update(g, st) {
            const d = hp.decay_rate;
            const h = both((i) => d * st.h[i] + (1 - d) * g[i] * g[i]);
            return [both((i) => (-lr * g[i]) / (Math.sqrt(h[i]) + eps)), { h }];
          },
        };
      case "adam":
        return {
          init: () => ({ step: 0, m: [0, 0], v: [0, 0] }),
          update(g, st) {
            const t = st.step + 1;
            const m = both((i) => st.m[i] + (1 - hp.beta1) * (g[i] - st.m[i]));
            const v = both((i) => st.v[i] + (1 - hp.beta2) * (g[i] * g[i] - st.v[i]));
            const lrT = (lr * Math.sqrt(1.0 - hp.beta2 ** t)) / (1.0 - hp.beta1 ** t);
            const u = both((i) => (-lrT * m[i]) / (Math.sqrt(v[i]) + eps));
            return [u, { step: t, m, v, lrT }];
          },
        };
      default:
        throw new Error("unknown optimizer " + key);
    }
  }

  // ---------- the run loop of optim/loop.py ----------

  /** A run from `start` as losslab.run begins it: the start point, its loss and gradient. */
  function startRun(sums, rule, start, limits) {
    const [w, b] = start;
    const loss = lossAt(sums, w, b);
    const grad = gradientAt(sums, w, b);
    return {
      sums, rule, tolerance: limits.tolerance,
      bound: limits.divergence_bound * Math.max(1.0, Math.abs(loss)),
      params: [w, b], state: rule.init(), grad, loss,
      path: [[w, b]], losses: [loss], grads: [grad], stop: null, divergedAt: null,
    };
  }

  const norm = (g) => Math.sqrt(g[0] * g[0] + g[1] * g[1]);

  /** The next update, as continue_run makes it, without applying it (null when stopped). */
  function nextUpdate(run) {
    if (run.stop) return null;
    if (norm(run.grad) < run.tolerance) {
      run.stop = "converged";
      return null;
    }
    const [u, state] = run.rule.update(run.grad, run.state);
    const p = [run.params[0] + u[0], run.params[1] + u[1]];
    return { u, state, params: p, loss: lossAt(run.sums, p[0], p[1]),
             grad: gradientAt(run.sums, p[0], p[1]) };
  }

  /** Apply one update; false when the run stopped (converged, or diverged: point not kept). */
  function commit(run, next) {
    if (next === null) return false;
    const p = next.params;
    if (!(Number.isFinite(p[0]) && Number.isFinite(p[1]) && Number.isFinite(next.loss) &&
          next.loss <= run.bound)) {
      run.stop = "diverged";
      run.divergedAt = run.path.length;
      return false;
    }
    run.params = p;
    run.state = next.state;
    run.loss = next.loss;
    run.grad = next.grad;
    run.path.push(p);
    run.losses.push(next.loss);
    run.grads.push(next.grad);
    return true;
  }

  const advance = (run) => commit(run, nextUpdate(run));

  /** `steps` updates at once, like losslab.run: {path, losses, grads, stop, divergedAt}. */
  function runSteps(sums, key, lr, hp, start, steps, limits) {
    const run = startRun(sums, makeRule(key, lr, hp), start, limits);
    for (let k = 0; k < steps && advance(run); k++);
    if (!run.stop) run.stop = norm(run.grad) < run.tolerance ? "converged" : "step limit";
    return { path: run.path, losses: run.losses, grads: run.grads, stop: run.stop,
             divergedAt: run.divergedAt };
  }

  // ---------- numbers and texts ----------

  /** A number as the report's fmt writes it: `digits` significant digits, a real minus. */
  function fmt(value, digits = 6) {
    let v = Number(value);
    if (!Number.isFinite(v)) return String(v);
    if (Math.abs(v) < 1e-12 * 10 ** (digits - 6)) v = 0;
    if (v === 0) return "0";
    const exp = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(digits)))));
    let text;
    if (exp < -4 || exp >= digits) {
      const [mant, e] = v.toExponential(digits - 1).split("e");
      const n = Number(e);
      text = trimZeros(mant) + "e" + (n < 0 ? "-" : "+") + String(Math.abs(n)).padStart(2, "0");
    } else {
      text = trimZeros(v.toFixed(Math.max(0, digits - 1 - exp)));
    }
    return text.replace(/-/g, "\u2212");
  }

  function trimZeros(s) {
    return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
  }

  /** A catalogue text with its {placeholders} filled (plain text, never HTML). */
  function say(texts, key, values) {
    const text = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
    return text.replace(/\{(\w+)\}/g, (all, name) =>
      values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all);
  }

  // ---------- the state in the URL fragment ----------

  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$/;
  const FRAGMENT_PREFIX = "#lab?";
  const DATA_KEYS = ["teacher", "samples", "seed", "noise", "source"];
  const MAX_FRAGMENT = 2000;

  /**
   * The lab state a fragment asks for, checked; `defaults` where it asks nothing.
   * Returns {state, error, otherData}: `error` names the first bad setting (the state is
   * then the defaults), `otherData` lists the data settings that differ from the page's.
   */
  function parseFragment(hash, config) {
    const defaults = defaultState(config);
    const out = { state: defaults, error: null, otherData: [] };
    if (typeof hash !== "string" || !hash.startsWith(FRAGMENT_PREFIX)) return out;
    if (hash.length > MAX_FRAGMENT) return { ...out, error: "length" };
    let params;
    try {
      params = new URLSearchParams(hash.slice(FRAGMENT_PREFIX.length));
    } catch (e) {
      return { ...out, error: "syntax" };
    }
    const state = { ...defaults, start: defaults.start.slice() };
    const num = (name, lo, hi) => {
      const text = params.get(name);
      if (text === null) return undefined;
      if (!NUMBER.test(text)) throw name;
      const v = Number(text);
      if (!(Number.isFinite(v) && v >= lo && v <= hi)) throw name;
      return v;
    };
    try {
      for (const key of new Set(params.keys())) {
        if (params.getAll(key).length > 1) throw key; // which one would the link mean?
      }
      if (params.has("opt")) {
        const key = params.get("opt");
        if (!config.optimizers.some((o) => o.key === key)) throw "opt";
        state.opt = key;
        state.lr = rateOf(config, key);
      }
      const lr = num("lr", config.rate_range[0], config.rate_range[1]);
      if (lr !== undefined) state.lr = lr;
      const w = num("w", -config.max_start, config.max_start);
      const b = num("b", -config.max_start, config.max_start);
      if (w !== undefined) state.start[0] = w;
      if (b !== undefined) state.start[1] = b;
      const steps = num("steps", 0, config.max_steps);
      if (steps !== undefined) {
        if (!Number.isInteger(steps)) throw "steps";
        state.steps = steps;
      }
      for (const key of DATA_KEYS) {
        const text = params.get(key);
        if (text === null) continue;
        if (text.length > 200) throw key;
        if (text !== String(config.data[key] ?? "")) out.otherData.push([key, text]);
      }
    } catch (bad) {
      return { ...out, error: typeof bad === "string" ? bad : "syntax" };
    }
    out.state = state;
    return out;
  }

  function defaultState(config) {
    return { opt: config.optimizers[0].key, lr: rateOf(config, config.optimizers[0].key),
             start: config.start.slice(), steps: 0 };
  }

  function rateOf(config, key) {
    return config.optimizers.find((o) => o.key === key).rate;
  }

  /** The fragment of a state: the page's data first, then the run. */
  function writeFragment(state, config) {
    const params = new URLSearchParams();
    for (const key of DATA_KEYS) {
      if (config.data[key] !== undefined && config.data[key] !== null) {
        params.set(key, String(config.data[key]));
      }
    }
    params.set("opt", state.opt);
    params.set("lr", String(state.lr));
    params.set("w", String(state.start[0]));
    params.set("b", String(state.start[1]));
    params.set("steps", String(state.steps));
    return FRAGMENT_PREFIX + params.toString();
  }

  // ---------- the lab on the page ----------

  const COLOURS = { path: "#e15759", now: "#ffffff", minimum: "#d62728", arrow: "#f28e2b" };
  const PLOT_CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["toImage"] };

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const child of children || []) node.appendChild(child);
    return node;
  }

  function svg(tag, attrs, children) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const child of children || []) node.appendChild(child);
    return node;
  }

  function linspace(lo, hi, count) {
    return Array.from({ length: count }, (_, k) => lo + ((hi - lo) * k) / (count - 1));
  }

  class Lab {
    constructor(root, config) {
      this.root = root;
      this.config = config;
      this.t = (key, values) => say(config.texts, key, values);
      this.timings = []; // ms per step: the click's answer (numbers, path on the map)
      this.drawTimings = []; // ms per redraw of the bowl and the loss curve (next frame)
      this.running = 0;
      this.explainStage = 0;
      this.build();
      const parsed = parseFragment(window.location.hash, config);
      this.state = parsed.state;
      if (parsed.error) {
        this.note(this.t("fragment_bad", { key: parsed.error.slice(0, 24) }));
      } else if (parsed.otherData.length) {
        const theirs = parsed.otherData.map(([k, v]) => k + "=" + v).join(", ");
        this.note(this.t("fragment_data", { theirs, ours: config.data_text }));
      }
      this.syncControls();
      this.restart(this.state.steps);
      if (window.location.hash.startsWith(FRAGMENT_PREFIX)) root.scrollIntoView();
    }

    // --- building the controls and the figures ---

    build() {
      const c = this.config;
      const t = this.t;
      this.select = el("select", { "aria-label": t("optimizer") },
        c.optimizers.map((o) => el("option", { value: o.key, text: o.name })));
      this.slider = el("input", { type: "range", min: "0", max: "1000", step: "1",
                                  "aria-label": t("rate") });
      this.rateText = el("output", { class: "lab-rate-value" });
      const [lo, hi] = c.rate_range.map(Math.log10);
      this.toSlider = (lr) => String(Math.round((1000 * (Math.log10(lr) - lo)) / (hi - lo)));
      this.fromSlider = (pos) => Number((10 ** (lo + ((hi - lo) * pos) / 1000)).toPrecision(3));
      const mark = el("span", { class: "lab-limit",
                                text: "\u25B2 " + t("limit", { limit: fmt(c.stability_limit, 4) }) });
      mark.style.left = (100 * Number(this.toSlider(c.stability_limit))) / 1000 + "%";
      this.count = el("input", { type: "number", min: "1", max: String(c.max_steps), value: "20",
                                 "aria-label": t("count") });
      const button = (key, onClick) => {
        const b = el("button", { type: "button", text: t(key) });
        b.addEventListener("click", onClick);
        return b;
      };
      this.stepButton = button("step", () => this.stepOnce());
      this.runButton = button("run", () => this.runMany());
      this.explainButton = button("explain", () => this.explain());
      const controls = el("div", { class: "lab-controls" }, [
        el("label", {}, [el("span", { text: t("optimizer") + " " }), this.select]),
        el("div", { class: "lab-rate" }, [
          el("label", {}, [el("span", { text: t("rate") + " " }), this.rateText]),
          el("div", { class: "lab-slider" }, [this.slider, mark]),
        ]),
        el("div", { class: "lab-buttons" }, [
          this.stepButton,
          this.runButton, this.count,
          button("reset", () => this.restart(0)),
          this.explainButton,
        ]),
      ]);
      this.message = el("p", { class: "lab-msg", role: "status" });
      this.contourBox = el("div", { class: "lab-plot lab-contour" });
      this.bowlBox = el("div", { class: "lab-plot lab-bowl" });
      this.lossBox = el("div", { class: "lab-plot lab-losses" });
      this.numbers = el("table", { class: "lab-numbers" });
      this.explanation = el("ol", { class: "lab-explain", hidden: "" });
      this.root.replaceChildren(
        controls, this.message,
        el("div", { class: "lab-row" }, [this.contourBox, this.bowlBox]),
        el("div", { class: "lab-row" }, [this.lossBox,
          el("div", { class: "lab-side" }, [this.numbers, this.explanation])]),
        el("p", { class: "lab-share", text: t("share") }),
      );
      this.select.addEventListener("change", () => {
        this.state.opt = this.select.value;
        this.state.lr = rateOf(c, this.state.opt);
        this.syncControls();
        this.restart(0);
      });
      this.slider.addEventListener("input", () => {
        this.state.lr = this.fromSlider(Number(this.slider.value));
        this.syncControls();
        this.restart(0);
      });
      if (!window.Plotly) {
        this.note(t("no_plotly"));
        return;
      }
      this.drawFigures();
    }

    drawFigures() {
      const c = this.config;
      const t = this.t;
      const s = c.sums;
      const [w0, w1] = c.grid.w;
      const [b0, b1] = c.grid.b;
      const ws = linspace(w0, w1, 81);
      const bs = linspace(b0, b1, 81);
      // sqrt(loss - minimum): the contours of a bowl become evenly spaced ellipses
      const height = bs.map((b) => ws.map((w) => Math.sqrt(Math.max(0, lossAt(s, w, b) -
        c.min_loss))));
      const font = { family: c.font, size: 12 };
      const margin = { l: 50, r: 10, t: 34, b: 40 };
      const [mw, mb] = c.minimum;
      Plotly.newPlot(this.contourBox, [
        { type: "contour", x: ws, y: bs, z: height, colorscale: "Viridis", showscale: false,
          ncontours: 16, hoverinfo: "skip", line: { color: "rgba(0,0,0,0.35)" } },
        { type: "scatter", mode: "markers", x: [mw], y: [mb], name: t("minimum"),
          marker: { symbol: "star", size: 14, color: COLOURS.minimum,
                    line: { color: "black", width: 1 } }, hoverinfo: "skip" },
      ], {
        title: { text: t("contour"), font: { size: 13 } }, font, margin, showlegend: false,
        xaxis: { title: { text: "w" }, range: [w0, w1], fixedrange: true },
        yaxis: { title: { text: "b" }, range: [b0, b1], fixedrange: true },
        dragmode: false, height: 360, autosize: true,
      }, PLOT_CONFIG);
      const sw = linspace(w0, w1, 41);
      const sb = linspace(b0, b1, 41);
      const surface = sb.map((b) => sw.map((w) => lossAt(s, w, b)));
      const top = Math.max(...surface.map((row) => Math.max(...row)));
      this.bowlTop = top;
      Plotly.newPlot(this.bowlBox, [
        { type: "surface", x: sw, y: sb, z: surface, colorscale: "Viridis", showscale: false,
          opacity: 0.85, hoverinfo: "skip" },
        { type: "scatter3d", mode: "lines+markers", x: [], y: [], z: [], name: t("path"),
          line: { color: COLOURS.path, width: 5 }, marker: { size: 2.5, color: COLOURS.path },
          hoverinfo: "skip" },
        { type: "scatter3d", mode: "markers", x: [mw], y: [mb], z: [c.min_loss],
          name: t("minimum"), marker: { size: 5, color: COLOURS.minimum }, hoverinfo: "skip" },
      ], {
        title: { text: t("bowl"), font: { size: 13 } }, font, showlegend: false,
        margin: { l: 0, r: 0, t: 34, b: 0 }, height: 360, autosize: true,
        // the grid's box, fixed: a diverging path leaves it instead of shrinking the bowl
        scene: { xaxis: { title: { text: "w" }, range: [w0, w1] },
                 yaxis: { title: { text: "b" }, range: [b0, b1] },
                 zaxis: { title: { text: t("loss") }, range: [0, top] }, aspectmode: "cube",
                 camera: { eye: { x: 1.75, y: -1.85, z: 1.15 } } },
      }, PLOT_CONFIG);
      Plotly.newPlot(this.lossBox, [
        { type: "scatter", mode: "lines+markers", x: [], y: [], name: t("loss"),
          line: { color: COLOURS.path }, marker: { size: 6 },
          hovertemplate: "%{x}: %{y:.6g}<extra></extra>" },
      ], {
        title: { text: t("losses"), font: { size: 13 } }, font, margin, showlegend: false,
        xaxis: { title: { text: t("step_label") }, rangemode: "tozero" },
        yaxis: { title: { text: t("loss") }, type: "log", exponentformat: "power" },
        height: 300, autosize: true,
      }, PLOT_CONFIG);
      // The path is drawn over the map in an SVG of its own: a restyle of the contour
      // trace redraws the whole map (100+ ms), moving an SVG polyline takes well under 1 ms.
      this.overlay = svg("svg", { class: "lab-overlay", "aria-hidden": "true" });
      const head = svg("marker", { id: "lab-arrowhead", viewBox: "0 0 10 10", refX: "9",
                                   refY: "5", markerWidth: "6", markerHeight: "6",
                                   orient: "auto-start-reverse" });
      head.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: COLOURS.arrow }));
      const dot = svg("marker", { id: "lab-dot", viewBox: "0 0 10 10", refX: "5", refY: "5",
                                  markerWidth: "4", markerHeight: "4" });
      dot.appendChild(svg("circle", { cx: "5", cy: "5", r: "4", fill: COLOURS.path }));
      this.pathLine = svg("polyline", { fill: "none", stroke: COLOURS.path, "stroke-width": "2",
                                        "marker-start": "url(#lab-dot)",
                                        "marker-mid": "url(#lab-dot)" });
      this.arrowLine = svg("line", { stroke: COLOURS.arrow, "stroke-width": "3",
                                     "marker-end": "url(#lab-arrowhead)", visibility: "hidden" });
      this.nowDot = svg("circle", { r: "6", fill: COLOURS.now, stroke: "black",
                                    "stroke-width": "2" });
      const down = svg("marker", { id: "lab-downhead", viewBox: "0 0 10 10", refX: "9",
                                   refY: "5", markerWidth: "6", markerHeight: "6",
                                   orient: "auto-start-reverse" });
      down.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "white" }));
      this.downLine = svg("line", { stroke: "white", "stroke-width": "2",
                                    "stroke-dasharray": "5 3", "marker-end": "url(#lab-downhead)",
                                    visibility: "hidden" });
      this.overlay.append(svg("defs", {}, [head, dot, down]), this.pathLine, this.nowDot,
                          this.downLine, this.arrowLine);
      this.contourBox.appendChild(this.overlay);
      this.contourBox.on("plotly_afterplot", () => this.drawOverlay());
      // A click (or a tap) on the contour map picks the start: pixels -> (w, b).
      this.contourBox.addEventListener("click", (event) => this.clickStart(event));
    }

    clickStart(event) {
      const layout = this.contourBox._fullLayout;
      if (!layout) return;
      const xa = layout.xaxis;
      const ya = layout.yaxis;
      const box = this.contourBox.getBoundingClientRect();
      const px = event.clientX - box.left - xa._offset;
      const py = event.clientY - box.top - ya._offset;
      if (px < 0 || py < 0 || px > xa._length || py > ya._length) return;
      const round = (v) => Number(v.toPrecision(4));
      this.state.start = [round(xa.p2l(px)), round(ya.p2l(py))];
      this.restart(0);
    }

    // --- the run ---

    restart(steps) {
      const c = this.config;
      this.stopRunning();
      this.hideExplanation();
      const rule = makeRule(this.state.opt, this.state.lr, this.optimizer().hyper);
      this.run = startRun(c.sums, rule, this.state.start, c.limits);
      for (let k = 0; k < steps && this.advance(); k++);
      this.afterSteps();
    }

    /** One update, unless the run is as long as the lab keeps (then a sentence says so). */
    advance() {
      return this.run.path.length <= this.config.max_steps && advance(this.run);
    }

    optimizer() {
      return this.config.optimizers.find((o) => o.key === this.state.opt);
    }

    /** One update, timed (performance.now) from the click to the numbers and figures. */
    stepOnce() {
      const begin = performance.now();
      this.hideExplanation();
      this.advance();
      this.afterSteps();
      this.timings.push(performance.now() - begin);
      return this.run.stop === null;
    }

    runMany() {
      if (this.running) {
        this.stopRunning();
        return;
      }
      let left = Math.max(1, Math.min(this.config.max_steps, Math.floor(Number(this.count.value))
        || 1));
      this.runButton.textContent = this.t("pause");
      const frame = () => {
        const now = Math.max(1, Math.ceil(left / 60)); // at most about a second of frames
        let going = true;
        for (let k = 0; k < now && going; k++) going = this.advance();
        left -= now;
        this.afterSteps();
        this.running = going && left > 0 ? requestAnimationFrame(frame) : 0;
        if (!this.running) this.runButton.textContent = this.t("run");
      };
      this.running = requestAnimationFrame(frame);
    }

    stopRunning() {
      if (this.running) cancelAnimationFrame(this.running);
      this.running = 0;
      if (this.runButton) this.runButton.textContent = this.t("run");
    }

    afterSteps() {
      this.state.steps = this.run.path.length - 1;
      this.showNumbers();
      this.showStop();
      this.redraw();
      this.saveFragment();
    }

    /** The state into the address bar, at most every 300 ms (browsers throttle history). */
    saveFragment() {
      if (this.fragmentDue) return;
      this.fragmentDue = setTimeout(() => {
        this.fragmentDue = 0;
        try {
          window.history.replaceState(null, "", writeFragment(this.state, this.config));
        } catch (e) {
          // Some browsers refuse replaceState on file:// pages; the lab works without it.
        }
      }, 300);
    }

    syncControls() {
      this.select.value = this.state.opt;
      this.slider.value = this.toSlider(this.state.lr);
      const ratio = this.state.lr / this.config.stability_limit;
      this.rateText.textContent = fmt(this.state.lr, 4) + "  (" +
        this.t("ratio", { ratio: fmt(ratio, 3) }) + ")";
    }

    note(text) {
      this.message.textContent = text;
    }

    /** Why the run stopped, if it did; a sentence shown for another reason stays. */
    showStop() {
      const run = this.run;
      const c = this.config;
      let text = null;
      if (run.stop === "converged") {
        text = this.t("converged", { tol: fmt(run.tolerance) });
      } else if (run.stop === "diverged") {
        text = this.t("diverged", { k: run.divergedAt, limit: fmt(c.stability_limit, 4) });
      } else if (run.path.length > c.max_steps) {
        text = this.t("too_long", { steps: c.max_steps });
      }
      if (text !== null) {
        this.note(text);
        this.message.dataset.kind = "stop";
      } else if (this.message.dataset.kind === "stop") {
        this.note("");
        this.message.dataset.kind = "";
      }
    }

    showNumbers() {
      const run = this.run;
      const rows = [
        [this.t("step_label"), String(run.path.length - 1)],
        ["w", fmt(run.params[0])], ["b", fmt(run.params[1])],
        [this.t("loss"), fmt(run.loss)],
        ["\u2202L/\u2202w", fmt(run.grad[0])], ["\u2202L/\u2202b", fmt(run.grad[1])],
      ];
      if (!this.cells) {
        this.cells = rows.map(() => el("td"));
        this.numbers.replaceChildren(...rows.map(([k], i) =>
          el("tr", {}, [el("th", { text: k }), this.cells[i]])));
      }
      rows.forEach(([, v], i) => {
        this.cells[i].textContent = v;
      });
    }

    /** The map's overlay now (cheap); the bowl and the loss curve at the next frame. */
    redraw() {
      this.drawOverlay();
      if (!this.figuresDue) {
        this.figuresDue = requestAnimationFrame(() => this.drawFigures3d());
      }
    }

    /** The path, the current point and the step's arrow over the contour map. */
    drawOverlay(arrow) {
      const layout = this.contourBox._fullLayout;
      if (!layout || !this.overlay) return;
      const xa = layout.xaxis;
      const ya = layout.yaxis;
      const place = [xa._offset, ya._offset, xa._length, ya._length].join();
      if (place !== this.placed) { // only when plotly laid the map out anew
        this.placed = place;
        Object.assign(this.overlay.style, { left: xa._offset + "px", top: ya._offset + "px",
                                            width: xa._length + "px", height: ya._length + "px" });
      }
      // Far outside the map an SVG coordinate would overflow: clamp to a wide margin.
      const clamp = (v, size) => Math.max(-10 * size, Math.min(11 * size, v));
      const px = (w) => clamp(xa.l2p(w), xa._length).toFixed(1);
      const py = (b) => clamp(ya.l2p(b), ya._length).toFixed(1);
      const run = this.run;
      this.pathLine.setAttribute("points", run.path.map((p) => px(p[0]) + "," + py(p[1]))
        .join(" "));
      this.nowDot.setAttribute("cx", px(run.params[0]));
      this.nowDot.setAttribute("cy", py(run.params[1]));
      const to = arrow === undefined ? this.arrowTo : arrow;
      this.arrowTo = to;
      this.arrowLine.setAttribute("visibility", to ? "visible" : "hidden");
      this.downLine.setAttribute("visibility", to ? "visible" : "hidden");
      if (to) {
        const [x0, y0] = [px(run.params[0]), py(run.params[1])];
        this.arrowLine.setAttribute("x1", x0);
        this.arrowLine.setAttribute("y1", y0);
        this.arrowLine.setAttribute("x2", px(to[0]));
        this.arrowLine.setAttribute("y2", py(to[1]));
        // Downhill, -gradient, drawn 60 px long: the direction, whatever the step's length.
        const dx = -run.grad[0] * (xa.l2p(1) - xa.l2p(0));
        const dy = -run.grad[1] * (ya.l2p(1) - ya.l2p(0));
        const size = Math.hypot(dx, dy) || 1;
        this.downLine.setAttribute("x1", x0);
        this.downLine.setAttribute("y1", y0);
        this.downLine.setAttribute("x2", (Number(x0) + (60 * dx) / size).toFixed(1));
        this.downLine.setAttribute("y2", (Number(y0) + (60 * dy) / size).toFixed(1));
      }
    }

    /** The path on the bowl and the loss per step (plotly redraws these: tens of ms). */
    drawFigures3d() {
      this.figuresDue = 0;
      if (!this.bowlBox._fullLayout) return;
      const begin = performance.now();
      const run = this.run;
      // Points outside the bowl's box become gaps: plotly would draw them outside it.
      const [w0, w1] = this.config.grid.w;
      const [b0, b1] = this.config.grid.b;
      const inside = run.path.map(([w, b], k) =>
        w >= w0 && w <= w1 && b >= b0 && b <= b1 && run.losses[k] <= this.bowlTop);
      const shown = (values) => values.map((v, k) => (inside[k] ? v : null));
      Plotly.restyle(this.bowlBox, { x: [shown(run.path.map((p) => p[0]))],
                                     y: [shown(run.path.map((p) => p[1]))],
                                     z: [shown(run.losses)] }, [1]);
      Plotly.update(this.lossBox, { x: [run.losses.map((_, k) => k)], y: [run.losses] },
                    { "xaxis.range": [0, Math.max(10, run.losses.length - 1)] }, [0]);
      this.drawTimings.push(performance.now() - begin);
    }

    // --- step-through: one update explained with its numbers, stage by stage ---

    explain() {
      const run = this.run;
      if (this.explainStage === 0) {
        this.pending = nextUpdate(run);
        if (this.pending === null) {
          this.showStop();
          this.showExplanation([this.t("x_stopped", { stop: this.t("stop_" + run.stop) })]);
          return;
        }
      }
      this.explainStage += 1;
      const stages = this.explainTexts();
      this.showExplanation(stages.slice(0, this.explainStage));
      if (this.explainStage === 3) {
        this.drawOverlay(this.pending.params);
      } else if (this.explainStage === 4) {
        this.animateTo(this.pending);
      }
      this.explainButton.textContent = this.t(this.explainStage < 4 ? "next" : "explain");
      if (this.explainStage >= 4) this.explainStage = 0;
    }

    explainTexts() {
      const c = this.config;
      const s = c.sums;
      const run = this.run;
      const [w, b] = run.params;
      const [gw, gb] = run.grad;
      const next = this.pending;
      const hp = this.optimizer().hyper;
      const v = {
        w: fmt(w), b: fmt(b), n: s.n, xm: fmt(s.x_mean), tm: fmt(s.t_mean),
        ym: fmt(w * s.x_mean + b), loss: fmt(run.loss), gw: fmt(gw), gb: fmt(gb),
        Sxx: fmt(s.Sxx), Sx: fmt(s.Sx), Sxy: fmt(s.Sxy), Sy: fmt(s.Sy), Syy: fmt(s.Syy),
        lr: fmt(this.state.lr), w1: fmt(next.params[0]), b1: fmt(next.params[1]),
        loss1: fmt(next.loss), mom: fmt(hp.momentum), decay: fmt(hp.decay_rate),
        beta1: fmt(hp.beta1), beta2: fmt(hp.beta2), u0: fmt(next.u[0]), u1: fmt(next.u[1]),
      };
      const st = next.state;
      if (st && st.v) Object.assign(v, { v0: fmt(st.v[0]), v1: fmt(st.v[1]) });
      if (st && st.h) Object.assign(v, { h0: fmt(st.h[0]), h1: fmt(st.h[1]) });
      if (st && st.m) Object.assign(v, { m0: fmt(st.m[0]), m1: fmt(st.m[1]), t: st.step,
                                         lrt: fmt(st.lrT) });
      const rule = this.state.opt === "sgd" ? "gd" : this.state.opt;
      return ["x_predict", "x_loss", "x_gradient", "x_update_" + rule].map((k) => this.t(k, v));
    }

    /** Move the current point along the update over a short animation, then commit it. */
    animateTo(next) {
      const run = this.run;
      const [w, b] = run.params;
      const begin = performance.now();
      const token = (this.animation = {});
      const frames = (now) => {
        if (this.animation !== token || this.run !== run) return; // Step or Reset came first
        const f = Math.min(1, (now - begin) / 400);
        const layout = this.contourBox._fullLayout;
        if (layout) {
          this.nowDot.setAttribute("cx", layout.xaxis.l2p(w + f * (next.params[0] - w)));
          this.nowDot.setAttribute("cy", layout.yaxis.l2p(b + f * (next.params[1] - b)));
        }
        if (f < 1) {
          requestAnimationFrame(frames);
        } else {
          this.animation = null;
          this.arrowTo = null;
          commit(run, next);
          this.afterSteps();
        }
      };
      requestAnimationFrame(frames);
    }

    showExplanation(texts) {
      this.explanation.hidden = false;
      this.explanation.replaceChildren(...texts.map((text) => el("li", { text })));
    }

    hideExplanation() {
      if (!this.explanation) return;
      this.animation = null;
      this.arrowTo = null;
      this.explainStage = 0;
      this.explanation.hidden = true;
      if (this.explainButton) this.explainButton.textContent = this.t("explain");
    }
  }

  // ---------- start every lab on the page ----------

  const api = { lossAt, gradientAt, makeRule, runSteps, parseFragment, writeFragment, fmt,
                labs: [] };
  window.LosslabLab = api;

  function startAll() {
    for (const root of document.querySelectorAll(".losslab-lab")) {
      const data = root.parentElement.querySelector("script.lab-data");
      try {
        api.labs.push(new Lab(root, JSON.parse(data.textContent)));
      } catch (e) {
        root.textContent = String(e && e.message ? e.message : e);
        throw e;
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
