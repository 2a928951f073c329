import { useEffect, useRef } from 'preact/hooks';
import { CustomChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([CustomChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/**
 * One Apache ECharts chart on a canvas, drawn for the eye: its `label` says in words what it shows, and
 * every page that draws one gives the same figures as a table. `data-drawn` says when ECharts has drawn it.
 * A module drawing other kinds of series registers them (echarts.use) itself.
 */
export function Chart({ option, label, height = 320, testId }: { option: ChartOption; label: string; height?: number; testId: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current!;
    const chart = echarts.init(element, undefined, { renderer: 'canvas' });
    chart.on('finished', () => element.setAttribute('data-drawn', 'yes'));
    chart.setOption({ animation: false, ...option });
    const resize = () => chart.resize();
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [option]);
  return <div ref={host} role="img" aria-label={label} data-testid={testId} data-drawn="no" style={{ width: '100%', height: `${height}px` }} />;
}

interface GanttApi {
  value: (dimension: number) => number;
  coord: (point: [number, number]) => [number, number];
  size: (extent: [number, number]) => [number, number];
  style: () => object;
}

/**
 * A timeline's bars (a Gantt chart) as an ECharts custom series: each datum is [row, start, end, …] and
 * is drawn as a bar from start to end on its row, at least `minWidth` pixels wide so a short step shows.
 */
export const ganttSeries = (data: readonly object[], minWidth: number) => ({
  type: 'custom',
  encode: { x: [1, 2], y: 0 },
  data,
  renderItem: (_params: unknown, api: GanttApi) => {
    const [x0, y] = api.coord([api.value(1), api.value(0)]);
    const [x1] = api.coord([api.value(2), api.value(0)]);
    const height = api.size([0, 1])[1] * 0.6;
    return { type: 'rect', shape: { x: x0, y: y - height / 2, width: Math.max(minWidth, x1 - x0), height }, style: api.style() };
  },
});
