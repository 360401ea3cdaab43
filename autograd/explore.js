/* graphgrad explorer: the page's script. autograd/explore.py writes it inline after the page's
   data (the <script class="gg-data"> element). Every text it shows comes from that data and goes
   in with textContent: nothing the user named is ever parsed as markup. */
"use strict";

/* --- the controls: previous / next / play / slider, the keys ----------------------------------- */

function stepper(box, steps, view, find) {
  const slider = find("gg-slider"), count = find("gg-count"), play = find("gg-play");
  let step = 0, timer = null;
  slider.max = String(steps);
  function go(k) {
    step = Math.max(0, Math.min(steps, Math.round(Number(k) || 0)));
    slider.value = String(step);
    count.textContent = `step ${step} of ${steps}`;
    view.show(step);
    if (step >= steps) stop();
    return step;
  }
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.textContent = "play";
  }
  function toggle() {
    if (timer !== null) return stop();
    if (step >= steps) go(0);
    play.textContent = "pause";
    timer = setInterval(() => go(step + 1), steps > 200 ? 120 : 700);
  }
  find("gg-first").addEventListener("click", () => { stop(); go(0); });
  find("gg-prev").addEventListener("click", () => { stop(); go(step - 1); });
  find("gg-next").addEventListener("click", () => { stop(); go(step + 1); });
  play.addEventListener("click", toggle);
  slider.addEventListener("input", () => { stop(); go(slider.value); });
  document.addEventListener("keydown", (e) => {
    const typing = e.target instanceof HTMLInputElement && e.target.type !== "range";
    if (e.key === "Escape") { view.clear(); return; }
    if (typing || e.altKey || e.ctrlKey || e.metaKey) return;
    const moves = { ArrowLeft: () => go(step - 1), ArrowRight: () => go(step + 1), Home: () => go(0),
                    End: () => go(steps), " ": toggle };
    if (moves[e.key]) { e.preventDefault(); if (e.key !== " ") stop(); moves[e.key](); }
  });
  go(0);
  return { go, current: () => step };
}

/* --- the backward pass ------------------------------------------------------------------------- */

function backwardView(box, data, find) {
  const N = data.steps, T = data.to.length, texts = data.texts;
  const nameOf = (k) => texts[data.names[k]];
  const caption = find("gg-caption"), note = find("gg-note"), tip = find("gg-tip");
  // the shares of step k are the entries start[k] .. start[k + 1] - 1; src[j] sent entry j
  const start = new Int32Array(N + 1), src = new Int32Array(T);
  for (let k = 0, j = 0; k < N; k++) {
    start[k] = j;
    for (let c = 0; c < data.count[k]; c++) src[j++] = k;
  }
  start[N] = T;
  const usersOf = groupBy(T, N, (j) => data.to[j]);  // entries that send to each node
  const named = new Map(data.named), byName = new Map(data.named.map(([k, label]) => [label, k]));
  const exact = new Map(data.exact);
  const latest = new Int32Array(N);  // the last entry received by each node, at the step shown
  let step = 0, chain = null;

  // the picture: the drawn nodes by position (DOT id n<p>), their grad texts, a layer of labels
  const svg = box.querySelector("svg.gg-graph");
  const pos = new Map(data.visible.map((k, p) => [k, p]));
  const parts = new Map();
  if (svg) for (const g of svg.querySelectorAll("g.node, g.edge")) parts.set(g.id, g);
  const grads = new Map(data.visible.map((k, p) => [p, gradText(parts.get("n" + p))]));
  const labels = svg ? svg.querySelector("g.graph").appendChild(svgElement("g", { class: "gg-labels" })) : null;

  function gradText(group) {
    if (!group) return null;
    const text = [...group.querySelectorAll("text")].find(
      (t) => t.getAttribute("font-weight") !== "bold" && /^grad /.test(t.textContent));
    let cell = text && text.previousElementSibling;
    while (cell && cell.tagName !== "polygon") cell = cell.previousElementSibling;
    if (!cell) return null;
    const xs = cell.getAttribute("points").trim().split(/\s+/).map((p) => Number(p.split(",")[0]));
    const left = Math.min(...xs), right = Math.max(...xs);
    return { text, center: (left + right) / 2, room: right - left - 8 };
  }

  function setGrad(p, words, fill, italic) {
    const g = grads.get(p);
    if (!g) return;
    g.text.textContent = words;
    g.text.setAttribute("x", g.center.toFixed(2));
    g.text.setAttribute("text-anchor", "middle");
    g.text.setAttribute("fill", fill);
    g.text.setAttribute("font-style", italic ? "italic" : "normal");
    const width = textWidth(words, Number(g.text.getAttribute("font-size")) || 10, data.widths);
    g.text.setAttribute("textLength", Math.min(width, g.room).toFixed(2));
    g.text.setAttribute("lengthAdjust", "spacingAndGlyphs");
  }

  // the gradient of node k as shown at the step: its text, and whether it is complete
  function gradOf(k) {
    if (k === 0) return { text: texts[data.seed], done: true };
    const j = latest[k];
    return j < 0 ? null : { text: texts[data.total[j]], done: k < step };
  }

  function show(k) {
    step = k;
    latest.fill(-1);
    for (let j = 0; j < start[k]; j++) latest[data.to[j]] = j;
    for (const [p, node] of data.visible.entries()) {
      const g = gradOf(node);
      if (!g) setGrad(p, "grad ?", "#9a9a9a", false);
      else if (g.done) setGrad(p, `grad ${g.text}`, "#222222", false);
      else setGrad(p, `grad ${g.text} so far`, "#e6820e", true);
    }
    for (const el of box.querySelectorAll(".gg-current, .gg-sent")) el.classList.remove("gg-current", "gg-sent");
    clearLabels("gg-sent");
    const c = k - 1;
    if (k > 0 && pos.has(c)) {
      const p = pos.get(c);
      for (const id of ["n" + p, `n${p}op`, `n${p}_out`]) mark(id, "gg-current");
      for (let j = start[c]; j < start[c + 1]; j++) {
        const share = texts[data.share[j]];
        edgeLabel(`n${p}_in${data.slot[j]}`, " +" + (share.startsWith("-") ? `(${share})` : share) + " ", "gg-sent");
      }
    }
    caption.textContent = captionOf(k);
  }

  function captionOf(k) {
    if (k === 0) {
      return `step 0 of ${N}: the backward pass starts from the seed ${texts[data.seed]} at ${nameOf(0)}; ` +
        "step on to send it down the graph, one node at a time";
    }
    const c = k - 1, head = `step ${k} of ${N}: ${nameOf(c)}`, g = gradOf(c);
    if (!g) return `${head} receives no gradient (it reaches the root only through constant inputs)`;
    if (data.leaf[c] === "1") return `${head} is a leaf: its gradient ${g.text} is final`;
    const sent = [];
    for (let j = start[c]; j < start[c + 1]; j++) {
      const share = texts[data.share[j]], to = nameOf(data.to[j]);
      sent.push(data.tensor ? `${share} to ${to}` : `${g.text} * ${texts[data.ld[j]]} = ${share} to ${to}`);
    }
    const seed = c === 0 ? " (the seed)" : "";
    return `${head} has its complete gradient ${g.text}${seed}; it passes ${sent.join(", ") || "nothing"}`;
  }

  // --- the influence chain: every path from the selected node to the root
  function chainOf(t) {
    const dep = new Uint8Array(N), stack = [t];
    dep[t] = 1;
    while (stack.length) {
      const x = stack.pop();
      for (const j of usersOf(x)) if (!dep[src[j]]) { dep[src[j]] = 1; stack.push(src[j]); }
    }
    const [most, longest] = data.listedPaths;
    const paths = new Float64Array(N), depth = new Int32Array(N), edges = [];
    let towards = new Map();  // node -> its entries on the paths, while the paths are few and short
    paths[0] = 1;
    for (let j = 0; j < T; j++) {
      const u = src[j], x = data.to[j];
      if (u === t || !paths[u] || !dep[x]) continue;
      paths[x] += paths[u];
      edges.push(j);
      if (towards) {
        depth[x] = Math.max(depth[x], depth[u] + 1);
        if (paths[x] > most || depth[x] > longest) towards = null;
        else (towards.get(x) || towards.set(x, []).get(x)).push(j);
      }
    }
    const nodes = [];
    for (let k = 0; k < N; k++) if (paths[k]) nodes.push(k);
    return { target: t, reached: paths[t] > 0, count: paths[t], edges, nodes, towards };
  }

  function chainNote(ch) {
    const t = ch.target, root = nameOf(0);
    if (!ch.reached) return `${nameOf(t)} does not reach ${root} along any differentiable path: its gradient is 0`;
    const seed = data.seedIsOne ? "" : `${texts[data.seed]} * `;
    const head = `${seed}d${data.rootHead}/d${nameOf(t)}`;
    if (t === 0) return `${head} = 1 (the root itself)`;
    const total = gradAtEnd(t), count = ch.count.toLocaleString("en-US");
    const paths = `${count} path${ch.count === 1 ? "" : "s"}`;
    if (data.tensor) return `${head} = sum over ${paths} of the vector-Jacobian products along each (seed: ones) = ${total}`;
    if (!ch.towards) return `${head} = sum over ${paths} of the product of local derivatives = ${total}`;
    const terms = [];
    const walk = (x, factors) => {  // every path from x to the root, as its local derivatives
      if (x === 0) { terms.push(factors.join(" * ")); return; }
      for (const j of ch.towards.get(x) || []) walk(src[j], [...factors, texts[data.ld[j]]]);
    };
    walk(t, data.seedIsOne ? [] : [texts[data.seed]]);
    const listed = terms.length === 1 ? `1 path: ${terms[0]}` : `${terms.length} paths: ` + terms.map((s) => `(${s})`).join(" + ");
    return `${head} = sum over paths of the product of local derivatives; ${listed} = ${total}`;
  }

  function gradAtEnd(k) {
    const received = usersOf(k);
    return received.length ? texts[data.total[received[received.length - 1]]] : texts[data.seed];
  }

  function select(name) {
    clear();
    if (name === null) return;
    const k = byName.has(name) ? byName.get(name) : data.names.findIndex((n) => texts[n] === name);
    if (k < 0) throw new Error(`graphgrad.select: no node is named ${JSON.stringify(name)}`);
    selectNode(k);
  }

  function selectNode(k) {
    clear();
    chain = chainOf(k);
    const on = new Set();
    for (const node of chain.nodes) if (pos.has(node)) on.add("n" + pos.get(node));
    if (pos.has(k)) mark("n" + pos.get(k), "gg-target");
    for (const j of chain.edges) {
      const u = src[j];
      if (!pos.has(u)) continue;
      const p = pos.get(u);
      for (const id of [`n${p}op`, `n${p}_out`, `n${p}_in${data.slot[j]}`]) on.add(id);
      edgeLabel(`n${p}_in${data.slot[j]}`, ` ${texts[data.ld[j]]} `, "gg-chain");
    }
    for (const [id, el] of parts) {
      if (on.has(id)) el.classList.add("gg-chain");
      else if (id !== "more") el.classList.add("gg-dim");
    }
    const hidden = chain.nodes.some((node) => !pos.has(node)) ? "\n(some of the chain is in the collapsed part)" : "";
    note.textContent = chainNote(chain) + hidden;
  }

  function clear() {
    chain = null;
    for (const el of box.querySelectorAll(".gg-chain, .gg-dim, .gg-target")) el.classList.remove("gg-chain", "gg-dim", "gg-target");
    clearLabels("gg-chain");
    note.textContent = "";
  }

  function mark(id, cls) {
    const el = parts.get(id);
    if (el) el.classList.add(cls);
  }

  function edgeLabel(id, words, cls) {
    const edge = parts.get(id), path = edge && edge.querySelector("path");
    if (!path) return;
    edge.classList.add(cls);
    const length = path.getTotalLength(), at = path.getPointAtLength(length / 2);
    const label = svgElement("text", { x: at.x.toFixed(2), y: (at.y - 3).toFixed(2), "text-anchor": "middle",
                                       class: `gg-label ${cls}`, "font-family": "Arial, Helvetica, Arimo, 'Liberation Sans', sans-serif" });
    label.textContent = words;
    labels.appendChild(label);
  }

  function clearLabels(cls) {
    if (labels) for (const el of [...labels.querySelectorAll("." + cls)]) el.remove();
  }

  // --- hover, click, search, pan and zoom
  function drawnNode(target) {
    const group = target.closest && target.closest("g.node");
    const m = group && /^n(\d+)(op)?$/.exec(group.id);
    return m ? data.visible[Number(m[1])] : null;
  }

  function showTip(k, e) {
    const d = data.details[pos.get(k)], g = gradOf(k);
    tip.replaceChildren();
    const line = (bold, rest) => {
      const row = document.createElement("div");
      if (bold) row.appendChild(document.createElement("b")).textContent = bold;
      row.appendChild(document.createTextNode(rest));
      tip.appendChild(row);
    };
    line(nameOf(k), ` (${d.kind}${d.op ? `, made by ${d.op}` : ""})`);
    if (d.shape) {
      line("", `${d.shape}: ${d.summary}`);
      line("", `first values: ${d.first}`);
    } else line("", `data ${d.data}`);
    line("", !g ? "grad: none yet" : `grad ${g.text}${g.done ? "" : " (so far)"}`);
    for (const [x, ld] of d.inputs) line("", `local derivative for ${nameOf(x)}: ${ld}`);
    tip.hidden = false;
    const area = box.getBoundingClientRect();
    tip.style.left = `${Math.min(e.clientX - area.left + 14, area.width - tip.offsetWidth - 4)}px`;
    tip.style.top = `${e.clientY - area.top + 14}px`;
  }

  if (svg) {
    const area = find("gg-view");
    const zoom = panZoom(svg, area, (e) => {
      const k = drawnNode(e.target);
      if (k === null) return;
      if (chain && chain.target === k) clear();
      else selectNode(k);
    });
    area.addEventListener("mousemove", (e) => {
      const k = drawnNode(e.target);
      if (k === null) tip.hidden = true;
      else showTip(k, e);
    });
    area.addEventListener("mouseleave", () => { tip.hidden = true; });
    find("gg-fit").addEventListener("click", zoom.fit);
    search(find("gg-search"), find("gg-found"), zoom);
  }

  function search(input, found, zoom) {
    let hits = [], next = 0;
    input.addEventListener("input", () => {
      for (const el of box.querySelectorAll(".gg-hit")) el.classList.remove("gg-hit");
      const q = input.value.trim().toLowerCase();
      hits = [];
      let hidden = 0;
      if (q) data.names.forEach((n, k) => {
        if (!texts[n].toLowerCase().includes(q)) return;
        if (pos.has(k)) hits.push(k); else hidden++;
      });
      for (const k of hits) mark("n" + pos.get(k), "gg-hit");
      found.textContent = q ? `${hits.length} found` + (hidden ? ` (+${hidden} collapsed)` : "") : "";
      next = 0;
    });
    input.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || !hits.length) return;
      zoom.show(parts.get("n" + pos.get(hits[next % hits.length])));
      next++;
    });
  }

  if (data.select !== null) selectNode(data.select);

  return {
    show,
    select,
    clear,
    caption: () => caption.textContent,
    grads() {
      const shown = {};
      for (const [k, label] of named) {
        if (k === 0) shown[label] = number(data.seedExact);
        else if (latest[k] >= 0 && exact.has(latest[k])) shown[label] = number(exact.get(latest[k]));
      }
      return shown;
    },
    highlighted: () => (chain ? chain.nodes.filter((k) => named.has(k)).map((k) => named.get(k)) : []),
  };
}

/* --- pan and zoom: the picture's viewBox follows drags and the wheel ------------------------------ */

function panZoom(svg, area, onClick) {
  const start = svg.viewBox.baseVal, home = [start.x, start.y, start.width, start.height];
  let box = home.slice(), drag = null;
  const apply = () => svg.setAttribute("viewBox", box.map((v) => v.toFixed(2)).join(" "));
  const toPicture = (e) => {
    const pt = svg.createSVGPoint();
    pt.x = e.clientX;
    pt.y = e.clientY;
    return pt.matrixTransform(svg.getScreenCTM().inverse());
  };
  area.addEventListener("wheel", (e) => {
    e.preventDefault();
    const at = toPicture(e), f = Math.exp(Math.max(-1, Math.min(1, e.deltaY * 0.002)));
    box = [at.x - (at.x - box[0]) * f, at.y - (at.y - box[1]) * f, box[2] * f, box[3] * f];
    apply();
  }, { passive: false });
  area.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, box: box.slice(), scale: 1 / svg.getScreenCTM().a, moved: false };
  });
  area.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) { drag.moved = true; area.setPointerCapture(e.pointerId); area.classList.add("gg-dragging"); }
    box = [drag.box[0] - dx * drag.scale, drag.box[1] - dy * drag.scale, drag.box[2], drag.box[3]];
    apply();
  });
  area.addEventListener("pointerup", (e) => {
    const was = drag;
    drag = null;
    area.classList.remove("gg-dragging");
    if (was && !was.moved) onClick(e);
  });
  return {
    fit() { box = home.slice(); apply(); },
    show(el) {  // centre an element, at least as large as the whole picture shows it
      if (!el) return;
      const b = el.getBBox(), w = Math.min(box[2], Math.max(b.width * 4, home[2] / 3)), h = w * box[3] / box[2];
      const m = el.getCTM(), root = svg.getCTM(), t = root.inverse().multiply(m);
      const cx = t.a * (b.x + b.width / 2) + t.c * (b.y + b.height / 2) + t.e;
      const cy = t.b * (b.x + b.width / 2) + t.d * (b.y + b.height / 2) + t.f;
      box = [cx - w / 2, cy - h / 2, w, h];
      apply();
    },
  };
}

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

/* --- small helpers --------------------------------------------------------------------------------- */

function lighter(hex) {  // a colour mixed half and half with white, for the plane under the points
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${c.map((v) => Math.round((v + 255) / 2)).join(", ")})`;
}

function groupBy(count, n, key) {  // the indices 0 .. count - 1 grouped by key(i) in 0 .. n - 1, in order
  const first = new Int32Array(n + 1), order = new Int32Array(count);
  for (let i = 0; i < count; i++) first[key(i) + 1]++;
  for (let k = 0; k < n; k++) first[k + 1] += first[k];
  const fill = first.slice(0, n);
  for (let i = 0; i < count; i++) order[fill[key(i)]++] = i;
  return (k) => order.subarray(first[k], first[k + 1]);
}

function svgElement(tag, attrs) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  return el;
}

function textWidth(words, size, widths) {  // Arial's advance widths, as the layout measured the text
  let total = 0;
  for (const ch of words) {
    const c = ch.codePointAt(0) - 32;
    total += c >= 0 && c < widths.length ? widths[c] : 556;
  }
  return (total * size) / 1000;
}

function number(v) {  // the data keeps nan and infinities as strings (JSON has no such numbers)
  if (Array.isArray(v)) return v.map(number);
  return typeof v === "string" && /^-?(nan|inf)$/.test(v) ? Number(v.replace("inf", "Infinity").replace("nan", "NaN")) : v;
}

function rows(v) {
  if (!Array.isArray(v)) return [[v]];
  return Array.isArray(v[0]) ? v.map((r) => (Array.isArray(r) ? r.flat(Infinity) : [r])) : [v];
}

function maxAbs(v) {
  return Array.isArray(v) ? Math.max(0, ...v.flat(Infinity).map((x) => Math.abs(number(x)) || 0)) : Math.abs(number(v)) || 0;
}

function formatNumber(v) {
  if (typeof v !== "number") return String(v);
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/* --- the page: its view, its controls, the script API ----------------------------------------------- */

(function () {
  const box = document.querySelector(".gg");
  const data = JSON.parse(box.parentNode.querySelector(".gg-data").textContent);
  const find = (cls) => box.querySelector("." + cls);
  const view = box.classList.contains("gg-training") ? trainingView(box, data, find) : backwardView(box, data, find);
  const controls = stepper(box, data.steps, view, find);
  window.graphgrad = {
    step(k) {
      controls.go(k);
      return this.state();
    },
    select(name) {
      view.select(name === null || name === undefined ? null : String(name));
      return this.state();
    },
    state() {
      return { step: controls.current(), steps: data.steps, caption: view.caption(), grads: view.grads(),
               highlighted: view.highlighted() };
    },
  };
})();
