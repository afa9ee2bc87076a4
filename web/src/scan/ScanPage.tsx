/**
 * /scan: the mobile scanning page (a PWA) for line devices, warehouse, distributor and store staff. Outside the console
 * layout; uses the console's session. Not logged in: the console's login page, then back here. Offline with no way to
 * check the session: keeps scanning as the user last seen here (scans are queued and sent once the session is back).
 */
import { Button, Result, Spin } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate } from 'react-router-dom';
import { useAuth } from '../auth.tsx';
import { may } from '../nav.ts';
import { cachedMe, rememberMe } from './draft.ts';
import { linkManifest, registerScanWorker } from './pwa.ts';
import { Scanner } from './Scanner.tsx';
import { roleScans } from './types.ts';

type Probe = 'idle' | 'offline' | 'signedOut';

/** Asks the server whether the session cookie is still good: 'ok', 'signedOut' (no user, or 4xx) or 'offline' (no answer). */
async function probeSession(): Promise<'ok' | 'signedOut' | 'offline'> {
  try {
    const r = await fetch('/api/v1/auth/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (r.ok) return ((await r.json()) as { user: unknown }).user ? 'ok' : 'signedOut';
    return r.status >= 500 ? 'offline' : 'signedOut';
  } catch {
    return 'offline';
  }
}

export function ScanPage() {
  const { t } = useTranslation();
  const { status, me, refresh, logout } = useAuth();
  const [probe, setProbe] = useState<Probe>('idle');

  useEffect(() => {
    const unlink = linkManifest();
    void registerScanWorker();
    // full-bleed on a phone: no default body margin while this page is shown
    const margin = document.body.style.margin;
    document.body.style.margin = '0';
    return () => {
      unlink();
      document.body.style.margin = margin;
    };
  }, []);

  useEffect(() => {
    const previous = document.title;
    document.title = t('scan.title');
    return () => {
      document.title = previous;
    };
  }, [t]);

  useEffect(() => {
    if (status === 'authenticated' && me) rememberMe(me.user.username ? me : null);
  }, [status, me]);

  // The console's session check failed: a 401, or no network? Only the latter keeps the page usable.
  const check = useCallback(async () => {
    const r = await probeSession();
    if (r === 'ok') await refresh();
    else setProbe(r === 'offline' && cachedMe() ? 'offline' : 'signedOut');
  }, [refresh]);

  useEffect(() => {
    if (status !== 'anonymous') {
      setProbe('idle');
      return;
    }
    void check();
  }, [status, check]);

  useEffect(() => {
    if (probe !== 'offline') return;
    const again = () => void check();
    window.addEventListener('online', again);
    const timer = setInterval(again, 30_000);
    return () => {
      window.removeEventListener('online', again);
      clearInterval(timer);
    };
  }, [probe, check]);

  const onLogout = useCallback(() => {
    rememberMe(null);
    void logout();
  }, [logout]);

  if (status === 'loading' || (status === 'anonymous' && probe === 'idle')) {
    return (
      <div style={{ display: 'flex', justifyContent: 'center', alignItems: 'center', minHeight: '60vh' }}>
        <Spin size="large" />
      </div>
    );
  }
  if (status === 'anonymous' && probe === 'signedOut') return <Navigate to="/login" replace state={{ from: '/scan' }} />;

  const user = status === 'authenticated' && me ? me : cachedMe();
  if (!user) return <Navigate to="/login" replace state={{ from: '/scan' }} />;
  if (!roleScans(user.user.role)) {
    return (
      <Result
        status="403"
        title="403"
        subTitle={t('scan.noScanRole')}
        extra={
          <>
            {/* an inspector scans what it finds in the market on a page of its own */}
            {may('inspection:write', user.user.role) ? (
              <Button type="primary" href="/m/inspect" data-testid="scan-to-inspect">
                {t('inspection.title')}
              </Button>
            ) : null}
            <Button href="/">{t('common.backHome')}</Button>
          </>
        }
      />
    );
  }
  const owner = `${user.tenant.code}/${user.user.username}`;
  return <Scanner key={owner} me={user} offlineSession={status !== 'authenticated'} onLogout={onLogout} />;
}
