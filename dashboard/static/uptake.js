// uptake.js draws every chart on a dashboard page from JSON and adds the
// small behaviours that make the pages pleasant without being needed.
// It has no inline parts, so the Content Security Policy can forbid
// inline script.
//
// A chart is a <div class="chart"> whose data-option="ID" is the id of a
// <script type="application/json"> block on the page holding what
// dashboard/charts.Chart writes: {"option": {...ECharts option...},
// "links", "filter", "format", "rows", "funnel", "clickable"}. A chart too
// large to carry inline has data-src instead: the same JSON's
// address (/api/chart/VIEW with the page's filters). This script
// fits the option to the space it has (legends wrap and the plot moves
// down to make room; crowded category labels rotate; horizontal bars get
// a line each), writes tooltips with units, gives the chart its accessible
// name (the panel's title and one sentence), and acts on clicks: an item
// that stands for a filter (a quarter, a language, a mode) filters the
// page to it; a practice offers its page or the filter, listing every
// practice under the pointer where points lie on top of each other.
//
// When every chart has drawn (or failed), document.body.dataset.chartsDrawn
// holds how many drew, chartsFailed how many failed, and chartsDrawnMs the
// milliseconds from the start of navigation (for the screenshot timings).
// window.uptakeCharts maps each chart element's id to its ECharts
// instance, for tests and for readers' own scripts in the console.
//
// Options are pure data. ECharts draws error bars only with a custom
// series whose renderItem is a function, so such a series names one of
// the renderers below instead, and draw() puts the function in place; a
// series with "uptakeTooltip" names a tooltip writer the same way.
//
// Filters never reload the page as a field changes (WCAG 2.2 SC 3.2.2):
// the reader applies them with the button, and the bar says when changes
// are waiting. Tables with data-sortable get a sort button in each column
// header; tables with data-row-links follow a row's first link when the
// row is clicked. Without script, tables stay in their given order and
// the links still work.
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
    if (!bar) {
      // Dots and whiskers (DotsCI): every whisker is on its category's line.
      return { bar: 0, category: 0 };
    }
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

  // withheldName is the legend entry of withheld markers (charts.go).
  var withheldName = "Withheld (too few people to show)";

  function escapeHTML(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // formatValue writes v rounded with its unit, e.g. "60.3%", "1,250
  // people"; null when there is no value.
  function formatValue(v, format) {
    if (v === null || v === undefined || v === "-" || v === "" || isNaN(Number(v))) {
      return null;
    }
    var d = format && format.decimals ? format.decimals : 0;
    return Number(v).toLocaleString("en-GB", { minimumFractionDigits: d, maximumFractionDigits: d }) + (format && format.unit ? format.unit : "");
  }

  function seriesList(option) {
    var series = option.series || [];
    return Array.isArray(series) ? series : [series];
  }

  // axisTooltip lists each series once at a category: its value with its
  // unit, "provisional" for a dashed (provisional) value, "withheld" for
  // a withheld one, "not available" when there is none.
  function axisTooltip(option, format) {
    var series = seriesList(option);
    return function (params) {
      if (!Array.isArray(params)) {
        params = [params];
      }
      if (params.length === 0) {
        return "";
      }
      var order = [];
      var lines = {};
      params.forEach(function (p) {
        var s = series[p.seriesIndex] || {};
        if (p.seriesName === withheldName) {
          var of = p.data && p.data.series;
          if (of) {
            if (!(of in lines)) { order.push(of); }
            lines[of] = { marker: "", text: "withheld (too few people to show)" };
          }
          return;
        }
        var raw = Array.isArray(p.value) ? p.value[1] : p.value;
        var text = formatValue(raw, format);
        if (text !== null && s.uptakeProvisional) {
          if (p.data && p.data.symbol === "none") {
            return; // the dashed line's join to the last final value
          }
          text += " (provisional)";
        }
        if (!(p.seriesName in lines)) {
          order.push(p.seriesName);
          lines[p.seriesName] = { marker: p.marker, text: text === null ? "not available" : text };
        } else if (text !== null && lines[p.seriesName].text === "not available") {
          lines[p.seriesName] = { marker: p.marker, text: text };
        }
      });
      var head = escapeHTML(params[0].axisValueLabel !== undefined ? params[0].axisValueLabel : params[0].name);
      return head + order.map(function (name) {
        return "<br/>" + lines[name].marker + escapeHTML(name) + ": " + escapeHTML(lines[name].text);
      }).join("");
    };
  }

  // tooltipWriters make the tooltip formatters that series name in
  // "uptakeTooltip". funnelPoint writes a funnel plot's point from its
  // fields: rate with its interval, counts, and its label in words (the
  // series name).
  var tooltipWriters = {
    funnelPoint: function (payload, data) {
      var words = payload.funnel || {};
      return function (params) {
        var d = (data[params.seriesIndex] || [])[params.dataIndex] || params.data || {};
        var v = d.value || [];
        var lines = [escapeHTML(d.name || params.name)];
        var rate = formatValue(v[1], { unit: "%", decimals: 1 });
        if (rate !== null) {
          var ci = d.ci ? " (95% CI " + formatValue(d.ci[0], { unit: "%", decimals: 1 }) + " to " + formatValue(d.ci[1], { unit: "%", decimals: 1 }) + ")" : "";
          lines.push(escapeHTML((words.measure || "Value") + ": " + rate + ci));
        }
        if (d.k !== undefined) {
          lines.push(escapeHTML(d.k + " " + (words.numerator || "") + " of " + formatValue(v[0], { decimals: 0 }) + " " + (words.denominator || "")));
        }
        lines.push(escapeHTML(params.seriesName));
        return lines.join("<br/>");
      };
    }
  };

  // textWidth measures text as a chart draws it (12px sans-serif).
  var measure = document.createElement("canvas").getContext("2d");
  function textWidth(text) {
    measure.font = "12px sans-serif";
    return measure.measureText(String(text)).width;
  }

  // textWidthAt measures text at another font size.
  function textWidthAt(text, px) {
    return textWidth(text) * px / 12;
  }

  // wrapWords breaks text at spaces into lines no wider than max pixels
  // at px; a word wider than max keeps a line of its own, whole, so that
  // a number is never split.
  function wrapWords(text, max, px) {
    var lines = [];
    var line = "";
    String(text).split(" ").forEach(function (word) {
      var next = line ? line + " " + word : word;
      if (line && textWidthAt(next, px) > max) {
        lines.push(line);
        line = word;
      } else {
        line = next;
      }
    });
    lines.push(line);
    return lines;
  }

  // fitLegend lets the legend wrap onto as many lines as the width needs
  // and moves the plot down below it, so that no entry (such as a
  // significance key) is hidden behind paging. An entry too long for a
  // line of its own (on a phone) is broken over several lines rather than
  // cut off at the chart's edge.
  function fitLegend(option, width) {
    var legend = Array.isArray(option.legend) ? option.legend[0] : option.legend;
    var grid = Array.isArray(option.grid) ? option.grid[0] : option.grid;
    if (!legend || legend.show === false || !grid) {
      return 0;
    }
    var names = legend.data;
    if (!names) {
      names = [];
      seriesList(option).forEach(function (s) {
        if (s.name && names.indexOf(s.name) < 0 && s.type !== "custom") {
          names.push(s.name);
        }
      });
    }
    legend.type = "plain";
    legend.left = 8;
    legend.right = 8;
    var rows = 1;
    var x = 0;
    var avail = Math.max(100, width - 16);
    // An entry is its symbol (25 px), a gap (5) and its text, then the
    // gap to the next entry (10).
    var textMax = avail - 40;
    var broken = {};
    names.forEach(function (n) {
      var name = typeof n === "string" ? n : n.name;
      var text = textWidth(name);
      var lines = 1;
      if (text > textMax) {
        broken[name] = wrapWords(name, textMax, 12);
        lines = broken[name].length;
        text = Math.max.apply(null, broken[name].map(function (l) { return textWidth(l); }));
      }
      var w = 25 + 5 + text + 10;
      if (x > 0 && x + w > avail) {
        rows++;
        x = 0;
      }
      x += w;
      rows += lines - 1;
    });
    if (Object.keys(broken).length > 0 && legend.formatter === undefined) {
      legend.formatter = function (name) {
        return broken[name] ? broken[name].join("\n") : name;
      };
    }
    grid.top = rows * 24 + 28;
    return rows;
  }

  // fitFunnel keeps a funnel's stage labels, which sit to its right,
  // within the chart: on a narrow chart the funnel gives up more of the
  // width, each label breaks over lines (never inside a number), and the
  // chart grows tall enough for them. It returns the height the labels
  // need, or 0.
  function fitFunnel(option, width) {
    var need = 0;
    seriesList(option).forEach(function (s) {
      if (s.type !== "funnel" || !s.label || s.label.position !== "right") {
        return;
      }
      var px = s.label.fontSize || 12;
      var items = (s.data || []).filter(function (d) { return d && d.label && d.label.formatter; });
      var widest = 0;
      items.forEach(function (d) { widest = Math.max(widest, textWidthAt(d.label.formatter, px)); });
      var rightShare = parseFloat(s.right) / 100 || 0.42;
      // The label line and its gap take about 30 px.
      if (widest > rightShare * width - 30 && rightShare < 0.55) {
        rightShare = 0.55;
        s.right = "55%";
      }
      var room = Math.floor(rightShare * width - 30);
      if (widest <= room) {
        return;
      }
      var lines = 1;
      items.forEach(function (d) {
        var wrapped = wrapWords(d.label.formatter, room, px);
        lines = Math.max(lines, wrapped.length);
        d.label.formatter = wrapped.join("\n");
      });
      s.label.lineHeight = Math.round(px * 1.25);
      need = Math.max(need, items.length * (lines * s.label.lineHeight + 12) + 40);
    });
    // The note of withheld stages under the funnel breaks over lines too,
    // and the funnel moves up to make room for them.
    (option.graphic || []).forEach(function (g) {
      var style = g.style || {};
      if (g.type !== "text" || typeof style.text !== "string") {
        return;
      }
      var px = style.fontSize || 12;
      var lines = wrapWords(style.text, width - 16, px);
      if (lines.length < 2) {
        return;
      }
      style.text = lines.join("\n");
      style.lineHeight = Math.round(px * 1.3);
      seriesList(option).forEach(function (s) {
        if (s.type === "funnel") {
          s.bottom = (parseFloat(s.bottom) || 0) + (lines.length - 1) * style.lineHeight;
        }
      });
      need += (lines.length - 1) * style.lineHeight;
    });
    return need;
  }

  // fitLabels makes every category label readable: labels along the
  // bottom rotate when they crowd, and long names down the side are cut
  // to fit (the tooltip has them whole).
  function fitLabels(option, width) {
    ["xAxis", "yAxis"].forEach(function (key) {
      var axes = option[key];
      if (!axes) {
        return;
      }
      (Array.isArray(axes) ? axes : [axes]).forEach(function (axis) {
        if (axis.type !== "category" || !axis.data) {
          return;
        }
        var label = axis.axisLabel = axis.axisLabel || {};
        label.interval = 0;
        if (key === "yAxis") {
          label.width = Math.round(Math.min(240, Math.max(90, width * 0.36)));
          label.overflow = "truncate";
          return;
        }
        var shown = axis.data.length;
        var zoom = (option.dataZoom || []).filter(function (z) { return z.type === "slider"; })[0];
        if (zoom && zoom.start !== undefined) {
          shown = Math.max(1, Math.ceil(shown * (zoom.end - zoom.start) / 100));
        }
        var widest = 0;
        axis.data.forEach(function (d) { widest = Math.max(widest, textWidth(typeof d === "string" ? d : d.value)); });
        var room = (width * 0.9 - 60) / shown;
        if (widest + 6 <= room) {
          label.rotate = 0;
        } else if (room >= 20) {
          label.rotate = 45;
        } else {
          label.rotate = 90;
        }
        if (label.rotate) {
          label.width = 120;
          label.overflow = "truncate";
        }
      });
    });
  }

  // fitHeight gives horizontal bars a line each, smaller screens a
  // smaller chart, and a legend wrapped onto more lines the room it
  // takes, so that the plot keeps its height.
  function fitHeight(el, payload, legendRows, minHeight) {
    var rows = payload.rows || 0;
    var base = window.matchMedia && window.matchMedia("(max-width: 640px)").matches ? 300 : 360;
    if (document.body.classList.contains("uptake-print")) {
      base = 250; // a print page (print.css): room for two charts and a table to a page
    }
    var h = rows > 0 ? Math.max(base, rows * 24 + 120) : base;
    h = Math.max(h, minHeight || 0);
    el.style.height = (h + Math.max(0, (legendRows || 1) - 1) * 24) + "px";
  }

  // prepare fits a copy of the payload's option to the element's width.
  function prepare(el, payload) {
    var option = JSON.parse(JSON.stringify(payload.option || {}));
    var width = el.clientWidth || 600;
    useRenderers(option);
    option.aria = option.aria || {};
    option.aria.enabled = true;
    option.aria.label = { enabled: true, description: el.getAttribute("aria-label") || "" };
    var tooltip = option.tooltip = option.tooltip || {};
    if (payload.format) {
      tooltip.valueFormatter = function (v) {
        var text = formatValue(v, payload.format);
        return text === null ? "not available" : text;
      };
    }
    tooltip.confine = true;
    if (tooltip.trigger === "axis") {
      tooltip.formatter = axisTooltip(option, payload.format);
    }
    var data = seriesList(payload.option || {}).map(function (s) { return s.data; });
    seriesList(option).forEach(function (s) {
      if (typeof s.uptakeTooltip === "string") {
        var make = tooltipWriters[s.uptakeTooltip];
        if (!make) {
          throw new Error("unknown tooltip writer " + s.uptakeTooltip);
        }
        s.tooltip = s.tooltip || {};
        s.tooltip.formatter = make(payload, data);
      }
    });
    option.uptakeLegendRows = fitLegend(option, width);
    option.uptakeMinHeight = fitFunnel(option, width);
    fitLabels(option, width);
    // An upright axis's name starts at the axis, so the plot's left
    // edge never cuts it off.
    (Array.isArray(option.yAxis) ? option.yAxis : option.yAxis ? [option.yAxis] : []).forEach(function (axis) {
      if (axis.type === "value" && axis.name && axis.nameLocation === "end") {
        axis.nameTextStyle = axis.nameTextStyle || {};
        axis.nameTextStyle.align = "left";
      }
    });
    return option;
  }

  // filterURL is this page's address with the filter of item set: a
  // quarter sets both ends of the range.
  function filterURL(item) {
    var url = new URL(window.location.href);
    url.hash = "";
    url.searchParams.delete("page");
    if (item.field === "quarter") {
      url.searchParams.set("from", item.value);
      url.searchParams.set("to", item.value);
    } else {
      url.searchParams.set(item.field, item.value);
    }
    return url.pathname + url.search;
  }

  function filterItem(payload, params) {
    var f = payload.filter;
    if (!f) {
      return null;
    }
    if (f.items && f.items[params.name]) {
      return f.items[params.name];
    }
    if (params.data && params.data.filter && f.field) {
      return { field: f.field, value: params.data.filter, label: params.name };
    }
    return null;
  }

  // Popover: the choices a click on a practice offers, for every practice
  // under the pointer. It is a small dialog of links: focus moves into
  // it, Escape or a click elsewhere closes it and returns focus.
  var popover = null;
  function closePopover() {
    if (popover) {
      var back = popover.returnFocus;
      popover.el.remove();
      popover = null;
      if (back && back.focus) {
        back.focus();
      }
    }
  }

  function openPopover(chartEl, x, y, entries) {
    closePopover();
    var box = document.createElement("div");
    box.className = "uptake-popover";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", entries.length > 1 ? entries.length + " practices here" : entries[0].label);
    var title = document.createElement("p");
    title.className = "uptake-popover__title";
    title.textContent = entries.length > 1 ? entries.length + " practices here:" : entries[0].label;
    box.appendChild(title);
    var list = document.createElement("ul");
    list.className = "uptake-popover__list";
    entries.slice(0, 12).forEach(function (e) {
      var li = document.createElement("li");
      if (entries.length > 1) {
        var name = document.createElement("span");
        name.className = "uptake-popover__name";
        name.textContent = e.label;
        li.appendChild(name);
      }
      if (sameOrigin(e.url)) {
        var open = document.createElement("a");
        open.href = e.url;
        open.className = "uptake-popover__open";
        open.textContent = "Open its page";
        open.setAttribute("aria-label", "Open the page of " + e.label);
        li.appendChild(open);
      }
      if (e.item) {
        var filter = document.createElement("a");
        filter.href = filterURL(e.item);
        filter.className = "uptake-popover__filter";
        filter.textContent = "Filter this page to it";
        filter.setAttribute("aria-label", "Filter this page to " + e.label);
        li.appendChild(filter);
      }
      list.appendChild(li);
    });
    box.appendChild(list);
    if (entries.length > 12) {
      var more = document.createElement("p");
      more.className = "nhsuk-body-s";
      more.textContent = "and " + (entries.length - 12) + " more: zoom in, or use the table.";
      box.appendChild(more);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "uptake-popover__close";
    close.textContent = "Close";
    close.addEventListener("click", closePopover);
    box.appendChild(close);
    chartEl.parentNode.insertBefore(box, chartEl.nextSibling);
    var r = chartEl.getBoundingClientRect();
    var pr = box.offsetParent ? box.offsetParent.getBoundingClientRect() : { left: 0, top: 0 };
    var left = Math.max(0, Math.min(r.left - pr.left + x + 8, r.right - pr.left - box.offsetWidth));
    box.style.left = left + "px";
    box.style.top = (r.top - pr.top + y + 8) + "px";
    popover = { el: box, returnFocus: document.activeElement };
    var first = box.querySelector("a, button");
    if (first) {
      first.focus();
    }
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && popover) {
      closePopover();
    }
  });
  document.addEventListener("click", function (ev) {
    if (popover && !popover.el.contains(ev.target) && !ev.target.closest("div.chart")) {
      closePopover();
    }
  });

  // pointsNear lists the funnel plot points within radius pixels of
  // (x, y): points that rounding stacks on top of each other are all
  // offered, so a click never opens the wrong practice.
  function pointsNear(chart, option, x, y, radius) {
    var out = [];
    seriesList(option).forEach(function (s, i) {
      // A silent series (a density of many practices) names none.
      if (s.type !== "scatter" || s.silent || !Array.isArray(s.data)) {
        return;
      }
      s.data.forEach(function (d) {
        if (!d || !d.value) {
          return;
        }
        var px = chart.convertToPixel({ seriesIndex: i }, d.value);
        if (px && Math.abs(px[0] - x) <= radius && Math.abs(px[1] - y) <= radius) {
          out.push(d);
        }
      });
    });
    return out;
  }

  // textOverflow measures how far, in pixels, any text the chart drew
  // reaches past its left and right edges. ECharts has no public call for
  // where its labels landed, so this reads the drawn elements of
  // zrender, the renderer bundled with the vendored ECharts.
  function textOverflow(chart) {
    var w = chart.getWidth();
    var out = { left: 0, right: 0 };
    chart.getZr().storage.getDisplayList(true).forEach(function (el) {
      if ((el.type !== "text" && el.type !== "tspan") || el.ignore || el.invisible) {
        return;
      }
      var r = el.getBoundingRect().clone();
      if (el.transform) {
        r.applyTransform(el.transform);
      }
      out.left = Math.max(out.left, Math.ceil(-r.x));
      out.right = Math.max(out.right, Math.ceil(r.x + r.width - w));
    });
    return out;
  }

  // pxOf reads a side of the grid ("3%" or 24) as pixels of width.
  function pxOf(v, width) {
    if (typeof v === "string" && v.charAt(v.length - 1) === "%") {
      return parseFloat(v) / 100 * width;
    }
    return parseFloat(v) || 0;
  }

  // keepTextInside moves the plot in from an edge that text runs past (on
  // a phone: the last value of an axis, a category's name, the label of a
  // line or a band), so that no figure is cut short, and reports whether
  // it changed the chart.
  function keepTextInside(chart, option) {
    var grid = Array.isArray(option.grid) ? option.grid[0] : option.grid;
    if (!grid) {
      return false;
    }
    var over = textOverflow(chart);
    if (over.left <= 0 && over.right <= 0) {
      return false;
    }
    var w = chart.getWidth();
    if (over.left > 0) {
      grid.left = Math.round(pxOf(grid.left, w) + over.left + 2);
    }
    if (over.right > 0) {
      grid.right = Math.round(pxOf(grid.right, w) + over.right + 2);
    }
    chart.setOption({ grid: option.grid });
    return true;
  }

  function draw(el, payload) {
    var option = prepare(el, payload);
    fitHeight(el, payload, option.uptakeLegendRows, option.uptakeMinHeight);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var links = payload.links || {};
    // Listen for "finished" before setOption: with animation off, ECharts
    // may finish drawing within setOption itself. Once drawn, the chart
    // is checked for labels past its edges (keepTextInside), and drawn
    // again at most twice; it counts as drawn after that.
    var current = option;
    var nudges = 0;
    var finish;
    var drawn = new Promise(function (resolve) {
      var done = false;
      finish = function () {
        if (!done) {
          done = true;
          resolve();
        }
      };
      window.setTimeout(finish, 3000);
    });
    // "finished" also follows a redraw on hover: once the chart is checked
    // (or nudged twice), it is not measured again until it is refitted.
    var checked = false;
    chart.on("finished", function () {
      if (checked) {
        return;
      }
      // Not within ECharts' own drawing: setOption may not be called there.
      window.setTimeout(function () {
        if (nudges < 2 && keepTextInside(chart, current)) {
          nudges++;
          return; // drawing again fires "finished" again
        }
        checked = true;
        finish();
      }, 0);
    });
    chart.setOption(option);
    chart.uptakeRefit = function () {
      var fitted = prepare(el, payload);
      fitHeight(el, payload, fitted.uptakeLegendRows, fitted.uptakeMinHeight);
      current = fitted;
      nudges = 0;
      checked = false;
      chart.resize();
      chart.setOption(fitted, true);
    };
    if (payload.clickable) {
      // Funnel plots: find every point under the pointer.
      chart.getZr().on("click", function (ev) {
        var near = pointsNear(chart, payload.option, ev.offsetX, ev.offsetY, 7);
        if (near.length === 0) {
          return;
        }
        var field = payload.filter && payload.filter.field;
        openPopover(el, ev.offsetX, ev.offsetY, near.map(function (d) {
          return { label: d.name, url: d.url, item: field && d.filter ? { field: field, value: d.filter, label: d.name } : null };
        }));
      });
    } else {
      chart.on("click", function (params) {
        var item = filterItem(payload, params);
        var url = links[params.name];
        if (item && item.field === "practice") {
          openPopover(el, params.event ? params.event.offsetX : 0, params.event ? params.event.offsetY : 0,
            [{ label: item.label || params.name, url: url, item: item }]);
        } else if (item) {
          window.location.assign(filterURL(item));
        } else if (sameOrigin(url)) {
          window.location.assign(url);
        }
      });
    }
    if (Object.keys(links).length > 0 || payload.clickable || payload.filter) {
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
        : sameOrigin(el.dataset.src) ? fetchJSON(el.dataset.src)
        : Promise.reject(new Error("chart without data-option or data-src"));
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

  // Filters: a change never reloads the page (WCAG 2.2 SC 3.2.2); the
  // bar says that changes are waiting until the reader applies them with
  // the button (or Enter in the text box). Applying drops empty fields so
  // the URL stays short and readable. A list too long for a select
  // (England's practices) is a text box; its suggestions come from
  // /api/filters the first time the box is used, not with every page.
  function enhanceFilters() {
    document.querySelectorAll("input[data-suggest]").forEach(function (input) {
      ["focus", "pointerdown", "input"].forEach(function (type) {
        input.addEventListener(type, function () { suggest(input); });
      });
    });
    var forms = document.querySelectorAll("form.uptake-filters");
    Array.prototype.forEach.call(forms, function (form) {
      var pending = form.querySelector(".uptake-filters__pending");
      form.addEventListener("change", function () {
        form.classList.add("uptake-filters--changed");
        if (pending && pending.textContent === "") {
          pending.textContent = "Filters changed: select \u201cApply filters\u201d to show them.";
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
    var lastWidth = window.innerWidth;
    window.addEventListener("resize", debounce(function () {
      // Phones resize as their toolbars slide; refit only on a new width.
      if (window.innerWidth === lastWidth) {
        charts.forEach(function (c) { c.resize(); });
        return;
      }
      lastWidth = window.innerWidth;
      charts.forEach(function (c) { c.uptakeRefit(); });
    }, 150));
    // Printing: unfold the tables, and draw the charts at the paper's
    // width (A4 landscape), as uptake.css lays them out for print.
    var folded = [];
    if (document.body.classList.contains("uptake-print")) {
      // Print pages (the quarterly pack) are drawn at the paper's width
      // already, and are printed once their charts have finished.
      return;
    }
    window.addEventListener("beforeprint", function () {
      folded = Array.prototype.filter.call(document.querySelectorAll("details.uptake-fold"), function (d) { return !d.open; });
      folded.forEach(function (d) { d.open = true; });
      charts.forEach(function (c) { c.resize({ width: 1000, height: 340 }); });
    });
    window.addEventListener("afterprint", function () {
      folded.forEach(function (d) { d.open = false; });
      folded = [];
      charts.forEach(function (c) { c.uptakeRefit(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
