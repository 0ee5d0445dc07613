// What the gap costs (analysis/cost.py): price-capability frontiers of open and closed
// models on the chosen index (general or a domain), and the equal-price gap per price
// snapshot. Data: DATA.by_definition[definition].cost (report/payload.py _cost).
(window.gaplensSections = window.gaplensSections || []).push({ id: "cost", build: function (P) {
  const s = P.section("cost", "Price against capability: each group's frontier is the best level its money buys (the lowest price for each level). Prices are USD per million tokens, blended 3:1 input:output, from Artificial Analysis at the report's date; open models are priced at a hosted provider's rate. A model without a price is left out, never priced at zero.");
  const sentence = P.el("p", { id: "cost-sentence" });
  s.appendChild(sentence);
  function C() { return P.D().cost; }
  function scope() {
    const c = C();
    if (!c) return null;
    const have = P.rec(c.missing).some(function (r) { return r.scope === P.state.domain; });
    return have ? P.state.domain : null;
  }
  function usd(v) { return P.num(v) ? "$" + String(Number(Number(v).toPrecision(3))) : "–"; }
  // a ratio in percent (the payload carries ratios as percentages: 3 decimals of a percent)
  function pct(v) { return v == null ? "none within reach" : P.num(v) ? (v >= 10 ? v.toFixed(0) : String(Number(v.toPrecision(2)))) + "%" : "–"; }
  P.hooks.push(function () {
    const c = C(), sc = scope();
    sentence.textContent = !c ? "No prices in the data." : sc ? c.sentences[sc] || "" : "No index for this domain.";
  });
  P.chart(s, "cost-frontier", "Price against capability, with each group's frontier (log price)", function () {
    const c = C(), sc = scope();
    if (!c || !sc) return { empty: "No priced models on this index." };
    const pts = P.rec(c.points).filter(function (r) { return r.scope === sc && P.num(r.price); });
    const traces = [];
    ["closed", "open"].forEach(function (g) {
      const colour = g === "open" ? P.OPEN : P.CLOSED;
      const part = pts.filter(function (r) { return r.group === g; });
      traces.push({ type: "scatter", mode: "markers", name: g, x: part.map(function (r) { return r.price; }), y: part.map(function (r) { return r.level; }),
                    error_y: P.errorBars(part, "level", "level_ci_low", "level_ci_high", "rgba(120,130,140,0.35)"),
                    marker: { color: colour, size: part.map(function (r) { return r.on_frontier ? 9 : 6; }), opacity: part.map(function (r) { return r.on_frontier ? 1 : 0.45; }), line: { width: 0.5, color: "#fff" } },
                    text: part.map(function (r) { return P.hover(["<b>" + P.esc(r.name) + "</b>", "level " + P.fmt(r.level) + " " + P.ci(r.level_ci_low, r.level_ci_high), usd(r.price) + " per million tokens (" + P.esc(r.price_source) + ", " + r.price_as_of + ")", r.hosted ? "open weights: a hosted provider's rate" : "", r.on_frontier ? g + " frontier" : ""]); }),
                    hovertemplate: "%{text}<extra></extra>" });
      const front = part.filter(function (r) { return r.on_frontier; }).sort(function (a, b) { return a.price - b.price; });
      if (front.length) {
        const top = Math.max.apply(null, pts.map(function (r) { return r.price; }));
        const xs = front.map(function (r) { return r.price; }).concat([top * 1.5]);
        const ys = front.map(function (r) { return r.level; }).concat([front[front.length - 1].level]);
        traces.push({ type: "scatter", mode: "lines", name: g + " frontier", x: xs, y: ys, line: { shape: "hv", color: colour, width: 1.8 }, hoverinfo: "skip" });
      }
    });
    const eq = P.rec(c.equal_price).filter(function (r) { return r.scope === sc; });
    const shapes = eq.map(function (r, i) {
      return { type: "line", xref: "x", yref: "paper", x0: r.price, x1: r.price, y0: 0, y1: 1, line: { color: "#999", width: 1, dash: i ? "dot" : "dash" } };
    });
    const notes = eq.map(function (r, i) { return { x: Math.log10(r.price), y: 0, xref: "x", yref: "paper", text: i ? "P*/10" : "P*", showarrow: false, xanchor: "left", yanchor: "bottom", font: { size: 10, color: "#555" } }; });
    return { traces: traces, height: 440, rows: pts.map(function (r) { return { model: r.name, group: r.group, level: r.level, ci_low: r.level_ci_low, ci_high: r.level_ci_high, price_usd_per_mtok: r.price, on_frontier: r.on_frontier, hosted_price: r.hosted, source: r.price_source, price_as_of: r.price_as_of }; }),
             layout: { xaxis: { type: "log", title: { text: "USD per million tokens (blended 3:1, log scale)" }, gridcolor: "#eef0f3" },
                       yaxis: { title: { text: sc === "general" ? "capability index" : P.esc(P.label(sc)) + " index" }, gridcolor: "#eef0f3" }, shapes: shapes, annotations: notes },
             note: "Large points are on their group's frontier (no model of the group is at least as good for less); the step lines are the best level each budget buys. P*: the best closed model's price; P*/10 a tenth of it. Bars: 90 % intervals of the levels." };
  });
  P.chart(s, "cost-gap-time", "The gap at equal price, per price snapshot", function () {
    const c = C(), sc = scope();
    if (!c || !sc) return { empty: "No priced models on this index." };
    const rows = P.rec(c.timeline).filter(function (r) { return r.scope === sc; });
    const traces = ["closed frontier price", "a tenth of it"].map(function (at, i) {
      const part = rows.filter(function (r) { return r.at === at && P.num(r.estimate); });
      const colour = i ? "#555" : P.ACCENT;
      return { type: "scatter", mode: "lines+markers", name: i ? "at a tenth of P*" : "at P*", x: part.map(function (r) { return r.price_as_of; }), y: part.map(function (r) { return r.estimate; }),
               error_y: P.errorBars(part, "estimate", "ci_low", "ci_high", colour), line: { color: colour, dash: i ? "dot" : "solid" }, marker: { color: colour },
               text: part.map(function (r) { return P.hover([r.price_as_of, "at " + usd(r.price) + ": " + P.esc(r.closed_model) + " vs " + P.esc(r.open_model), "gap " + P.fmt(r.estimate) + " " + P.ci(r.ci_low, r.ci_high)]); }), hovertemplate: "%{text}<extra></extra>" };
    });
    return { traces: traces, height: 320, rows: rows,
             layout: { xaxis: { type: "date", gridcolor: "#eef0f3" }, yaxis: { title: { text: "index points (closed − open)" }, gridcolor: "#eef0f3", zeroline: true } },
             note: "Each snapshot's prices, models released by its date; the levels are the index fit's. Below zero: open buys more at that price." };
  });
  const holder = P.el("div", {});
  s.appendChild(holder);
  P.hooks.push(function () {
    holder.textContent = "";
    const c = C(), sc = scope();
    if (!c || !sc) return;
    const rows = P.rec(c.price_ratio).filter(function (r) { return r.scope === sc; });
    P.table(holder, rows, [["group", "Group"], ["frontier_model", "Best closed model"], [null, "Its price", function (r) { return usd(r.frontier_price); }],
                           ["model", "Cheapest within reach"], [null, "Price", function (r) { return usd(r.price); }],
                           [null, "Ratio", function (r) { return P.num(r.ratio_pct) ? pct(r.ratio_pct) : "–"; }],
                           [null, "90 % interval", function (r) { return P.num(r.ratio_pct) ? "[" + pct(r.ratio_pct_ci_low) + ", " + pct(r.ratio_pct_ci_high) + "]" : ""; }], ["note", "Note"]],
            "Price ratio at equal capability: the cheapest model of each group within " + (rows.length ? rows[0].within : "") + " index points of the best closed model, against its price");
  });
}});
