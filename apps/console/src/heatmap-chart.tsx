import { useEffect, useRef } from 'preact/hooks';
import { HeatmapChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([HeatmapChart, GridComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

/** A closed day's value: below every count of free places, so the scale can mark it apart. */
export const CLOSED = -1;

export interface HeatmapData {
  /** Row labels (sites or units), top to bottom. */
  readonly rows: readonly string[];
  /** Column labels (days). */
  readonly days: readonly string[];
  /** [day index, row index, free places or CLOSED, why closed]. */
  readonly cells: readonly (readonly [number, number, number, string | null])[];
}

/**
 * The capacity heatmap (Apache ECharts, canvas): a row per site or unit, a column per day, coloured by
 * the places free, closed days marked apart. `onDrawn` is told when ECharts has finished drawing (the
 * benchmark times request to drawn by it). Drawn for the eye; the page gives the same facts as a table.
 */
export function Heatmap({ data, label, onDrawn }: { data: HeatmapData; label: string; onDrawn?: () => void }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Marks for the benchmark's breakdown (bench/api/console.ts): figures in hand, laid out, drawn.
    performance.mark('heatmap:figures');
    const chart = echarts.init(host.current!, undefined, { renderer: 'canvas' });
    chart.on('finished', () => {
      performance.mark('heatmap:drawn');
      onDrawn?.();
    });
    chart.setOption({
      animation: false,
      grid: { left: 110, right: 24, top: 16, bottom: 90 },
      tooltip: {
        formatter: (p: { value: [number, number, number, string | null] }) => {
          const [x, y, free, why] = p.value;
          return `${data.rows[y]}, ${data.days[x]}: ${free === CLOSED ? `closed${why ? ` (${why})` : ''}` : `${free} free`}`;
        },
      },
      xAxis: { type: 'category', data: data.days, splitArea: { show: true } },
      yAxis: { type: 'category', data: data.rows, inverse: true },
      visualMap: {
        type: 'piecewise',
        orient: 'horizontal',
        left: 'center',
        bottom: 8,
        dimension: 2,
        // NHS identity colours, each band also named in the legend.
        pieces: [
          { value: CLOSED, label: 'Closed', color: '#425563' },
          { value: 0, label: 'None free', color: '#d5281b' },
          { gt: 0, lte: 1, label: 'Up to 1 free', color: '#ffb81c' },
          { gt: 1, lte: 3, label: '1 to 3 free', color: '#78be20' },
          { gt: 3, label: 'More than 3 free', color: '#007f3b' },
        ],
      },
      series: [{ type: 'heatmap', data: data.cells, progressive: 0, emphasis: { itemStyle: { borderColor: '#212b32', borderWidth: 1 } } }],
    });
    performance.mark('heatmap:laid-out');
    const resize = () => chart.resize();
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [data]);
  return <div ref={host} role="img" aria-label={label} data-testid="heatmap" style={{ width: '100%', height: `${Math.max(240, data.rows.length * 22 + 120)}px` }} />;
}
