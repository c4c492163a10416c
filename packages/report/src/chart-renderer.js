// Draws the charts of a stackproof report page in the browser with uPlot (inlined beside this
// script). Every chart of a page shares one time range and one synchronised cursor, so the load,
// the latency and the replicas line up second for second. Windows (load phases, fault windows) are
// shaded under the lines. After drawing, each chart records what it drew in `data-drawn` (series
// label → points drawn) so a browser test can check the page without reading pixels only.
(() => {
  const specs = JSON.parse(document.getElementById('stackproof-charts').textContent);
  const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2'];
  const windowFill = {
    phase: ['rgba(31, 119, 180, 0.07)', 'rgba(31, 119, 180, 0.15)'],
    fault: ['rgba(214, 39, 40, 0.18)', 'rgba(214, 39, 40, 0.18)'],
  };
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  for (const spec of specs) {
    for (const x of spec.x) {
      xMin = Math.min(xMin, x);
      xMax = Math.max(xMax, x);
    }
    for (const w of spec.windows) {
      xMin = Math.min(xMin, w.from);
      xMax = Math.max(xMax, w.to);
    }
  }
  if (!Number.isFinite(xMin)) {
    xMin = 0;
    xMax = 1;
  }
  if (xMax === xMin) xMax = xMin + 1;
  const sync = uPlot.sync('stackproof');

  function shadeWindows(spec) {
    return (u) => {
      const ctx = u.ctx;
      const { top, height } = u.bbox;
      ctx.save();
      ctx.font = `${Math.round(11 * devicePixelRatio)}px sans-serif`;
      ctx.textBaseline = 'top';
      spec.windows.forEach((w, i) => {
        const x0 = u.valToPos(w.from, 'x', true);
        const x1 = u.valToPos(w.to, 'x', true);
        const fills = windowFill[w.kind] ?? windowFill.phase;
        ctx.fillStyle = fills[i % 2];
        ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
        ctx.fillStyle = w.kind === 'fault' ? '#a31515' : '#34495e';
        ctx.fillText(w.label, x0 + 3 * devicePixelRatio, top + 2 * devicePixelRatio);
      });
      ctx.restore();
    };
  }

  function recordDrawn(el, spec) {
    return (u) => {
      const drawn = {};
      const colors = {};
      spec.series.forEach((s, i) => {
        const values = u.data[i + 1] ?? [];
        drawn[s.label] = values.filter((v) => v !== null && v !== undefined).length;
        const stroke = u.series[i + 1].stroke;
        colors[s.label] = typeof stroke === 'function' ? stroke(u, i + 1) : stroke;
      });
      el.dataset.colors = JSON.stringify(colors);
      el.dataset.drawn = JSON.stringify(drawn);
    };
  }

  const plots = [];
  specs.forEach((spec, index) => {
    const el = document.querySelector(`[data-chart="${index}"]`);
    const usesRight = spec.series.some((s) => s.axis === 'right');
    const axisLabel = (side) =>
      [...new Set(spec.series.filter((s) => (s.axis ?? 'left') === side).map((s) => s.unit))]
        .filter(Boolean)
        .join(', ');
    const opts = {
      width: Math.max(320, el.clientWidth || 900),
      height: spec.height,
      cursor: { sync: { key: sync.key, setSeries: false } },
      scales: { x: { time: true, range: [xMin, xMax] }, left: {}, right: {} },
      series: [
        { label: 'time' },
        ...spec.series.map((s, i) => ({
          label: s.unit ? `${s.label} (${s.unit})` : s.label,
          stroke: s.color ?? palette[i % palette.length],
          width: 2,
          scale: s.axis === 'right' ? 'right' : 'left',
          spanGaps: false,
          points: { show: false },
        })),
      ],
      axes: [
        {},
        { scale: 'left', label: axisLabel('left') },
        ...(usesRight
          ? [{ scale: 'right', side: 1, label: axisLabel('right'), grid: { show: false } }]
          : []),
      ],
      hooks: { drawClear: [shadeWindows(spec)], draw: [recordDrawn(el, spec)] },
    };
    const data = [spec.x, ...spec.series.map((s) => s.values)];
    plots.push({ el, plot: new uPlot(opts, data, el) });
  });
  window.addEventListener('resize', () => {
    for (const { el, plot } of plots) {
      plot.setSize({ width: Math.max(320, el.clientWidth || 900), height: plot.height });
    }
  });
})();
