// vcaudit report.html: draws the page from the embedded data. Plain JavaScript, no framework.
// Text reaches the page only through textContent and setAttribute, never as markup.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("vcaudit-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var READINESS = ["ready", "conditionally-ready", "unknown", "not-ready", "out-of-scope"];
  var LABEL = {
    "ready": "Ready", "conditionally-ready": "Conditionally ready", "unknown": "Unknown",
    "not-ready": "Not ready", "out-of-scope": "Out of scope"
  };

  function table(name) {
    var t = D.tables[name] || { columns: [], rows: [] };
    var ix = {};
    t.columns.forEach(function (c, i) { ix[c] = i; });
    return {
      rows: t.rows,
      get: function (row, col) { return ix[col] === undefined ? "" : row[ix[col]]; }
    };
  }
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return e;
  }
  function sv(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    }
    return e;
  }
  function color(r) { return "var(--" + r + ")"; }
  function pct(n, total) { return total ? (100 * n / total).toFixed(1) + "%" : "0%"; }
  function num(s) { return s === "" ? NaN : Number(s); }
  function fmt(n) { return n.toLocaleString("en-US"); }

  var vcs = table("vcenters"), hosts = table("hosts"), vms = table("vms");
  var findings = table("findings"), summary = table("summary");

  // ---- the run ----
  var run = D.run;
  var names = vcs.rows.map(function (r) { return vcs.get(r, "vcenter"); });
  $("run").textContent = "Profile " + run.profile + " · " + names.length + " vCenter" +
    (names.length === 1 ? "" : "s") + " (" + names.join(", ") + ") · generated " +
    run.generated_at + " · vcaudit " + run.vcaudit_version;
  var failed = vcs.rows.filter(function (r) { return vcs.get(r, "status") !== "ok"; });
  if (failed.length) {
    var box = $("failed");
    box.appendChild(el("h2", { text: failed.length + " vCenter" + (failed.length === 1 ? "" : "s") +
      " could not be collected; their VMs are missing from this report" }));
    var ul = el("ul");
    failed.forEach(function (r) {
      ul.appendChild(el("li", {}, el("strong", { text: vcs.get(r, "vcenter") }), ": " + vcs.get(r, "error")));
    });
    box.appendChild(ul);
    box.hidden = false;
  }
  $("footer").textContent = "Made by vcaudit " + run.vcaudit_version + " at " + run.generated_at +
    ". The tables hold the same values as the CSV reports written beside this file.";

  // ---- findings, by object ----
  var byObject = {}, vcFindings = {}, ruleCounts = {};
  findings.rows.forEach(function (f) {
    var kind = findings.get(f, "object_type"), vc = findings.get(f, "vcenter");
    var rule = findings.get(f, "rule"), status = findings.get(f, "status");
    var item = { rule: rule, status: status, message: findings.get(f, "message") };
    var key = kind === "vm" ? vc + "\u0000vm\u0000" + findings.get(f, "moref")
      : kind === "host" ? vc + "\u0000host\u0000" + findings.get(f, "object")
      : vc + "\u0000vcenter";
    (byObject[key] = byObject[key] || []).push(item);
    if (kind === "vcenter") (vcFindings[vc] = vcFindings[vc] || []).push(item);
    var c = ruleCounts[rule] = ruleCounts[rule] || { fail: 0, unknown: 0 };
    if (status === "fail") c.fail++; else if (status === "unknown") c.unknown++;
  });
  function messages(list, prefix) {
    return (list || []).map(function (f) { return prefix + f.message; });
  }

  // ---- VMs ----
  var VM = vms.rows.map(function (r, i) {
    var vc = vms.get(r, "vcenter");
    var own = byObject[vc + "\u0000vm\u0000" + vms.get(r, "moref")] || [];
    var host = byObject[vc + "\u0000host\u0000" + vms.get(r, "host")] || [];
    var center = byObject[vc + "\u0000vcenter"] || [];
    var all = own.concat(host, center);
    var reasons = messages(own, "").concat(messages(host, "host: "), messages(center, "vCenter: ")).join("; ");
    var rules = {};
    all.forEach(function (f) { rules[f.rule] = true; });
    var v = {
      i: i, row: r, vm: vms.get(r, "vm"), readiness: vms.get(r, "readiness"), reasons: reasons,
      vcenter: vc, cluster: vms.get(r, "cluster"), host: vms.get(r, "host"),
      guest: vms.get(r, "guest_os_tools") || vms.get(r, "guest_os_config"),
      tools: vms.get(r, "tools_status"), disks: vms.get(r, "disks"),
      largest: vms.get(r, "largest_disk_gib"), rules: rules
    };
    v.search = [v.vm, v.readiness, reasons, vc, v.cluster, v.host, v.guest, v.tools].join("\u0001").toLowerCase();
    return v;
  });

  // ---- readiness chart ----
  function countReadiness(list) {
    var c = {};
    READINESS.forEach(function (r) { c[r] = 0; });
    list.forEach(function (v) { c[v.readiness] = (c[v.readiness] || 0) + 1; });
    return c;
  }
  var counts = countReadiness(VM), total = VM.length;
  function stackedBar(c, n, height, linked) {
    var s = sv("svg", { viewBox: "0 0 1000 " + height, preserveAspectRatio: "none", role: "img",
      "aria-label": READINESS.map(function (r) { return LABEL[r] + " " + c[r] + " (" + pct(c[r], n) + ")"; }).join(", ") });
    var x = 0;
    READINESS.forEach(function (r) {
      if (!c[r]) return;
      var w = 1000 * c[r] / n;
      var rect = sv("rect", { x: x, y: 0, width: w, height: height, fill: color(r) });
      rect.appendChild(sv("title", { text: LABEL[r] + ": " + c[r] + " (" + pct(c[r], n) + ")" }));
      if (linked) {
        var a = sv("a", { href: "#vms", "data-readiness": r });
        a.appendChild(rect);
        s.appendChild(a);
      } else {
        s.appendChild(rect);
      }
      x += w;
    });
    return s;
  }
  var inScope = total - counts["out-of-scope"];
  $("readiness-chart").appendChild(el("p", { "class": "headline" },
    el("strong", { text: pct(counts.ready, inScope) }), " of " + fmt(inScope) + " VMs in scope are ready; ",
    el("strong", { text: pct(counts["not-ready"], inScope) }), " are not ready."));
  $("readiness-chart").appendChild(stackedBar(counts, total || 1, 56, true));
  READINESS.forEach(function (r) {
    var a = el("a", { href: "#vms", "data-readiness": r },
      el("span", { "class": "swatch r-" + r }),
      el("span", { "class": "name", text: LABEL[r] }),
      el("span", { "class": "num", id: "count-" + r, text: String(counts[r]) }),
      el("span", { "class": "pct", text: pct(counts[r], total) }));
    $("readiness-legend").appendChild(el("li", {}, a));
  });
  $("readiness-legend").appendChild(el("li", {}, el("span", { "class": "name", text: "All VMs " }),
    el("strong", { id: "count-total", text: String(total) })));

  // ---- findings by rule ----
  var ruleOrder = summary.rows.filter(function (r) { return summary.get(r, "status") !== "manual"; })
    .map(function (r) { return summary.get(r, "rule"); });
  Object.keys(ruleCounts).forEach(function (r) { if (ruleOrder.indexOf(r) < 0) ruleOrder.push(r); });
  var shown = ruleOrder.filter(function (r) { var c = ruleCounts[r]; return c && (c.fail || c.unknown); });
  shown.sort(function (a, b) {
    var x = ruleCounts[a], y = ruleCounts[b];
    return (y.fail + y.unknown) - (x.fail + x.unknown);
  });
  (function () {
    var rowH = 24, labelW = 160, W = 640, max = 1;
    shown.forEach(function (r) { max = Math.max(max, ruleCounts[r].fail + ruleCounts[r].unknown); });
    var s = sv("svg", { viewBox: "0 0 " + W + " " + Math.max(rowH, shown.length * rowH + 4), role: "list",
      "aria-label": "Findings by rule" });
    if (!shown.length) {
      s.appendChild(sv("text", { x: 0, y: 18, text: "No failed or unknown checks." }));
    }
    shown.forEach(function (r, i) {
      var c = ruleCounts[r], y = i * rowH, scale = (W - labelW - 150) / max;
      var a = sv("a", { href: "#vms", "data-rule": r, role: "listitem",
        "aria-label": r + ": " + c.fail + " failed, " + c.unknown + " unknown; show the VMs" });
      a.appendChild(sv("text", { x: labelW - 8, y: y + 17, "text-anchor": "end", text: r }));
      a.appendChild(sv("rect", { x: labelW, y: y + 4, width: Math.max(1, c.fail * scale), height: rowH - 8,
        fill: "var(--not-ready)" }));
      a.appendChild(sv("rect", { x: labelW + c.fail * scale, y: y + 4, width: c.unknown * scale, height: rowH - 8,
        fill: "var(--unknown)" }));
      a.appendChild(sv("text", { x: labelW + (c.fail + c.unknown) * scale + 6, y: y + 17,
        text: c.fail + " failed" + (c.unknown ? ", " + c.unknown + " unknown" : "") }));
      s.appendChild(a);
    });
    $("rules-chart").appendChild(s);
  })();

  // ---- readiness by place ----
  function places(tableId, keyOf, labelOf, limit, filterOf) {
    var groups = {}, order = [];
    VM.forEach(function (v) {
      var k = keyOf(v);
      if (!groups[k]) { groups[k] = { label: labelOf(v), vms: [], sample: v }; order.push(k); }
      groups[k].vms.push(v);
    });
    var rows = order.map(function (k) {
      var g = groups[k], c = countReadiness(g.vms), n = g.vms.length;
      return { g: g, c: c, n: n, worst: (c["not-ready"] + 0.5 * c.unknown) / n };
    });
    rows.sort(function (a, b) { return b.worst - a.worst || b.n - a.n; });
    var t = $(tableId);
    var head = el("tr", {}, el("th", { scope: "col", text: "Name" }), el("th", { scope: "col", "class": "num", text: "VMs" }));
    READINESS.forEach(function (r) {
      head.appendChild(el("th", { scope: "col", "class": "num" }, el("span", { "class": "swatch r-" + r }), " " + LABEL[r]));
    });
    head.appendChild(el("th", { scope: "col", text: "Share" }));
    t.appendChild(el("thead", {}, head));
    var body = el("tbody");
    rows.slice(0, limit).forEach(function (x) {
      var name = filterOf
        ? el("a", { href: "#vms", "data-vcenter": x.g.sample.vcenter, text: x.g.label })
        : document.createTextNode(x.g.label);
      var tr = el("tr", {}, el("th", { scope: "row" }, name), el("td", { "class": "num", text: fmt(x.n) }));
      READINESS.forEach(function (r) { tr.appendChild(el("td", { "class": "num", text: fmt(x.c[r]) })); });
      var bar = el("td", { "class": "bar" });
      bar.appendChild(stackedBar(x.c, x.n, 12, false));
      tr.appendChild(bar);
      body.appendChild(tr);
    });
    t.appendChild(body);
    if (rows.length > limit) {
      t.appendChild(el("tfoot", {}, el("tr", {}, el("td", { colspan: "8",
        text: "…and " + (rows.length - limit) + " more, better placed (vms.csv has them all)." }))));
    }
  }
  places("by-vcenter", function (v) { return v.vcenter; }, function (v) { return v.vcenter; }, 200, true);
  places("by-cluster", function (v) { return v.vcenter + "\u0000" + v.cluster; },
    function (v) { return (v.cluster || "(no cluster)") + " — " + v.vcenter; }, 50, false);

  // ---- the VM table ----
  var COLS = [
    { key: "vm", label: "VM", width: "13%" }, { key: "readiness", label: "Readiness", width: "10%" },
    { key: "reasons", label: "Reasons", width: "24%" }, { key: "vcenter", label: "vCenter", width: "9%" },
    { key: "cluster", label: "Cluster", width: "9%" }, { key: "host", label: "Host", width: "9%" },
    { key: "guest", label: "Guest OS", width: "10%" }, { key: "tools", label: "Tools", width: "7%" },
    { key: "disks", label: "Disks", num: true, width: "4%" },
    { key: "largest", label: "Largest GiB", num: true, width: "5%" }
  ];
  var state = { search: "", readiness: "", rule: "", vcenter: "", sort: null, dir: 1 };
  var view = VM.slice();
  var ROW_H = 31, OVERSCAN = 12;
  var scroller = $("vm-scroll"), tbody = $("vm-body"), headRow = $("vm-head");

  COLS.forEach(function (c, i) {
    var th = el("th", { scope: "col", "aria-sort": "none", "class": c.num ? "num" : "" },
      el("button", { type: "button", "data-col": String(i), text: c.label }));
    if (c.width) th.style.width = c.width;
    headRow.appendChild(th);
  });
  headRow.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-col]");
    if (!b) return;
    var c = COLS[+b.getAttribute("data-col")];
    if (state.sort === c.key) state.dir = -state.dir; else { state.sort = c.key; state.dir = 1; }
    Array.prototype.forEach.call(headRow.children, function (th, i) {
      th.setAttribute("aria-sort", COLS[i].key === state.sort ? (state.dir > 0 ? "ascending" : "descending") : "none");
    });
    apply();
  });

  function fill(select, values, label) {
    values.forEach(function (v) { select.appendChild(el("option", { value: v, text: label ? label(v) : v })); });
  }
  fill($("f-readiness"), READINESS, function (r) { return LABEL[r] + " (" + counts[r] + ")"; });
  fill($("f-rule"), ruleOrder.filter(function (r) { return ruleCounts[r]; }), function (r) {
    return r + " (" + (ruleCounts[r].fail + ruleCounts[r].unknown) + ")";
  });
  fill($("f-vcenter"), names);

  function rank(v, key) {
    if (key === "readiness") return READINESS.indexOf(v.readiness);
    var c = COLS.filter(function (c) { return c.key === key; })[0];
    if (c && c.num) { var n = num(v[key]); return isNaN(n) ? -Infinity : n; }
    return v[key];
  }
  var collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
  function apply() {
    var q = state.search.toLowerCase();
    view = VM.filter(function (v) {
      return (!state.readiness || v.readiness === state.readiness) &&
        (!state.rule || v.rules[state.rule]) &&
        (!state.vcenter || v.vcenter === state.vcenter) &&
        (!q || v.search.indexOf(q) >= 0);
    });
    if (state.sort) {
      var key = state.sort, dir = state.dir;
      view.sort(function (a, b) {
        var x = rank(a, key), y = rank(b, key);
        var d = typeof x === "number" ? (x - y) : collator.compare(x, y);
        return dir * d || a.i - b.i;
      });
    }
    $("vm-count").textContent = fmt(view.length) + " of " + fmt(VM.length) + " VMs";
    $("vm-count").setAttribute("data-count", String(view.length));
    $("vm-table").setAttribute("aria-rowcount", String(view.length + 1));
    scroller.scrollTop = 0;
    render();
  }

  function cell(v, c) {
    var td = el("td", { "class": c.num ? "num" : "" });
    var value = v[c.key];
    if (c.key === "readiness") {
      td.appendChild(el("span", { "class": "badge" }, el("span", { "class": "swatch r-" + value }),
        LABEL[value] || value));
    } else {
      td.textContent = value;
    }
    if (c.key !== "readiness" && !c.num) td.title = value;
    return td;
  }
  function spacer(h) {
    var td = el("td", { colspan: String(COLS.length) });
    td.style.height = h + "px";
    return el("tr", { "class": "spacer", "aria-hidden": "true" }, td);
  }
  function rows(from, to) {
    var frag = document.createDocumentFragment();
    for (var i = from; i < to; i++) {
      var v = view[i], tr = el("tr", { "class": "vm", "aria-rowindex": String(i + 2) });
      COLS.forEach(function (c) { tr.appendChild(cell(v, c)); });
      frag.appendChild(tr);
    }
    return frag;
  }
  var printing = false;
  function render() {
    if (printing) return;
    var top = scroller.scrollTop, height = scroller.clientHeight || 560;
    var from = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    var to = Math.min(view.length, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    tbody.textContent = "";
    tbody.appendChild(spacer(from * ROW_H));
    tbody.appendChild(rows(from, to));
    tbody.appendChild(spacer((view.length - to) * ROW_H));
    var first = tbody.querySelector("tr.vm");
    if (first && Math.abs(first.offsetHeight - ROW_H) > 1 && first.offsetHeight > 0) {
      ROW_H = first.offsetHeight;   // the real row height, then draw again with it
      render();
    }
  }
  var pending = false;
  scroller.addEventListener("scroll", function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; render(); });
  });
  window.addEventListener("resize", render);

  var PRINT_MAX = 2000;
  window.addEventListener("beforeprint", function () {
    printing = true;
    tbody.textContent = "";
    tbody.appendChild(rows(0, Math.min(view.length, PRINT_MAX)));
    $("print-note").textContent = view.length > PRINT_MAX
      ? "Printed the first " + fmt(PRINT_MAX) + " of " + fmt(view.length) + " VMs; vms.csv has them all." : "";
  });
  window.addEventListener("afterprint", function () { printing = false; render(); });

  function setFilters(f) {
    for (var k in f) state[k] = f[k];
    $("f-search").value = state.search;
    $("f-readiness").value = state.readiness;
    $("f-rule").value = state.rule;
    $("f-vcenter").value = state.vcenter;
    apply();
  }
  var typing = null;
  $("f-search").addEventListener("input", function (e) {
    clearTimeout(typing);
    var value = e.target.value;
    typing = setTimeout(function () { setFilters({ search: value }); }, VM.length > 20000 ? 200 : 60);
  });
  ["readiness", "rule", "vcenter"].forEach(function (k) {
    $("f-" + k).addEventListener("change", function (e) { var f = {}; f[k] = e.target.value; setFilters(f); });
  });
  $("f-clear").addEventListener("click", function () {
    setFilters({ search: "", readiness: "", rule: "", vcenter: "" });
  });
  // Links in the charts and tables that filter the VM table.
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("[data-readiness],[data-rule],[data-vcenter]");
    if (!a || a.tagName.toLowerCase() === "option") return;
    var f = { search: "", readiness: "", rule: "", vcenter: "" };
    if (a.hasAttribute("data-readiness")) f.readiness = a.getAttribute("data-readiness");
    if (a.hasAttribute("data-rule")) f.rule = a.getAttribute("data-rule");
    if (a.hasAttribute("data-vcenter")) f.vcenter = a.getAttribute("data-vcenter");
    setFilters(f);
  });
  // For tests and scripts: set the filters, read the count.
  window.vcaudit = { filter: setFilters, count: function () { return view.length; } };
  apply();

  // ---- vCenters and hosts ----
  function list(id, columns, items, cells) {
    var t = $(id);
    var head = el("tr");
    columns.forEach(function (c) { head.appendChild(el("th", { scope: "col", text: c })); });
    t.appendChild(el("thead", {}, head));
    var body = el("tbody");
    items.forEach(function (x) {
      var tr = el("tr");
      cells(x).forEach(function (v, i) {
        tr.appendChild(i === 0 ? el("th", { scope: "row", text: v }) : el("td", { text: v }));
      });
      body.appendChild(tr);
    });
    t.appendChild(body);
  }
  list("vcenter-table", ["vCenter", "Name", "Version", "Build", "Status", "Findings", "Notes"], vcs.rows, function (r) {
    var vc = vcs.get(r, "vcenter");
    var f = messages(vcFindings[vc], "").join("; ");
    return [vc, vcs.get(r, "name"), vcs.get(r, "version"), vcs.get(r, "build"), vcs.get(r, "status"),
      f || (vcs.get(r, "status") === "ok" ? "none" : ""), vcs.get(r, "error") || vcs.get(r, "notes")];
  });
  var HOST_MAX = 2000;
  var badHosts = hosts.rows.filter(function (r) { return hosts.get(r, "findings") !== "0"; });
  $("host-caption").textContent = "Hosts with findings: " + badHosts.length + " of " + hosts.rows.length +
    (badHosts.length > HOST_MAX ? " (the first " + HOST_MAX + " shown; hosts.csv has them all)" : "");
  list("host-table", ["Host", "vCenter", "Cluster", "Version", "Build", "VMs", "Findings"], badHosts.slice(0, HOST_MAX), function (r) {
    var key = hosts.get(r, "vcenter") + "\u0000host\u0000" + hosts.get(r, "host");
    return [hosts.get(r, "host"), hosts.get(r, "vcenter"), hosts.get(r, "cluster"), hosts.get(r, "version"),
      hosts.get(r, "build"), hosts.get(r, "vms"), messages(byObject[key], "").join("; ")];
  });

  // ---- manual checks and rules ----
  var manual = summary.rows.filter(function (r) { return summary.get(r, "status") === "manual"; });
  list("manual-table", ["Check", "What to verify", "Applies to", "VMs", "Source"], manual, function (r) {
    return [summary.get(r, "rule"), summary.get(r, "description"), summary.get(r, "applies_to"),
      summary.get(r, "checked"), summary.get(r, "source")];
  });
  var rules = summary.rows.filter(function (r) { return summary.get(r, "status") !== "manual"; });
  list("rule-table", ["Rule", "Checks", "Object", "Severity", "Checked", "Passed", "Failed", "Unknown", "Source"], rules, function (r) {
    return [summary.get(r, "rule"), summary.get(r, "description"), summary.get(r, "object_type"),
      summary.get(r, "severity") + (summary.get(r, "status") === "checked" ? "" : " (" + summary.get(r, "status") + ")"),
      summary.get(r, "checked"), summary.get(r, "passed"), summary.get(r, "failed"), summary.get(r, "unknown"),
      summary.get(r, "source")];
  });
  document.documentElement.setAttribute("data-ready", "true");
})();
