/* gaplens report: draws every chart from the JSON block in the page (no network).
 *
 * Names from imported files are untrusted: DOM text goes through textContent, and text
 * handed to plotly (which understands a little HTML) goes through esc().
 */
(function () {
  "use strict";
  window.gaplensStart = performance.now();
  const DATA = JSON.parse(document.getElementById("gaplens-data").textContent);
  const META = DATA.meta;
  // Colours: the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), ordered so
  // that neighbouring categories stay apart under protanopia and deuteranopia (the browser
  // test simulates both and checks every adjacent pair); four of Paul Tol's colours extend
  // it past eight categories.
  const OI = { blue: "#0072B2", vermillion: "#D55E00", sky: "#56B4E9", black: "#000000",
               orange: "#E69F00", purple: "#CC79A7", yellow: "#F0E442", green: "#009E73" };
  const CLOSED = OI.blue, OPEN = OI.vermillion, NEITHER = "#9aa3ad", ACCENT = OI.purple;
  const ACCESS_COLOURS = {
    "API access": OI.blue, "Closed weights (unspecified)": OI.sky, "Hosted access (no API)": "#332288",
    "Open weights (licence unspecified)": OI.yellow, "Open weights (non-commercial)": OI.purple,
    "Open weights (restricted use)": OI.orange, "Open weights (unrestricted)": OI.vermillion,
    "Unknown": "#bbbbbb", "Unreleased": "#555555",
  };
  const PALETTE = [OI.blue, OI.vermillion, OI.sky, OI.black, OI.orange, OI.purple, OI.yellow, OI.green,
                   "#882255", "#DDCC77", "#332288", "#117733"];
  const CONFIG = { responsive: true, displaylogo: false,
                   modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"] };

  // --- small helpers ------------------------------------------------------------------
  function rec(t) {
    if (!t || !t.columns) return [];
    const c = t.columns;
    return t.rows.map(function (r) {
      const o = {};
      for (let i = 0; i < c.length; i++) o[c[i]] = r[i];
      return o;
    });
  }
  function esc(s) {
    return s == null ? "" : String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;")
      .replace(/>/g, "&gt;");
  }
  function num(v) { return v != null && isFinite(v); }
  function fmt(v, d) { return num(v) ? Number(v).toFixed(d == null ? 1 : d) : "–"; }
  function ci(lo, hi, d) { return num(lo) && num(hi) ? "[" + fmt(lo, d) + ", " + fmt(hi, d) + "]" : ""; }
  function el(tag, attrs) {
    const node = document.createElement(tag);
    for (const k in (attrs || {})) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "cls") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    }
    for (let i = 2; i < arguments.length; i++) {
      const child = arguments[i];
      if (child == null) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }
  function strong(text) { return el("strong", { text: text }); }
  function uniq(values) { return Array.from(new Set(values)); }
  const DOMAINS = rec(META.domains);
  const DOMAIN_LABEL = {};
  DOMAINS.forEach(function (d) { DOMAIN_LABEL[d.domain] = d.label || d.domain; });
  function label(key) { return key === "general" ? "General (all domains)" : (DOMAIN_LABEL[key] || key); }
  function colourOf(key, keys) { return PALETTE[Math.max(0, keys.indexOf(key)) % PALETTE.length]; }

  const MODELS = rec(DATA.index);
  const MODEL_BY_ID = {};
  MODELS.forEach(function (m) { MODEL_BY_ID[m.model_id] = m; });
  const DEFS = {};
  META.definitions.forEach(function (d) { DEFS[d.key] = d; });

  const state = { definition: META.default_definition, from: META.date_from, to: META.date_to,
                  domain: "general", target: null, split: null };
  function D() { return DATA.by_definition[state.definition]; }
  function groupOf(access) {
    if (DEFS[state.definition].open_classes.indexOf(access) >= 0) return "open";
    if (["API access", "Hosted access (no API)", "Closed weights (unspecified)"].indexOf(access) >= 0) return "closed";
    return "neither";
  }
  function inWindow(date) { return date != null && date >= state.from && date <= state.to; }
  function timeAxis(extra) {
    return Object.assign({ type: "date", range: [state.from, state.to], gridcolor: "#eef0f3" }, extra || {});
  }
  function errorBars(rows, key, lo, hi, colour) {
    return { type: "data", symmetric: false, color: colour || "#8a96a3", thickness: 1.2, width: 0,
             array: rows.map(function (r) { return num(r[hi]) && num(r[key]) ? Math.max(0, r[hi] - r[key]) : null; }),
             arrayminus: rows.map(function (r) { return num(r[lo]) && num(r[key]) ? Math.max(0, r[key] - r[lo]) : null; }) };
  }
  function hover(lines) { return lines.filter(function (x) { return x; }).join("<br>"); }
  // Direct labels for the n highest and n lowest points of a scatter (no hover needed).
  function extremeLabels(rows, value, n, xf, yf, namef) {
    const ok = rows.filter(function (r) { return num(value(r)) && xf(r) != null && yf(r) != null; }).sort(function (a, b) { return value(a) - value(b); });
    const low = ok.slice(0, Math.min(n, Math.floor(ok.length / 2))), high = ok.slice(Math.max(ok.length - n, low.length));
    // staggered: each label further out than the one before, leaning towards the middle
    const xs = ok.map(xf).map(function (x) { return typeof x === "string" ? Date.parse(x) : x; });
    const mid = (Math.min.apply(null, xs) + Math.max.apply(null, xs)) / 2;
    return low.concat(high).map(function (r) {
      const up = high.indexOf(r) >= 0, k = up ? high.length - 1 - high.indexOf(r) : low.indexOf(r);
      const x = typeof xf(r) === "string" ? Date.parse(xf(r)) : xf(r), left = x > mid;
      return { name: "extreme", x: xf(r), y: yf(r), text: esc(String(namef(r)).length > 28 ? String(namef(r)).slice(0, 27) + "…" : namef(r)), showarrow: true, arrowhead: 0, arrowwidth: 1, arrowcolor: "#777",
               ax: (left ? -1 : 1) * (30 + 12 * k), ay: (up ? -1 : 1) * (20 + 16 * k), xanchor: left ? "right" : "left", font: { size: 10, color: "#222" }, bgcolor: "rgba(255,255,255,0.8)", captureevents: false };
    });
  }

  // --- CSV and image export -----------------------------------------------------------
  // One rule with the command line's CSV (gaplens/_util/inert.py): text starting with a
  // formula character gets an apostrophe, unless it is a number written as text.
  function isNumber(s) { return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s); }
  function csvCell(v) {
    if (v == null) return "";
    let s = String(v);
    if (typeof v === "string" && /^[=+\-@\t\r]/.test(s) && !isNumber(s)) s = "'" + s;  // no spreadsheet formulas
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function toCSV(rows) {
    if (!rows.length) return "";
    const cols = Object.keys(rows[0]);
    return [cols.join(",")].concat(rows.map(function (r) {
      return cols.map(function (c) { return csvCell(r[c]); }).join(",");
    })).join("\n") + "\n";
  }
  function download(name, text, type) {
    const a = el("a", { download: name });
    a.href = URL.createObjectURL(new Blob([text], { type: type }));
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  function downloadURL(name, url) {
    const a = el("a", { download: name });
    a.href = url;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { a.remove(); }, 0);
  }
  // Slide-ready images: 16:9 (1600 x 900), with the chart's title, the definition of open,
  // the data date and the sources' credits drawn into the image (added for the export only).
  const EXPORT_W = 1600, EXPORT_H = 900;
  function wrapWords(text, width) {
    const lines = [];
    let line = "";
    text.split(" ").forEach(function (w) {
      if (line && (line + " " + w).length > width) { lines.push(line); line = w; } else line = line ? line + " " + w : w;
    });
    if (line) lines.push(line);
    return lines;
  }
  function exportLayout(c) {
    const layout = JSON.parse(JSON.stringify(c.plot.layout));
    const m = layout.margin || {};
    const def = DEFS[state.definition];
    const credit = wrapWords("Sources: " + (META.credits || []).join("; ") + ". Made with gaplens " + META.gaplens_version + ".", 210);
    const top = (m.t || 16) + 90, bottom = (m.b || 46) + 10 + 15 * credit.length;
    layout.width = EXPORT_W; layout.height = EXPORT_H; layout.autosize = false;
    layout.margin = { l: Math.max(m.l || 60, 60), r: Math.max(m.r || 20, 30), t: top, b: bottom };
    layout.title = { text: "<b>" + esc(c.title) + "</b><br><span style=\"font-size:14px\">Open means " + esc(def.key) + ": " + esc(def.description) +
                     ". Data as of " + esc(viewDate()) + " (report date " + META.as_of + ").</span>",
                     xref: "container", x: 0, xanchor: "left", yref: "container", y: 1, yanchor: "top", pad: { t: 18, l: 16 }, font: { size: 22 } };
    // the credits go under the axis titles, measured in pixels from the plot's bottom; a
    // legend drawn below the plot moves to its top right to leave them room
    if (layout.legend && layout.legend.y != null && layout.legend.y < 0) layout.legend = Object.assign({}, layout.legend, { y: 1.01, yanchor: "bottom", x: 1, xanchor: "right" });
    layout.annotations = (layout.annotations || []).concat([{ name: "export-credit", xref: "paper", yref: "paper", x: 0, xshift: 16 - layout.margin.l, xanchor: "left", y: 0, yshift: -((m.b || 46) + 4), yanchor: "top",
      align: "left", showarrow: false, text: credit.map(esc).join("<br>"), font: { size: 11, color: "#555" } }]);
    return layout;
  }
  function exportImage(c, format) {
    if (!ensure(c) || !c.plot.data || !c.plot.layout) return Promise.reject(new Error("nothing drawn"));
    return Plotly.toImage({ data: c.plot.data, layout: exportLayout(c) }, { format: format, width: EXPORT_W, height: EXPORT_H, scale: 1 });
  }

  // --- page skeleton ------------------------------------------------------------------
  const main = document.getElementById("report");
  const SECTIONS = {};
  function section(id, lead) {
    // the title is the navigation link's (report/html.py SECTIONS)
    const link = document.querySelector('header.top nav a[href="#' + id + '"]');
    const s = el("section", { id: id, cls: "part" }, el("h2", { text: link ? link.textContent : id }),
                 lead ? el("p", { cls: "lead", text: lead }) : null);
    main.appendChild(s);
    SECTIONS[id] = s;
    return s;
  }
  const charts = [];
  const CHART_BY_ID = {};
  const hooks = [];
  function chart(parent, id, title, draw) {
    const plot = el("div", { cls: "plot", id: "plot-" + id });
    const note = el("p", { cls: "note" });
    const empty = el("p", { cls: "empty" });
    const buttons = el("span", { cls: "b" });
    const fig = el("figure", { cls: "chart", id: "chart-" + id, "data-rows": "0" },
                   el("figcaption", {}, el("span", { cls: "t", text: title }), buttons),
                   plot, empty, note);
    const c = { id: id, title: title, draw: draw, fig: fig, plot: plot, note: note, empty: empty, rows: [], buttons: buttons };
    [["CSV", function () { download(id + ".csv", toCSV(c.rows), "text/csv;charset=utf-8"); }],
     ["PNG", function () { exportImage(c, "png").then(function (url) { downloadURL(id + ".png", url); }); }],
     ["SVG", function () { exportImage(c, "svg").then(function (url) { downloadURL(id + ".svg", url); }); }]
    ].forEach(function (b) {
      const button = el("button", { type: "button", "data-export": b[0].toLowerCase(), title: "Download this chart's " + (b[0] === "CSV" ? "data" : "image") + " as " + b[0], text: b[0] });
      button.addEventListener("click", b[1]);
      buttons.appendChild(button);
    });
    parent.appendChild(fig);
    charts.push(c);
    CHART_BY_ID[id] = c;
    CHART_BY_FIG.set(fig, c);
    if (observer) observer.observe(fig);
    return c;
  }
  // Drawing is lazy: paint() computes a chart's data, note, rows and search hits at once
  // (cheap), but hands them to plotly (the costly part) only while the chart is near the
  // viewport (an IntersectionObserver below), or when something asks for it (exports,
  // printing, the search's links, window.gaplensDraw / gaplensDrawAll). A chart further
  // away keeps its new figure and is drawn when it comes near.
  function paint(c) {
    let out;
    try {
      out = c.draw() || {};
    } catch (err) {
      out = { empty: "This chart could not be drawn: " + err.message };
      if (window.console) console.error(err);
    }
    c.rows = out.rows || [];
    c.fig.dataset.rows = String(c.rows.length);
    c.note.textContent = out.note || "";
    const drawn = Boolean(out.traces && c.rows.length);
    c.buttons.querySelectorAll("button").forEach(function (b) { b.disabled = !drawn; });
    if (!drawn) {
      c.empty.textContent = out.empty || "No data for this choice of definition, window and domain.";
      c.plot.style.display = "none";
      c.spec = null; c.stale = false;
      if (c.plot.data) Plotly.purge(c.plot);
      c.hits = 0;
      c.fig.dataset.hits = "0";
      return;
    }
    c.empty.textContent = "";
    c.plot.style.display = "";
    const layout = Object.assign({
      height: out.height || 380, margin: { l: 60, r: 20, t: 16, b: 46 },
      font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12 },
      hovermode: "closest", paper_bgcolor: "#fff", plot_bgcolor: "#fff",
      legend: { orientation: "h", y: -0.18 },
      hoverlabel: { align: "left" },
    }, out.layout || {});
    fitScreen(layout);
    c.hits = highlight(out.traces, searched());
    c.fig.dataset.hits = String(c.hits);
    c.spec = { traces: out.traces, layout: layout };
    c.stale = true;
    // until drawn, the figure keeps the plot's height (the page does not jump when it is)
    c.plot.style.minHeight = layout.height + "px";
    if (c.near || !observer) plot(c);
  }
  function plot(c) {
    if (!c.stale || !c.spec) return;
    c.stale = false;
    Plotly.react(c.plot, c.spec.traces, c.spec.layout, CONFIG);
    c.fig.dataset.drawn = "true";
  }
  // draw a chart now if it is not up to date (false when it has nothing to draw)
  function ensure(c) {
    plot(c);
    return Boolean(c.spec);
  }
  function drawAll() {
    charts.forEach(ensure);
    if (window.gaplensAllDrawnAt == null) window.gaplensAllDrawnAt = performance.now();  // read by benchmarks/bench_report.py
    return charts.filter(function (c) { return c.plot.data; }).length;
  }
  const observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      const c = CHART_BY_FIG.get(e.target);
      if (!c) return;
      c.seen = true;
      c.near = e.isIntersecting;
      if (c.near && c.stale) queue.push(c);
    });
    pump();
  }, { rootMargin: "600px 0px" }) : null;
  const CHART_BY_FIG = new Map();
  const queue = [];
  let pumping = false;
  // the charts that came near the viewport, drawn in slices so the page stays responsive
  function pump() {
    if (pumping) return;
    pumping = true;
    (function slice() {
      const started = performance.now();
      while (queue.length && performance.now() - started < 40) plot(queue.shift());
      if (queue.length) { setTimeout(slice, 0); return; }
      pumping = false;
      firstScreen();
    })();
  }
  function redraw() {
    hooks.forEach(function (h) { h(); });
    charts.forEach(paint);
    listHits();
    writeHash();
  }
  // --- any screen: narrow plots get small margins, automatic margins and short labels ----
  function narrow() { return window.innerWidth < 640; }
  function shortLabel(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + "…" : s; }
  function shortTicks(cats, n) { return narrow() ? { tickmode: "array", tickvals: cats, ticktext: cats.map(function (x) { return shortLabel(x, n); }) } : {}; }
  function fitScreen(layout) {
    Object.keys(layout).forEach(function (k) { if (layout[k] === undefined) delete layout[k]; });
    if (!narrow()) return;
    // automatic margins cost a second layout pass per chart: on narrow screens only
    Object.keys(layout).forEach(function (k) {
      if (/^[xy]axis\d*$/.test(k) && layout[k].automargin == null) layout[k] = Object.assign({ automargin: true }, layout[k]);
    });
    if (!layout.xaxis) layout.xaxis = { automargin: true };
    if (!layout.yaxis) layout.yaxis = { automargin: true };
    const m = layout.margin || {};
    layout.margin = Object.assign({}, m, { l: Math.min(m.l == null ? 60 : m.l, 40), r: Math.min(m.r == null ? 20 : m.r, 8) });
    layout.font = Object.assign({}, layout.font, { size: 10 });
    if (layout.legend) layout.legend = Object.assign({}, layout.legend, { font: { size: 9 } });
  }

  // --- a named model, highlighted in every chart that shows it ---------------------------
  // Traces that draw models carry the model's id or name in customdata; the named model's
  // points get a ring and a label, every other point is dimmed.
  function searched() {
    const q = String(state.search || "").trim().toLowerCase();
    if (!q) return null;
    const name = function (m) { return String(m.display_name || m.model_id).toLowerCase(); };
    let found = MODELS.filter(function (m) { return name(m) === q || String(m.model_id).toLowerCase() === q; });
    if (!found.length) found = MODELS.filter(function (m) { return name(m).indexOf(q) >= 0; });
    if (found.length !== 1 && !(found.length && name(found[0]) === q)) {
      return found.length ? { ambiguous: found.length } : { display_name: state.search.trim(), model_id: null };
    }
    return found[0];
  }
  function isHit(cd, m) {
    if (cd == null || !m || m.ambiguous) return false;
    return cd === m.model_id || String(cd).toLowerCase() === String(m.display_name || "").toLowerCase();
  }
  function highlight(traces, m) {
    if (!m || m.ambiguous) return 0;
    const found = traces.map(function (t) {
      const idx = [];
      (t.customdata || []).forEach(function (cd, i) { if (isHit(cd, m)) idx.push(i); });
      return idx;
    });
    const hits = found.reduce(function (a, idx) { return a + idx.length; }, 0);
    if (!hits) return 0;
    const extra = [];
    traces.forEach(function (t, k) {
      if (!t.customdata) return;
      if (t.type === "bar") {
        t.marker = Object.assign({}, t.marker, { opacity: t.customdata.map(function (cd) { return isHit(cd, m) ? 1 : 0.3; }),
                                                 line: { color: "#000", width: t.customdata.map(function (cd) { return isHit(cd, m) ? 3 : 0; }) } });
        return;
      }
      t.opacity = 0.3;
      const idx = found[k];
      if (!idx.length) return;
      extra.push({ type: "scatter", mode: "markers+text", meta: "search", name: "named model", showlegend: false, xaxis: t.xaxis, yaxis: t.yaxis,
                   x: idx.map(function (i) { return t.x[i]; }), y: idx.map(function (i) { return t.y[i]; }),
                   text: idx.map(function () { return "<b>" + esc(m.display_name || m.model_id) + "</b>"; }), textposition: "top center", textfont: { size: 11, color: "#000" },
                   marker: { size: 16, color: "rgba(0,0,0,0)", line: { width: 2.5, color: "#000" } }, hoverinfo: "skip", cliponaxis: false });
    });
    extra.forEach(function (t) { traces.push(t); });
    return hits;
  }
  function listHits() {
    const where = document.getElementById("search-where");
    where.textContent = "";
    const m = searched();
    if (!m) return;
    if (m.ambiguous) { where.appendChild(el("span", { text: m.ambiguous + " models match \u201c" + state.search.trim() + "\u201d: type more of the name." })); return; }
    const shown = charts.filter(function (c) { return c.hits > 0; });
    where.appendChild(el("span", { text: (m.display_name || m.model_id) + (shown.length ? " appears in: " : " is not drawn in any chart for this choice.") }));
    shown.forEach(function (c, i) {
      const b = el("button", { type: "button", cls: "link", "data-chart": c.id, text: c.title + " (" + c.hits + ")" });
      b.addEventListener("click", function () { ensure(c); c.fig.scrollIntoView({ behavior: "smooth", block: "start" }); });
      where.appendChild(b);
      if (i < shown.length - 1) where.appendChild(document.createTextNode(" · "));
    });
  }
  function table(parent, rows, columns, caption) {
    const t = el("table", { cls: "data" });
    const box = el("div", { cls: "tablebox" }, t);
    if (caption) t.appendChild(el("caption", { text: caption }));
    const head = el("tr", {});
    columns.forEach(function (c) { head.appendChild(el("th", { text: c[1] })); });
    t.appendChild(el("thead", {}, head));
    const body = el("tbody", {});
    rows.forEach(function (r) {
      const tr = el("tr", {});
      columns.forEach(function (c) {
        const v = typeof c[2] === "function" ? c[2](r) : r[c[0]];
        tr.appendChild(el("td", { cls: typeof v === "number" ? "num" : "", text: v == null ? "" : (typeof v === "number" ? fmt(v, c[3] == null ? 2 : c[3]) : String(v)) }));
      });
      body.appendChild(tr);
    });
    t.appendChild(body);
    parent.appendChild(box);
    return t;
  }
  function replaceTable(holder, rows, columns) {
    holder.textContent = "";
    if (!rows.length) { holder.appendChild(el("p", { cls: "note", text: "None." })); return; }
    table(holder, rows, columns);
  }

  // --- controls -----------------------------------------------------------------------
  let selHeat = null;  // the heat map's metric (made with its chart)
  const selDef = document.getElementById("ctl-definition");
  META.definitions.forEach(function (d) { selDef.appendChild(el("option", { value: d.key, text: d.key })); });
  const selDomain = document.getElementById("ctl-domain");
  selDomain.appendChild(el("option", { value: "general", text: "General (all domains)" }));
  DOMAINS.forEach(function (d) { selDomain.appendChild(el("option", { value: d.domain, text: d.label || d.domain })); });
  const inFrom = document.getElementById("ctl-from"), inTo = document.getElementById("ctl-to");
  inFrom.min = inTo.min = META.date_from; inFrom.max = inTo.max = META.date_to;
  const inSearch = document.getElementById("ctl-search");
  const names = document.getElementById("model-names");
  uniq(MODELS.map(function (m) { return m.display_name || m.model_id; })).sort().forEach(function (n) { names.appendChild(el("option", { value: n })); });
  const hint = document.getElementById("ctl-hint");
  const controls = document.getElementById("controls");
  if (window.matchMedia && window.matchMedia("(max-width: 700px)").matches) controls.open = false;  // a phone: collapsed
  function setHint() {
    hint.textContent = DEFS[state.definition].description + ". Closed = API or hosted access.";
    document.getElementById("ctl-summary").textContent = state.definition + ", " + (state.domain === "general" ? "all domains" : label(state.domain)) + ", " + state.from + " to " + state.to + (state.search ? ", " + state.search : "");
    printStamp();
  }
  function syncControls() {
    selDef.value = state.definition; selDomain.value = state.domain;
    inFrom.value = state.from; inTo.value = state.to; inSearch.value = state.search || "";
    if (selHeat) selHeat.value = state.heat;
    setHint();
  }
  selDef.addEventListener("change", function () { state.definition = selDef.value; setHint(); redraw(); });
  selDomain.addEventListener("change", function () { state.domain = selDomain.value; setHint(); redraw(); });
  function dates() {
    if (inFrom.value && inTo.value && inFrom.value <= inTo.value) {
      state.from = inFrom.value; state.to = inTo.value; setHint(); redraw();
    }
  }
  inFrom.addEventListener("change", dates);
  inTo.addEventListener("change", dates);
  function searchChanged() {
    if ((state.search || "") === inSearch.value.trim()) return;
    state.search = inSearch.value.trim(); setHint(); redraw();
  }
  inSearch.addEventListener("change", searchChanged);
  inSearch.addEventListener("search", searchChanged);
  document.getElementById("ctl-reset").addEventListener("click", function () {
    state.definition = META.default_definition; state.domain = "general";
    state.from = META.date_from; state.to = META.date_to; state.search = ""; state.heat = "gap";
    syncControls(); redraw();
  });

  // --- the view in the address: #def=...&domain=...&from=...&to=...&q=...&heat=... ------
  // A link with this hash opens the same view; every change of a control rewrites it.
  const HASH = [["def", "definition", META.default_definition], ["domain", "domain", "general"], ["from", "from", META.date_from],
                ["to", "to", META.date_to], ["q", "search", ""], ["heat", "heat", "gap"]];
  function isDate(v) { return /^\d{4}-\d{2}-\d{2}$/.test(v) && v >= META.date_from && v <= META.date_to; }
  function readHash() {
    const h = location.hash.replace(/^#/, "");
    if (h.indexOf("=") < 0) return false;
    const p = new URLSearchParams(h);
    const v = function (k) { return p.get(k); };
    if (DEFS[v("def")]) state.definition = v("def");
    if (v("domain") === "general" || DOMAIN_LABEL[v("domain")] != null) state.domain = v("domain");
    const from = isDate(v("from")) ? v("from") : state.from, to = isDate(v("to")) ? v("to") : state.to;
    if (from <= to) { state.from = from; state.to = to; }
    if (v("q") != null) state.search = v("q").slice(0, 200);
    if (v("heat") === "gap" || v("heat") === "lag") state.heat = v("heat");
    return true;
  }
  function writeHash() {
    const p = new URLSearchParams();
    HASH.forEach(function (k) { if (state[k[1]] && state[k[1]] !== k[2]) p.set(k[0], state[k[1]]); });
    const text = p.toString();
    const url = location.pathname + location.search + (text ? "#" + text : "");
    try { history.replaceState(null, "", url); } catch (err) { if (text) location.hash = text; }
  }
  window.addEventListener("hashchange", function () { if (readHash()) { syncControls(); redraw(); } });
  // the navigation scrolls without replacing the view in the address
  document.querySelectorAll("header.top nav a").forEach(function (a) {
    a.addEventListener("click", function (e) {
      const target = document.getElementById(a.getAttribute("href").slice(1));
      if (target) { e.preventDefault(); target.scrollIntoView({ behavior: "smooth", block: "start" }); }
    });
  });

  // --- print: the definition and the data date on every printed page ---------------------
  const pageStyle = el("style", { id: "print-page-style" });
  document.head.appendChild(pageStyle);
  function printStamp() {
    const text = "Open means " + state.definition + " (" + DEFS[state.definition].description + ") · data as of " + META.as_of +
      (state.to < META.as_of ? " · window " + state.from + " to " + state.to : "") + " · gaplens " + META.gaplens_version;
    document.getElementById("print-stamp").textContent = text;
    // page margin boxes repeat it on every printed page (CSS Paged Media)
    pageStyle.textContent = "@media print { @page { margin: 16mm 10mm 14mm; @top-left { content: " + JSON.stringify(text) +
      "; font: 8pt system-ui, sans-serif; color: #444; } @bottom-right { content: counter(page) \" / \" counter(pages); font: 8pt system-ui, sans-serif; color: #444; } } }";
  }
  state.search = ""; state.heat = "gap";
  readHash();
  syncControls();

  // --- the claims of the debate, each with its computed verdict ---------------------------
  const VERDICT_TEXT = { supported: "supported", mixed: "mixed", not_supported: "not supported", not_enough_data: "not enough data" };
  function claimList() { return D().claims || []; }
  function claimOf(key) { return claimList().filter(function (c) { return c.key === key; })[0] || null; }
  function badge(verdict) { return el("span", { cls: "verdict v-" + verdict, text: VERDICT_TEXT[verdict] || verdict }); }
  function claimNumber(key) { return claimList().map(function (c) { return c.key; }).indexOf(key) + 1; }
  // A section opens with the sentences of its claims (nothing when there are none).
  function claimLead(parent, keys) {
    const holder = el("div", { cls: "claim-lead", "data-claims": keys.join(" ") });
    parent.appendChild(holder);
    hooks.push(function () {
      holder.textContent = "";
      keys.forEach(function (k) {
        const c = claimOf(k);
        if (!c) return;
        holder.appendChild(el("p", { "data-claim": k }, el("span", { cls: "claim-n", text: "Claim " + claimNumber(k) }), " ", badge(c.verdict), " ",
                              strong(c.title + ". "), c.sentence));
      });
      holder.style.display = holder.childNodes.length ? "" : "none";
    });
    return holder;
  }
  const ANY_CLAIMS = Object.keys(DATA.by_definition).some(function (k) { return (DATA.by_definition[k].claims || []).length > 0; });
  function hasClaim(keys) {
    return Object.keys(DATA.by_definition).some(function (k) {
      return (DATA.by_definition[k].claims || []).some(function (c) { return keys.indexOf(c.key) >= 0; });
    });
  }
  function evidence(key) { const c = claimOf(key); return c ? rec(c.evidence) : []; }

  // === 1. headline ======================================================================
  const s1 = section("headline",
    "The gap between open-weight and closed models is usually quoted as one distance on a composite index. Read by domain, it is a map: small in some places, wide in others.");
  const stale = DATA.index_warnings.filter(function (w) { return w.indexOf("changed since this fit") >= 0; });
  if (stale.length) {
    s1.appendChild(el("p", { cls: "banner", id: "stale-fit" }, strong("The capability index is out of date. "),
      stale[0] + ". Its charts show the stored fit; the per-benchmark gap, frontiers, lifecycle and composite use the current data."));
  }
  // How current the data are: each source's newest data date and its age on the day the
  // report was written, and one banner when the newest are more than 90 days old.
  const fresh = META.freshness;
  if (fresh) {
    const dated = fresh.sources.filter(function (r) { return r.data_through; });
    s1.appendChild(el("p", { cls: "note", id: "data-through" }, strong("Data through. "),
      (dated.length ? dated.map(function (r) { return r.kind + " " + r.data_through + " (" + r.age_days + " days old)"; }).join(", ") : "no dated data") +
      ", counted on " + fresh.today + "; sources and where they came from under Data and methods."));
    if (fresh.stale) {
      s1.appendChild(el("p", { cls: "banner", id: "stale-data" }, strong("Old data. "),
        "The newest data are " + fresh.age_days + " days old (" + fresh.newest_data_through + "): run 'gaplens update' for current data, then write the report again."));
    }
  }
  const headText = el("div", { cls: "headline", id: "headline-text" });
  const cards = el("div", { cls: "cards", id: "headline-cards" });
  s1.appendChild(headText);
  // What the data say: every claim with its verdict, in words (not colour alone).
  const claimBox = el("div", { cls: "claims", id: "claims" });
  s1.appendChild(claimBox);
  s1.appendChild(cards);
  hooks.push(function () {
    claimBox.textContent = "";
    const list = claimList();
    claimBox.style.display = list.length ? "" : "none";
    if (!list.length) return;
    claimBox.appendChild(el("h3", { text: "What the data say" }));
    const ol = el("ol", { id: "claims-list" });
    list.forEach(function (c) {
      ol.appendChild(el("li", { "data-claim": c.key, "data-verdict": c.verdict }, strong(c.title), " ", badge(c.verdict), " ", el("span", { cls: "sentence", text: c.sentence })));
    });
    claimBox.appendChild(ol);
  });

  function aaAt(date) {
    // The one number on the map's footing: the newest AA snapshot on or before the map's
    // date, read with the map's estimators (gap in AA index points, lag in months).
    const rows = rec(D().published_lag).filter(function (r) { return date && r.snapshot <= date; });
    return rows.length ? { at: rows[rows.length - 1] } : null;
  }
  function usable(rows) {
    return rows.filter(function (r) { return r.status !== "too_few_models" && r.status !== "no_current_evidence" && num(r.gap); });
  }
  function notCurrent(rows) {
    return rows.filter(function (r) { return r.status === "no_current_evidence"; });
  }
  // The map in the headline: as of the report date or, when the window ends earlier, as of
  // the last quarter end inside the window (computed when the report was written).
  function view() {
    const d = D();
    if (state.to >= META.as_of) {
      return { date: META.as_of, past: false, rows: usable(rec(d.gap)), stale: notCurrent(rec(d.gap)), aa: aaAt(META.as_of),
               general: rec(d.index_gap).filter(function (r) { return r.scope === "general"; })[0] };
    }
    const hist = rec(d.gap_history).filter(function (r) { return r.as_of <= state.to; });
    const date = hist.length ? hist[hist.length - 1].as_of : null;
    const tl = rec(d.index_timeline).filter(function (r) { return r.scope === "general" && date && r.month <= date; });
    const g = tl[tl.length - 1];
    const then = hist.filter(function (r) { return r.as_of === date; });
    return { date: date, past: true, rows: usable(then), stale: notCurrent(then), aa: date ? aaAt(date) : null,
             general: g ? { lag_months: g.lag_months, lag_months_ci_low: g.lag_ci_low, lag_months_ci_high: g.lag_ci_high, gap: g.gap, gap_ci_low: g.gap_ci_low, gap_ci_high: g.gap_ci_high,
                            closed_leader: g.closed_leader, open_leader: g.open_leader, month: g.month } : null };
  }
  function viewDate() { const v = view(); return v.date || META.as_of; }
  function card(k, v, s) { return el("div", { cls: "card" }, el("div", { cls: "k", text: k }), el("div", { cls: "v", text: v }), el("div", { cls: "s", text: s })); }
  hooks.push(function () {
    const d = D(), v = view(), aa = v.aa, rows = v.rows, general = v.general;
    headText.textContent = "";
    if (v.past) {
      headText.appendChild(el("p", { cls: "banner", id: "past-view" }, strong("An earlier map. "),
        v.date ? "The window ends on " + state.to + ": the numbers below are as of " + v.date + ", the last quarter end inside it (" + META.n_draws_history + "-draw intervals). Move the end of the window back to " + META.as_of + " for today's map."
               : "The window ends before the earliest map computed (" + META.history_from + ")."));
    }
    if (aa) {
      headText.appendChild(el("p", { id: "headline-one-number" }, strong("The one number, read like the map. "),
        "On the Artificial Analysis Intelligence Index (snapshot " + aa.at.snapshot + ", the last on or before " + v.date + "), the best closed model, " + aa.at.closed_model + " (" + fmt(aa.at.closed_level) + "), leads the best open model, " + aa.at.open_model + " (" + fmt(aa.at.open_level) + "), by " + fmt(aa.at.gap) + " index points " + ci(aa.at.gap_ci_low, aa.at.gap_ci_high) + ". Read with the estimator every domain below is read with, that is a lag of ",
        strong(fmt(aa.at.lag_months) + " months " + ci(aa.at.lag_months_ci_low, aa.at.lag_months_ci_high)), "."));
    }
    if (rows.length) {
      const byGap = rows.slice().sort(function (a, b) { return b.gap - a.gap; });
      const lags = rows.filter(function (r) { return num(r.lag_months); }).map(function (r) { return r.lag_months; });
      const wide = byGap[0], narrow = byGap[byGap.length - 1];
      headText.appendChild(el("p", {}, strong("The map. "),
        "As of " + v.date + ", across the " + rows.length + " domains with enough open and closed models, the best open model trails by ",
        strong(fmt(narrow.gap) + " to " + fmt(wide.gap) + " points"), " of normalised benchmark score and by ",
        strong(fmt(Math.min.apply(null, lags)) + " to " + fmt(Math.max.apply(null, lags)) + " months"),
        ". Widest: " + wide.label + " (" + fmt(wide.gap) + " points " + ci(wide.gap_ci_low, wide.gap_ci_high) + ", " + fmt(wide.lag_months) + " months). Narrowest: " + narrow.label + " (" + fmt(narrow.gap) + " points)." +
        (rows.some(function (r) { return r.coverage_limited; }) ? " A gap in coverage as much as in capability where stronger or newer open models were never run: " + rows.filter(function (r) { return r.coverage_limited; }).map(function (r) { return r.label + " (" + r.coverage_limited_benchmarks + ")"; }).join(", ") + "." : "") +
        (v.stale.length ? " Left out for want of current evidence (no result in the " + META.recent_months + " months before " + v.date + "): " + v.stale.map(function (r) { return r.label + " (data through " + r.data_through + ")"; }).join(", ") + "." : "")));
    }
    if (general) {
      headText.appendChild(el("p", {}, strong("On one scale. "),
        "On the capability index, which places every benchmark on one scale (" + META.index_scale + "), open models trail by ",
        strong(fmt(general.lag_months) + " months " + ci(general.lag_months_ci_low, general.lag_months_ci_high)),
        " (" + fmt(general.gap) + " index points; " + general.closed_leader + " against " + general.open_leader + ")" +
        (num(general.lag_sig_months) ? "; " + fmt(general.lag_sig_months) + " months " + ci(general.lag_sig_months_ci_low, general.lag_sig_months_ci_high) + " counting a closed level as matched once open is no longer significantly below it" : "") + "."));
    }
    const fcRow = v.past ? null : rec(d.forecast).filter(function (r) { return r.scope === "general"; })[0];
    const openTrend = v.past ? null : rec(d.forecast_trends).filter(function (r) { return r.scope === "general" && r.group === "open"; })[0];
    if (general && fcRow && num(fcRow.catch_up_months) && openTrend && num(openTrend.slope_per_year) && openTrend.slope_per_year > 0) {
      const fromBest = (fcRow.closed_frontier - fcRow.open_frontier) / openTrend.slope_per_year * 12;
      headText.appendChild(el("p", { id: "headline-reconcile" }, strong("Looking back, looking forward. "),
        "The lag looks back: the best open model today scores what the closed frontier reached " + fmt(general.lag_months) + " months ago. The forecast looks forward: on the open frontier's trend (+" + fmt(openTrend.slope_per_year) + " index points a year) open models reach today's closed level (" + fmt(fcRow.closed_frontier) + ") in ",
        strong(fmt(fcRow.catch_up_months) + " months " + ci(fcRow.catch_up_ci_low, fcRow.catch_up_ci_high)),
        ". The two differ because the forecast starts from the open trend line (" + fmt(openTrend.trend_at_cutoff) + "), not from today's best open model (" + fmt(fcRow.open_frontier) + "): from that model at the same pace it would take " + fmt(fromBest) + " months, and the lag also reflects how fast the closed frontier rose, not how fast open is rising now."));
    }
    cards.textContent = "";
    if (aa) cards.appendChild(card("One number (AA index), as a lag", fmt(aa.at.lag_months) + " mo", "90 % " + ci(aa.at.lag_months_ci_low, aa.at.lag_months_ci_high) + "; gap " + fmt(aa.at.gap) + " AA points, snapshot " + aa.at.snapshot));
    if (general) cards.appendChild(card("Capability-index lag", fmt(general.lag_months) + " mo", "90 % " + ci(general.lag_months_ci_low, general.lag_months_ci_high) + "; gap " + fmt(general.gap) + " index points"));
    if (rows.length) {
      const w = rows.slice().sort(function (a, b) { return b.gap - a.gap; })[0];
      cards.appendChild(card("Widest domain gap", fmt(w.gap) + " pts", w.label + ", " + fmt(w.lag_months) + " months behind, as of " + v.date));
    }
    if (v.past) return;
    const fc = fcRow;
    if (fc && num(fc.catch_up_months)) cards.appendChild(card("Open reaches today's closed frontier", "in " + fmt(fc.catch_up_months) + " mo", "90 % " + ci(fc.catch_up_ci_low, fc.catch_up_ci_high) + " on current trends"));
    const c = d.composite;
    if (c && c.summary && aa && c.as_of === aa.at.snapshot) {
      const s = rec(c.summary)[0];
      cards.appendChild(card("The composite's weights", fmt(s.gap_ci_low) + "–" + fmt(s.gap_ci_high) + " pts", "the gap recomputed from AA's sub-evaluations under 90 % of sampled weightings (" + c.version + ", " + c.as_of + "); " + fmt(s.gap_recomputed) + " on AA's stated weights, against the " + fmt(c.published.gap) + " AA publishes"));
    }
  });

  claimLead(s1, ["domains_differ", "one_number"]);
  chart(s1, "profile", "The gap profile: score gap and lag in months per domain (90 % intervals)", function () {
    const v = view(), aa = v.aa, general = v.general;
    const rows = v.rows.slice().sort(function (a, b) { return a.gap - b.gap; });
    const TIERS = {};
    evidence("domains_differ").forEach(function (r) { TIERS[r.key] = r; });
    const ONE = "AA Intelligence Index (one number)", IDX = "Capability index (general)";
    const cats = (general ? [IDX] : []).concat(aa ? [ONE] : [], rows.map(function (r) { return esc(r.label); }));
    cats.reverse();
    const sel = function (r) { return r.key === state.domain; };
    const colours = rows.map(function (r) { return sel(r) ? ACCENT : CLOSED; });
    const sizes = rows.map(function (r) { return sel(r) ? 13 : 9; });
    const text = rows.map(function (r) {
      return hover(["<b>" + esc(r.label) + "</b>", "gap " + fmt(r.gap) + " points " + ci(r.gap_ci_low, r.gap_ci_high),
        "lag " + fmt(r.lag_months) + " months " + ci(r.lag_months_ci_low, r.lag_months_ci_high),
        "best closed: " + esc(r.closed_model) + " (" + fmt(r.closed_level) + ")", "best open: " + esc(r.open_model) + " (" + fmt(r.open_level) + ")",
        r.n_open + " open, " + r.n_closed + " closed models; " + r.n_benchmarks + " benchmarks",
        r.coverage_limited ? "coverage-limited: " + esc(r.coverage_limited_benchmarks) + " (stronger or newer open models not evaluated)" : "",
        TIERS[r.key] ? "rank " + TIERS[r.key].rank + " by gap, tier " + TIERS[r.key].tier + " (claim 1)" : ""]);
    });
    const traces = [
      { type: "scatter", mode: "markers", name: "gap (points)", x: rows.map(function (r) { return r.gap; }), y: rows.map(function (r) { return esc(r.label); }),
        error_x: errorBars(rows, "gap", "gap_ci_low", "gap_ci_high"), marker: { color: colours, size: sizes }, text: text, hovertemplate: "%{text}<extra></extra>", showlegend: false },
      { type: "scatter", mode: "markers", name: "lag (months)", x: rows.map(function (r) { return r.lag_months; }), y: rows.map(function (r) { return esc(r.label); }), xaxis: "x2",
        error_x: errorBars(rows, "lag_months", "lag_months_ci_low", "lag_months_ci_high"), marker: { color: colours, size: sizes }, text: text, hovertemplate: "%{text}<extra></extra>", showlegend: false },
    ];
    const shapes = [];
    if (aa) {
      // The one number on the lag axis only: months are one unit for every row, while AA's
      // index points are not normalised benchmark points.
      const a = [aa.at];
      traces.push({ type: "scatter", mode: "markers", x: [aa.at.lag_months], y: [ONE], xaxis: "x2", error_x: errorBars(a, "lag_months", "lag_months_ci_low", "lag_months_ci_high"),
        marker: { color: OPEN, size: 14, symbol: "diamond" }, showlegend: false,
        text: [hover(["<b>AA Intelligence Index</b>, snapshot " + aa.at.snapshot, "best closed " + esc(aa.at.closed_model) + " " + fmt(aa.at.closed_level), "best open " + esc(aa.at.open_model) + " " + fmt(aa.at.open_level),
          "gap " + fmt(aa.at.gap) + " AA index points " + ci(aa.at.gap_ci_low, aa.at.gap_ci_high), "lag " + fmt(aa.at.lag_months) + " months " + ci(aa.at.lag_months_ci_low, aa.at.lag_months_ci_high)])], hovertemplate: "%{text}<extra></extra>" });
      shapes.push({ type: "line", xref: "x2", yref: "paper", x0: aa.at.lag_months, x1: aa.at.lag_months, y0: 0, y1: 1, line: { color: OPEN, dash: "dot", width: 1.5 } });
    }
    if (general) {
      const g = [general];
      traces.push({ type: "scatter", mode: "markers", x: [general.lag_months], y: [IDX], xaxis: "x2", error_x: errorBars(g, "lag_months", "lag_months_ci_low", "lag_months_ci_high"),
        marker: { color: OPEN, size: 14, symbol: "diamond" }, showlegend: false,
        text: [hover(["<b>Capability index</b> (general)", "lag " + fmt(general.lag_months) + " months " + ci(general.lag_months_ci_low, general.lag_months_ci_high), "gap " + fmt(general.gap) + " index points", esc(general.closed_leader) + " vs " + esc(general.open_leader)])], hovertemplate: "%{text}<extra></extra>" });
    }
    const data = rows.slice().reverse().map(function (r) {
      return { domain: r.key, label: r.label, gap: r.gap, gap_ci_low: r.gap_ci_low, gap_ci_high: r.gap_ci_high, lag_months: r.lag_months, lag_ci_low: r.lag_months_ci_low, lag_ci_high: r.lag_months_ci_high,
               closed_model: r.closed_model, closed_level: r.closed_level, open_model: r.open_model, open_level: r.open_level, n_open: r.n_open, n_closed: r.n_closed, benchmarks: r.benchmarks };
    });
    if (aa) data.unshift({ domain: "aa_intelligence_index", label: "AA Intelligence Index " + aa.at.snapshot + ", AA index points", gap: aa.at.gap, gap_ci_low: aa.at.gap_ci_low, gap_ci_high: aa.at.gap_ci_high, lag_months: aa.at.lag_months, lag_ci_low: aa.at.lag_months_ci_low, lag_ci_high: aa.at.lag_months_ci_high, closed_model: aa.at.closed_model, closed_level: aa.at.closed_level, open_model: aa.at.open_model, open_level: aa.at.open_level, n_open: aa.at.n_open, n_closed: aa.at.n_closed });
    if (general) data.unshift({ domain: "capability_index", label: "Capability index (general), index points", gap: general.gap, gap_ci_low: general.gap_ci_low, gap_ci_high: general.gap_ci_high, lag_months: general.lag_months, lag_ci_low: general.lag_months_ci_low, lag_ci_high: general.lag_months_ci_high, closed_model: general.closed_leader, open_model: general.open_leader });
    // On a phone the two panels are stacked (each with the full width) instead of side by side.
    const stack = narrow(), ly = stack ? "y2" : "y";
    if (stack) traces.forEach(function (t) { if (t.xaxis === "x2") t.yaxis = "y2"; });
    shapes.forEach(function (sh) { if (stack) { sh.yref = "y2 domain"; } });
    const yax = Object.assign({ categoryorder: "array", categoryarray: cats, automargin: true }, shortTicks(cats, 16));
    return {
      traces: traces, rows: data, height: (110 + 30 * cats.length) * (stack ? 2 : 1),
      layout: { shapes: shapes, margin: { l: 230, r: 20, t: 30, b: 50 },
        xaxis: { domain: stack ? [0, 1] : [0, 0.47], anchor: "y", title: { text: stack ? "score gap (points, 0–100)" : "score gap: best closed − best open (points, 0–100)" }, zeroline: true, gridcolor: "#eef0f3" },
        xaxis2: { domain: stack ? [0, 1] : [0.53, 1], anchor: ly, title: { text: "lag (months)" }, zeroline: true, gridcolor: "#eef0f3" },
        yaxis: Object.assign({ domain: stack ? [0.56, 1] : [0, 1] }, yax),
        yaxis2: stack ? Object.assign({ domain: [0, 0.44] }, yax) : undefined,
        annotations: aa ? [{ xref: "x2", yref: stack ? "y2 domain" : "paper", x: aa.at.lag_months, y: 1.0, yanchor: "bottom", text: "one number: " + fmt(aa.at.lag_months) + " months", showarrow: false, font: { color: OPEN, size: 11 } }] : [] },
      empty: "No map computed as of a date inside this window (the earliest is " + META.history_from + ").",
      note: (v.date ? "As of " + v.date : "") + (general && general.month ? " (capability index: " + general.month + ")" : "") + ". Dots: best closed minus best open model per domain, read at each benchmark's last data (mean of the domain's benchmarks) and the horizontal distance between the open and closed frontiers (median over benchmarks); whiskers: 90 % bootstrap intervals, scores redrawn by their standard errors and benchmarks resampled (docs/intervals.md). Diamonds, on the lag axis only: the composite's single number (AA's index on the snapshot " + (aa ? aa.at.snapshot : "–") + ", read with the same estimator and bootstrap as every domain) and the lag on the capability index. Domains without current evidence are left out. Purple: the domain chosen above.",
    };
  });

  // === 1b. since the last update =========================================================
  const sSince = section("since", null);
  const sinceList = el("ul", { id: "since-update" });
  (DATA.since_update || []).forEach(function (line) { sinceList.appendChild(el("li", { text: line })); });
  sSince.appendChild(sinceList);

  // === 2. frontiers and lag =============================================================
  const s2 = section("frontiers",
    "The running best score of closed (solid) and open (dashed) models. Choose a domain above to see its benchmarks one by one; hover a step to see the model that set it.");
  function stepTrace(points, group, xa, ya, showlegend, end) {
    const xs = points.map(function (p) { return p.date; }), ys = points.map(function (p) { return p.level; });
    const txt = points.map(function (p) { return hover(["<b>" + esc(p.name) + "</b>", group + ", " + p.date, fmt(p.level)]); });
    const cd = points.map(function (p) { return p.model_id || p.name; });
    if (points.length) { xs.push(end); ys.push(ys[ys.length - 1]); txt.push(group + ": still the best on " + end); cd.push(null); }
    return { type: "scatter", mode: "lines+markers", x: xs, y: ys, xaxis: xa, yaxis: ya, name: group, legendgroup: group, showlegend: showlegend,
             line: { shape: "hv", color: group === "open" ? OPEN : CLOSED, dash: group === "open" ? "dash" : "solid", width: 2 },
             marker: { size: xs.map(function (_, i) { return i === xs.length - 1 ? 0 : 6; }), color: group === "open" ? OPEN : CLOSED },
             text: txt, customdata: cd, hovertemplate: "%{text}<extra></extra>" };
  }
  function panelLayout(n, titles, yTitle) {
    const cols = Math.min(narrow() ? 1 : 3, n), rowsN = Math.ceil(n / cols), layout = { annotations: [] };
    const gx = 0.06, gy = 0.5 / Math.max(rowsN, 1) * 0.4;
    for (let i = 0; i < n; i++) {
      const r = Math.floor(i / cols), c = i % cols;
      const x0 = c / cols + (c ? gx / 2 : 0), x1 = (c + 1) / cols - (c < cols - 1 ? gx / 2 : 0);
      const y1 = 1 - r / rowsN - (r ? gy / 2 : 0), y0 = 1 - (r + 1) / rowsN + (r < rowsN - 1 ? gy : 0);
      const sfx = i ? String(i + 1) : "";
      layout["xaxis" + sfx] = timeAxis({ domain: [x0, x1], anchor: "y" + sfx, tickfont: { size: 10 } });
      layout["yaxis" + sfx] = { domain: [y0, y1], anchor: "x" + sfx, gridcolor: "#eef0f3", tickfont: { size: 10 }, title: c === 0 ? { text: yTitle, font: { size: 10 } } : undefined };
      layout.annotations.push({ text: "<b>" + titles[i] + "</b>", xref: "paper", yref: "paper", x: (x0 + x1) / 2, y: y1, yanchor: "bottom", showarrow: false, font: { size: 11 } });
    }
    return { layout: layout, height: 60 + (narrow() ? 190 : 230) * rowsN };
  }
  function frontierPoints(rows) {
    const best = {}, out = { open: [], closed: [] };
    rows.slice().sort(function (a, b) { return a.date < b.date ? -1 : a.date > b.date ? 1 : b.level - a.level; }).forEach(function (r) {
      if (r.group !== "open" && r.group !== "closed") return;
      if (best[r.group] == null || r.level > best[r.group]) { best[r.group] = r.level; out[r.group].push(r); }
    });
    return out;
  }
  function domainIndexRows(domain) {
    const rows = domain === "general" ? MODELS.map(function (m) { return { model_id: m.model_id, index: m.index, index_ci_low: m.index_ci_low, index_ci_high: m.index_ci_high }; })
      : rec(DATA.domain_levels).filter(function (r) { return r.domain === domain; });
    return rows.map(function (r) {
      const m = MODEL_BY_ID[r.model_id] || {};
      return { model_id: r.model_id, name: m.display_name || r.model_id, date: m.release_date, accessibility: m.accessibility, group: groupOf(m.accessibility),
               organization: m.organization, level: r.index, lo: r.index_ci_low, hi: r.index_ci_high, n_benchmarks: m.n_benchmarks };
    }).filter(function (r) { return r.date && num(r.level); });
  }
  // A map over time: the gap (or lag) per domain at each of the quarter ends computed for
  // the report (gap_history) and today.
  const heatPick = el("p", { cls: "local" }, "Map over time shows: ");
  selHeat = el("select", { id: "ctl-heat" }, el("option", { value: "gap", text: "score gap (points)" }), el("option", { value: "lag", text: "lag (months)" }));
  selHeat.value = state.heat;
  selHeat.addEventListener("change", function () { state.heat = selHeat.value; redraw(); });
  heatPick.appendChild(selHeat);
  s2.appendChild(heatPick);
  function quarterName(date) {
    const m = Number(date.slice(5, 7));
    return date.slice(0, 4) + " Q" + Math.ceil(m / 3) + (/-(03-31|06-30|09-30|12-31)$/.test(date) ? "" : " (" + date.slice(5) + ")");
  }
  chart(s2, "heatmap", "The map over time: the gap per domain at each quarter end (90 % intervals in the hover)", function () {
    const d = D(), lag = state.heat === "lag";
    const today = rec(d.gap).map(function (r) { return Object.assign({ as_of: META.as_of }, r); });
    const all = rec(d.gap_history).concat(today).filter(function (r) { return r.as_of >= state.from && r.as_of <= state.to; });
    const dates = uniq(all.map(function (r) { return r.as_of; })).sort();
    const keys = DOMAINS.map(function (x) { return x.domain; }).filter(function (k) { return all.some(function (r) { return r.key === k; }); });
    if (!dates.length || !keys.length) return { rows: [], empty: "No map computed inside this window (the earliest is " + META.history_from + ")." };
    const xs = dates.map(function (x) { return x === META.as_of ? "now (" + x + ")" : quarterName(x); });
    const ys = keys.map(function (k) { return esc(label(k)); });
    const cell = {};
    all.forEach(function (r) { cell[r.key + "|" + r.as_of] = r; });
    const value = function (r) { return r && r.status !== "too_few_models" ? (lag ? r.lag_months : r.gap) : null; };
    const z = keys.map(function (k) { return dates.map(function (x) { const v = value(cell[k + "|" + x]); return num(v) ? v : null; }); });
    const text = keys.map(function (k) {
      return dates.map(function (x) {
        const r = cell[k + "|" + x];
        if (!r) return "";
        return hover(["<b>" + esc(label(k)) + "</b>, as of " + x, "gap " + fmt(r.gap) + " points " + ci(r.gap_ci_low, r.gap_ci_high), "lag " + fmt(r.lag_months) + " months " + ci(r.lag_months_ci_low, r.lag_months_ci_high),
                      r.status === "no_current_evidence" ? "no current evidence (data through " + r.data_through + ")" : r.status === "too_few_models" ? "too few open or closed models" : "",
                      r.n_open != null ? r.n_open + " open, " + r.n_closed + " closed models" : ""]);
      });
    });
    const traces = [{ type: "heatmap", x: xs, y: ys, z: z, text: text, hovertemplate: "%{text}<extra></extra>", colorscale: "Cividis", reversescale: true, xgap: 2, ygap: 2, hoverongaps: false,
                      colorbar: { title: { text: lag ? "months" : "points", side: "right" }, thickness: 12, len: 0.9 } }];
    const stale = all.filter(function (r) { return r.status === "no_current_evidence"; });
    if (stale.length) {
      traces.push({ type: "scatter", mode: "markers", name: "no current evidence", x: stale.map(function (r) { return xs[dates.indexOf(r.as_of)]; }), y: stale.map(function (r) { return esc(label(r.key)); }),
                    marker: { symbol: "x-thin", size: 12, line: { width: 2, color: OI.vermillion } }, hoverinfo: "skip", showlegend: true });
    }
    const rows = all.map(function (r) { return { as_of: r.as_of, domain: r.key, label: r.label, status: r.status, gap: r.gap, gap_ci_low: r.gap_ci_low, gap_ci_high: r.gap_ci_high, lag_months: r.lag_months, lag_ci_low: r.lag_months_ci_low, lag_ci_high: r.lag_months_ci_high, data_through: r.data_through }; });
    return { traces: traces, rows: rows, height: 90 + 30 * keys.length,
             layout: { xaxis: { type: "category", tickfont: { size: 10 } }, yaxis: Object.assign({ type: "category", autorange: "reversed", automargin: true }, shortTicks(ys, 14)), legend: { orientation: "h", y: 1.02, yanchor: "bottom", x: 1, xanchor: "right" }, margin: { l: 10, r: 10, t: 30, b: 40 } },
             note: (lag ? "Lag in months" : "Score gap in points (0–100)") + " of the best open model behind the best closed one, per domain, as of each quarter end (" + META.n_draws_history + "-draw intervals) and today (" + META.n_draws + " draws). Darker: wider. ✕: no result in the " + META.recent_months + " months before that date (no current evidence; the value is the last one measured). Blank: too few open or closed models." };
  });
  chart(s2, "frontiers", "Open and closed frontiers over time", function () {
    const traces = [], rows = [];
    let titles, yTitle;
    if (state.domain === "general") {
      const keys = uniq(rec(DATA.domain_levels).map(function (r) { return r.domain; }));
      titles = keys.map(function (k) { return esc(label(k)); });
      yTitle = "domain index";
      keys.forEach(function (k, i) {
        const pts = frontierPoints(domainIndexRows(k).filter(function (r) { return r.date <= state.to; }));
        const sfx = i ? String(i + 1) : "";
        ["closed", "open"].forEach(function (g) {
          traces.push(stepTrace(pts[g], g, "x" + sfx, "y" + sfx, i === 0, META.as_of));
          pts[g].forEach(function (p) { rows.push({ domain: k, group: g, release_date: p.date, level: p.level, model: p.name }); });
        });
      });
    } else {
      const fr = rec(D().frontiers).filter(function (r) { return r.domain === state.domain; });
      const names = uniq(fr.map(function (r) { return r.benchmark; })).sort();
      titles = names.map(esc);
      yTitle = "score (0–100)";
      names.forEach(function (b, i) {
        const sfx = i ? String(i + 1) : "";
        ["closed", "open"].forEach(function (g) {
          const pts = fr.filter(function (r) { return r.benchmark === b && r.group === g; }).map(function (r) { return { date: r.release_date, level: r.level, name: r.display_name }; });
          traces.push(stepTrace(pts, g, "x" + sfx, "y" + sfx, i === 0, META.as_of));
          pts.forEach(function (p) { rows.push({ benchmark: b, group: g, release_date: p.date, level: p.level, model: p.name }); });
        });
      });
    }
    if (!titles.length) return { rows: [] };
    const p = panelLayout(titles.length, titles, yTitle);
    p.layout.legend = { orientation: "h", y: 1.04, yanchor: "bottom", x: 1, xanchor: "right" };
    p.layout.margin = { l: 50, r: 15, t: 50, b: 30 };
    return { traces: traces, rows: rows, layout: p.layout, height: p.height,
             note: state.domain === "general" ? "Each panel is a domain's index (the general capability fit read on that domain's benchmarks; " + META.index_scale + "). Running maximum of the central estimates by release date." : "Normalised score: 0 = random guessing, 100 = the benchmark's ceiling. Each step is a model that beat every earlier model of its group." };
  });
  chart(s2, "lag", "The lag over time: months the open frontier trails the closed one", function () {
    const key = state.domain;
    const it = rec(D().index_timeline).filter(function (r) { return r.scope === key && r.month >= state.from && r.month <= state.to; });
    const traces = [];
    if (it.length) {
      const x = it.map(function (r) { return r.month; });
      traces.push({ type: "scatter", mode: "lines", x: x, y: it.map(function (r) { return r.lag_ci_low; }), line: { width: 0 }, hoverinfo: "skip", showlegend: false });
      traces.push({ type: "scatter", mode: "lines", x: x, y: it.map(function (r) { return r.lag_ci_high; }), line: { width: 0 }, fill: "tonexty", fillcolor: "rgba(204,121,167,0.22)", name: "90 % interval", hoverinfo: "skip" });
      traces.push({ type: "scatter", mode: "lines+markers", x: x, y: it.map(function (r) { return r.lag_months; }), name: "on the " + (key === "general" ? "capability index" : "domain index"), line: { color: ACCENT, width: 2.5 }, marker: { size: 4 },
        text: it.map(function (r) { return hover([r.month, "lag " + fmt(r.lag_months) + " months " + ci(r.lag_ci_low, r.lag_ci_high), "gap " + fmt(r.gap) + " index points", "closed: " + esc(r.closed_leader), "open: " + esc(r.open_leader)]); }), hovertemplate: "%{text}<extra></extra>" });
    }
    const bt = key === "general" ? [] : rec(D().gap_timeline).filter(function (r) { return r.key === key && r.date >= state.from && r.date <= state.to && num(r.lag_months); });
    if (bt.length) {
      traces.push({ type: "scatter", mode: "lines+markers", x: bt.map(function (r) { return r.date; }), y: bt.map(function (r) { return r.lag_months; }), name: "on the domain's benchmarks (median)", line: { color: CLOSED, dash: "dot" }, marker: { size: 4 },
        text: bt.map(function (r) { return hover([r.date, "lag " + fmt(r.lag_months) + " months " + ci(r.lag_ci_low, r.lag_ci_high), "gap " + fmt(r.gap) + " points", r.n_benchmarks + " benchmarks"]); }), hovertemplate: "%{text}<extra></extra>" });
    }
    const rows = it.map(function (r) { return { scope: key, measure: "index", month: r.month, lag_months: r.lag_months, lag_ci_low: r.lag_ci_low, lag_ci_high: r.lag_ci_high, gap: r.gap, closed_leader: r.closed_leader, open_leader: r.open_leader }; })
      .concat(bt.map(function (r) { return { scope: key, measure: "benchmarks", month: r.date, lag_months: r.lag_months, lag_ci_low: r.lag_ci_low, lag_ci_high: r.lag_ci_high, gap: r.gap, n_benchmarks: r.n_benchmarks }; }));
    return { traces: traces, rows: rows, layout: { xaxis: timeAxis(), yaxis: { title: { text: "months behind" }, gridcolor: "#eef0f3", rangemode: "tozero" }, legend: { orientation: "h", y: 1.02, yanchor: "bottom" }, margin: { l: 60, r: 20, t: 30, b: 40 } },
             empty: "No lag series for " + label(key) + " (too few open or closed models on its index).",
             note: "Lag at each month: how long before, closed models had already reached the level the best open model held then. " + (key === "general" ? "" : "The dotted line reads the domain's benchmarks on calendar months (a benchmark nobody runs any more adds a month each month, so it can run above the index line). ") + "Intervals: index bootstrap draws." };
  });

  // === 2b. benchmarks that resist copying (claims 2 and 6) ================================
  const GROUP_COLOURS = { "out-of-distribution": OI.vermillion, "in-distribution": OI.blue, "AA index component": OI.blue,
                          "mirror of a component": OI.sky, "not in the index": OI.vermillion };
  function median(xs) {
    const v = xs.filter(num).slice().sort(function (a, b) { return a - b; });
    if (!v.length) return null;
    const h = Math.floor(v.length / 2);
    return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
  }
  function lagByGroup(parent, key, title) {
    const c = chart(parent, "claim-" + key, title, function () {
      const claim = claimOf(key);
      if (!claim) return { rows: [], empty: "No claim computed for the definition " + state.definition + "." };
      const rows = rec(claim.evidence).filter(function (r) { return num(r.lag_months); });
      if (!rows.length) return { rows: [], empty: claim.sentence };
      const groups = uniq(rows.map(function (r) { return r.group; }));
      rows.sort(function (a, b) { return groups.indexOf(a.group) - groups.indexOf(b.group) || a.lag_months - b.lag_months; });
      const ys = rows.map(function (r) { return esc(r.benchmark); });
      const colour = function (g, i) { return GROUP_COLOURS[g] || PALETTE[i % PALETTE.length]; };
      const traces = [], shapes = [], notes = [];
      groups.forEach(function (g, i) {
        const part = rows.filter(function (r) { return r.group === g; });
        traces.push({ type: "scatter", mode: "markers", name: esc(g), x: part.map(function (r) { return r.lag_months; }), y: part.map(function (r) { return esc(r.benchmark); }),
          error_x: errorBars(part, "lag_months", "lag_months_ci_low", "lag_months_ci_high", colour(g, i)),
          marker: { color: colour(g, i), size: 9, symbol: part.map(function (r) { return r.close_or_ahead ? "diamond" : "circle"; }), line: { width: 1, color: "#fff" } },
          text: part.map(function (r) { return hover(["<b>" + esc(r.benchmark) + "</b> (" + esc(label(r.domain)) + ")", esc(g) + (r.aa_evaluation ? ": " + esc(r.aa_evaluation) : ""),
            "lag " + fmt(r.lag_months) + " months " + ci(r.lag_months_ci_low, r.lag_months_ci_high), "gap " + fmt(r.gap) + " points " + ci(r.gap_ci_low, r.gap_ci_high), r.close_or_ahead ? "open models close or ahead" : ""]); }),
          hovertemplate: "%{text}<extra></extra>" });
        const m = median(part.map(function (r) { return r.lag_months; }));
        if (num(m)) {
          shapes.push({ type: "line", xref: "x", yref: "paper", x0: m, x1: m, y0: 0, y1: 1, line: { color: colour(g, i), dash: "dash", width: 1.5 } });
          notes.push("median " + g + ": " + fmt(m) + " months (" + part.length + " benchmarks)");
        }
      });
      return { traces: traces, rows: rows, height: 120 + 20 * rows.length,
               layout: { shapes: shapes, xaxis: { title: { text: "lag (months behind the closed frontier)" }, zeroline: true, zerolinecolor: "#888", gridcolor: "#eef0f3" },
                         yaxis: Object.assign({ type: "category", categoryorder: "array", categoryarray: ys.slice().reverse(), automargin: true, tickfont: { size: 10 } }, shortTicks(ys, 16)),
                         legend: { orientation: "h", y: 1.02, yanchor: "bottom" }, margin: { l: 10, r: 20, t: 30, b: 46 } },
               note: "Dots: lag per benchmark with its 90 % interval; dashed lines: group medians (" + notes.join("; ") + "). Diamonds: benchmarks where open models are close or ahead. " + (claim.notes || []).join(" ") };
    });
    c.fig.classList.add("claim-chart");
    return c;
  }
  if (hasClaim(["ood", "copyable"])) {
    const sR = section("resist", "Open models keep up where a benchmark can be copied or trained for, and fall behind where it cannot: the lag on out-of-distribution tests and on benchmarks outside the Artificial Analysis index, against the rest.");
    claimLead(sR, ["ood", "copyable"]);
    const gridR = el("div", { cls: "grid2" });
    sR.appendChild(gridR);
    lagByGroup(gridR, "ood", "Out-of-distribution tests against the rest: lag per benchmark");
    lagByGroup(gridR, "copyable", "In the AA index, a mirror of it, or neither: lag per benchmark");
  } else {
    const link = document.querySelector('header.top nav a[href="#resist"]');
    if (link) link.remove();
  }

  // === 3. capability index ==============================================================
  const s3 = section("index",
    "Every model on one scale fitted from all benchmarks (an item-response model in the manner of Epoch AI's Capabilities Index), coloured by how its weights are available. Click a legend entry to hide or show a class.");
  chart(s3, "index", "Models over time on the capability index (90 % intervals)", function () {
    const rows = domainIndexRows(state.domain).filter(function (r) { return inWindow(r.date); });
    const classes = uniq(rows.map(function (r) { return r.accessibility || "Unknown"; })).sort();
    const traces = classes.map(function (a) {
      const part = rows.filter(function (r) { return (r.accessibility || "Unknown") === a; });
      return { type: "scatter", mode: "markers", name: esc(a), x: part.map(function (r) { return r.date; }), y: part.map(function (r) { return r.level; }),
               error_y: errorBars(part, "level", "lo", "hi", "rgba(120,130,140,0.45)"), marker: { color: ACCESS_COLOURS[a] || NEITHER, size: 7, line: { width: 0.5, color: "#fff" } }, customdata: part.map(function (r) { return r.model_id; }),
               text: part.map(function (r) { return hover(["<b>" + esc(r.name) + "</b>", esc(r.organization), r.date, "index " + fmt(r.level) + " " + ci(r.lo, r.hi), esc(a) + " (" + r.group + ")"]); }), hovertemplate: "%{text}<extra></extra>" };
    });
    const pts = frontierPoints(rows);
    ["closed", "open"].forEach(function (g) {
      const t = stepTrace(pts[g], g, "x", "y", true, state.to);
      t.name = g + " frontier"; t.mode = "lines"; t.line.width = 1.5; t.hovertemplate = "%{text}<extra></extra>";
      traces.push(t);
    });
    return { traces: traces, height: 460, rows: rows.map(function (r) { return { model_id: r.model_id, model: r.name, organization: r.organization, release_date: r.date, accessibility: r.accessibility, group: r.group, index: r.level, ci_low: r.lo, ci_high: r.hi }; }),
             layout: { xaxis: timeAxis(), yaxis: { title: { text: state.domain === "general" ? "capability index" : esc(label(state.domain)) + " index" }, gridcolor: "#eef0f3" }, legend: { orientation: "h", y: -0.15 },
                       annotations: ["open", "closed"].reduce(function (acc, g) {
                         // the two best of each group: closed labelled above, open below
                         return acc.concat(extremeLabels(rows.filter(function (r) { return r.group === g; }), function (r) { return r.level; }, 2, function (r) { return r.date; }, function (r) { return r.level; }, function (r) { return r.name; })
                           .filter(function (a) { return a.ay < 0; }).map(function (a) { if (g === "open") { a.ay = -a.ay + 10; } return a; }));
                       }, []) },
             note: "Scale: " + META.index_scale + ". " + (state.domain === "general" ? "" : "Domain index: the general fit's benchmark parameters, the model's capability re-estimated on the domain's benchmarks only. ") + "Frontier lines: running maximum of the central estimates under the chosen definition of open." };
  });
  const grid3 = el("div", { cls: "grid2" });
  s3.appendChild(grid3);
  chart(grid3, "factors", "Latent factors: where models sit on the two main axes", function () {
    const f = D().factors;
    if (!f) return { empty: "No factor fit." };
    const axes = rec(f.axes), pos = rec(f.positions).filter(function (r) { return !r.release_date || inWindow(r.release_date); });
    const traces = ["closed", "open", "neither"].map(function (g) {
      const part = pos.filter(function (r) { return (r.group || "neither") === g; });
      return { type: "scatter", mode: "markers", name: g, x: part.map(function (r) { return r.position_1; }), y: part.map(function (r) { return r.position_2; }),
               marker: { color: g === "open" ? OPEN : g === "closed" ? CLOSED : NEITHER, size: 7, opacity: 0.8 }, customdata: part.map(function (r) { return r.model_id; }),
               text: part.map(function (r) { return hover(["<b>" + esc(r.display_name) + "</b>", esc(r.organization), esc(r.accessibility), "axis 1 " + fmt(r.position_1, 2) + ", axis 2 " + fmt(r.position_2, 2)]); }), hovertemplate: "%{text}<extra></extra>" };
    });
    const gr = rec(f.groups);
    const a = function (i) { const x = axes[i]; return x ? "axis " + x.axis + ": " + esc(x.label) + " (" + fmt(100 * x.share_of_spread, 0) + " %)" : ""; };
    return { traces: traces, rows: pos, height: 420, layout: { xaxis: { title: { text: a(0), font: { size: 11 } }, gridcolor: "#eef0f3" }, yaxis: { title: { text: a(1).replace(" vs ", "<br>vs "), font: { size: 11 } }, gridcolor: "#eef0f3" }, margin: { l: 70, r: 20, t: 16, b: 60 },
                                                               annotations: extremeLabels(pos, function (r) { return r.position_2; }, 2, function (r) { return r.position_1; }, function (r) { return r.position_2; }, function (r) { return r.display_name || r.model_id; }) },
             note: gr.map(function (r) { return "Axis " + r.axis + ": open minus closed mean position " + fmt(r.difference, 2) + " " + ci(r.ci_low, r.ci_high, 2) + "."; }).join(" ") + " Axis 1 is the capability index; axis 2 is what remains, labelled by the domains loading most on each end." };
  });
  chart(grid3, "loadings", "What the second axis measures: loading of each benchmark", function () {
    const f = D().factors;
    if (!f) return { empty: "No factor fit." };
    const rows = rec(f.loadings).filter(function (r) { return state.domain === "general" || r.domain === state.domain; }).sort(function (a, b) { return a.loading_2 - b.loading_2; });
    const keys = uniq(rec(f.loadings).map(function (r) { return r.domain; })).sort();
    const traces = uniq(rows.map(function (r) { return r.domain; })).sort().map(function (d) {
      const part = rows.filter(function (r) { return r.domain === d; });
      return { type: "bar", name: esc(label(d)), x: part.map(function (r) { return esc(r.benchmark); }), y: part.map(function (r) { return r.loading_2; }), marker: { color: colourOf(d, keys) },
               text: part.map(function (r) { return hover(["<b>" + esc(r.benchmark) + "</b>", esc(label(d)), "loading on axis 2: " + fmt(r.loading_2, 2), "on axis 1: " + fmt(r.loading_1, 2), r.n_models + " models"]); }), hovertemplate: "%{text}<extra></extra>", textposition: "none" };
    });
    return { traces: traces, rows: rows, height: 420, layout: { barmode: "relative", xaxis: { categoryorder: "array", categoryarray: rows.map(function (r) { return esc(r.benchmark); }), tickangle: -60, tickfont: { size: 9 } }, yaxis: { title: { text: "loading on axis 2" }, gridcolor: "#eef0f3" }, margin: { l: 60, r: 10, t: 16, b: 130 }, legend: { orientation: "h", y: 1.02, yanchor: "bottom", font: { size: 10 } } } };
  });

  // === 4. composite ====================================================================
  const s4 = section("composite",
    "The Artificial Analysis Intelligence Index averages its sub-evaluations with chosen weights. Recomputed from the sub-evaluations under weights drawn around the published ones, the gap and the leader move; this is the spread of the weighting choice alone.");
  chart(s4, "composite-time", "The one number over time: the gap on the published index, per weekly snapshot", function () {
    const rows = rec(D().published_gap);
    const change = META.composite_change;
    const traces = [{ type: "scatter", mode: "lines+markers", name: "gap", x: rows.map(function (r) { return r.snapshot; }), y: rows.map(function (r) { return r.gap; }), line: { color: OPEN, width: 2.5, shape: "hv" },
      text: rows.map(function (r) { return hover([r.snapshot, "gap " + fmt(r.gap) + " points", "closed: " + esc(r.closed_model) + " " + fmt(r.closed_level), "open: " + esc(r.open_model) + " " + fmt(r.open_level), r.n_open + " open, " + r.n_closed + " closed models"]); }), hovertemplate: "%{text}<extra></extra>" }];
    const shapes = change ? [{ type: "line", xref: "x", yref: "paper", x0: change, x1: change, y0: 0, y1: 1, line: { color: "#888", dash: "dash" } }] : [];
    return { traces: traces, rows: rows, height: 300, layout: { shapes: shapes, xaxis: { type: "date", gridcolor: "#eef0f3" }, yaxis: { title: { text: "best closed − best open (points)" }, gridcolor: "#eef0f3", rangemode: "tozero" },
      annotations: change ? [{ x: change, y: 1, xref: "x", yref: "paper", text: "composition changed", showarrow: false, yanchor: "bottom", font: { size: 10, color: "#666" } }] : [] },
      empty: "No Artificial Analysis snapshot in the warehouse on or before " + META.as_of + ".",
      note: change ? "From " + change + " the published index no longer matches its recomputation from the sub-evaluations: AA changed its composition, so the series is not one measure throughout." : "" };
  });
  const grid4 = el("div", { cls: "grid2" });
  s4.appendChild(grid4);
  chart(grid4, "composite-gap", "Distribution of the gap under sampled weights", function () {
    const c = D().composite;
    if (!c || !c.gap_draws.length) return { empty: "No composite recomputation: it needs an Artificial Analysis snapshot with sub-evaluations on or before " + META.as_of + "." };
    const s = rec(c.summary)[0], alts = rec(c.alternatives);
    const traces = [{ type: "histogram", x: c.gap_draws, name: "sampled weights", marker: { color: "rgba(0,114,178,0.7)" }, nbinsx: 40, hovertemplate: "gap %{x}<br>%{y} draws<extra></extra>" },
      { type: "scatter", mode: "markers", name: "named alternatives", x: alts.map(function (a) { return a.gap; }), y: alts.map(function () { return 0; }), marker: { color: ACCENT, size: 10, symbol: "triangle-up" },
        text: alts.map(function (a) { return hover(["<b>" + esc(a.name) + "</b>", "gap " + fmt(a.gap), "leader " + esc(a.leader), "top-10 overlap " + fmt(100 * a.top10_overlap, 0) + " %"]); }), hovertemplate: "%{text}<extra></extra>" }];
    const shapes = [{ type: "line", xref: "x", yref: "paper", x0: s.gap_recomputed, x1: s.gap_recomputed, y0: 0, y1: 1, line: { color: OPEN, width: 2 } },
      { type: "line", xref: "x", yref: "paper", x0: s.gap_ci_low, x1: s.gap_ci_low, y0: 0, y1: 1, line: { color: "#888", dash: "dot" } },
      { type: "line", xref: "x", yref: "paper", x0: s.gap_ci_high, x1: s.gap_ci_high, y0: 0, y1: 1, line: { color: "#888", dash: "dot" } }];
    return { traces: traces, rows: c.gap_draws.map(function (g, i) { return { draw: i, gap: g }; }), height: 340,
             layout: { shapes: shapes, xaxis: { title: { text: "gap: best closed − best open (points)" }, gridcolor: "#eef0f3" }, yaxis: { title: { text: "draws" }, gridcolor: "#eef0f3" }, legend: { orientation: "h", y: 1.02, yanchor: "bottom" }, margin: { l: 60, r: 20, t: 30, b: 46 } },
             note: c.version + " recomputed on the " + c.as_of + " snapshot (" + c.n_models + " models with every sub-evaluation: " + c.n_open + " open, " + c.n_closed + " closed, " + c.n_other + " neither). Recomputed on the published weights: " + fmt(s.gap_recomputed) + " points (orange line); AA's own published gap on that snapshot: " + fmt(c.published.gap) + " (" + esc(c.published.closed_leader) + " − " + esc(c.published.open_leader) + "); 90 % of " + s.draws + " sampled weightings of the recomputation: " + ci(s.gap_ci_low, s.gap_ci_high) + " (dotted). The leader changes in " + fmt(100 * s.leader_changed, 0) + " % of draws." };
  });
  chart(grid4, "composite-leaders", "Who leads under sampled weights", function () {
    const c = D().composite;
    if (!c) return { empty: "No composite recomputation (see above)." };
    const lead = rec(c.leaders).slice(0, 6), open = rec(c.open_leaders).slice(0, 8);
    const traces = [
      { type: "bar", orientation: "h", name: "overall leader", y: lead.map(function (r) { return esc(r.model); }), x: lead.map(function (r) { return 100 * r.share; }), customdata: lead.map(function (r) { return r.model; }), marker: { color: CLOSED }, hovertemplate: "%{y}<br>leads in %{x:.1f} % of draws<extra></extra>" },
      { type: "bar", orientation: "h", name: "best open model", y: open.map(function (r) { return esc(r.model); }), x: open.map(function (r) { return 100 * r.share; }), customdata: open.map(function (r) { return r.model; }), marker: { color: OPEN }, hovertemplate: "%{y}<br>best open in %{x:.1f} % of draws<extra></extra>" }];
    const rows = lead.map(function (r) { return { role: "overall leader", model: r.model, share: r.share }; }).concat(open.map(function (r) { return { role: "best open model", model: r.model, share: r.share }; }));
    return { traces: traces, rows: rows, height: 340, layout: { yaxis: { automargin: true, autorange: "reversed", tickfont: { size: 10 } }, xaxis: { title: { text: "share of weight draws (%)" }, range: [0, 100], gridcolor: "#eef0f3" }, legend: { orientation: "h", y: 1.02, yanchor: "bottom" }, margin: { l: 10, r: 20, t: 30, b: 46 } } };
  });

  // === 5. lifecycle ====================================================================
  const s5 = section("lifecycle",
    "Each benchmark from its release to saturation (when the top models can no longer be told apart near its ceiling), and the domains whose benchmarks still separate the frontier, quarter by quarter.");
  const LC = DATA.lifecycle;
  claimLead(s5, ["focus_shift"]);
  chart(s5, "saturation", "Saturation timeline per benchmark", function () {
    if (!LC) return { empty: "No lifecycle analysis." };
    const all = rec(LC.benchmarks);
    const keys = uniq(all.map(function (r) { return r.domain; })).sort();
    const rows = all.filter(function (r) { return (state.domain === "general" || r.domain === state.domain) && (r.release_date || r.first_result); })
      .sort(function (a, b) { return a.domain === b.domain ? ((a.release_date || a.first_result) < (b.release_date || b.first_result) ? -1 : 1) : (a.domain < b.domain ? -1 : 1); });
    const traces = uniq(rows.map(function (r) { return r.domain; })).map(function (d) {
      const x = [], y = [], t = [];
      rows.filter(function (r) { return r.domain === d; }).forEach(function (r) {
        const start = r.release_date || r.first_result, end = r.saturated_since || META.as_of;
        const info = hover(["<b>" + esc(r.benchmark) + "</b> (" + esc(label(d)) + ", " + r.test_set + ")", "released " + start, r.saturated ? "saturated since " + r.saturated_since : "status: " + esc(r.status), "frontier " + fmt(r.frontier) + " (" + esc(r.frontier_model) + ")", "50 %: " + (r.reached_50 || "not yet") + "; 80 %: " + (r.reached_80 || "not yet") + "; 90 %: " + (r.reached_90 || "not yet")]);
        x.push(start, end, null); y.push(esc(r.benchmark), esc(r.benchmark), null); t.push(info, info, null);
      });
      return { type: "scatter", mode: "lines", name: esc(label(d)), x: x, y: y, line: { width: 7, color: colourOf(d, keys) }, text: t, hovertemplate: "%{text}<extra></extra>", connectgaps: false };
    });
    const sat = rows.filter(function (r) { return r.saturated && r.saturated_since; });
    traces.push({ type: "scatter", mode: "markers", name: "saturated", x: sat.map(function (r) { return r.saturated_since; }), y: sat.map(function (r) { return esc(r.benchmark); }), marker: { symbol: "x-thin", size: 11, line: { width: 2.5, color: "#111" } }, hovertemplate: "saturated %{x}<extra></extra>" });
    const r80 = rows.filter(function (r) { return r.reached_80; });
    traces.push({ type: "scatter", mode: "markers", name: "80 % of range reached", x: r80.map(function (r) { return r.reached_80; }), y: r80.map(function (r) { return esc(r.benchmark); }), marker: { symbol: "line-ns-open", size: 12, color: "#111", line: { width: 2, color: "#111" } }, hovertemplate: "80 %% reached %{x}<extra></extra>" });
    const nSat = all.filter(function (r) { return r.saturated; }).length;
    return { traces: traces, rows: rows, height: 120 + 17 * rows.length,
             layout: { xaxis: timeAxis({ side: "top" }), yaxis: { categoryorder: "array", categoryarray: rows.map(function (r) { return esc(r.benchmark); }).reverse(), tickfont: { size: 10 }, automargin: true }, legend: { orientation: "h", y: -0.02, yanchor: "top" }, margin: { l: 10, r: 20, t: 40, b: 20 } },
             note: nSat + " of " + all.length + " benchmarks are saturated as of " + META.as_of + ". Bars run from the benchmark's release to its saturation (or to the report date); ticks mark 80 % of the normalised range reached." };
  });
  chart(s5, "focus", "Which domains carry the frontier, quarter by quarter", function () {
    if (!LC) return { empty: "No lifecycle analysis." };
    const rows = rec(LC.domains), focus = rec(LC.focus);
    const keys = uniq(rows.map(function (r) { return r.domain; })).sort();
    const traces = keys.map(function (d) {
      const part = rows.filter(function (r) { return r.domain === d; });
      return { type: "bar", name: esc(label(d)), x: part.map(function (r) { return r.quarter; }), y: part.map(function (r) { return 100 * r.share; }), marker: { color: colourOf(d, keys), line: { width: d === state.domain ? 2 : 0, color: "#000" } },
               text: part.map(function (r) { return hover(["<b>" + esc(label(d)) + "</b> " + r.quarter, fmt(100 * r.share, 0) + " % of the discriminating weight", r.n_discriminating + " discriminating benchmarks"]); }), hovertemplate: "%{text}<extra></extra>", textposition: "none" };
    });
    const iv = rec(LC.interval)[0] || {};
    const shifts = focus.filter(function (f) { return f.shift; }).map(function (f) { return f.quarter + " → " + label(f.focus); });
    return { traces: traces, rows: rows, height: 380, layout: { barmode: "stack", yaxis: { title: { text: "share of discriminating weight (%)" }, range: [0, 100], gridcolor: "#eef0f3" }, legend: { orientation: "h", y: -0.15, font: { size: 10 } },
               annotations: focus.map(function (f) { return { x: f.quarter, y: 100, yanchor: "bottom", text: f.shift ? "▼" : "", showarrow: false, font: { size: 10, color: ACCENT } }; })
                 .concat(evidence("focus_shift").filter(function (r) { return r.partial; }).map(function (r) { return { x: String(r.quarter), y: 50, text: "partial<br>quarter", showarrow: false, font: { size: 10, color: "#333" }, bgcolor: "rgba(255,255,255,0.8)" }; })) },
             note: "Share of each domain in the quarter's weight of benchmarks that still separate the top models. Focus shifts (▼): " + (shifts.join("; ") || "none") + ". " + (num(iv.estimate_months) ? "Mean interval between shifts " + fmt(iv.estimate_months) + " months " + ci(iv.ci_low, iv.ci_high) + "." : "") };
  });

  // === 6. real world and over-fitting ====================================================
  const s6 = section("realworld",
    "How well benchmark standing predicts what people use and prefer (LMArena ratings, OpenRouter usage), who sits above or below the line, and whether some models score better on public or optimised-for benchmarks than on private or out-of-distribution ones.");
  claimLead(s6, ["use_vs_benchmarks"]);
  if (hasClaim(["use_vs_benchmarks"])) {
    const cu = chart(s6, "claim-use_vs_benchmarks", "Furthest from what their benchmark standing predicts, on every usage signal", function () {
      const claim = claimOf("use_vs_benchmarks");
      if (!claim) return { rows: [], empty: "No claim computed for the definition " + state.definition + "." };
      const rows = rec(claim.evidence).filter(function (r) { return num(r.residual); })
        .sort(function (a, b) { return a.signal < b.signal ? -1 : a.signal > b.signal ? 1 : a.residual - b.residual; });
      if (!rows.length) return { rows: [], empty: claim.sentence };
      const ys = rows.map(function (r) { return esc((r.display_name || r.model_id) + " · " + (r.signal_label || r.signal)); });
      const traces = ["below", "above"].map(function (dir) {
        const part = rows.filter(function (r) { return r.direction === dir; });
        return { type: "scatter", mode: "markers+text", name: dir === "below" ? "used less than its benchmarks predict" : "used more than its benchmarks predict",
                 x: part.map(function (r) { return r.residual; }), y: part.map(function (r) { return esc((r.display_name || r.model_id) + " · " + (r.signal_label || r.signal)); }),
                 customdata: part.map(function (r) { return r.model_id; }),
                 text: part.map(function (r) { return esc(r.display_name || r.model_id); }), textposition: dir === "below" ? "middle left" : "middle right", textfont: { size: 10 }, cliponaxis: false,
                 marker: { color: dir === "below" ? OPEN : CLOSED, size: 10, symbol: dir === "below" ? "triangle-left" : "triangle-right" },
                 hovertext: part.map(function (r) { return hover(["<b>" + esc(r.display_name || r.model_id) + "</b>", esc(r.signal_label || r.signal), "expected " + fmt(r.expected, 2) + ", observed " + fmt(r.observed, 2), "residual " + fmt(r.residual, 2)]); }),
                 hovertemplate: "%{hovertext}<extra></extra>" };
      }).filter(function (t) { return t.x.length; });
      const signals = uniq(rows.map(function (r) { return r.signal; })).map(function (sg) { return rows.filter(function (r) { return r.signal === sg; })[0]; });
      const xs = rows.map(function (r) { return Math.abs(r.residual); }), span = Math.max.apply(null, xs) * 1.9 || 1;
      return { traces: traces, rows: rows, height: 110 + 24 * rows.length,
               layout: { xaxis: { title: { text: "observed − expected standing on the signal (residual)" }, zeroline: true, zerolinecolor: "#888", gridcolor: "#eef0f3", range: [-span, span] },
                         yaxis: Object.assign({ type: "category", categoryorder: "array", categoryarray: ys.slice().reverse(), automargin: true, tickfont: { size: 10 } }, shortTicks(ys, 18)),
                         legend: { orientation: "h", y: 1.02, yanchor: "bottom" }, margin: { l: 10, r: 20, t: 30, b: 46 } },
               note: "Per signal, the models whose usage falls furthest below (left) and rises furthest above (right) what their benchmark standing predicts. Rank correlation of benchmark standing with each signal: " +
                     signals.map(function (r) { return (r.signal_label || r.signal) + " ρ = " + fmt(r.rho, 2) + " " + ci(r.rho_ci_low, r.rho_ci_high, 2) + (r.predicts ? " (benchmarks predict use)" : " (benchmarks do not predict use)"); }).join("; ") + "." };
    });
    cu.fig.classList.add("claim-chart");
  }
  const CORR = rec(DATA.realworld_correlations);
  const TARGETS = uniq(CORR.map(function (r) { return r.target; }));
  state.target = TARGETS[0] || null;
  const pick = el("p", { cls: "local" }, "Real-world signal: ");
  const selTarget = el("select", { id: "ctl-target" });
  TARGETS.forEach(function (t) { selTarget.appendChild(el("option", { value: t, text: t })); });
  selTarget.addEventListener("change", function () { state.target = selTarget.value; redraw(); });
  pick.appendChild(selTarget);
  s6.appendChild(pick);
  const grid6 = el("div", { cls: "grid2" });
  s6.appendChild(grid6);
  chart(grid6, "correlation", "Rank correlation with the real-world signal, by year", function () {
    const rows = CORR.filter(function (r) { return r.target === state.target; });
    const top = rows.filter(function (r) { return r.window === "all"; }).sort(function (a, b) { return b.spearman - a.spearman; }).slice(0, 5).map(function (r) { return r.predictor; });
    ["index: general", "composite: AA index"].forEach(function (p) { if (top.indexOf(p) < 0 && rows.some(function (r) { return r.predictor === p; })) top.push(p); });
    const windows = uniq(rows.map(function (r) { return r.window; })).sort(function (a, b) { return a === "all" ? 1 : b === "all" ? -1 : a < b ? -1 : 1; });
    const traces = top.map(function (p, i) {
      const part = windows.map(function (w) { return rows.filter(function (r) { return r.predictor === p && r.window === w; })[0] || { window: w }; });
      return { type: "scatter", mode: "lines+markers", name: esc(p), x: windows, y: part.map(function (r) { return r.spearman; }), error_y: errorBars(part, "spearman", "ci_low", "ci_high", PALETTE[i % PALETTE.length]),
               line: { color: PALETTE[i % PALETTE.length] }, text: part.map(function (r) { return hover(["<b>" + esc(p) + "</b>", r.window + ": Spearman " + fmt(r.spearman, 2) + " " + ci(r.ci_low, r.ci_high, 2), (r.n || 0) + " models"]); }), hovertemplate: "%{text}<extra></extra>" };
    });
    return { traces: traces, rows: rows.filter(function (r) { return top.indexOf(r.predictor) >= 0; }), height: 400,
             layout: { xaxis: { type: "category", title: { text: "window" } }, yaxis: { title: { text: "Spearman correlation" }, range: [-1, 1], gridcolor: "#eef0f3" }, legend: { orientation: "h", y: -0.2, font: { size: 10 } } },
             note: "The five predictors that agree best over all dates, plus the capability index and the AA composite; 90 % bootstrap intervals. A year with few models gives a wide interval." };
  });
  chart(grid6, "residuals", "Above or below the line: real-world standing against the index", function () {
    const rw = D().realworld;
    if (!rw) return { empty: "No real-world analysis." };
    const rows = rec(rw.residuals).filter(function (r) { return r.signal === state.target; });
    const traces = ["closed", "open", "neither", "unknown"].map(function (g) {
      const part = rows.filter(function (r) { return (r.group || "unknown") === g; });
      return { type: "scatter", mode: "markers", name: g, x: part.map(function (r) { return r.predictor_pct; }), y: part.map(function (r) { return r.target_pct; }), marker: { color: g === "open" ? OPEN : g === "closed" ? CLOSED : NEITHER, size: 7, opacity: 0.85 }, customdata: part.map(function (r) { return r.model_id; }),
               text: part.map(function (r) { return hover(["<b>" + esc(r.display_name || r.model_id) + "</b>", esc(r.organization), "index percentile " + fmt(100 * r.predictor_pct, 0) + ", signal percentile " + fmt(100 * r.target_pct, 0), "residual " + fmt(r.residual, 2)]); }), hovertemplate: "%{text}<extra></extra>" };
    }).filter(function (t) { return t.x.length; });
    traces.push({ type: "scatter", mode: "lines", x: [0, 1], y: [0, 1], line: { color: "#aaa", dash: "dot" }, hoverinfo: "skip", showlegend: false });
    return { traces: traces, rows: rows, height: 400, layout: { xaxis: { title: { text: "percentile on " + esc(rw.focus[0]) }, range: [0, 1], gridcolor: "#eef0f3" }, yaxis: { title: { text: "percentile on " + esc(state.target) }, range: [0, 1], gridcolor: "#eef0f3" },
                                                               annotations: extremeLabels(rows, function (r) { return r.residual; }, 3, function (r) { return r.predictor_pct; }, function (r) { return r.target_pct; }, function (r) { return r.display_name || r.model_id; }) },
             empty: "Too few models have both the index and " + state.target + ".",
             note: "Residual = rank on " + state.target + " minus what the index rank predicts (a line fitted to the percentiles). Above the line: used, liked or scored more than its benchmarks suggest." };
  });
  chart(s6, "groups", "Who does better or worse on the real-world signal than the index predicts, by group", function () {
    const rw = D().realworld;
    if (!rw) return { empty: "No real-world analysis." };
    const rows = rec(rw.groups).filter(function (r) { return r.signal === state.target && (r.grouping !== "country" || r.n >= 5); }).sort(function (a, b) { return a.difference_vs_rest - b.difference_vs_rest; });
    const ys = rows.map(function (r) { return esc(r.grouping + ": " + r.group); });
    return { traces: [{ type: "scatter", mode: "markers", x: rows.map(function (r) { return r.difference_vs_rest; }), y: ys, error_x: errorBars(rows, "difference_vs_rest", "ci_low", "ci_high"),
                        marker: { size: 9, color: rows.map(function (r) { return r.p_adjusted < 0.05 ? ACCENT : CLOSED; }) },
                        text: rows.map(function (r) { return hover(["<b>" + esc(r.group) + "</b> (" + r.grouping + ", " + r.n + " models)", "difference from the rest " + fmt(r.difference_vs_rest, 3) + " " + ci(r.ci_low, r.ci_high, 3), "permutation p = " + fmt(r.p_value, 3) + ", Holm-adjusted " + fmt(r.p_adjusted, 3)]); }), hovertemplate: "%{text}<extra></extra>", showlegend: false }],
             rows: rows, height: 90 + 22 * rows.length,
             layout: { xaxis: { title: { text: "mean residual minus the rest's (percentile points / 100)" }, zeroline: true, zerolinecolor: "#888", gridcolor: "#eef0f3" }, yaxis: { automargin: true, tickfont: { size: 10 }, categoryorder: "array", categoryarray: ys }, margin: { l: 10, r: 20, t: 10, b: 46 } },
             note: "Purple: p < 0.05 in a permutation test of the group labels across models, after Holm's adjustment for every group tested (raw and adjusted p in the hover). " + (rw.notes || []).join(" ") };
  });
  s6.appendChild(el("h3", { text: "Tuned for the benchmarks?" }));
  claimLead(s6, ["lab_focus"]);
  const labHolder = el("div", { id: "claim-lab_focus-table" });
  s6.appendChild(labHolder);
  hooks.push(function () {
    const rows = evidence("lab_focus");
    labHolder.textContent = "";
    if (!rows.length) return;
    table(labHolder, rows, [["split", "Split"], ["grouping", "Grouping"], ["group", "Group"], ["n_models", "Models", null, 0], ["estimate", "Difference"],
      [null, "90 % interval", function (r) { return ci(r.ci_low, r.ci_high, 2); }], ["p_value", "p", null, 3], ["p_adjusted", "p (adjusted)", null, 3], ["reading", "Reading"]]);
  });
  const overfitPick = el("p", { cls: "local" }, "Over-fitting split: ");
  const selSplit = el("select", { id: "ctl-split" });
  overfitPick.appendChild(selSplit);
  s6.appendChild(overfitPick);
  selSplit.addEventListener("change", function () { state.split = selSplit.value; redraw(); });
  const overfitNote = el("div", { cls: "note" });
  hooks.push(function () {
    const of = D().overfit;
    selSplit.textContent = "";
    (of ? of.splits : []).forEach(function (s) { selSplit.appendChild(el("option", { value: s.split, text: s.split + ": " + s.description })); });
    if (of && of.splits.length) {
      if (!of.splits.some(function (s) { return s.split === state.split; })) state.split = of.splits[0].split;
      selSplit.value = state.split;
    }
    overfitNote.textContent = "";
    const lag = of && of.lag_by_test_set && of.lag_by_test_set.lag_months;
    if (lag) overfitNote.appendChild(el("p", {}, strong("Lag by test set. "), "The open lag is a median " + fmt(lag.private_median) + " months on " + lag.n_private + " private benchmarks against " + fmt(lag.public_median) + " on " + lag.n_public + " public ones: a ratio of " + fmt(lag.ratio, 2) + " " + ci(lag.ratio_ci_low, lag.ratio_ci_high, 2) + "."));
  });
  function currentSplit() { const of = D().overfit; return of ? of.splits.filter(function (s) { return s.split === state.split; })[0] : null; }
  chart(s6, "overfit", "Over-fitting signal per model: capability on the reference benchmarks minus on the comparison ones", function () {
    const s = currentSplit();
    if (!s) return { empty: "No over-fitting analysis." };
    const rows = rec(s.models).sort(function (a, b) { return a.delta - b.delta; });
    const traces = ["closed", "open", "neither"].map(function (g) {
      const idx = [], part = [];
      rows.forEach(function (r, i) { if ((r.group || "neither") === g) { idx.push(i + 1); part.push(r); } });
      return { type: "scatter", mode: "markers", name: g, x: idx, y: part.map(function (r) { return r.delta; }), error_y: errorBars(part, "delta", "ci_low", "ci_high", "rgba(120,130,140,0.5)"),
               marker: { color: g === "open" ? OPEN : g === "closed" ? CLOSED : NEITHER, size: 7 }, customdata: part.map(function (r) { return r.model_id; }),
               text: part.map(function (r) { return hover(["<b>" + esc(r.display_name || r.model_id) + "</b>", esc(r.organization) + ", " + esc(r.country), "difference " + fmt(r.delta) + " index points " + ci(r.ci_low, r.ci_high)]); }), hovertemplate: "%{text}<extra></extra>" };
    }).filter(function (t) { return t.x.length; });
    return { traces: traces, rows: rows, height: 380, layout: { xaxis: { title: { text: "models, ordered by the difference" }, gridcolor: "#eef0f3" }, yaxis: { title: { text: "index points (reference − comparison)" }, zeroline: true, zerolinecolor: "#888", gridcolor: "#eef0f3" },
                                                               annotations: extremeLabels(rows.map(function (r, i) { return Object.assign({ i: i + 1 }, r); }), function (r) { return r.delta; }, 3, function (r) { return r.i; }, function (r) { return r.delta; }, function (r) { return r.display_name || r.model_id; }) },
             note: s.description + ". Reference: " + s.reference.length + " benchmarks; comparison: " + s.comparison.length + ". Below zero: the model does relatively better where it could have been tuned for. " + s.notes.join("; ") + "." };
  });
  s6.appendChild(overfitNote);
  const overfitTable = el("div", {});
  s6.appendChild(overfitTable);
  hooks.push(function () {
    const s = currentSplit();
    replaceTable(overfitTable, s ? rec(s.groups).filter(function (r) { return r.grouping !== "group_country"; }) : [],
      [["grouping", "Grouping"], ["group", "Group"], ["n", "Models", null, 0], ["mean_delta", "Mean difference"], ["ci_low", "90 % low"], ["ci_high", "90 % high"], ["vs_rest", "vs the rest"], ["p_value", "p", null, 3], ["p_adjusted", "p (Holm)", null, 3]]);
  });
  const standHolder = el("div", {});
  s6.appendChild(el("h3", { text: "Where open models stand on each real-world signal" }));
  s6.appendChild(standHolder);
  hooks.push(function () {
    const rw = D().realworld;
    replaceTable(standHolder, rw ? rec(rw.standing) : [], [["target", "Signal"], ["n", "Models", null, 0], ["best_closed", "Best closed"], ["best_closed_value", "Value"], ["best_open", "Best open"], ["best_open_value", "Value"], ["gap", "Gap"], [null, "90 % interval", function (r) { return ci(r.gap_ci_low, r.gap_ci_high, 2); }], ["open_mean_percentile", "Open models' mean percentile"], ["note", "Note"]]);
  });

  // === 7. data and methods ===============================================================
  // === sections from report/assets/sections/*.js ======================================
  // Each file registers {id, build(P)} on window.gaplensSections; P is the page's toolkit.
  // They are built here, in the order of report/html.py SECTIONS, before the methods.
  const P = { DATA: DATA, META: META, state: state, D: D, rec: rec, esc: esc, num: num, fmt: fmt, ci: ci, el: el,
              strong: strong, uniq: uniq, label: label, colourOf: colourOf, section: section, chart: chart,
              table: table, hooks: hooks, claimLead: claimLead, claimOf: claimOf, evidence: evidence,
              groupOf: groupOf, inWindow: inWindow, timeAxis: timeAxis, errorBars: errorBars, hover: hover,
              extremeLabels: extremeLabels, narrow: narrow, shortLabel: shortLabel, shortTicks: shortTicks,
              viewDate: viewDate, MODELS: MODELS, MODEL_BY_ID: MODEL_BY_ID, DEFS: DEFS, OI: OI, PALETTE: PALETTE,
              CLOSED: CLOSED, OPEN: OPEN, NEITHER: NEITHER, ACCENT: ACCENT, ACCESS_COLOURS: ACCESS_COLOURS };
  (window.gaplensSections || []).forEach(function (part) {
    try { part.build(P); } catch (err) { if (window.console) console.error("section " + part.id + ": " + err.message); }
  });

  const s7 = section("methods", null);
  const defHolder = el("div", {});
  s7.appendChild(el("h3", { text: "What \"open\" means here" }));
  s7.appendChild(defHolder);
  hooks.push(function () {
    defHolder.textContent = "";
    const ul = el("ul", {});
    META.definitions.forEach(function (d) {
      ul.appendChild(el("li", {}, d.key === state.definition ? strong(d.key + " (shown)") : d.key, ": " + d.description + " (" + d.open_classes.join(", ") + ")."));
    });
    defHolder.appendChild(ul);
    defHolder.appendChild(el("p", { text: "Closed = API access, hosted access or closed weights. Unreleased models and models of unknown accessibility belong to neither group. Intervals are 90 % bootstrap intervals (" + META.n_draws + " draws, seed " + META.seed + ")." }));
  });
  s7.appendChild(el("h3", { text: "Sources and credits" }));
  table(s7, rec(DATA.sources), [["source_id", "#", null, 0], ["kind", "Kind"], ["file", "File"], ["credit", "Credit"], ["provenance", "Retrieved"], ["data_through", "Data through"], ["age_days", "Age, days", null, 0], [null, "Signals dated", function (r) { return r.data_from ? r.data_from + " to " + r.data_to : ""; }], ["added", "Rows added", null, 0], ["rejected", "Rows rejected", null, 0]]);
  s7.appendChild(el("h3", { text: "Settings of every fit" }));
  Object.keys(DATA.settings).forEach(function (name) {
    const det = el("details", {}, el("summary", { text: name }));
    const values = DATA.settings[name];
    table(det, Object.keys(values).map(function (k) { return { k: k, v: values[k] == null ? "" : (typeof values[k] === "object" ? JSON.stringify(values[k]) : String(values[k])) }; }), [["k", "Setting"], ["v", "Value"]]);
    s7.appendChild(det);
  });
  s7.appendChild(el("h3", { text: "Warnings" }));
  const warnHolder = el("div", { id: "warnings" });
  s7.appendChild(warnHolder);
  hooks.push(function () {
    warnHolder.textContent = "";
    const d = D(), ul = el("ul", { cls: "warnings" });
    const items = [].concat(d.warnings, DATA.index_warnings, DATA.notes, LC ? LC.warnings : []);
    if (num(DATA.index_failed_draws)) items.push("Capability index: " + DATA.index_failed_draws + " failed bootstrap draws (left out of the intervals).");
    uniq(items).forEach(function (w) { ul.appendChild(el("li", { text: w })); });
    warnHolder.appendChild(ul);
    const unknown = rec(d.unknown_models);
    const det = el("details", {}, el("summary", { text: unknown.length + " models of unknown accessibility (in neither group)" }));
    table(det, unknown, [["model_id", "Model"], ["display_name", "Name"], ["results", "Results", null, 0], ["release_date", "Released"]]);
    warnHolder.appendChild(det);
    const counts = rec(DATA.rejected.counts), names = rec(DATA.rejected.names);
    const det2 = el("details", {}, el("summary", { text: counts.reduce(function (a, r) { return a + r.rows; }, 0) + " input rows not stored, of which " + names.length + " with a name not matched or ambiguous" }));
    table(det2, counts, [["kind", "Source"], ["what", "What"], ["rows", "Rows", null, 0]]);
    det2.appendChild(el("p", { cls: "note", text: "Names not matched or ambiguous (add an alias file with 'gaplens ingest ... --aliases FILE' to use them):" }));
    table(det2, names, [["kind", "Source"], ["file", "File"], ["row", "Row", null, 0], ["reason", "Reason"]]);
    warnHolder.appendChild(det2);
  });
  window.gaplensExport = function (id, format) { return exportImage(CHART_BY_ID[id], format); };  // for tests and scripts
  // a phone turned, or the window narrowed past the breakpoint: redrawn once the size has
  // settled (a full-page screenshot resizes the window for a moment)
  let resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      const now = narrow();
      if (now !== window.gaplensNarrow) { window.gaplensNarrow = now; charts.forEach(paint); }
    }, 250);
  });
  window.gaplensNarrow = narrow();
  // printing: every chart redrawn to the printed page's width, and back afterwards
  if (window.matchMedia) {
    window.matchMedia("print").addEventListener("change", function (e) { if (e.matches) drawAll(); charts.forEach(function (c) { if (c.plot.data) Plotly.Plots.resize(c.plot); }); });
  }
  window.addEventListener("beforeprint", drawAll);  // a printed page shows every chart
  window.gaplensDrawAll = drawAll;  // for tests, scripts and the benchmark
  window.gaplensDraw = function (id) { return ensure(CHART_BY_ID[id]); };
  const all = el("button", { type: "button", id: "download-all", text: "Download all the report's data (JSON, schema " + DATA.schema + ")" });
  all.addEventListener("click", function () { download("gaplens-report-data.json", JSON.stringify(DATA, null, 1), "application/json"); });
  s7.appendChild(el("p", {}, all));
  s7.appendChild(el("p", { cls: "note", text: "Methods: the gap and lag per domain follow the frontier estimators of Epoch AI and Artificial Analysis (score gap at the last data; horizontal frontier distance; threshold-crossing lag); the capability index follows the Epoch Capabilities Index's item-response model with bootstrap intervals; saturation uses top-k indistinguishability near the ceiling. The gaplens documentation (docs/) gives every equation and its sources. Report data schema: " + DATA.schema + "; gaplens " + META.gaplens_version + ", made " + META.created + "." }));

  // First load: every chart's data at once (rows, notes, search hits), the headline chart
  // drawn at once, then the other charts near the viewport; the rest as they are scrolled
  // near. window.gaplensReadyAt: the first screen drawn (read by benchmarks/bench_report.py).
  hooks.forEach(function (h) { h(); });
  if (charts.length) { paint(charts[0]); ensure(charts[0]); }
  window.gaplensFirstChartAt = performance.now();
  charts.slice(1).forEach(paint);
  listHits();
  writeHash();
  let ready = false;
  function firstScreen() {
    if (ready || !charts.every(function (c) { return c.seen; })) return;
    ready = true;
    window.gaplensReadyAt = performance.now();
    document.body.dataset.ready = "true";
  }
  if (!observer) { drawAll(); firstScreen(); }
})();
