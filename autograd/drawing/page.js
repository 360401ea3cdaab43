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
    if (e.key === "Escape") { view.clear(); return; }
    // the search box and the slider take their own keys, and a button its space and Enter
    const own = e.target instanceof HTMLInputElement || (e.target instanceof HTMLButtonElement && e.key === " ");
    if (own || e.altKey || e.ctrlKey || e.metaKey) return;
    const moves = { ArrowLeft: () => go(step - 1), ArrowRight: () => go(step + 1), Home: () => go(0),
                    End: () => go(steps), " ": toggle };
    if (moves[e.key]) { e.preventDefault(); if (e.key !== " ") stop(); moves[e.key](); }
  });
  go(0);
  return { go, current: () => step };
}

/* --- the backward pass ------------------------------------------------------------------------- */

// Node k is the k-th node of the pass (0: the root); entry j of the trace is one share: sent by
// node src[j] (the shares of step k are the entries start[k] .. start[k + 1] - 1) to node to[j].
class BackwardView {
  constructor(box, data, find) {
    const N = data.steps, T = data.to.length;
    Object.assign(this, { box, data, N, T, texts: data.texts, step: 0, chain: null });
    this.caption_ = find("gg-caption");
    this.note = find("gg-note");
    this.tip = find("gg-tip");
    this.start = new Int32Array(N + 1);
    this.src = new Int32Array(T);
    for (let k = 0, j = 0; k < N; k++) {
      this.start[k] = j;
      for (let c = 0; c < data.count[k]; c++) this.src[j++] = k;
    }
    this.start[N] = T;
    this.usersOf = groupBy(T, N, (j) => data.to[j]);  // the entries that send to each node
    this.named = new Map(data.named);
    this.byName = new Map(data.named.map(([k, label]) => [label, k]));
    this.exact = new Map(data.exact);
    this.latest = new Int32Array(N);  // the last entry each node has received, at the step shown
    this.svg = box.querySelector("svg.gg-graph");
    this.pos = new Map(data.visible.map((k, p) => [k, p]));  // drawn node -> its DOT id n<p>
    this.parts = new Map();
    if (this.svg) for (const g of this.svg.querySelectorAll("g.node, g.edge")) this.parts.set(g.id, g);
    this.cells = new Map(data.visible.map((_, p) => [p, gradCell(this.parts.get("n" + p))]));
    this.labels = this.svg ? this.svg.querySelector("g.graph").appendChild(svgElement("g", { class: "gg-labels" })) : null;
    if (this.svg) this.wire(find);
    if (data.select !== null) this.selectNode(data.select);
  }

  name(k) { return this.texts[this.data.names[k]]; }

  // the gradient of node k at the step shown: its text and whether it is complete (or null)
  gradOf(k) {
    if (k === 0) return { text: this.texts[this.data.seed], done: true, entry: -1 };
    const j = this.latest[k];
    return j < 0 ? null : { text: this.texts[this.data.total[j]], done: k < this.step, entry: j };
  }

  show(k) {
    this.step = k;
    this.latest.fill(-1);
    for (let j = 0; j < this.start[k]; j++) this.latest[this.data.to[j]] = j;
    this.data.visible.forEach((node, p) => this.showGrad(p, this.gradOf(node)));
    for (const el of this.box.querySelectorAll(".gg-current")) el.classList.remove("gg-current");
    this.clearLabels("gg-sent");
    const c = k - 1;
    if (k > 0 && this.pos.has(c)) {
      const p = this.pos.get(c);
      for (const id of ["n" + p, `n${p}op`, `n${p}_out`]) this.mark(id, "gg-current");
      for (let j = this.start[c]; j < this.start[c + 1]; j++) {
        const share = this.texts[this.data.share[j]];
        this.edgeLabel(`n${p}_in${this.data.slot[j]}`, ` +${share.startsWith("-") ? `(${share})` : share} `, "gg-sent");
      }
    }
    this.caption_.textContent = this.captionOf(k);
  }

  showGrad(p, g) {  // a drawn node's grad line: complete, still being summed ("so far"), or unknown
    const cell = this.cells.get(p);
    if (!cell) return;
    const [words, fill, italic] = !g ? ["grad ?", "#9a9a9a", false]
      : g.done ? [`grad ${g.text}`, "#222222", false] : [`grad ${g.text} so far`, "#e6820e", true];
    const t = cell.text;
    t.textContent = words;
    t.setAttribute("x", cell.center.toFixed(2));
    t.setAttribute("text-anchor", "middle");
    t.setAttribute("fill", fill);
    t.setAttribute("font-style", italic ? "italic" : "normal");
    const width = textWidth(words, Number(t.getAttribute("font-size")) || 10, this.data.widths);
    t.setAttribute("textLength", Math.min(width, cell.room).toFixed(2));
    t.setAttribute("lengthAdjust", "spacingAndGlyphs");
    if (this.data.fill) cell.box.setAttribute("fill", gradFill(g ? (g.entry < 0 ? this.data.seedFill : this.data.fill[g.entry]) : 0));
  }

  captionOf(k) {
    const { data, texts, N } = this;
    if (k === 0) {
      return `step 0 of ${N}: the backward pass starts from the seed ${texts[data.seed]} at ${this.name(0)}; ` +
        "step on to send it down the graph, one node at a time";
    }
    const c = k - 1, head = `step ${k} of ${N}: ${this.name(c)}`, g = this.gradOf(c);
    if (!g) return `${head} receives no gradient (it reaches the root only through constant inputs)`;
    if (data.leaf[c] === "1") return `${head} is a leaf: its gradient ${g.text} is final`;
    const sent = [];
    for (let j = this.start[c]; j < this.start[c + 1]; j++) {
      const share = texts[data.share[j]], to = this.name(data.to[j]);
      sent.push(data.tensor ? `${share} to ${to}` : `${g.text} * ${texts[data.ld[j]]} = ${share} to ${to}`);
    }
    const seed = c === 0 ? " (the seed)" : "";
    return `${head} has its complete gradient ${g.text}${seed}; it passes ${sent.join(", ") || "nothing"}`;
  }

  // --- the influence chain: every path from node t up to the root
  chainOf(t) {
    const { N, T, src, data } = this;
    const dep = new Uint8Array(N), stack = [t];  // t and the nodes computed from it
    dep[t] = 1;
    while (stack.length) {
      for (const j of this.usersOf(stack.pop())) if (!dep[src[j]]) { dep[src[j]] = 1; stack.push(src[j]); }
    }
    const [most, longest] = data.listedPaths;
    const paths = new Float64Array(N), depth = new Int32Array(N), edges = [];
    let towards = new Map();  // node -> its entries on the paths, while these are few and short
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
    const reached = paths[t] > 0, nodes = [];
    if (reached) for (let k = 0; k < N; k++) if (paths[k]) nodes.push(k);
    return { target: t, reached, count: paths[t], edges: reached ? edges : [], nodes, towards };
  }

  chainNote(ch) {  // the sum over the paths, in the words of the static drawing's note
    const { data, texts } = this, t = ch.target;
    if (!ch.reached) return `${this.name(t)} does not reach ${this.name(0)} along any differentiable path: its gradient is 0`;
    const head = `${data.seedIsOne ? "" : `${texts[data.seed]} * `}d${data.rootHead}/d${this.name(t)}`;
    if (t === 0) return `${head} = 1 (the root itself)`;
    const received = this.usersOf(t), total = texts[data.total[received[received.length - 1]]];
    const paths = `${ch.count.toLocaleString("en-US")} path${ch.count === 1 ? "" : "s"}`;
    if (data.tensor) return `${head} = sum over ${paths} of the vector-Jacobian products along each (seed: ones) = ${total}`;
    if (!ch.towards) return `${head} = sum over ${paths} of the product of local derivatives = ${total}`;
    const terms = [];
    const walk = (x, factors) => {  // every path from x up to the root, as its local derivatives
      if (x === 0) terms.push(factors.join(" * "));
      else for (const j of ch.towards.get(x) || []) walk(this.src[j], [...factors, texts[data.ld[j]]]);
    };
    walk(t, data.seedIsOne ? [] : [texts[data.seed]]);
    const listed = terms.length === 1 ? `1 path: ${terms[0]}` : `${terms.length} paths: ${terms.map((s) => `(${s})`).join(" + ")}`;
    return `${head} = sum over paths of the product of local derivatives; ${listed} = ${total}`;
  }

  select(name) {
    this.clear();
    if (name === null) return;
    const k = this.byName.has(name) ? this.byName.get(name) : this.data.names.findIndex((n) => this.texts[n] === name);
    if (k < 0) throw new Error(`graphgrad.select: no node is named ${JSON.stringify(name)}`);
    this.selectNode(k);
  }

  selectNode(k) {
    this.clear();
    const ch = (this.chain = this.chainOf(k)), { pos, data } = this, on = new Set();
    for (const node of ch.nodes) if (pos.has(node)) on.add("n" + pos.get(node));
    if (pos.has(k)) this.mark("n" + pos.get(k), "gg-target");
    for (const j of ch.edges) {
      if (!pos.has(this.src[j])) continue;
      const p = pos.get(this.src[j]), edge = `n${p}_in${data.slot[j]}`;
      for (const id of [`n${p}op`, `n${p}_out`, edge]) on.add(id);
      this.edgeLabel(edge, ` ${this.texts[data.ld[j]]} `, "gg-chain");
    }
    for (const [id, el] of this.parts) el.classList.add(on.has(id) ? "gg-chain" : "gg-dim");
    const hidden = ch.nodes.some((node) => !pos.has(node)) ? "\n(some of the chain is in the collapsed part)" : "";
    this.note.textContent = this.chainNote(ch) + hidden;
  }

  clear() {
    this.chain = null;
    for (const el of this.box.querySelectorAll(".gg-chain, .gg-dim, .gg-target")) el.classList.remove("gg-chain", "gg-dim", "gg-target");
    this.clearLabels("gg-chain");
    this.note.textContent = "";
  }

  // --- the picture's parts: marks and edge labels
  mark(id, cls) {
    const el = this.parts.get(id);
    if (el) el.classList.add(cls);
  }

  edgeLabel(id, words, cls) {  // a label on a drawn edge: a share past its middle, a local derivative before it
    const edge = this.parts.get(id), path = edge && edge.querySelector("path");
    if (!path) return;
    edge.classList.add(cls);
    const at = path.getPointAtLength(path.getTotalLength() * (cls === "gg-sent" ? 0.62 : 0.32));
    const label = svgElement("text", { x: at.x.toFixed(2), y: (at.y - 3).toFixed(2), "text-anchor": "middle",
                                       class: `gg-label ${cls}`, "font-family": FONTS });
    label.textContent = words;
    this.labels.appendChild(label);
  }

  clearLabels(cls) {
    if (this.labels) for (const el of [...this.labels.querySelectorAll("." + cls)]) el.remove();
  }

  // --- hover, click, search, pan and zoom
  drawnNode(target) {
    const group = target.closest && target.closest("g.node");
    const m = group && /^n(\d+)(op)?$/.exec(group.id);
    return m ? this.data.visible[Number(m[1])] : null;
  }

  showTip(k, e) {
    const d = this.data.details[this.pos.get(k)], g = this.gradOf(k), tip = this.tip;
    tip.replaceChildren();
    const line = (bold, rest) => {
      const row = tip.appendChild(document.createElement("div"));
      if (bold) row.appendChild(document.createElement("b")).textContent = bold;
      row.appendChild(document.createTextNode(rest));
    };
    line(this.name(k), ` (${d.kind}${d.op ? `, made by ${d.op}` : ""})`);
    if (d.shape) {
      line("", `${d.shape}: ${d.summary}`);
      line("", `first values: ${d.first}`);
    } else line("", `data ${d.data}`);
    line("", !g ? "grad: none yet" : `grad ${g.text}${g.done ? "" : " (so far)"}`);
    for (const [x, ld] of d.inputs) line("", `local derivative for ${this.name(x)}: ${ld}`);
    tip.hidden = false;
    const area = this.box.getBoundingClientRect();
    tip.style.left = `${Math.min(e.clientX - area.left + 14, area.width - tip.offsetWidth - 4)}px`;
    tip.style.top = `${e.clientY - area.top + 14}px`;
  }

  wire(find) {
    const area = find("gg-view");
    this.zoom = new PanZoom(this.svg, area, (e) => {
      const k = this.drawnNode(e.target);
      if (k === null) return;
      if (this.chain && this.chain.target === k) this.clear();
      else this.selectNode(k);
    });
    area.addEventListener("mousemove", (e) => {
      const k = this.drawnNode(e.target);
      if (k === null) this.tip.hidden = true;
      else this.showTip(k, e);
    });
    area.addEventListener("mouseleave", () => { this.tip.hidden = true; });
    find("gg-fit").addEventListener("click", () => this.zoom.fit());
    this.zoom.start(this.parts.get("n0"));
    this.search(find("gg-search"), find("gg-found"));
  }

  search(input, found) {
    let hits = [], next = 0;
    input.addEventListener("input", () => {
      for (const el of this.box.querySelectorAll(".gg-hit")) el.classList.remove("gg-hit");
      const q = input.value.trim().toLowerCase();
      let hidden = 0;
      hits = [];
      if (q) this.data.names.forEach((n, k) => {
        if (!this.texts[n].toLowerCase().includes(q)) return;
        if (this.pos.has(k)) hits.push(k); else hidden++;
      });
      for (const k of hits) this.mark("n" + this.pos.get(k), "gg-hit");
      found.textContent = q ? `${hits.length} found` + (hidden ? ` (+${hidden} collapsed)` : "") : "";
      next = 0;
    });
    input.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || !hits.length) return;
      this.zoom.show(this.parts.get("n" + this.pos.get(hits[next++ % hits.length])));
    });
  }

  // --- what graphgrad.state() reports
  caption() { return this.caption_.textContent; }

  grads() {
    const shown = {};
    for (const [k, label] of this.named) {
      if (k === 0) shown[label] = number(this.data.seedExact);
      else if (this.latest[k] >= 0 && this.exact.has(this.latest[k])) shown[label] = number(this.exact.get(this.latest[k]));
    }
    return shown;
  }

  highlighted() {
    return this.chain ? this.chain.nodes.filter((k) => this.named.has(k)).map((k) => this.named.get(k)) : [];
  }
}

const FONTS = "Arial, Helvetica, Arimo, 'Liberation Sans', sans-serif";

function gradCell(group) {  // a drawn node's grad line, the cell around it, where to centre it
  if (!group) return null;
  const text = [...group.querySelectorAll("text")].find(
    (t) => t.getAttribute("font-weight") !== "bold" && /^grad /.test(t.textContent));
  let box = text && text.previousElementSibling;
  while (box && box.tagName !== "polygon") box = box.previousElementSibling;
  if (!box) return null;
  const xs = box.getAttribute("points").trim().split(/\s+/).map((p) => Number(p.split(",")[0]));
  const left = Math.min(...xs), right = Math.max(...xs);
  return { text, box, center: (left + right) / 2, room: right - left - 8 };
}

function gradFill(percent) {  // white for 0 up to a strong orange for the largest |grad| (as color_grad)
  const t = Math.sqrt(Math.max(0, Math.min(100, percent)) / 100);
  return `rgb(${Math.round(255 - 15 * t)}, ${Math.round(255 - 135 * t)}, ${Math.round(255 - 225 * t)})`;
}

/* --- pan and zoom: the picture's viewBox follows drags and the wheel ------------------------------ */

class PanZoom {
  constructor(svg, area, onClick) {
    const v = svg.viewBox.baseVal;
    Object.assign(this, { svg, area, home: [v.x, v.y, v.width, v.height] });
    this.box = this.home.slice();
    this.listen(onClick);
  }

  apply() { this.svg.setAttribute("viewBox", this.box.map((v) => v.toFixed(2)).join(" ")); }

  listen(onClick) {
    const { svg, area } = this;
    let drag = null;
    area.addEventListener("wheel", (e) => {  // zoom about the pointer
      e.preventDefault();
      const at = this.toPicture(e.clientX, e.clientY), f = Math.exp(Math.max(-1, Math.min(1, e.deltaY * 0.002)));
      const b = this.box;
      this.box = [at.x - (at.x - b[0]) * f, at.y - (at.y - b[1]) * f, b[2] * f, b[3] * f];
      this.apply();
    }, { passive: false });
    area.addEventListener("pointerdown", (e) => {
      if (e.button === 0) drag = { x: e.clientX, y: e.clientY, box: this.box.slice(), scale: 1 / svg.getScreenCTM().a };
    });
    area.addEventListener("pointermove", (e) => {  // a drag pans; a press that hardly moves is a click
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) { drag.moved = true; area.setPointerCapture(e.pointerId); area.classList.add("gg-dragging"); }
      this.box = [drag.box[0] - dx * drag.scale, drag.box[1] - dy * drag.scale, drag.box[2], drag.box[3]];
      this.apply();
    });
    area.addEventListener("pointerup", (e) => {
      const was = drag;
      drag = null;
      area.classList.remove("gg-dragging");
      if (was && !was.moved) onClick(e);
    });
  }

  toPicture(x, y) {
    const pt = this.svg.createSVGPoint();
    pt.x = x;
    pt.y = y;
    return pt.matrixTransform(this.svg.getScreenCTM().inverse());
  }

  centreOf(el) {  // an element's centre, in the viewBox's units
    const r = el.getBoundingClientRect();
    return this.toPicture(r.x + r.width / 2, r.y + r.height / 2);
  }

  fit() {
    this.box = this.home.slice();
    this.apply();
  }

  start(el) {  // the whole picture if it reads so, else its root's end at full size
    const { area, home } = this;
    if (!el || Math.min(area.clientWidth / home[2], area.clientHeight / home[3]) >= 0.5) return;
    const w = area.clientWidth, h = area.clientHeight, at = this.centreOf(el);
    const centre = (c, size, lo, span) => (size >= span ? lo + span / 2 : Math.min(Math.max(c, lo + size / 2), lo + span - size / 2));
    const cx = centre(at.x, w, home[0], home[2]), cy = centre(at.y, h, home[1], home[3]);
    this.box = [cx - w / 2, cy - h / 2, w, h];
    this.apply();
  }

  show(el) {  // centre an element, at least as large as the whole picture shows it
    if (!el) return;
    const r = el.getBoundingClientRect(), now = 1 / this.svg.getScreenCTM().a;
    const w = Math.min(this.box[2], Math.max(r.width * now * 4, this.home[2] / 3)), h = (w * this.box[3]) / this.box[2];
    const at = this.centreOf(el);
    this.box = [at.x - w / 2, at.y - h / 2, w, h];
    this.apply();
  }
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
  const view = box.classList.contains("gg-training") ? trainingView(box, data, find) : new BackwardView(box, data, find);
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
