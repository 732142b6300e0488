/* The spending dashboard's charts, one per table that has one.
 *
 * Each canvas.spend-chart names (data-source) the JSON the page renders with json_script:
 *   {"type": "bar" | "line", "horizontal": false, "unit": "money" | "percent" | "volume",
 *    "labels": ["Local", ...], "datasets": [{"label": "Share of all food (%)", "data": ["12.50", null]}]}
 * Figures arrive as decimal strings and become numbers only to plot; the table beside each
 * chart holds the same figures for screen readers and for copying.
 */
(function () {
  "use strict";

  var COLOURS = ["#2f6b3a", "#0d6efd", "#b35c00", "#6f42c1", "#6c757d", "#198754"];
  var money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
  var number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

  function format(unit, value) {
    if (unit === "money") { return money.format(value); }
    if (unit === "percent") { return number.format(value) + "%"; }
    return number.format(value);
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (!data) { return; }
    var valueAxis = data.horizontal ? "x" : "y";
    var scales = {};
    scales[valueAxis] = {
      beginAtZero: true,
      ticks: { callback: function (value) { return format(data.unit, value); } },
    };
    new window.Chart(canvas, {
      type: data.type,
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, i) {
          return {
            label: set.label,
            data: set.data.map(function (v) { return v === null ? null : Number(v); }),
            borderColor: COLOURS[i % COLOURS.length],
            backgroundColor: COLOURS[i % COLOURS.length],
            spanGaps: true,
          };
        }),
      },
      options: {
        indexAxis: data.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: function (item) {
            return item.dataset.label + ": " + format(data.unit, data.horizontal ? item.parsed.x : item.parsed.y);
          } } },
        },
      },
    });
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas.spend-chart"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
