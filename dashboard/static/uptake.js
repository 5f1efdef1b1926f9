// uptake.js draws every chart on a dashboard page from JSON and adds the
// small behaviours that make the pages pleasant without being needed:
// filters apply as soon as a select changes, and clicking a chart element
// opens its detail page. It has no inline parts, so the Content Security
// Policy can forbid inline script.
//
// A chart is a <div class="chart"> whose data-option="ID" is the id of a
// <script type="application/json"> block on the page. The JSON is {"option": {...ECharts option...}, "links": {"name": "/url"}};
// instead of links, data items may carry their own "url" (with
// "clickable": true), as the funnel plots' thousands of points do.
// When every chart has drawn (or failed), document.body.dataset.chartsDrawn
// holds how many drew, chartsFailed how many failed, and chartsDrawnMs the
// milliseconds from the start of navigation (for the screenshot timings).
// window.uptakeCharts maps each chart element's id to its ECharts
// instance, for tests and for readers' own scripts in the console.
//
// Options are pure data. ECharts draws error bars only with a custom
// series whose renderItem is a function, so such a series names one of
// the renderers below instead, and draw() puts the function in place.
//
// Tables with data-sortable get a sort button in each column header;
// tables with data-row-links follow a row's first link when the row is
// clicked. Without script, tables stay in their given order and the
// links still work.
(function () {
  "use strict";

  var charts = [];
  var registry = {};
  window.uptakeCharts = registry;

  // whisker draws a 95% interval over bar number value[3] of value[4]
  // bars in category value[0], from value[1] to value[2]. gaps are the
  // bars' barGap and barCategoryGap as fractions, read from the chart's
  // own bar series (barGaps), so the whisker sits where ECharts put its bar.
  function whisker(horizontal, gaps) {
    return function (params, api) {
      var cat = api.value(0);
      var lo = api.value(1);
      var hi = api.value(2);
      var index = api.value(3);
      var count = api.value(4);
      var band = horizontal ? api.size([0, 1])[1] : api.size([1, 0])[0];
      var barWidth = band * (1 - gaps.category) / (count + (count - 1) * gaps.bar);
      var offset = -((count * barWidth + (count - 1) * barWidth * gaps.bar) / 2) + index * barWidth * (1 + gaps.bar) + barWidth / 2;
      var cap = Math.max(4, barWidth * 0.3);
      var a = horizontal ? api.coord([lo, cat]) : api.coord([cat, lo]);
      var b = horizontal ? api.coord([hi, cat]) : api.coord([cat, hi]);
      var style = { stroke: "#212b32", lineWidth: 1.5 };
      var lines;
      if (horizontal) {
        var y = a[1] + offset;
        lines = [[a[0], y, b[0], y], [a[0], y - cap, a[0], y + cap], [b[0], y - cap, b[0], y + cap]];
      } else {
        var x = a[0] + offset;
        lines = [[x, a[1], x, b[1]], [x - cap, a[1], x + cap, a[1]], [x - cap, b[1], x + cap, b[1]]];
      }
      return {
        type: "group",
        children: lines.map(function (l) {
          return { type: "line", shape: { x1: l[0], y1: l[1], x2: l[2], y2: l[3] }, style: style };
        })
      };
    };
  }

  // renderers make the renderItem functions that custom series name,
  // given the option's series.
  var renderers = {
    ciWhisker: function (series) { return whisker(false, barGaps(series)); },
    ciWhiskerH: function (series) { return whisker(true, barGaps(series)); }
  };

  // barGaps reads barGap and barCategoryGap (such as "30%") from the
  // first bar series, where charts/ci.go sets them.
  function barGaps(series) {
    var bar = series.filter(function (s) { return s.type === "bar"; })[0];
    var gap = bar && parseFloat(bar.barGap);
    var category = bar && parseFloat(bar.barCategoryGap);
    if (!(gap >= 0) || !(category >= 0)) {
      throw new Error("whiskers need a bar series with barGap and barCategoryGap");
    }
    return { bar: gap / 100, category: category / 100 };
  }

  // useRenderers swaps renderer names in custom series for the functions.
  function useRenderers(option) {
    var series = option.series || [];
    if (!Array.isArray(series)) {
      series = [series];
    }
    series.forEach(function (s) {
      if (s.type === "custom" && typeof s.renderItem === "string") {
        var make = renderers[s.renderItem];
        if (!make) {
          throw new Error("unknown chart renderer " + s.renderItem);
        }
        s.renderItem = make(series);
      }
    });
    return option;
  }

  function parseBlock(id) {
    var block = document.getElementById(id);
    if (!block) {
      return Promise.reject(new Error("no chart data block #" + id));
    }
    try {
      return Promise.resolve(JSON.parse(block.textContent));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  function fetchJSON(src) {
    return fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        if (res.status === 401) {
          // The session ended while the page was open: sign in again
          // and come back here.
          window.location.assign("/signin?next=" + encodeURIComponent(window.location.pathname + window.location.search) + "&reason=expired");
        }
        if (!res.ok) {
          throw new Error("chart data " + src + ": HTTP " + res.status);
        }
        return res.json();
      });
  }

  // sameOrigin accepts only paths on this site, so data can never send
  // the reader elsewhere (or run javascript: URLs).
  function sameOrigin(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" && url.charAt(1) !== "\\";
  }

  function draw(el, payload) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var links = payload.links || {};
    // Listen for "finished" before setOption: with animation off, ECharts
    // may finish drawing within setOption itself.
    var drawn = new Promise(function (resolve) {
      var done = false;
      function finish() {
        if (!done) {
          done = true;
          resolve();
        }
      }
      chart.on("finished", finish);
      window.setTimeout(finish, 3000);
    });
    chart.setOption(useRenderers(payload.option || {}));
    chart.on("click", function (params) {
      var url = (params.data && params.data.url) || links[params.name];
      if (sameOrigin(url)) {
        window.location.assign(url);
      }
    });
    if (Object.keys(links).length > 0 || payload.clickable) {
      el.classList.add("chart--clickable");
    }
    charts.push(chart);
    if (el.id) {
      registry[el.id] = chart;
    }
    return drawn;
  }

  function drawAll() {
    var els = document.querySelectorAll("div.chart");
    var drawn = 0;
    var failed = 0;
    var jobs = Array.prototype.map.call(els, function (el) {
      var load = el.dataset.option ? parseBlock(el.dataset.option)
        : Promise.reject(new Error("chart without data-option"));
      return load
        .then(function (payload) { return draw(el, payload); })
        .then(function () { drawn++; el.dataset.drawn = "true"; })
        .catch(function (err) {
          failed++;
          el.classList.add("chart--failed");
          el.textContent = "This chart could not be drawn. The table below has its numbers.";
          console.error(err);
        });
    });
    return Promise.all(jobs).then(function () {
      document.body.dataset.chartsFailed = String(failed);
      document.body.dataset.chartsDrawnMs = String(Math.round(window.performance.now()));
      document.body.dataset.chartsDrawn = String(drawn);
    });
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fn, ms);
    };
  }

  // Filters: submit the GET form when a select changes, dropping empty
  // fields so the URL stays short and readable. A list too long for a
  // select (England's practices) is a text box; its suggestions come from
  // /api/filters the first time the box is used, not with every page.
  function enhanceFilters() {
    document.querySelectorAll("input[data-suggest]").forEach(function (input) {
      ["focus", "pointerdown", "input"].forEach(function (type) {
        input.addEventListener(type, function () { suggest(input); });
      });
    });
    var forms = document.querySelectorAll("form.uptake-filters");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("change", function (ev) {
        if (ev.target && ev.target.tagName === "SELECT") {
          submitFilters(form);
        }
      });
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        submitFilters(form);
      });
    });
  }

  // suggest fills the text box's datalist with the practices (code and
  // name) of the loaded data, within the chosen network if there is one.
  function suggest(input) {
    var list = input.list;
    if (!list || input.dataset.suggest !== "practice" || input.dataset.suggested) {
      return;
    }
    input.dataset.suggested = "true";
    var pcn = input.form && input.form.elements.pcn ? input.form.elements.pcn.value : "";
    fetchJSON("/api/filters").then(function (opts) {
      var frag = document.createDocumentFragment();
      (opts.practices || []).forEach(function (p) {
        if (pcn === "" || p.pcn === pcn) {
          var o = document.createElement("option");
          o.value = p.code;
          o.label = p.name + " (" + p.code + ")";
          frag.appendChild(o);
        }
      });
      list.appendChild(frag);
    }).catch(function (err) { console.error(err); });
  }

  function submitFilters(form) {
    var params = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (el) {
      var value = (el.value || "").trim();
      if (el.name && (el.tagName === "SELECT" || (el.tagName === "INPUT" && el.type === "text")) && value !== "") {
        params.append(el.name, value);
      }
    });
    var qs = params.toString();
    window.location.assign(form.getAttribute("action") + (qs ? "?" + qs : ""));
  }

  // sortKey turns a cell's text into something to compare: numbers for
  // numeric columns ("1,234" -> 1234), with "*" and "–" (withheld or
  // missing) always last; lower-case text otherwise.
  function sortKey(cell, numeric) {
    var text = (cell ? cell.textContent : "").trim();
    if (numeric) {
      var n = parseFloat(text.replace(/,/g, ""));
      return isNaN(n) ? null : n;
    }
    var rank = /^([\d,]+) of [\d,]+$/.exec(text);
    if (rank) {
      return parseInt(rank[1].replace(/,/g, ""), 10);
    }
    return text === "" || text === "–" ? null : text.toLowerCase();
  }

  function sortTable(table, col, th) {
    var body = table.tBodies[0];
    var headers = table.tHead.rows[0].cells;
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var numeric = th.classList.contains("nhsuk-table__header--numeric");
    var rows = Array.prototype.slice.call(body.rows);
    if (rows.length < 2) {
      return;
    }
    rows.sort(function (a, b) {
      var x = sortKey(a.cells[col], numeric);
      var y = sortKey(b.cells[col], numeric);
      if (x === null || y === null) {
        return x === y ? 0 : x === null ? 1 : -1;
      }
      var c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function enhanceTables() {
    document.querySelectorAll("table[data-sortable]").forEach(function (table) {
      if (!table.tHead || !table.tBodies[0]) {
        return;
      }
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "uptake-sort";
        while (th.firstChild) {
          button.appendChild(th.firstChild);
        }
        var hint = document.createElement("span");
        hint.className = "nhsuk-u-visually-hidden";
        hint.textContent = " (select to sort)";
        button.appendChild(hint);
        th.appendChild(button);
        button.addEventListener("click", function () { sortTable(table, col, th); });
      });
      table.classList.add("uptake-table--sortable");
    });
    document.querySelectorAll("table[data-row-links]").forEach(function (table) {
      table.classList.add("uptake-table--row-links");
      table.addEventListener("click", function (ev) {
        if (ev.target.closest("a, button, input, select")) {
          return;
        }
        var tr = ev.target.closest("tbody tr");
        var link = tr && tr.querySelector("a[href]");
        if (link && sameOrigin(link.getAttribute("href"))) {
          window.location.assign(link.getAttribute("href"));
        }
      });
    });
  }

  function start() {
    enhanceFilters();
    enhanceTables();
    if (typeof echarts === "undefined") {
      document.body.dataset.chartsFailed = String(document.querySelectorAll("div.chart").length);
      document.body.dataset.chartsDrawn = "0";
      console.error("ECharts did not load");
      return;
    }
    drawAll();
    window.addEventListener("resize", debounce(function () {
      charts.forEach(function (c) { c.resize(); });
    }, 150));
    // Printing resizes the page; redraw charts to fit the paper.
    window.addEventListener("beforeprint", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
