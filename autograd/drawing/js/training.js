/* graphgrad explorer, training playback. page.py joins these files, in the order it names, into
   one inline script after the page's data; every text shown goes in with textContent. */
"use strict";

/* --- training playback: the loss curve, the decision boundary, the parameters ---------------------- */

function trainingView(box, data, find) {
  const caption = find("gg-caption"), tip = find("gg-tip");
  const panels = box.insertBefore(document.createElement("div"), find("gg-note"));
  panels.className = "gg-panels";
  const panel = (title) => {
    const p = panels.appendChild(document.createElement("div"));
    p.className = "gg-panel";
    p.appendChild(document.createElement("h3")).textContent = title;
    return p;
  };
  const curve = lossCurve(panel("loss per step"), data.losses);
  const plane = data.boundary ? boundaryPlane(panel("decision boundary"), data.boundary) : null;
  const first = data.snapshots[0].params;
  const scales = first.map((_, i) => Math.max(1e-12, ...data.snapshots.map((s) => maxAbs(s.params[i][1]))));
  const maps = first.map(([name], i) => heatmap(panel(name), tip, box, name, scales[i]));
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
  const svg = panel.appendChild(svgElement("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}` }));
  const finite = losses.map(number).filter(Number.isFinite);
  const lo = Math.min(...finite, 0), hi = Math.max(...finite, 1e-12);
  const x = (i) => pad + (W - pad - 8) * (losses.length > 1 ? i / (losses.length - 1) : 0);
  const y = (v) => H - pad + (pad + 8 - H) * ((Math.min(hi, Math.max(lo, number(v))) - lo) / (hi - lo || 1));
  const points = (n) => losses.slice(0, n).map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  svg.appendChild(svgElement("polyline", { points: points(losses.length), fill: "none", stroke: "#ccc" }));
  const done = svg.appendChild(svgElement("polyline", { fill: "none", stroke: "#1f77b4", "stroke-width": 1.5 }));
  const dot = svg.appendChild(svgElement("circle", { r: 3, fill: "#1f77b4" }));
  svg.appendChild(svgElement("line", { x1: pad, y1: H - pad, x2: W - 8, y2: H - pad, stroke: "#888" }));
  svg.appendChild(svgElement("line", { x1: pad, y1: 8, x2: pad, y2: H - pad, stroke: "#888" }));
  const text = (words, at) => { svg.appendChild(svgElement("text", { "font-size": 10, fill: "#555", ...at })).textContent = words; };
  text(formatNumber(hi), { x: pad - 4, y: 14, "text-anchor": "end" });
  text(formatNumber(lo), { x: pad - 4, y: H - pad, "text-anchor": "end" });
  text(`${losses.length} steps`, { x: W - 8, y: H - pad + 14, "text-anchor": "end" });
  const now = svg.appendChild(svgElement("text", { "font-size": 10, fill: "#1f77b4", x: pad + 4, y: H - 6 }));
  return (n) => {
    done.setAttribute("points", points(n));
    const last = Math.max(0, Math.min(losses.length, n) - 1);
    dot.setAttribute("cx", x(last).toFixed(1));
    dot.setAttribute("cy", y(losses[last] ?? 0).toFixed(1));
    dot.style.display = n > 0 ? "" : "none";
    now.textContent = n > 0 ? `after ${n} steps: loss ${formatNumber(number(losses[last]))}` : "before training";
  };
}

const PALETTE = ["#6baed6", "#fd8d3c", "#74c476", "#9e9ac8", "#f768a1", "#bcbd22", "#17becf", "#8c564b"];

function boundaryPlane(panel, b) {
  const S = 240, canvas = panel.appendChild(document.createElement("canvas"));
  canvas.width = canvas.height = S;
  const ctx = canvas.getContext("2d"), nx = b.x.length, ny = b.y.length;
  const [x0, x1, y0, y1] = [b.x[0], b.x[nx - 1], b.y[0], b.y[ny - 1]];
  const px = (v) => ((v - x0) / (x1 - x0 || 1)) * S, py = (v) => S - ((v - y0) / (y1 - y0 || 1)) * S;
  return (classes) => {
    ctx.clearRect(0, 0, S, S);
    for (let i = 0; i < ny; i++) for (let j = 0; j < nx; j++) {  // row i of the grid is its i-th y, upwards
      ctx.fillStyle = lighter(PALETTE[classes[i][j] % PALETTE.length]);
      const left = Math.floor((j * S) / nx), top = Math.floor(((ny - 1 - i) * S) / ny);
      ctx.fillRect(left, top, Math.floor(((j + 1) * S) / nx) - left, Math.floor(((ny - i) * S) / ny) - top);
    }
    b.points.forEach(([u, v], i) => {
      ctx.beginPath();
      ctx.arc(px(u), py(v), 2.5, 0, 2 * Math.PI);
      ctx.fillStyle = PALETTE[b.labels[i] % PALETTE.length];
      ctx.fill();
      ctx.strokeStyle = "#333";
      ctx.lineWidth = 0.6;
      ctx.stroke();
    });
  };
}

function heatmap(panel, tip, box, name, scale) {
  const canvas = panel.appendChild(document.createElement("canvas")), ctx = canvas.getContext("2d");
  let values = [[0]], grads = [[0]], cell = 8;
  canvas.addEventListener("mousemove", (e) => {
    const r = canvas.getBoundingClientRect(), i = Math.floor((e.clientY - r.top) / cell), j = Math.floor((e.clientX - r.left) / cell);
    if (!values[i] || values[i][j] === undefined) { tip.hidden = true; return; }
    tip.textContent = `${name}[${i}, ${j}]: data ${formatNumber(number(values[i][j]))}, grad ${formatNumber(number(grads[i][j]))}`;
    tip.hidden = false;
    const area = box.getBoundingClientRect();
    tip.style.left = `${e.clientX - area.left + 12}px`;
    tip.style.top = `${e.clientY - area.top + 12}px`;
  });
  canvas.addEventListener("mouseleave", () => { tip.hidden = true; });
  return (data, grad) => {
    values = rows(data);
    grads = rows(grad);
    const n = values.length, m = values[0].length;
    cell = Math.max(2, Math.min(16, Math.floor(240 / Math.max(n, m))));
    canvas.width = m * cell;
    canvas.height = n * cell;
    values.forEach((row, i) => row.forEach((v, j) => {
      const t = Math.max(-1, Math.min(1, number(v) / scale));
      const [r, g, b] = t < 0 ? [255 + t * 222, 255 + t * 136, 255 + t * 75] : [255 - t * 41, 255 - t * 216, 255 - t * 216];
      ctx.fillStyle = `rgb(${r | 0}, ${g | 0}, ${b | 0})`;
      ctx.fillRect(j * cell, i * cell, cell, cell);
    }));
  };
}
