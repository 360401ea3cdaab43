/* graphgrad explorer, the page's model of a learner's edits: the leaves' values, the graph recomputed for them
   (recompute.js) and read as the backward pass the page shows (a trace for backward.js's BackwardPass, its
   numbers written as Python writes them), the nudge of a leaf and a descent step. No DOM. page.py joins these
   files, in the order it names, into one inline script after the page's data. */
"use strict";

class LiveModel {
  constructor(data) {
    const live = data.live;
    Object.assign(this, { data, graph: liveGraph(live), seed: number(data.seedExact), made: [] });
    this.editable = new Set(live.edit);
    this.moves = live.descend;
  }

  valueOf(edits, leaf) {  // a leaf's value after the edits
    const found = edits.find(([k]) => k === leaf);
    return found ? found[1] : this.graph.recorded[leaf];
  }

  withEdit(edits, leaf, value) {  // the edits with a leaf set (the same edits when nothing changes)
    if (Object.is(this.valueOf(edits, leaf), value)) return edits;
    const others = edits.filter(([k]) => k !== leaf);
    return this.canonical(Object.is(this.graph.recorded[leaf], value) ? others : [...others, [leaf, value]]);
  }

  canonical(list) {  // in the order of the pass, without the leaves at their recorded values
    return Object.freeze(list.filter(([k, v]) => !Object.is(this.graph.recorded[k], v)).sort((a, b) => a[0] - b[0]));
  }

  result(edits) {  // both passes after the edits, the last two remembered (a descent step asks for two)
    let found = this.made.find((m) => m.edits === edits);
    if (!found) {
      found = { edits, result: recompute(this.graph, new Map(edits), this.seed) };
      this.made = [found, ...this.made.slice(0, 1)];
    }
    return found.result;
  }

  descend(edits, lr) {  // one step of gradient descent on the leaves the data names: the edits after it, the root before and after
    const next = this.canonical([...descentStep(this.graph, new Map(edits), this.moves, lr, this.seed)]);
    return { edits: next, before: this.result(edits).data[0], after: this.result(next).data[0] };
  }

  refused(edits) {  // the nodes Python would refuse to make with these values
    if (!this.checked || this.checked.edits !== edits) {
      this.checked = { edits, found: edits.length ? refusedNodes(this.graph, this.result(edits).data) : [] };
    }
    return this.checked.found;
  }

  nudge(edits, leaf) {  // the central difference at a leaf ({x, h, value, up, down, slope}), or null for a node that is no leaf
    if (!liveIsLeaf(this.graph, leaf)) return null;
    const key = `${leaf}`;
    if (this.nudged && this.nudged.edits === edits && this.nudged.key === key) return this.nudged.found;
    this.nudged = { edits, key, found: nudgeSlope(this.graph, new Map(edits), leaf) };
    return this.nudged.found;
  }

  trace(edits) {  // the recomputed pass, read as backward.js reads the recorded one
    return liveTrace(this, this.result(edits));
  }
}

// The recomputed pass as a trace (see backward.js's recordedTrace): the numbers written as text.value_text,
// short_text and repr write them, the fills as page.py's _fills gives them.
function liveTrace(model, r) {
  const { graph, seed, data } = model, T = r.to.length;
  const fills = data.fill ? liveFills(r, seed) : null;
  return {
    count: r.count, to: r.to, slot: r.slot,
    local: (j) => numberText(r.local[j]),
    share: (j) => numberText(r.share[j]),
    total: (j) => numberText(r.total[j]),
    exact: (j) => (j >= 0 && j < T ? r.total[j] : undefined),
    seed: numberText(seed), seedExact: seed,
    fill: (j) => (fills ? (j < 0 ? fills.seed : fills.shares[j]) : null),
    data: (k) => numberText(r.data[k]),
    tipData: (k) => reprText(r.data[k]),
    localOf: (k, i) => liveLocal(graph, r.data, k, i),
    value: (k) => r.data[k],
  };
}

function liveLocal(graph, data, k, i) {  // d node k / d its input i after the edits, as the tooltip writes it
  const x = new Float64Array(Math.max(1, graph.widest)), m = liveInputs(graph, data, k, x);
  const local = graph.entry[k].rule(i, 1, data[k], x, m);
  return local === null ? "none" : numberText(local);
}

function liveFills(r, seed) {  // each total's magnitude in percent of the largest of the pass (and the seed's)
  const size = (v) => (v === v ? Math.abs(v) : 0), shares = new Int16Array(r.total.length);
  let biggest = size(seed);
  for (const t of r.total) biggest = Math.max(biggest, size(t));
  biggest = biggest || 1;
  const percent = (v) => {  // Python's round: a half to the even number
    const p = (100 * size(v)) / biggest, near = Math.round(p);
    return p === p ? (Math.abs(p % 1) === 0.5 ? 2 * Math.round(p / 2) : near) : 0;
  };
  r.total.forEach((t, j) => { shares[j] = percent(t); });
  return { seed: percent(seed), shares };
}

// The nudge in words: what x + h does to the root, the slope of the central difference, and the gradient.
function nudgeWords(words, nudge, names, grad) {
  const { value, up, h, slope } = nudge;
  const apart = Math.abs(up - value), scale = Math.max(Math.abs(value), Math.abs(up));
  const digits = apart > 0 && Number.isFinite(scale) ? Math.min(17, Math.max(4, Math.ceil(Math.log10(scale / apart)) + 2)) : 4;
  return fill(words, "nudge", { node: names.node, root: names.root, before: numberText(value, digits),
                                after: numberText(up, digits), h: numberText(h), slope: numberText(slope, 6),
                                grad: numberText(grad) });
}
