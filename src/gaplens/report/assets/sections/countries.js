/* gaplens report section "countries": who is behind whom (analysis/groups.py).
 * Frontiers by country on the capability index over time, the best open model of each
 * country against the closed frontier, and a lab x domain table of lags. Names from data
 * reach plotly through P.esc and the DOM through textContent (P.el, P.table). */
(window.gaplensSections = window.gaplensSections || []).push({ id: "countries", build: function (P) {
  "use strict";
  const s = P.section("countries", "Frontiers of US, Chinese and other labs on the capability index, and how many months each lab's best model trails the closed frontier.");
  const sentence = P.el("p", { id: "countries-text" });
  s.appendChild(sentence);
  const ORDER = ["closed", "US", "China", "rest", "US · open", "China · open", "rest · open"];
  const COLOUR = { "closed": P.CLOSED, "US": P.OI.sky, "China": P.OI.orange, "rest": P.OI.green,
                   "US · open": P.OI.sky, "China · open": P.OI.orange, "rest · open": P.OI.green };
  function C() { return P.D().countries; }
  function scope() { return P.state.domain || "general"; }

  P.chart(s, "countries-frontiers", "Frontier by country over time (index; dashed: open models only)", function () {
    const c = C();
    if (!c) return { empty: "The country frontiers could not be computed for this definition." };
    const rows = P.rec(c.frontiers).filter(function (r) {
      return r.scope === scope() && P.num(r.level) && P.inWindow(r.date) && ORDER.indexOf(r.group) >= 0;
    });
    const traces = ORDER.filter(function (g) { return rows.some(function (r) { return r.group === g; }); }).map(function (g) {
      const own = rows.filter(function (r) { return r.group === g; });
      const open = g.indexOf("· open") > 0;
      return { type: "scatter", mode: "lines", line: { shape: "hv", color: COLOUR[g], width: g === "closed" ? 3 : 2, dash: open ? "dash" : "solid" },
               name: P.esc(g === "closed" ? "closed (all)" : g), x: own.map(function (r) { return r.date; }), y: own.map(function (r) { return r.level; }),
               text: own.map(function (r) { return P.esc(r.leader); }),
               hovertemplate: "%{x}<br>%{y:.1f} (%{text})<extra>" + P.esc(g) + "</extra>" };
    });
    return { traces: traces, rows: rows, layout: { xaxis: P.timeAxis(), yaxis: { title: { text: "index" } } },
             note: "Monthly frontier of each group on the " + P.label(scope()) + " index: US, China and rest count every open or closed model of the country; 'closed (all)' is the overall closed frontier. A group with fewer than 3 models by a month is not drawn.",
             empty: "No country frontier on this scope and window." };
  });

  s.appendChild(P.el("h3", { text: "The best open model of each country against the closed frontier" }));
  const bestHolder = P.el("div", {});
  s.appendChild(bestHolder);
  s.appendChild(P.el("h3", { text: "Lab × domain: months behind the closed frontier" }));
  const labsHolder = P.el("div", {});
  s.appendChild(labsHolder);
  s.appendChild(P.el("p", { cls: "note", text: "Each cell: the lag in months of the lab's frontier behind the overall closed frontier on that domain's index, with its 90 % interval; 0 where the lab holds the closed frontier, negative where it leads it; n = models where fewer than 3 have an index there (counts, not numbers)." }));

  s.appendChild(P.el("h3", { text: "The leading lab per domain, quarter by quarter" }));
  const leadHolder = P.el("div", {});
  s.appendChild(leadHolder);
  s.appendChild(P.el("p", { cls: "note", text: "The lab of the model at the top of each domain's index at each quarter end (last column: the report's date), among the open and closed models." }));

  function cell(r) {
    if (!r) return "";
    if (r.status === "too_few_models") return "n = " + r.n_group;
    return P.fmt(r.lag_months) + " " + P.ci(r.lag_months_ci_low, r.lag_months_ci_high);
  }
  P.hooks.push(function () {
    const c = C();
    sentence.textContent = c ? c.sentence : "";
    bestHolder.textContent = "";
    labsHolder.textContent = "";
    if (!c) return;
    const best = P.rec(c.table).filter(function (r) { return r.versus === "closed" && / · open$/.test(r.group) && r.group.indexOf("mixed") !== 0; });
    const scopes = P.uniq(best.map(function (r) { return r.scope; }));
    P.table(bestHolder, best.filter(function (r) { return r.scope === scope() || scopes.indexOf(scope()) < 0 && r.scope === "general"; }),
            [["group", "Group"], ["group_leader", "Best open model"], ["versus_leader", "Closed frontier"],
             [null, "Lag, months [90 %]", cell], [null, "Gap, index points [90 %]", function (r) { return r.status === "too_few_models" ? "" : P.fmt(r.gap) + " " + P.ci(r.gap_ci_low, r.gap_ci_high); }]]);
    const labs = P.rec(c.labs);
    const order = P.uniq(labs.map(function (r) { return r.scope; }));
    const byLab = {};
    labs.forEach(function (r) { (byLab[r.group] = byLab[r.group] || {})[r.scope] = r; });
    const shown = Object.keys(byLab).filter(function (lab) {
      return order.some(function (k) { return byLab[lab][k] && byLab[lab][k].status !== "too_few_models"; });
    }).sort(function (a, b) {
      const x = byLab[a].general, y = byLab[b].general;
      return (x && P.num(x.lag_months) ? x.lag_months : 1e9) - (y && P.num(y.lag_months) ? y.lag_months : 1e9) || (a < b ? -1 : 1);
    });
    const rows = shown.map(function (lab) { const o = { lab: lab }; order.forEach(function (k) { o[k] = cell(byLab[lab][k]); }); return o; });
    P.table(labsHolder, rows, [["lab", "Lab"]].concat(order.map(function (k) { return [k, P.label(k)]; })));
    leadHolder.textContent = "";
    const leads = P.rec(c.leaders);
    const dates = P.uniq(leads.map(function (r) { return r.date; })).sort();
    const byScope = {};
    leads.forEach(function (r) { (byScope[r.scope] = byScope[r.scope] || { scope: P.label(r.scope) })[r.date] = r.lab; });
    P.table(leadHolder, P.uniq(leads.map(function (r) { return r.scope; })).map(function (k) { return byScope[k]; }),
            [["scope", "Domain"]].concat(dates.map(function (d) { return [d, d]; })));
  });
}});
