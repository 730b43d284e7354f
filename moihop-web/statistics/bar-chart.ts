// A horizontal bar chart as inline SVG, drawn on the server: no script and no outside resource (the CSP stays
// strict), colours from the stylesheet, and the figures also as text (<title>, <desc>) for screen readers.

export interface Bar {
  label: string;
  value: number;
}

export interface BarChartSpec {
  /** Unique on the page: the ids of <title> and <desc> derive from it. */
  id: string;
  title: string;
  bars: Bar[];
  /** Appended to the value for the reader, e.g. "văn bản". */
  unit: string;
}

const WIDTH = 640;
const LABEL_WIDTH = 250;
const VALUE_WIDTH = 60;
const ROW_HEIGHT = 26;
const BAR_HEIGHT = 18;
const LABEL_CHARS = 38;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const shortened = (label: string) => (label.length > LABEL_CHARS ? `${label.slice(0, LABEL_CHARS - 1)}…` : label);

export function barChartSvg(spec: BarChartSpec): string {
  const max = Math.max(1, ...spec.bars.map((b) => b.value));
  const barSpace = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = Math.max(1, spec.bars.length) * ROW_HEIGHT + 4;
  const description = spec.bars.map((b) => `${b.label}: ${b.value} ${spec.unit}`).join('; ');
  const rows = spec.bars.map((bar, i) => {
    const y = i * ROW_HEIGHT + 2;
    const width = bar.value > 0 ? Math.max(2, Math.round((bar.value / max) * barSpace)) : 0;
    const textY = y + BAR_HEIGHT / 2 + 5;
    return `<g class="chart-row"><title>${escapeXml(`${bar.label}: ${bar.value} ${spec.unit}`)}</title>`
      + `<text class="chart-label" x="${LABEL_WIDTH - 8}" y="${textY}" text-anchor="end">${escapeXml(shortened(bar.label))}</text>`
      + `<rect class="chart-bar" x="${LABEL_WIDTH}" y="${y}" width="${width}" height="${BAR_HEIGHT}" rx="2"></rect>`
      + `<text class="chart-value" x="${LABEL_WIDTH + width + 6}" y="${textY}">${bar.value}</text></g>`;
  });
  const titleId = `${spec.id}-title`;
  const descId = `${spec.id}-desc`;
  return `<svg class="bar-chart" id="${escapeXml(spec.id)}" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">`
    + `<title id="${titleId}">${escapeXml(spec.title)}</title><desc id="${descId}">${escapeXml(description || 'Không có số liệu')}</desc>`
    + rows.join('')
    + '</svg>';
}
