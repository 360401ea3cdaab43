/* graphgrad explorer, the backward pass drawn from the state: render(state) sets every class of every node
   and edge, the edge labels, the grad cells, the data cells (of an editable page), the caption, the note, the
   search count and the tooltip, from the pass the state's edits give (backward.js's Passes).
   page.py joins these files, in the order it names, into one inline script after the page's data; every
   text shown goes in with textContent. */
"use strict";

/* --- the picture ------------------------------------------------------------------------------- */

// A part of the picture: a drawn node n<p> (or a copy of it, n<p>_copy<k>), its op node n<p>op, the
// edge to it n<p>_out, its input edges n<p>_in<slot>, the collapsed part "more" (and its stubs
// more_copy<k>), or another edge. Its key is its id without the copy's suffix: a copy is marked as
// its node is.
function partOf(el) {
  const m = /^(n(\d+)(op|_out|_in\d+)?)(_copy\d+)?$/.exec(el.id);
  const key = m ? m[1] : el.id.replace(/^more_copy\d+$/, "more");  // the collapsed part's stubs are it too
  return { el, own: el.getAttribute("class"), key, node: m && !m[3] ? Number(m[2]) : -1 };
}

class BackwardPicture {
  constructor(box, passes, find) {
    const data = passes.data;
    Object.assign(this, { box, passes, data, texts: data.texts, shown: {}, hits: null });
    [this.caption, this.note, this.tip, this.found] = ["gg-caption", "gg-note", "gg-tip", "gg-found"].map(find);
    this.svg = box.querySelector("svg.gg-graph");
    this.pos = new Map(data.visible.map((k, p) => [k, p]));  // drawn node -> its DOT id n<p>
    this.parts = this.svg ? [...this.svg.querySelectorAll("g.node, g.edge")].map(partOf) : [];
    this.byKey = new Map(this.parts.map((part) => [part.key, part.el]));
    const drawn = this.parts.filter((part) => part.node >= 0);
    this.cells = drawn.map((part) => [part.node, gradCell(part.el)]).filter(([, c]) => c);
    this.dataCells = passes.live ? drawn.map((part) => [part.node, dataCell(part.el)]).filter(([, c]) => c) : [];
    this.editable = new Map();  // the elements of an editable leaf's data cell -> the leaf
    for (const [p, cell] of this.dataCells) {
      const k = data.visible[p];
      if (passes.live.editable.has(k)) for (const el of [cell.text, cell.box]) this.editable.set(el, k);
    }
    this.labels = this.svg ? this.svg.querySelector("g.graph").appendChild(svgElement("g", { class: "gg-labels" })) : null;
    this.labelAt = new Map();  // edge and where along it -> the label's place (the geometry never changes)
  }

  render(state) {  // each part drawn from the state alone, again whenever the part of the state it shows changes
    const once = (part, key, draw) => { if (this.shown[part] !== key) { this.shown[part] = key; draw(); } };
    const pass = this.passes.at(state.edits), p = pass.id;
    once("picture", `${p} ${state.step} ${state.selected} ${state.query}`, () => this.drawParts(pass, state));
    once("grads", `${p} ${state.step}`, () => this.drawGrads(pass, state.step));
    once("data", p, () => this.drawData(pass, state.edits));
    once("caption", `${p} ${state.step}`, () => this.drawCaption(pass, state.step));
    once("note", `${p} ${state.selected}`, () => { this.note.textContent = this.noteOf(pass, state.selected); });
    once("found", state.query, () => { this.found.textContent = this.foundText(state.query); });
    const t = state.tip;
    once("tip", t && `${p} ${t.node} ${t.x} ${t.y} ${state.step}`, () => this.drawTip(pass, t, state.step));
  }

  // --- the marks: the step's node and the shares it sends, the chain, the search hits
  drawParts(pass, state) {
    const { pos } = this, marks = new Map(), c = state.step - 1;
    const mark = (key, cls) => (marks.get(key) || marks.set(key, []).get(key)).push(cls);
    const labels = [];  // [edge, words, class]
    if (c >= 0 && pos.has(c)) {
      const p = pos.get(c);
      for (const key of ["n" + p, `n${p}op`, `n${p}_out`]) mark(key, "gg-current");
      for (let j = pass.start[c]; j < pass.start[c + 1]; j++) {
        const share = pass.trace.share(j), edge = `n${p}_in${pass.slot[j]}`;
        mark(edge, "gg-sent");
        labels.push([edge, ` +${share.startsWith("-") ? `(${share})` : share} `, "gg-sent"]);
      }
    } else if (c >= 0) mark("more", "gg-current");
    const ch = pass.chain(state.selected);
    if (ch) this.chainMarks(pass, ch, mark, labels);
    for (const k of this.hitsOf(state.query).drawn) mark("n" + pos.get(k), "gg-hit");
    for (const part of this.parts) {
      const own = marks.get(part.key) || [];
      const dim = ch && !own.some((m) => m === "gg-chain" || m === "gg-current" || m === "gg-sent");  // the step stays bright
      const cls = [part.own, ...own, ...(dim ? ["gg-dim"] : [])].join(" ");
      if (part.el.getAttribute("class") !== cls) part.el.setAttribute("class", cls);
    }
    if (this.labels) this.labels.replaceChildren(...labels.map(([edge, words, cls]) => this.edgeLabel(edge, words, cls)).filter(Boolean));
  }

  chainMarks(pass, ch, mark, labels) {  // every path from the selected node to the root, its edges' local derivatives
    const { pos } = this;
    for (const node of ch.nodes) if (pos.has(node)) mark("n" + pos.get(node), "gg-chain");
    if (pos.has(ch.target)) mark("n" + pos.get(ch.target), "gg-target");
    if (ch.nodes.some((node) => !pos.has(node))) mark("more", "gg-chain");
    for (const j of ch.edges) {
      if (!pos.has(pass.src[j])) continue;
      const p = pos.get(pass.src[j]), edge = `n${p}_in${pass.slot[j]}`;
      for (const key of [`n${p}op`, `n${p}_out`, edge]) mark(key, "gg-chain");
      labels.push([edge, ` ${pass.trace.local(j)} `, "gg-chain"]);
    }
  }

  edgeLabel(key, words, cls) {  // a share past an edge's middle, a local derivative before it
    const edge = this.byKey.get(key), path = edge && edge.querySelector("path");
    if (!path) return null;
    const along = cls === "gg-sent" ? 0.62 : 0.32, where = `${key} ${along}`;
    if (!this.labelAt.has(where)) this.labelAt.set(where, path.getPointAtLength(path.getTotalLength() * along));
    const at = this.labelAt.get(where);
    const label = svgElement("text", { x: at.x.toFixed(2), y: (at.y - 3).toFixed(2), "text-anchor": "middle",
                                       class: `gg-label ${cls}` });
    label.textContent = words;
    return label;
  }

  drawCaption(pass, step) {  // the step in words; a node of the collapsed part is pointed at there, and said so
    this.caption.replaceChildren(pass.captionOf(step));
    if (step > 0 && !this.pos.has(step - 1)) {
      const where = this.caption.appendChild(document.createElement("span"));
      where.className = "gg-where";
      where.textContent = fill(this.data.words, "collapsed-step", { node: pass.name(step - 1) });
    }
  }

  noteOf(pass, selected) {
    const ch = pass.chain(selected);
    if (!ch) return "";
    const hidden = ch.nodes.some((node) => !this.pos.has(node)) ? fill(this.data.words, "chain-collapsed", {}) : "";
    return pass.chainNote(ch) + hidden;
  }

  hitsOf(query) {  // the nodes whose names hold the query: the drawn ones, and how many are collapsed
    const q = query.trim().toLowerCase();
    if (this.hits && this.hits.q === q) return this.hits;
    const drawn = [];
    let hidden = 0;
    if (q) this.data.names.forEach((n, k) => {
      if (!this.texts[n].toLowerCase().includes(q)) return;
      if (this.pos.has(k)) drawn.push(k); else hidden++;
    });
    return (this.hits = { q, drawn, hidden });
  }

  foundText(query) {
    const { q, drawn, hidden } = this.hitsOf(query);
    const say = (key, count) => fill(this.data.words, key, { count });
    return q ? say("found", drawn.length) + (hidden ? say("found-collapsed", hidden) : "") : "";
  }

  // --- the grad cells: complete, still being summed ("so far"), or unknown
  drawGrads(pass, step) {
    for (const [p, cell] of this.cells) {
      const g = pass.gradOf(this.data.visible[p], step);
      const [key, colour, italic] = !g ? ["grad-unknown", "faint", false] : g.done ? ["grad", "ink", false] : ["grad-partial", "partial", true];
      this.writeCell(cell, fill(this.data.words, key, { grad: g && g.text }), colour, italic);
      const shade = this.data.fill && this.data.fills[g ? pass.trace.fill(g.entry) : 0];
      if (shade && cell.box.getAttribute("fill") !== shade) cell.box.setAttribute("fill", shade);
    }
  }

  writeCell(cell, words, colour, italic) {  // a cell's text, centred and held to its room; one that shows the same is left alone
    const t = cell.text;
    if (t.textContent === words && t.style.fill === `var(--gg-${colour})`) return;
    t.textContent = words;
    t.removeAttribute("fill");
    t.style.fill = `var(--gg-${colour})`;
    setAttributes(t, { x: cell.center.toFixed(2), "text-anchor": "middle", "font-style": italic ? "italic" : "normal",
                       textLength: Math.min(textWidth(words, Number(t.getAttribute("font-size")) || 10, this.data.widths),
                                            cell.room).toFixed(2),
                       lengthAdjust: "spacingAndGlyphs" });
  }

  // --- the data cells of an editable page: the recorded data, or the data after the edits (an edited leaf's in green)
  drawData(pass, edits) {
    const edited = new Set(edits.map(([k]) => k));
    for (const [p, cell] of this.dataCells) {
      const k = this.data.visible[p], text = pass.trace.data(k);
      this.writeCell(cell, text === null ? cell.recorded : fill(this.data.words, "tip-data", { data: text }),
                     edited.has(k) ? "edited" : "ink", false);
      const cls = this.editable.has(cell.text) ? "gg-editable" : "";
      if ((cell.text.getAttribute("class") || "") !== cls) for (const el of [cell.text, cell.box]) el.setAttribute("class", cls);
    }
  }

  // --- the tooltip: a drawn node's details at the step shown
  drawTip(pass, t, step) {
    const tip = this.tip;
    tip.hidden = !t;
    if (!t) return;
    const d = this.data.details[this.pos.get(t.node)], g = pass.gradOf(t.node, step), name = (k) => pass.name(k);
    tip.replaceChildren();
    const line = (bold, rest) => {
      const row = tip.appendChild(document.createElement("div"));
      if (bold) row.appendChild(document.createElement("b")).textContent = bold;
      row.appendChild(document.createTextNode(rest));
    };
    const say = (key, slots) => fill(this.data.words, key, slots);
    line(name(t.node), say(d.op ? "tip-made" : "tip-kind", { kind: d.kind, op: d.op }));
    if (d.shape) {
      line("", say("tip-array", { shape: d.shape, summary: d.summary }));
      line("", say("tip-first", { values: d.first }));
    } else line("", say("tip-data", { data: pass.trace.tipData(t.node) ?? d.data }));
    line("", say(!g ? "tip-grad-none" : g.done ? "tip-grad" : "tip-grad-partial", { grad: g && g.text }));
    d.inputs.forEach(([x, ld], i) => line("", say("tip-local", { input: name(x), local: pass.trace.localOf(t.node, i) ?? ld })));
    const w = this.box.clientWidth, h = this.box.clientHeight;  // beside the pointer, inside the page
    tip.style.left = `${Math.max(0, Math.min(t.x + 14, w - tip.offsetWidth - 4))}px`;
    tip.style.top = `${Math.max(0, t.y + 14 + tip.offsetHeight > h ? t.y - tip.offsetHeight - 8 : t.y + 14)}px`;
  }

  // --- where things are, for the controls and the camera
  nodeAt(target) {  // the graph node of a drawn node (its box, op node or a copy) under the pointer, or null
    const group = target.closest && target.closest("g.node");
    const m = group && /^n(\d+)(op)?$/.exec(partOf(group).key);
    return m ? this.data.visible[Number(m[1])] : null;
  }

  dataCellAt(target) {  // the editable leaf whose data cell is under the pointer, or null
    return this.editable.has(target) ? this.editable.get(target) : null;
  }

  focusOf(step) {  // the element of the step's node: the root at first, the collapsed part for a hidden node
    const c = step - 1;
    return c < 0 ? this.byKey.get("n0") : this.pos.has(c) ? this.byKey.get("n" + this.pos.get(c)) : this.byKey.get("more");
  }

  hitElement(query, hit) {
    const { drawn } = this.hitsOf(query);
    return hit >= 0 && drawn.length ? this.byKey.get("n" + this.pos.get(drawn[hit % drawn.length])) : null;
  }
}

function cellOf(group, line) {  // a drawn node's line of text that matches, the cell around it, where to centre it
  const text = [...group.querySelectorAll("text")].find(
    (t) => t.getAttribute("font-weight") !== "bold" && line.test(t.textContent));
  let box = text && text.previousElementSibling;
  while (box && box.tagName !== "polygon") box = box.previousElementSibling;
  if (!box) return null;
  const xs = box.getAttribute("points").trim().split(/\s+/).map((p) => Number(p.split(",")[0]));
  const left = Math.min(...xs), right = Math.max(...xs);
  return { text, box, center: (left + right) / 2, room: right - left - 8, recorded: text.textContent };
}

function gradCell(group) { return cellOf(group, /^grad /); }

function dataCell(group) { return cellOf(group, /^data /); }
