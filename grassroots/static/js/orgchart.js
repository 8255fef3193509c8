/* Bar charts of an organization's membership structure.
 *
 * A container <div data-orgchart="ID"> names a json_script tag holding
 * {"groups": [{"title", "labels": [...], "values": [...], "pcts": [...]}, ...]};
 * one horizontal bar chart per group is drawn into it with ECharts (loaded before this file).
 */
(function () {
  "use strict";

  function drawGroup(box, group) {
    var el = document.createElement("div");
    el.className = "chart";
    el.style.height = Math.max(180, 60 + group.labels.length * 34) + "px";
    box.appendChild(el);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      title: { text: group.title, left: 0, top: 0, textStyle: { fontSize: 14 } },
      grid: { left: 4, right: 48, top: 32, bottom: 4, containLabel: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          return group.labels[i] + ": " + group.values[i] + " (" + group.pcts[i].toFixed(2) + "%)";
        }
      },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category",
        inverse: true,
        data: group.labels,
        axisLabel: { width: 110, overflow: "truncate" }
      },
      series: [{
        type: "bar",
        data: group.values,
        barMaxWidth: 22,
        label: { show: true, position: "right" }
      }]
    });
    return chart;
  }

  function init() {
    if (!window.echarts) {
      return;
    }
    var charts = [];
    document.querySelectorAll("[data-orgchart]").forEach(function (box) {
      var source = document.getElementById(box.getAttribute("data-orgchart"));
      if (!source) {
        return;
      }
      var data = JSON.parse(source.textContent);
      box.replaceChildren();
      (data.groups || []).forEach(function (group) {
        charts.push(drawGroup(box, group));
      });
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
