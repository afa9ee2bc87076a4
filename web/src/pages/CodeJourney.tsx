import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Input,
  type InputRef,
  Row,
  Skeleton,
  Space,
  Tag,
  Timeline,
  Tooltip,
  Typography,
} from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ApiError, api } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Chart, type ChartOption } from '../components/Chart.tsx';
import { LoadError } from '../components/PageState.tsx';
import { UnitCode } from '../components/UnitCode.tsx';
import { dash, formatDateTime } from '../format.ts';
import { CHINA_MAP, useChinaMap } from '../geo/chinaMap.ts';
import { PROVINCES } from '../geo/provinces.ts';
import { may } from '../nav.ts';
import {
  CODE_STATUS_COLOR,
  dispositionLabel,
  glnOf,
  normalizeScan,
  placeCoordinates,
  placeRegion,
  shortCode,
  stepLabel,
  transactionNumber,
} from '../trace.ts';
import type { EventPlace, Journey, JourneyEvent, RecallReport } from '../types.ts';
import { useApi } from '../useApi.ts';
import { useQueryState } from '../useQueryState.ts';

const DEFAULTS = { code: '' };

/** The journey with the parties its sources and destinations name, by GLN (those the viewer may see). */
type JourneyAnswer = Journey & { parties?: { gln: string; id: number; code: string; name: string; kind: string }[] };

const STEP_COLOR: Record<string, string> = {
  commissioning: 'blue',
  shipping: 'orange',
  receiving: 'green',
  retail_selling: 'purple',
  destroying: 'red',
  decommissioning: 'red',
};

/** Packaging level of each container (the journey names containers, not their level), looked up once per page. */
const levelCache = new Map<string, Promise<string>>();
function containerLevel(epc: string): Promise<string> {
  let p = levelCache.get(epc);
  if (!p) {
    p = /\/00\/\d{18}/.test(epc)
      ? Promise.resolve('logistic')
      : api<Journey>(`/codes/${encodeURIComponent(epc)}/journey`)
          .then((j) => j.state?.level ?? 'unknown')
          .catch(() => 'unknown');
    levelCache.set(epc, p);
  }
  return p;
}

function useContainerLevels(epcs: string[]): Record<string, string> {
  const [levels, setLevels] = useState<Record<string, string>>({});
  const key = epcs.join('\n');
  useEffect(() => {
    let live = true;
    const list = key ? key.split('\n') : [];
    void Promise.all(list.map(async (e) => [e, await containerLevel(e)] as const)).then((pairs) => {
      if (live) setLevels(Object.fromEntries(pairs));
    });
    return () => {
      live = false;
    };
  }, [key]);
  return levels;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Where an event happened: its business location, else its read point. */
const placeOf = (e: JourneyEvent): EventPlace | null => e.bizLocation ?? e.readPoint;

function PlaceText({ place }: { place: EventPlace | null }) {
  const { t } = useTranslation();
  if (!place) return <Typography.Text type="secondary">{t('journey.noPlace')}</Typography.Text>;
  if (!place.partyId) return <Typography.Text code>{place.id}</Typography.Text>;
  const region = placeRegion(place);
  return (
    <Space size={4} wrap>
      <Link to={`/channel/parties/${place.partyId}`} data-testid="journey-step-place">
        {place.partyName}
      </Link>
      {place.kind ? <Tag>{t(`kinds.${place.kind}`, { defaultValue: place.kind })}</Tag> : null}
      {region ? <Typography.Text type="secondary">{region}</Typography.Text> : null}
    </Space>
  );
}

function JourneyMap({ events }: { events: JourneyEvent[] }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const { map, failed } = useChinaMap();
  const option = useMemo<ChartOption | null>(() => {
    // the places in the order the code reached them (one stop per stay)
    const stops: { key: string; place: EventPlace; steps: string[]; lng: number; lat: number; approximate: boolean }[] = [];
    for (const e of events) {
      const place = placeOf(e);
      const at = placeCoordinates(place);
      if (!place || !at) continue;
      const key = place.partyId ? `p${place.partyId}` : (place.id ?? '');
      const last = stops[stops.length - 1];
      if (last?.key === key) {
        last.steps.push(stepLabel(t, e.bizStep));
        continue;
      }
      stops.push({ key, place, steps: [stepLabel(t, e.bizStep)], ...at });
    }
    if (!stops.length) return null;
    // distinct places at the same point (two parties placed at one province capital) are spread on a small circle
    const byPoint = new Map<string, string[]>();
    for (const s of stops) {
      const k = `${s.lng},${s.lat}`;
      const keys = byPoint.get(k) ?? [];
      if (!keys.includes(s.key)) keys.push(s.key);
      byPoint.set(k, keys);
    }
    const pos = (s: (typeof stops)[number]): [number, number] => {
      const keys = byPoint.get(`${s.lng},${s.lat}`) ?? [];
      if (keys.length < 2) return [s.lng, s.lat];
      const angle = (2 * Math.PI * keys.indexOf(s.key)) / keys.length;
      return [s.lng + 0.9 * Math.cos(angle), s.lat + 0.7 * Math.sin(angle)];
    };
    const points = stops.map((s, i) => ({
      name: s.place.partyName ?? s.place.id ?? '',
      value: pos(s),
      order: i + 1,
      region: placeRegion(s.place),
      steps: s.steps,
      approximate: s.approximate,
    }));
    const segments = points.slice(1).map((p, i) => ({ coords: [points[i]?.value, p.value] }));
    const last = points[points.length - 1];
    const tooltip = {
      trigger: 'item',
      formatter: (p: {
        seriesName?: string;
        data?: { name?: string; order?: number; region?: string; steps?: string[]; approximate?: boolean };
      }) => {
        const d = p.data;
        if (!d?.order) return escapeHtml(d?.name ?? '');
        const lines = [`${d.order}. ${d.name}`, d.region, d.steps?.join(' → ')];
        if (d.approximate) lines.push(t('journey.mapApproximate'));
        // the tooltip is HTML: party names are data
        return lines
          .filter(Boolean)
          .map((l) => escapeHtml(String(l)))
          .join('<br/>');
      },
    };
    // the path and its stops: on the map of China when it has loaded, else on longitude/latitude axes
    const on = map ? { coordinateSystem: 'geo' } : {};
    const path = [
      {
        type: 'lines',
        coordinateSystem: map ? 'geo' : 'cartesian2d',
        z: 2,
        symbol: ['none', 'arrow'],
        symbolSize: 9,
        lineStyle: { color: '#0f766e', width: 2, curveness: 0.2, opacity: 0.8 },
        effect: { show: true, period: 4, symbol: 'circle', symbolSize: 5, color: '#14b8a6', trailLength: 0.2 },
        data: segments,
      },
      {
        type: 'scatter',
        ...on,
        name: 'stops',
        z: 3,
        symbolSize: 14,
        itemStyle: { color: '#0f766e', borderColor: '#fff', borderWidth: 2 },
        label: {
          show: true,
          position: 'top',
          formatter: (p: { data: { order: number; name: string } }) => `${p.data.order}. ${p.data.name}`,
        },
        data: points,
      },
      ...(last
        ? [
            {
              type: 'effectScatter',
              ...on,
              name: 'now',
              z: 4,
              symbolSize: 16,
              rippleEffect: { scale: 3 },
              itemStyle: { color: '#f97316' },
              data: [last],
            },
          ]
        : []),
    ];
    if (map) {
      return {
        animation: false,
        tooltip,
        geo: {
          map: CHINA_MAP,
          nameMap: map.nameMap(en),
          roam: true,
          scaleLimit: { min: 1, max: 12 },
          layoutCenter: ['50%', '50%'],
          layoutSize: '118%',
          silent: true,
          label: { show: false },
          itemStyle: { areaColor: '#f8fafc', borderColor: '#cbd5e1', borderWidth: 0.6 },
        },
        series: path,
      };
    }
    return {
      animation: false,
      grid: { left: 48, right: 24, top: 16, bottom: 32 },
      tooltip,
      xAxis: {
        type: 'value',
        min: 73,
        max: 136,
        axisLabel: { formatter: '{value}°E', color: '#bfbfbf' },
        splitLine: { lineStyle: { color: '#f5f5f5' } },
      },
      yAxis: {
        type: 'value',
        min: 17,
        max: 54,
        axisLabel: { formatter: '{value}°N', color: '#bfbfbf' },
        splitLine: { lineStyle: { color: '#f5f5f5' } },
      },
      series: [
        {
          type: 'scatter',
          name: 'provinces',
          silent: true,
          z: 1,
          symbolSize: 4,
          itemStyle: { color: '#d9d9d9' },
          label: { show: true, position: 'right', formatter: '{b}', color: '#bfbfbf', fontSize: 10 },
          data: PROVINCES.map((p) => ({ name: en ? p.nameEn : p.nameZh, value: [p.lng, p.lat] })),
        },
        ...path,
      ],
    };
  }, [events, t, en, map]);
  if (!option) return <Empty description={t('journey.noMap')} />;
  if (!map && !failed) return <Skeleton active paragraph={{ rows: 8 }} />;
  return <Chart option={option} height={440} testId="journey-map" />;
}

function EventItem({
  e,
  code,
  levels,
  names,
}: {
  e: JourneyEvent;
  code: string;
  levels: Record<string, string>;
  /** party names by GLN, for the GLNs sources and destinations name */
  names: Map<string, string>;
}) {
  const { t } = useTranslation();
  const place = placeOf(e);
  const named = (id: string | undefined) => {
    const gln = glnOf(id);
    return (gln && names.get(gln)) || gln || id || '—';
  };
  const step = e.bizStep ?? '';
  return (
    <div data-testid="journey-step" data-step={step}>
      <Space size={8} wrap>
        <Typography.Text strong data-testid="journey-step-name">
          {stepLabel(t, e.bizStep)}
        </Typography.Text>
        {e.disposition ? <Tag>{dispositionLabel(t, e.disposition)}</Tag> : null}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t(`eventType.${e.type}`, { defaultValue: e.type })}
          {e.action ? ` · ${t(`eventAction.${e.action}`, { defaultValue: e.action })}` : ''}
        </Typography.Text>
      </Space>
      <div style={{ marginTop: 4 }}>
        <PlaceText place={place} />
      </div>
      {e.via !== code ? (
        <div style={{ marginTop: 4 }}>
          <Tooltip title={e.via}>
            <Tag color="cyan" data-testid="journey-step-via">
              {t('journey.via', {
                level: t(`containerLevel.${levels[e.via] ?? 'unknown'}`, { defaultValue: t('containerLevel.unknown') }),
                code: shortCode(e.via),
              })}
            </Tag>
          </Tooltip>
        </div>
      ) : null}
      {e.bizTransactions.length || e.destinations.length || e.sources.length ? (
        <Space size={4} wrap style={{ marginTop: 4 }}>
          {e.bizTransactions.map((b) => (
            <Tooltip key={`${b.type}-${b.bizTransaction}`} title={b.bizTransaction}>
              <Tag color="gold" data-testid="journey-step-order">
                {b.type ? `${t(`btt.${(b.type.split(/[-:]/).pop() ?? '').toLowerCase()}`, { defaultValue: b.type })} ` : ''}
                {transactionNumber(b.bizTransaction)}
              </Tag>
            </Tooltip>
          ))}
          {e.sources.map((s) => (
            <Tooltip key={`s-${s.source}`} title={s.source}>
              <Tag data-testid="journey-step-from">{t('journey.from', { party: named(s.source) })}</Tag>
            </Tooltip>
          ))}
          {e.destinations.map((d) => (
            <Tooltip key={`d-${d.destination}`} title={d.destination}>
              <Tag data-testid="journey-step-to">{t('journey.to', { party: named(d.destination) })}</Tag>
            </Tooltip>
          ))}
        </Space>
      ) : null}
    </div>
  );
}

export function CodeJourneyPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const role = me?.user.role;
  const { get, set } = useQueryState(DEFAULTS);
  const code = get('code');
  const [input, setInput] = useState(code);
  const inputRef = useRef<InputRef>(null);

  useEffect(() => setInput(code), [code]);

  const { data, error, loading, reload } = useApi<JourneyAnswer>(code ? `/codes/${encodeURIComponent(code)}/journey` : null);
  const journey = code ? data : undefined;
  const state = journey?.state ?? null;
  const canRecall = may('recall:read', role);
  const recall = useApi<RecallReport>(
    canRecall && state?.gtin && state.lot ? '/recalls/lot' : null,
    state?.gtin && state.lot ? { gtin: state.gtin, lot: state.lot } : undefined,
  );
  // (the hook keeps the last answer: it must be about this code's lot)
  const sameLot = recall.data?.gtin === state?.gtin && recall.data?.lot === state?.lot;
  const activeRecall = sameLot && recall.data?.recall?.active ? recall.data.recall : null;
  const containerEpcs = useMemo(() => [...new Set((journey?.containers ?? []).map((c) => c.epc))], [journey]);
  const levels = useContainerLevels(containerEpcs);

  // a place's name for GLNs named by sources and destinations: the parties the journey names for them (a shipment's
  // destination before anything happened there), and any party its events took place at
  const glnNames = useMemo(() => {
    const m = new Map<string, string>();
    for (const p of journey?.parties ?? []) m.set(p.gln, p.name);
    for (const e of journey?.events ?? []) {
      for (const p of [e.bizLocation, e.readPoint]) {
        const gln = glnOf(p?.id);
        if (gln && p?.partyName) m.set(gln, p.partyName);
      }
    }
    return m;
  }, [journey]);

  const search = (value: string) => {
    const next = normalizeScan(value);
    if (!next) return;
    if (next === code) reload();
    else set({ code: next });
    // a scanner's next code replaces this one
    setTimeout(() => inputRef.current?.select(), 0);
  };

  const notFound = error instanceof ApiError && error.status === 404;
  const recallLink = state?.gtin && state.lot ? `/trace/recall?${new URLSearchParams({ gtin: state.gtin, lot: state.lot })}` : null;

  return (
    <div data-testid="journey-page">
      <Typography.Title level={3}>{t('journey.title')}</Typography.Title>
      <Input.Search
        ref={inputRef}
        autoFocus
        size="large"
        allowClear
        value={input}
        onChange={(e) => setInput(e.target.value)}
        onSearch={search}
        enterButton={t('journey.search')}
        loading={loading}
        placeholder={t('journey.placeholder')}
        style={{ maxWidth: 760, marginBottom: 8 }}
        data-testid="journey-input"
      />
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('journey.hint')}
      </Typography.Paragraph>

      {notFound ? (
        <Alert
          type="warning"
          showIcon
          title={t('journey.notFound', { code })}
          style={{ marginBottom: 16 }}
          data-testid="journey-not-found"
        />
      ) : (
        <LoadError error={error} onRetry={reload} />
      )}
      {loading && !journey ? <Skeleton active /> : null}
      {!code ? <Empty description={t('journey.empty')} /> : null}

      {journey && !error ? (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          {activeRecall || state?.recalled ? (
            <Alert
              type="error"
              showIcon
              data-testid="journey-recall"
              title={t('journey.recalled', { lot: state?.lot ?? '' })}
              description={
                activeRecall
                  ? t('journey.recallDetail', { reason: activeRecall.reason, at: formatDateTime(activeRecall.createdAt) })
                  : undefined
              }
              action={
                recallLink && canRecall ? (
                  <Link to={recallLink}>
                    <Button size="small" danger>
                      {t('journey.openRecall')}
                    </Button>
                  </Link>
                ) : null
              }
            />
          ) : null}
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={10}>
              <Card title={t('journey.state')} data-testid="journey-state">
                {state ? (
                  <Descriptions
                    column={1}
                    size="small"
                    items={[
                      {
                        key: 'code',
                        label: t('journey.code'),
                        children: <UnitCode epc={journey.code} testId="journey-code" />,
                      },
                      {
                        key: 'product',
                        label: t('journey.product'),
                        children: (
                          <Space orientation="vertical" size={0}>
                            <span data-testid="journey-product">{dash(state.productName)}</span>
                            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                              {[state.sku, state.gtin && `GTIN ${state.gtin}`].filter(Boolean).join(' · ')}
                            </Typography.Text>
                          </Space>
                        ),
                      },
                      {
                        key: 'level',
                        label: t('journey.level'),
                        children: state.level ? t(`level.${state.level}`, { defaultValue: state.level }) : '—',
                      },
                      {
                        key: 'lot',
                        label: t('journey.lot'),
                        children:
                          state.lot && recallLink && canRecall ? (
                            <Space size={8}>
                              <span data-testid="journey-lot">{state.lot}</span>
                              <Link to={recallLink} data-testid="journey-recall-link">
                                {t('journey.lotScope')}
                              </Link>
                            </Space>
                          ) : (
                            <span data-testid="journey-lot">{dash(state.lot)}</span>
                          ),
                      },
                      {
                        key: 'status',
                        label: t('common.status'),
                        children: (
                          <Tag color={CODE_STATUS_COLOR[state.status] ?? 'default'} data-testid="journey-status">
                            {t(`codeStatus.${state.status}`, { defaultValue: state.status })}
                          </Tag>
                        ),
                      },
                      {
                        key: 'holder',
                        label: t('journey.holder'),
                        children: state.holder ? (
                          <Link to={`/channel/parties/${state.holder.id}`} data-testid="journey-holder">
                            {state.holder.name} ({state.holder.code})
                          </Link>
                        ) : (
                          '—'
                        ),
                      },
                      { key: 'last', label: t('journey.lastEvent'), children: formatDateTime(state.lastEventTime) },
                      {
                        key: 'containers',
                        label: t('journey.containers'),
                        children: journey.containers.length ? (
                          <Space orientation="vertical" size={4} data-testid="journey-containers">
                            {journey.containers.map((c) => (
                              <Space key={`${c.epc}-${c.from}`} size={4} wrap>
                                <Typography.Text type="secondary">{shortCode(c.parent)} →</Typography.Text>
                                <Tooltip title={c.epc}>
                                  <Link to={`/trace/journey?${new URLSearchParams({ code: c.epc })}`}>
                                    {t(`containerLevel.${levels[c.epc] ?? 'unknown'}`, { defaultValue: t('containerLevel.unknown') })}{' '}
                                    {shortCode(c.epc)}
                                  </Link>
                                </Tooltip>
                                <Tag color={c.to ? 'default' : 'green'}>
                                  {c.to
                                    ? t('journey.containerLeft', { from: formatDateTime(c.from), to: formatDateTime(c.to) })
                                    : t('journey.containerNow', { from: formatDateTime(c.from) })}
                                </Tag>
                              </Space>
                            ))}
                          </Space>
                        ) : (
                          t('journey.noContainers')
                        ),
                      },
                    ]}
                  />
                ) : (
                  <Empty description={t('journey.noState')} />
                )}
              </Card>
            </Col>
            <Col xs={24} xl={14}>
              <Card title={t('journey.map')} extra={<Typography.Text type="secondary">{t('journey.mapNote')}</Typography.Text>}>
                <JourneyMap events={journey.events} />
              </Card>
            </Col>
          </Row>
          <Card title={t('journey.timeline', { count: journey.events.length })}>
            {journey.events.length ? (
              <div data-testid="journey-timeline">
                <Timeline
                  mode="start"
                  titleSpan={5}
                  items={journey.events.map((e) => ({
                    key: e.eventHash,
                    color: STEP_COLOR[e.bizStep ?? ''] ?? 'gray',
                    title: <span data-testid="journey-step-time">{formatDateTime(e.eventTime)}</span>,
                    content: <EventItem e={e} code={journey.code} levels={levels} names={glnNames} />,
                  }))}
                />
              </div>
            ) : (
              <Empty description={t('journey.noEvents')} />
            )}
          </Card>
        </Space>
      ) : null}
    </div>
  );
}
