/* graphgrad explorer, the backward pass view. page.py joins these files, in the order it names, into
   one inline script after the page's data; every text shown goes in with textContent. */
"use strict";

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
    this.copies = new Map();  // n<p> -> its dashed copies n<p>_copy<k> (a node drawn once per use), marked with it
    for (const [id, g] of this.parts) {
      const of = id.replace(/_copy\d+$/, "");
      if (of !== id) (this.copies.get(of) || this.copies.set(of, []).get(of)).push(g);
    }
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
    for (const [id, el] of this.parts) el.classList.add(on.has(id.replace(/_copy\d+$/, "")) ? "gg-chain" : "gg-dim");
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
    for (const el of [this.parts.get(id), ...(this.copies.get(id) || [])]) if (el) el.classList.add(cls);
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
    const m = group && /^n(\d+)(op|_copy\d+)?$/.exec(group.id);
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
