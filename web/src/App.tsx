import { App as AntApp, ConfigProvider, Result, Spin } from 'antd';
import * as enUSModule from 'antd/es/locale/en_US.js';
import type { Locale } from 'antd/es/locale/index.js';
import * as zhCNModule from 'antd/es/locale/zh_CN.js';
import { lazy, type ReactNode, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { AuthProvider, useAuth } from './auth.tsx';
import { AppLayout } from './components/AppLayout.tsx';
import { canSee, type NavItem } from './nav.ts';
import { LoginPage } from './pages/Login.tsx';
import { NotFoundPage } from './pages/NotFound.tsx';
import { PartiesPage } from './pages/Parties.tsx';
import { PartyDetailPage } from './pages/PartyDetail.tsx';
import { ProductDetailPage } from './pages/ProductDetail.tsx';
import { ProductsPage } from './pages/Products.tsx';

// ECharts is large: load the pages that draw charts (and the rarely used ones) on demand.
const OverviewPage = lazy(() => import('./pages/Overview.tsx').then((m) => ({ default: m.OverviewPage })));
const UsersPage = lazy(() => import('./pages/Users.tsx').then((m) => ({ default: m.UsersPage })));
const AuditPage = lazy(() => import('./pages/Audit.tsx').then((m) => ({ default: m.AuditPage })));
const AnalyticsPage = lazy(() => import('./pages/Analytics.tsx').then((m) => ({ default: m.AnalyticsPage })));
const ImportExportPage = lazy(() => import('./pages/ImportExport.tsx').then((m) => ({ default: m.ImportExportPage })));
// The mobile scanning page (PWA, own layout): loaded only on /scan.
const ScanPage = lazy(() => import('./scan/ScanPage.tsx').then((m) => ({ default: m.ScanPage })));
const CodeJourneyPage = lazy(() => import('./pages/CodeJourney.tsx').then((m) => ({ default: m.CodeJourneyPage })));
const RecallPage = lazy(() => import('./pages/Recall.tsx').then((m) => ({ default: m.RecallPage })));
const ChannelIncentivesPage = lazy(() => import('./pages/ChannelIncentives.tsx').then((m) => ({ default: m.ChannelIncentivesPage })));
const SimulationPage = lazy(() => import('./pages/Simulation.tsx').then((m) => ({ default: m.SimulationPage })));
const FraudReviewPage = lazy(() => import('./pages/FraudReview.tsx').then((m) => ({ default: m.FraudReviewPage })));
const DiversionPage = lazy(() => import('./pages/Diversion.tsx').then((m) => ({ default: m.DiversionPage })));
const CodeBatchesPage = lazy(() => import('./pages/CodeBatches.tsx').then((m) => ({ default: m.CodeBatchesPage })));
const CampaignResultsPage = lazy(() => import('./pages/CampaignResults.tsx').then((m) => ({ default: m.CampaignResultsPage })));
const OrdersPage = lazy(() => import('./pages/Orders.tsx').then((m) => ({ default: m.OrdersPage })));
const StockPage = lazy(() => import('./pages/Stock.tsx').then((m) => ({ default: m.StockPage })));
// Store ordering on a phone (own layout, like the scanning page).
const MobileOrderPage = lazy(() => import('./pages/MobileOrder.tsx').then((m) => ({ default: m.MobileOrderPage })));
const OneMoreRedeemPage = lazy(() => import('./pages/OneMoreRedeem.tsx').then((m) => ({ default: m.OneMoreRedeemPage })));
const MarketInspectionPage = lazy(() => import('./pages/MarketInspection.tsx').then((m) => ({ default: m.MarketInspectionPage })));
const PricingPage = lazy(() => import('./pages/Pricing.tsx').then((m) => ({ default: m.PricingPage })));
const FundsPage = lazy(() => import('./pages/Funds.tsx').then((m) => ({ default: m.FundsPage })));
const GroupBuysPage = lazy(() => import('./pages/GroupBuys.tsx').then((m) => ({ default: m.GroupBuysPage })));
const OrderRulesPage = lazy(() => import('./pages/OrderRules.tsx').then((m) => ({ default: m.OrderRulesPage })));
const ConsumersPage = lazy(() => import('./pages/consumers/ConsumersList.tsx').then((m) => ({ default: m.ConsumersPage })));
const ConsumerProfilePage = lazy(() => import('./pages/consumers/ConsumerProfile.tsx').then((m) => ({ default: m.ConsumerProfilePage })));
const MallItemsPage = lazy(() => import('./pages/consumers/MallItems.tsx').then((m) => ({ default: m.MallItemsPage })));
const SegmentsPage = lazy(() => import('./pages/Segments.tsx').then((m) => ({ default: m.SegmentsPage })));
const CampaignsPage = lazy(() => import('./pages/Campaigns.tsx').then((m) => ({ default: m.CampaignsPage })));
const ForecastsPage = lazy(() => import('./pages/planning/Forecasts.tsx').then((m) => ({ default: m.ForecastsPage })));
const PlansPage = lazy(() => import('./pages/planning/Plans.tsx').then((m) => ({ default: m.PlansPage })));
const PlanDetailPage = lazy(() => import('./pages/planning/PlanDetail.tsx').then((m) => ({ default: m.PlanDetailPage })));
const CapacityPage = lazy(() => import('./pages/planning/Capacity.tsx').then((m) => ({ default: m.CapacityPage })));
const JobsPage = lazy(() => import('./pages/planning/Jobs.tsx').then((m) => ({ default: m.JobsPage })));
const WebhooksPage = lazy(() => import('./pages/Webhooks.tsx').then((m) => ({ default: m.WebhooksPage })));

/** antd's locale files are ES modules typed as CommonJS: accept either shape. */
function antdLocale(mod: unknown): Locale {
  const m = mod as { locale?: string; default?: unknown };
  return (typeof m.locale === 'string' ? m : antdLocale(m.default)) as Locale;
}
const ANTD_LOCALES: Record<string, Locale> = { 'zh-CN': antdLocale(zhCNModule), en: antdLocale(enUSModule) };

function FullPageSpin() {
  return (
    <div style={{ display: 'flex', justifyContent: 'center', alignItems: 'center', minHeight: '60vh' }}>
      <Spin size="large" />
    </div>
  );
}

function RequireAuth({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === 'loading') return <FullPageSpin />;
  if (status === 'anonymous') {
    return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}` }} />;
  }
  return <>{children}</>;
}

function Guard({ access, brandOnly, children }: { access: NavItem['access']; brandOnly?: boolean; children: ReactNode }) {
  const { me } = useAuth();
  const { t } = useTranslation();
  if (!canSee(access, me?.user.role, brandOnly)) return <Result status="403" title="403" subTitle={t('common.forbidden')} />;
  return <Suspense fallback={<FullPageSpin />}>{children}</Suspense>;
}

function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        path="/scan"
        element={
          <Suspense fallback={<FullPageSpin />}>
            <ScanPage />
          </Suspense>
        }
      />
      <Route
        path="/m/order"
        element={
          <RequireAuth>
            <Guard access="orders:place">
              <MobileOrderPage />
            </Guard>
          </RequireAuth>
        }
      />
      <Route
        path="/m/inspect"
        element={
          <RequireAuth>
            <Guard access="inspection:write">
              <MarketInspectionPage />
            </Guard>
          </RequireAuth>
        }
      />
      <Route
        path="/m/one-more"
        element={
          <RequireAuth>
            <Guard access="channel_incentives:redeem">
              <OneMoreRedeemPage />
            </Guard>
          </RequireAuth>
        }
      />
      <Route
        element={
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        }
      >
        <Route
          index
          element={
            <Guard access="all">
              <OverviewPage />
            </Guard>
          }
        />
        <Route path="products" element={<ProductsPage />} />
        <Route path="products/:id" element={<ProductDetailPage />} />
        <Route path="channel/distributors" element={<PartiesPage key="distributors" view="distributors" />} />
        <Route path="channel/stores" element={<PartiesPage key="stores" view="stores" />} />
        <Route path="channel/facilities" element={<PartiesPage key="facilities" view="facilities" />} />
        <Route path="channel/parties/:id" element={<PartyDetailPage />} />
        <Route
          path="users"
          element={
            <Guard access="brand_admin">
              <UsersPage />
            </Guard>
          }
        />
        <Route
          path="audit"
          element={
            <Guard access="brand_admin">
              <AuditPage />
            </Guard>
          }
        />
        <Route
          path="orders"
          element={
            <Guard access="orders:read">
              <OrdersPage />
            </Guard>
          }
        />
        <Route
          path="stock"
          element={
            <Guard access="stock:read">
              <StockPage />
            </Guard>
          }
        />
        <Route
          path="segments"
          element={
            <Guard access="segments:read">
              <SegmentsPage />
            </Guard>
          }
        />
        <Route
          path="pricing"
          element={
            <Guard access="pricing:read" brandOnly>
              <PricingPage />
            </Guard>
          }
        />
        <Route
          path="funds"
          element={
            <Guard access="funds:read">
              <FundsPage />
            </Guard>
          }
        />
        <Route
          path="group-buys"
          element={
            <Guard access="group_buys:manage">
              <GroupBuysPage />
            </Guard>
          }
        />
        <Route
          path="order-rules"
          element={
            <Guard access="pricing:read" brandOnly>
              <OrderRulesPage />
            </Guard>
          }
        />
        <Route
          path="consumers"
          element={
            <Guard access="consumers:read">
              <ConsumersPage />
            </Guard>
          }
        />
        <Route
          path="consumers/:id"
          element={
            <Guard access="consumers:read">
              <ConsumerProfilePage />
            </Guard>
          }
        />
        <Route
          path="mall"
          element={
            <Guard access="consumers:read">
              <MallItemsPage />
            </Guard>
          }
        />
        <Route
          path="webhooks"
          element={
            <Guard access="webhooks:manage">
              <WebhooksPage />
            </Guard>
          }
        />
        <Route
          path="io"
          element={
            <Guard access="brand">
              <ImportExportPage />
            </Guard>
          }
        />
        <Route
          path="trace/journey"
          element={
            <Guard access="trace:read">
              <CodeJourneyPage />
            </Guard>
          }
        />
        <Route
          path="trace/recall"
          element={
            <Guard access="recall:read">
              <RecallPage />
            </Guard>
          }
        />
        <Route
          path="trace/diversion"
          element={
            <Guard access="diversion:read">
              <DiversionPage />
            </Guard>
          }
        />
        <Route
          path="codes/batches"
          element={
            <Guard access="codes:read">
              <CodeBatchesPage />
            </Guard>
          }
        />
        <Route
          path="marketing/results"
          element={
            <Guard access="reports:rankings">
              <CampaignResultsPage />
            </Guard>
          }
        />
        <Route
          path="incentives/channel"
          element={
            <Guard access="channel_incentives:earnings">
              <ChannelIncentivesPage />
            </Guard>
          }
        />
        <Route
          path="incentives/fraud"
          element={
            <Guard access="fraud:read">
              <FraudReviewPage />
            </Guard>
          }
        />
        <Route
          path="campaigns"
          element={
            <Guard access="campaigns:read">
              <CampaignsPage />
            </Guard>
          }
        />
        <Route
          path="planning/forecasts"
          element={
            <Guard access="planning:forecast">
              <ForecastsPage />
            </Guard>
          }
        />
        <Route
          path="planning/plans"
          element={
            <Guard access="plans:read">
              <PlansPage />
            </Guard>
          }
        />
        <Route
          path="planning/plans/:id"
          element={
            <Guard access="plans:read">
              <PlanDetailPage />
            </Guard>
          }
        />
        <Route
          path="planning/capacity"
          element={
            <Guard access="capacity:read">
              <CapacityPage />
            </Guard>
          }
        />
        <Route
          path="jobs"
          element={
            <Guard access="jobs:read">
              <JobsPage />
            </Guard>
          }
        />
        {(['overview', 'stock', 'map', 'flows', 'scorecards', 'rankings', 'launches'] as const).map((view) => (
          <Route
            key={view}
            path={`analytics/${view}`}
            element={
              <Guard access="analytics:read">
                <AnalyticsPage view={view} />
              </Guard>
            }
          />
        ))}
        <Route
          path="planning/simulation"
          element={
            <Guard access="simulations:read">
              <SimulationPage />
            </Guard>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App() {
  const { i18n } = useTranslation();
  const locale = ANTD_LOCALES[i18n.language] ?? ANTD_LOCALES['zh-CN'];
  return (
    <ConfigProvider
      locale={locale}
      theme={{
        token: { colorPrimary: '#0f766e' },
        components: { Menu: { itemSelectedBg: '#ccfbf1', itemSelectedColor: '#0f766e' } },
      }}
    >
      <AntApp>
        <AuthProvider>
          <BrowserRouter>
            <AppRoutes />
          </BrowserRouter>
        </AuthProvider>
      </AntApp>
    </ConfigProvider>
  );
}
