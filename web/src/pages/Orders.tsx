import {
  Alert,
  App,
  AutoComplete,
  Button,
  Descriptions,
  Drawer,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { ApiError, api, errorText, uploadFile, XLSX_TYPE } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { type Balances, FundsSummary } from '../components/FundsSummary.tsx';
import { LoadError } from '../components/PageState.tsx';
import { formatDateTime, formatFen } from '../format.ts';
import { may } from '../nav.ts';
import { problemFields } from '../problemFields.ts';
import { isBrandRole } from '../types.ts';
import { useApi } from '../useApi.ts';
import { useSearchInput } from '../useSearchInput.ts';
import { DifferencesTable, type OrderDifference, type OrderReturn, ReturnGoodsButton, ReturnsTable } from './OrderAfterSales.tsx';
import { ShipOrderButton } from './OrderShipment.tsx';

interface OrderRow {
  id: number;
  orderNo: string;
  type: string;
  status: string;
  totalFen: number;
  createdAt: string;
  buyer: { code: string; name: string };
  seller: { code: string; name: string };
}

interface OrderDetail extends OrderRow {
  approvalReasons: string[];
  /** the viewer's side of the order: the seller's actions (decides), the buyer's (buys), resolving receipt differences */
  viewer: { decides: boolean; buys: boolean; resolvesDifferences: boolean };
  lines: {
    lineNo: number;
    sku: string;
    name: string;
    quantity: number;
    unitPriceFen: number;
    amountFen: number;
    priceRule: { code: string; scope: string; priority: number; minQty: number };
    availableQty: number | null;
    shippedQty: number;
    receivedQty: number;
    returnedQty: number;
  }[];
  differences: OrderDifference[];
  returns: OrderReturn[];
  timeline: { at: string; kind: string; actor: string; details: Record<string, unknown> }[];
}

const STATUS_COLOR: Record<string, string> = {
  pending_approval: 'gold',
  awaiting_stock: 'orange',
  awaiting_group: 'purple',
  approved: 'blue',
  partially_shipped: 'cyan',
  shipped: 'geekblue',
  received: 'green',
  returned: 'magenta',
  rejected: 'red',
  cancelled: 'default',
};
const STATUSES = Object.keys(STATUS_COLOR);

/** The order desk (brand), the distributor portal and a store's ordering, one page: what a role may do decides the buttons. */
export function OrdersPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const role = me?.user.role;
  const [status, setStatus] = useState<string | undefined>();
  // ?q= from a link (a party's page: its orders) is the search the page opens with
  const [params] = useSearchParams();
  const initialSearch = params.get('q') ?? '';
  const { search, setInput } = useSearchInput(initialSearch);
  const [paging, setPaging] = useState({ page: 1, pageSize: 20 });
  // a filter changed: its orders from the first page
  // biome-ignore lint/correctness/useExhaustiveDependencies: the filters are what resets the page
  useEffect(() => setPaging((p) => (p.page === 1 ? p : { ...p, page: 1 })), [status, search]);
  // thousands of orders (a year of a channel's ordering): the server pages them, the newest placed first
  const { data, error, loading, reload } = useApi<{ items: OrderRow[]; total: number }>('/orders', {
    status,
    q: search || undefined,
    page: paging.page,
    pageSize: paging.pageSize,
  });
  const [openId, setOpenId] = useState<number | null>(null);
  const [placing, setPlacing] = useState(false);
  // a past order's buyer and lines, to order them again
  const [draft, setDraft] = useState<OrderDraft | null>(null);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('orders.title')}
        </Typography.Title>
        <Space wrap>
          <Input.Search
            allowClear
            defaultValue={initialSearch}
            placeholder={t('orders.searchPlaceholder')}
            style={{ width: 260 }}
            onChange={(e) => setInput(e.target.value)}
            onSearch={(v) => setInput(v)}
            data-testid="orders-search"
          />
          <Select
            allowClear
            placeholder={t('orders.statusFilter')}
            style={{ minWidth: 160 }}
            value={status}
            onChange={setStatus}
            options={STATUSES.map((s) => ({ value: s, label: t(`orders.status.${s}`) }))}
            data-testid="orders-status-filter"
          />
          <Button href="/api/v1/orders/export" download data-testid="orders-export">
            {t('orders.export')}
          </Button>
          {may('orders:place', role) && !isBrandRole(role) ? (
            <ExcelOrder
              onPlaced={(id) => {
                reload();
                setOpenId(id);
              }}
            />
          ) : null}
          {may('orders:place', role) && !isBrandRole(role) ? (
            <Button href="/m/order" data-testid="orders-mobile">
              {t('mobileOrder.open')}
            </Button>
          ) : null}
          {may('orders:place', role) ? (
            <Button type="primary" onClick={() => setPlacing(true)} data-testid="orders-new">
              {t('orders.new')}
            </Button>
          ) : null}
        </Space>
      </Space>
      {may('funds:read', role) && !isBrandRole(role) && me?.user.partyCode ? <OwnFunds party={me.user.partyCode} orders={data} /> : null}
      {error ? <LoadError error={error} onRetry={reload} /> : null}
      <Table<OrderRow>
        rowKey="id"
        loading={loading}
        dataSource={data?.items ?? []}
        pagination={{
          current: paging.page,
          pageSize: paging.pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100],
          showTotal: (n) => t('common.total', { count: n }),
        }}
        onChange={(p) => setPaging({ page: p.current ?? 1, pageSize: p.pageSize ?? 20 })}
        scroll={{ x: 720 }}
        data-testid="orders-table"
        onRow={(r) => ({ onClick: () => setOpenId(r.id), style: { cursor: 'pointer' } })}
        columns={[
          { key: 'no', title: t('orders.orderNo'), dataIndex: 'orderNo' },
          { key: 'buyer', title: t('orders.buyer'), render: (_, r) => `${r.buyer.name} (${r.buyer.code})` },
          { key: 'seller', title: t('orders.seller'), render: (_, r) => r.seller.name },
          {
            key: 'status',
            title: t('common.status'),
            render: (_, r) => <Tag color={STATUS_COLOR[r.status]}>{t(`orders.status.${r.status}`, { defaultValue: r.status })}</Tag>,
          },
          { key: 'total', title: t('orders.total'), align: 'right', render: (_, r) => formatFen(r.totalFen) },
          { key: 'created', title: t('orders.createdAt'), render: (_, r) => formatDateTime(r.createdAt) },
        ]}
      />
      <OrderDrawer
        id={openId}
        onClose={() => setOpenId(null)}
        onChanged={reload}
        onReorder={(again) => {
          setOpenId(null);
          setDraft(again);
          setPlacing(true);
        }}
      />
      <PlaceOrderModal
        open={placing}
        initial={draft}
        onClose={() => {
          setPlacing(false);
          setDraft(null);
        }}
        onPlaced={(id) => {
          setPlacing(false);
          reload();
          setOpenId(id);
        }}
        askBuyer={isBrandRole(role)}
      />
    </Space>
  );
}

/** A channel member's own money above its orders: what it can still order for, and a way to its ledger. */
function OwnFunds({ party, orders }: { party: string; orders: unknown }) {
  const { t } = useTranslation();
  const funds = useApi<Balances>(`/funds/${encodeURIComponent(party)}`);
  // the orders list reloaded (an order placed, cancelled, received): what is reserved has moved
  const seen = useRef(orders);
  const { reload } = funds;
  useEffect(() => {
    if (seen.current !== undefined && seen.current !== orders) reload();
    seen.current = orders;
  }, [orders, reload]);
  if (funds.error) return <LoadError error={funds.error} onRetry={funds.reload} />;
  if (!funds.data) return null;
  return (
    <FundsSummary
      balances={funds.data}
      testId="orders-funds"
      extra={
        <Link to="/funds" data-testid="orders-funds-ledger">
          {t('funds.viewLedger')}
        </Link>
      }
    />
  );
}

/** The order's Idempotency-Key was used for an order with other contents (409 order.key_reused). */
const keyReused = (e: unknown) => e instanceof ApiError && e.problem.code === 'order.key_reused';

/** An order from a spreadsheet (columns sku and quantity): bad rows come back with their row numbers. */
function ExcelOrder({ onPlaced }: { onPlaced: (id: number) => void }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  // one key until an upload succeeds: sending the file again after a lost answer places one order
  const [key, setKey] = useState(() => crypto.randomUUID());
  const send = async (file: File) => {
    setBusy(true);
    try {
      const csv = file.name.toLowerCase().endsWith('.csv');
      const placed = await uploadFile<{ id: number; orderNo: string }>(
        `/orders/import?format=${csv ? 'csv' : 'xlsx'}`,
        file,
        csv ? 'text/csv' : XLSX_TYPE,
        () => {},
        { 'idempotency-key': key },
      ).promise;
      setKey(crypto.randomUUID());
      message.success(t('orders.placed', { no: placed.orderNo }));
      onPlaced(placed.id);
    } catch (e) {
      // the key already placed an order from another file (its answer was lost): the message names that order, and
      // the next upload takes a new key, so it places its file as a new order
      if (keyReused(e)) setKey(crypto.randomUUID());
      const problem = (e as { problem?: { errors?: { pointer: string; detail?: string }[] } }).problem;
      modal.error({
        title: errorText(e),
        content: (problem?.errors ?? []).map((x) => (
          <div key={x.pointer}>
            {x.pointer.replace('/file/rows/', t('orders.row'))}: {x.detail}
          </div>
        )),
      });
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };
  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".xlsx,.csv"
        style={{ display: 'none' }}
        onChange={(e) => e.target.files?.[0] && send(e.target.files[0])}
        data-testid="orders-upload-input"
      />
      <Button loading={busy} onClick={() => input.current?.click()} data-testid="orders-upload">
        {t('orders.upload')}
      </Button>
    </>
  );
}

function OrderDrawer({
  id,
  onClose,
  onChanged,
  onReorder,
}: {
  id: number | null;
  onClose: () => void;
  onChanged: () => void;
  onReorder: (draft: OrderDraft) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { me } = useAuth();
  const role = me?.user.role;
  const { data, error, loading, reload } = useApi<OrderDetail>(id === null ? null : `/orders/${id}`);
  const [busy, setBusy] = useState(false);
  const act = async (path: string, body: unknown, done: string) => {
    setBusy(true);
    try {
      await api(path, { method: 'POST', body });
      message.success(done);
      reload();
      onChanged();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const changed = () => {
    reload();
    onChanged();
  };
  const o = data;
  const open = o?.status ?? '';
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={760}
      title={o ? `${t('orders.order')} ${o.orderNo}` : t('orders.order')}
      destroyOnHidden
    >
      {error ? <LoadError error={error} onRetry={reload} /> : null}
      {o ? (
        <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="order-detail">
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label={t('common.status')}>
              <Tag color={STATUS_COLOR[o.status]} data-testid="order-status">
                {t(`orders.status.${o.status}`, { defaultValue: o.status })}
              </Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('orders.type')}>
              <span data-testid="order-type">{t(`orders.types.${o.type}`, { defaultValue: o.type })}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('orders.total')}>{formatFen(o.totalFen)}</Descriptions.Item>
            <Descriptions.Item label={t('orders.buyer')}>{`${o.buyer.name} (${o.buyer.code})`}</Descriptions.Item>
            <Descriptions.Item label={t('orders.seller')}>{o.seller.name}</Descriptions.Item>
            {o.approvalReasons.length ? (
              <Descriptions.Item label={t('orders.approvalReasons')} span={2}>
                {o.approvalReasons.map((r) => (
                  <Tag key={r}>{t(`orders.reason.${r}`, { defaultValue: r })}</Tag>
                ))}
              </Descriptions.Item>
            ) : null}
          </Descriptions>
          <Space wrap>
            {open === 'pending_approval' && may('orders:decide', role) && o.viewer.decides ? (
              <>
                <Button
                  type="primary"
                  loading={busy}
                  onClick={() => act(`/orders/${o.id}/approve`, {}, t('orders.approved'))}
                  data-testid="order-approve"
                >
                  {t('orders.approve')}
                </Button>
                <Button
                  danger
                  loading={busy}
                  onClick={() => act(`/orders/${o.id}/reject`, {}, t('orders.rejected'))}
                  data-testid="order-reject"
                >
                  {t('orders.reject')}
                </Button>
              </>
            ) : null}
            {['pending_approval', 'approved', 'awaiting_stock', 'awaiting_group'].includes(open) &&
            may('orders:place', role) &&
            (o.viewer.buys || o.viewer.decides) ? (
              <Button loading={busy} onClick={() => act(`/orders/${o.id}/cancel`, {}, t('orders.cancelled'))} data-testid="order-cancel">
                {t('orders.cancel')}
              </Button>
            ) : null}
            {(open === 'approved' || open === 'partially_shipped') && may('orders:ship', role) && o.viewer.decides ? (
              <ShipOrderButton orderId={o.id} onDone={changed} />
            ) : null}
            {open === 'partially_shipped' && may('orders:decide', role) && o.viewer.decides ? (
              <Button
                loading={busy}
                onClick={() => act(`/orders/${o.id}/close-backorder`, {}, t('orders.backorderClosed'))}
                data-testid="order-close-backorder"
              >
                {t('orders.closeBackorder')}
              </Button>
            ) : null}
            {may('orders:place', role) && o.viewer.buys ? (
              <Button
                onClick={() => onReorder({ buyer: o.buyer.code, lines: o.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })) })}
                data-testid="order-reorder"
              >
                {t('orders.reorder')}
              </Button>
            ) : null}
            {(open === 'shipped' || open === 'partially_shipped') && may('orders:receive', role) && o.viewer.buys ? (
              <Button
                type="primary"
                loading={busy}
                onClick={() => act(`/orders/${o.id}/receipts`, { scanId: crypto.randomUUID() }, t('orders.receivedAll'))}
                data-testid="order-receive"
              >
                {t('orders.receiveAll')}
              </Button>
            ) : null}
            {(open === 'shipped' || open === 'partially_shipped') && may('orders:receive', role) && o.viewer.buys ? (
              <Button
                loading={busy}
                onClick={() => act(`/orders/${o.id}/receipts/close`, { scanId: crypto.randomUUID() }, t('orders.diff.closedOk'))}
                data-testid="order-close-receipt"
              >
                {t('orders.diff.close')}
              </Button>
            ) : null}
            {['partially_shipped', 'shipped', 'received'].includes(open) && may('orders:receive', role) && o.viewer.buys ? (
              <ReturnGoodsButton orderId={o.id} onDone={changed} />
            ) : null}
          </Space>
          <Table
            size="small"
            rowKey="lineNo"
            loading={loading}
            pagination={false}
            dataSource={o.lines}
            scroll={{ x: 640 }}
            columns={[
              { key: 'sku', title: 'SKU', dataIndex: 'sku' },
              { key: 'name', title: t('orders.product'), dataIndex: 'name' },
              { key: 'qty', title: t('orders.quantity'), dataIndex: 'quantity', align: 'right' },
              { key: 'price', title: t('orders.unitPrice'), align: 'right', render: (_, l) => formatFen(l.unitPriceFen) },
              {
                key: 'rule',
                title: t('orders.priceRule'),
                render: (_, l) => (
                  <Typography.Text type="secondary">
                    {l.priceRule.code} · {t(`orders.scope.${l.priceRule.scope}`, { defaultValue: l.priceRule.scope })}
                  </Typography.Text>
                ),
              },
              { key: 'shipped', title: t('orders.shipped'), dataIndex: 'shippedQty', align: 'right' },
              {
                // what the seller lacked when the order was placed, and still has not shipped
                key: 'backordered',
                title: t('orders.backordered'),
                align: 'right',
                render: (_, l) => {
                  const short = Math.min(l.quantity - l.shippedQty, Math.max(0, l.quantity - (l.availableQty ?? l.quantity)));
                  return short > 0 && !['cancelled', 'rejected', 'shipped', 'received'].includes(open) ? (
                    <Tag color="orange">{short}</Tag>
                  ) : null;
                },
              },
              { key: 'received', title: t('orders.received'), dataIndex: 'receivedQty', align: 'right' },
              { key: 'returned', title: t('orders.returned'), dataIndex: 'returnedQty', align: 'right' },
            ]}
          />
          <DifferencesTable
            orderId={o.id}
            items={o.differences ?? []}
            canResolve={may('orders:decide', role) && o.viewer.resolvesDifferences}
            onChanged={changed}
          />
          <ReturnsTable orderId={o.id} items={o.returns ?? []} canReceive={may('orders:ship', role)} onChanged={changed} />
          <Timeline
            items={o.timeline.map((e) => ({
              children: (
                <span>
                  <b>{t(`orders.event.${e.kind}`, { defaultValue: e.kind })}</b> · {formatDateTime(e.at)}
                </span>
              ),
            }))}
          />
        </Space>
      ) : null}
    </Drawer>
  );
}

/** A SKU field that searches the catalogue by SKU or name as one types (zh or en names). */
function ProductPicker({ value, onChange, testId }: { value: string; onChange: (sku: string) => void; testId: string }) {
  const { t, i18n } = useTranslation();
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const search = async (q: string) => {
    if (q.trim().length < 2) return setOptions([]);
    try {
      const r = await api<{ items: { sku: string; nameZh: string; nameEn: string | null }[] }>('/products', {
        query: { q: q.trim(), pageSize: 8 },
      });
      setOptions(r.items.map((p) => ({ value: p.sku, label: `${p.sku} · ${i18n.language === 'en' ? (p.nameEn ?? p.nameZh) : p.nameZh}` })));
    } catch {
      setOptions([]);
    }
  };
  return (
    <AutoComplete style={{ width: 280 }} value={value} options={options} onSearch={search} onChange={(v: string) => onChange(v.trim())}>
      <Input placeholder={t('orders.skuOrName')} data-testid={testId} />
    </AutoComplete>
  );
}

interface GroupBuy {
  code: string;
  name: string;
  sku: string;
  unitPriceFen: number;
  minBuyers: number;
  buyers: number;
  endsAt: string;
  status: string;
}

interface LineDraft {
  sku: string;
  /** as typed: null when empty or not a number (shown as an error, never changed into another quantity) */
  quantity: number | null;
}

/** An order to place again: its buyer (asked of brand staff) and its lines. */
interface OrderDraft {
  buyer?: string;
  lines: LineDraft[];
}

/** What is wrong with a line's quantity, as a message key; null when it is a whole number of at least 1. */
function quantityProblem(quantity: number | null): string | null {
  if (quantity === null || !Number.isFinite(quantity)) return 'orders.qtyRequired';
  if (!Number.isInteger(quantity) || quantity < 1) return 'orders.qtyWhole';
  if (quantity > 1_000_000) return 'orders.qtyTooLarge';
  return null;
}

/** The lines of a pasted list ("SKU quantity" per line, spaces, tabs or a comma between); a quantity left out is 1. */
function parsePastedLines(text: string): LineDraft[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim().split(/[\s,，]+/))
    .filter((parts) => parts[0])
    .map(([sku, qty]) => {
      const quantity = qty === undefined ? 1 : Number(qty);
      return { sku: sku as string, quantity: Number.isFinite(quantity) ? quantity : null };
    });
}

function PlaceOrderModal({
  open,
  initial,
  onClose,
  onPlaced,
  askBuyer,
}: {
  open: boolean;
  initial: OrderDraft | null;
  onClose: () => void;
  onPlaced: (id: number) => void;
  askBuyer: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [buyer, setBuyer] = useState('');
  const [type, setType] = useState<'normal' | 'presale' | 'group_buy'>('normal');
  const [groupBuy, setGroupBuy] = useState<string | undefined>();
  const groupBuys = useApi<{ items: GroupBuy[] }>(open && type === 'group_buy' ? '/group-buys' : null);
  const [lines, setLines] = useState<LineDraft[]>([{ sku: '', quantity: 1 }]);
  const [problem, setProblem] = useState<string | null>(null);
  // the server's reasons by field (buyer, lines.<i>.sku, lines.<i>.quantity), shown under the field
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  // the form's own checks are shown once the user tried to place the order
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  // one key per dialog: pressing submit twice (or a retry after a lost answer) places one order
  const [key, setKey] = useState(() => crypto.randomUUID());
  useEffect(() => {
    // a dialog opened again starts without the last attempt's errors
    if (!open) return;
    setTried(false);
    setFieldErrors({});
    setProblem(null);
  }, [open]);
  useEffect(() => {
    if (!open || !initial) return;
    if (initial.lines.length) setLines(initial.lines);
    if (initial.buyer) setBuyer(initial.buyer);
  }, [open, initial]);
  const editLines = (next: LineDraft[]) => {
    setLines(next);
    setFieldErrors({});
  };
  const picked = lines.map((l, i) => ({ ...l, i })).filter((l) => l.sku);
  const buyerError = askBuyer && !buyer.trim() ? t('orders.buyerRequired') : fieldErrors.buyer;
  const skuError = (i: number) => (i === 0 && !picked.length ? t('orders.lineRequired') : fieldErrors[`lines.${i}.sku`]);
  const qtyError = (l: LineDraft, i: number) => {
    const own = l.sku ? quantityProblem(l.quantity) : null;
    return own ? t(own) : fieldErrors[`lines.${i}.quantity`];
  };
  const submit = async () => {
    setTried(true);
    setProblem(null);
    if ((askBuyer && !buyer.trim()) || !picked.length || picked.some((l) => quantityProblem(l.quantity))) return;
    setBusy(true);
    try {
      const placed = await api<{ id: number; orderNo: string; status: string }>('/orders', {
        method: 'POST',
        body: {
          ...(askBuyer ? { buyer: buyer.trim() } : {}),
          ...(type === 'normal' ? {} : { type }),
          ...(type === 'group_buy' && groupBuy ? { groupBuy } : {}),
          lines: picked.map(({ sku, quantity }) => ({ sku, quantity })),
        },
        headers: { 'idempotency-key': key },
      });
      message.success(t('orders.placed', { no: placed.orderNo }));
      setLines([{ sku: '', quantity: 1 }]);
      setTried(false);
      setKey(crypto.randomUUID());
      onPlaced(placed.id);
    } catch (e) {
      // the dialog's key already placed an order (its answer was lost) and the lines changed since: the message names
      // that order; the dialog takes a new key, so placing again places these lines as a new order
      if (keyReused(e)) setKey(crypto.randomUUID());
      // the reasons the server gives by field, under the fields (the sent lines are the picked ones, renumbered)
      const byField: Record<string, string> = {};
      for (const f of problemFields(e)) {
        const [first, index, field] = f.name;
        const name =
          first === 'lines' && typeof index === 'number' ? `lines.${picked[index]?.i ?? index}.${field ?? 'sku'}` : String(first);
        byField[name] = f.errors.join('; ');
      }
      setFieldErrors(byField);
      setProblem(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      onCancel={onClose}
      title={t('orders.new')}
      onOk={submit}
      confirmLoading={busy}
      okText={t('orders.place')}
      destroyOnHidden
    >
      <Form layout="vertical">
        {askBuyer ? (
          <Form.Item
            label={t('orders.buyerCode')}
            required
            validateStatus={(tried || fieldErrors.buyer) && buyerError ? 'error' : undefined}
            help={(tried || fieldErrors.buyer) && buyerError ? <span data-testid="order-buyer-error">{buyerError}</span> : undefined}
          >
            <Input
              value={buyer}
              onChange={(e) => {
                setBuyer(e.target.value);
                setFieldErrors({});
              }}
              data-testid="order-buyer"
            />
          </Form.Item>
        ) : null}
        <Form.Item label={t('orders.type')}>
          <Select
            value={type}
            onChange={setType}
            options={(['normal', 'presale', 'group_buy'] as const).map((v) => ({ value: v, label: t(`orders.types.${v}`) }))}
            data-testid="order-type-select"
          />
        </Form.Item>
        {type === 'group_buy' ? (
          <Form.Item label={t('orders.groupBuy')} required>
            <Select
              value={groupBuy}
              onChange={(code: string) => {
                setGroupBuy(code);
                // a group buy is one product: its line is filled in
                const g = groupBuys.data?.items.find((x) => x.code === code);
                if (g) editLines([{ sku: g.sku, quantity: lines[0]?.quantity ?? 1 }]);
              }}
              loading={groupBuys.loading}
              options={(groupBuys.data?.items ?? [])
                .filter((g) => g.status !== 'failed')
                .map((g) => ({
                  value: g.code,
                  label: `${g.name} · ${g.sku} · ${formatFen(g.unitPriceFen)} · ${t('orders.groupBuyProgress', {
                    buyers: g.buyers,
                    min: g.minBuyers,
                    ends: formatDateTime(g.endsAt),
                  })}`,
                }))}
              data-testid="order-group-buy"
            />
          </Form.Item>
        ) : null}
        {lines.map((l, i) => {
          const sku = tried || fieldErrors[`lines.${i}.sku`] ? skuError(i) : undefined;
          // a quantity that is not a whole number of at least 1 is shown wrong as typed: not rounded, not raised to 1
          const qty = qtyError(l, i);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: lines are edited in place and have no identity before they are placed
            <div key={i} style={{ marginBottom: 8 }}>
              <Space style={{ display: 'flex' }}>
                <ProductPicker
                  value={l.sku}
                  onChange={(next) => editLines(lines.map((x, j) => (j === i ? { ...x, sku: next } : x)))}
                  testId={`order-line-sku-${i}`}
                />
                <InputNumber
                  value={l.quantity}
                  status={qty ? 'error' : undefined}
                  onChange={(v) => editLines(lines.map((x, j) => (j === i ? { ...x, quantity: typeof v === 'number' ? v : null } : x)))}
                  data-testid={`order-line-qty-${i}`}
                />
              </Space>
              {sku || qty ? (
                <Typography.Text type="danger" data-testid={`order-line-error-${i}`}>
                  {[sku, qty].filter(Boolean).join(' · ')}
                </Typography.Text>
              ) : null}
            </div>
          );
        })}
        <Button onClick={() => editLines([...lines, { sku: '', quantity: 1 }])} data-testid="order-add-line">
          {t('orders.addLine')}
        </Button>
        <Input.TextArea
          style={{ marginTop: 12 }}
          rows={3}
          placeholder={t('orders.pastePlaceholder')}
          onChange={(e) => {
            const pasted = parsePastedLines(e.target.value);
            if (pasted.length) editLines(pasted);
          }}
          data-testid="order-paste"
        />
        {problem ? <Alert style={{ marginTop: 12 }} type="error" message={problem} showIcon data-testid="order-problem" /> : null}
      </Form>
    </Modal>
  );
}
