// Footprint charts with ECharts (served from the pinned npm package): stage bars, contributors, Sankeys.
const data = JSON.parse(document.getElementById("chart-data").textContent);
const charts = [];
const palette = ["#2f7d59", "#4e9fd1", "#e0a030", "#c05050", "#7a68b0", "#5aa89a", "#a0a0a0", "#d07aa0"];

function make(id, option) {
  const node = document.getElementById(id);
  if (!node || !window.echarts) return;
  const chart = window.echarts.init(node, null, { renderer: "canvas" });
  chart.setOption({ color: palette, animation: false, ...option });
  charts.push(chart);
}

const money = (v) => Number(v).toLocaleString(document.documentElement.lang, { maximumFractionDigits: 2 });

make("chart-stages", {
  tooltip: { trigger: "axis", valueFormatter: money },
  grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
  xAxis: { type: "category", data: data.stages.labels, axisLabel: { interval: 0, overflow: "break", width: 90 } },
  yAxis: { type: "value", name: data.units.emissions },
  series: [{ type: "bar", data: data.stages.values, barMaxWidth: 48 }],
});

make("chart-contributors", {
  tooltip: { trigger: "axis", valueFormatter: money },
  grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
  xAxis: { type: "value", name: "kgCO2e" },
  yAxis: { type: "category", inverse: true, data: data.contributors.map((c) => c.name),
           axisLabel: { width: 160, overflow: "truncate" } },
  series: [{ type: "bar", data: data.contributors.map((c) => c.value), barMaxWidth: 22 }],
});

const sankey = (flows, unit) => ({
  tooltip: { trigger: "item", valueFormatter: (v) => money(v) + " " + unit },
  series: [{
    type: "sankey", data: flows.nodes, links: flows.links, emphasis: { focus: "adjacency" },
    nodeGap: 10, left: 8, right: 140, top: 8, bottom: 8,
    lineStyle: { color: "gradient", curveness: 0.5, opacity: 0.4 },
    label: { overflow: "truncate", width: 130 },
  }],
});
make("chart-sankey", sankey(data.sankey, "kgCO2e"));
make("chart-energy", sankey(data.energySankey, data.units.energy));

window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
document.body.dataset.chartsReady = String(charts.length);
