// Draws the insights page's charts with the vendored Chart.js. Each canvas names the json_script element
// holding its data (made by insights/views.py); without JavaScript the "Show data" tables stand in.
(function () {
  "use strict";
  // The funders' summary's print button: shown only where it works (without JavaScript, the browser's menu).
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  if (typeof Chart === "undefined") return;
  var ink = "#1c2430";
  var muted = "#5b6675";
  var grid = "#dde3ea";
  Chart.defaults.color = muted;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  // On a phone, long category names (programs, practice titles) would push the bars off the canvas;
  // they are cut there, and the "Show data" table beside each chart has them whole.
  function shortLabel(value) {
    var label = String(this.getLabelForValue(value));
    var limit = this.chart.width < 480 ? 16 : 30;
    return label.length > limit ? label.slice(0, limit - 1) + "…" : label;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var horizontal = Boolean(spec.horizontal);
    var stacked = Boolean(spec.stacked);
    var axis = function (title, isValueAxis) {
      return {
        stacked: stacked,
        beginAtZero: true,
        title: { display: true, text: title, color: ink },
        grid: { color: grid },
        ticks: isValueAxis ? { precision: 0 } : { autoSkip: true, maxRotation: 60, callback: shortLabel },
      };
    };
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d) {
          return { label: d.label, data: d.data, backgroundColor: d.color, borderColor: d.color, borderWidth: 1 };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
        plugins: {
          title: { display: true, text: spec.title, color: ink, font: { size: 14, weight: "600" } },
          legend: { display: true, position: "bottom", labels: { color: ink, boxWidth: 14 } },
        },
        scales: {
          // Counts are whole numbers: the value axis (y, or x on a horizontal chart) has no 0.5 ticks.
          x: axis(spec.x, horizontal),
          y: axis(spec.y, !horizontal),
        },
      },
    });
  });
})();
