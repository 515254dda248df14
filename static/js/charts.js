/*
 * Progressive charts: turns <div class="chart" data-chart='{"type": "line", "labels": [...],
 * "series": [{"label": "...", "data": [1, null, 3], "axis": "percent"}]}'> into a Chart.js
 * chart. The table under each chart holds the same figures; this is only a picture of it,
 * so the canvas is hidden from screen readers. Suppressed figures arrive as null: a gap.
 * Without JavaScript or Chart.js the table alone remains.
 */
(function () {
  "use strict";

  var COLOURS = ["#005f7f", "#b34700", "#2e7d32", "#6a1b9a", "#8d6e00", "#c62828", "#37474f"];

  function readSpec(el) {
    try {
      var spec = JSON.parse(el.getAttribute("data-chart") || "{}");
      return spec && Array.isArray(spec.labels) && Array.isArray(spec.series) ? spec : null;
    } catch (error) {
      return null;
    }
  }

  function dataset(series, index, type) {
    var colour = COLOURS[index % COLOURS.length];
    return {
      label: String(series.label || ""),
      data: series.data.map(function (value) {
        return typeof value === "number" && isFinite(value) ? value : null;
      }),
      borderColor: colour,
      backgroundColor: type === "line" ? colour : colour + "cc",
      yAxisID: series.axis === "percent" ? "percent" : "count",
      type: series.type || type,
      spanGaps: false,
      tension: 0.2
    };
  }

  function scales(datasets) {
    var result = {};
    var usesCount = datasets.some(function (d) { return d.yAxisID === "count"; });
    var usesPercent = datasets.some(function (d) { return d.yAxisID === "percent"; });
    if (usesCount) {
      result.count = { type: "linear", position: "left", beginAtZero: true };
    }
    if (usesPercent) {
      result.percent = {
        type: "linear",
        position: usesCount ? "right" : "left",
        beginAtZero: true,
        grid: { drawOnChartArea: !usesCount },
        ticks: { callback: function (value) { return value + " %"; } }
      };
    }
    return result;
  }

  function init(el) {
    var Chart = window.Chart;
    var spec = readSpec(el);
    if (!Chart || !spec || spec.labels.length === 0) {
      return;
    }
    var type = spec.type === "bar" ? "bar" : "line";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("aria-hidden", "true");
    el.appendChild(canvas);
    el.classList.add("chart-ready");
    var datasets = spec.series.map(function (series, index) {
      return dataset(series, index, type);
    });
    // Chart.js is given the figures as data, never as HTML: labels are drawn on a canvas.
    new Chart(canvas, {
      type: type,
      data: { labels: spec.labels.map(String), datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: scales(datasets)
      }
    });
  }

  document.querySelectorAll(".chart[data-chart]").forEach(init);
}());
