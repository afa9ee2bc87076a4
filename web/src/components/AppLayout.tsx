import { Button, Grid, Layout, Menu, type MenuProps, Space, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useAuth } from '../auth.tsx';
import {
  ADMIN_ITEMS,
  ANALYTICS_ITEMS,
  CHANNEL_ITEMS,
  COMMERCE_ITEMS,
  CONSUMER_ITEMS,
  canSee,
  MAIN_ITEMS,
  MARKETING_ITEMS,
  PLANNING_ITEMS,
  selectedKey,
  TRACE_ITEMS,
} from '../nav.ts';
import { LangSwitch } from './LangSwitch.tsx';

const { Header, Sider, Content } = Layout;

export function AppLayout() {
  const { t } = useTranslation();
  const { me, logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  // a phone (below 768 px: a store's clerk back from its phone pages, a distributor on the road): the menu folds away
  // entirely behind its tab and the header keeps what is tapped, so the page has the whole width (the 216 px menu and
  // the header's names left a page 170 px wide, its table one column)
  const narrow = Grid.useBreakpoint().md === false;
  const role = me?.user.role;

  const { items, paths } = useMemo(() => {
    const paths = new Map<string, string>();
    const leaf = (key: string, path: string, label: string) => {
      paths.set(key, path);
      return { key, label: <span data-testid={`menu-${key}`}>{t(label)}</span> };
    };
    const items: NonNullable<MenuProps['items']> = [];
    for (const i of MAIN_ITEMS) if (canSee(i.access, role)) items.push(leaf(i.key, i.path, i.label));
    const commerce = COMMERCE_ITEMS.filter((i) => canSee(i.access, role, i.brandOnly));
    if (commerce.length) {
      items.push({
        key: 'commerce',
        label: <span data-testid="menu-commerce">{t('menu.commerce')}</span>,
        children: commerce.map((i) => leaf(i.key, i.path, i.label)),
      });
    }
    const marketing = MARKETING_ITEMS.filter((i) => canSee(i.access, role, i.brandOnly));
    if (marketing.length) {
      items.push({
        key: 'marketing',
        label: <span data-testid="menu-marketing">{t('menu.incentives')}</span>,
        children: marketing.map((i) => leaf(i.key, i.path, i.label)),
      });
    }
    const planning = PLANNING_ITEMS.filter((i) => canSee(i.access, role));
    if (planning.length) {
      items.push({
        key: 'planning',
        label: <span data-testid="menu-planning">{t('menu.planning')}</span>,
        children: planning.map((i) => leaf(i.key, i.path, i.label)),
      });
    }
    const analytics = ANALYTICS_ITEMS.filter((i) => canSee(i.access, role));
    if (analytics.length) {
      items.push({
        key: 'analytics',
        label: <span data-testid="menu-analytics">{t('menu.analytics')}</span>,
        children: analytics.map((i) => leaf(i.key, i.path, i.label)),
      });
    }
    items.push({
      key: 'channel',
      label: <span data-testid="menu-channel">{t('menu.channel')}</span>,
      children: CHANNEL_ITEMS.filter((i) => canSee(i.access, role)).map((i) => leaf(i.key, i.path, i.label)),
    });
    const trace = TRACE_ITEMS.filter((i) => canSee(i.access, role));
    if (trace.length) {
      items.push({
        key: 'trace',
        label: <span data-testid="menu-trace">{t('menu.trace')}</span>,
        children: trace.map((i) => leaf(i.key, i.path, i.label)),
      });
    }
    const consumers = CONSUMER_ITEMS.filter((i) => canSee(i.access, role));
    if (consumers.length) {
      items.push({
        key: 'consumerGroup',
        label: <span data-testid="menu-consumer-group">{t('menu.consumers')}</span>,
        children: consumers.map((i) => leaf(i.key, i.path, i.label)),
      });
    }
    for (const i of ADMIN_ITEMS) if (canSee(i.access, role)) items.push(leaf(i.key, i.path, i.label));
    return { items, paths };
  }, [t, role]);

  const selected = selectedKey(location.pathname);

  const onLogout = async () => {
    await logout();
    navigate('/login', { replace: true });
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Sider
        collapsible
        collapsed={collapsed}
        onCollapse={setCollapsed}
        breakpoint="md"
        onBreakpoint={setCollapsed}
        // on a phone: no width folded, opened over the page by the header's menu button (antd's own tab for it sat over
        // the page's title)
        collapsedWidth={narrow ? 0 : 80}
        trigger={narrow ? null : undefined}
        width={216}
        theme="light"
        // the menu scrolls inside a sider as tall as the window, above the collapse button: in the page's scroll the
        // button (fixed to the window's bottom) covered whichever item was behind it, and a brand's menu is taller than
        // a laptop's window
        style={{
          borderRight: '1px solid #f0f0f0',
          height: '100vh',
          top: 0,
          ...(narrow ? { position: 'fixed', insetInlineStart: 0, zIndex: 1001 } : { position: 'sticky' }),
        }}
        data-testid="side-menu-sider"
      >
        <div style={{ height: '100%', overflowY: 'auto' }} data-testid="side-menu-scroll">
          <div
            style={{
              height: 56,
              display: 'flex',
              alignItems: 'center',
              padding: '0 20px',
              fontWeight: 700,
              fontSize: 18,
              color: '#0f766e',
              whiteSpace: 'nowrap',
              overflow: 'hidden',
            }}
          >
            {collapsed ? 'T' : 'Throughline'}
          </div>
          <Menu
            mode="inline"
            data-testid="side-menu"
            selectedKeys={selected ? [selected] : []}
            defaultOpenKeys={['commerce', 'marketing', 'channel', 'trace', 'consumerGroup', 'planning']}
            items={items}
            onClick={({ key }) => {
              const path = paths.get(key);
              // where the menu was opened: a page outside the console's frame (the phone pages) leads back there
              if (path) navigate(path, { state: { from: `${location.pathname}${location.search}` } });
              // on a phone the open menu covers the page it leads to
              if (path && narrow) setCollapsed(true);
            }}
          />
        </div>
      </Sider>
      {narrow && !collapsed ? (
        // the open menu over a phone's page: a tap beside it closes it
        <button
          type="button"
          aria-label={t('header.closeMenu')}
          onClick={() => setCollapsed(true)}
          style={{ position: 'fixed', inset: 0, zIndex: 1000, background: 'rgba(0,0,0,0.25)', border: 'none', padding: 0 }}
          data-testid="side-menu-backdrop"
        />
      ) : null}
      <Layout style={{ minWidth: 0 }}>
        <Header
          style={{
            background: '#fff',
            padding: narrow ? '0 12px' : '0 24px',
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            borderBottom: '1px solid #f0f0f0',
            gap: 16,
          }}
        >
          {narrow ? (
            <Button
              aria-label={t('header.menu')}
              aria-expanded={!collapsed}
              onClick={() => setCollapsed((c) => !c)}
              style={{ minWidth: 40, minHeight: 40, flex: 'none' }}
              data-testid="menu-toggle"
            >
              ☰
            </Button>
          ) : null}
          <Typography.Text strong data-testid="tenant-name" ellipsis style={{ minWidth: 0, flex: narrow ? 1 : undefined }}>
            {me?.tenant.name}
            {narrow ? null : (
              <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontWeight: 400 }}>
                {me?.tenant.code}
              </Typography.Text>
            )}
          </Typography.Text>
          <Space size={narrow ? 'small' : 'middle'} wrap={false}>
            {narrow ? null : (
              <span data-testid="current-user">
                {me?.user.displayName || me?.user.username}
                {me?.user.partyName ? <Typography.Text type="secondary"> · {me.user.partyName}</Typography.Text> : null}
              </span>
            )}
            {role && !narrow ? <Tag color="cyan">{t(`roles.${role}`, { defaultValue: role })}</Tag> : null}
            <LangSwitch />
            <Button size="small" onClick={() => void onLogout()} data-testid="logout">
              {t('header.logout')}
            </Button>
          </Space>
        </Header>
        <Content style={{ margin: narrow ? 12 : 24, minWidth: 0 }}>
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}
