/* Draws the Plotly charts of a page ({% plotly_chart %} in dashboards/templatetags/charts.py).
   Each <div data-chart="ID"> has its figure and config as JSON in <script id="ID">.
   Charts are drawn as they come near the viewport, so a page of many sparklines
   stays quick; each redraws to its box's width when the window resizes. */
(function () {
  "use strict";

  // Period ticks far enough apart for their labels (about 70 px), keeping the last.
  function spacedTicks(axis, width) {
    var times = axis.tickvals.map(function (v) {
      return Date.parse(v);
    });
    var span = times[times.length - 1] - times[0];
    if (!span) return;
    var pxPerMs = Math.max(width - 90, 100) / span;
    var keep = [];
    var last = null;
    for (var i = times.length - 1; i >= 0; i--) {
      if (last === null || (last - times[i]) * pxPerMs >= 70) {
        keep.unshift(i);
        last = times[i];
      }
    }
    axis.tickvals = keep.map(function (i) {
      return axis.tickvals[i];
    });
    axis.ticktext = keep.map(function (i) {
      return axis.ticktext[i];
    });
  }

  // On a phone: spaced, level period labels; notes as a marker (the full note is in
  // its hover text and listed under the chart); room for the legend (one entry a
  // line) below the plot instead of a scrolling legend box.
  function fitNarrow(el, figure) {
    if (el.clientWidth >= 560) return;
    var layout = figure.layout;
    var axis = layout.xaxis || {};
    if (axis.tickvals && axis.tickvals.length > 1) {
      spacedTicks(axis, el.clientWidth);
      axis.tickangle = 0;
    }
    (layout.annotations || []).forEach(function (note) {
      if (note.hovertext) note.text = "✱";
    });
    if (layout.showlegend) {
      var entries = figure.data.filter(function (trace) {
        return trace.showlegend !== false && trace.name;
      }).length;
      layout.height = (layout.height || 400) + 19 * entries;
      layout.legend = Object.assign({}, layout.legend, { font: { size: 11 } });
    }
  }

  function draw(el) {
    if (el.dataset.drawn) return;
    el.dataset.drawn = "true";
    var source = document.getElementById(el.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    fitNarrow(el, spec.figure);
    window.Plotly.newPlot(el, spec.figure.data, spec.figure.layout, spec.config);
  }

  function start() {
    var charts = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    if (!window.Plotly || !charts.length) return;
    if (!("IntersectionObserver" in window)) {
      charts.forEach(draw);
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            draw(entry.target);
          }
        });
      },
      { rootMargin: "300px 0px" }
    );
    charts.forEach(function (el) {
      observer.observe(el);
    });
  }

  // Printing: draw everything first so the printout has every chart.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
