/**
 * A record's details as a person reads them: "金额 ¥10,000.00；信用额度 —" instead of
 * {"amountFen":1000000,"creditLimitFen":null}. The audit log's details (whatever an appendAudit call recorded) and a
 * fraud flag's evidence are read generically: known field names get a label (an unknown one reads as its words),
 * money in fen reads as yuan, a status as its label, a time in the reader's time format, lists and nested objects in
 * brackets. The pages keep the recorded JSON on the cell's tooltip for whoever needs it as stored.
 */
import { formatDateTime, formatFen } from './format.ts';
import i18n from './i18n/index.ts';

type Label = readonly [zh: string, en: string];

const FIELDS: Record<string, Label> = {
  amountFen: ['金额', 'amount'],
  creditLimitFen: ['信用额度', 'credit limit'],
  memo: ['备注', 'memo'],
  note: ['备注', 'note'],
  orderId: ['订单 ID', 'order id'],
  orderNo: ['订单号', 'order no.'],
  status: ['状态', 'status'],
  from: ['原状态', 'from'],
  to: ['新状态', 'to'],
  reason: ['原因', 'reason'],
  sku: ['SKU', 'SKU'],
  gtin: ['GTIN', 'GTIN'],
  lot: ['批次', 'lot'],
  quantity: ['数量', 'quantity'],
  delta: ['变动', 'change'],
  code: ['编码', 'code'],
  kind: ['类型', 'kind'],
  name: ['名称', 'name'],
  username: ['用户名', 'username'],
  role: ['角色', 'role'],
  partyCode: ['所属主体', 'party'],
  party: ['主体', 'party'],
  partyId: ['主体 ID', 'party id'],
  store: ['门店', 'store'],
  lines: ['订单行', 'lines'],
  items: ['条目', 'items'],
  added: ['新增', 'added'],
  rows: ['行数', 'rows'],
  sample: ['样例', 'sample'],
  source: ['来源', 'source'],
  failedLogins: ['连续登录失败', 'failed sign-ins'],
  lockedUntil: ['锁定至', 'locked until'],
  minutes: ['分钟', 'minutes'],
  decision: ['决定', 'decision'],
  side: ['操作方', 'side'],
  drafts: ['订单草稿', 'drafts'],
  batchNo: ['批次号', 'batch no.'],
  keyVersion: ['密钥版本', 'key version'],
  version: ['版本', 'version'],
  count: ['数量', 'count'],
  format: ['格式', 'format'],
  encrypted: ['已加密', 'encrypted'],
  programId: ['激励方案', 'programme'],
  rewardIds: ['奖励', 'rewards'],
  before: ['修改前', 'before'],
  after: ['修改后', 'after'],
  changes: ['变更', 'changes'],
  url: ['地址', 'URL'],
  events: ['事件', 'events'],
  active: ['启用', 'active'],
  actions: ['权限', 'actions'],
  rules: ['规则', 'rules'],
  eventType: ['事件类型', 'event type'],
  replayOf: ['重放自', 'replay of'],
  // a fraud flag's evidence (src/modules/incentives/fraud/rules.ts)
  km: ['距离（公里）', 'distance (km)'],
  limitKm: ['距离上限（公里）', 'limit (km)'],
  earlierAt: ['上次扫码', 'earlier scan'],
  withinHours: ['时间窗（小时）', 'within (hours)'],
  region: ['地区', 'region'],
  earlierRegion: ['上次地区', 'earlier region'],
  distinctDevices: ['设备数', 'devices'],
  limit: ['上限', 'limit'],
  clerk: ['店员', 'clerk'],
  storeId: ['门店 ID', 'store id'],
  // the demo brand's load and its history (src/demo)
  days: ['天数', 'days'],
  skus: ['SKU', 'SKUs'],
  stores: ['门店数', 'stores'],
  distributors: ['经销商', 'distributors'],
  seed: ['随机种子', 'seed'],
  users: ['用户数', 'users'],
  parties: ['渠道主体数', 'parties'],
  products: ['商品数', 'products'],
};

/** Numbers that name something (a seed, an id, a version) rather than count it: written without thousands separators. */
const IDENTIFYING = new Set(['seed', 'orderId', 'partyId', 'storeId', 'programId', 'keyVersion', 'version', 'replayOf']);

/** Where a status word of the details may have its label, tried in this order. */
const STATUS_LABELS = ['orders.status', 'plans.status', 'campaigns.status', 'channelIncentives.status', 'fraud.status'];

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** The details as one line of text in the reader's language ('—' for none). */
export function detailsText(details: unknown, en: boolean): string {
  if (details === null || details === undefined) return '—';
  if (typeof details !== 'object' || Array.isArray(details)) return valueText('', details, en);
  const text = fieldsText(details as Record<string, unknown>, en);
  return text || '—';
}

function fieldsText(o: Record<string, unknown>, en: boolean): string {
  return Object.entries(o)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${fieldLabel(k, en)}${en ? ': ' : '：'}${valueText(k, v, en)}`)
    .join(en ? '; ' : '；');
}

function fieldLabel(key: string, en: boolean): string {
  const known = FIELDS[key];
  if (known) return en ? known[1] : known[0];
  // an unlisted field reads as its words: "leadTimeDays" as "lead time days"
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function valueText(key: string, v: unknown, en: boolean): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? (en ? 'yes' : '是') : en ? 'no' : '否';
  if (typeof v === 'number')
    return key.endsWith('Fen') ? formatFen(v) : IDENTIFYING.has(key) ? String(v) : v.toLocaleString(en ? 'en' : 'zh-CN');
  if (typeof v === 'string') {
    if (ISO_TIME.test(v)) return formatDateTime(v);
    if (key === 'status' || key === 'from' || key === 'to') return statusLabel(v);
    return v;
  }
  if (Array.isArray(v)) {
    const shown = v.slice(0, 5).map((x) => valueText(key, x, en));
    const more = v.length > 5 ? (en ? ` … (${v.length} in all)` : ` …（共 ${v.length} 项）`) : '';
    return `[${shown.join(en ? ', ' : '、')}${more}]`;
  }
  // a line of an order reads as "SKU × quantity"
  const o = v as Record<string, unknown>;
  if (typeof o.sku === 'string' && typeof o.quantity === 'number' && Object.keys(o).length === 2) return `${o.sku} × ${o.quantity}`;
  return `(${fieldsText(o, en)})`;
}

function statusLabel(status: string): string {
  for (const ns of STATUS_LABELS) {
    const key = `${ns}.${status}`;
    if (i18n.exists(key)) return i18n.t(key);
  }
  return status;
}
