/* graphgrad explorer, live recompute: after a learner edits leaves, every node's data again in the forward order
   and the whole backward pass again in the engine's order, with the op table of ops.js; and the slope of a nudge.
   Pure functions of the page's data (live.py's live_data), no DOM. */
"use strict";

/* --- the graph --------------------------------------------------------------------------------------- */

function liveNumber(v) {  // the data keeps nan and infinities as strings (JSON has no such numbers)
  return typeof v === "string" ? Number(v.replace("inf", "Infinity").replace("nan", "NaN")) : v;
}

// The graph of live_data, in typed arrays: node k (the k-th of the pass, 0 the root) computes entry[k] of the op
// table from the nodes from[start[k] .. start[k + 1] - 1], each later in the pass than k; recorded[k] is a leaf's
// recorded data (0 for other nodes); widest is the most inputs a node has.
function liveGraph(live) {
  if (!live.editable) throw new Error(`recompute: ${live.reason}`);
  const n = live.op.length, start = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) start[k + 1] = start[k] + live.inputs[k].length;
  const from = new Int32Array(start[n]);
  live.inputs.forEach((ins, k) => from.set(ins, start[k]));
  const known = live.ops.map((name) => {
    const entry = valueOp(name);
    if (entry === undefined) throw new Error(`recompute: the op table has no op ${JSON.stringify(name)}`);
    return entry;
  });
  const entry = live.op.map((j) => known[j]), recorded = new Float64Array(n);
  live.leaves.forEach((k, j) => { recorded[k] = liveNumber(live.values[j]); });
  let widest = 0;
  for (let k = 0; k < n; k++) widest = Math.max(widest, start[k + 1] - start[k]);
  return { n, entry, start, from, recorded, widest, leaves: Int32Array.from(live.leaves) };
}

function liveIsLeaf(graph, k) {
  return graph.start[k + 1] === graph.start[k];
}

function liveEdits(graph, edits) {  // [[leaf, value], ...] from a Map or an object {leaf: value}, checked
  const list = edits instanceof Map ? [...edits] : Object.entries(edits || {});
  return list.map(([k, v]) => {
    const node = Number(k);
    if (!(node >= 0 && node < graph.n && liveIsLeaf(graph, node))) {
      throw new Error(`recompute: node ${k} is not a leaf`);
    }
    return [node, liveNumber(v)];
  });
}

/* --- forward: every node's data ----------------------------------------------------------------------- */

function liveInputs(graph, data, k, x) {  // node k's inputs' data into x; returns how many
  const s = graph.start[k], m = graph.start[k + 1] - s;
  for (let i = 0; i < m; i++) x[i] = data[graph.from[s + i]];
  return m;
}

// Every node's data with the leaves of edits (a Map or {leaf: value}) changed, the others as recorded:
// inputs before the nodes made from them (the pass's order backwards).
function forwardData(graph, edits) {
  const data = graph.recorded.slice(), x = new Float64Array(graph.widest);
  for (const [k, v] of liveEdits(graph, edits)) data[k] = v;
  for (let k = graph.n - 1; k >= 0; k--) {
    const m = liveInputs(graph, data, k, x);
    if (m > 0) data[k] = graph.entry[k].forward(x, m);
  }
  return data;
}

// The nodes whose op Python would refuse to make with these data (a Value exponent of a base that is not positive).
function refusedNodes(graph, data) {
  const refused = [], x = new Float64Array(graph.widest);
  for (let k = 0; k < graph.n; k++) {
    const accepts = graph.entry[k].accepts;
    if (accepts && !accepts(x.subarray(0, liveInputs(graph, data, k, x)))) refused.push(k);
  }
  return refused;
}

/* --- backward: the pass, share by share ----------------------------------------------------------------- */

// The backward pass from seed at the root, as autograd.graph.gradients(root, seed, trace=...) records it: for each
// node in the pass's order that a gradient reached, for each input with a rule, one share (to: the input's node,
// slot: its position among the node's inputs, local: the local derivative, share, total: the input's running
// total), the first share to a node being its total and each later one added to it. count[k]: node k's shares;
// grads[k] the final gradients (reached[k] 0: none reached node k).
function backwardPass(graph, data, seed = 1) {
  const { n, entry, start, from } = graph, size = from.length;
  const grads = new Float64Array(n), reached = new Uint8Array(n), count = new Int32Array(n);
  const to = new Int32Array(size), slot = new Int32Array(size);
  const local = new Float64Array(size), share = new Float64Array(size), total = new Float64Array(size);
  const x = new Float64Array(graph.widest);
  grads[0] = seed;
  reached[0] = 1;
  let t = 0;
  for (let k = 0; k < n; k++) {
    if (!reached[k] || start[k + 1] === start[k]) continue;
    const m = liveInputs(graph, data, k, x), g = grads[k], out = data[k], rule = entry[k].rule, first = t;
    for (let i = 0; i < m; i++) {
      const s = rule(i, g, out, x, m);
      if (s === null) continue;
      const j = from[start[k] + i];
      grads[j] = reached[j] ? grads[j] + s : s;
      reached[j] = 1;
      to[t] = j;
      slot[t] = i;
      local[t] = rule(i, 1, out, x, m);
      share[t] = s;
      total[t++] = grads[j];
    }
    count[k] = t - first;
  }
  const cut = (a) => a.subarray(0, t);
  return { grads, reached, count, to: cut(to), slot: cut(slot), local: cut(local), share: cut(share),
           total: cut(total) };
}

// Both passes after edits: {data, grads, reached, count, to, slot, local, share, total}.
function recompute(graph, edits, seed = 1) {
  const data = forwardData(graph, edits);
  return { data, ...backwardPass(graph, data, seed) };
}

/* --- a nudge and a descent step ------------------------------------------------------------------------- */

// What nudging one leaf does to the root: its data at x, x + h and x - h (h = 1e-6 * max(1, |x|)), and the slope
// of the central difference (computed over the nudges as the floats hold them).
function nudgeSlope(graph, edits, leaf) {
  const given = new Map(liveEdits(graph, edits)), x = given.has(leaf) ? given.get(leaf) : graph.recorded[leaf];
  const rootAt = (v) => forwardData(graph, new Map(given).set(leaf, v))[0];
  const h = 1e-6 * Math.max(1, Math.abs(x)), up = x + h, down = x - h;
  const [value, above, below] = [rootAt(x), rootAt(up), rootAt(down)];
  return { x, h, value, up: above, down: below, slope: (above - below) / (up - down) };
}

// One step of gradient descent on the leaves moves (p - lr * grad p, as nn.SGD steps): the edits after it (a Map).
// Leaves the gradient did not reach stay where they are.
function descentStep(graph, edits, moves, lr, seed = 1) {
  const now = recompute(graph, edits, seed), next = new Map(liveEdits(graph, edits));
  for (const k of moves) if (now.reached[k]) next.set(k, now.data[k] - lr * now.grads[k]);
  return next;
}
