/* Cumulative drawdown over the school year, on the entitlement page.
 *
 * Reads the JSON that the page renders with json_script (id "drawdown-data"):
 *   {"start": "2026-07-01", "end": "2027-06-30", "pal": "250000.00" | null, "cov": "..." | null,
 *    "points": [{"date": "2026-08-14", "drawn": "1200.50"}, ...],   (cumulative, one per day)
 *    "months": [{"day": 0, "label": "Jul 2026"}, {"day": 31, "label": "Aug 2026"}, ...]}
 * and draws a stepped line on a linear day axis (days since July 1) that spans the school year,
 * July 1 to June 30, and nothing else: the server has already moved any drawdown dated outside the
 * year onto its first or last day. Each month tick carries its year ("Jul" over "2026"). The PAL
 * is a dashed ceiling.
 * Amounts arrive as decimal strings; they become numbers only to plot.
 */
(function () {
  "use strict";

  var DAY = 86400000;
  var money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
  var dayName = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });

  function parseDay(iso) {
    return Date.parse(iso + "T00:00:00Z");
  }

  function draw() {
    var source = document.getElementById("drawdown-data");
    var canvas = document.getElementById("drawdown-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data) {
      return;
    }
    var start = parseDay(data.start);
    var first = 0;
    var last = Math.round((parseDay(data.end) - start) / DAY);
    var clamp = function (x) { return Math.min(last, Math.max(first, x)); };
    var toX = function (iso) { return clamp(Math.round((parseDay(iso) - start) / DAY)); };
    var toDate = function (x) { return new Date(start + x * DAY); };

    var points = [{ x: first, y: 0 }];
    data.points.forEach(function (p) {
      points.push({ x: toX(p.date), y: Number(p.drawn) });
    });
    points.sort(function (a, b) { return a.x - b.x; });
    // Carry the running total to today (within the year) so the line shows where it stands.
    var today = Math.round((Date.now() - start) / DAY);
    var lastPoint = points[points.length - 1];
    if (today >= first && today <= last && today > lastPoint.x) {
      points.push({ x: today, y: lastPoint.y });
    }

    var labels = {};
    data.months.forEach(function (month) { labels[month.day] = month.label; });

    var datasets = [{
      label: "Drawn (cumulative)",
      data: points,
      stepped: true,
      borderColor: "#2f6b3a",
      backgroundColor: "rgba(47, 107, 58, 0.15)",
      fill: true,
      pointRadius: 3,
    }];
    if (data.pal !== null) {
      datasets.push({
        label: "Planned assistance level",
        data: [{ x: first, y: Number(data.pal) }, { x: last, y: Number(data.pal) }],
        borderColor: "#0d6efd",
        borderDash: [6, 4],
        pointRadius: 0,
        fill: false,
      });
    }
    if (data.cov !== null && data.cov !== data.pal) {
      datasets.push({
        label: "Commodity offer value (floor)",
        data: [{ x: first, y: Number(data.cov) }, { x: last, y: Number(data.cov) }],
        borderColor: "#6c757d",
        borderDash: [2, 3],
        pointRadius: 0,
        fill: false,
      });
    }

    new window.Chart(canvas, {
      type: "line",
      data: { datasets: datasets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        parsing: false,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: {
            type: "linear",
            min: first,
            max: last,
            afterBuildTicks: function (axis) {
              axis.ticks = data.months.map(function (month) { return { value: month.day }; });
            },
            ticks: {
              // "Jul" over "2026": twelve fit side by side; on a phone Chart.js skips some, and
              // every label shown still carries its year.
              autoSkip: true,
              autoSkipPadding: 8,
              maxRotation: 0,
              callback: function (value) { return labels[value] ? labels[value].split(" ") : ""; },
            },
          },
          y: {
            beginAtZero: true,
            ticks: { callback: function (value) { return money.format(value); } },
          },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? dayName.format(toDate(items[0].parsed.x)) : ""; },
              label: function (item) { return item.dataset.label + ": " + money.format(item.parsed.y); },
            },
          },
        },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
