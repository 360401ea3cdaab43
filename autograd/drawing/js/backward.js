/* graphgrad explorer, the backward pass as the page reads it: what each step and each chain holds, in words.
   Pure functions of the data and a step or a chain; picture.js draws them. page.py joins these files, in the
   order it names, into one inline script after the page's data; every text shown goes in with textContent. */
"use strict";

/* --- the backward pass ------------------------------------------------------------------------- */

// Node k is the k-th node of the pass (0: the root); entry j of the trace is one share: sent by
// node src[j] (the shares of step k are the entries start[k] .. start[k + 1] - 1) to node to[j].
class BackwardPass {
  constructor(data) {
    const N = data.steps, T = data.to.length;
    Object.assign(this, { data, N, T, texts: data.texts });
    this.start = new Int32Array(N + 1);
    this.src = new Int32Array(T);
    for (let k = 0, j = 0; k < N; k++) {
      this.start[k] = j;
      for (let c = 0; c < data.count[k]; c++) this.src[j++] = k;
    }
    this.start[N] = T;
    this.usersOf = groupBy(T, N, (j) => data.to[j]);  // the entries that send to each node, in the pass's order
    this.named = new Map(data.named);  // labels are keys of Maps, never of plain objects ("__proto__" is a label too)
    this.byName = new Map(data.named.map(([k, label]) => [label, k]));
    this.exact = new Map(data.exact);
    this.last = null;  // the chain computed last (a selection is asked for again at every render)
  }

  name(k) { return this.texts[this.data.names[k]]; }

  find(name) {  // the node a name names (a label first, then the names drawn)
    const k = this.byName.has(name) ? this.byName.get(name) : this.data.names.findIndex((n) => this.texts[n] === name);
    if (k < 0) throw new Error(`graphgrad.select: no node is named ${JSON.stringify(name)}`);
    return k;
  }

  latest(k, step) {  // the last entry node k has received before step `step` does its work (-1: none)
    const got = this.usersOf(k), end = this.start[step];
    let lo = 0, hi = got.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (got[mid] < end) lo = mid + 1; else hi = mid;
    }
    return lo ? got[lo - 1] : -1;
  }

  // the gradient of node k after `step` steps: its text and whether it is complete (or null)
  gradOf(k, step) {
    if (k === 0) return { text: this.texts[this.data.seed], done: true, entry: -1 };
    const j = this.latest(k, step);
    return j < 0 ? null : { text: this.texts[this.data.total[j]], done: k < step, entry: j };
  }

  captionOf(k) {  // the words are page.py's (text.WORDS), filled as the static drawing fills them
    const { data, texts, N } = this, say = (key, slots) => fill(data.words, key, slots);
    if (k === 0) return say("start", { steps: N, seed: texts[data.seed], root: this.name(0) });
    const c = k - 1, where = { step: k, steps: N, node: this.name(c) }, g = this.gradOf(c, k);
    if (!g) return say("no-grad", where);
    if (data.leaf[c] === "1") return say("leaf", { ...where, grad: g.text });
    const shares = [];
    for (let j = this.start[c]; j < this.start[c + 1]; j++) {
      shares.push(say(data.tensor ? "share-tensor" : "share",
        { grad: g.text, local: texts[data.ld[j]], share: texts[data.share[j]], input: this.name(data.to[j]) }));
    }
    const seed = c === 0 ? say("the-seed", {}) : "";
    return say("passes", { ...where, grad: g.text, seed, shares: shares.join(", ") || say("nothing", {}) });
  }

  chain(t) {  // the influence chain of node t (null: none selected), computed once a selection
    if (t === null) return null;
    if (!this.last || this.last.target !== t) this.last = this.chainOf(t);
    return this.last;
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

  chainNote(ch) {  // the sum over the paths, in the words of the static drawing's note (text.WORDS)
    const { data, texts } = this, t = ch.target, say = (key, slots) => fill(data.words, key, slots);
    if (!ch.reached) return say("chain-none", { node: this.name(t), root: this.name(0) });
    const head = say(data.seedIsOne ? "head" : "head-seeded", { seed: texts[data.seed], root: this.name(0), node: this.name(t) });
    if (t === 0) return say("chain-root", { head });
    const received = this.usersOf(t), total = texts[data.total[received[received.length - 1]]];
    const paths = countText(ch.count, "path");
    if (data.tensor) return say("chain-tensor", { head, paths, total });
    if (!ch.towards) return say("chain-counted", { head, paths, total });
    const terms = [];
    const walk = (x, factors) => {  // every path from x up to the root, as its local derivatives
      if (x === 0) terms.push(factors.join(" * "));
      else for (const j of ch.towards.get(x) || []) walk(this.src[j], [...factors, texts[data.ld[j]]]);
    };
    walk(t, data.seedIsOne ? [] : [texts[data.seed]]);
    const listed = terms.length === 1 ? say("one-path", { term: terms[0] })
      : say("paths", { count: terms.length, terms: terms.map((s) => `(${s})`).join(" + ") });
    return say("chain-listed", { head, listed, total });
  }

  // --- what graphgrad.state() reports: a plain object (for JSON) whose every label is an own key
  grads(step) {
    const shown = [];
    for (const [k, label] of this.named) {
      const j = k === 0 ? -1 : this.latest(k, step);
      if (k === 0) shown.push([label, number(this.data.seedExact)]);
      else if (j >= 0 && this.exact.has(j)) shown.push([label, number(this.exact.get(j))]);
    }
    return Object.fromEntries(shown);
  }

  highlighted(t) {
    const ch = this.chain(t);
    return ch ? ch.nodes.filter((k) => this.named.has(k)).map((k) => this.named.get(k)) : [];
  }
}
