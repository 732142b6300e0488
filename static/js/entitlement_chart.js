/* Cumulative drawdown over the school year, on the entitlement page.
 *
 * Reads the JSON that the page renders with json_script (id "drawdown-data"):
 *   {"start": "2019-07-01", "end": "2020-06-30", "pal": "250000.00" | null, "cov": "..." | null,
 *    "points": [{"date": "2019-08-14", "drawn": "1200.50"}, ...]}   (cumulative, one per day)
 * and draws a stepped line on a linear day axis (days since July 1) labelled by month, with the
 * PAL as a dashed ceiling. Amounts arrive as decimal strings; they become numbers only to plot.
 */
(function () {
  "use strict";

  var DAY = 86400000;
  var money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
  var monthName = new Intl.DateTimeFormat("en-US", { month: "short", timeZone: "UTC" });
  var monthYear = new Intl.DateTimeFormat("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
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
    var toX = function (iso) { return Math.round((parseDay(iso) - start) / DAY); };
    var toDate = function (x) { return new Date(start + x * DAY); };
    var end = toX(data.end);

    var points = [{ x: 0, y: 0 }];
    data.points.forEach(function (p) {
      points.push({ x: toX(p.date), y: Number(p.drawn) });
    });
    points.sort(function (a, b) { return a.x - b.x; });
    var first = Math.min(0, points[0].x);
    var last = Math.max(end, points[points.length - 1].x);
    // Carry the running total to today (or the year's end) so the line shows where it stands.
    var today = Math.min(last, Math.round((Date.now() - start) / DAY));
    var lastPoint = points[points.length - 1];
    if (today > lastPoint.x) {
      points.push({ x: today, y: lastPoint.y });
    }

    // Month starts within the axis, for ticks and their labels.
    var months = [];
    var cursor = new Date(start);
    while ((cursor.getTime() - start) / DAY <= last) {
      var offset = Math.round((cursor.getTime() - start) / DAY);
      if (offset >= first) {
        months.push(offset);
      }
      cursor = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 1));
    }
    // At most about a dozen labels, even when drawdowns fall outside the school year.
    var stride = Math.max(1, Math.ceil(months.length / 12));
    months = months.filter(function (value, index) { return index % stride === 0; });

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
              axis.ticks = months.map(function (value) { return { value: value }; });
            },
            ticks: {
              autoSkip: false,
              maxRotation: 0,
              // "Jul 2019", "Aug", ... "Jan 2020": the year on the first tick and on each January.
              callback: function (value) {
                var when = toDate(value);
                var withYear = value === months[0] || when.getUTCMonth() === 0;
                return (withYear ? monthYear : monthName).format(when);
              },
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
