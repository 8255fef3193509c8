/* The charts of an organization's dashboard.
 *
 * The json_script tag "dashboard-data" holds one entry per panel shown at once (a panel fetched when scrolled to
 * brings its own, "dashboard-data-PANEL"):
 *   {"kind": "bars" | "columns" | "stacked" | "opinions", "labels": [...],
 *    "series": [{"name", "data": [{"value", "url"}, ...]}, ...], "count": axis name (opinions only)};
 * each container <div data-dashboard-chart="PANEL"> gets that panel's chart. Every bar or point carries the URL
 * of the records behind it, and clicking it goes there (the tables under the charts carry the same links).
 * ECharts is loaded before this file; charts follow the window's size.
 */
(function () {
  "use strict";

  var COLOURS = { met: "#2e7d32", missed: "#c62828", pending: "#9e9e9e" };

  function horizontal(data) {
    return {
      grid: { left: 4, right: 40, top: 8, bottom: 4, containLabel: true },
      tooltip: { trigger: "item" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.labels, axisLabel: { width: 120, overflow: "truncate" } },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, barMaxWidth: 20, label: { show: true, position: "right" } };
      })
    };
  }

  function columns(data) {
    return {
      legend: { top: 0 },
      grid: { left: 4, right: 4, top: 36, bottom: 4, containLabel: true },
      tooltip: { trigger: "item" },
      xAxis: { type: "category", data: data.labels, axisLabel: { hideOverlap: true, width: 90, overflow: "truncate" } },
      yAxis: { type: "value" },
      series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data, barMaxWidth: 24 }; })
    };
  }

  function stacked(data) {
    var option = horizontal(data);
    option.legend = { top: 0 };
    option.grid.top = 32;
    option.series = data.series.map(function (s) {
      return {
        name: s.name, type: "bar", stack: "duties", data: s.data, barMaxWidth: 20,
        itemStyle: { color: COLOURS[s.key] }
      };
    });
    return option;
  }

  function opinions(data) {
    var s = data.series;
    return {
      legend: { top: 0 },
      grid: { left: 4, right: 4, top: 44, bottom: 4, containLabel: true },
      tooltip: { trigger: "item" },
      xAxis: { type: "category", data: data.labels, axisLabel: { hideOverlap: true } },
      yAxis: [
        { type: "value", name: data.count, minInterval: 1, nameTextStyle: { align: "left" } },
        { type: "value", name: "%", min: 0, max: 100, splitLine: { show: false }, nameTextStyle: { align: "right" } }
      ],
      series: [
        { name: s[0].name, type: "bar", data: s[0].data, barMaxWidth: 18 },
        { name: s[1].name, type: "bar", data: s[1].data, barMaxWidth: 18 },
        { name: s[2].name, type: "line", yAxisIndex: 1, data: s[2].data, connectNulls: false, symbolSize: 8 }
      ]
    };
  }

  var KINDS = { bars: horizontal, columns: columns, stacked: stacked, opinions: opinions };

  function draw(box, data) {
    var build = KINDS[data.kind];
    if (!build) {
      return null;
    }
    var height = data.kind === "bars" || data.kind === "stacked" ? Math.max(180, 48 + data.labels.length * 30) : 0;
    if (height) {
      box.style.height = height + "px";
    }
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    var option = build(data);
    option.animation = false;
    chart.setOption(option);
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url) {
        window.location.assign(url);
      }
    });
    box.style.cursor = "pointer";
    return chart;
  }

  var charts = [];

  function dataOf(key) {
    /* The page's charts ("dashboard-data"), or the chart a panel fetched later carries ("dashboard-data-KEY"). */
    var own = document.getElementById("dashboard-data-" + key);
    if (own) {
      return JSON.parse(own.textContent);
    }
    var source = document.getElementById("dashboard-data");
    return source ? JSON.parse(source.textContent)[key] : null;
  }

  function drawAll() {
    if (!window.echarts) {
      return;
    }
    document.querySelectorAll("[data-dashboard-chart]:not([data-drawn])").forEach(function (box) {
      var data = dataOf(box.getAttribute("data-dashboard-chart"));
      var chart = data && draw(box, data);
      if (chart) {
        charts.push(chart);
        box.setAttribute("data-drawn", "1");
      }
    });
  }

  function init() {
    drawAll();
    document.addEventListener("htmx:afterSettle", drawAll);  /* a panel fetched when scrolled to */
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
