// Draws the overview's charts (templates/overview/index.html) with the vendored Apache
// ECharts. A file of its own: the Content-Security-Policy allows no inline script. The numbers
// come from the page's JSON (data-url); the tables beside the charts hold the same numbers.
(function () {
  "use strict";
  var root = document.getElementById("overview");
  if (!root || typeof echarts === "undefined") {
    return;
  }
  var locale = root.getAttribute("data-locale") || "ZH";
  var label = function (name) { return root.getAttribute("data-label-" + name) || ""; };
  var charts = [];
  // 85.4 → "85.40%", as the tables print it.
  var percent = function (value) { return value === null || value === undefined ? "—" : Number(value).toFixed(2) + "%"; };
  var GRADE_COLOURS = ["#198754", "#0d6efd", "#fd7e14", "#dc3545"];

  function draw(name, option) {
    var node = root.querySelector('[data-chart="' + name + '"]');
    if (!node) {
      return;
    }
    var chart = echarts.init(node, null, { renderer: "svg", locale: locale });
    option.animation = false;
    chart.setOption(option);
    node.setAttribute("data-drawn", "true");
    charts.push(chart);
  }

  function bar(names, values, extra) {
    return Object.assign({
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, width: 90, overflow: "truncate" } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: values, label: { show: true, position: "top" } }]
    }, extra || {});
  }

  function render(data) {
    draw("stages", bar(data.stages.labels, data.stages.counts));
    draw("sections", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.sections.names, inverse: true,
               axisLabel: { width: 140, overflow: "truncate" } },
      series: data.sections.states.map(function (state) {
        return { type: "bar", stack: "states", name: state.label, data: state.counts };
      })
    });
    draw("execution", {
      // The dashed line: the rate of all the sections together.
      tooltip: { trigger: "axis", valueFormatter: percent },
      grid: { left: 8, right: 48, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}%" },
               max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); } },
      yAxis: { type: "category", data: data.execution.names, inverse: true,
               axisLabel: { width: 140, overflow: "truncate" } },
      series: [{ type: "bar", data: data.execution.rates, label: { show: true, position: "right", formatter: function (p) { return percent(p.value); } },
                 markLine: data.execution.total_rate === null ? undefined : {
                   symbol: "none", label: { formatter: "{c}%" }, data: [{ xAxis: data.execution.total_rate }] } }]
    });
    draw("grades", bar(data.grades.labels, data.grades.counts.map(function (n, i) {
      return { value: n, itemStyle: { color: GRADE_COLOURS[i] } };
    })));
    var years = data.years.years.map(String);
    var series = [];
    data.years.projects.forEach(function (project) {
      series.push({ type: "line", name: project.name + " · " + label("score"), data: project.scores,
                    connectNulls: true, yAxisIndex: 0 });
      series.push({ type: "line", name: project.name + " · " + label("rate"), data: project.rates,
                    connectNulls: true, yAxisIndex: 1, lineStyle: { type: "dashed" } });
    });
    draw("years", {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 8, right: 8, top: 32, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: years, boundaryGap: false },
      yAxis: [{ type: "value", name: label("score"), min: 0, max: 100 },
              { type: "value", name: label("rate"), min: 0, max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); } }],
      series: series
    });
  }

  function failed() {
    var note = document.createElement("p");
    note.className = "alert alert-warning";
    note.setAttribute("role", "status");
    note.textContent = label("failed");
    root.insertBefore(note, root.firstChild);
  }

  fetch(root.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.status);
      }
      return response.json();
    })
    .then(render)
    .catch(failed);

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
