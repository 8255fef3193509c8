/* The chart of the residents' opinions statistics page.
 *
 * A container <div data-opinion-chart="ID"> names a json_script tag holding
 * {"labels": ["2024-01", ...], "received": [...], "completed": [...], "satisfaction": [percent or null, ...],
 *  "names": {"received", "completed", "satisfaction", "count"}};
 * bars show the opinions received and completed per month, a line the satisfaction rate (right axis, 0-100).
 * ECharts is loaded before this file.
 */
(function () {
  "use strict";

  function draw(box, data) {
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      legend: { top: 0 },
      grid: { left: 4, right: 4, top: 36, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels, axisLabel: { hideOverlap: true } },
      yAxis: [
        { type: "value", name: data.names.count, minInterval: 1, nameTextStyle: { align: "left" } },
        { type: "value", name: "%", min: 0, max: 100, splitLine: { show: false }, nameTextStyle: { align: "right" } }
      ],
      series: [
        { name: data.names.received, type: "bar", data: data.received, barMaxWidth: 18 },
        { name: data.names.completed, type: "bar", data: data.completed, barMaxWidth: 18 },
        {
          name: data.names.satisfaction, type: "line", yAxisIndex: 1, data: data.satisfaction,
          connectNulls: false, symbolSize: 6
        }
      ]
    });
    return chart;
  }

  function init() {
    if (!window.echarts) {
      return;
    }
    var charts = [];
    document.querySelectorAll("[data-opinion-chart]").forEach(function (box) {
      var source = document.getElementById(box.getAttribute("data-opinion-chart"));
      if (!source) {
        return;
      }
      charts.push(draw(box, JSON.parse(source.textContent)));
    });
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
