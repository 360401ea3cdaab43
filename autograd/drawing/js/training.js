/* graphgrad explorer, training playback. page.py joins these files, in the order it names, into
   one inline script after the page's data; every text shown goes in with textContent. */
"use strict";

/* --- training playback: the loss curve, the decision boundary, the parameters ---------------------- */

function trainingView(box, data, find) {
  const caption = find("gg-caption"), tip = find("gg-tip");
  const panels = box.insertBefore(document.createElement("div"), find("gg-note"));
  panels.className = "gg-panels";
  const panel = (title, note = "") => {  // a box with a heading (and a note beside it, in grey)
    const p = panels.appendChild(document.createElement("div"));
    p.className = "gg-panel";
    const heading = p.appendChild(document.createElement("h3"));
    heading.textContent = title;
    if (note) {
      const aside = heading.appendChild(document.createElement("span"));
      aside.className = "gg-aside";
      aside.textContent = note;
    }
    return p;
  };
  const curve = lossCurve(panel("loss per step"), data.losses);
  const plane = data.boundary ? boundaryPlane(panel("decision boundary"), data.boundary) : null;
  const first = data.snapshots[0].params, scales = heatScales(data.snapshots), cells = heatCells(first);
  const colour = heatColours(box);
  const maps = first.map(([name, values], i) => {
    const shape = rows(values);
    return heatmap(panel(name, `${shape.length}\u00d7${shape[0].length}`), tip, box, [name, scales[i], cells[i], colour]);
  });
  let step = 0;
  return {
    show(k) {
      step = k;
      const s = data.snapshots[k];
      caption.textContent = s.caption;
      curve(s.step);
      if (plane) plane(s.classes);
      maps.forEach((draw, i) => draw(s.params[i][1], s.params[i][2]));
    },
    select() {},
    clear() {},
    caption: () => caption.textContent,
    grads() {
      const shown = {};
      for (const [name, , grad] of data.snapshots[step].params) shown[name] = number(grad);
      return shown;
    },
    highlighted: () => [],
  };
}

function lossCurve(panel, losses) {
  const W = 360, H = 180, pad = 34;
  const svg = panel.appendChild(svgElement("svg", { class: "gg-loss", width: W, height: H, viewBox: `0 0 ${W} ${H}` }));
  const finite = losses.map(number).filter(Number.isFinite);
  const lo = Math.min(...finite, 0), hi = Math.max(...finite, 1e-12);
  const x = (i) => pad + (W - pad - 8) * (losses.length > 1 ? i / (losses.length - 1) : 0);
  const y = (v) => H - pad + (pad + 8 - H) * ((Math.min(hi, Math.max(lo, number(v))) - lo) / (hi - lo || 1));
  const points = (n) => losses.slice(0, n).map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  svg.appendChild(svgElement("polyline", { class: "gg-ahead", points: points(losses.length) }));  // colours: page.css
  const done = svg.appendChild(svgElement("polyline", { class: "gg-done" }));
  const dot = svg.appendChild(svgElement("circle", { class: "gg-done", r: 3 }));
  svg.appendChild(svgElement("line", { class: "gg-axis", x1: pad, y1: H - pad, x2: W - 8, y2: H - pad }));
  svg.appendChild(svgElement("line", { class: "gg-axis", x1: pad, y1: 8, x2: pad, y2: H - pad }));
  const text = (words, at) => { svg.appendChild(svgElement("text", at)).textContent = words; };
  text(formatNumber(hi), { x: pad - 4, y: 14, "text-anchor": "end" });
  text(formatNumber(lo), { x: pad - 4, y: H - pad, "text-anchor": "end" });
  text(`${losses.length} steps`, { x: W - 8, y: H - pad + 14, "text-anchor": "end" });
  const now = svg.appendChild(svgElement("text", { class: "gg-done", x: pad + 4, y: H - 6 }));
  return (n) => {
    done.setAttribute("points", points(n));
    const last = Math.max(0, Math.min(losses.length, n) - 1);
    dot.setAttribute("cx", x(last).toFixed(1));
    dot.setAttribute("cy", y(losses[last] ?? 0).toFixed(1));
    dot.style.display = n > 0 ? "" : "none";
    now.textContent = n > 0 ? `after ${n} steps: loss ${formatNumber(number(losses[last]))}` : "before training";
  };
}

function cssColour(el, variable) {  // a colour page.css or the palette defines (--gg-current ...), as #rrggbb
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.fillStyle = getComputedStyle(el).getPropertyValue(variable).trim();
  return ctx.fillStyle;  // a canvas gives an opaque colour back as #rrggbb
}

function boundaryPlane(panel, b) {
  const S = 240, canvas = panel.appendChild(document.createElement("canvas"));
  canvas.width = canvas.height = S;
  const ctx = canvas.getContext("2d"), nx = b.x.length, ny = b.y.length;
  const classes = Array.from({ length: 8 }, (_, k) => cssColour(panel, `--gg-class-${k}`));  // page.css
  const colour = (c) => classes[c % classes.length], rim = cssColour(panel, "--gg-line");
  const [x0, x1, y0, y1] = [b.x[0], b.x[nx - 1], b.y[0], b.y[ny - 1]];
  const px = (v) => ((v - x0) / (x1 - x0 || 1)) * S, py = (v) => S - ((v - y0) / (y1 - y0 || 1)) * S;
  return (predicted) => {
    ctx.clearRect(0, 0, S, S);
    for (let i = 0; i < ny; i++) for (let j = 0; j < nx; j++) {  // row i of the grid is its i-th y, upwards
      ctx.fillStyle = lighter(colour(predicted[i][j]));
      const left = Math.floor((j * S) / nx), top = Math.floor(((ny - 1 - i) * S) / ny);
      ctx.fillRect(left, top, Math.floor(((j + 1) * S) / nx) - left, Math.floor(((ny - i) * S) / ny) - top);
    }
    b.points.forEach(([u, v], i) => {
      ctx.beginPath();
      ctx.arc(px(u), py(v), 2.5, 0, 2 * Math.PI);
      ctx.fillStyle = colour(b.labels[i]);
      ctx.fill();
      ctx.strokeStyle = rim;
      ctx.lineWidth = 0.6;
      ctx.stroke();
    });
  };
}

/* --- the parameters: a heatmap of each matrix, its colour scale beneath ----------------------------- */

const HEAT = { side: 240, least: 2, most: 16, minSide: 12, bar: 150 };  // pixels

function heatColours(box) {
  /* The heatmaps' colours: t in [-1, 1] from the palette's "current" (blue, -1) through white (0) to
     its "chain" (red, +1), each channel mixed linearly with white; the palette's "faint" for nan. */
  const rgb = (variable) => { const hex = cssColour(box, variable); return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)); };
  const low = rgb("--gg-current"), high = rgb("--gg-chain"), none = cssColour(box, "--gg-faint");
  return (t) => {
    if (!Number.isFinite(t)) return none;
    const c = (t < 0 ? low : high).map((v) => Math.round(255 - Math.abs(t) * (255 - v)));
    return `rgb(${c.join(", ")})`;
  };
}

function finiteRange(v) {  // [min, max] of the finite numbers in v (null when there is none)
  const finite = rows(v).flat().map(number).filter(Number.isFinite);
  return finite.length ? [Math.min(...finite), Math.max(...finite)] : null;
}

function heatScales(snapshots) {  // each matrix's colour scale: its largest |data| in any snapshot
  return snapshots[0].params.map((_, i) => Math.max(1e-12, ...snapshots.map((s) => {
    const range = finiteRange(s.params[i][1]);
    return range ? Math.max(-range[0], range[1]) : 0;
  })));
}

function heatCells(params) {
  /* Each matrix's cell, [width, height] in pixels: square, as large as fits HEAT.side (within
     HEAT.least .. HEAT.most), and no side of the picture under HEAT.minSide. A bias (one row, named
     like its weight matrix: "0.bias" and "0.weight") takes the cell of its weight matrix, whose rows
     it adds to, so that the strip is as long as the matrix is high. */
  const shapes = params.map(([, d]) => { const r = rows(d); return [r.length, r[0].length]; });
  const square = shapes.map(([n, m]) => Math.max(HEAT.least, Math.min(HEAT.most, Math.floor(HEAT.side / Math.max(n, m)))));
  const names = params.map(([name]) => name);
  return shapes.map(([n, m], i) => {
    const w = /bias$/.test(names[i]) && n === 1 ? names.indexOf(names[i].replace(/bias$/, "weight")) : -1;
    const c = w >= 0 && shapes[w][0] === m ? square[w] : square[i];
    return [Math.max(c, Math.ceil(HEAT.minSide / m)), Math.max(c, Math.ceil(HEAT.minSide / n))];
  });
}

function heatLegend(panel, scale, heatColour) {  // the colour bar from -scale to +scale; returns the line for the step's range
  const legend = panel.appendChild(document.createElement("div"));
  legend.className = "gg-legend";
  const bar = legend.appendChild(document.createElement("canvas")), ctx = bar.getContext("2d");
  bar.className = "gg-legend-bar";
  bar.width = HEAT.bar;
  bar.height = 8;
  for (let x = 0; x < HEAT.bar; x++) {
    ctx.fillStyle = heatColour((2 * x + 1) / HEAT.bar - 1);
    ctx.fillRect(x, 0, 1, bar.height);
  }
  const ticks = legend.appendChild(document.createElement("div"));
  ticks.className = "gg-legend-ticks";
  for (const words of [formatNumber(-scale), "0", `+${formatNumber(scale)}`]) {
    ticks.appendChild(document.createElement("span")).textContent = words;
  }
  const now = legend.appendChild(document.createElement("div"));
  now.className = "gg-legend-now";
  return now;
}

function heatmap(panel, tip, box, [name, scale, [cw, ch], heatColour]) {
  /* The heatmap of one matrix: draw(data, grad) paints it from one snapshot's numbers, all of it;
     hovering a cell shows its data and grad (rewritten when a step is drawn under the pointer). */
  const canvas = panel.appendChild(document.createElement("canvas")), ctx = canvas.getContext("2d");
  canvas.className = "gg-heatmap";
  const now = heatLegend(panel, scale, heatColour);
  let values = [[0]], grads = [[0]], at = null;  // at: the hovered cell, [i, j]
  const describe = () => {
    const [i, j] = at;
    tip.textContent = `${name}[${i}, ${j}]: data ${formatNumber(number(values[i][j]))}, grad ${formatNumber(number(grads[i][j]))}`;
  };
  canvas.addEventListener("mousemove", (e) => {
    const r = canvas.getBoundingClientRect();  // the canvas has a border: its cells start inside it
    const i = Math.floor((e.clientY - r.top - canvas.clientTop) / ch), j = Math.floor((e.clientX - r.left - canvas.clientLeft) / cw);
    at = values[i] && values[i][j] !== undefined ? [i, j] : null;
    tip.hidden = at === null;
    if (!at) return;
    describe();
    tip.style.left = "0px";  // measured unsqueezed, placed right of the pointer, or left where that has no room
    const area = box.getBoundingClientRect(), x = e.clientX - area.left, w = tip.offsetWidth;
    tip.style.left = `${x + 12 + w > area.width ? Math.max(0, x - 12 - w) : x + 12}px`;
    tip.style.top = `${e.clientY - area.top + 12}px`;
  });
  canvas.addEventListener("mouseleave", () => { at = null; tip.hidden = true; });
  return (data, grad) => {
    values = rows(data);
    grads = rows(grad);
    canvas.width = values[0].length * cw;
    canvas.height = values.length * ch;
    values.forEach((row, i) => row.forEach((v, j) => {
      ctx.fillStyle = heatColour(Math.max(-1, Math.min(1, number(v) / scale)));
      ctx.fillRect(j * cw, i * ch, cw, ch);
    }));
    const range = finiteRange(data);
    now.textContent = range ? `this step: ${formatNumber(range[0])} to ${formatNumber(range[1])}` : "this step: no finite values";
    if (at) describe();
  };
}
