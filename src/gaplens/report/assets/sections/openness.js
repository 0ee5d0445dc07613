// How open is "open": the openness ladder (models per rung, each rung's gap and lag on the
// capability index), AA's openness index against the lag, and the audit of sources that
// disagree about a model's weights. Data: DATA.openness (report/payload.py _openness).
(window.gaplensSections = window.gaplensSections || []).push({
  id: "openness",
  build: function (P) {
    const O = P.DATA.openness;
    if (!O) return;
    const s = P.section("openness", O.sentence);
    const counts = P.rec(O.counts), frontier = P.rec(O.frontier), audit = P.rec(O.audit);
    const view = P.rec(O.view), aaView = P.rec(O.aa_view), corr = P.rec(O.correlation);
    const colours = { "open-source": P.PALETTE[7], permissive: P.PALETTE[1], "use-bounded": P.PALETTE[4],
                      "non-commercial": P.PALETTE[5], unknown: "#999999" };
    function byRung(rows, y, lines) {
      return P.uniq(rows.map(function (r) { return r.rung; })).map(function (g) {
        const part = rows.filter(function (r) { return r.rung === g; });
        return { type: "scatter", mode: "markers", name: g, x: part.map(function (r) { return r.openness_index; }),
                 y: part.map(function (r) { return r[y]; }), marker: { size: 9, color: colours[g] || "#555" },
                 customdata: part.map(function (r) { return r.model_id; }),
                 hovertext: part.map(function (r) { return P.hover(lines(r)); }), hoverinfo: "text" };
      });
    }
    function rhoNote(r, what) {
      return r && P.num(r.rho) ? "Spearman's rho of openness with " + what + ": " + P.fmt(r.rho, 2) + " " +
        P.ci(r.rho_ci_low, r.rho_ci_high, 2) + " over " + r.n_models + " models (" + pct + " % interval from resampling the models)." : "";
    }
    const pct = Math.round(100 * (O.ci || 0.9));
    const byDef = {};
    frontier.forEach(function (r) { byDef[r.definition] = r; });

    s.appendChild(P.el("h3", { text: "The ladder" }));
    s.appendChild(P.el("p", { cls: "note", text: "Each open rung used as the definition of open " +
      "means this rung or a more open one (gaplens gap --open-definition RUNG). Gap and lag are " +
      "read on the capability index at the report's date, with " + pct + " % intervals." }));
    P.table(s, counts, [
      ["rung", "Rung"], ["n_models", "Models", function (r) { return String(r.n_models); }],
      ["n_evaluated", "With results", function (r) { return P.num(r.n_evaluated) ? String(r.n_evaluated) : ""; }],
      ["leader", "Best open on the index", function (r) { return (byDef[r.rung] || {}).open_leader || ""; }],
      ["gap", "Gap (points)", function (r) { const f = byDef[r.rung]; return f && P.num(f.gap) ? P.fmt(f.gap) + " " + P.ci(f.gap_ci_low, f.gap_ci_high) : ""; }],
      ["lag", "Lag (months)", function (r) { const f = byDef[r.rung]; return f && P.num(f.lag_months) ? P.fmt(f.lag_months) + " " + P.ci(f.lag_months_ci_low, f.lag_months_ci_high) : ""; }],
    ]);

    const rungs = frontier.filter(function (r) { return P.num(r.lag_months); });
    P.chart(s, "openness-rungs", "Lag behind the closed frontier, by rung", function () {
      if (!rungs.length) return { empty: "No rung has an open model on the capability index." };
      const x = rungs.map(function (r) { return r.definition; });
      return {
        traces: [{ type: "scatter", mode: "markers", name: "lag (months)", x: x,
                   y: rungs.map(function (r) { return r.lag_months; }),
                   error_y: P.errorBars(rungs, "lag_months", "lag_months_ci_low", "lag_months_ci_high"),
                   marker: { size: 11, color: P.OPEN },
                   customdata: rungs.map(function (r) { return r.open_leader; }),
                   hovertext: rungs.map(function (r) {
                     return P.hover([P.esc(r.definition) + ": " + P.fmt(r.lag_months) + " months " + P.ci(r.lag_months_ci_low, r.lag_months_ci_high),
                                     "best open: " + P.esc(r.open_leader) + " (" + P.fmt(r.open_index) + ")",
                                     "gap " + P.fmt(r.gap) + " points " + P.ci(r.gap_ci_low, r.gap_ci_high),
                                     r.n_open + " open, " + r.n_closed + " closed models"]);
                   }), hoverinfo: "text" }],
        rows: rungs,
        layout: { xaxis: { title: { text: "open = this rung or a more open one" }, type: "category" },
                  yaxis: { title: { text: "lag (months)" }, rangemode: "tozero" }, showlegend: false },
        note: "Open source has few models on the index; each rung's best open model is named on hover.",
      };
    });

    const rho = {};
    corr.forEach(function (r) { rho[r.measure] = r; });
    P.chart(s, "openness-index", "AA's openness index against the lag at release", function () {
      if (!view.length) return { empty: "No open model has both AA's openness index and a capability-index value." };
      return {
        traces: byRung(view, "lag_months", function (r) {
          return [P.esc(r.display_name), "openness " + P.fmt(r.openness_index) + ", " + P.esc(r.rung),
                  "lag " + P.fmt(r.lag_months) + " months, gap " + P.fmt(r.gap) + " index points at release " + r.release_date];
        }), rows: view,
        layout: { xaxis: { title: { text: "AA openness index (0-100)" } }, yaxis: { title: { text: "lag at release (months)" }, rangemode: "tozero" } },
        note: rhoNote(rho.lag_months, "the lag on the capability index"),
      };
    });
    P.chart(s, "openness-aa", "AA's openness index against the gap on AA's Intelligence Index", function () {
      if (!aaView.length) return { empty: "No open model has both AA's openness index and a measured Intelligence Index." };
      return {
        traces: byRung(aaView, "aa_gap", function (r) {
          return [P.esc(r.display_name), "openness " + P.fmt(r.openness_index) + ", " + P.esc(r.rung),
                  "AA index " + P.fmt(r.aa_index) + ", " + P.fmt(r.aa_gap) + " points below the best closed model on " + r.as_of];
        }), rows: aaView,
        layout: { xaxis: { title: { text: "AA openness index (0-100)" } }, yaxis: { title: { text: "gap to the best closed model (AA points)" }, rangemode: "tozero" } },
        note: rhoNote(rho.aa_gap, "the gap on AA's index (newest snapshot, measured values only)"),
      };
    });

    s.appendChild(P.el("h3", { text: "Where the sources disagree" }));
    s.appendChild(P.el("p", { cls: "note", text: audit.length + " models: each source's reading of the weights " +
      "(Epoch's class, AA's flags and licence, LMArena's licence, LiveBench's flag). Settle one with an " +
      "override file (gaplens ingest overrides FILE: model, accessibility, reason)." }));
    P.table(s, audit, [["display_name", "Model"], ["kind", "Kind"], ["status", "Status"], ["claims", "Rung per source"],
                       ["aa", "AA"], ["lmarena", "LMArena"], ["livebench", "LiveBench"]]);
  },
});
