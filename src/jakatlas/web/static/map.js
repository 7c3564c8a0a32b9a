/* Draws the evidence map from the JSON data block next to it (plotly served locally). */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("evidence-map");
  var data = document.getElementById("evidence-map-data");
  if (!el || !data || !window.Plotly) { return; }
  var fig = JSON.parse(data.textContent);
  var layout = Object.assign({}, fig.layout, {
    title: null,
    margin: { l: 10, r: 10, t: 10, b: 10 },
    autosize: true,
    legend: Object.assign({}, (fig.layout || {}).legend, { orientation: "h", x: 0, xanchor: "left", y: -0.25, yanchor: "top" }),
    paper_bgcolor: "rgba(0,0,0,0)",
  });
  layout.xaxis = Object.assign({}, layout.xaxis, { automargin: true });
  layout.yaxis = Object.assign({}, layout.yaxis, { automargin: true });
  window.Plotly.newPlot(el, fig.data, layout, { responsive: true, displayModeBar: false }).then(function () {
    el.classList.add("ready");
  });
  el.on("plotly_click", function (ev) {
    var p = ev && ev.points && ev.points[0];
    if (p && typeof p.y === "string") {
      window.location.href = "/diseases/" + encodeURIComponent(p.y);
    }
  });
});
